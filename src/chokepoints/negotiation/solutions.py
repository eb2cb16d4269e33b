"""Bargaining solutions over a finite set of packages: pure functions on utility arrays.

Notation: ``U`` is an (n, k) array, row x = package x, column i = party i's utility
u_i(x); ``d`` (k,) is the disagreement point (each party's utility of no deal, its
BATNA). Nothing here knows about scenarios or simulations.

- Pareto frontier: x is on it when no other package y has u_i(y) >= u_i(x) for every
  i and u_j(y) > u_j(x) for some j.
- Zone of possible agreement (ZOPA): packages every party strictly prefers to no
  deal, u_i(x) > d_i for all i.
- Nash bargaining solution (Nash 1950, "The Bargaining Problem", Econometrica 18):
  maximise the product of gains prod_i (u_i(x) - d_i) over the ZOPA.
- Kalai–Smorodinsky solution (Kalai & Smorodinsky 1975, "Other Solutions to Nash's
  Bargaining Problem", Econometrica 43): with the ideal point I_i = max of u_i over
  the packages no party finds worse than no deal, the package on the frontier where
  every party gets the same share of its ideal gain, (u_i - d_i) / (I_i - d_i) equal
  for all i. On a finite set: maximise the smallest such share (ties: Nash product).
- Rubinstein alternating offers (Rubinstein 1982, "Perfect Equilibrium in a
  Bargaining Model", Econometrica 50): splitting a pie of size 1, party 1 proposing
  first, discount factors d1, d2 per period: the unique subgame-perfect equilibrium
  gives party 1 the share (1 - d2) / (1 - d1 d2) and party 2 the rest,
  d2 (1 - d1) / (1 - d1 d2), agreed at once. On a general frontier v2 = g(v1) (gains
  over disagreement) the equilibrium proposals x* (by 1) and y* (by 2) satisfy
  v1(y*) = d1 v1(x*) and v2(x*) = d2 v2(y*) (Binmore, Rubinstein & Wolinsky 1986).
- Discount factor from a loss rate: delta = exp(-r * period) for a party whose
  surplus shrinks at rate r per day when agreement slips by ``period`` days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def pareto_mask(U: np.ndarray) -> np.ndarray:
    """True for packages no other package Pareto-dominates (duplicates all kept)."""
    U = np.asarray(U, float)
    n = U.shape[0]
    keep = np.ones(n, bool)
    if n == 0:
        return keep
    for i in range(n):
        ge = np.all(U >= U[i], axis=1)
        gt = np.any(U > U[i], axis=1)
        if np.any(ge & gt):
            keep[i] = False
    return keep


def zopa_mask(U: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Packages every party strictly prefers to no deal: u_i(x) > d_i for all i."""
    U = np.asarray(U, float)
    return np.all(U > np.asarray(d, float)[None, :] + 1e-12, axis=1)


def nash_solution(U: np.ndarray, d: np.ndarray) -> int | None:
    """Index maximising prod_i (u_i - d_i) over the ZOPA (None when the ZOPA is empty).

    Ties (equal products within 1e-12) go to the lowest index, so results are
    deterministic.
    """
    U = np.asarray(U, float)
    z = zopa_mask(U, d)
    if not z.any():
        return None
    prod = np.prod(U - np.asarray(d, float)[None, :], axis=1)
    prod = np.where(z, prod, -np.inf)
    best = prod.max()
    return int(np.flatnonzero(prod >= best - 1e-12 * max(1.0, abs(best)))[0])


def ideal_point(U: np.ndarray, d: np.ndarray) -> np.ndarray:
    """I_i = max of u_i over the packages no party finds worse than no deal (u >= d)
    (d itself where the ZOPA is empty)."""
    U = np.asarray(U, float)
    d = np.asarray(d, float)
    if not zopa_mask(U, d).any():
        return d.copy()
    weak = np.all(U >= d[None, :] - 1e-12, axis=1)
    return U[weak].max(axis=0)


def kalai_smorodinsky(U: np.ndarray, d: np.ndarray) -> int | None:
    """Index maximising min_i (u_i - d_i) / (I_i - d_i) over the ZOPA (ties: Nash product)."""
    U = np.asarray(U, float)
    d = np.asarray(d, float)
    z = zopa_mask(U, d)
    if not z.any():
        return None
    span = np.maximum(ideal_point(U, d) - d, 1e-300)
    share = ((U - d[None, :]) / span[None, :]).min(axis=1)
    share = np.where(z, share, -np.inf)
    best = share.max()
    cand = np.flatnonzero(share >= best - 1e-9)
    prod = np.prod(U[cand] - d[None, :], axis=1)
    return int(cand[int(np.argmax(prod))])


def rubinstein_shares(delta1: float, delta2: float) -> tuple[float, float]:
    """Equilibrium shares of a unit pie, party 1 proposing first:
    (1 - d2) / (1 - d1 d2) and d2 (1 - d1) / (1 - d1 d2)."""
    if not (0 <= delta1 < 1 and 0 <= delta2 < 1):
        if delta1 == 1 and delta2 == 1:
            return 0.5, 0.5  # the limit of equal patience
        raise ValueError(f"discount factors must lie in [0, 1), got {delta1}, {delta2}")
    s1 = (1 - delta2) / (1 - delta1 * delta2)
    return s1, 1 - s1


