"""Stacked (batched) simulations give the same numbers as one simulate() per scenario."""

from __future__ import annotations

import numpy as np
from conftest import chain_world, licence, scenario

import chokepoints as cp
from chokepoints.negotiation.batch import SimulationCache


def _scenarios() -> list[cp.Scenario]:
    lic = licence()
    deal = dict(lic, id="deal", on="2025-04-20", until="2025-05-10", approval_rate=0.9, review_days=2)
    ban = dict(lic, id="ban", on="2025-04-15", mode="ban", until="2025-04-25")
    return [
        scenario([lic]),
        scenario([lic, deal]),
        scenario([lic, ban]),
        scenario([lic, deal, ban]),
    ]


def test_batched_equals_one_by_one():
    world = chain_world(second_supplier=True)
    scs = _scenarios()
    cache = SimulationCache(world, runs=2, seed=1)
    views = cache.simulate(scs)
    assert cache.stats.batches == 1 and cache.stats.fallbacks == 0
    for sc, v in zip(scs, views, strict=True):
        single = cp.simulate(world, sc, runs=2, seed=1).data
        batch = v.result.data.isel(run=v.runs)
        for var in ("production", "demand", "final_demand_unmet", "shipments", "inventory_days"):
            np.testing.assert_allclose(batch[var].values, single[var].values, rtol=1e-12, atol=1e-9, err_msg=var)


def test_cache_hits_by_scenario_hash():
    world = chain_world()
    cache = SimulationCache(world, runs=1, seed=0)
    scs = _scenarios()[:2]
    cache.simulate(scs)
    n = cache.stats.simulated
    cache.simulate([scs[1], scs[0], scs[1]])
    assert cache.stats.simulated == n and cache.stats.hits == 3
