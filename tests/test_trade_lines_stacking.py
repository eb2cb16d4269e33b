"""Variant stacking rules ('!ROW' exceptions, --stacking), the 2024 MFN of lines under Section 232, and the
2018-19 Section 301 lists of lines that a 2024 increase moved (USITC 2020 table)."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from chokepoints.cli import app
from chokepoints.errors import InputError
from chokepoints.trade import lines as tl

REPO = Path(__file__).resolve().parents[1]
CODES = np.array(["1111111111", "2222222222", "3333333333"])
D = dt.date(2025, 6, 1)
runner = CliRunner()
HEAD = "layer,label,within,excluded_by,source,note\n"
OTHER = {"mfn": "line", "section_301": "latest", "section_232": "latest", "ieepa_fentanyl": "latest",
         "section_122": "additive", "counter": "additive"}  # fmt: skip


def _rules_file(tmp_path: Path, reciprocal_excluded_by: str) -> Path:
    body = "".join(f"{k},{k},{w},,,\n" for k, w in OTHER.items())
    p = tmp_path / "stacking.csv"
    p.write_text(HEAD + body + f"ieepa_reciprocal,r,additive,{reciprocal_excluded_by},,\n")
    return p


def _row(id, layer, rate, products=("*",), on=dt.date(2025, 1, 1)):
    return tl.LineRow(id, "USA", ("CHN",), tuple(products), layer, "add", rate, on, None)


def _sched() -> tl.LineSchedule:
    # line 1 under the steel duty, line 2 under the parts duty (a later row replaces the steel one), line 3 neither
    rows = [_row("steel", "section_232", 25, ("hs:1", "hs:2")), _row("parts", "section_232", 25, ("hs:2",),
            dt.date(2025, 5, 3)), _row("recip", "ieepa_reciprocal", 125)]  # fmt: skip
    return tl.LineSchedule(rows, tl.read_line_rules(tl.lines_dir() / "stacking.csv"), {})


def test_an_excepted_row_lets_the_layer_stack(tmp_path):
    k232, krec = tl.LINE_LAYERS.index("section_232"), tl.LINE_LAYERS.index("ieepa_reciprocal")
    law = _sched()
    r = law.rates(D, "USA", "CHN", CODES)
    assert r[k232].tolist() == [25, 25, 0] and r[krec].tolist() == [0, 0, 125]  # EO 14257 sec. 3(b)
    variant = law.with_stacking(_rules_file(tmp_path, "section_232;!parts"))
    r = variant.rates(D, "USA", "CHN", CODES)
    # the parts line pays 25 + 125; the steel line is still blocked; totals by hand: 25, 150, 125
    assert r[krec].tolist() == [0, 125, 125] and r.sum(axis=0).tolist() == [25, 150, 125]
    # before the parts row, line 2 is under the steel row, which blocks
    assert variant.rates(dt.date(2025, 4, 1), "USA", "CHN", CODES)[krec].tolist() == [0, 0, 125]
    assert variant.name.endswith("stacking stacking.csv")
    # excepting a row of a layer the rule does not name is an error; so is a bare '!'
    with pytest.raises(InputError, match="no row of that id in layer"):
        law.with_stacking(_rules_file(tmp_path, "section_232;!recip"))
    with pytest.raises(InputError, match="give the layer too"):
        tl.read_line_rules(_rules_file(tmp_path, "!parts"))


def test_explain_names_the_excepted_row(tmp_path):
    s = tl.LineSchedule.bundled(stacking="auto-parts-on-reciprocal")
    tab = s.explain("8708103020", D)
    rec = tab[(tab["layer"] == "ieepa_reciprocal") & (tab["action"] == "add")]
    assert len(rec) and rec["applied"].all() and rec["reason"].str.startswith("on top of us_s232_auto_parts").all()
    law = tl.LineSchedule.bundled().explain("8708103020", D)
    rec = law[law["layer"] == "ieepa_reciprocal"]
    assert not rec["applied"].any()  # the Geneva suspension row too: nothing to take off a layer that is off
    assert (rec["reason"] == "layer does not apply to goods under section_232").all()


def test_the_bundled_variant_differs_from_the_law_only_on_auto_parts():
    law, var = tl.LineSchedule.bundled(), tl.LineSchedule.bundled(stacking="auto-parts-on-reciprocal")
    assert tl.stacking_variants() == ["auto-parts-on-reciprocal"]

    def what(s):  # the rules themselves, not their labels and notes
        return {k: (r.within, r.excluded_by, r.except_rows) for k, r in s.rules.items()}

    assert what(var) == {**what(law), "ieepa_reciprocal": ("additive", ("section_232",), ("us_s232_auto_parts",))}
    b = tl.line_book("USA", "CHN")
    a, v = law.rates(D, "USA", "CHN", b.codes, b.mfn), var.rates(D, "USA", "CHN", b.codes, b.mfn)
    moved = np.flatnonzero(~np.isclose(a.sum(axis=0), v.sum(axis=0)))
    parts = law._mask(next(r for r in law.rows if r.id == "us_s232_auto_parts"), b.codes)
    assert len(moved) > 50 and parts[moved].all()  # only lines of the parts list move, and only upwards
    assert (v.sum(axis=0) >= a.sum(axis=0) - 1e-9).all()


def test_stacking_flag_errors_and_use():
    bad = runner.invoke(app, ["tariffs", "us-china-tariffs-2025", "--series", "--stacking", "nope"])
    assert bad.exit_code == 2 and "--stacking: expected a bundled variant" in bad.output
    alone = runner.invoke(app, ["tariffs", "us-china-tariffs-2025", "--stacking", "auto-parts-on-reciprocal"])
    assert alone.exit_code == 2 and "use it with --series" in alone.output
    ok = runner.invoke(app, ["tariffs", "us-china-tariffs-2025", "--published", "--format", "csv", "--stacking",
                             "auto-parts-on-reciprocal"])  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert "ours_pct" in ok.output.splitlines()[0]


def test_a_bad_stacking_file_is_located(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text(HEAD + "ieepa_reciprocal,r,sometimes,,,\n")
    res = runner.invoke(app, ["tariffs", "us-china-tariffs-2025", "--series", "--stacking", str(p)])
    assert res.exit_code == 2 and "s.csv" in res.output and "within" in res.output
    assert "Traceback" not in res.output


# ---------------------------------------------------------------------------------------------------------
# the 2024 MFN of lines under Section 232, and the 2018-19 lists
# ---------------------------------------------------------------------------------------------------------
def _builder():
    spec = importlib.util.spec_from_file_location("build_tariff_lines", REPO / "scripts" / "build_tariff_lines.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_mfn_under_232_by_hand():
    b = _builder()
    w = pd.DataFrame({"hts10": ["7209280000"] * 3 + ["8708103020"] * 3,
                      "partner": ["EU", "IND", "CHN", "JPN", "TWN", "CHN"],
                      "imports_usd": [100.0, 100.0, 100.0, 100.0, 100.0, 100.0],
                      "duty_usd": [12.0, 25.0, 32.5, 2.5, 27.5, 37.5]})  # fmt: skip
    codes = pd.Series(["7209280000", "8708103020"])
    s301 = pd.Series({"72092800": 0.075, "87081030": 0.25})
    got = b.mfn_under_232(w, codes, pd.Series([0.25, 0.10]), s301)  # fractions of the value
    # steel line: EU .12 (part over quota, an upper bound), India .25 - .25 = 0, China .325 - .075 - .25 = 0 -> 0
    # stampings (rate .10): Japan .025 (below .10: a bound), Taiwan .275 - .10, China .375 - .25 - .10 -> .025
    assert got.tolist() == pytest.approx([0.0, 0.025])


def test_bundled_mfn_of_steel_lines_is_not_the_232_duty():
    lines = pd.read_csv(tl.lines_dir() / "lines.csv.gz", dtype={"hts10": str}).set_index("hts10")
    s = lines[lines["mfn_basis"] == "s232_2024_min"]
    assert len(s) > 700 and s["mfn_pct"].median() == 0.0 and (s["mfn_pct"] > 6).sum() <= 15
    assert lines.loc["7209280000", "mfn_pct"] == 0.0  # was 32.5 less the Section 301 rate: the 232 duty
    assert lines.loc["8708103020", "mfn_pct"] == pytest.approx(2.5, abs=0.01)  # statutory 2.5 % (was 27.4)


def test_lines_moved_in_2024_keep_their_2018_19_list():
    usitc = pd.read_csv(REPO / "data" / "tariffs" / "usitc-2020" / "china_tariffs_2020.csv", dtype=str)
    assert len(usitc) == 10697 and set(usitc["heading"]) == set(_builder().USITC_HEADINGS)
    s = tl.LineSchedule.bundled()
    assert "72092800" in s.measures["s301_4A"] and "72092800" in s.measures["s301_biden_25"]
    k = tl.LINE_LAYERS.index("section_301")
    one = np.array(["7209280000"])
    assert s.rates(dt.date(2024, 1, 1), "USA", "CHN", one)[k].tolist() == [7.5]  # list 4A
    assert s.rates(dt.date(2024, 10, 1), "USA", "CHN", one)[k].tolist() == [25.0]  # 9903.91.01 replaces it


def test_the_2024_duty_check_after_both_fixes():
    from chokepoints.trade.lines_compare import calculated_duty_check

    chk = calculated_duty_check(tl.LineSchedule.bundled())
    assert abs(chk["schedule_rate_pct"] - chk["census_rate_pct"]) < 0.05  # 10.86 against 10.87


def test_s232_rate_2024_longest_prefix_wins():
    b = _builder()
    meas = [pd.DataFrame({"measure": "s232_steel_base", "code": ["7209", "7317"]}),
            pd.DataFrame({"measure": "s232_alu_base", "code": ["7601"]})]  # fmt: skip
    codes = pd.Series(["7209280000", "7601100000", "7317003000", "8708103020", "8708106050", "9999999999"])
    # 7317.00.30 is under the steel base prefix 7317 here and the 2020 derivative 7317003 (25 % either way);
    # the stampings take the derivative rate (10 %: the lower of steel and aluminium); 8708.10.60 is not listed
    assert b.s232_rate_2024(codes, meas).tolist() == [0.25, 0.10, 0.25, 0.10, 0.0, 0.0]


def test_every_source_id_of_the_line_bundle_has_a_row():
    src = set(tl.load_line_sources()["source_id"])
    files = [tl.lines_dir() / "layers.csv", tl.lines_dir() / "published.csv", tl.lines_dir() / "stacking.csv",
             *sorted((tl.lines_dir() / "stacking_variants").glob("*.csv"))]  # fmt: skip
    used = set()
    for f in files:
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
        used |= {x for cell in df["source"] for x in cell.split(";") if x}
    assert {"usitc_china_tariffs_2020", "asm_stacking_auto_parts"} <= used
    assert used - src == set()
