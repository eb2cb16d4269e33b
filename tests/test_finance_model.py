"""The financial lever end to end: bands from the published estimates, seeds, offsets, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chokepoints as cp
from chokepoints.errors import InputError
from chokepoints.finance import band, band_studies, headline, simulate_finance, threat_value
from chokepoints.finance.data import load_finance_data


def scenario(events, uncertain=None, runs=1, seed=0, horizon_days=3653, source="<dict>"):
    return cp.Scenario.from_dict(
        {
            "name": "fin",
            "start": "2026-01-01",
            "horizon_days": horizon_days,
            "runs": runs,
            "seed": seed,
            "uncertain": uncertain or [],
            "events": events,
        },
        source=source,
    )


def sale(**kw):
    ev = {
        "type": "treasury_sale",
        "id": "s",
        "on": "2026-01-01",
        "holder": "CHN",
        "amount_bn": 300,
        "months": 12,
    }
    ev.update(kw)
    return ev


def test_band_ends_come_from_named_studies():
    ds = simulate_finance(scenario([sale()]))
    studies = band_studies(ds)
    assert studies == {"low": "imf2017", "high": "bkmt2013_short", "central": "martin2014"}
    # 10y change at the end of the sales = k5 * 300 / 100 * 0.75
    # (persistent, no offsets, official mix)
    b = band(ds["yield_change_bp"].sel(tenor="10y").isel(month=11))
    assert float(b["low"]) == pytest.approx(1.5 * 3 * 0.75)
    assert float(b["high"]) == pytest.approx(60 * 3 * 0.75)
    assert float(b["central"]) == pytest.approx(9.247 * 3 * 0.75)
    head = headline(ds)
    assert list(head.columns) == ["metric", "unit", "low", "central", "high", "p05", "p95"]
    assert (head["low"] <= head["central"] + 1e-9).all() and (head["central"] <= head["high"] + 1e-9).all()


def test_seller_loss_is_duration_times_shift_times_holdings():
    ds = simulate_finance(scenario([sale()]))
    fd = load_finance_data()
    tenors = fd.tenors.set_index("tenor")
    t = 11
    dy = ds["yield_change_bp"].isel(run=0, month=t).sel(estimate="martin2014", end="central").values
    held = 683.5 - 300.0
    expected = held * float((tenors["official_mix"] * tenors["duration_years"] * dy).sum()) * 1e-4
    got = float(ds["valuation_loss_bn"].isel(run=0, month=t).sel(estimate="martin2014", end="central", holder="CHN"))
    assert got == pytest.approx(expected)
    assert float(ds["holdings_bn"].isel(run=0, month=-1).sel(holder="CHN")) == pytest.approx(383.5)


def test_offsets_are_explicit():
    base = simulate_finance(scenario([sale()]))
    half = simulate_finance(scenario([sale(other_buyers_share=0.25, fed_purchase_share=0.25)]))
    full = simulate_finance(scenario([sale(fed_purchase_share=1.0)]))

    def y(d):
        return float(d["yield_change_bp"].isel(run=0, month=-1).sel(end="central", tenor="10y").max())

    assert y(half) == pytest.approx(y(base) / 2)
    assert y(full) == 0.0
    assert float(full["fed_purchases_bn"].isel(run=0, month=-1)) == pytest.approx(300.0)
    fading = simulate_finance(scenario([sale(impact_half_life_months=6)]))
    assert y(fading) < y(base) / 100  # ten years after, almost nothing is left


def test_bills_only_sale_moves_yields_less():
    base = simulate_finance(scenario([sale()]))
    bills = simulate_finance(scenario([sale(maturity_mix={"bills": 1.0})]))
    ratio = float(bills["net_supply_bn"].isel(run=0, month=-1)) / float(base["net_supply_bn"].isel(run=0, month=-1))
    assert ratio == pytest.approx(0.5 / 5.425)


def test_reserve_shift_into_gold():
    ev = [
        sale(),
        {
            "type": "reserve_shift",
            "on": "2026-01-01",
            "holder": "CHN",
            "from": "treasuries",
            "to": "gold",
            "amount_bn": 100,
            "months": 4,
            "gold_price_usd_per_oz": 4000,
        },
    ]
    ds = simulate_finance(scenario(ev))
    assert float(ds["gold_added_moz"].isel(run=0, month=-1).sel(holder="CHN")) == pytest.approx(25.0)
    flow = ds["reserve_flow_bn"].isel(run=0, month=-1).sel(holder="CHN")
    assert float(flow.sel(asset="gold")) == pytest.approx(100.0)
    assert float(flow.sel(asset="treasuries")) == pytest.approx(-100.0)


def test_same_seed_same_result_other_seed_differs():
    unc = [
        {
            "parameter": "events.s.other_buyers_share",
            "distribution": "uniform",
            "low": 0,
            "high": 0.5,
        },
        {
            "parameter": "events.s.rollover_scale",
            "distribution": "triangular",
            "low": 0.8,
            "mode": 1,
            "high": 1.25,
        },
    ]
    a = simulate_finance(scenario([sale()], unc, runs=8, seed=1))
    b = simulate_finance(scenario([sale()], unc, runs=8, seed=1))
    c = simulate_finance(scenario([sale()], unc, runs=8, seed=2))
    np.testing.assert_array_equal(a["cum_extra_interest_bn"].values, b["cum_extra_interest_bn"].values)
    assert not np.array_equal(a["cum_extra_interest_bn"].values, c["cum_extra_interest_bn"].values)
    assert a.attrs["seed"] == 1 and a.attrs["scenario_hash"] and a.attrs["dataset_version"]
    assert a.attrs["package_version"] == cp.__version__


def test_threat_value_for_negotiation():
    t = threat_value(holder="CHN", amount_bn=300, months=12)
    assert t["threatener"] == "CHN" and t["target"] == "USA"
    assert set(t["cost_to"]) == {"USA", "CHN"}
    for side in ("USA", "CHN"):
        c = t["cost_to"][side]
        assert 0 < c["low"] < c["central"] < c["high"]
    # both costs scale with the same impact estimate: the ratio does not depend on the study
    r = t["ratio_target_to_threatener"]
    assert t["cost_to_target"] == t["cost_to"]["USA"]
    assert t["cost_to_threatener"] == t["cost_to"]["CHN"]
    assert threat_value(holder="CHN", amount_bn=300, months=12) == t  # memoised, same answer
    assert threat_value(holder="CHN", amount_bn=0)["cost_to_target"]["high"] == 0.0
    assert r["low"] == pytest.approx(r["high"]) and r["central"] > 1


@settings(max_examples=15, deadline=None)
@given(a=st.floats(10, 300), extra=st.floats(0, 300), months=st.integers(1, 24))
def test_cost_monotone_in_amount(a, extra, months):
    one = simulate_finance(scenario([sale(amount_bn=a, months=months)], horizon_days=1461))
    two = simulate_finance(scenario([sale(amount_bn=a + extra, months=months)], horizon_days=1461))
    c1 = one["cum_extra_interest_bn"].isel(month=-1).values
    c2 = two["cum_extra_interest_bn"].isel(month=-1).values
    assert np.all(c2 >= c1 - 1e-9)
    l1 = one["sale_concession_bn"].isel(month=-1).values
    l2 = two["sale_concession_bn"].isel(month=-1).values
    assert np.all(l2 >= l1 - 1e-9)


def _problems(sc):
    with pytest.raises(InputError) as exc:
        simulate_finance(sc)
    return [str(p) for p in exc.value.problems]


def test_data_errors_are_located(tmp_path):
    text = """\
