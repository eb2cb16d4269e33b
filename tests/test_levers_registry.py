"""The lever registry: every module found, one union, every event type documented and listed."""

from __future__ import annotations

import ast
from pathlib import Path

from typer.testing import CliRunner

import chokepoints.levers as levers
from chokepoints.cli import app
from chokepoints.scenario.events import EVENT_TYPES

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "src" / "chokepoints"


def test_every_lever_module_is_registered_and_types_are_unique():
    found = {p.stem for p in (PKG / "levers").glob("*.py") if not p.stem.startswith("_") and p.stem != "base"}
    assert found == set(levers.MODULES)
    assert len(set(levers.EVENT_TYPES)) == len(levers.EVENT_TYPES)
    assert EVENT_TYPES == levers.EVENT_TYPES  # the scenario's union is the registry's
    assert {"export_control", "export_tax", "tariff", "treasury_sale"} <= set(levers.EVENT_TYPES)


def test_every_event_type_is_documented():
    docs = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").rglob("*.md"))
    missing = [t for t in levers.EVENT_TYPES if f"`{t}`" not in docs]
    assert not missing, f"event types without a docs page or row: {missing}"


def test_engine_step_imports_no_lever_or_scenario():
    for name in ("simulate.py", "kernel.py", "tile.py", "schedules.py", "corrections.py", "static.py", "network.py"):
        tree = ast.parse((PKG / "engine" / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert "levers" not in node.module and "scenario" not in node.module, (name, node.module)


def test_levers_command_lists_every_type():
    res = CliRunner().invoke(app, ["levers"])
    assert res.exit_code == 0, res.output
    for t in levers.EVENT_TYPES:
        assert t in res.output
