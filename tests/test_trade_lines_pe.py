"""The PE on tariff lines (chokepoints.trade.lines_pe): hand-worked, consistent with the line
schedule's series, the bundled weights, and the direction of the Armington response."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from chokepoints.cli import app
from chokepoints.errors import InputError
from chokepoints.trade import lines as tl
from chokepoints.trade import lines_pe as lp

runner = CliRunner()
ON = dt.date(2025, 2, 1)


def _schedule(rate: float) -> tl.LineSchedule:
    """The bundled stacking rules with one row: ``rate`` points of reciprocal duty on China from ``ON``."""
    row = tl.LineRow("x", "USA", ("CHN",), ("*",), "ieepa_reciprocal", "add", rate, ON, None)
    return tl.LineSchedule([row], tl.LineSchedule.bundled().rules, {})


def _market(m: list[list[float]]) -> lp.LineMarket:
    codes = np.array([f"85011{i:05d}" for i in range(len(m))])
    arr = np.array(m, dtype=float)
    return lp.LineMarket(codes, ("CHN", "MEX"), arr, np.zeros_like(arr), np.array(["XVI"] * len(m), dtype=object))


ELAST = pd.DataFrame({"eta": [-2.0, -1.0], "sigma": [3.0, 2.0]}, index=pd.Index(["XVI", "ALL"], name="section"))


def test_hand_worked_one_line_two_partners():
    # 20 % on China, w = (0.25, 0.75), sigma 3, eta -2, flat supply:
    # P^(1-3) = 0.25 * 1.2^-2 + 0.75 = 0.9236111 -> P = 1.0405320
    # q_CHN = 100 * 1.2^-3 * P^(3-2) = 60.215971, q_MEX = 300 * P = 312.15959
    res = lp.solve_lines(dt.date(2025, 3, 1), dt.date(2025, 1, 1), _schedule(20.0), _market([[100, 300]]), ELAST)
    s = res.solution
    P = (0.25 / 1.44 + 0.75) ** -0.5
    assert P == pytest.approx(1.0405320, rel=1e-7)
    assert s.composite_price[0] == pytest.approx(P, rel=1e-12)
    assert s.imports_new[0, 0] == pytest.approx(100 * 1.2**-3 * P, rel=1e-10)
    assert s.imports_new[0, 1] == pytest.approx(300 * P, rel=1e-10)
    assert res.rates_base.tolist() == [[0.0, 0.0]] and res.rates_new.tolist() == [[20.0, 0.0]]
    tab = lp.by_section(res)
    tot = tab.set_index("section").loc["total"]
    assert tot["CHN_change_pct"] == pytest.approx(100 * (1.2**-3 * P - 1), rel=1e-9)
    assert tot["others_change"] == pytest.approx(300 * (P - 1) / 1e6, rel=1e-9)
    assert tot["avg_rate_CHN_new"] == pytest.approx(20.0)


@settings(max_examples=40, deadline=None)
@given(
    m=st.lists(st.tuples(st.floats(1, 1e4), st.floats(1, 1e4)), min_size=1, max_size=5),
    rate=st.floats(0, 150),
    bump=st.floats(0.5, 50),
)
def test_a_higher_china_rate_lowers_china_and_raises_the_others(m, rate, bump):
    """sigma > |eta| (true of every bundled section): imports from China fall and the others rise."""
    mk = _market([list(x) for x in m])
    lo = lp.solve_lines(dt.date(2025, 3, 1), dt.date(2025, 1, 1), _schedule(rate), mk, ELAST).solution
    hi = lp.solve_lines(dt.date(2025, 3, 1), dt.date(2025, 1, 1), _schedule(rate + bump), mk, ELAST).solution
    assert np.all(hi.imports_new[:, 0] < lo.imports_new[:, 0])
    assert np.all(hi.imports_new[:, 1] > lo.imports_new[:, 1])
    assert np.all(hi.buyer_cost > lo.buyer_cost)


def test_bundled_market_weights_and_preferences():
    mk = lp.line_market()
    w = tl.us_weights("2024")
    totals = w.groupby("partner")["imports_usd"].sum()
    assert dict(zip(mk.partners, mk.imports.sum(axis=0), strict=True)) == pytest.approx(totals.to_dict(), rel=1e-12)
    mfn_line = tl.line_book("USA", "CHN").mfn
    j = mk.partners.index("CHN")
    book = tl.line_book("USA", "CHN")
    order = {c: i for i, c in enumerate(mk.codes)}
    idx = np.array([order[c] for c in book.codes])
    assert np.allclose(mk.mfn[idx, j], mfn_line)  # China pays the MFN rate
    assert np.all(mk.mfn <= mk.mfn[:, [j]] + 1e-9)  # preferences never exceed it
    assert mk.shape[0] > 18_000 and len(mk.partners) == 14


def test_bundled_china_rate_equals_the_line_series():
    d = dt.date(2025, 4, 12)
    res = lp.solve_lines(d)
    tot = lp.by_section(res).set_index("section").loc["total"]
    ser = tl.series(dates=[d], directions=[("USA", "CHN")])
    assert tot["avg_rate_CHN_new"] == pytest.approx(float(ser["average_rate_pct"].iloc[0]), abs=1e-9)
    s = res.solution
    assert s.residual < 1e-10
    # imports from China fall on every line where its duty ratio rose more than every other partner's (the
    # other partners' duties rose too in 2025, so a rise in China's own rate alone is not enough)
    j = res.market.partners.index("CHN")
    ratio = (1 + res.rates_new / 100) / (1 + res.rates_base / 100)
    others = np.delete(ratio, j, axis=1).max(axis=1)
    rose = ratio[:, j] > others + 1e-12
    has = s.imports_base[:, j] > 0
    assert rose.sum() > 5_000
    assert np.all(s.imports_new[rose & has, j] < s.imports_base[rose & has, j])


def test_section_elasticities_bundled_and_bad_files(tmp_path):
    el = lp.section_elasticities()
    assert {"I", "XVI", "XXI", "ALL"} <= set(el.index)
    assert (el["eta"] < 0).all() and (el["sigma"] > 0).all()
    bad = tmp_path / "e.csv"
    bad.write_text("section,eta,sigma\nALL,-1.2,2.0\nI,0.5,2.0\n")
    with pytest.raises(InputError, match=r"e\.csv:3.*eta < 0"):
        lp.section_elasticities(bad)
    bad.write_text("section,eta\nALL,-1\n")
    with pytest.raises(InputError, match="missing"):
        lp.section_elasticities(bad)


def test_cli_lines_prints_sections_and_refuses_a_missing_date():
    r = runner.invoke(app, ["tariffs", "us-china-tariffs-2025", "--lines", "--date", "2025-05-14", "--format", "csv"])
    assert r.exit_code == 0, r.output
    from io import StringIO

    df = pd.read_csv(StringIO(r.output))
    assert df["section"].iloc[-1] == "total" and "XVI" in set(df["section"])
    assert df["lines"].iloc[-1] == df["lines"].iloc[:-1].sum()
    r = runner.invoke(app, ["tariffs", "us-china-tariffs-2025", "--lines"])
    assert r.exit_code == 2 and "--lines needs --date" in r.output


def test_smart_linear_check_flags_cells_out_of_range():
    mk = _market([[100, 300], [50, 50]])
    # 10 %: linear TC_CHN = 100 * -2 * 0.1 = -20, in range; 150 %: -2 * 1.5 = -3 times the base, out of range
    small = lp.smart_check(lp.solve_lines(dt.date(2025, 3, 1), dt.date(2025, 1, 1), _schedule(10.0), mk, ELAST))
    assert small["cells_outside"] == 0 and small["lines_in_range"] == 2 and small["cells"] == 4
    big = lp.smart_check(lp.solve_lines(dt.date(2025, 3, 1), dt.date(2025, 1, 1), _schedule(150.0), mk, ELAST))
    assert big["cells_outside"] == 2 and big["lines_in_range"] == 0
    assert big["share_outside"] == pytest.approx(150 / 500)
    assert big["linear_change"] == 0.0 and big["nonlinear_change"] == 0.0  # nothing summed when no line is in range


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--weights", "2017"], "2024 US weights only"),
        (["--series"], "use --lines alone"),
        (["--published"], "use --lines alone"),
        (["--date", "2025-02-30"], "--date"),
    ],
)
def test_cli_lines_refuses_conflicting_flags(extra, message):
    args = ["tariffs", "us-china-tariffs-2025", "--lines", *(["--date", "2025-04-12"] if "--date" not in extra else [])]
    r = runner.invoke(app, args + extra)
    assert r.exit_code == 2 and message in r.output and "Traceback" not in r.output
