"""The bundled rare-earths-2010 World (China's halt of exports to Japan, Sep-Nov 2010): loads clean,
reproduces the 2010 figures it is built from, every row is sourced, and its scenario runs."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from conftest import assert_every_row_cited, assert_sources_table_well_formed
from typer.testing import CliRunner

import chokepoints as cp
from chokepoints.cli import app
from chokepoints.world.checks import check_balance, check_sources

NAME = "rare-earths-2010"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def world() -> cp.World:
    return cp.load_world(NAME)


def test_loads_clean_and_balanced(world):
    assert check_balance(world) == []
    assert check_sources(world) == []
    cw = world.compile()
    assert {"CHN", "JPN", "USA", "EU", "ROW"} <= set(cw.regions)
    for product in ("reo_concentrate", "ndpr_oxide", "dy_oxide", "other_oxides", "ndfeb_magnet"):
        assert product in cw.products
    assert {"mining", "separation", "magnet", "end_product"} <= set(world.products["stage"])
    users = world.producers[world.producers["end_use"] != ""]
    assert (users["region"] == "JPN").all()
    assert {"magnets", "automotive", "electronics", "catalysts_polishing"} <= set(users["end_use"])
    assert world.metadata["base_year"] == 2010


def test_shares_reproduce_2010_facts(world):
    p = world.producers
    mag = p[p["product"] == "ndfeb_magnet"].set_index("region")["output_per_day"] * 365
    assert mag.sum() == pytest.approx(98_200, rel=1e-9)  # world sintered NdFeB 2010
    assert mag["CHN"] / mag.sum() == pytest.approx(0.794, abs=1e-9)
    assert mag["JPN"] / mag.sum() == pytest.approx(0.193, abs=1e-9)
    assert mag["EU"] / mag.sum() == pytest.approx(0.013, abs=1e-9)
    mine = p[p["product"] == "reo_concentrate"].set_index("region")["output_per_day"] * 365
    assert mine["CHN"] == pytest.approx(130_000, rel=1e-9)
    assert mine["CHN"] / mine.sum() == pytest.approx(0.97, abs=1e-9)


def test_japan_imports_match_mof(world):
    """Japan's buyers take 23,310 t/yr from China and 28,564 t/yr in all (MoF 2010)."""
    p = world.producers.set_index("producer")
    need = {}
    for r in world.recipes.itertuples():
        need[(r.producer, r.input_product)] = r.amount_per_unit * p.loc[r.producer, "output_per_day"]
    region = p["region"].to_dict()
    from_cn = total = 0.0
    for ln in world.supply_links.itertuples():
        if region.get(ln.buyer) != "JPN" or ln.product not in ("ndpr_oxide", "dy_oxide", "other_oxides"):
            continue
        flow = ln.share * need[(ln.buyer, ln.product)] * 365
        total += flow
        from_cn += flow if region[ln.supplier] == "CHN" else 0.0
    assert from_cn == pytest.approx(23_310, rel=1e-9)
    assert total == pytest.approx(28_564, rel=1e-9)
    # Japanese users hold "several months" of stocks (read as 90 days)
    inv = world.inventories
    assert np.allclose(inv.loc[inv["holder"].str.startswith("JPN."), "days_of_cover"], 90)


def test_every_row_cites_a_source_or_assumption(world):
    assert_every_row_cited(world)
    assert_sources_table_well_formed(
        world,
        (
            "ndfeb_production_share",
            "japan_imports_from_china.annual",
            "china_exports.actual",
            "embargo.japan_user_stockpile_cover",
        ),
    )


def test_embargo_scenario_runs_and_reports(tmp_path: Path):
    path = ROOT / "scenarios" / "cn-japan-rare-earth-embargo-2010.yaml"
    result = CliRunner().invoke(app, ["run", str(path), "--runs", "4", "--out", str(tmp_path)])
    assert result.exit_code == 0, (result.exit_code, repr(result.exception), result.output[-500:])
    assert (tmp_path / "report.html").is_file()
    assert re.search(r"JPN\s+│\s+magnets\s+│", result.output), result.output
    assert re.search(r"JPN\s+│\s+automotive\s+│", result.output)
