"""Licence reviews spread over [review_days_min, review_days]: by hand, conservation, and in a scenario."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import chain_world
from hypothesis import given, settings
from hypothesis import strategies as st

import chokepoints as cp
from chokepoints.engine import simulate
from chokepoints.engine.pipeline import ReviewPipeline
from chokepoints.errors import ScenarioError


def test_spread_arrivals_by_hand() -> None:
    # 9 t granted on day 0 with reviews of 2-4 days (delay 4, n 3): 3 t on each of days 2, 3 and 4
    p = ReviewPipeline(1, 2, max_delay=4, spread=True, dtype=float)
    p.add(0, np.array([[9.0, 6.0]]), np.array([[4, 1]]), np.array([[3, 1]]))  # route 2: 6 t after 1 day
    got = [p.take(t)[0].tolist() for t in range(6)]
    assert got == [[0, 0], [0, 6], [3, 0], [3, 0], [3, 0], [0, 0]]
    assert p.waiting().sum() == pytest.approx(0.0, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 100), st.integers(0, 8), st.integers(1, 9)),
        min_size=1,
        max_size=30,
    )
)
def test_spread_conserves_what_was_granted(days) -> None:
    p = ReviewPipeline(1, 1, max_delay=8, spread=True, dtype=float)
    granted = arrived = 0.0
    for t, (g, delay, n) in enumerate(days):
        n = min(n, delay + 1)  # the lever never spreads before the order day
        p.add(t, np.array([[g]]), np.array([[delay]]), np.array([[n]]))
        granted += g
        a = float(p.take(t)[0, 0])
        assert a >= 0.0
        arrived += a
        assert arrived + float(p.waiting()[0, 0]) == pytest.approx(granted, rel=1e-9, abs=1e-9)
    for t in range(len(days), len(days) + 10):
        arrived += float(p.take(t)[0, 0])
    assert arrived == pytest.approx(granted, rel=1e-9, abs=1e-9)


def test_one_review_time_is_the_same_with_and_without_the_spread_buffer() -> None:
    rng = np.random.default_rng(4)
    a = ReviewPipeline(3, 4, max_delay=6, spread=False, dtype=float)
    b = ReviewPipeline(3, 4, max_delay=6, spread=True, dtype=float)
    for t in range(30):
        g, d = rng.random((3, 4)), rng.integers(0, 7, (3, 4))
        a.add(t, g, d)
        b.add(t, g, d, np.ones((3, 4), dtype=np.int64))
        np.testing.assert_array_equal(a.take(t), b.take(t))


def _scenario(**review) -> cp.Scenario:
    return cp.Scenario.from_dict(
        {
            "name": "spread",
            "world": "chain",
            "start": "2025-04-04",
            "horizon_days": 40,
            "engine": {"psi_param": 0.5},
            "events": [
                {"type": "export_control", "id": "lic", "on": "2025-04-04", "exporter": "CHN",
                 "products": ["ore"], "mode": "licence", "approval_rate": 0.5, **review},
            ],
        }
    )  # fmt: skip


def test_spread_review_in_a_scenario() -> None:
    world = chain_world(stock_days=30.0, target_days=30.0)
    res = simulate(world, _scenario(review_days=10, review_days_min=6), record=["shipments", "orders"])
    ship, orders = res.data["shipments"].values[0, :, 0], res.data["orders"].values[0, :, 0]
    assert ship[:6].sum() == 0.0  # nothing decided in under 6 days
    # day 6: a fifth (reviews of 6..10 days) of the half granted of day 0's order
    assert ship[6] == pytest.approx(0.5 * orders[0] / 5, rel=1e-9)
    # day 12: fifths of the orders of days 2..6
    assert ship[12] == pytest.approx(0.5 * orders[2:7].sum() / 5, rel=1e-9)
    fixed = simulate(world, _scenario(review_days=10), record=["shipments"]).data["shipments"].values[0, :, 0]
    assert fixed[:10].sum() == 0.0 and fixed[10] > 0.0


def test_review_days_min_is_checked() -> None:
    with pytest.raises(ScenarioError, match="must not exceed"):
        _scenario(review_days=5, review_days_min=8)
    with pytest.raises(ScenarioError, match="per-shipment licences"):
        _scenario(review_days=5, review_days_min=2, validity_days=90)
