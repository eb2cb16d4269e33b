"""Sobol sensitivity (SALib) and the uncertain-parameter declarations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import chain_world, licence, scenario
from test_cli_run import SCENARIO, scenario_file  # noqa: F401  (fixture)
from typer.testing import CliRunner

import chokepoints as cp
from chokepoints.cli import app
from chokepoints.sensitivity import sobol

ROOT = Path(__file__).resolve().parents[1]


def test_sobol_ranks_the_parameter_that_matters():
    # days to shortfall = stock days (the licence delivers nothing): the review time has no effect
    events = [licence(approval_rate=0.0)]
    uncertain = [
        {
            "parameter": "world.inventories.days_of_cover",
            "where": {"holder": "USA.*"},
            "distribution": "uniform",
            "low": 5,
            "high": 30,
        },
        {"parameter": "events.lic.review_days", "distribution": "uniform", "low": 1, "high": 20},
    ]
    sc = scenario(events, horizon=60, uncertain=uncertain, key_users=[{"region": "USA", "end_use": "automotive"}])
    res = sobol(chain_world(), sc, base_samples=32, seed=1)
    top = res.table.iloc[0]
    assert top.parameter.startswith("world.inventories.days_of_cover")
    assert top.ST > 0.9 and abs(res.table.iloc[1].ST) < 0.05
    assert res.runs == 32 * 4
    # the explicit sample matrix is what the runs used
    again = sobol(chain_world(), sc, base_samples=32, seed=1)
    np.testing.assert_array_equal(res.values, again.values)


def test_sensitivity_cli_on_the_april_scenario(tmp_path: Path):
    path = ROOT / "scenarios" / "cn-rare-earth-licensing-2025-04.yaml"
    r = CliRunner().invoke(app, ["sensitivity", str(path), "--samples", "8", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "Sobol indices of shortfall_day for USA automotive" in r.output and "±" in r.output
    html = (tmp_path / "sensitivity.html").read_text(encoding="utf-8")
    assert "tornado" in html.lower() and "total order ST" in html


@pytest.mark.parametrize(
    ("old", "new", "needles"),
    [
        ("parameter: events.lic.approval_rate", "parameter: nonsense.path", ["uncertain[0]", "unknown parameter path"]),
        (
            "distribution: triangular\n    low: 0.1\n    mode: 0.25\n    high: 0.6",
            "distribution: beta\n    a: 0\n    b: 2",
            ["uncertain[0]", "beta needs a > 0"],
        ),
        ("    low: 5\n    high: 20", "    low: 20\n    high: 5", ["uncertain[1]", "bounds reversed"]),
        (
            "parameter: world.inventories.days_of_cover",
            "parameter: world.producers.output_per_day",
            ["uncertain[1]", "cannot vary per run"],
        ),
    ],
)
def test_bad_uncertain_declarations(scenario_file: Path, old: str, new: str, needles: list[str]):  # noqa: F811
    text = scenario_file.read_text()
    assert old in text
    scenario_file.write_text(text.replace(old, new, 1))
    for cmd in ("validate", "sensitivity"):
        r = CliRunner().invoke(app, [cmd, str(scenario_file)])
        assert r.exit_code == 2, r.output
        assert "Traceback" not in r.output
        line = [ln for ln in r.output.splitlines() if ln.startswith("error:")]
        assert line and all(n in r.output for n in needles), r.output
        assert ".yaml:" in line[0]


def test_sensitivity_needs_two_parameters(scenario_file: Path):  # noqa: F811
    sc = cp.Scenario.from_yaml(scenario_file)
    one = sc.model_copy(update={"uncertain": sc.uncertain[:1]})
    with pytest.raises(cp.InputError, match="at least two"):
        sobol(chain_world(), one)
