"""Sobol indices with the runs done as a sweep (design ``sobol_indices``): the same sample and seed give
the same indices as the in-memory ensemble; a second call resumes (computes nothing); wide intervals warn."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import chain_world, licence, scenario
from typer.testing import CliRunner

pytest.importorskip("distributed")
pytest.importorskip("duckdb")

from chokepoints.cli import app  # noqa: E402
from chokepoints.sensitivity import WIDE, sobol, sobol_sweep, widest_interval  # noqa: E402
from chokepoints.sweep.catalogue import read_only_query  # noqa: E402
from chokepoints.world.io import write_world  # noqa: E402

UNCERTAIN = [
    {
        "parameter": "world.inventories.days_of_cover",
        "where": {"holder": "USA.*"},
        "distribution": "uniform",
        "low": 5,
        "high": 30,
    },
    {"parameter": "events.lic.approval_rate", "distribution": "uniform", "low": 0.0, "high": 0.6},
]
KEY = [{"region": "USA", "end_use": "automotive"}]


@pytest.fixture
def chain_scenario(tmp_path: Path) -> Path:
    write_world(chain_world(), tmp_path / "chain")
    sc = scenario([licence()], horizon=60, uncertain=UNCERTAIN, key_users=KEY)
    data = sc.model_dump(mode="json", exclude_none=True)
    data["world"] = "./chain"
    path = tmp_path / "chain-sobol.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("indicator", ["shortfall_day", "output_lost_usd"])
def test_sweep_indices_equal_the_in_memory_ones(chain_scenario: Path, tmp_path: Path, indicator: str):
    from chokepoints.runner import load_inputs

    sc, world = load_inputs(chain_scenario)
    mem = sobol(world, sc, base_samples=64, indicator=indicator, seed=3)
    out = tmp_path / "sweeps"
    swp, sid = sobol_sweep(
        str(chain_scenario), base_samples=64, indicator=indicator, seed=3, out=str(out), max_memory="1MiB"
    )
    chunks = read_only_query(out, f"select chunk_id, runs, status from chunks where sweep_id = '{sid}'")
    assert len(chunks) > 1 and set(chunks.status) == {"done"}  # really cut into chunks
    assert chunks.runs.sum() == mem.runs == 64 * 4
    np.testing.assert_array_equal(swp.values, mem.values)
    pd.testing.assert_frame_equal(swp.table, mem.table, check_exact=True)
    assert mem.table.iloc[0].parameter.startswith("world.inventories.days_of_cover") or indicator != "shortfall_day"


def test_a_second_call_resumes_and_only_analyses(chain_scenario: Path, tmp_path: Path):
    out = tmp_path / "sweeps"
    first, sid = sobol_sweep(str(chain_scenario), base_samples=32, seed=1, out=str(out), max_memory="1MiB")
    before = read_only_query(out, "select chunk_id, finished from chunks order by chunk_id")
    # another indicator of the same sample: the runs are in the catalogue already
    again, sid2 = sobol_sweep(
        str(chain_scenario), base_samples=32, seed=1, out=str(out), max_memory="1MiB", indicator="output_lost_usd"
    )
    assert sid2 == sid
    pd.testing.assert_frame_equal(
        read_only_query(out, "select chunk_id, finished from chunks order by chunk_id"), before
    )
    assert again.runs == first.runs == 32 * 4 and again.indicator == "output_lost_usd"


def test_cli_sweep_reports_intervals_and_warns_when_wide(chain_scenario: Path, tmp_path: Path):
    runner = CliRunner()
    args = ["sensitivity", str(chain_scenario), "--samples", "8", "--out", str(tmp_path / "rep")]
    r = runner.invoke(app, [*args, "--sweep", "--sweep-out", str(tmp_path / "sweeps")])
    assert r.exit_code == 0, r.output
    assert "95 % CI" in r.output and "sweep sobol-test-" in r.output
    assert "wide confidence intervals" in r.output  # 8 base samples: intervals far above ±0.1
    assert (tmp_path / "rep" / "sensitivity.html").exists()
    r = runner.invoke(app, [*args, "--workers", "2"])
    assert r.exit_code == 2 and "--sweep" in r.output


def test_widest_interval_threshold():
    t = pd.DataFrame(
        {"parameter": ["a", "b"], "S1": [0.5, 0.1], "S1_conf": [0.02, 0.3], "ST": [0.6, 0.2], "ST_conf": [0.05, 0.04]}
    )
    assert widest_interval(t) == 0.3 and widest_interval(t) > WIDE
