"""Multi-stakeholder forecasting models on one issue dimension: pure NumPy kernels.

Every model takes actors i = 1..n with a position x_i on the issue's scale, a capability
c_i >= 0 (clout, resources) and a salience s_i in [0, 1] (how much the issue matters to
them), and predicts the collective outcome on that scale. These are the standard models
of the applied literature on forecasting collective decisions; each is re-implemented
here from its published description (no code copied):

- **Compromise model** (van den Bos 1991; Achen 2006, in Thomson et al., *The European
  Union Decides*, ch. 4; the baseline of the DEU data-set comparisons): the capability
  and salience weighted mean, outcome = sum_i c_i s_i x_i / sum_i c_i s_i. Achen shows it
  is the Nash bargaining solution of actors with quadratic losses weighted by c_i s_i.
- **Weighted median** (Black 1948, "On the rationale of group decision-making"): the
  position x_m at which the cumulative weight w_i = c_i s_i of the actors sorted by
  position first reaches half of the total. With single-peaked preferences (actor i
  prefers a position closer to x_i) it is the Condorcet winner of weighted pairwise
  majority votes; :func:`condorcet_winner` checks that on the candidates.
- **Challenge model** (Bueno de Mesquita 1994, "Political forecasting: an expected
  utility method", in Bueno de Mesquita & Stokman (eds.), *European Community Decision
  Making*; as reconstructed by Scholz, Calbert & Smith 2011, "Unravelling Bueno de
  Mesquita's group decision model", J. Theoretical Politics 23(4)): actors challenge one
  another when the expected utility of a challenge is positive; the weaker side of a
  dyad moves to (compel, conflict) or towards (compromise) the stronger one; repeated for
  a number of rounds; the forecast is the weighted median of the final positions. The
  equations are in :func:`challenge_round`. This is our own reading (per-pair probabilities
  from linear utilities, offers judged by the proposer); the reading that reproduces Scholz et
  al.'s published results on BDM's example is :mod:`chokepoints.negotiation.bdm_scholz`.
- **Exchange model** (Stokman & van Oosten 1994, "The exchange of voting positions", in
  the same volume): two actors on opposite sides of the expected outcome of two issues
  trade: each moves its position on the issue it cares less about towards the other,
  as far as keeps both better off; see :func:`exchange`.

Utilities in the challenge model use the normalised distance |x_i - x_j| / R, with R the
range of the scale (max - min of the positions unless given).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _arrays(x: np.ndarray, c: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x, c, s = (np.asarray(a, float) for a in (x, c, s))
    if not (x.shape == c.shape == s.shape) or x.ndim != 1 or x.size == 0:
        raise ValueError("positions, capabilities and saliences must be 1-D arrays of one length (>= 1)")
    if (c < 0).any() or (s < 0).any():
        raise ValueError("capabilities and saliences must be >= 0")
    return x, c, s


def compromise(x: np.ndarray, c: np.ndarray, s: np.ndarray) -> float:
    """The compromise model: sum_i c_i s_i x_i / sum_i c_i s_i (plain mean when all weights are 0)."""
    x, c, s = _arrays(x, c, s)
    w = c * s
    return float(np.average(x, weights=w)) if w.sum() > 0 else float(x.mean())


def weighted_median(x: np.ndarray, w: np.ndarray) -> float:
    """Black's weighted median: the smallest position whose cumulative weight reaches half the total.

    With weights w_i = c_i s_i. Ties at exactly one half pick the lower position (a
    convention; the interval between the two positions is then the set of medians).
    """
    x, w = np.asarray(x, float), np.asarray(w, float)
    if w.sum() <= 0:
        w = np.ones_like(x)
    order = np.argsort(x, kind="stable")
    cum = np.cumsum(w[order])
    k = int(np.searchsorted(cum, 0.5 * cum[-1] - 1e-12 * cum[-1]))
    return float(x[order][min(k, x.size - 1)])


def pairwise_margin(x: np.ndarray, w: np.ndarray, a: float, b: float) -> float:
    """Weighted votes for a minus votes for b; actor i votes for the candidate nearer x_i (abstains on ties)."""
    x, w = np.asarray(x, float), np.asarray(w, float)
    da, db = np.abs(x - a), np.abs(x - b)
    return float(w[da < db].sum() - w[db < da].sum())


def condorcet_winner(x: np.ndarray, w: np.ndarray, candidates: np.ndarray | None = None) -> float | None:
    """The candidate that beats or ties every other in weighted pairwise majority, or None.

    Candidates default to the actors' positions. On one dimension with single-peaked
    preferences the weighted median always qualifies (Black 1948); the check is there
    for candidate sets that exclude it (a discrete menu) and as a test of the median.
    """
    cand = np.unique(np.asarray(x if candidates is None else candidates, float))
    for a in cand:
        if all(pairwise_margin(x, w, a, b) >= -1e-12 for b in cand if b != a):
            return float(a)
    return None


# ----------------------------------------------------------------------------------------
# The challenge model (Bueno de Mesquita 1994; Scholz, Calbert & Smith 2011)
#
# The kernels work on a batch of independent issues: x, c, s of shape (B, n); the public
# functions also take one issue, shape (n,), and answer for that one.
# ----------------------------------------------------------------------------------------
def _u(d: np.ndarray, r: np.ndarray | float) -> np.ndarray:
    """BdM's utility of a normalised distance term: 2 - 4 (d)^r, d in [0, 1]."""
    return 2.0 - 4.0 * np.power(np.clip(d, 0.0, 1.0), r)


