"""`chokepoints tariffs SCENARIO.yaml [--date D] [--out DIR]`: tables, report, one-line errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chokepoints.cli import app

runner = CliRunner()
EXAMPLE = Path(__file__).resolve().parents[1] / "scenarios" / "us-china-tariffs-2025.yaml"
ENV = {"COLUMNS": "220"}

HEAD = """\
name: cli-tariffs
start: 2025-01-01
horizon_days: 365
events:
"""


def _scenario(tmp_path: Path, events: str) -> Path:
    p = tmp_path / "sc.yaml"
    p.write_text(HEAD + events, encoding="utf-8")
    return p


def _one_error_line(res) -> str:
    assert res.exit_code == 2, (res.exit_code, res.output)
    lines = [ln for ln in res.output.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, res.output
    assert lines[0].startswith("error:") and "Traceback" not in res.output
    return lines[0]


def test_example_prints_tables_and_writes_report(tmp_path):
    res = runner.invoke(app, ["tariffs", str(EXAMPLE), "--date", "2025-04-12", "--out", str(tmp_path)], env=ENV)
    assert res.exit_code == 0, res.output
    out = res.output
    assert "Tariff effects, USD million a year" in out
    assert re.search(r"2025-04-12\s+│\s+USA\s+│", out) and re.search(r"2025-04-12\s+│\s+CHN\s+│", out)
    for col in ("Δ CHN", "Δ VNM", "Δ MEX", "revenue", "buyer cost", "deadweight loss"):
        assert col in out
    assert re.search(r"USA\s+│\s+CHN\s+│\s+0\.0 → 145\.0", out)  # the rate traced to the bundled layers
    assert re.search(r"CHN\s+│\s+USA\s+│\s+0\.3 → 126\.2", out)  # 125 % (+3 % MFN and 10 % on soybeans)
    html = (tmp_path / "tariffs.html").read_text(encoding="utf-8")
    for heading in (
        "Tariff rates over time by layer",
        "Imports by partner before and after",
        "By HS section",
        "SMART linear check",
        "Rates in force on 2025-04-12 and their sources",
    ):
        assert heading in html
    assert html.count("plotly-graph-div") >= 4
    assert "https://www.mondaq.com" in html  # the sources of the rates in force
    prov = json.loads(re.search(r"id='chokepoints-provenance'>(.*?)</script>", html).group(1))
    assert prov["dataset"] == "us-china-2024" and prov["scenario_name"] == "us-china-tariffs-2025"
    assert prov["package_version"] and prov["scenario_hash"] and prov["seed"] == 0


def test_all_dates_and_default_output_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, ["tariffs", str(EXAMPLE)], env=ENV)
    assert res.exit_code == 0, res.output
    for day in (
        "2025-02-04",
        "2025-03-04",
        "2025-04-09",
        "2025-04-10",
        "2025-04-12",
        "2025-05-14",
        "2025-11-10",
    ):
        assert day in res.output
    assert "the date with the largest buyer cost" in res.output
    assert (tmp_path / "out" / "us-china-tariffs-2025" / "tariffs.html").is_file()


@pytest.mark.parametrize("bad", ["2025-13-01", "April 10", ""])
def test_bad_date_is_one_line_exit_2(tmp_path, bad):
    line = _one_error_line(runner.invoke(app, ["tariffs", str(EXAMPLE), "--date", bad, "--out", str(tmp_path)]))
    assert "--date" in line and "YYYY-MM-DD" in line


def test_date_before_the_base_is_refused(tmp_path):
    line = _one_error_line(
        runner.invoke(app, ["tariffs", str(EXAMPLE), "--date", "2024-12-01", "--out", str(tmp_path)])
    )
    assert "--date" in line and "base date 2025-01-01" in line


def test_negative_substitution_elasticity_names_the_field(tmp_path):
    p = _scenario(tmp_path, "  - type: trade_setup\n    on: 2025-01-01\n    sigma: -1.5\n")
    line = _one_error_line(runner.invoke(app, ["tariffs", str(p), "--out", str(tmp_path)]))
    assert "sc.yaml:7:12" in line and "events[0].sigma" in line and "greater than 0" in line


def test_positive_import_demand_elasticity_names_the_field(tmp_path):
    p = _scenario(tmp_path, "  - type: trade_setup\n    on: 2025-01-01\n    eta: 1.5\n")
    line = _one_error_line(runner.invoke(app, ["tariffs", str(p), "--out", str(tmp_path)]))
    assert "events[0].eta" in line and "less than 0" in line


def test_unknown_partner_names_the_field(tmp_path):
    p = _scenario(
        tmp_path,
        """\
  - type: tariff
    importer: USA
    exporter: [CHN, XYZ]
    layer: ieepa_reciprocal
    rate: 10
    on: 2025-06-01
""",
    )
    line = _one_error_line(runner.invoke(app, ["tariffs", str(p), "--out", str(tmp_path)]))
    assert "sc.yaml:7:21" in line and "events[0].exporter[1]" in line and "unknown partner 'XYZ'" in line


def test_forbidden_overlap_names_the_event(tmp_path):
    # a second fentanyl rate while the bundled 20 % (2025-03-04 .. 2025-11-10) is in force
    p = _scenario(
        tmp_path,
        """\
  - type: tariff
    id: more_fentanyl
    importer: USA
    exporter: CHN
    layer: ieepa_fentanyl
    rate: 25
    on: 2025-06-01
""",
    )
    line = _one_error_line(runner.invoke(app, ["tariffs", str(p), "--out", str(tmp_path)]))
    assert "sc.yaml:11:9" in line and "events[0].on" in line
    assert "ieepa_fentanyl" in line and "one rate at a time" in line and "us_fentanyl_20" in line


def test_selector_matching_nothing_and_unknown_layer(tmp_path):
    p = _scenario(
        tmp_path,
        """\
  - type: tariff
    importer: USA
    exporter: CHN
    products: [hs:9999]
    layer: section_301
    rate: 25
    on: 2025-06-01
""",
    )
    line = _one_error_line(runner.invoke(app, ["tariffs", str(p), "--out", str(tmp_path)]))
    assert "events[0].products[0]" in line and "matches no product line of USA" in line
    p = _scenario(
        tmp_path,
        """\
  - type: tariff
    importer: USA
    exporter: CHN
    layer: section_999
    on: 2025-06-01
""",
    )
    line = _one_error_line(runner.invoke(app, ["tariffs", str(p), "--out", str(tmp_path)]))
    assert "events[0].layer" in line


def test_added_tariff_event_changes_the_result(tmp_path):
    # the threatened extra 100 % from 2025-11-01 (policy_events: us_tariff.2025-10-10.threat_100pct)
    p = _scenario(
        tmp_path,
        """\
  - type: tariff
    id: threat
    importer: USA
    exporter: CHN
    layer: ieepa_reciprocal
    rate: 100
    on: 2025-11-01
""",
    )
    res = runner.invoke(app, ["tariffs", str(p), "--date", "2025-11-01", "--out", str(tmp_path)], env=ENV)
    assert res.exit_code == 0, res.output
    assert re.search(r"USA\s+│\s+CHN\s+│\s+0\.0 → 130\.0", res.output)  # 20 fentanyl + (34 - 24 + 100) reciprocal


def test_help_lists_the_command():
    res = runner.invoke(app, ["tariffs", "--help"], env=ENV)
    assert res.exit_code == 0 and "--date" in res.output and "--out" in res.output
