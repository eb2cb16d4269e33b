"""Bargaining solutions against closed forms, Rubinstein's formula, the protocol's
impatience, and the agenda property (removing an issue never enlarges the frontier)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chokepoints.negotiation.protocol import STRATEGIES, Strategy, alternating_offers
from chokepoints.negotiation.solutions import (
    delta_from_rate,
    frontier_dominates,
    ideal_point,
    kalai_smorodinsky,
    nash_solution,
    pareto_mask,
    rate_from_delta,
    rubinstein_point,
    rubinstein_shares,
    zopa_mask,
)


def linear_domain(steps: int = 25):
    """Two issues x, y in [0, 1] on a grid (step 1/24); party A gets x and gives y, B the reverse.

    u_A = 0.8 x + 0.2 (1 - y), u_B = 0.6 y + 0.4 (1 - x); no deal x = y = 0: d = (0.2, 0.4).
    Gains gA = 0.8 x - 0.2 y, gB = 0.6 y - 0.4 x. The frontier is y = 1 (then x = 1).
    Nash, on y = 1: maximise (0.8 x - 0.2)(0.6 - 0.4 x): x* = (0.8*0.6 + 0.2*0.4) / (2*0.8*0.4)
    = 7/8, gains (0.5, 0.25), u = (0.7, 0.65).
    KS: ideal gains (2/3 at x = 1, y = 2/3; 1/2 at x = 1/4, y = 1); on y = 1 the ratio
    gA / gB = 4/3 gives x = 3/4, gains (0.4, 0.3) = 60 % of each ideal gain, u = (0.6, 0.7).
    """
    g = np.linspace(0, 1, steps)
    X, Y = (a.ravel() for a in np.meshgrid(g, g))
    U = np.column_stack([0.8 * X + 0.2 * (1 - Y), 0.6 * Y + 0.4 * (1 - X)])
    return X, Y, U, np.array([0.2, 0.4])


def test_nash_closed_form_on_linear_domain():
    X, Y, U, d = linear_domain()
    i = nash_solution(U, d)
    assert X[i] == pytest.approx(7 / 8) and Y[i] == pytest.approx(1.0)
    np.testing.assert_allclose(U[i], [0.7, 0.65], atol=1e-12)


def test_kalai_smorodinsky_closed_form_on_linear_domain():
    X, Y, U, d = linear_domain()
    np.testing.assert_allclose(ideal_point(U, d) - d, [2 / 3, 0.5], atol=1e-12)
    i = kalai_smorodinsky(U, d)
    assert X[i] == pytest.approx(0.75) and Y[i] == pytest.approx(1.0)
    np.testing.assert_allclose(U[i], [0.6, 0.7], atol=1e-12)


def test_solutions_on_the_frontier_and_in_the_zopa():
    _, _, U, d = linear_domain()
    par, z = pareto_mask(U), zopa_mask(U, d)
    for i in (nash_solution(U, d), kalai_smorodinsky(U, d)):
        assert par[i] and z[i]


def test_empty_zopa_gives_no_solution():
    U = np.array([[0.1, 0.9], [0.9, 0.1]])
    assert nash_solution(U, np.array([0.5, 0.5])) is None
    assert kalai_smorodinsky(U, np.array([0.5, 0.5])) is None


@pytest.mark.parametrize("d1,d2", [(0.9, 0.8), (0.5, 0.5), (0.95, 0.6), (0.3, 0.99), (0.0, 0.0)])
def test_rubinstein_shares_follow_the_formula(d1, d2):
    s1, s2 = rubinstein_shares(d1, d2)
    assert s1 == pytest.approx((1 - d2) / (1 - d1 * d2))
    assert s1 + s2 == pytest.approx(1.0)
    # on the frontier v1 + v2 = 1 the equilibrium is the same, for either first mover
    a = np.linspace(0, 1, 201)
    U = np.column_stack([a, 1 - a])
    p = rubinstein_point(U, np.zeros(2), (d1, d2), first=0)
    assert p.gains[0] == pytest.approx(s1, abs=1e-9)
    q = rubinstein_point(U, np.zeros(2), (d1, d2), first=1)
    assert q.gains[1] == pytest.approx((1 - d1) / (1 - d1 * d2), abs=1e-9)


def test_more_patient_party_gets_more_in_rubinstein():
    assert rubinstein_shares(0.95, 0.8)[0] > rubinstein_shares(0.8, 0.8)[0] > rubinstein_shares(0.8, 0.95)[0]


def test_rate_and_delta_round_trip():
    assert delta_from_rate(0.001, 30) == pytest.approx(np.exp(-0.03))
    assert rate_from_delta(delta_from_rate(0.004, 30), 30) == pytest.approx(0.004)


PIE = np.column_stack([np.linspace(0, 1, 101), 1 - np.linspace(0, 1, 101)])


@pytest.mark.parametrize("kind", STRATEGIES)
@pytest.mark.parametrize("first", [0, 1])
@pytest.mark.parametrize("rates", [(0.005, 0.001), (0.002, 0.0005), (0.01, 0.003)])
def test_party_that_hurts_faster_concedes_more(kind, first, rates):
    """Same strategy, same pie; the party whose losses accumulate faster ends with less."""
    period = 30
    fast_first = (delta_from_rate(rates[0], period), delta_from_rate(rates[1], period))
    fast_second = fast_first[::-1]
    s = (Strategy(kind), Strategy(kind))
    r1 = alternating_offers(PIE, np.zeros(2), fast_first, s, deadline=20, first=first)
    r2 = alternating_offers(PIE, np.zeros(2), fast_second, s, deadline=20, first=first)
    assert not r1.broke_down and not r2.broke_down
    # party 0 hurts faster in r1 than in r2 (all else equal): it gets less in r1
    assert r1.utilities[0] < r2.utilities[0]
    assert r1.utilities[1] > r2.utilities[1]


def test_protocol_path_and_breakdown():
    res = alternating_offers(
        PIE,
        np.zeros(2),
        (0.99, 0.99),
        (Strategy("boulware"), Strategy("boulware")),
        deadline=10,
        first=0,
    )
    assert [o.proposer for o in res.offers] == [i % 2 for i in range(len(res.offers))]
    assert res.offers[-1].accepted and res.agreement == res.offers[-1].package
    # an empty ZOPA breaks down at once with the disagreement utilities
    none = alternating_offers(PIE, np.array([0.6, 0.6]), (0.9, 0.9))
    assert none.broke_down and none.utilities == (0.6, 0.6)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 40).flatmap(
        lambda n: st.tuples(
            st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=n, max_size=n),
            st.lists(st.booleans(), min_size=n, max_size=n),
        )
    )
)
def test_subset_frontier_never_beyond_full_frontier(data):
    pts, keep = data
    U = np.asarray(pts, float)
    mask = np.asarray(keep, bool)
    if not mask.any():
        return
    full = U[pareto_mask(U)]
    sub = U[mask]
    assert frontier_dominates(full, sub[pareto_mask(sub)])
