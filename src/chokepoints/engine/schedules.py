"""The exogenous schedules of a step: what the effects of a Plan set on day t.

Pure functions of the Plan's effects (:mod:`chokepoints.effects`) and the day; the step
loop calls them and knows no lever.
"""

from __future__ import annotations

import numpy as np

from ..effects import CapacityAddition, ShareRewrite
from .plan import Plan


def capacity_loss_at(plan: Plan, t: int, runs: slice = slice(None)) -> np.ndarray:
    """Delta(t) (R, n): the largest loss of any capacity loss (as BoARIO, max not sum).

    Loss share(t) = share for on <= t <= on + duration, then
    share * (1 - (t - on - duration) / recovery_days) (linear), clipped to [0, share].
    """
    R = len(range(plan.R)[runs])
    delta = np.zeros((R, plan.world.n))
    for loss in plan.capacity_loss:
        if t < loss.start:
            continue
        sh, du, rc = loss.share[runs], loss.duration[runs], loss.recovery[runs]
        elapsed = t - loss.start - du  # (R,)
        if loss.linear:
            frac = np.where(elapsed <= 0, 1.0, np.clip(1.0 - elapsed / np.maximum(rc, 1e-12), 0.0, 1.0))
            frac = np.where((rc <= 0) & (elapsed > 0), 0.0, frac)
        else:
            frac = np.ones(R)
        np.maximum(delta, (sh * frac)[:, None] * loss.mask[None, :], out=delta)
    return delta


def final_demand_at(plan: Plan, t: int, runs: slice = slice(None)) -> np.ndarray:
    """y(t) (R, m) = y0 * (1 + sum of active changes), floored at 0."""
    R = len(range(plan.R)[runs])
    factor = np.ones((R, plan.world.m))
    for ch in plan.demand_change:
        if ch.start <= t < ch.end:
            factor += ch.share[runs][:, None] * ch.mask[None, :]
    return plan.world.y0[None, :] * np.maximum(factor, 0.0)


def capacity_added_at(changes: list[CapacityAddition], t: int, n: int, runs: slice) -> np.ndarray | None:
    """Capacity added (R, n) on day t, or None when no change applies."""
    out = None
    for ch in changes:
        if not ch.start <= t < ch.end:
            continue
        ramp = ch.ramp[runs]
        frac = np.where(ramp > 0, np.clip((t - ch.start + 1) / np.maximum(ramp, 1e-12), 0, 1), 1.0)
        add = (ch.added[runs] * frac)[:, None] * ch.weights[None, :]
        out = add if out is None else out + add
    return out


def apply_share_rewrite(W3: np.ndarray, sup: np.ndarray, rw: ShareRewrite) -> None:
    """Rewrite the share block of product ``rw.p`` in place (W3: (S, K + 1, n); slot K is virtual).

    mode ``set``: the block becomes ``rw.block``; mode ``floor``: the supplier's share becomes
    max(old, share) and the other slots scale by (1 - new) / (1 - old).
    """
    K = sup.shape[1]
    if rw.mode == "set":
        assert rw.block is not None
        W3[rw.p, : rw.block.shape[0], rw.buyers.reshape(-1)] = rw.block.T
        return
    slot = int(np.flatnonzero(sup[rw.p] == rw.supplier)[0])
    block = W3[rw.p, :K][:, rw.buyers]  # (K, k)
    old = block[slot].copy()
    new = np.maximum(old, rw.share)
    rest = 1.0 - old
    scale = np.where(rest > 0, (1.0 - new) / np.where(rest > 0, rest, 1.0), 0.0)
    block *= scale[None, :]
    block[slot] = new
    W3[rw.p, :K, rw.buyers.reshape(-1)] = block.T