def delta_from_rate(rate_per_day: float, period_days: float) -> float:
    """delta = exp(-r * period): the share of the surplus left after one period of delay."""
    return float(np.exp(-max(rate_per_day, 0.0) * period_days))


def rate_from_delta(delta: float, period_days: float) -> float:
    """r = -ln(delta) / period (per day)."""
    delta = min(max(delta, 1e-12), 1.0)
    return float(-np.log(delta) / period_days)


def frontier_curve(U: np.ndarray, d: np.ndarray) -> np.ndarray:
    """The two-party frontier of the packages no side finds worse than no deal, in gains
    v = u - d, sorted by v1 ascending (v2 descending): an (m, 2) array of Pareto-optimal
    gain points (empty when the ZOPA is empty)."""
    U = np.asarray(U, float)
    d = np.asarray(d, float)
    if U.shape[1] != 2:
        raise ValueError("the frontier curve needs exactly two parties")
    if not zopa_mask(U, d).any():
        return np.empty((0, 2))
    weak = np.all(U >= d[None, :] - 1e-12, axis=1)  # boundary points count (a side may get nothing)
    V = np.maximum(U[weak] - d[None, :], 0.0)
    V = V[pareto_mask(V)]
    V = np.unique(np.round(V, 12), axis=0)
    return V[np.argsort(V[:, 0], kind="stable")]


def _g(curve: np.ndarray, a: float) -> float:
    """Party 2's largest gain when party 1 gets at least ``a`` (linear between frontier points)."""
    v1, v2 = curve[:, 0], curve[:, 1]
    if a <= v1[0]:
        return float(v2[0])
    if a > v1[-1]:
        return 0.0
    return float(np.interp(a, v1, v2))


@dataclass(frozen=True)
class RubinsteinPoint:
    """Equilibrium of alternating offers on a frontier (gains over disagreement)."""

    first: int  # 0 or 1: who proposes first
    gains: tuple[float, float]  # the first proposer's offer x*, accepted at once
    other_offer: tuple[float, float]  # what the other party would propose, y*
    deltas: tuple[float, float]


def rubinstein_point(
    U: np.ndarray, d: np.ndarray, deltas: tuple[float, float], first: int = 0
) -> RubinsteinPoint | None:
    """Subgame-perfect agreement of alternating offers on the frontier of ``U``.

    With party p proposing first and q second, find a (p's gain in p's proposal) with
    g_q(a) = delta_q * g_q(delta_p * a): the responder q is indifferent between p's
    offer now and its own counter-offer next period, and p's gain in q's counter-offer
    is delta_p * a. Solved by bisection on the piecewise-linear frontier. On the
    linear frontier v1 + v2 = 1 this gives a = (1 - d_q) / (1 - d_p d_q).
    """
    curve = frontier_curve(U, d)
    if curve.shape[0] == 0:
        return None
    p, q = first, 1 - first
    dp, dq = deltas[p], deltas[q]
    c = curve if p == 0 else curve[::-1, ::-1].copy()  # axis 0 = proposer's gain

    def h(a: float) -> float:
        return _g(c, a) - dq * _g(c, dp * a)

    lo, hi = 0.0, float(c[:, 0].max())
    if h(hi) >= 0:
        a = hi
    else:
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            if h(mid) >= 0:
                lo = mid
            else:
                hi = mid
        a = lo
    x = (a, _g(c, a))
    y = (dp * a, _g(c, dp * a))
    if p == 1:
        x, y = (x[1], x[0]), (y[1], y[0])
    return RubinsteinPoint(
        first,
        (float(x[0]), float(x[1])),
        (float(y[0]), float(y[1])),
        (float(deltas[0]), float(deltas[1])),
    )


def nearest_package(U: np.ndarray, d: np.ndarray, point: np.ndarray, among: np.ndarray | None = None) -> int:
    """The package whose utilities lie closest (Euclidean, in units of each party's
    ZOPA range) to a point in utility space; restricted to ``among`` when given."""
    U = np.asarray(U, float)
    d = np.asarray(d, float)
    span = np.maximum(ideal_point(U, d) - d, 1e-12)
    dist = (((U - np.asarray(point, float)[None, :]) / span[None, :]) ** 2).sum(axis=1)
    if among is not None and np.asarray(among).any():
        dist = np.where(among, dist, np.inf)
    return int(np.argmin(dist))


def frontier_dominates(full: np.ndarray, restricted: np.ndarray, tol: float = 1e-9) -> bool:
    """True when every point of ``restricted`` is weakly dominated by a point of ``full``."""
    full = np.asarray(full, float)
    for p in np.asarray(restricted, float):
        if not np.any(np.all(full >= p[None, :] - tol, axis=1)):
            return False
    return True
