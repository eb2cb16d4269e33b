"""US tariffs on partners other than China: all-in floors, per-line shares (metal content, USMCA), partial
stacking of a derivative's non-metal content, the partners' series and the Budget Lab country rows."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from chokepoints.cli import app
from chokepoints.errors import InputError
from chokepoints.trade import lines as tl
from chokepoints.trade import lines_compare as tlc

CODES = np.array(["1111111111", "2222222222"])
D = dt.date(2025, 9, 1)
ENV = {"COLUMNS": "220"}
runner = CliRunner()


def _row(id, layer, rate, action="add", scale="", exporters=("VNM",), products=("*",), on=dt.date(2025, 1, 1)):
    return tl.LineRow(id, "USA", tuple(exporters), tuple(products), layer, action, rate, on, None, scale=scale)


def _sched(rows, shares=None):
    rules = tl.read_line_rules(tl.lines_dir() / "stacking.csv")
    return tl.LineSchedule(rows, rules, {}, shares=shares or {})


def test_floor_is_the_points_above_the_line_mfn():
    # 15 % all-in: a line with MFN 2.5 pays 12.5 points, one with MFN 20 pays nothing more
    s = _sched([_row("eu", "ieepa_reciprocal", 15, action="floor", exporters=("EU",))])
    r = s.rates(D, "USA", "EU", CODES, np.array([2.5, 20.0]))
    k = tl.LINE_LAYERS.index("ieepa_reciprocal")
    assert r[k].tolist() == pytest.approx([12.5, 0.0])
    assert r.sum(axis=0).tolist() == pytest.approx([15.0, 20.0])
    with pytest.raises(InputError, match="floor row needs a rate > 0"):
        _rows_from_csv("x,USA,EU,*,ieepa_reciprocal,floor,0,2025-01-01,,src,note,")


def test_a_scaled_derivative_duty_and_the_reciprocal_on_its_non_metal_content():
    # a derivative line with 20 % metal: 50 % on the metal = 10 points; the reciprocal (20 %) does not apply to
    # goods under 232, but only on their metal content: 20 x 0.8 = 16 points (hand-worked)
    shares = {"metal_steel": ({"1111111111": 0.2}, 0.5)}
    rows = [_row("d", "section_232", 50, scale="metal_steel"), _row("r", "ieepa_reciprocal", 20)]
    r = _sched(rows, shares).rates(D, "USA", "VNM", CODES, np.zeros(2))
    k232, krec = tl.LINE_LAYERS.index("section_232"), tl.LINE_LAYERS.index("ieepa_reciprocal")
    assert r[k232].tolist() == pytest.approx([10.0, 25.0])  # second line: the table's default share 0.5
    assert r[krec].tolist() == pytest.approx([16.0, 10.0])
    # an unscaled 232 row still blocks the reciprocal on the whole line
    r = _sched([_row("b", "section_232", 25), _row("r", "ieepa_reciprocal", 20)]).rates(D, "USA", "VNM", CODES)
    assert r[krec].tolist() == [0.0, 0.0]


def test_a_scaled_exclusion_exempts_each_line_by_its_own_share():
    # USMCA: 60 % of the first line's trade claims the agreement, none of the second: 35 % x 0.4 and 35 %
    shares = {"usmca_CAN": ({"1111111111": 0.6}, 0.0)}
    usmca = _row("u", "ieepa_fentanyl", 100, action="exclude_share", scale="usmca_CAN", exporters=("CAN",))
    rows = [_row("f", "ieepa_fentanyl", 35, exporters=("CAN",)), usmca]
    r = _sched(rows, shares).rates(D, "USA", "CAN", CODES)
    assert r[tl.LINE_LAYERS.index("ieepa_fentanyl")].tolist() == pytest.approx([14.0, 35.0])


def _rows_from_csv(line, tmp=None):
    import tempfile
    from pathlib import Path

    head = "id,importer,exporter,products,layer,action,rate,on,until,source,note,scale\n"
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "layers.csv"
        p.write_text(head + line + "\n")
        return tl.read_line_rows(p, {}, ("metal_steel",))


def test_scale_column_is_checked():
    assert _rows_from_csv("x,USA,VNM,*,section_232,add,50,2025-01-01,,s,n,metal_steel")[0].scale == "metal_steel"
    with pytest.raises(InputError, match="unknown scale table 'metal_gold'"):
        _rows_from_csv("x,USA,VNM,*,section_232,add,50,2025-01-01,,s,n,metal_gold")
    with pytest.raises(InputError, match="a scale applies to add and exclude_share rows"):
        _rows_from_csv("x,USA,VNM,*,section_232,suspend,5,2025-01-01,,s,n,metal_steel")


def test_bundled_share_tables():
    t = pd.read_csv(tl.lines_dir() / "line_shares.csv.gz", dtype={"code": str})
    assert set(t["table"]) == {"metal_steel", "metal_aluminum", "metal_copper", "usmca_CAN", "usmca_MEX"}
    assert t["value"].between(0, 1).all()
    steel = t[(t["table"] == "metal_steel") & t["code"].str[:2].isin(["72", "73", "76"])]
    assert len(steel) > 1000 and (steel["value"] == 1.0).all()  # the base metal chapters are metal
    copper = t[(t["table"] == "metal_copper") & t["code"].str.startswith("74")]
    assert (copper["value"] == 1.0).all()
    bea, flat = tl.LineSchedule.bundled("bea"), tl.LineSchedule.bundled("flat")
    assert flat.shares["metal_steel"][1] == 0.5 and all(v == 1.0 for v in flat.shares["metal_steel"][0].values())
    assert len(bea.shares["metal_steel"][0]) > len(flat.shares["metal_steel"][0])
    with pytest.raises(InputError, match="expected flat or bea"):
        tl.LineSchedule.bundled("gold")


def test_partner_rates_on_the_bundled_schedule():
    s = tl.LineSchedule.bundled()
    b = tl.line_book("USA", "VNM")
    k = tl.LINE_LAYERS.index("ieepa_reciprocal")
    rec = {d: s.rates(d, "USA", "VNM", b.codes, b.mfn)[k] for d in (dt.date(2025, 1, 1), dt.date(2025, 6, 1), D)}
    assert rec[dt.date(2025, 1, 1)].max() == 0  # nothing before 2025-04-05
    # the baseline: 10, 0 where exempt or under 232, 5 on a derivative's non-metal half (flat metal content)
    assert set(np.unique(rec[dt.date(2025, 6, 1)])) == {0.0, 5.0, 10.0}
    assert rec[D].max() == 20  # Vietnam 20 % from 2025-08-07
    # the EU's all-in 15 %: a non-exempt line with MFN m pays max(0, 15 - m) reciprocal points
    e = tl.line_book("USA", "EU")
    r = s.rates(D, "USA", "EU", e.codes, e.mfn)
    free = (r[tl.LINE_LAYERS.index("section_232")] == 0) & (r[k] > 0)
    assert np.allclose(r[k][free], np.maximum(15 - e.mfn[free], 0))
    # Canada and Mexico: no reciprocal duty; the MFN layer is the 2024 duty actually paid (USMCA)
    c = tl.line_book("USA", "CAN")
    assert s.rates(D, "USA", "CAN", c.codes, c.mfn)[k].max() == 0
    assert c.mfn @ c.weights / c.weights.sum() == pytest.approx(100 * c.duty.sum() / c.weights.sum())


def test_series_all_partners_weights_each_partner_by_its_imports():
    d = [dt.date(2025, 9, 1)]
    df = tl.series_all_partners(None, d)
    per = df[df["exporter"] != "ALL"].set_index("exporter")
    tot = {p: tl.line_book("USA", p).weights.sum() for p in per.index}
    want = sum(per.loc[p, "average_rate_pct"] * tot[p] for p in per.index) / sum(tot.values())
    assert df.loc[df["exporter"] == "ALL", "average_rate_pct"].iloc[0] == pytest.approx(want)
    assert len(per) == 14 and per["average_rate_pct"].idxmax() == "CHN"


def test_budget_lab_country_rows_and_cli():
    c = tlc.compare_published()
    bl = c[(c["source"] == "bl_etr_comparison_2026_03") & (c["exporter"] != "CHN")]
    assert set(bl["exporter"]) == {"CAN", "MEX", "JPN", "EU"} and len(bl) == 24
    res = runner.invoke(app, ["tariffs", "us-china-tariffs-2025", "--series", "--partners", "--format", "csv"])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(io.StringIO(res.output))
    assert {"ALL", "CHN", "VNM", "EU"} <= set(df["exporter"])
    res = runner.invoke(app, ["tariffs", "us-china-tariffs-2025", "--series", "--partners"], env=ENV)
    assert res.exit_code == 0 and "US tariffs by partner" in res.output
    for args, msg in ((["--partners"], "use it with --series"), (["--series", "--partners", "--weights", "2017"],
                                                                 "2024 weights only")):  # fmt: skip
        res = runner.invoke(app, ["tariffs", "us-china-tariffs-2025", *args])
        assert res.exit_code == 2 and msg in res.output and "Traceback" not in res.output
    res = runner.invoke(app, ["tariffs", "us-china-tariffs-2025", "--series", "--metal-content", "bea", "--format",
                              "csv"])  # fmt: skip
    assert res.exit_code == 0
    res = runner.invoke(app, ["tariffs", "us-china-tariffs-2025", "--metal-content", "bea"])
    assert res.exit_code == 2 and "use it with --series, --published, --explain or --lines" in res.output
    # the PE takes the metal content too: with BEA shares China's April 2025 rate is higher (less 232 duty on
    # derivatives, more reciprocal duty on their non-metal content)
    rates = {}
    for metal in ("flat", "bea"):
        res = runner.invoke(app, ["tariffs", "us-china-tariffs-2025", "--lines", "--date", "2025-04-12",
                                  "--metal-content", metal, "--format", "csv"])  # fmt: skip
        assert res.exit_code == 0, res.output
        rates[metal] = pd.read_csv(io.StringIO(res.output)).set_index("section").loc["total", "avg_rate_CHN_new"]
    assert rates["bea"] > rates["flat"]


def test_explain_names_the_share_a_scaled_row_pays_on():
    s = tl.LineSchedule.bundled()
    book = tl.line_book("USA", "CHN")
    steel, alu = s.measures["s232_deriv_steel_2025-08-18"], s.measures["s232_deriv_aluminum_2025-08-18"]
    code = next(c for c in book.codes if c.startswith(steel) and not c.startswith(alu))
    t = s.explain(code, dt.date(2025, 9, 1))
    row = t[t["row"] == "us_s232_deriv_aug"].iloc[0]
    assert row["applied"] and "on 50 % of the line's value (share table metal_steel)" in row["reason"]
    # the total is the sum of the layer rates, the 232 row counting half its rate (flat metal content)
    assert t.loc[t["layer"] == "total", "rate"].iloc[0] == pytest.approx(
        float(s.rates(dt.date(2025, 9, 1), "USA", "CHN", np.array([code]), book.mfn[book.codes == code]).sum())
    )
