"""Hand-worked cases for the engine (first layer of truth)."""

from __future__ import annotations

import numpy as np
from conftest import chain_world, scenario

import chokepoints as cp


def test_no_shock_keeps_baseline(world):
    res = cp.simulate(world, scenario(horizon=120))
    d = res.data
    np.testing.assert_allclose(
        d.production.values, np.broadcast_to(d.baseline_production.values, d.production.shape), rtol=1e-9, atol=0
    )
    assert float(np.abs(d.final_demand_unmet).max()) < 1e-9
    np.testing.assert_allclose(d.inventory_days.values, 10.0, rtol=1e-9)


def test_supply_stop_runs_short_after_k_days_of_stock():
    # psi * target = 0.5 * 2 = 1 day: the maker throttles only when less than a day of stock is left,
    # so with k days of stock and supply stopping on day d it runs short on day d + k.
    k, d = 10, 5
    w = chain_world(stock_days=k)
    ban = {
        "type": "export_control",
        "on": "2025-04-09",
        "exporter": "CHN",
        "products": ["ore"],
        "destinations": ["USA"],
        "mode": "ban",
    }
    res = cp.simulate(w, scenario([ban]))
    days = res.indicators.shortfall_days("USA", "automotive")
    assert days.values[0] == d + k
    x = res.data.production.sel(producer="USA.maker").values[0]
    assert np.all(x[: d + k] > 99.999) and x[d + k] < 1e-9


def test_licence_halves_flow_after_review_delay():
    review = 7
    w = chain_world(stock_days=200, target_days=200)
    lic = {
        "type": "export_control",
        "on": "2025-04-04",
        "exporter": "CHN",
        "products": ["ore"],
        "destinations": ["USA"],
        "mode": "licence",
        "review_days": review,
        "approval_rate": 0.5,
    }
    res = cp.simulate(w, scenario([lic], horizon=40))
    ship = res.data.shipments.isel(run=0).sum("route").values
    orders = res.data.orders.isel(run=0).sum("route").values
    assert np.all(ship[:review] == 0)  # nothing arrives while the first requests are reviewed
    # afterwards exactly half of what was ordered `review` days earlier arrives
    np.testing.assert_allclose(ship[review:], 0.5 * orders[:-review], rtol=1e-12)
    assert abs(ship[review] - 50.0) < 1e-9


def test_ban_with_exempt_end_use_leaves_it_whole():
    w = chain_world(exempt_buyer=True)
    ban = {
        "type": "export_control",
        "on": "2025-04-04",
        "exporter": "CHN",
        "products": ["ore"],
        "destinations": ["USA"],
        "mode": "ban",
        "exempt_end_uses": ["defense"],
    }
    res = cp.simulate(w, scenario([ban], horizon=60))
    x_def = res.data.production.sel(producer="USA.defense").values[0]
    np.testing.assert_allclose(x_def, 10.0, rtol=1e-9)
    assert res.data.production.sel(producer="USA.maker").values[0, -1] < 1.0
    assert np.isnan(res.indicators.shortfall_days("USA", "defense")[0])


def test_excluded_end_use_receives_nothing_under_licence():
    w = chain_world(exempt_buyer=True)
    lic = {
        "type": "export_control",
        "on": "2025-04-04",
        "exporter": "CHN",
        "products": ["ore"],
        "destinations": "all",
        "mode": "licence",
        "review_days": 0,
        "approval_rate": 1.0,
        "excluded_end_uses": ["defense"],
    }
    res = cp.simulate(w, scenario([lic], horizon=30))
    ship = res.data.shipments.isel(run=0)
    to_def = ship.sel(route=ship.route_buyer == "USA.defense").sum("route").values
    to_auto = ship.sel(route=ship.route_buyer == "USA.maker").sum("route").values
    assert np.all(to_def == 0)
    np.testing.assert_allclose(to_auto, 100.0, rtol=1e-9)


def test_alt_orders_move_to_open_supplier():
    w = chain_world(second_supplier=True)
    ban = {
        "type": "export_control",
        "on": "2025-04-04",
        "exporter": "CHN",
        "products": ["ore"],
        "destinations": ["USA"],
        "mode": "ban",
    }
    res = cp.simulate(w, scenario([ban], horizon=10))
    aus = res.data.demand.sel(producer="AUS.mine").values[0]
    assert aus[1] > 99.0  # from day 1 all orders go to the open supplier
