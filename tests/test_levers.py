"""Hand-worked cases, one per lever (issue: coercion levers)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import chain_world, licence, scenario

import chokepoints as cp
from chokepoints.errors import InputError

BAN = {
    "type": "export_control",
    "on": "2025-04-04",
    "exporter": "CHN",
    "products": ["ore"],
    "destinations": ["USA"],
    "mode": "ban",
}


def received(res, holder: str, product: str = "ore") -> np.ndarray:
    """Deliveries of ``product`` to ``holder`` per day (run 0): stock change plus inputs used."""
    d = res.data
    w = res.world.compile()
    f = w.producers.index(holder)
    p = w.products.index(product)
    use0 = w.A[p, f] * w.x0[f]
    inv = d.inventory_days.isel(run=0).sel(inventory=f"{holder}:{product}").values * use0
    used = w.A[p, f] * d.production.isel(run=0).sel(producer=holder).values
    start = w.initial_days[p, f] * use0
    return np.diff(np.concatenate([[start], inv])) + used


def test_quota_delivers_exactly_the_quota_per_period():
    q, period = 250.0, 30
    quota = {
        "type": "export_control",
        "on": "2025-04-04",
        "exporter": "CHN",
        "products": ["ore"],
        "destinations": ["USA"],
        "mode": "quota",
        "quota": q,
        "period_days": period,
    }
    # alpha_base 2: the mine can ship up to its capacity (200 a day) at once, so every approved tonne ships
    sc = scenario([quota], horizon=90, engine={"psi_param": 0.5, "alpha_base": 2.0})
    res = cp.simulate(chain_world(stock_days=200, target_days=200), sc)
    ship = res.data.shipments.isel(run=0).sum("route").values
    for k in range(3):
        assert ship[k * period : (k + 1) * period].sum() == pytest.approx(q, rel=1e-9)


def test_temporary_licence_stops_after_expiry_unless_renewed():
    lic = {
        "type": "export_control",
        "on": "2025-04-04",
        "exporter": "CHN",
        "products": ["ore"],
        "destinations": ["USA"],
        "mode": "licence",
        "approval_rate": 1.0,
        "validity_days": 60,
        "renewal": False,
    }
    w = chain_world(stock_days=200, target_days=200)
    res = cp.simulate(w, scenario([BAN, lic], horizon=90))
    ship = res.data.shipments.isel(run=0).sum("route").values
    assert ship[:60].min() > 99.0 and np.all(ship[61:] == 0)
    renewed = cp.simulate(w, scenario([BAN, {**lic, "renewal": True}], horizon=90))
    assert renewed.data.shipments.isel(run=0).sum("route").values[61:].min() > 99.0


def test_priority_serves_defense_in_full_before_automotive():
    w = chain_world(exempt_buyer=True)  # CHN.mine (110/day) -> USA.maker (automotive, 100) and USA.defense (10)
    loss = {
        "type": "capacity_loss",
        "on": "2025-04-04",
        "region": "CHN",
        "product": "ore",
        "share": 0.95,
        "recovery": "none",
    }
    prio = {"type": "priority", "on": "2025-04-04", "order": ["defense"]}
    res = cp.simulate(w, scenario([loss, prio], horizon=20))
    got_def, got_auto = received(res, "USA.defense"), received(res, "USA.maker")
    cap = res.data.capacity.isel(run=0).sel(producer="CHN.mine").values
    # defense orders about 10 a day: served in full; automotive gets what is left of the 5.5
    np.testing.assert_allclose(got_def[1:] + got_auto[1:], cap[1:], rtol=1e-9)
    assert np.all(got_def[1:] >= 5.5 - 1e-9)
    np.testing.assert_allclose(got_auto[1:], 0.0, atol=1e-9)
    proportional = cp.simulate(w, scenario([loss], horizon=20))
    assert received(proportional, "USA.maker")[5] > 1.0  # without priority both are rationed pro rata


def test_capacity_change_ramps_new_supply():
    w = chain_world(second_supplier=True, stock_days=30, target_days=30)  # CHN 50 + AUS 50 of ore
    new = {
        "type": "capacity_change",
        "on": "2025-04-14",
        "region": "AUS",
        "product": "ore",
        "capacity_per_day": 60,
        "ramp_days": 10,
    }
    res = cp.simulate(w, scenario([BAN, new], horizon=60))
    cap = res.data.capacity.isel(run=0).sel(producer="AUS.mine").values
    assert cap[9] == pytest.approx(50.0) and cap[14] == pytest.approx(50.0 + 60 * 5 / 10)
    assert cap[30] == pytest.approx(110.0)
    base = cp.simulate(w, scenario([BAN], horizon=60))
    assert (
        res.indicators.output_lost("USA", "automotive").units[0]
        < base.indicators.output_lost("USA", "automotive").units[0]
    )


def test_recycling_supplies_a_share_of_use():
    rec = {"type": "recycling", "on": "2025-04-04", "region": "USA", "product": "ore", "share": 0.5}
    res = cp.simulate(chain_world(stock_days=5), scenario([BAN, rec], horizon=80))
    x = res.data.production.isel(run=0).sel(producer="USA.maker").values
    assert x[-1] == pytest.approx(50.0, rel=1e-6)  # steady state: output = recycled inflow


def test_stockpile_on_shortfall_waits_for_a_shortfall():
    rel = {
        "type": "stockpile_release",
        "on": "2025-04-04",
        "holder": "USA.maker",
        "product": "ore",
        "amount": 500,
        "rate": 50,
        "rule": "on_shortfall",
    }
    w = chain_world(stock_days=10, target_days=10)
    quiet = cp.simulate(w, scenario([rel], horizon=30))  # no shock: stock stays at target, nothing released
    np.testing.assert_allclose(quiet.data.production.isel(run=0).values, 100.0)
    np.testing.assert_allclose(received(quiet, "USA.maker"), 100.0)
    shocked = cp.simulate(w, scenario([BAN, rel], horizon=30))
    got = received(shocked, "USA.maker")
    assert got.sum() == pytest.approx(500.0)  # the whole stockpile, and only it, arrives


def _three_stage_world() -> cp.World:
    """CHN ore -> JPN magnet (0.01 t ore per t: 0.2 % of its value) -> USA motor; the same from AUS."""
    regions = pd.DataFrame({"region": ["CHN", "JPN", "USA", "AUS"], "name": ["China", "Japan", "US", "Australia"]})
    products = pd.DataFrame(
        {
            "product": ["ore", "magnet", "motor"],
            "name": ["Ore", "Magnet", "Motor"],
            "unit": ["t", "t", "units"],
            "stage": ["mining", "magnet", "component"],
        }
    )
    producers = pd.DataFrame(
        [
            ("CHN.mine", "CHN", "ore", 0.01, 0.01, ""),
            ("AUS.mine", "AUS", "ore", 0.01, 0.01, ""),
            ("JPN.magnet", "JPN", "magnet", 1.0, 1.0, ""),
            ("AUS.magnet", "AUS", "magnet", 1.0, 1.0, ""),
            ("USA.motor", "USA", "motor", 1000.0, 1000.0, "automotive"),
        ],
        columns=["producer", "region", "product", "capacity_per_day", "output_per_day", "end_use"],
    )
    recipes = pd.DataFrame(
        [
            ("JPN.magnet", "ore", 0.01, "t per t"),
            ("AUS.magnet", "ore", 0.01, "t per t"),
            ("USA.motor", "magnet", 0.002, "t per units"),
        ],
        columns=["producer", "input_product", "amount_per_unit", "unit"],
    )
    links = pd.DataFrame(
        [
            ("JPN.magnet", "ore", "CHN.mine", 1.0),
            ("AUS.magnet", "ore", "AUS.mine", 1.0),
            ("USA.motor", "magnet", "JPN.magnet", 0.5),
            ("USA.motor", "magnet", "AUS.magnet", 0.5),
            ("fd.USA.motor", "motor", "USA.motor", 1.0),
        ],
        columns=["buyer", "product", "supplier", "share"],
    )
    fd = pd.DataFrame(
        [("fd.USA.motor", "USA", "motor", "automotive", 1000.0)],
        columns=["demand", "region", "product", "end_use", "amount_per_day"],
    )
    inv = pd.DataFrame(
        [("USA.motor", "magnet", 10, 10), ("JPN.magnet", "ore", 10, 10), ("AUS.magnet", "ore", 10, 10)],
        columns=["holder", "product", "days_of_cover", "target_days"],
    )
    uv = pd.DataFrame(
        [("ore", 10_000.0, "USD per t"), ("magnet", 50_000.0, "USD per t"), ("motor", 500.0, "USD per units")],
        columns=["product", "usd_per_unit", "unit"],
    )
    return cp.World.from_tables(
        name="three",
        regions=regions,
        products=products,
        producers=producers,
        recipes=recipes,
        supply_links=links,
        final_demand=fd,
        inventories=inv,
        unit_values=uv,
    )


def test_extraterritorial_rule_reaches_goods_made_elsewhere():
    from chokepoints.levers.extraterritorial import content_shares

    w = _three_stage_world()
    cw = w.compile()
    c = content_shares(cw, cw.regions.index("CHN"), [cw.products.index("ore")])
    jpn, aus = cw.producers.index("JPN.magnet"), cw.producers.index("AUS.magnet")
    assert c[jpn] == pytest.approx(0.01 * 10_000 / 50_000)  # 0.2 % of a Japanese magnet's value
    assert c[aus] == 0.0
    motor = cw.producers.index("USA.motor")  # half its magnets are Japanese: 0.002 * 50,000 / 500 * 0.5 * 0.002
    assert c[motor] == pytest.approx(0.002 * 50_000 / 500 * 0.5 * 0.002)
    rule = {
        "type": "extraterritorial_rule",
        "on": "2025-04-04",
        "exporter": "CHN",
        "products": ["ore"],
        "threshold": 0.001,
        "destinations": ["USA"],
        "mode": "ban",
    }
    sc = cp.Scenario.from_dict({"name": "x", "start": "2025-04-04", "horizon_days": 30, "events": [rule]})
    res = cp.simulate(w, sc)
    routes = res.data.route_supplier.values
    assert list(routes) == ["JPN.magnet"]  # only the imported magnet with Chinese content is caught
    assert res.data.shipments.isel(run=0).values[1:].max() == 0.0
    above = cp.Scenario.from_dict(
        {"name": "x", "start": "2025-04-04", "horizon_days": 30, "events": [{**rule, "threshold": 0.01}]}
    )
    assert cp.simulate(w, above).data.sizes["route"] == 0  # 0.2 % content is below a 1 % threshold


def test_lever_reference_errors_are_located():
    bad = {"type": "priority", "on": "2025-04-04", "order": ["astronauts"]}
    with pytest.raises(InputError, match="unknown end use 'astronauts'"):
        cp.simulate(chain_world(), scenario([bad]))
    bad = {"type": "capacity_change", "on": "2025-04-04", "region": "ATL", "capacity_per_day": 5}
    with pytest.raises(InputError, match="unknown region 'ATL'"):
        cp.simulate(chain_world(), scenario([bad]))


def _world_with_unused_supplier() -> cp.World:
    """The USA maker buys all its ore from CHN; AUS mines ore for its own final demand, with spare capacity."""
    base = chain_world(second_supplier=True)
    t = {k: v.copy() for k, v in base.tables.items() if k != "sources"}
    prod = t["producers"]
    prod.loc[prod.producer == "CHN.mine", "output_per_day"] = 100.0
    prod.loc[prod.producer == "AUS.mine", "capacity_per_day"] = 150.0
    links = t["supply_links"]
    links = links[~((links.buyer == "USA.maker") & (links.supplier == "AUS.mine"))].copy()
    links.loc[(links.buyer == "USA.maker") & (links.supplier == "CHN.mine"), "share"] = 1.0
    links.loc[len(links)] = ["fd.AUS.ore", "ore", "AUS.mine", 1.0, ""]
    t["supply_links"] = links
    t["final_demand"].loc[len(t["final_demand"])] = ["fd.AUS.ore", "AUS", "ore", "other", 50.0, ""]
    return cp.World.from_tables(name="unused", **t)


def test_substitution_opens_a_new_supplier_after_the_switching_delay():
    w = _world_with_unused_supplier()
    sub = {
        "type": "substitution",
        "on": "2025-04-04",
        "product": "ore",
        "region": "USA",
        "supplier": "AUS.mine",
        "delay_days": 5,
        "max_share": 1.0,
    }
    sc = scenario([BAN, sub], horizon=40, engine={"psi_param": 0.5, "alpha_tau": 5})
    res = cp.simulate(w, sc)
    aus = res.data.demand.isel(run=0).sel(producer="AUS.mine").values
    assert np.all(aus[:6] == pytest.approx(50.0))  # nobody else orders from AUS before the switch
    assert aus[7] > 140.0  # afterwards the maker's orders (100 a day and more) go there
    without = cp.simulate(w, scenario([BAN], horizon=40, engine={"psi_param": 0.5, "alpha_tau": 5}))
    lost = res.indicators.output_lost("USA", "automotive").units[0]
    assert lost < without.indicators.output_lost("USA", "automotive").units[0]


def test_tariff_shifts_orders_between_origins_by_armington():
    from chokepoints.trade import armington_share_change

    w = chain_world(second_supplier=True)  # the maker buys ore half from CHN, half from AUS
    tariff = {
        "type": "tariff",
        "on": "2025-04-14",
        "importer": "USA",
        "exporter": "CHN",
        "products": ["ore"],
        "layer": "ieepa_reciprocal",
        "rate": 50,
    }
    res = cp.simulate(w, scenario([tariff], horizon=30, engine={"psi_param": 0.5, "order_type": "noalt"}))
    chn = res.data.demand.isel(run=0).sel(producer="CHN.mine").values
    expected = armington_share_change([0.5, 0.5], [1.5, 1.0], 1.5)[0]
    assert chn[5] == pytest.approx(50.0)
    assert chn[15] == pytest.approx(100.0 * expected, rel=1e-9)  # noalt orders follow the new shares exactly
    hs = {**tariff, "products": ["hs:8505"]}  # HS selectors are for `chokepoints tariffs`, not the engine
    same = cp.simulate(w, scenario([hs], horizon=30, engine={"psi_param": 0.5, "order_type": "noalt"}))
    assert same.data.demand.isel(run=0).sel(producer="CHN.mine").values[15] == pytest.approx(50.0)


STOCK_TARGET = {"type": "stock_target", "on": "2025-04-09", "holders": ["USA"], "products": "ore", "factor": 1.5}


@pytest.mark.parametrize("order_type", ["alt", "noalt"])
def test_stock_target_orders_the_gap_over_tau_then_stops(order_type):
    # hand-worked: stock 10 days = target, use 100 t/day, tau 10 days. From day 5 the goal is
    # 1.5 x 10 days = 1,500 t against 1,000 t held: the order of day 5 (the mine's demand on
    # day 6) is use + gap / tau = 100 + 500 / 10 = 150 t. From 'until' (day 8) the goal is back
    # to 10 days, already held: orders fall back to use.
    event = {**STOCK_TARGET, "until": "2025-04-12"}
    engine = {"psi_param": 0.5, "order_type": order_type, "inventory_restoration_tau": 10}
    res = cp.simulate(chain_world(stock_days=10, target_days=10), scenario([event], horizon=20, engine=engine))
    demand = res.data.demand.isel(run=0).sel(producer="CHN.mine").values
    np.testing.assert_allclose(demand[:6], 100.0)
    assert demand[6] == pytest.approx(150.0, rel=1e-12)
    np.testing.assert_allclose(demand[9:], 100.0)
    # only orders change: the maker's output never moves
    np.testing.assert_allclose(res.data.production.isel(run=0).sel(producer="USA.maker").values, 100.0)


@pytest.mark.parametrize("order_type", ["alt", "noalt"])
def test_stock_target_from_day_0_orders_as_a_world_with_the_larger_target(order_type):
    # independent check, with a licence whose pipeline is netted out of the orders: raising the
    # target by 1.5 from day 0 must give the same orders, deliveries and stocks as a world whose
    # target is 15 days instead of 10, as long as the production constraint does not bind (psi small)
    lic = licence(approval_rate=1.0, review_days=7)
    raised = {**STOCK_TARGET, "on": "2025-04-04"}
    engine = {"psi_param": 0.05, "order_type": order_type, "inventory_restoration_tau": 10}
    a = cp.simulate(chain_world(stock_days=10, target_days=10), scenario([lic, raised], horizon=120, engine=engine))
    b = cp.simulate(chain_world(stock_days=10, target_days=15), scenario([lic], horizon=120, engine=engine))
    for var in ("production", "demand", "inventory_days"):
        np.testing.assert_allclose(a.data[var].values, b.data[var].values, rtol=1e-10, atol=1e-9)
    assert a.data.demand.values.max() > 140  # the larger target was ordered


def test_stock_target_of_one_changes_nothing_and_an_uncertain_factor_orders_more_when_larger():
    w = chain_world(stock_days=10, target_days=10)
    none = cp.simulate(w, scenario([], horizon=30))
    same = cp.simulate(w, scenario([{**STOCK_TARGET, "factor": 1.0}], horizon=30))
    np.testing.assert_array_equal(none.data.demand.values, same.data.demand.values)
    unc = [{"parameter": "events.restock.factor", "distribution": "uniform", "low": 1.0, "high": 2.0}]
    res = cp.simulate(w, scenario([{**STOCK_TARGET, "id": "restock"}], horizon=30, runs=20, uncertain=unc))
    factor = res.data.samples.sel(parameter="events.restock.factor").values
    peak = res.data.demand.sel(producer="CHN.mine").max("day").values
    assert np.all(np.diff(peak[np.argsort(factor)]) > 0)


def test_stock_target_errors_are_located():
    for bad, message in [
        ({**STOCK_TARGET, "holders": ["ATL"]}, "unknown holder 'ATL'"),
        ({**STOCK_TARGET, "products": ["sand"]}, "unknown product 'sand'"),
        ({**STOCK_TARGET, "except_regions": ["CHN"]}, "'except_regions' goes with holders: all"),
        ({**STOCK_TARGET, "holders": ["CHN"]}, "no holder uses any of ore"),
    ]:
        with pytest.raises(InputError, match=message):
            cp.simulate(chain_world(), scenario([bad]))
