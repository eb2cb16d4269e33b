"""The export-tax lever: hand-worked Armington shares, dates, destinations, errors."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import chain_world, scenario

import chokepoints as cp
from chokepoints.effects import ShareRewrite
from chokepoints.engine import compile_plan
from chokepoints.errors import InputError


def _tax(**kw):
    e = {"type": "export_tax", "id": "duty", "on": "2025-04-14", "exporter": "CHN", "products": ["ore"], "rate": 25}
    return {**e, **kw}


def _china_share(plan) -> list[tuple[int, float]]:
    """(day, CHN.mine's share of USA.maker's ore) for every share rewrite of the plan."""
    cw = plan.world
    from chokepoints.engine.network import supplier_slots

    sup = supplier_slots(cw)
    p = cw.products.index("ore")
    slot = int(np.flatnonzero(sup[p] == cw.producers.index("CHN.mine"))[0])
    maker = cw.producers.index("USA.maker")
    out = []
    for rw in plan.switches:
        assert isinstance(rw, ShareRewrite) and rw.mode == "set" and rw.p == p
        k = int(np.flatnonzero(rw.buyers == maker)[0])
        out.append((rw.day, float(rw.block[slot, k])))
    return out


def test_hand_worked_armington_share():
    # baseline: half of USA.maker's ore from CHN, half from AUS; a 25 % duty, sigma 1.5:
    # w_CHN = 0.5 * 1.25^-1.5 / (0.5 * 1.25^-1.5 + 0.5) = 0.715542 / 1.715542 = 0.417097
    world = chain_world(second_supplier=True)
    plan = compile_plan(world, scenario([_tax(until="2025-05-04")]), runs=1, seed=0)
    (d0, w0), (d1, w1) = _china_share(plan)
    assert (d0, d1) == (10, 30)  # 14 April and 4 May, from a start on 4 April
    assert w0 == pytest.approx(0.715542 / 1.715542, rel=1e-6)
    assert w1 == pytest.approx(0.5, rel=1e-12)  # the duty ends: baseline shares again


def test_sigma_from_the_event_and_from_trade_setup():
    world = chain_world(second_supplier=True)
    own = compile_plan(world, scenario([_tax(sigma=4.0)]), runs=1, seed=0)
    assert _china_share(own)[0][1] == pytest.approx(1.25**-4 / (1.25**-4 + 1), rel=1e-9)
    setup = {"type": "trade_setup", "on": "2025-04-04", "sigma": 3.0}
    via = compile_plan(world, scenario([setup, _tax()]), runs=1, seed=0)
    assert _china_share(via)[0][1] == pytest.approx(1.25**-3 / (1.25**-3 + 1), rel=1e-9)


def test_orders_shift_to_the_untaxed_origin_and_nothing_is_lost():
    world = chain_world(second_supplier=True)
    base = cp.simulate(world, scenario([]), runs=1).data
    taxed = cp.simulate(world, scenario([_tax()]), runs=1).data
    aus = list(base.producer.values).index("AUS.mine")
    chn = list(base.producer.values).index("CHN.mine")
    day = 30
    assert taxed.demand.values[0, day, aus] > base.demand.values[0, day, aus] * 1.1
    assert taxed.demand.values[0, day, chn] < base.demand.values[0, day, chn] * 0.9
    # a duty re-routes orders; with spare capacity elsewhere nobody goes short
    assert float(taxed.final_demand_unmet.sum()) == pytest.approx(0.0, abs=1e-6)


def test_destinations_other_than_the_buyer_change_nothing():
    world = chain_world(second_supplier=True)
    plan = compile_plan(world, scenario([_tax(destinations=["AUS"])]), runs=1, seed=0)
    assert plan.switches == []  # no buyer of ore in AUS


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (_tax(exporter="XXX"), "unknown region 'XXX'"),
        (_tax(products=["nope"]), "unknown product 'nope'"),
        (_tax(destinations=["CHN"]), "must not name the exporter"),
        (_tax(rate=0), "greater than 0"),
    ],
)
def test_bad_events_get_located_errors(event, message):
    world = chain_world(second_supplier=True)
    with pytest.raises(InputError, match=message):
        compile_plan(world, scenario([event]), runs=1, seed=0)


def test_rate_cannot_be_uncertain():
    world = chain_world(second_supplier=True)
    sc = scenario(
        [_tax()], uncertain=[{"parameter": "events.duty.rate", "distribution": "uniform", "low": 15, "high": 25}]
    )
    with pytest.raises(InputError, match="cannot vary per run"):
        compile_plan(world, sc, runs=2, seed=0)
