"""Weights for the line schedule: the bundled world weights, weights from a file, and the published comparison."""

from __future__ import annotations

import datetime as dt
import io
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
from chokepoints.trade import lines_weights as tlw

ROOT = Path(__file__).resolve().parents[1]
ENV = {"COLUMNS": "220"}
runner = CliRunner()


def _book(codes, weights):
    return tl.LineBook("USA", "CHN", np.array(codes), np.array(weights, dtype=float), np.zeros(len(codes)),
                       np.full(len(codes), "test"), "world")  # fmt: skip


def _values(pairs):
    return pd.DataFrame({"code": [c for c, _ in pairs], "value_usd": [float(v) for _, v in pairs]})


def test_world_weights_sum_the_partner_files_and_contain_every_bundled_partner():
    w = tl.us_weights("world")
    raw = pd.read_csv(ROOT / "data" / "tariffs" / "census-2024" / "imports_world.csv.gz", dtype={"hts10": str})
    # the 50 Census partner files of the collection (the EU as one; Slovakia's file left out as a member)
    assert w["imports_usd"].sum() == raw["imports"].sum() == pytest.approx(3208.820074e9, rel=1e-9)
    assert set(w["partner"]) == {"WLD"}
    # a line's world imports hold at least the 14 bundled partners' imports of it (their union is inside)
    p = tl.us_weights("2024").groupby("hts10")["imports_usd"].sum()
    world = w.set_index("hts10")["imports_usd"].reindex(p.index).fillna(0)
    assert (world >= p - 1).all()
    # the US rates on China weighted by world imports: a real series, labelled as such
    s = tl.series(None, [dt.date(2025, 6, 4)], [("USA", "CHN")], weights="world").iloc[0]
    assert s["weights"] == "US imports from the world 2024" and 40 < s["average_rate_pct"] < 60


def test_spread_hand_worked():
    # 8517: 100 over two lines weighted 1:3; 8542: 50 on one line of weight 0 (equal shares); 0101: 10 on one
    # line; 9999 has no line (reported, not spread)
    book = _book(["8517130000", "8517620090", "8542310000", "0101210000", "2709000000"], [1, 3, 0, 0, 7])
    new, summary = tlw.spread(_values([("8517", 100), ("8542", 50), ("0101", 10), ("9999", 5)]), book, "x")
    assert new.weights.tolist() == pytest.approx([25.0, 75.0, 50.0, 10.0, 0.0])
    assert summary == {"value_usd": 165.0, "spread_usd": 160.0, "lost_usd": 5.0, "lost_codes": 1.0}
    assert new.label == "x" and new.duty is None and tl._weights_label(new) == "x"
    # two zero-weight lines under one code share equally
    new, _ = tlw.spread(_values([("85", 10)]), _book(["8501000000", "8502000000"], [0, 0]), "x")
    assert new.weights.tolist() == pytest.approx([5.0, 5.0])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["01", "02", "03", "04"]), st.floats(0, 1e3)), min_size=1, max_size=12),
    st.dictionaries(st.sampled_from(["01", "02", "03", "05"]), st.floats(0, 1e9), min_size=1),
)
def test_spread_keeps_each_code_value_on_its_lines(lines, values):
    # property: every code's value lands in full on the lines under it; codes without lines are the loss
    codes = [f"{c}{i:08d}" for i, (c, _) in enumerate(lines)]
    book = _book(codes, [w for _, w in lines])
    v = _values(list(values.items()))
    if not any(c[:2] in values and values[c[:2]] > 0 for c in codes):
        with pytest.raises(InputError, match="no value lands"):
            tlw.spread(v, book, "x")
        return
    new, summary = tlw.spread(v, book, "x")
    for code, value in values.items():
        on = np.array([c.startswith(code) for c in codes])
        assert new.weights[on].sum() == pytest.approx(value if on.any() else 0.0, rel=1e-9, abs=1e-6)
    assert summary["spread_usd"] + summary["lost_usd"] == pytest.approx(summary["value_usd"], rel=1e-12)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("importer,exporter,code\nUSA,CHN,85\n", "missing column(s) value_usd"),
        ("importer,exporter,code,value_usd\nUSA,CHN,8x,5\n", "row 1, column 'code': expected a product code"),
        ("importer,exporter,code,value_usd\nUSA,CHN,85,-5\n", "row 1, column 'value_usd': expected a value"),
        ("importer,exporter,code,value_usd\nUSA,CHN,85,5\nUSA,CHN,8517,1\n", "code 8517 lies under code 85"),
        ("importer,exporter,code,value_usd\nUSA,CHN,85,5\nUSA,CHN,85,1\n", "code 85 appears twice"),
        ("importer,exporter,code,value_usd\nUSA,VNM,85,5\n", "no bundled lines for USA <- VNM"),
    ],
)
def test_bad_weights_files_are_located_errors(tmp_path, text, message):
    p = tmp_path / "w.csv"
    p.write_text(text)
    with pytest.raises(InputError) as exc:
        tlw.read_weights_file(p)
    assert message in str(exc.value) and str(p) in str(exc.value)
    with pytest.raises(InputError, match="not found"):
        tlw.read_weights_file(tmp_path / "none.csv")


def test_the_same_codes_in_two_directions_are_fine(tmp_path):
    p = tmp_path / "w.csv"
    p.write_text("importer,exporter,code,value_usd\nUSA,CHN,85,5\nCHN,USA,85,7\n")
    df = tlw.read_weights_file(p)
    assert len(df) == 2


