"""The line-level tariff schedule: hand-worked stacking, monotonicity, weights against the source, CLI."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from chokepoints.cli import app
from chokepoints.errors import InputError
from chokepoints.trade import lines as tl
from chokepoints.trade import lines_compare as tlc

D = dt.date(2025, 6, 1)
CODE = np.array(["1111111111", "2222222222"])
ENV = {"COLUMNS": "220"}
runner = CliRunner()

# One add row per US authority on the first line (rates in points); MFN is the line's own rate (2).
RATES = {"mfn": 2.0, "section_301": 25.0, "section_232": 50.0, "ieepa_fentanyl": 20.0, "ieepa_reciprocal": 34.0,
         "section_122": 10.0}  # fmt: skip
# Hand-worked totals for each pair of authorities in force together on the line (the bundled rules:
# everything stacks, except that the reciprocal and Section 122 duties do not apply to goods under 232).
PAIRS = {
    ("mfn", "section_301"): 27.0,
    ("mfn", "section_232"): 52.0,
    ("mfn", "ieepa_fentanyl"): 22.0,
    ("mfn", "ieepa_reciprocal"): 36.0,
    ("mfn", "section_122"): 12.0,
    ("section_301", "section_232"): 75.0,
    ("section_301", "ieepa_fentanyl"): 45.0,
    ("section_301", "ieepa_reciprocal"): 59.0,
    ("section_301", "section_122"): 35.0,
    ("section_232", "ieepa_fentanyl"): 70.0,
    ("section_232", "ieepa_reciprocal"): 50.0,  # reciprocal_not_on_232
    ("section_232", "section_122"): 50.0,  # s122_not_on_232
    ("ieepa_fentanyl", "ieepa_reciprocal"): 54.0,
    ("ieepa_fentanyl", "section_122"): 30.0,
    ("ieepa_reciprocal", "section_122"): 44.0,
}


def _row(id, layer, rate, products=("hs:1",), action="add", on=dt.date(2025, 1, 1), until=None, importer="USA"):
    return tl.LineRow(id, importer, ("CHN",) if importer == "USA" else ("USA",), tuple(products), layer, action,
                      rate, on, until)  # fmt: skip


def _sched(rows):
    return tl.LineSchedule(rows, tl.read_line_rules(tl.lines_dir() / "stacking.csv"), {"elec": ("11",)})


def test_every_pair_of_authorities_is_hand_worked():
    us = [k for k in tl.LINE_LAYERS if k != "counter"]
    assert set(PAIRS) == set(itertools.combinations(us, 2))
    for (a, b), want in PAIRS.items():
        rows = [_row(k, k, RATES[k]) for k in (a, b) if k != "mfn"]
        mfn = np.array([RATES["mfn"], 0.0]) if "mfn" in (a, b) else None
        r = _sched(rows).rates(D, "USA", "CHN", CODE, mfn)
        assert r[:, 0].sum() == pytest.approx(want), (a, b)
        assert r[:, 1].sum() == 0.0  # the second line is selected by no row


def test_within_layer_rules_latest_additive_suspend_exclude():
    s = _sched(
        [
            _row("l3", "section_301", 25, on=dt.date(2019, 5, 10)),
            _row("rev", "section_301", 100, on=dt.date(2024, 9, 27)),  # replaces the list rate
            _row("r34", "ieepa_reciprocal", 34),
            _row("r50", "ieepa_reciprocal", 50, on=dt.date(2025, 4, 9), until=dt.date(2025, 5, 14)),
            _row("susp", "ieepa_reciprocal", 24, action="suspend", on=dt.date(2025, 5, 14)),
            _row("elec", "ieepa_reciprocal", 0, products=("list:elec",), action="exclude", on=dt.date(2025, 4, 5)),
        ]
    )
    k301, krec = tl.LINE_LAYERS.index("section_301"), tl.LINE_LAYERS.index("ieepa_reciprocal")
    codes = np.array(["1111111111", "1211111111"])  # the first is in the 'elec' list
    assert s.rates(dt.date(2020, 1, 1), "USA", "CHN", codes)[k301].tolist() == [25, 25]
    assert s.rates(dt.date(2025, 4, 10), "USA", "CHN", codes)[k301].tolist() == [100, 100]
    assert s.rates(dt.date(2025, 4, 10), "USA", "CHN", codes)[krec].tolist() == [0, 84]  # 34 + 50; exempt line 0
    assert s.rates(dt.date(2025, 6, 1), "USA", "CHN", codes)[krec].tolist() == [0, 10]  # 34 - 24


def test_exclude_share_scales_the_layer_and_a_full_exclusion_wins(tmp_path):
    # 25 % list duty; 50 % of the first line exempt from 2024-01-01 to 2024-06-15, the second line exempt in full
    # from 2024-06-15: hand-worked 25 x (1 - 0.5) = 12.5 on the first line while the share row is in force.
    s = _sched(
        [
            _row("l1", "section_301", 25, on=dt.date(2018, 7, 6)),
            _row("part", "section_301", 50, ("hs:11",), "exclude_share", dt.date(2024, 1, 1), dt.date(2024, 6, 15)),
            _row("part2", "section_301", 20, products=("hs:11",), action="exclude_share", on=dt.date(2024, 1, 1)),
            _row("whole", "section_301", 0, products=("hs:12",), action="exclude", on=dt.date(2024, 6, 15)),
            _row("part3", "section_301", 50, products=("hs:12",), action="exclude_share", on=dt.date(2024, 1, 1)),
        ]
    )
    k = tl.LINE_LAYERS.index("section_301")
    codes = np.array(["1111111111", "1211111111"])
    assert s.rates(dt.date(2023, 6, 1), "USA", "CHN", codes)[k].tolist() == [25, 25]
    assert s.rates(dt.date(2024, 3, 1), "USA", "CHN", codes)[k].tolist() == [12.5, 12.5]  # largest share: 50 %
    assert s.rates(dt.date(2024, 7, 1), "USA", "CHN", codes)[k].tolist() == [20, 0]  # 25 x 0.8; full exclusion
    head = "id,importer,exporter,products,layer,action,rate,on,until\n"
    bad = head + "x,USA,CHN,*,section_301,exclude_share,0,2024-01-01,\n"
    (tmp_path / "layers.csv").write_text(bad)
    with pytest.raises(InputError, match=r"row 1.*rate.*share in \(0, 100\]"):
        tl.read_line_rows(tmp_path / "layers.csv", {})


def test_bundled_explain_shows_the_electronics_exclusion():
    tab = tl.LineSchedule.bundled().explain("85171300", dt.date(2025, 4, 12))
    rec = tab[(tab["layer"] == "ieepa_reciprocal") & (tab["action"] == "add")]
    assert not rec["applied"].any() and rec["reason"].str.contains("us_recip_electronics").all()
    assert tab.loc[tab["layer"] == "total", "rate"].iloc[0] == pytest.approx(20.0)  # fentanyl only; MFN 0
    # a non-exempt line on the same day pays 20 + 125 on top of its 301 and MFN rates
    toys = tl.LineSchedule.bundled().explain("9503000073", dt.date(2025, 4, 12))
    assert toys.loc[toys["layer"] == "total", "rate"].iloc[0] >= 145.0


@settings(max_examples=40, deadline=None)
@given(
    rates=st.lists(st.floats(0, 150), min_size=6, max_size=6),
    weights=st.lists(st.floats(0.1, 1e6), min_size=4, max_size=4),
    which=st.integers(0, 5),
    bump=st.floats(0.01, 50),
)
def test_average_is_monotone_in_each_layer_rate(rates, weights, which, bump):
    layers = ["section_301", "section_232", "ieepa_fentanyl", "ieepa_reciprocal", "section_122", "section_301"]
    prods = [("hs:1",), ("hs:12",), ("hs:2",), ("*",), ("hs:3",), ("hs:4",)]
    codes = np.array(["1111", "1211", "2111", "3111"])
    w = np.array(weights)

    def avg(rs):
        rows = [_row(f"r{i}", layers[i], rs[i], products=prods[i], on=dt.date(2025, 1, 1 + i)) for i in range(6)]
        return w @ _sched(rows).rates(D, "USA", "CHN", codes).sum(axis=0) / w.sum()

    higher = list(rates)
    higher[which] += bump
    assert avg(higher) >= avg(rates) - 1e-9


def test_weights_sum_to_the_source_totals():
    w = tl.us_weights("2024")
    cn = w[w["partner"] == "CHN"]
    # the source's stated totals (shared/tariffs README): USD 429.4 bn imports, 46.7 bn calculated duty
    assert cn["imports_usd"].sum() == pytest.approx(429.4e9, rel=2e-4)
    assert cn["duty_usd"].sum() == pytest.approx(46.7e9, rel=2e-3)
    c = pd.read_csv(tl.lines_dir() / "cn_lines.csv.gz", dtype={"hs6": str})
    # US exports on the March 2025 lists: 19.05 bn (10 %) and 2.86 bn (15 %); all lines: 143.5 bn (2024)
    assert c.loc[c["list"] == "cn_march_10", "us_exports_usd"].sum() == pytest.approx(19.05e9, rel=1e-3)
    assert c.loc[c["list"] == "cn_march_15", "us_exports_usd"].sum() == pytest.approx(2.86e9, rel=2e-3)
    assert c["us_exports_usd"].sum() == pytest.approx(143.5457e9, rel=1e-5)


def test_2024_calculated_duty_check():
    chk = tlc.calculated_duty_check()
    assert chk["census_rate_pct"] == pytest.approx(100 * 46.661215871 / 429.425828419, rel=1e-6)
    # issue 14's target: within 0.5 point, with the declared 50 % share of described exclusions (not fitted);
    # the bounds (share 0 % and 100 %) bracket Census, and the rate falls as the share rises
    assert abs(chk["schedule_rate_pct"] - chk["census_rate_pct"]) < 0.5
    assert chk["schedule_rate_pct_share_100"] < chk["census_rate_pct"] < chk["schedule_rate_pct_share_0"]
    assert chk["schedule_rate_pct_share_100"] < chk["schedule_rate_pct"] < chk["schedule_rate_pct_share_0"]


def test_bundled_exclusions_match_the_note_counts():
    """US note 20: 352 reinstated, 77 COVID, 164 extended and 14 solar items (DB Schenker; F. Zhang)."""
    raw = Path(__file__).resolve().parents[1] / "data" / "tariffs" / "budget-lab"
    ex = pd.read_csv(raw / "us_note_20_s301_exclusions_2026_rev6.csv", dtype=str, comment="#")
    n = ex.drop_duplicates(["subdivision", "list", "item", "description"]).groupby("subdivision").size().to_dict()
    assert n == {"ttt": 352, "uuu": 77, "vvv": 164, "www": 14}
    s = tl.LineSchedule.bundled()
    why = s.explain("8473301180", dt.date(2024, 7, 1))  # printed-circuit assemblies: an item of (vvv)
    add = why[(why["layer"] == "section_301") & (why["action"] == "add")].iloc[0]
    assert add["row"] == "us_s301_list3_25" and bool(add["applied"])
    assert add["reason"] == "partly exempt: 50 % of the line's trade excluded by us_s301_excl_164_part"
    # MFN 0 + Section 301 25 x (1 - 0.5); in March 2024 the same line was an item of (ttt), the 352 set
    assert why.loc[why["layer"] == "total", "rate"].iloc[0] == pytest.approx(12.5)
    before = s.explain("8473301180", dt.date(2024, 3, 1))
    assert "us_s301_excl_352_part" in set(before["row"]) and "us_s301_excl_164_part" not in set(before["row"])


def test_bad_rows_are_one_located_error(tmp_path):
    p = tmp_path / "layers.csv"
    p.write_text(
        "id,importer,exporter,products,layer,action,rate,on,until\nx,USA,CHN,list:nope,section_301,add,5,2025-01-01,\n"
    )
    with pytest.raises(InputError, match=r"row 1.*products.*nope"):
        tl.read_line_rows(p, {})
    p.write_text(
        "id,importer,exporter,products,layer,action,rate,on,until\nx,USA,CHN,*,section_999,add,5,2025-01-01,\n"
    )
    with pytest.raises(InputError, match="unknown layer"):
        tl.read_line_rows(p, {})


def test_cli_series_both_directions_and_csv():
    res = runner.invoke(app, ["tariffs", "us-china-tariffs-2025", "--series"], env=ENV)
    assert res.exit_code == 0, res.output
    assert "USA tariffs on CHN" in res.output and "CHN tariffs on USA" in res.output
    res = runner.invoke(app, ["tariffs", "us-china-tariffs-2025", "--series", "--format", "csv", "--weights", "2024"])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(__import__("io").StringIO(res.output))
    assert list(df.columns[:5]) == ["date", "importer", "exporter", "weights", "average_rate_pct"]
    us = df[df["importer"] == "USA"].set_index("date")["average_rate_pct"]
    assert us["2025-04-10"] > us["2025-05-14"] > us["2025-01-01"]


def test_cli_explain_and_errors():
    res = runner.invoke(app, ["tariffs", "us-china-tariffs-2025", "--explain", "85171300", "2025-04-12"], env=ENV)
    assert res.exit_code == 0, res.output
    assert "us_recip_electronics" in res.output and re.search(r"total[\s│]*20\b", res.output)
    res = runner.invoke(app, ["tariffs", "us-china-tariffs-2025", "--series", "--weights", "2017"])
    assert res.exit_code == 0 and "Bown, Jung & Zhang" in " ".join(
        res.output.split()
    )  # China's side has 2017 weights (PIIE)
    res = runner.invoke(app, ["tariffs", "us-china-tariffs-2025", "--series", "--weights", "1999"])
    assert res.exit_code == 2 and res.output.startswith("error:") and "Traceback" not in res.output
    res = runner.invoke(app, ["tariffs", "us-china-tariffs-2025", "--explain", "99999999", "2025-04-12"])
    assert res.exit_code == 2 and "no bundled tariff line" in res.output


def test_china_2017_weights_sum_and_series():
    """China's 2017 book sums to the PIIE file's total (USD 154.8 bn) and its series rises with the retaliation."""
    raw = pd.read_csv(tl.lines_dir() / "cn_lines_2017.csv.gz", dtype={"hs8": str})
    src = pd.read_csv(
        Path(__file__).resolve().parents[1] / "data/tariffs/piie-bjz-2019/china_imports_from_us_2017_hs8.csv.gz"
    )
    assert raw["us_exports_usd"].sum() == pytest.approx(1000 * src["imports_2017_kusd"].sum(), rel=1e-9)
    s = tl.series(directions=[("CHN", "USA")], weights="2017").set_index("date")["average_rate_pct"]
    d = dt.date
    assert s[d(2018, 7, 6)] > s[d(2018, 7, 1)] and s[d(2018, 9, 24)] > s[d(2018, 8, 23)]
    assert s[d(2020, 2, 14)] < s[d(2019, 9, 1)]  # phase one halves the 2019-09-01 increase


def test_compare_published_names_weights():
    c = tlc.compare_published()
    assert set(c.columns) >= {"date", "ours_pct", "published_pct", "difference", "our_weights", "published_weights"}
    assert (c["difference"] == (c["ours_pct"] - c["published_pct"]).round(2)).all()
    # 'additional' rows (Budget Lab, Chapter 99 duties only) compare our average less its MFN layer
    add = c[c["measure"] == "additional"]
    assert len(add) == 30 and set(c["measure"]) == {"total", "additional"}  # China and 4 partners, 3 dates x 2
    add = add[add["exporter"] == "CHN"]
    s = tl.series(tl.LineSchedule.bundled(), [dt.date(2026, 1, 1)], [("USA", "CHN")], weights="2024").iloc[0]
    want = round(float(s["average_rate_pct"] - s["mfn_pct"]), 2)
    assert (add.loc[add["date"] == dt.date(2026, 1, 1), "ours_pct"] == want).all()
    # issue 14's target against the series with the same weights (2024 Census): Tariff-ETRs within 2 points
    etrs = add[add["published_weights"].str.contains("Tariff-ETRs")]
    assert len(etrs) == 3 and (etrs["difference"].abs() < 2).all()


def test_published_table_refuses_an_unknown_measure(tmp_path, monkeypatch):
    for name in ("published.csv", "sources.csv", "layers.csv"):
        (tmp_path / name).write_bytes((tl.lines_dir() / name).read_bytes())
    good = (tmp_path / "published.csv").read_text()
    monkeypatch.setattr(tlc, "lines_dir", lambda: tmp_path)
    (tmp_path / "published.csv").write_text(good.replace(",additional,", ",extra,", 1))
    with pytest.raises(InputError, match="unknown measure 'extra'"):
        tlc.published()
    (tmp_path / "published.csv").write_text(good.replace(",additional,2024", ",additional,2019", 1))
    with pytest.raises(InputError, match="unknown compare_on '2019'"):
        tlc.published()


def test_exclusion_share_edges():
    # the bounds helper refuses shares outside [0, 100]
    with pytest.raises(InputError, match=r"share in \[0, 100\]"):
        tlc.with_exclusion_share(tl.LineSchedule.bundled(), 150)
    # a line exempt in full through exclude_share: zero, explained as exempt, and it no longer blocks the
    # reciprocal duty as a Section 232 line would (rule reciprocal_not_on_232)
    s = _sched(
        [
            _row("s232", "section_232", 25),
            _row("all", "section_232", 100, action="exclude_share"),
            _row("r34", "ieepa_reciprocal", 34),
        ]
    )
    r = s.rates(D, "USA", "CHN", CODE[:1])
    k232, krec = tl.LINE_LAYERS.index("section_232"), tl.LINE_LAYERS.index("ieepa_reciprocal")
    assert r[k232, 0] == 0 and r[krec, 0] == 34
    half = _sched([_row("s232", "section_232", 25), _row("h", "section_232", 50, action="exclude_share"),
                   _row("r34", "ieepa_reciprocal", 34)])  # fmt: skip
    r = half.rates(D, "USA", "CHN", CODE[:1])
    assert r[k232, 0] == 12.5 and r[krec, 0] == 0  # partly exempt 232 still excludes the reciprocal duty
    from chokepoints.trade.lines_explain import _reason

    assert _reason(s, s.rows[0], D, "USA", "CHN", CODE[:1], 0.0) == "exempt: all of the line's trade excluded by all"
    assert _reason(half, half.rows[0], D, "USA", "CHN", CODE[:1], 12.5).startswith("partly exempt: 50 %")
    # the reciprocal row blocked by the partly exempt 232 layer is 'does not apply', not 'partly exempt'
    assert (
        _reason(half, half.rows[2], D, "USA", "CHN", CODE[:1], 0.0) == "layer does not apply to goods under section_232"
    )


def test_implied_exclusion_shares_diagnostic():
    d = tlc.implied_exclusion_shares()
    assert len(d) > 200 and d["share"].between(0, 1).all()
    # 2024 imports on those lines: about 53 bn USD (docs/tariffs.md)
    assert d["imports_usd"].sum() == pytest.approx(53.45e9, rel=0.01)


def test_rates_on_fresh_arrays_never_reuse_a_stale_mask():
    # temporaries made and dropped in a loop often land at the same address (same id()); the mask cache
    # must not hand a mask of another array (it failed with a broadcast error before the fix)
    s = tl.LineSchedule.bundled()
    book = tl.line_book("USA", "CHN")
    for prefixes in (["280530"], ["2846"], ["8501"], ["280530"], ["850511"]) * 3:
        m = tl.prefix_match(book.codes, prefixes)
        r = s.rates(D, "USA", "CHN", book.codes[m], book.mfn[m])
        assert r.shape == (len(tl.LINE_LAYERS), int(m.sum()))


def test_us_2017_base_spreads_the_census_chapters_and_matches_2017_duty():
    # weights_2017: each HS-2 chapter's 2017 Census imports from China, spread over its lines by 2024 shares
    raw = Path(__file__).resolve().parents[1] / "data" / "tariffs" / "census-hs2"
    h = pd.read_csv(raw / "imports_5700_CHN_hs2_monthly.csv.gz", dtype={"hs2": str})
    y17 = h[h["month"].str.startswith("2017")].groupby("hs2")["imports_usd"].sum()
    b17, b24 = tl.line_book("USA", "CHN", "2017"), tl.line_book("USA", "CHN", "2024")
    got = pd.Series(b17.weights).groupby(pd.Series(b17.codes).str[:2]).sum()
    assert got.to_dict() == pytest.approx(y17.to_dict(), abs=len(b17.codes))  # rounding to whole dollars
    assert b17.weights.sum() == pytest.approx(503.6516e9, rel=1e-6)
    # within a chapter the 2017 weights keep the 2024 proportions (the allocation rule)
    s24 = pd.Series(b24.weights, index=b24.codes)
    s17 = pd.Series(b17.weights, index=b17.codes)
    ch = [c for c in s17.index if c.startswith("85")]
    assert (s17[ch] / s17[ch].sum()).to_numpy() == pytest.approx((s24[ch] / s24[ch].sum()).to_numpy(), abs=1e-9)
    # an independent check of the MFN layer: Census 2017 calculated duty / imports from China (2.68 %)
    chk = tlc.calculated_duty_check(year="2017")
    assert chk["census_rate_pct"] == pytest.approx(100 * 13.500879854 / 503.651580067, rel=1e-6)
    assert abs(chk["schedule_rate_pct"] - chk["census_rate_pct"]) < 0.1
    # PIIE's US rows are compared on world weights (its convention: the exporter's exports to the world), and
    # this base stays available for them: --weights 2017
    c = tlc.compare_published()
    us = c[(c["importer"] == "USA") & (c["measure"] == "total")]
    assert us["our_weights"].str.contains("world").all()
    s = tl.series(tl.LineSchedule.bundled(), [dt.date(2019, 12, 14)], [("USA", "CHN")], weights="2017").iloc[0]
    assert s["weights"].startswith("imports 2017") and 10 < s["average_rate_pct"] < 20
