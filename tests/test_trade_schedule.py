"""The dated, layered schedule: the bundled 2025 US-China timeline with sources; stacking rules."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import chokepoints.trade as tr
from chokepoints.errors import InputError
from chokepoints.trade.schedule import Catalog, make_row, parse_selector, read_rows

D = dt.date


@pytest.fixture(scope="module")
def sched() -> tr.Schedule:
    s = tr.Schedule.bundled()
    s.check(tr.load_catalog())
    return s


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return tr.load_catalog()


def _sources() -> pd.DataFrame:
    return tr.load_sources().set_index("source_id")


@pytest.mark.parametrize(
    ("day", "ieepa", "fentanyl", "reciprocal"),
    [
        (D(2025, 4, 10), 145.0, 20.0, 125.0),  # 125 reciprocal + 20 fentanyl
        (D(2025, 5, 14), 30.0, 20.0, 10.0),  # Geneva: 24 of the 34 points suspended
        (D(2025, 11, 10), 20.0, 10.0, 10.0),  # fentanyl duty cut to 10 %
    ],
)
def test_us_rate_on_china_equals_the_sum_of_bundled_layers(sched, catalog, day, ieepa, fentanyl, reciprocal):
    b = sched.explain(day, "USA", "CHN", "telephones", catalog)
    assert b.by_layer["ieepa_fentanyl"] == fentanyl
    assert b.by_layer["ieepa_reciprocal"] == reciprocal
    assert b.by_layer["ieepa_fentanyl"] + b.by_layer["ieepa_reciprocal"] == ieepa
    assert b.total == ieepa  # no MFN, Section 301 or 232 rows apply to this line
    # the layer sums are the sums of the rows in force: add rows minus suspended points
    applied = [c.row for c in b.contributions if c.applied]
    adds = sum(r.rate for r in applied if r.action == "add")
    suspended = sum(r.rate for r in applied if r.action == "suspend")
    assert adds - suspended == ieepa
    # every row is traced to at least one published source with an address
    src = _sources()
    for r in applied:
        kinds = [src.loc[s, "kind"] for s in r.source]
        assert "source" in kinds, r.id
        assert all(src.loc[s, "url"].startswith("http") for s in r.source if src.loc[s, "kind"] == "source")
    table = b.table(tr.load_sources())
    assert table["urls"].str.contains("http").all()


def test_other_steps_of_the_timeline(sched, catalog):
    rate = lambda d, imp, exp, p: sched.explain(d, imp, exp, p, catalog).total  # noqa: E731
    assert rate(D(2025, 1, 1), "USA", "CHN", "computers") == 0
    assert rate(D(2025, 2, 4), "USA", "CHN", "computers") == 10
    assert rate(D(2025, 3, 4), "USA", "CHN", "computers") == 20
    assert rate(D(2025, 4, 5), "USA", "CHN", "computers") == 30  # 10 % baseline + 20
    assert rate(D(2025, 4, 9), "USA", "CHN", "computers") == 104  # 34 + 50 + 20
    assert rate(D(2025, 8, 12), "USA", "CHN", "computers") == 30  # suspension extended
    assert rate(D(2026, 11, 10), "USA", "CHN", "computers") == 44  # the suspension expires: 34 + 10
    # China on US goods: 34 -> 84 -> 125 -> 10; soybeans add MFN 3 and the March farm duty 10
    assert rate(D(2025, 4, 10), "CHN", "USA", "other_goods") == 84
    assert rate(D(2025, 4, 12), "CHN", "USA", "other_goods") == 125
    assert rate(D(2025, 5, 14), "CHN", "USA", "other_goods") == 10
    assert rate(D(2025, 4, 12), "CHN", "USA", "soybeans") == 138
    assert rate(D(2025, 11, 10), "CHN", "USA", "soybeans") == 13  # 'soybeans still face 13 %'
    assert rate(D(2025, 11, 10), "CHN", "OTH", "soybeans") == 3  # MFN only


def test_section_232_goods_are_outside_the_reciprocal_duty(sched):
    cat = Catalog(np.array(["720810", "851712"]), np.array(["720810", "851712"]), np.array(["XV", "XVI"]))
    steel = sched.explain(D(2025, 6, 10), "USA", "CHN", "720810", cat)
    assert steel.by_layer["section_232"] == 50 and steel.by_layer["section_301"] == 25
    assert steel.by_layer["ieepa_reciprocal"] == 0 and steel.by_layer["ieepa_fentanyl"] == 20
    assert steel.total == 95
    blocked = [c for c in steel.contributions if c.row.layer == "ieepa_reciprocal" and c.row.action == "add"]
    assert blocked and not any(c.applied for c in blocked)
    assert "section_232" in blocked[0].reason
    phones = sched.explain(D(2025, 6, 10), "USA", "CHN", "851712", cat)
    assert phones.total == 30


def _row(**kw):
    base = dict(
        id="r",
        importer="USA",
        exporters=("CHN",),
        products=("*",),
        layer="ieepa_reciprocal",
        action="add",
        rate=34.0,
        on=D(2025, 4, 9),
        until=None,
    )
    base.update(kw)
    return make_row(**base)


def test_suspension_with_expiry_and_exclusions():
    cat = Catalog(np.array(["a", "b"]), np.array(["8517", "9503"]), np.array(["XVI", "XX"]))
    s = tr.Schedule(
        [
            _row(id="base"),
            _row(id="susp", action="suspend", rate=24.0, on=D(2025, 5, 14), until=D(2025, 8, 12)),
            _row(
                id="excl",
                action="exclude",
                rate=0.0,
                products=("hs:9503",),
                on=D(2025, 6, 1),
                until=D(2025, 7, 1),
            ),
        ]
    )
    s.check(cat)
    r = lambda d, p: s.explain(d, "USA", "CHN", p, cat).total  # noqa: E731
    assert r(D(2025, 5, 13), "a") == 34
    assert r(D(2025, 5, 14), "a") == 10
    assert r(D(2025, 8, 11), "a") == 10
    assert r(D(2025, 8, 12), "a") == 34  # the suspension expired
    assert r(D(2025, 6, 15), "b") == 0 and r(D(2025, 7, 1), "b") == 10
    assert s.change_dates() == [
        D(2025, 4, 9),
        D(2025, 5, 14),
        D(2025, 6, 1),
        D(2025, 7, 1),
        D(2025, 8, 12),
    ]
    # vectorised rates agree with explain()
    rates = s.rates(D(2025, 6, 15), np.array(["USA", "USA"]), np.array([0, 1]), np.array(["CHN", "VNM"]), cat)
    assert rates.sum(axis=0).tolist() == [[10.0, 0.0], [0.0, 0.0]]


def test_overlapping_rows_of_an_exclusive_layer_are_refused():
    cat = Catalog(np.array(["a"]), np.array(["8517"]), np.array(["XVI"]))
    s = tr.Schedule(
        [
            _row(id="f10", layer="ieepa_fentanyl", rate=10.0, on=D(2025, 2, 4)),  # no 'until'
            _row(id="f20", layer="ieepa_fentanyl", rate=20.0, on=D(2025, 3, 4), products=("hs:85",)),
        ]
    )
    with pytest.raises(InputError, match="layer 'ieepa_fentanyl' allows one rate at a time") as exc:
        s.check(cat)
    assert "'f10'" in str(exc.value) and "'f20'" in str(exc.value) and "until" in str(exc.value)
    with pytest.raises(InputError, match="one rate at a time"):
        s.rates(D(2025, 3, 10), np.array(["USA"]), np.array([0]), np.array(["CHN"]), cat)
    # with an 'until' on the first row, or an additive layer, the rows are fine
    tr.Schedule(
        [
            _row(id="f10", layer="ieepa_fentanyl", rate=10.0, on=D(2025, 2, 4), until=D(2025, 3, 4)),
            _row(id="f20", layer="ieepa_fentanyl", rate=20.0, on=D(2025, 3, 4)),
        ]
    ).check(cat)
    tr.Schedule([_row(id="a"), _row(id="b", rate=50.0)]).check(cat)
    # different products or partners do not overlap
    tr.Schedule(
        [
            _row(id="s1", layer="section_232", products=("hs:72",)),
            _row(id="s2", layer="section_232", products=("hs:76",)),
        ]
    ).check(cat)
    tr.Schedule(
        [
            _row(id="m1", layer="mfn", exporters=("CHN",)),
            _row(id="m2", layer="mfn", exporters=("VNM",)),
        ]
    ).check(cat)


def test_row_validation_and_selectors(tmp_path):
    with pytest.raises(InputError, match="'until' .* must be after 'on'"):
        _row(until=D(2025, 4, 1))
    with pytest.raises(InputError, match="unknown layer"):
        _row(layer="section_999")
    with pytest.raises(InputError, match="digits"):
        _row(products=("hs:85x",))
    assert parse_selector("section:xvi").value == "XVI"
    assert str(parse_selector("all")) == "*"
    bad = tmp_path / "s.csv"
    bad.write_text(
        "id,importer,exporter,products,layer,action,rate,on,until\n"
        "a,USA,CHN,*,mfn,add,2.5,2025-01-01,\n"
        "b,USA,CHN,*,mfn,add,abc,2025-01-01,\n"
    )
    with pytest.raises(InputError) as exc:
        read_rows(bad)
    p = exc.value.problems[0]
    assert (p.row, p.field) == (2, "rate") and "s.csv" in p.source


def test_change_dates_of_the_bundled_schedule(sched):
    days = sched.change_dates()
    for d in (
        D(2025, 2, 4),
        D(2025, 3, 4),
        D(2025, 4, 9),
        D(2025, 4, 10),
        D(2025, 4, 12),
        D(2025, 5, 14),
        D(2025, 8, 12),
        D(2025, 11, 10),
    ):
        assert d in days
