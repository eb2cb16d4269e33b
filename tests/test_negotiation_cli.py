"""`chokepoints negotiate`: the bundled example, agenda exclusion, and one-line errors (exit 2)."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
import yaml
from conftest import chain_world
from test_negotiation_domain import LIC, TINY
from typer.testing import CliRunner

from chokepoints.cli import app
from chokepoints.world.io import write_world

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "scenarios" / "us-china-talks-2025.yaml"
runner = CliRunner()


def test_example_prints_package_utilities_batna_and_writes_report(tmp_path: Path):
    result = runner.invoke(
        app,
        ["negotiate", str(EXAMPLE), "--exclude", "export_controls,chips", "--out", str(tmp_path)],
    )
    assert result.exit_code == 0, (repr(result.exception), result.output[-2000:])
    out = result.output
    assert "Predicted package (Busan" in out
    assert re.search(r"USA: utility \d\.\d{3}, BATNA \d\.\d{3}", out), out
    assert re.search(r"CHN: utility \d\.\d{3}, BATNA \d\.\d{3}", out), out
    assert "Without chip_controls on the table" in out
    html = (tmp_path / "negotiation.html").read_text(encoding="utf-8")
    for heading in (
        "Predicted deals and actual outcomes",
        "Agenda: keeping chip_controls off the table",
        "Round: Geneva",
        "Round: London",
        "Escalation: October",
        "Round: Busan",
        "Pareto frontier",
        "Method, issues and factions",
    ):
        assert heading in html, heading
    assert "<script src=" not in html
    prov = json.loads(re.search(r"id='chokepoints-provenance'>(.*?)</script>", html).group(1))
    assert prov["dataset"] == "rare-earths-2025" and prov["seed"] == 20250512 and prov["scenario_hash"]


def _write(tmp_path: Path, spec: dict, scenario_events: list | None = None) -> Path:
    write_world(chain_world(), tmp_path / "chain")
    sc = {
        "name": "tiny",
        "world": "./chain",
        "start": "2025-04-04",
        "horizon_days": 60,
        "engine": {"psi_param": 0.5},
        "events": scenario_events or [LIC],
    }
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(sc, sort_keys=False), encoding="utf-8")
    (tmp_path / "tiny.negotiation.yaml").write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def _one_line_error(result, *needles: str) -> None:
    assert result.exit_code == 2, result.output
    text = result.output.strip()
    assert "Traceback" not in text
    assert len(text.splitlines()) == 1, text
    for needle in needles:
        assert needle in text, text


def test_tiny_negotiation_runs(tmp_path: Path):
    path = _write(tmp_path, TINY)
    result = runner.invoke(app, ["negotiate", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, (repr(result.exception), result.output)
    assert (tmp_path / "out" / "negotiation.html").is_file()


def test_weights_not_summing_to_one(tmp_path: Path):
    spec = copy.deepcopy(TINY)
    spec["parties"]["CHN"]["factions"]["leverage"]["weight"] = 0.3
    result = runner.invoke(app, ["negotiate", str(_write(tmp_path, spec))])
    _one_line_error(result, "tiny.negotiation.yaml:", "field 'parties.CHN.factions'", "sum to 1, got 0.9")


def test_issue_mapped_to_unknown_event_field(tmp_path: Path):
    spec = copy.deepcopy(TINY)
    spec["issues"][0]["targets"][0]["field"] = "aproval_rate"
    result = runner.invoke(app, ["negotiate", str(_write(tmp_path, spec))])
    _one_line_error(result, "field 'issues[0].targets[0].field'", "unknown field 'aproval_rate'")


def test_empty_agenda(tmp_path: Path):
    spec = copy.deepcopy(TINY)
    spec["issues"] = []
    spec["rounds"][0].pop("actual")
    result = runner.invoke(app, ["negotiate", str(_write(tmp_path, spec))])
    _one_line_error(result, "field 'issues'", "agenda is empty")


@pytest.mark.parametrize(
    "exclude,needle",
    [
        ("approval,tariff", "leaves the agenda empty"),
        ("nonsense", "unknown issue or topic 'nonsense'"),
    ],
)
def test_bad_exclude(tmp_path: Path, exclude: str, needle: str):
    result = runner.invoke(app, ["negotiate", str(_write(tmp_path, TINY)), "--exclude", exclude])
    _one_line_error(result, "field 'exclude'", needle)


def test_missing_spec(tmp_path: Path):
    path = _write(tmp_path, TINY)
    (tmp_path / "tiny.negotiation.yaml").unlink()
    result = runner.invoke(app, ["negotiate", str(path)])
    _one_line_error(result, "no negotiation spec for tiny.yaml")