def _batch(*arrays: np.ndarray) -> tuple[bool, list[np.ndarray]]:
    arrs = [np.asarray(a, float) for a in arrays]
    one = arrs[0].ndim == 1
    n = arrs[0].shape[-1]
    B = 1 if one else arrs[0].shape[0]
    return one, [np.broadcast_to(a.reshape(-1, n) if a.ndim else a, (B, n)) for a in arrs]


def _weighted_median_b(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    w = np.where(w.sum(axis=1, keepdims=True) > 0, w, 1.0)
    order = np.argsort(x, axis=1, kind="stable")
    xs = np.take_along_axis(x, order, axis=1)
    cum = np.cumsum(np.take_along_axis(w, order, axis=1), axis=1)
    half = 0.5 * cum[:, -1:] * (1 - 1e-12)
    k = np.minimum((cum < half).sum(axis=1), x.shape[1] - 1)
    return xs[np.arange(x.shape[0]), k]


def _win_probability_b(x: np.ndarray, w: np.ndarray, R: float) -> np.ndarray:
    u = 1.0 - 2.0 * np.abs(x[:, :, None] - x[:, None, :]) / R  # u[b, k, i] = u_k(x_i)
    v = w[:, :, None, None] * (u[:, :, :, None] - u[:, :, None, :])  # v[b, k, i, j]
    pos = np.clip(v, 0, None).sum(axis=1)
    tot = np.abs(v).sum(axis=1)
    return np.where(tot > 0, pos / np.where(tot > 0, tot, 1.0), 0.5)


def win_probability(x: np.ndarray, c: np.ndarray, s: np.ndarray, R: float) -> np.ndarray:
    """P[i, j]: probability that i prevails over j in a contest that every actor joins.

    Actor k's utility of position y is u_k(y) = 1 - 2 |x_k - y| / R; k lends
    v_k(i, j) = c_k s_k (u_k(x_i) - u_k(x_j)) to the side it prefers, and
    P[i, j] = sum_k max(v_k(i, j), 0) / sum_k |v_k(i, j)| (0.5 when nobody cares).
    """
    one, (xb, cb, sb) = _batch(x, c, s)
    P = _win_probability_b(xb, cb * sb, R)
    return P[0] if one else P


def _eu_b(x: np.ndarray, c: np.ndarray, s: np.ndarray, r: np.ndarray, R: float, Q: float, T: float) -> np.ndarray:
    """EU with a risk array r broadcast against (B, i, j): (B, n, 1) for own risk, (B, n, 1, 1) per perspective."""
    d = np.abs(x[:, :, None] - x[:, None, :]) / R
    mu = _weighted_median_b(x, c * s)
    e = (np.abs(x - mu[:, None])[:, :, None] + d * R) / (4.0 * R)
    P = _win_probability_b(x, c * s, R)
    if r.ndim == 4:  # one matrix per perspective p: (B, p, i, j)
        d, e, P, sj = d[:, None], e[:, None], P[:, None], s[:, None, None, :]
    else:
        sj = s[:, None, :]
    Us, Uf = _u(0.5 - 0.5 * d, r), _u(0.5 + 0.5 * d, r)
    Uq = _u(np.full_like(d, 0.5), r)
    sq = Q * Uq
    if Q != 1.0:
        sq = sq + (1 - Q) * (T * _u(0.5 - e, r) + (1 - T) * _u(0.5 + e, r))
    eu = sj * (P * Us + (1 - P) * Uf) + (1 - sj) * Us - sq
    n = x.shape[1]
    idx = np.arange(n)
    eu[..., idx, idx] = 0.0
    return eu


def expected_utility(
    x: np.ndarray,
    c: np.ndarray,
    s: np.ndarray,
    r: np.ndarray,
    R: float,
    Q: float = 1.0,
    T: float = 1.0,
) -> np.ndarray:
    """EU[i, j]: i's expected utility of challenging j, seen with i's risk exponent r_i.

    With d = |x_i - x_j| / R, mu the weighted median and e = (|x_i - mu| + |x_i - x_j|) / (4 R)::

        U_s = 2 - 4 (0.5 - 0.5 d)^r     (success: j moves to i)
        U_f = 2 - 4 (0.5 + 0.5 d)^r     (failure: i moves to j)
        U_b = 2 - 4 (0.5 - e)^r         (status quo, things get better)
        U_w = 2 - 4 (0.5 + e)^r         (status quo, things get worse)
        U_q = 2 - 4 (0.5)^r             (status quo unchanged)
        EU = s_j (P U_s + (1 - P) U_f) + (1 - s_j) U_s - (Q U_q + (1 - Q)(T U_b + (1 - T) U_w))

    P = P[i, j] of :func:`win_probability`; Q and T default to 1 as in Scholz et al. 2011.
    """
    one, (xb, cb, sb, rb) = _batch(x, c, s, r)
    eu = _eu_b(xb, cb, sb, rb[:, :, None], R, Q, T)
    return eu[0] if one else eu


def _risk_b(x: np.ndarray, c: np.ndarray, s: np.ndarray, R: float) -> np.ndarray:
    eu = _eu_b(x, c, s, np.ones((x.shape[0], x.shape[1], 1)), R, 1.0, 1.0)
    exposure = eu.sum(axis=1)  # sum_j EU[j, i]
    lo, hi = exposure.min(axis=1, keepdims=True), exposure.max(axis=1, keepdims=True)
    span = hi - lo
    Ri = np.where(span > 1e-12, (2 * exposure - hi - lo) / np.where(span > 1e-12, span, 1.0), 0.0)
    return (1 - Ri / 3) / (1 + Ri / 3)


def risk_exponents(x: np.ndarray, c: np.ndarray, s: np.ndarray, R: float) -> np.ndarray:
    """r_i = (1 - R_i / 3) / (1 + R_i / 3), in [0.5, 2], from i's exposure to challenges.

    With risk-neutral utilities (r = 1), the exposure of i is the sum of others' expected
    utilities of challenging i, sum_j EU[j, i]; R_i = (2 sum_j EU[j, i] - max - min) / (max - min)
    over the exposures of all actors (Bueno de Mesquita 1985; Scholz et al. 2011): the actor
    most exposed to challenges is treated as the most risk acceptant (R_i = 1, r_i = 0.5).
    All exposures equal: r_i = 1.
    """
    one, (xb, cb, sb) = _batch(x, c, s)
    r = _risk_b(xb, cb, sb, R)
    return r[0] if one else r


def _challenge_round_b(x: np.ndarray, c: np.ndarray, s: np.ndarray, R: float) -> np.ndarray:
    B, n = x.shape
    r = _risk_b(x, c, s, R)
    E = _eu_b(x, c, s, r[:, :, None, None], R, 1.0, 1.0)  # E[b, p, i, j]
    idx = np.arange(n)
    a = E[:, idx, idx, :]  # a[b, i, j] = E[b, i, i, j]
    b = E[:, idx, :, idx].transpose(1, 0, 2)  # b[b, i, j] = E[b, i, j, i]
    xi, xj = x[:, :, None], x[:, None, :]
    valid = (xi != xj) & (a > 0) & (a > b)
    full = (b > 0) | (np.abs(a) >= np.abs(b))
    with np.errstate(divide="ignore", invalid="ignore"):
        part = xj + (xi - xj) * np.abs(a / np.where(b != 0, b, 1.0))
    offer = np.where(full, np.broadcast_to(xi, (B, n, n)), part)  # offer[b, i, j]: i's offer to j
    dist = np.where(valid, np.abs(offer - xj), np.inf)
    best = dist.argmin(axis=1)  # (B, j): the first of the nearest offers
    rows = np.arange(B)[:, None]
    got = np.isfinite(dist[rows, best, idx[None, :]])
    return np.where(got, offer[rows, best, idx[None, :]], x)


def challenge_round(x: np.ndarray, c: np.ndarray, s: np.ndarray, R: float) -> np.ndarray:
    """One round of offers: every actor's new position.

    For each dyad, i looks at EU[i, j] (its challenge of j) and its estimate of EU[j, i]
    (j's challenge of i, with i's risk exponent). i makes j an offer when EU[i, j] > 0 and
    EU[i, j] > EU[j, i]:

    - conflict (EU[j, i] > 0) or compel (EU[j, i] <= 0 and |EU[i, j]| >= |EU[j, i]|):
      j is offered x_i;
    - compromise (EU[j, i] < 0 and |EU[i, j]| < |EU[j, i]|): j is offered
      x_j + (x_i - x_j) |EU[i, j] / EU[j, i]|.

    Each actor accepts, among the offers it receives, the one nearest its own position
    (the least it must give up; Scholz et al. 2011, sect. 3); without offers it stays.
    """
    one, (xb, cb, sb) = _batch(x, c, s)
    out = _challenge_round_b(xb, cb, sb, R)
    return out[0] if one else out


@dataclass(frozen=True)
class ChallengeResult:
    forecast: float  # weighted median of the final positions
    mean: float  # compromise (weighted mean) of the final positions
    history: np.ndarray  # (rounds + 1, n) positions
    converged: bool


def challenge_batch(
    x: np.ndarray, c: np.ndarray, s: np.ndarray, rounds: int = 10, R: float = 1.0, tol: float = 1e-9
) -> np.ndarray:
    """Forecasts (weighted medians of the final positions) of B independent issues, x, c, s: (B, n)."""
    _, (xb, cb, sb) = _batch(x, c, s)
    cur = np.array(xb)
    for _ in range(max(int(rounds), 0)):
        nxt = _challenge_round_b(cur, cb, sb, R)
        moved = np.abs(nxt - cur).max()
        cur = nxt
        if moved <= tol:
            break
    return _weighted_median_b(cur, cb * sb)


def challenge(
    x: np.ndarray,
    c: np.ndarray,
    s: np.ndarray,
    rounds: int = 10,
    R: float | None = None,
    tol: float = 1e-9,
) -> ChallengeResult:
    """Repeat :func:`challenge_round` up to ``rounds`` times (stop when nobody moves)."""
    x, c, s = _arrays(x, c, s)
    rng = float(R) if R is not None else float(x.max() - x.min())
    hist = [x.copy()]
    if rng <= 0:
        return ChallengeResult(float(x[0]), float(x[0]), np.array(hist), True)
    converged = False
    for _ in range(max(int(rounds), 0)):
        nxt = challenge_round(hist[-1], c, s, rng)
        hist.append(nxt)
        if np.abs(nxt - hist[-2]).max() <= tol:
            converged = True
            break
    last = hist[-1]
    return ChallengeResult(weighted_median(last, c * s), compromise(last, c, s), np.array(hist), converged)


# ----------------------------------------------------------------------------------------
# The exchange model (Stokman & van Oosten 1994), two issues at a time
# ----------------------------------------------------------------------------------------
def exchange(X: np.ndarray, c: np.ndarray, S: np.ndarray, rounds: int = 5) -> np.ndarray:
    """Positions after vote exchanges on several issues; X and S are (n actors, K issues).

    Each round: the expected outcome of issue k is the compromise o_k = sum c s x / sum c s.
    A pair (i, j) can trade on issues (k, l) when they sit on opposite sides of o_k and of
    o_l and their salience ratios differ: i cares relatively more for k
    (S_ik / S_il > S_jk / S_jl). Then j moves on k towards i and i moves on l towards j.
    Moving j's position on k by a shifts o_k by d_k a towards i (d_k = c_j S_jk / W_k,
    W_k = sum c s), which i values at S_ik and j pays S_jk per unit; likewise i's move b on
    l shifts o_l by d_l b (d_l = c_i S_il / W_l). Net gains
    G_i = S_ik d_k a - S_il d_l b and G_j = S_jl d_l b - S_jk d_k a are made equal (the
    "equal gain" rule of Stokman & van Oosten): b = a d_k (S_ik + S_jk) / (d_l (S_il + S_jl)),
    so G_i = G_j = d_k a (S_ik S_jl - S_il S_jk) / (S_il + S_jl) > 0. The moves are capped
    so neither actor crosses the expected outcome.
    The best trade (largest joint salience gain) of each round is made, one at a time,
    until none is left or ``rounds`` trades are done. Returns the final positions.
    """
    X = np.asarray(X, float).copy()
    S = np.asarray(S, float)
    c = np.asarray(c, float)
    n, K = X.shape
    not_self = ~np.eye(n, dtype=bool)[:, :, None, None] & ~np.eye(K, dtype=bool)[None, None, :, :]
    Sik, Sjk = S[:, None, :, None], S[None, :, :, None]
    Sim, Sjm = S[:, None, None, :], S[None, :, None, :]
    ratio_ok = Sik * Sjm > Sjk * Sim
    for _ in range(max(int(rounds), 0)):
        W = (c[:, None] * S).sum(axis=0)
        Wsafe = np.where(W > 0, W, 1.0)
        o = (c[:, None] * S * X).sum(axis=0) / Wsafe
        side = X - o[None, :]
        opp = side[:, None, :] * side[None, :, :] < 0  # (i, j, issue): on opposite sides
        cond = not_self & ratio_ok & opp[:, :, :, None] & opp[:, :, None, :]
        room_j = np.abs(side)[None, :, :, None]  # j's room on k
        room_i = np.abs(side)[:, None, None, :]  # i's room on m
        dk = (c[:, None] * S / Wsafe[None, :])[None, :, :, None]
        dm = (c[:, None] * S / Wsafe[None, :])[:, None, None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = dk * (Sik + Sjk) / np.maximum(dm * (Sim + Sjm), 1e-300)
            a = np.minimum(room_j, np.where(ratio > 0, room_i / ratio, room_j))
            gain = 2 * dk * a * (Sik * Sjm - Sim * Sjk) / (Sim + Sjm)
        ok = cond & (a > 1e-12) & np.isfinite(gain)
        if not ok.any():
            break
        flat = int(np.argmax(np.where(ok, gain, -np.inf)))
        i, j, k, m = np.unravel_index(flat, ok.shape)
        av = float(a[i, j, k, m])
        bv = av * float(ratio[i, j, k, m])
        X[j, k] += np.sign(X[i, k] - X[j, k]) * av
        X[i, m] += np.sign(X[j, m] - X[i, m]) * bv
    return X


def exchange_forecast(X: np.ndarray, c: np.ndarray, S: np.ndarray, rounds: int = 5) -> np.ndarray:
    """The compromise outcome of each issue after :func:`exchange`: (K,) positions."""
    Xn = exchange(X, c, S, rounds)
    S = np.asarray(S, float)
    W = (np.asarray(c, float)[:, None] * S).sum(axis=0)
    return (np.asarray(c, float)[:, None] * S * Xn).sum(axis=0) / np.where(W > 0, W, 1.0)