name: bad
start: 2026-01-01
horizon_days: 730
events:
  - type: treasury_sale
    id: s
    on: 2026-01-01
    holder: XYZ
    amount_bn: 100
    months: 12
"""
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    msgs = _problems(cp.Scenario.from_yaml(path))
    assert len(msgs) == 1 and msgs[0].startswith(f"{path}:8:13, field 'events[0].holder': unknown holder 'XYZ'")
    path.write_text(text.replace("XYZ", "CHN").replace("100", "900"))
    assert "exceed CHN's holdings of 683.5bn" in _problems(cp.Scenario.from_yaml(path))[0]
    path.write_text(text.replace("XYZ", "CHN").replace("months: 12", "months: 36"))
    assert "past the scenario horizon" in _problems(cp.Scenario.from_yaml(path))[0]
    path.write_text(text.replace("XYZ", "CHN") + "    impact_estimates: [nope]\n")
    assert "unknown impact estimate 'nope'" in _problems(cp.Scenario.from_yaml(path))[0]


def test_reserve_shift_needs_proceeds():
    ev = [
        sale(amount_bn=50),
        {
            "type": "reserve_shift",
            "on": "2026-01-01",
            "holder": "CHN",
            "from": "treasuries",
            "to": "gold",
            "amount_bn": 100,
        },
    ]
    assert "sells 50bn of Treasuries" in _problems(scenario(ev))[0]


def test_no_finance_event():
    assert "no treasury_sale or reserve_shift" in _problems(scenario([]))[0]


@pytest.mark.parametrize(
    "field,value,expected",
    [
        ("amount_bn", -5, "greater than 0"),
        ("months", 0, "greater than or equal to 1"),
        ("maturity_mix", {"bills": 0.5, "10y": 0.6}, "sum to 1"),
        ("other_buyers_share", 1.5, "less than or equal to 1"),
    ],
)
def test_schema_errors(field, value, expected):
    with pytest.raises(InputError) as exc:
        scenario([sale(**{field: value})])
    assert len(exc.value.problems) == 1 and expected in str(exc.value.problems[0])
