"""Hand-worked cases for the multi-stakeholder models (chokepoints.negotiation.stakeholders).

Every expected number below is worked out by hand in the comment beside it.
"""

from __future__ import annotations

import numpy as np
import pytest

from chokepoints.negotiation.stakeholders import (
    challenge,
    challenge_round,
    compromise,
    condorcet_winner,
    exchange,
    exchange_forecast,
    expected_utility,
    pairwise_margin,
    risk_exponents,
    weighted_median,
    win_probability,
)


def test_compromise_is_capability_salience_weighted_mean():
    # weights c*s = 1, 1, 1 -> (0 + 10 + 4) / 3
    assert compromise(np.array([0, 10, 4]), np.array([1, 2, 1]), np.array([1, 0.5, 1])) == pytest.approx(14 / 3)
    # zero weights everywhere -> plain mean
    assert compromise(np.array([0, 6]), np.zeros(2), np.zeros(2)) == pytest.approx(3)


def test_compromise_rejects_bad_shapes():
    with pytest.raises(ValueError):
        compromise(np.array([0, 1]), np.array([1]), np.array([1, 1]))
    with pytest.raises(ValueError):
        compromise(np.array([0, 1]), np.array([1, -1]), np.array([1, 1]))


def test_weighted_median_and_condorcet():
    x, w = np.array([0, 4, 10]), np.array([1, 1, 3])
    # cumulative weights 1, 2, 5; half of 5 is 2.5 -> reached at x = 10
    assert weighted_median(x, w) == 10
    # 10 vs 4: the actor at 10 (3) against those at 0 and 4 (2) -> +1 for 10
    assert pairwise_margin(x, w, 10, 4) == pytest.approx(1)
    assert condorcet_winner(x, w) == 10
    # menu without the median: 2 vs 8 -> actors at 0, 4 vote 2 (2), the one at 10 votes 8 (3)
    assert condorcet_winner(x, w, np.array([2, 8])) == 8
    # exactly half at the lower position: the lower one (convention), and it ties the upper one
    assert weighted_median(np.array([1, 5]), np.array([1, 1])) == 1
    assert condorcet_winner(np.array([1, 5]), np.array([1, 1])) == 1


def test_win_probability_by_hand():
    x, s = np.array([0.0, 1.0]), np.ones(2)
    # u_k(x_i) = 1 - 2 |x_k - x_i|: actor 0 lends 3 * (1 - (-1)) = 6 to 0, actor 1 lends 1 * 2 = 2 to 1
    P = win_probability(x, np.array([3.0, 1.0]), s, 1.0)
    assert P[0, 1] == pytest.approx(6 / 8)
    assert P[1, 0] == pytest.approx(2 / 8)


def test_expected_utility_by_hand():
    x, c, s = np.array([0.0, 1.0]), np.array([3.0, 1.0]), np.ones(2)
    eu = expected_utility(x, c, s, np.ones(2), 1.0)
    # d = 1, r = 1: U_s = 2 - 4 * 0 = 2, U_f = 2 - 4 * 1 = -2, U_q = 2 - 4 * 0.5 = 0
    # EU[0, 1] = 1 * (0.75 * 2 + 0.25 * -2) + 0 - 0 = 1; EU[1, 0] = 0.25 * 2 + 0.75 * -2 = -1
    assert eu[0, 1] == pytest.approx(1.0)
    assert eu[1, 0] == pytest.approx(-1.0)
    # half salience for the target: weights c*s = 3, 0.5 -> P = 6 / 7;
    # EU[0, 1] = 0.5 * (6/7 * 2 - 1/7 * 2) + 0.5 * 2 = 5/7 + 1 = 12/7
    assert expected_utility(x, c, np.array([1.0, 0.5]), np.ones(2), 1.0)[0, 1] == pytest.approx(12 / 7)


def test_risk_exponents_by_hand():
    # exposures sum_j EU[j, i]: actor 0 -> EU[1, 0] = -1, actor 1 -> EU[0, 1] = 1
    # R_0 = (2 * -1 - 1 + 1) / 2 = -1 -> r = (4/3) / (2/3) = 2; R_1 = 1 -> r = (2/3) / (4/3) = 0.5
    r = risk_exponents(np.array([0.0, 1.0]), np.array([3.0, 1.0]), np.ones(2), 1.0)
    assert r == pytest.approx([2.0, 0.5])


def test_challenge_round_no_offer_by_hand():
    # with r_0 = 2: U_s = 2, U_f = -2, U_q = 2 - 4 * 0.25 = 1 -> EU[0, 1] = 1.5 - 0.5 - 1 = 0: no offer;
    # with r_1 = 0.5: EU[1, 0] = 0.5 - 1.5 - (2 - 4 * 0.5 ** 0.5) < 0: no offer -> nobody moves
    x = np.array([0.0, 1.0])
    assert challenge_round(x, np.array([3.0, 1.0]), np.ones(2), 1.0) == pytest.approx(x)


def test_challenge_converges_inside_the_range():
    x = np.array([0.0, 3.0, 5.0, 10.0])
    res = challenge(x, np.array([1.0, 2.0, 1.0, 3.0]), np.ones(4), rounds=20)
    assert res.converged
    assert x.min() <= res.forecast <= x.max()
    # at convergence everyone sits at one point and the median equals the mean
    assert res.history[-1] == pytest.approx(np.full(4, res.forecast))
    assert res.mean == pytest.approx(res.forecast)


def test_challenge_lone_dissenter_is_compelled():
    # two strong actors at 0 against a weak one at 1: the weak one moves towards 0 every round
    res = challenge(np.array([0.0, 0.0, 1.0]), np.array([2.0, 2.0, 1.0]), np.ones(3), rounds=5)
    moves = res.history[:, 2]
    assert (np.diff(moves) < 0).all()
    assert res.forecast == 0


def test_exchange_by_hand():
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    S = np.array([[1.0, 0.5], [0.5, 1.0]])
    # W = 1.5 per issue; o = (1/3, 2/3); actor 0 cares more for issue 0, actor 1 for issue 1.
    # d_k = d_l = 0.5 / 1.5 = 1/3, b = a (1 + 0.5) / (0.5 + 1) = a; rooms 2/3 and 2/3 -> a = b = 2/3
    out = exchange(X, np.ones(2), S, rounds=1)
    assert out == pytest.approx(np.array([[0.0, 2 / 3], [1 / 3, 1.0]]))
    # outcomes: (0.5 * 1/3) / 1.5 = 1/9 and (0.5 * 2/3 + 1) / 1.5 = 8/9
    assert exchange_forecast(X, np.ones(2), S, rounds=1) == pytest.approx([1 / 9, 8 / 9])
    # no trade when saliences are proportional
    assert exchange(X, np.ones(2), np.ones((2, 2)), rounds=3) == pytest.approx(X)
