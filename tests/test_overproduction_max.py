"""engine.alpha_max (BoARIO's overprod_max) and final-demand changes over several regions, by hand."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import chain_world

import chokepoints as cp
from chokepoints.engine import simulate
from chokepoints.errors import InputError


def _scenario(alpha_max=None, region="USA", uncertain=None) -> cp.Scenario:
    engine = {"alpha_tau": 10, "psi_param": 0.8}
    if alpha_max is not None:
        engine["alpha_max"] = alpha_max
    return cp.Scenario.from_dict(
        {
            "name": "grow",
            "world": "chain",
            "start": "2025-01-01",
            "horizon_days": 120,
            "runs": 2 if uncertain else 1,
            "seed": 1,
            "engine": engine,
            "events": [
                {"type": "final_demand_change", "id": "up", "on": "2025-01-01", "region": region,
                 "product": "widget", "share": 0.10},
            ],
            "uncertain": uncertain or [],
        }
    )  # fmt: skip


def _maker_output(sc: cp.Scenario) -> np.ndarray:
    world = chain_world(stock_days=30.0, target_days=30.0)  # the maker: capacity = output = 100/day
    res = simulate(world, sc, record=["production"])
    p = list(res.data["producer"].values).index("USA.maker")
    return res.data["production"].values[:, :, p]


def test_capacity_equal_to_output_caps_growth_until_alpha_max_allows_it() -> None:
    capped = _maker_output(_scenario())
    assert capped.max() == pytest.approx(100.0, rel=1e-9)  # alpha_max = capacity / output = 1
    free = _maker_output(_scenario(alpha_max=1.25))
    # demand is 110/day; alpha += (alpha_max - alpha) * zeta / alpha_tau with the scarcity zeta
    # shrinking as output nears demand, so output climbs toward 110 without passing it
    assert 105.0 < free[0, -1] <= 110.0 * (1 + 1e-9)
    assert free[0, 1] < free[0, 30] < free[0, -1]  # not at once: overproduction builds up
    # a floor, never a cut: the World's own room (capacity above output) stays
    assert _maker_output(_scenario(alpha_max=1.0)).max() == pytest.approx(100.0, rel=1e-9)


def test_alpha_max_is_a_declared_uncertain_parameter() -> None:
    sc = _scenario(uncertain=[{"parameter": "engine.alpha_max", "distribution": "choice", "values": [1.0, 1.25]}])
    out = _maker_output(sc)
    low, high = sorted(out[:, -1])
    assert low == pytest.approx(100.0, rel=1e-9) and 105.0 < high <= 110.0 * (1 + 1e-9)


def test_final_demand_change_over_a_list_of_regions() -> None:
    one = _maker_output(_scenario(alpha_max=1.25))
    listed = _maker_output(_scenario(alpha_max=1.25, region=["USA"]))
    np.testing.assert_array_equal(one, listed)
    with pytest.raises(InputError, match="unknown region 'XXX'"):
        _maker_output(_scenario(region=["USA", "XXX"]))