def _file(tmp_path):
    # a tiny file in the format of scripts/make_world_export_weights.py: two chapters each way
    p = tmp_path / "world_exports.csv"
    p.write_text("importer,exporter,code,value_usd\nUSA,CHN,85,600\nUSA,CHN,61,400\nCHN,USA,12,300\nCHN,USA,88,700\n")
    return p


def test_compare_published_replaces_only_the_rows_weighted_by_world_exports(tmp_path):
    books, summary = tlw.books_from_file(_file(tmp_path))
    assert set(books) == {("USA", "CHN"), ("CHN", "USA")} and summary[("USA", "CHN")]["lost_usd"] == 0
    base, mine = tlc.compare_published(), tlc.compare_published(books=books)
    piie = mine["source"].str.startswith("piie")
    assert mine.loc[piie, "our_weights"].str.startswith("world_exports.csv").all()
    assert (mine.loc[~piie, "ours_pct"] == base.loc[~piie, "ours_pct"]).all()  # Budget Lab: 2024 Census kept
    # by hand: on 2018-09-24 the US side is the average of chapters 85 and 61 weighted 6:4
    s = tl.series(None, [dt.date(2018, 9, 24)], [("USA", "CHN")], weights="world").iloc[0]
    b = tl.line_book("USA", "CHN", "world")
    r = tl.LineSchedule.bundled().rates(dt.date(2018, 9, 24), "USA", "CHN", b.codes, b.mfn).sum(axis=0)
    under = {ch: np.char.startswith(b.codes.astype(str), ch) for ch in ("85", "61")}
    avg = {ch: np.average(r[m], weights=b.weights[m]) for ch, m in under.items()}
    want = 0.6 * avg["85"] + 0.4 * avg["61"]
    row = mine[(mine["importer"] == "USA") & (mine["date"] == dt.date(2018, 9, 24))].iloc[0]
    assert row["ours_pct"] == pytest.approx(want, abs=0.006) and s["average_rate_pct"] != pytest.approx(want)


def test_a_publisher_dating_a_change_otherwise_is_read_on_its_compare_date():
    c = tlc.compare_published()
    row = c[(c["importer"] == "USA") & (c["date"] == dt.date(2019, 6, 14))].iloc[0]
    assert row["our_date"] == dt.date(2019, 5, 9)  # list 3 still at 10 % (84 FR 20459: 25 % from 2019-05-10)
    s = tl.series(None, [dt.date(2019, 5, 9), dt.date(2019, 6, 14)], [("USA", "CHN")], weights="world")
    assert row["ours_pct"] == pytest.approx(s["average_rate_pct"].iloc[0], abs=0.006)
    assert s["average_rate_pct"].iloc[1] > s["average_rate_pct"].iloc[0] + 5


def test_cli_published_and_weights_file(tmp_path):
    f = _file(tmp_path)
    res = runner.invoke(app, ["tariffs", "us-china-tariffs-2025", "--published"], env=ENV)
    assert res.exit_code == 0, res.output
    assert "ours against the published series" in res.output and "within 2 points:" in res.output
    res = runner.invoke(app, ["tariffs", "us-china-tariffs-2025", "--published", "--format", "csv",
                              "--weights-file", str(f)])  # fmt: skip
    assert res.exit_code == 0, res.output
    df = pd.read_csv(io.StringIO(res.output))
    assert {"date", "ours_pct", "published_pct", "difference", "our_date", "our_weights"} <= set(df.columns)
    res = runner.invoke(app, ["tariffs", "us-china-tariffs-2025", "--series", "--weights", "world"], env=ENV)
    assert res.exit_code == 0 and "US imports from the world 2024" in " ".join(res.output.split())
    assert "no world weights are bundled" in " ".join(res.output.split())
    res = runner.invoke(app, ["tariffs", "us-china-tariffs-2025", "--series", "--weights-file", str(f)], env=ENV)
    assert res.exit_code == 0 and "world_exports.csv (spread over the world lines)" in " ".join(res.output.split())
    for args, msg in (
        (["--weights-file", str(f)], "use it with --series or --published"),
        (["--series", "--weights", "2017", "--weights-file", str(f)], "not both"),
        (["--series", "--weights-file", str(tmp_path / "none.csv")], "not found"),
    ):
        res = runner.invoke(app, ["tariffs", "us-china-tariffs-2025", *args])
        assert res.exit_code == 2 and res.output.startswith("error:") and msg in res.output, res.output
        assert "Traceback" not in res.output


def test_world_export_script_refuses_missing_input_and_existing_output(tmp_path):
    import subprocess
    import sys

    script = ROOT / "scripts" / "make_world_export_weights.py"
    out = tmp_path / "w.csv"
    r = subprocess.run([sys.executable, str(script), str(tmp_path / "none.rda"), "--out", str(out)],
                       capture_output=True, text=True)  # fmt: skip
    assert r.returncode == 2 and "no such file" in r.stderr
    rda = tmp_path / "x.rda"
    rda.write_bytes(b"")
    out.write_text("keep")
    r = subprocess.run([sys.executable, str(script), str(rda), "--out", str(out)], capture_output=True, text=True)
    assert r.returncode == 2 and "exists" in r.stderr and out.read_text() == "keep"
