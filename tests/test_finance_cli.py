"""`chokepoints finance SCENARIO.yaml`: tables, the report, and one-line errors with exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from chokepoints.cli import app

runner = CliRunner()
EXAMPLE = Path(__file__).resolve().parents[1] / "scenarios" / "cn-treasury-sale-hypothetical.yaml"

GOOD = """\
name: cli-sale
start: 2026-01-01
horizon_days: 1826
runs: 4
seed: 7
events:
  - type: treasury_sale
    id: s
    on: 2026-01-01
    holder: CHN
    amount_bn: 200
    months: 6
"""


def test_example_scenario_prints_tables_and_writes_report(tmp_path):
    res = runner.invoke(
        app,
        ["finance", str(EXAMPLE), "--out", str(tmp_path), "--runs", "20"],
        env={"COLUMNS": "200"},
    )
    assert res.exit_code == 0, res.output
    out = res.output
    # the Nov 2013 -> Nov 2025 decline from the bundled series, with its sources
    assert "2013-11" in out and "1,316.7" in out and "2025-11" in out and "682.6" in out and "-634.1" in out
    assert "-48.2" in out and "tic_mfh_hist; newsbytes2026" in out
    # which study gives which end of the band
    assert "low end imf2017" in out and "high end bkmt2013_short" in out
    assert "moved into gold" in out and "threat: cost to USA" in out
    report = tmp_path / "finance.html"
    html = report.read_text(encoding="utf-8")
    for title in (
        "Holdings path",
        "Yield change",
        "US interest cost",
        "Threat in a negotiation",
        "Assumptions, offsets and sources",
    ):
        assert title in html
    assert "1,316.7" in html and "682.6" in html and "-634.1" in html  # exact, not rounded
    assert "IMF Working Paper 17/174" in html and "Beltran, Kretchmer, Marquez" in html
    assert html.count("class='figure'") >= 3 and "chokepoints-provenance" in html


def test_default_output_folder(tmp_path, monkeypatch):
    path = tmp_path / "cli-sale.yaml"
    path.write_text(GOOD)
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, ["finance", str(path)])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "out" / "cli-sale" / "finance.html").is_file()


@pytest.mark.parametrize(
    "old,new,expected",
    [
        (
            "amount_bn: 200",
            "amount_bn: -200",
            "field 'events[0].amount_bn': Input should be greater than 0",
        ),
        (
            "months: 6",
            "months: 0",
            "field 'events[0].months': Input should be greater than or equal to 1",
        ),
        ("holder: CHN", "holder: ATLANTIS", "field 'events[0].holder': unknown holder 'ATLANTIS'"),
    ],
)
def test_bad_input_one_line_exit_2(tmp_path, old, new, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD.replace(old, new))
    res = runner.invoke(app, ["finance", str(path), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1, res.output
    assert lines[0].startswith("error: ") and str(path) in lines[0] and expected in lines[0]
    assert "Traceback" not in res.output
    assert not (tmp_path / "o").exists()


def test_missing_file_exit_2(tmp_path):
    res = runner.invoke(app, ["finance", str(tmp_path / "nope.yaml")])
    assert res.exit_code == 2 and "Traceback" not in res.output
