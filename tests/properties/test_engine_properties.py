"""Hypothesis properties of the ARIO engine on random valid networks (third layer of truth).

Random networks are small balanced MRIOs (1-3 regions x 1-4 sectors, some flows
zero) turned into Worlds by World.from_mrio (no pymrio needed: Z and Y frames).
"""

from __future__ import annotations

import datetime as dt
import os
from types import SimpleNamespace

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import chokepoints as cp

START = dt.date(2025, 1, 1)
# a quick default; CHOKEPOINTS_PROPERTY_EXAMPLES=500 for a thorough search
# derandomized (a fixed search for each property, no example database) so that the suite gives the
# same answer on every machine; CHOKEPOINTS_PROPERTY_SEARCH=random searches afresh each run, which can
# find the known counterexamples of the "deeper loss" property (docs/engine.md, Properties)
_RANDOM = os.environ.get("CHOKEPOINTS_PROPERTY_SEARCH") == "random"
SETTINGS = settings(
    max_examples=int(os.environ.get("CHOKEPOINTS_PROPERTY_EXAMPLES", "15")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=not _RANDOM,
    database=None if not _RANDOM else settings.default.database,
)


@st.composite
def networks(draw, stable: bool = False, overproduction: bool = True):
    """A balanced MRIO: Z (n x n, some zeros), Y (n x R), x = row sums; and ARIO parameters.

    ``stable``: no inventory_restoration_tau of 1 day. Closing a 90-day inventory gap in one
    day makes the baseline an unstable fixed point (each round of orders amplifies a
    deviation about s / tau-fold), so float rounding alone grows to percent-size swings
    within weeks; BoARIO behaves alike. The fixed-point property is about the baseline, not
    about that instability.
    """
    R = draw(st.integers(1, 3))
    S = draw(st.integers(1, 4))
    n = R * S
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    Z = rng.uniform(0.0, 10.0, (n, n)) * (rng.uniform(size=(n, n)) < draw(st.floats(0.3, 1.0)))
    Y = rng.uniform(0.5, 10.0, (n, R))
    regions = [f"r{i}" for i in range(R)]
    sectors = [f"s{j}" for j in range(S)]
    idx = pd.MultiIndex.from_product([regions, sectors])
    io = SimpleNamespace(
        Z=pd.DataFrame(Z, index=idx, columns=idx),
        Y=pd.DataFrame(Y, index=idx, columns=pd.MultiIndex.from_product([regions, ["fd"]])),
        x=None,
    )
    world = cp.World.from_mrio(
        io,
        main_inv_dur=draw(st.sampled_from([5.0, 30.0, 90.0])),
        alpha_max=draw(st.sampled_from([1.0, 1.25, 1.5] if overproduction else [1.0])),
    )
    taus = [10, 60] if stable else [1, 10, 60]
    engine = {
        "psi_param": draw(st.floats(0.3, 1.0)),
        "inventory_restoration_tau": draw(st.sampled_from(taus)),
        "alpha_tau": draw(st.sampled_from([10, 365])),
        "order_type": draw(st.sampled_from(["alt", "noalt"])),
    }
    return world, engine, regions, sectors


def _scenario(engine, events=(), horizon=60):
    return cp.Scenario.from_dict(
        {"name": "prop", "start": START.isoformat(), "horizon_days": horizon, "engine": engine, "events": list(events)}
    )


def _day(k: int) -> str:
    return (START + dt.timedelta(days=k)).isoformat()


@SETTINGS
@given(networks(stable=True))
def test_baseline_is_a_fixed_point(net):
    world, engine, _, _ = net
    d = cp.simulate(world, _scenario(engine)).data
    x0 = d.baseline_production.values
    np.testing.assert_allclose(
        d.production.values[0], np.broadcast_to(x0, d.production.shape[1:]), rtol=1e-9, atol=1e-12
    )
    days = world.compile().target_days
    np.testing.assert_allclose(
        d.inventory_days.values[0], np.broadcast_to(days[days > 0], d.inventory_days.shape[1:]), rtol=1e-9
    )
    assert float(d.final_demand_unmet.max()) <= 1e-9 * float(d.final_demand.max())


@st.composite
def shocks(draw, regions, sectors):
    ev = [
        {
            "type": "capacity_loss",
            "on": _day(draw(st.integers(1, 20))),
            "region": draw(st.sampled_from(regions)),
            "product": draw(st.sampled_from(sectors)),
            "share": draw(st.floats(0.05, 1.0)),
            "duration_days": draw(st.integers(0, 30)),
            "recovery_days": draw(st.integers(0, 30)),
        }
    ]
    if draw(st.booleans()):
        ev.append(
            {
                "type": "final_demand_change",
                "on": _day(draw(st.integers(1, 30))),
                "region": draw(st.sampled_from(regions)),
                "product": draw(st.sampled_from(sectors)),
                "share": draw(st.floats(-1.0, 1.0)),
            }
        )
    if len(regions) > 1 and draw(st.booleans()):
        ev.append(
            {
                "type": "export_control",
                "on": _day(draw(st.integers(1, 20))),
                "exporter": regions[0],
                "products": [draw(st.sampled_from(sectors))],
                "mode": draw(st.sampled_from(["ban", "licence"])),
                "review_days": draw(st.integers(0, 10)),
                "approval_rate": draw(st.floats(0.0, 1.0)),
            }
        )
    return ev


@SETTINGS
@given(st.data())
def test_no_negative_quantities_and_deliveries_within_production(data):
    world, engine, regions, sectors = data.draw(networks())
    events = data.draw(shocks(regions, sectors))
    d = cp.simulate(world, _scenario(engine, events)).data
    x, D = d.production.values, d.demand.values
    tol = 1e-9 * max(1.0, float(d.baseline_production.max()))
    assert np.isfinite(x).all() and (x >= 0).all()
    assert (d.inventory_days.values >= 0).all()
    assert (d.final_demand_unmet.values >= -tol).all()
    assert (d.final_demand_unmet.values <= d.final_demand.values + tol).all()
    # everything produced is delivered in proportion to claims: deliveries = x <= demand
    assert (x <= D + tol).all()
    assert (x <= d.capacity.values + tol).all()
    # deliveries on controlled routes never exceed what their supplier produced
    if d.sizes["route"]:
        ship = d.shipments.values
        supplier = d.production.sel(producer=d.route_supplier.values).values
        assert (ship >= -tol).all() and (ship <= supplier + tol).all()


@SETTINGS
@given(st.data())
def test_deeper_capacity_loss_never_raises_total_output(data):
    """Total output while the loss lasts (day 0 to its last full-loss day) never rises with a
    deeper loss, without overproduction (alpha_max = 1).

    Not a theorem over any horizon, and Hypothesis finds why (docs/engine.md): after the loss a
    partial stop can leave a sector worse off than a full one, because producing at half
    capacity drains its inventories while a full stop preserves them (a sector buying 10 % of
    its own output stays at 66 % of baseline after a 50 % loss but recovers fully after a 100 %
    one); and with overproduction, substitution toward other regions' suppliers and the
    catch-up orders that rebuild stocks can lift output above baseline.
    """
    world, engine, regions, sectors = data.draw(networks(overproduction=False))
    shallow = data.draw(st.floats(0.0, 0.95))
    deeper = data.draw(st.floats(shallow, 1.0))
    on, duration = data.draw(st.integers(1, 10)), data.draw(st.integers(0, 30))
    base = {
        "type": "capacity_loss",
        "on": _day(on),
        "region": data.draw(st.sampled_from(regions)),
        "product": data.draw(st.sampled_from(sectors)),
        "duration_days": duration,
        "recovery_days": 0,
    }
    totals = []
    for share in (shallow, deeper):
        ev = [dict(base, share=share)] if share > 0 else []
        res = cp.simulate(world, _scenario(engine, ev, horizon=on + duration + 1), record=["production"])
        totals.append(float(res.data.production_total.sum()))
    assert totals[1] <= totals[0] * (1 + 1e-9) + 1e-12
