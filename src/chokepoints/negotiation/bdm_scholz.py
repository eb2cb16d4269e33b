"""Bueno de Mesquita's expected-utility ("challenge") model as read by Scholz, Calbert & Smith.

Scholz, J. B., Calbert, G. J. and Smith, G. A. (2011), "Unravelling Bueno de Mesquita's
group decision model", ICAART 2011, pp. 18-30 (doi:10.5220/0003121500180030; journal
version J. Theoretical Politics 23(4)), reconstruct the model of Bueno de Mesquita (1994,
"Political forecasting: an expected utility method", in Bueno de Mesquita & Stokman (eds.),
*European Community Decision Making*) and replicate its example (the emission-standards case,
``chokepoints.negotiation.cases``). Re-implemented here from the paper's Appendix (no code
copied). Actors i = 1..n have a position x_i, capability c_i >= 0 and salience s_i in [0, 1];
R = max - min of the initial positions (fixed over the rounds); r_i is i's risk exponent.

One round (the Appendix, steps 2-11):

1. r_i = 1 for every actor.
2. Votes of actor k for position a against b (eqs. 26-28; see reading 2):
   v_k(a, b) = c_k s_k ((|x_k - x_b| / R)^rho_k - (|x_k - x_a| / R)^rho_k), rho_k = r_k.
3. Probability that i prevails over j (eqs. 30-31; see reading 1):
   P(i, j) = sum_k max(v_k(i, j), 0) / N, with N = sum_k sum_a sum_b |v_k(a, b)| over all
   ordered pairs of actors (a, b); P(i, j) = 0 when x_i = x_j.
4. Basic utilities seen by a perspective p with risk exponent r_p, for a challenging b,
   d = |x_a - x_b| / R, mu the weighted median (Condorcet winner) of the positions:
   U_s = 2 - 4 (0.5 - 0.5 d)^r_p; U_f = 2 - 4 (0.5 + 0.5 d)^r_p; U_sq = 2 - 4 (0.5)^r_p;
   U_b = 2 - 4 (0.5 - 0.25 (|x_a - mu| + |x_a - x_b|) / R)^r_p; U_w the same with +.
5. Expected utility of a challenging b (eqs. 5-7, 25):
   E(a, b) = s_b (P(a, b) U_s + (1 - P(a, b)) U_f) + (1 - s_b) U_s
             - Q U_sq - (1 - Q) (T U_b + (1 - T) U_w),
   T = 1 when b moving to mu brings it nearer a (|x_a - mu| < |x_a - x_b|; Scholz's cases
   1 and 3A), else 0. Scholz take Q = 1 for this example (p. 26), so U_b, U_w, T drop out.
6. Security and risk (eqs. 32-34, 33), from step 5 with every r = 1:
   Sec_i = sum_{j != i} E(j, i);  R_i = (2 Sec_i - max_k Sec_k - min_k Sec_k) / (max - min);
   r_i = (1 - R_i / 3) / (1 + R_i / 3), in [0.5, 2] (all Sec equal: r_i = 1).
7. Steps 2-5 again with these r_i. Actor i then looks at every j (x_j != x_i) through its own
   eyes, a = E^i(i, j), b = E^i(j, i) (see reading 3), and j's "offer" to i is (fig. 6):
   - confrontation, b > a > 0: i moves to x_j;
   - compromise, a < 0 < b and b > |a|: i moves to x_i + (x_j - x_i) |a / b| (eq. 36);
   - compel, a < 0 < b and b <= |a|: i moves to x_j;
   - otherwise no offer. Actors at the same position make none.
8. i accepts one offer (sect. 6.2; see reading 4): a confrontation if it has one (the one
   nearest x_i), else a compromise, else a compel offer (the nearest); ties go to the proposer
   with the higher expected utility b, then to the lower position. All actors move at once.

The forecast of a round is the weighted median of the new positions (votes w_i = c_i s_i, the
Condorcet winner of step 2 with r = 1); the "mean" is sum c s x / sum c s (Scholz et al.'s
Table 2 reports both, without defining the mean).

Readings where the paper's printed equations and its published results part (each is an
option; the defaults are the readings that reproduce Scholz et al.'s Table 2 and the
quadrants of BDM's Figures 7 and 8, see ``tests/test_negotiation_cases.py``):

1. ``normalise="all_pairs"``: eq. 31 as printed normalises by the votes on the one pair
   (``"pair"``: P(i, j) + P(j, i) = 1). With that, the round-1 median stays at 7.0 years where
   the paper reports 8.4; normalising by all pairs (a property of Scholz et al.'s own code
   according to a public replication's notes, jmckib/bdm-scholz-expected-utility-model) gives
   8.416 and the rest of their table.
2. ``vote_risk=True``: votes use each voter's risk exponent; eq. 28 uses the linear utility
   1 - 2 |x_k - x| / R (``False``; changes the third decimal here).
3. ``perspective="receiver"``: both expected utilities of a dyad use the receiver's r_i, as
   BDM's Figure 7 shows (every "others" value from Belgium's view is the same, 0.24); eq. 25b
   gives j's own r_j to E^j (``"own"``; then Belgium moves to 10 and stays, unlike Table 2).
4. ``compromise_choice="weighted_average"``: among compromise offers i takes the one with the
   lowest enforceability-weighted average (|a| x_i + |b| x_j) / (|a| + |b|) (the same
   replication's notes on Scholz et al.'s code). Sect. 6.2 says "move the least"
   (``"least_move"``); without this rule Belgium never swings back to 4.8 in round 4 and the
   medians 7.4, 8.8, 9.6 of rounds 6-8 do not appear.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from .stakeholders import compromise, weighted_median

Normalise = Literal["all_pairs", "pair"]
Perspective = Literal["receiver", "own"]
CompromiseChoice = Literal["weighted_average", "least_move"]
KINDS = ("confrontation", "compromise", "compel")


@dataclass(frozen=True)
class Move:
    """Actor ``actor`` accepted ``kind`` from ``proposer`` and moved to ``to``."""

    actor: int
    proposer: int
    kind: str
    to: float
    eu_actor: float  # a = E^i(i, j)
    eu_proposer: float  # b = E^i(j, i)


@dataclass(frozen=True)
class ScholzRound:
    risk: np.ndarray  # (n,) r_i of the round
    eu: np.ndarray  # (n, n): eu[i, j] = E^i(i, j), i's view of challenging j (second pass)
    eu_seen: np.ndarray  # (n, n): eu_seen[i, j] = E^i(j, i), i's view of j challenging i
    moves: tuple[Move, ...]
    positions: np.ndarray  # (n,) after the round


@dataclass(frozen=True)
class ScholzResult:
    history: np.ndarray  # (rounds + 1, n) positions, row 0 the input
    median: np.ndarray  # (rounds + 1,) weighted median of each row
    mean: np.ndarray  # (rounds + 1,) compromise (c s weighted mean) of each row
    rounds: tuple[ScholzRound, ...]


def _check(x: np.ndarray, c: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x, c, s = (np.asarray(a, float) for a in (x, c, s))
    if not (x.shape == c.shape == s.shape) or x.ndim != 1 or x.size == 0:
        raise ValueError("positions, capabilities and saliences must be 1-D arrays of one length (>= 1)")
    if not (np.isfinite(x).all() and np.isfinite(c).all() and np.isfinite(s).all()):
        raise ValueError("positions, capabilities and saliences must be finite")
    if (c < 0).any() or (s < 0).any() or (s > 1).any():
        raise ValueError("capabilities must be >= 0 and saliences in [0, 1]")
    return x, c, s


def win_probability(x: np.ndarray, w: np.ndarray, rho: np.ndarray, R: float, normalise: Normalise) -> np.ndarray:
    """P[i, j] of step 3: the votes for i over j, over the normaliser of ``normalise``."""
    D = np.abs(x[:, None] - x[None, :]) / R  # D[k, a] = |x_k - x_a| / R
    Dr = np.power(D, rho[:, None])
    v = w[:, None, None] * (Dr[:, None, :] - Dr[:, :, None])  # v[k, a, b]
    num = np.clip(v, 0.0, None).sum(axis=0)
    if normalise == "all_pairs":
        den = np.full_like(num, np.abs(v).sum())
    else:
        den = np.abs(v).sum(axis=0)
    P = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
    P[x[:, None] == x[None, :]] = 0.0
    return P


def expected_utility(
    x: np.ndarray, s: np.ndarray, P: np.ndarray, r: np.ndarray, R: float, Q: float, mu: float
) -> np.ndarray:
    """E[p, a, b] of step 5: a challenging b, seen by perspective p with risk exponent r[p]."""
    d = np.abs(x[:, None] - x[None, :]) / R
    rp = r[:, None, None]
    Us = 2.0 - 4.0 * np.power(0.5 - 0.5 * d, rp)
    Uf = 2.0 - 4.0 * np.power(0.5 + 0.5 * d, rp)
    Usq = 2.0 - 4.0 * np.power(0.5, rp)
    E = s[None, None, :] * (P * Us + (1.0 - P) * Uf) + (1.0 - s[None, None, :]) * Us - Q * Usq
    if Q != 1.0:
        to_mu = np.abs(x - mu)[:, None]
        e = np.clip(0.25 * (to_mu + d * R) / R, 0.0, 0.5)
        Ub = 2.0 - 4.0 * np.power(0.5 - e, rp)
        Uw = 2.0 - 4.0 * np.power(0.5 + e, rp)
        T = (to_mu < d * R).astype(float)
        E = E - (1.0 - Q) * (T * Ub + (1.0 - T) * Uw)
    idx = np.arange(x.size)
    E[:, idx, idx] = 0.0
    return E


def _risk(x: np.ndarray, c: np.ndarray, s: np.ndarray, R: float, Q: float, normalise: Normalise) -> np.ndarray:
    ones = np.ones_like(x)
    P = win_probability(x, c * s, ones, R, normalise)
    E1 = expected_utility(x, s, P, ones[:1], R, Q, weighted_median(x, c * s))[0]
    sec = E1.sum(axis=0)  # Sec_i = sum_j E(j, i)
    span = sec.max() - sec.min()
    if span <= 1e-12:
        return ones
    Ri = (2.0 * sec - sec.max() - sec.min()) / span
    return (1.0 - Ri / 3.0) / (1.0 + Ri / 3.0)


def risk_exponents(
    x: np.ndarray, c: np.ndarray, s: np.ndarray, R: float, Q: float = 1.0, normalise: Normalise = "all_pairs"
) -> np.ndarray:
    """Step 6: r_i from the security levels Sec_i = sum_j E(j, i), computed with every r = 1."""
    x, c, s = _check(x, c, s)
    return _risk(x, c, s, R, Q, normalise)


def _choose(i: int, x: np.ndarray, a: np.ndarray, b: np.ndarray, choice: CompromiseChoice) -> Move | None:
    """Step 8 for receiver i: a[j] = E^i(i, j), b[j] = E^i(j, i)."""
    n = x.size
    ok = (np.arange(n) != i) & (x != x[i])
    kinds = {
        "confrontation": ok & (b > a) & (a > 0),
        "compromise": ok & (a < 0) & (b > 0) & (b > np.abs(a)),
        "compel": ok & (a < 0) & (b > 0) & (b <= np.abs(a)),
    }
    with np.errstate(divide="ignore", invalid="ignore"):
        part = x[i] + (x - x[i]) * np.abs(a / np.where(b != 0, b, 1.0))
        wavg = (np.abs(a) * x[i] + np.abs(b) * x) / (np.abs(a) + np.abs(b))
    for kind in KINDS:
        cand = np.flatnonzero(kinds[kind])
        if cand.size == 0:
            continue
        to = part if kind == "compromise" else x
        if kind == "compromise" and choice == "weighted_average":
            key = wavg
        else:
            key = np.abs(to - x[i])
        # ties (same key): the proposer with the higher expected utility (sect. 6.2: "concede to the
        # actor with highest expected utility"), then the lower position; never the actors' order
        j = int(cand[np.lexsort((to[cand], np.round(-b[cand], 12), np.round(key[cand], 12)))[0]])
        return Move(i, j, kind, float(to[j]), float(a[j]), float(b[j]))
    return None


def scholz_round(
    x: np.ndarray,
    c: np.ndarray,
    s: np.ndarray,
    R: float,
    Q: float = 1.0,
    normalise: Normalise = "all_pairs",
    vote_risk: bool = True,
    perspective: Perspective = "receiver",
    compromise_choice: CompromiseChoice = "weighted_average",
) -> ScholzRound:
    """One round (steps 1-8 of the module docstring); positions after it and what led there."""
    x, c, s = _check(x, c, s)
    if R <= 0:
        raise ValueError("the range R of the positions must be > 0")
    n = x.size
    w = c * s
    r = _risk(x, c, s, R, Q, normalise)
    P = win_probability(x, w, r if vote_risk else np.ones(n), R, normalise)
    E = expected_utility(x, s, P, r, R, Q, weighted_median(x, w))  # E[p, a, b]
    idx = np.arange(n)
    eu = E[idx, idx, :]  # E^i(i, j)
    seen = E[idx, :, idx] if perspective == "receiver" else E[idx, idx, :].T  # E^i(j, i) or E^j(j, i)
    moves = []
    new = x.copy()
    for i in range(n):
        mv = _choose(i, x, eu[i], seen[i], compromise_choice)
        if mv is not None:
            moves.append(mv)
            new[i] = mv.to
    return ScholzRound(r, eu, seen, tuple(moves), new)


def scholz_model(
    x: np.ndarray,
    c: np.ndarray,
    s: np.ndarray,
    rounds: int = 8,
    R: float | None = None,
    Q: float = 1.0,
    normalise: Normalise = "all_pairs",
    vote_risk: bool = True,
    perspective: Perspective = "receiver",
    compromise_choice: CompromiseChoice = "weighted_average",
) -> ScholzResult:
    """Run ``rounds`` rounds; R defaults to the range of the initial positions.

    Scholz et al. find no convergence ("In general the results do not stabilise", p. 28), so
    there is no stopping rule: every round is run and reported.
    """
    x, c, s = _check(x, c, s)
    if not 0.0 <= Q <= 1.0:
        raise ValueError("Q (probability of the status quo) must be in [0, 1]")
    rng = float(R) if R is not None else float(x.max() - x.min())
    hist = [x.copy()]
    done: list[ScholzRound] = []
    for _ in range(max(int(rounds), 0)):
        if rng <= 0:
            hist.append(hist[-1].copy())
            continue
        rd = scholz_round(hist[-1], c, s, rng, Q, normalise, vote_risk, perspective, compromise_choice)
        done.append(rd)
        hist.append(rd.positions)
    H = np.array(hist)
    w = c * s
    med = np.array([weighted_median(h, w) for h in H])
    mean = np.array([compromise(h, c, s) for h in H])
    return ScholzResult(H, med, mean, tuple(done))
