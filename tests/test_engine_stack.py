"""Stacked ensembles (engine.stack_plans / simulate_many) give the numbers of one simulate() each."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import chain_world, licence, scenario

import chokepoints as cp
from chokepoints.engine import IncompatiblePlans, compile_plan, simulate_many, stack_plans

VARS = ("production", "demand", "final_demand_unmet", "shipments", "orders", "inventory_days")


def _uncertain():
    return [
        {"parameter": "events.lic.approval_rate", "distribution": "uniform", "low": 0.1, "high": 0.6},
        {"parameter": "events.rel.amount", "distribution": "uniform", "low": 50, "high": 500},
    ]


def _release(**kw):
    e = {
        "type": "stockpile_release",
        "id": "rel",
        "on": "2025-04-20",
        "holder": "USA.maker",
        "product": "ore",
        "amount": 200,
        "rate": 20,
    }
    return {**e, **kw}


def _assert_same(view_data, single):
    for var in VARS:
        np.testing.assert_allclose(view_data[var].values, single[var].values, rtol=1e-12, atol=1e-9, err_msg=var)


def test_stacked_equals_one_by_one_with_uncertain_effects_and_quotas():
    world = chain_world(second_supplier=True)
    quota = licence(id="q", on="2025-05-01", mode="quota", quota=300, period_days=10)
    scs = [
        scenario([licence(), _release()], uncertain=_uncertain(), runs=3),
        scenario([licence(approval_rate=0.5), _release(rate=40)], uncertain=_uncertain(), runs=3),
        scenario([licence(), quota, _release()], uncertain=_uncertain(), runs=3),
    ]
    out = simulate_many(world, scs, seed=4)
    assert out[0][0] is out[1][0] is out[2][0]  # one ensemble for the three
    res = out[0][0]
    assert res.provenance["stacked_scenarios"] == 3 and res.data.sizes["run"] == 9
    assert res.provenance["scenario_hash"] == ",".join(sc.hash for sc in scs)
    for sc, (r, runs) in zip(scs, out, strict=True):
        _assert_same(r.data.isel(run=runs), cp.simulate(world, sc, seed=4).data)


def test_plans_that_do_not_fit_run_one_by_one():
    world = chain_world(second_supplier=True)
    a = scenario([licence()])
    b = scenario([licence(), _release()])  # one more effect: a different plan shape
    plans = [compile_plan(world, sc, runs=2, seed=0) for sc in (a, b)]
    with pytest.raises(IncompatiblePlans):
        stack_plans(plans)
    out = simulate_many(world, [a, b], runs=2, seed=0)
    assert out[0][0] is not out[1][0]
    for sc, (r, runs) in zip((a, b), out, strict=True):
        _assert_same(r.data.isel(run=runs), cp.simulate(world, sc, runs=2, seed=0).data)


def test_batches_respect_the_run_limit():
    world = chain_world(second_supplier=True)
    scs = [scenario([licence(approval_rate=a)]) for a in (0.1, 0.2, 0.3, 0.4)]
    out = simulate_many(world, scs, runs=2, seed=0, max_runs_per_batch=4)
    assert len({id(r) for r, _ in out}) == 2
    for sc, (r, runs) in zip(scs, out, strict=True):
        _assert_same(r.data.isel(run=runs), cp.simulate(world, sc, runs=2, seed=0).data)
