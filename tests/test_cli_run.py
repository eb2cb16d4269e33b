"""CLI tests with Typer's CliRunner: run, validate, bad input (exit 2, one line, no traceback)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import chain_world
from typer.testing import CliRunner

from chokepoints.cli import app
from chokepoints.world.io import write_world

runner = CliRunner()

SCENARIO = """\
name: chain-licence
description: Licensing of ore exports to the USA
world: ./chain
start: 2025-04-04
horizon_days: 40
runs: 6
seed: 3
engine:
  psi_param: 0.5
key_users:
  - {region: USA, end_use: automotive}
uncertain:
  - parameter: events.lic.approval_rate
    distribution: triangular
    low: 0.1
    mode: 0.25
    high: 0.6
  - parameter: world.inventories.days_of_cover
    where: {holder: "USA.*"}
    distribution: uniform
    low: 5
    high: 20
events:
  - type: export_control
    id: lic
    on: 2025-04-04
    exporter: CHN
    products: [ore]
    destinations: [USA]
    mode: licence
    review_days: 10
    approval_rate: 0.25
"""


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    write_world(chain_world(), tmp_path / "chain")
    path = tmp_path / "chain-licence.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


def _one_line_error(result, *needles: str) -> None:
    assert result.exit_code == 2, result.output
    text = result.output.strip()
    assert "Traceback" not in text
    for needle in needles:
        assert needle in text, text


def test_run_writes_report_and_prints_summary(scenario_file: Path, tmp_path: Path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(scenario_file), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "USA" in result.output and "automotive" in result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Plotly" in html and "<script src=" not in html  # plotly.js embedded: opens offline
    assert "Time to shortfall" in html and "chain-licence" in html


def test_validate_ok(scenario_file: Path):
    result = runner.invoke(app, ["validate", str(scenario_file)])
    assert result.exit_code == 0, result.output
    assert "ok" in result.output


@pytest.mark.parametrize(
    ("old", "new", "needles"),
    [
        ("on: 2025-04-04\n    exporter", "on: 2025-02-30\n    exporter", ["chain-licence.yaml:26:9", "events[0].on"]),
        ("products: [ore]", "products: [unobtainium]", ["chain-licence.yaml:28:16", "unknown product"]),
        (
            "approval_rate: 0.25",
            "approval_rate: 1.5",
            ["chain-licence.yaml:32:20", "approval_rate", "less than or equal"],
        ),
        ("destinations: [USA]", "destinations: [USA", ["chain-licence.yaml", "YAML syntax error"]),
        ("low: 0.1", "low: 0.9", ["uncertain[0]", "bounds reversed"]),
        ("events.lic.approval_rate", "events.nope.approval_rate", ["uncertain[0].parameter", "no event with id"]),
    ],
)
def test_bad_scenarios_get_one_line_errors(scenario_file: Path, old: str, new: str, needles: list[str]):
    text = scenario_file.read_text().replace(old, new, 1)
    assert text != scenario_file.read_text()
    scenario_file.write_text(text)
    for cmd in ("validate", "run"):
        result = runner.invoke(app, [cmd, str(scenario_file)])
        _one_line_error(result, *needles)


def test_world_shares_not_summing_to_one_names_file_row_column(scenario_file: Path):
    links = scenario_file.parent / "chain" / "supply_links.csv"
    lines = links.read_text().splitlines()
    lines[2] = lines[2].replace(",1.0,", ",0.7,")
    links.write_text("\n".join(lines) + "\n")
    result = runner.invoke(app, ["validate", str(scenario_file)])
    _one_line_error(result, "supply_links.csv", "row 2", "column 'share'", "sum to 0.7")


def test_failed_run_keeps_previous_report(scenario_file: Path, tmp_path: Path):
    out = tmp_path / "out"
    assert runner.invoke(app, ["run", str(scenario_file), "--out", str(out)]).exit_code == 0
    before = (out / "report.html").read_bytes()
    scenario_file.write_text(scenario_file.read_text().replace("approval_rate: 0.25", "approval_rate: 7"))
    assert runner.invoke(app, ["run", str(scenario_file), "--out", str(out)]).exit_code == 2
    assert (out / "report.html").read_bytes() == before


def test_missing_file_and_debug_traceback(tmp_path: Path):
    result = runner.invoke(app, ["run", str(tmp_path / "nope.yaml")])
    _one_line_error(result, "nope.yaml", "file not found")
    result = runner.invoke(app, ["--debug", "run", str(tmp_path / "nope.yaml")])
    assert result.exit_code != 0 and result.exception is not None


def test_python_dash_m_help():
    proc = subprocess.run([sys.executable, "-m", "chokepoints", "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert "run" in proc.stdout and "validate" in proc.stdout
