"""One YAML-to-pydantic step with located errors (chokepoints.yamlio.validation_problems) for scenarios and specs."""

from __future__ import annotations

from pathlib import Path

import pytest

import chokepoints as cp
from chokepoints.errors import InputError, ScenarioError
from chokepoints.negotiation.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "scenarios" / "us-china-talks-2025.negotiation.yaml"


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def _bad_spec(tmp_path: Path, old: str, new: str) -> tuple[Path, str]:
    text = SPEC.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    path = tmp_path / "bad.negotiation.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text


def test_spec_unknown_field_names_file_and_line(tmp_path):
    path, text = _bad_spec(tmp_path, "    eta: -1.4 ", "    etaa: -1.4 ")
    with pytest.raises(InputError) as exc:
        load_spec(path)
    p = exc.value.problems[0]
    assert p.source == str(path) and p.message == "unknown field"
    assert p.line == _line_of(text, "etaa: -1.4") and p.field == "levers.us_tariff.etaa"
    assert str(p).startswith(f"{path}:{p.line}:")


def test_spec_bad_value_names_file_line_and_value(tmp_path):
    path, text = _bad_spec(tmp_path, "deadline_steps: 6 ", "deadline_steps: soon ")
    with pytest.raises(InputError) as exc:
        load_spec(path)
    p = exc.value.problems[0]
    assert (p.source, p.line, p.field) == (str(path), _line_of(text, "deadline_steps: soon"), "deadline_steps")
    assert "(got 'soon')" in p.message


def test_bundled_spec_still_loads():
    assert load_spec(SPEC).name == "US-China talks 2025"


SCENARIO = """\
name: v
start: 2025-01-01
events:
  - type: export_control
    exporter: CHN
    products: [x]
    on: 2025-02-01
    mode: sometimes
  - type: embargo_of_everything
    on: 2025-02-01
  - on: 2025-02-01
"""


def test_scenario_errors_are_located_with_union_tags_removed():
    with pytest.raises(ScenarioError) as exc:
        cp.Scenario.from_yaml_text(SCENARIO, "v.yaml")
    by_field = {p.field: p for p in exc.value.problems}
    assert by_field["events[0].mode"].line == 8 and "(got 'sometimes')" in by_field["events[0].mode"].message
    assert by_field["events[1]"].message.startswith("unknown event type; expected one of ")
    assert by_field["events[1]"].line == 9
    assert by_field["events[2]"].message == "every event needs a 'type'" and by_field["events[2]"].line == 11
    assert all(p.source == "v.yaml" for p in exc.value.problems)
