"""Hand-worked cases and properties of the Scholz et al. (2011) reading of BDM's model.

Every expected number is worked out by hand in the comment beside it (two actors at 0 and 1
on a range R = 1, so every distance is 0 or 1 and every power of it is 0 or 1).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chokepoints.negotiation.bdm_scholz import (
    expected_utility,
    risk_exponents,
    scholz_model,
    scholz_round,
    win_probability,
)

X2 = np.array([0.0, 1.0])


def test_win_probability_all_pairs_and_pair():
    # c s = 3, 1: v_0(0, 1) = 3 (1 - 0) = 3, v_1(0, 1) = 1 (0 - 1) = -1, v(1, 0) = -v(0, 1)
    # all pairs: N = |3| + |-1| + |-3| + |1| = 8 -> P(0, 1) = 3/8, P(1, 0) = 1/8
    P = win_probability(X2, np.array([3.0, 1.0]), np.ones(2), 1.0, "all_pairs")
    assert P == pytest.approx(np.array([[0, 3 / 8], [1 / 8, 0]]))
    # per pair (eq. 31 as printed): N = 4 -> 3/4 and 1/4
    P = win_probability(X2, np.array([3.0, 1.0]), np.ones(2), 1.0, "pair")
    assert P == pytest.approx(np.array([[0, 3 / 4], [1 / 4, 0]]))


def test_expected_utility_and_risk_by_hand():
    P = np.array([[0, 3 / 8], [1 / 8, 0]])
    # r = 1, d = 1: U_s = 2 - 4 * 0 = 2, U_f = 2 - 4 * 1 = -2, U_sq = 2 - 4 * 0.5 = 0
    # E(0, 1) = 3/8 * 2 + 5/8 * -2 = -1/2; E(1, 0) = 1/8 * 2 + 7/8 * -2 = -3/2
    E = expected_utility(X2, np.ones(2), P, np.ones(1), 1.0, 1.0, 0.0)[0]
    assert E == pytest.approx(np.array([[0, -0.5], [-1.5, 0]]))
    # Sec_0 = E(1, 0) = -3/2, Sec_1 = E(0, 1) = -1/2 -> R_0 = (-3 + 1/2 + 3/2) / 1 = -1 -> r_0 = (4/3) / (2/3) = 2;
    # R_1 = (-1 + 2) / 1 = 1 -> r_1 = (2/3) / (4/3) = 1/2
    assert risk_exponents(X2, np.array([3.0, 1.0]), np.ones(2), 1.0) == pytest.approx([2.0, 0.5])


def test_round_compel_by_hand():
    # second pass, P unchanged (0 and 1 to any power stay 0 and 1).
    # receiver 0, r = 2: U_sq = 2 - 4 * 0.25 = 1: a = E(0, 1) = -1/2 - 1 = -3/2, b = E(1, 0) = -3/2 - 1 = -5/2:
    #   both < 0, stalemate, stays.
    # receiver 1, r = 1/2: U_sq = 2 - 2 sqrt 2: a = E(1, 0) = -3/2 - U_sq = 2 sqrt 2 - 7/2 = -0.672,
    #   b = E(0, 1) = -1/2 - U_sq = 2 sqrt 2 - 5/2 = 0.328: a < 0 < b <= |a|: compel, moves to 0
    rd = scholz_round(X2, np.array([3.0, 1.0]), np.ones(2), 1.0)
    assert rd.eu[1, 0] == pytest.approx(2 * math.sqrt(2) - 3.5)
    assert rd.eu_seen[1, 0] == pytest.approx(2 * math.sqrt(2) - 2.5)
    assert rd.eu_seen[0, 1] == pytest.approx(-2.5)
    assert [(m.actor, m.proposer, m.kind) for m in rd.moves] == [(1, 0, "compel")]
    assert rd.positions == pytest.approx([0.0, 0.0])
    # j's own view instead (eq. 25b): receiver 1 sees b = E^0(0, 1) with r_0 = 2, = -3/2 < 0: nobody moves
    own = scholz_round(X2, np.array([3.0, 1.0]), np.ones(2), 1.0, perspective="own")
    assert own.moves == () and own.positions == pytest.approx(X2)


def test_round_compromise_by_hand():
    # c s = 1, 0.5: v_0(0, 1) = 1, v_1(0, 1) = -0.5, N = 3: P(0, 1) = 1/3, P(1, 0) = 1/6
    # r = 1: E(0, 1) = s_1 (1/3 * 2 - 2/3 * 2) + (1 - s_1) * 2 = -1/3 + 1 = 2/3; E(1, 0) = 1/3 - 5/3 = -4/3
    # Sec = (-4/3, 2/3) -> r = (2, 1/2). Receiver 1 (U_sq = 2 - 2 sqrt 2):
    #   a = -4/3 - U_sq = 2 sqrt 2 - 10/3 < 0 < b = 2/3 - U_sq = 2 sqrt 2 - 4/3 and b > |a|: compromise,
    #   x_1 = 1 + (0 - 1) |a / b|
    rt2 = math.sqrt(2)
    rd = scholz_round(X2, np.ones(2), np.array([1.0, 0.5]), 1.0)
    assert rd.risk == pytest.approx([2.0, 0.5])
    a, b = 2 * rt2 - 10 / 3, 2 * rt2 - 4 / 3
    assert [(m.actor, m.kind) for m in rd.moves] == [(1, "compromise")]
    assert rd.positions == pytest.approx([0.0, 1 - abs(a / b)])
    assert rd.positions[1] == pytest.approx(0.6623, abs=1e-4)


def test_model_history_and_statistics():
    res = scholz_model(X2, np.array([3.0, 1.0]), np.ones(2), rounds=3)
    # round 1 moves actor 1 to 0 (above); then both sit at 0 and nobody makes an offer
    assert res.history == pytest.approx(np.array([[0, 1], [0, 0], [0, 0], [0, 0]]))
    # weights 3, 1: median 0 throughout, mean 1/4 then 0
    assert res.median == pytest.approx([0, 0, 0, 0])
    assert res.mean == pytest.approx([0.25, 0, 0, 0])
    # one actor, or everyone at one place: nothing to do
    assert scholz_model(np.array([5.0, 5.0]), np.ones(2), np.ones(2), rounds=2).history == pytest.approx(
        np.full((3, 2), 5.0)
    )


def test_bad_input():
    with pytest.raises(ValueError):
        scholz_model(X2, np.ones(3), np.ones(2))
    with pytest.raises(ValueError):
        scholz_model(X2, np.ones(2), np.array([1.0, 1.5]))
    with pytest.raises(ValueError):
        scholz_model(X2, np.ones(2), np.ones(2), Q=1.5)
    with pytest.raises(ValueError):
        scholz_round(X2, np.ones(2), np.ones(2), 0.0)


actors = st.integers(min_value=2, max_value=6).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 10).map(float), min_size=n, max_size=n),
        st.lists(st.floats(0.01, 1.0), min_size=n, max_size=n),
        st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n),
        st.permutations(list(range(n))),
    )
)


@settings(max_examples=40, deadline=None)
@given(actors)
def test_relabelling_actors_permutes_the_history(case):
    """Renaming actors changes nothing but the order (e.g. the Netherlands/Belgium swap of one transcription)."""
    x, c, s, perm = (np.array(v) for v in case)
    if np.ptp(x) == 0:
        return
    a = scholz_model(x, c, s, rounds=3)
    b = scholz_model(x[perm], c[perm], s[perm], rounds=3)
    assert b.history == pytest.approx(a.history[:, perm])
    assert b.median == pytest.approx(a.median)
    assert b.mean == pytest.approx(a.mean)


@settings(max_examples=40, deadline=None)
@given(actors)
def test_positions_stay_in_the_range_and_pair_probabilities_add_to_one(case):
    x, c, s, _ = (np.array(v) for v in case)
    if np.ptp(x) == 0:
        return
    for q in (1.0, 0.5):
        res = scholz_model(x, c, s, rounds=3, Q=q)
        assert (res.history >= x.min() - 1e-9).all() and (res.history <= x.max() + 1e-9).all()
    P = win_probability(x, c * s, np.ones_like(x), float(np.ptp(x)), "pair")
    distinct = (x[:, None] != x[None, :]) & ((P + P.T) > 0)
    assert (P + P.T)[distinct] == pytest.approx(np.ones(int(distinct.sum())))
