"""Alternating offers with a deadline: time-dependent and tit-for-tat concession strategies.

Two parties take turns; at step k the proposer offers a package and the other accepts
or counters. At the deadline without agreement talks break down and both get their
disagreement utility d_i.

Strategies (Faratin, Sierra & Jennings 1998, "Negotiation decision functions for
autonomous agents"):

- time-dependent: the proposer's target at step k, with tau = k / (deadline - 1), is
  target_i(k) = d_i + (best_i - d_i) * (1 - tau ** (1 / e)); ``boulware`` (e < 1,
  default 0.2) holds out until late, ``conceder`` (e > 1, default 3) gives ground
  early, ``linear`` is e = 1. The offer is the package, among those giving the
  proposer at least its target, that is best for the other side.
- ``tit_for_tat`` (relative tit-for-tat): the party gives up, as a share of its own
  range best_i - d_i, the share the other side gave up between its last two offers;
  its first two moves follow the linear schedule.

Time pressure from losses: a party's concession clock runs to the earlier of the
deadline and the step by which delay would have cost it a share ``1 - keep`` of its
surplus (default keep = 0.5, its half-life): T_i = min(deadline, ln(keep) / ln(delta_i)), and
tau_i = k / (T_i - 1). A party whose losses accumulate faster reaches its reservation
sooner.

Acceptance with discounting (the next-offer rule of Baarslag et al. 2014, with
Rubinstein's impatience): a party whose surplus shrinks by the factor delta_j per
step accepts x at step k when
    u_j(x) - d_j >= delta_j * (u_j(y) - d_j),
y being what it would itself propose at step k + 1. A party that hurts faster
(smaller delta_j, higher loss rate) accepts worse offers sooner: it concedes more.
Utilities of an agreement at step k are reported undiscounted and discounted,
d_i + delta_i ** k * (u_i - d_i).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .solutions import zopa_mask

STRATEGIES = ("boulware", "conceder", "linear", "tit_for_tat")
DEFAULT_EXPONENT = {"boulware": 0.2, "conceder": 3.0, "linear": 1.0, "tit_for_tat": 1.0}


@dataclass(frozen=True)
class Strategy:
    """A concession strategy: ``kind`` one of STRATEGIES, ``e`` the exponent."""

    kind: str = "boulware"
    e: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in STRATEGIES:
            raise ValueError(f"unknown strategy {self.kind!r}; expected one of {', '.join(STRATEGIES)}")

    @property
    def exponent(self) -> float:
        return float(self.e if self.e is not None else DEFAULT_EXPONENT[self.kind])

    def __str__(self) -> str:
        return self.kind if self.e is None else f"{self.kind}(e={self.e:g})"


@dataclass(frozen=True)
class Offer:
    step: int
    proposer: int
    package: int
    utilities: tuple[float, ...]
    accepted: bool


@dataclass
class ProtocolResult:
    """The path of offers and the agreement (``agreement`` None: breakdown)."""

    agreement: int | None
    step: int | None
    offers: list[Offer] = field(default_factory=list)
    utilities: tuple[float, ...] = ()
    discounted: tuple[float, ...] = ()
    deltas: tuple[float, float] = (1.0, 1.0)
    strategies: tuple[Strategy, Strategy] = (Strategy(), Strategy())
    deadline: int = 0
    first: int = 0

    @property
    def broke_down(self) -> bool:
        return self.agreement is None


class _Party:
    def __init__(
        self,
        i: int,
        U: np.ndarray,
        d: np.ndarray,
        allowed: np.ndarray,
        strategy: Strategy,
        deadline: int,
        delta: float,
        keep: float,
    ):
        self.i, self.U, self.d, self.allowed, self.s = i, U, d, allowed, strategy
        self.T = float(deadline)
        if 0 < delta < 1:
            self.T = min(self.T, max(np.log(keep) / np.log(delta), 1.0))
        self.best = float(U[allowed, i].max())
        self.range = max(self.best - float(d[i]), 1e-12)
        self.targets: list[float] = []  # own targets, in order of own moves

    def time_target(self, k: int) -> float:
        tau = min(k / max(self.T - 1, 1.0), 1.0)
        return float(self.d[self.i]) + self.range * (1.0 - tau ** (1.0 / self.s.exponent))

    def target(self, k: int, opp_offers: list[int]) -> float:
        if self.s.kind != "tit_for_tat" or len(self.targets) < 2 or len(opp_offers) < 2:
            return self.time_target(k)
        j = 1 - self.i
        opp = self.U[:, j]
        opp_range = max(float(self.U[self.allowed, j].max() - self.d[j]), 1e-12)
        gave = max(float(opp[opp_offers[-2]] - opp[opp_offers[-1]]), 0.0) / opp_range
        return max(self.targets[-1] - gave * self.range, float(self.d[self.i]))

    def offer_for(self, target: float) -> int:
        i, j = self.i, 1 - self.i
        ok = self.allowed & (self.U[:, i] >= target - 1e-12)
        if not ok.any():
            ok = self.allowed & (self.U[:, i] >= self.best - 1e-12)
        idx = np.flatnonzero(ok)
        # best for the other side; ties: best for me, then lowest index
        order = np.lexsort((idx, -self.U[idx, i], -self.U[idx, j]))
        return int(idx[order[0]])


def alternating_offers(
    U: np.ndarray,
    d: np.ndarray,
    deltas: tuple[float, float],
    strategies: tuple[Strategy, Strategy] = (Strategy(), Strategy()),
    deadline: int = 20,
    first: int = 0,
    keep: float = 0.5,
) -> ProtocolResult:
    """Simulate alternating offers over the packages of ``U`` (n x 2) with disagreement ``d``.

    Deterministic: the same inputs give the same path. Only packages in the ZOPA are
    ever offered; an empty ZOPA is an immediate breakdown.
    """
    U = np.asarray(U, float)
    d = np.asarray(d, float)
    if U.ndim != 2 or U.shape[1] != 2:
        raise ValueError("alternating offers needs utilities for exactly two parties")
    if deadline < 1:
        raise ValueError("deadline must be at least one step")
    allowed = zopa_mask(U, d)
    res = ProtocolResult(
        None,
        None,
        deltas=(float(deltas[0]), float(deltas[1])),
        strategies=strategies,
        deadline=deadline,
        first=first,
    )
    if not allowed.any():
        res.utilities = res.discounted = tuple(float(v) for v in d)
        return res
    parties = [_Party(i, U, d, allowed, strategies[i], deadline, float(deltas[i]), keep) for i in (0, 1)]
    made: list[list[int]] = [[], []]

    def next_own_offer(p: _Party, k: int) -> int:
        t = p.target(k, made[1 - p.i])
        return p.offer_for(t)

    for k in range(deadline):
        prop = first if k % 2 == 0 else 1 - first
        resp = 1 - prop
        p = parties[prop]
        t = p.target(k, made[resp])
        x = p.offer_for(t)
        p.targets.append(t)
        made[prop].append(x)
        gain = U[x, resp] - d[resp]
        if k + 1 < deadline:
            y = next_own_offer(parties[resp], k + 1)
            accept = gain > 0 and gain >= deltas[resp] * (U[y, resp] - d[resp]) - 1e-12
        else:
            accept = gain > 0
        res.offers.append(Offer(k, prop, x, tuple(float(v) for v in U[x]), bool(accept)))
        if accept:
            res.agreement, res.step = x, k
            res.utilities = tuple(float(v) for v in U[x])
            res.discounted = tuple(float(d[i] + deltas[i] ** k * (U[x, i] - d[i])) for i in (0, 1))
            return res
    res.utilities = res.discounted = tuple(float(v) for v in d)
    return res
