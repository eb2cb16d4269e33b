"""Shared fixtures: tiny hand-made Worlds whose answers can be worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

import chokepoints as cp


def chain_world(
    stock_days: float = 10.0,
    target_days: float = 2.0,
    end_use: str = "automotive",
    second_supplier: bool = False,
    exempt_buyer: bool = False,
) -> cp.World:
    """CHN mine -> USA maker (1 t ore per unit) -> USA final demand of 100 units/day.

    Optionally a second USA buyer (end use 'defense') of the same ore, and a second
    ore supplier in AUS holding half of the maker's purchases.
    """
    regions = pd.DataFrame({"region": ["CHN", "USA", "AUS"], "name": ["China", "United States", "Australia"]})
    products = pd.DataFrame(
        {
            "product": ["ore", "widget"],
            "name": ["Ore", "Widget"],
            "unit": ["t", "units"],
            "stage": ["mining", "end_product"],
        }
    )
    producers = [("CHN.mine", "CHN", "ore", 200.0, 100.0, ""), ("USA.maker", "USA", "widget", 100.0, 100.0, end_use)]
    recipes = [("USA.maker", "ore", 1.0, "t per units")]
    links = [("fd.USA.widget", "widget", "USA.maker", 1.0)]
    fd = [("fd.USA.widget", "USA", "widget", end_use, 100.0)]
    inv = [("USA.maker", "ore", stock_days, target_days)]
    if second_supplier:
        producers.append(("AUS.mine", "AUS", "ore", 50.0, 50.0, ""))
        producers[0] = ("CHN.mine", "CHN", "ore", 200.0, 50.0, "")
        links += [("USA.maker", "ore", "CHN.mine", 0.5), ("USA.maker", "ore", "AUS.mine", 0.5)]
    else:
        links += [("USA.maker", "ore", "CHN.mine", 1.0)]
    if exempt_buyer:
        producers.append(("USA.defense", "USA", "widget2", 10.0, 10.0, "defense"))
        products.loc[len(products)] = ["widget2", "Defense widget", "units", "end_product"]
        recipes.append(("USA.defense", "ore", 1.0, "t per units"))
        links += [("USA.defense", "ore", "CHN.mine", 1.0), ("fd.USA.widget2", "widget2", "USA.defense", 1.0)]
        fd.append(("fd.USA.widget2", "USA", "widget2", "defense", 10.0))
        inv.append(("USA.defense", "ore", stock_days, target_days))
        producers[0] = ("CHN.mine", "CHN", "ore", 220.0, producers[0][4] + 10.0, "")
    cols = ["producer", "region", "product", "capacity_per_day", "output_per_day", "end_use"]
    return cp.World.from_tables(
        name="chain",
        version="test",
        regions=regions,
        products=products,
        producers=pd.DataFrame(producers, columns=cols),
        recipes=pd.DataFrame(recipes, columns=["producer", "input_product", "amount_per_unit", "unit"]),
        supply_links=pd.DataFrame(links, columns=["buyer", "product", "supplier", "share"]),
        final_demand=pd.DataFrame(fd, columns=["demand", "region", "product", "end_use", "amount_per_day"]),
        inventories=pd.DataFrame(inv, columns=["holder", "product", "days_of_cover", "target_days"]),
    )


def assert_every_row_cited(world: cp.World) -> None:
    """Every data row of every table cites at least one source id, and only ids in sources.csv."""
    from chokepoints.world.schema import TABLES

    ids = set(world.sources["source_id"])
    for table in TABLES:
        if table == "sources":
            continue
        for i, cited in enumerate(world.tables[table]["source"]):
            names = [s.strip() for s in cited.split(";") if s.strip()]
            assert names, f"{table} row {i + 1} has no source"
            assert set(names) <= ids, f"{table} row {i + 1} cites unknown {set(names) - ids}"


def scenario(events: list[dict] | None = None, horizon: int = 60, **extra) -> cp.Scenario:
    data = {
        "name": "test",
        "world": "chain",
        "start": "2025-04-04",
        "horizon_days": horizon,
        "engine": {"psi_param": 0.5},
        "events": events or [],
        **extra,
    }
    return cp.Scenario.from_dict(data)


def licence(**overrides) -> dict:
    """An export_control event on the chain world: CHN licenses ore to the USA from 2025-04-04
    (5 days of review, a quarter granted); ``overrides`` replace fields."""
    event = {
        "type": "export_control",
        "id": "lic",
        "on": "2025-04-04",
        "exporter": "CHN",
        "products": ["ore"],
        "destinations": ["USA"],
        "mode": "licence",
        "review_days": 5,
        "approval_rate": 0.25,
    }
    return {**event, **overrides}


@pytest.fixture
def world() -> cp.World:
    return chain_world()


def assert_sources_table_well_formed(world: cp.World, quoted_keys: tuple[str, ...]) -> None:
    """sources.csv has the three kinds; assumptions give a reason and no address; sources have
    an http address; the fact keys named are quoted in the notes."""
    src = world.sources
    assert set(src["kind"]) == {"source", "derived", "assumption"}
    assumptions = src[src["kind"] == "assumption"]
    assert len(assumptions) >= 10 and (assumptions["note"].str.len() > 40).all()
    assert (assumptions["url"] == "").all()
    assert src.loc[src["kind"] == "source", "url"].str.startswith("http").all()
    notes = " ".join(src["note"])
    for key in quoted_keys:
        assert key in notes
