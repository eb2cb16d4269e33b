"""The bundled rare-earths-2025 World: loads clean, and every row has a source or an assumption."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import assert_every_row_cited
from typer.testing import CliRunner

import chokepoints as cp
from chokepoints.cli import app
from chokepoints.world.checks import check_balance, check_sources

NAME = "rare-earths-2025"


@pytest.fixture(scope="module")
def world() -> cp.World:
    return cp.load_world(NAME)


def test_loads_and_is_balanced(world):
    assert check_balance(world) == []
    cw = world.compile()
    assert {"CHN", "USA", "JPN", "EU", "AUS", "MYS", "VNM", "MMR", "ROW"} <= set(cw.regions)
    for p in ("ndpr_oxide", "dy_oxide", "tb_oxide", "sm_oxide", "other_oxides", "ndfeb_magnet", "smco_magnet"):
        assert p in cw.products
    stages = set(world.products["stage"])
    assert {"mining", "separation", "metal", "magnet"} <= stages
    uses = set(world.producers["end_use"]) | set(world.final_demand["end_use"])
    assert {"automotive", "defense", "wind", "electronics_industrial"} <= uses


def test_every_row_cites_a_source_or_assumption(world):
    assert check_sources(world) == []
    assert_every_row_cited(world)
    kinds = set(world.sources["kind"])
    assert kinds <= {"source", "derived", "assumption"}
    assumptions = world.sources[world.sources["kind"] == "assumption"]
    assert len(assumptions) > 0 and (assumptions["note"].str.len() > 20).all()
    published = world.sources[world.sources["kind"] == "source"]
    assert published["url"].str.startswith("http").all()


def test_china_dominates_separation_and_magnets(world):
    p = world.producers
    for product in ("dy_oxide", "tb_oxide", "ndfeb_magnet"):
        rows = p[p["product"] == product]
        share = rows.loc[rows["region"] == "CHN", "output_per_day"].sum() / rows["output_per_day"].sum()
        assert share > 0.85, (product, share)
    assert np.isclose(p.loc[p["product"] == "reo_concentrate", "output_per_day"].sum() * 365, 390_000, rtol=0.05)


def test_datasets_cli_list_and_show():
    runner = CliRunner()
    r = runner.invoke(app, ["datasets", "list"])
    assert r.exit_code == 0 and NAME in r.output
    r = runner.invoke(app, ["datasets", "show", NAME, "--table", "producers", "--rows", "5"])
    assert r.exit_code == 0 and "Sources cited by producers" in r.output
    r = runner.invoke(app, ["datasets", "show", NAME])
    assert r.exit_code == 0 and "Sources" in r.output
    r = runner.invoke(app, ["datasets", "show", NAME, "--table", "nope"])
    assert r.exit_code == 2 and "unknown table" in r.output
    r = runner.invoke(app, ["datasets", "show", "no-such-dataset"])
    assert r.exit_code == 2 and "no such bundled dataset" in r.output
