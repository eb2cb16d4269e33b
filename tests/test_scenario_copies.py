"""Scenario files that copy the same dated events must keep identical copies.

Scenarios are self-contained YAML files, so the 2025 US-China tariff layers are written out in
each scenario that needs them. ``us-china-talks-2025`` is the source copy (its header carries the
source rows); a correction made there must reach every copy.
"""

from __future__ import annotations

import pytest
import yaml

from chokepoints.scenario.library import scenario_path

SOURCE = "us-china-talks-2025"
COPIES = ["cn-rare-earth-history-2025", "us-china-beijing-2026"]


def _tariff_events(name: str) -> list[dict]:
    """The economy-wide tariff layers (rows naming products, such as the back-test's NdFeB row, are its own)."""
    data = yaml.safe_load(scenario_path(name).read_text(encoding="utf-8"))
    return [e for e in data["events"] if e["type"] == "tariff" and e.get("products", "all") == "all"]


@pytest.mark.parametrize("name", COPIES)
def test_tariff_layers_of_2025_match_the_source_scenario(name):
    source = _tariff_events(SOURCE)
    assert len(source) == 17
    assert _tariff_events(name) == source
