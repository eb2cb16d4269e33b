"""Many scenarios as one ensemble: plans stacked along the run axis.

The engine is vectorised over runs, and one day of 32 runs costs little more than one.
Scenarios on one World whose plans have the same shape (horizon, controlled routes, the
same effects apart from their per-run values) are therefore stacked into one plan whose
runs are (scenario, run) pairs (see :func:`chokepoints.engine.simulate_many`): the fields
that the Plan and each effect declare as per run (``Plan.RUN_AXES``, ``ControlPlan.RUN_AXES``,
``Effect.RUN_FIELDS``) are concatenated,
each scenario's control regimes get their own columns, and everything else must be
equal. Scenarios that do not fit are simulated on their own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from .plan import ControlPlan, Plan


class IncompatiblePlans(ValueError):
    """Plans that cannot share one ensemble (different routes, effects or shapes)."""


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and a.shape == b.shape
            and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
        )
    if isinstance(a, list | tuple):
        return isinstance(b, list | tuple) and len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _concat_runs(values: list[np.ndarray], R: list[int], axis: int = 0, shared: bool = False) -> np.ndarray:
    """Concatenate per-run arrays along ``axis``. With ``shared`` (fields of length 1 or R on
    that axis), arrays of length 1 shared by every run stay shared when all are equal, else
    are broadcast to their plan's runs."""
    if shared and all(v.shape[axis] == 1 for v in values) and all(_equal(values[0], v) for v in values[1:]):
        return values[0]
    full = []
    for v, r in zip(values, R, strict=True):
        if v.shape[axis] not in (1, r):
            raise IncompatiblePlans(f"a per-run array has {v.shape[axis]} rows for {r} runs")
        shape = list(v.shape)
        shape[axis] = r
        full.append(np.broadcast_to(v, shape))
    return np.concatenate(full, axis=axis)


def _stack_effects(lists: list[list[Any]], R: list[int]) -> list[Any]:
    if any(len(x) != len(lists[0]) for x in lists):
        raise IncompatiblePlans("the scenarios have different numbers of effects")
    out = []
    for items in zip(*lists, strict=True):
        first = items[0]
        if any(type(x) is not type(first) for x in items):
            raise IncompatiblePlans("the scenarios' effects differ in kind")
        updates = {}
        for f in dataclasses.fields(first):
            vals = [getattr(x, f.name) for x in items]
            if f.name in first.RUN_FIELDS and vals[0] is not None:
                if any(v is None for v in vals):
                    raise IncompatiblePlans(f"effect field {f.name} is missing in some scenarios")
                updates[f.name] = _concat_runs(list(vals), R)
            elif not all(_equal(vals[0], v) for v in vals[1:]):
                raise IncompatiblePlans(f"effect field {type(first).__name__}.{f.name} differs")
        out.append(dataclasses.replace(first, **updates))
    return out


def _stack_controls(controls: list[ControlPlan], R: list[int]) -> ControlPlan:
    c0 = controls[0]
    for c in controls[1:]:
        if not (_equal(c.supplier, c0.supplier) and _equal(c.buyer, c0.buyer) and _equal(c.product, c0.product)):
            raise IncompatiblePlans("the scenarios control different routes")
    K_total = sum(c.approval.shape[1] for c in controls)
    approval, delay, opened, quota, regimes, spread = [], [], [], [], [], []
    labels: list[str] = []
    period, qstart = [], []
    off = 0
    for c, r in zip(controls, R, strict=True):
        K = c.approval.shape[1]
        a = np.ones((r, K_total), dtype=c.approval.dtype)
        dl = np.zeros((r, K_total), dtype=c.delay.dtype)
        o = np.ones((r, K_total), dtype=c.open.dtype)
        q = np.full((r, K_total), np.nan)
        a[:, off : off + K], dl[:, off : off + K], o[:, off : off + K] = c.approval, c.delay, c.open
        if c.quota is not None:
            q[:, off : off + K] = c.quota
        sp = np.ones((r, K_total), dtype=np.int64)
        if c.spread is not None:
            sp[:, off : off + K] = c.spread
        spread.append(sp)
        approval.append(a)
        delay.append(dl)
        opened.append(o)
        quota.append(q)
        regimes.append(c.regime.astype(np.int32) + off)
        labels += list(c.labels)
        period.append(c.period if c.period is not None else np.ones(K, dtype=np.int64))
        qstart.append(c.quota_start if c.quota_start is not None else np.zeros(K, dtype=np.int64))
        off += K
    regime = np.concatenate(regimes, axis=1)
    return dataclasses.replace(
        c0,
        regime=regime.astype(np.int16) if K_total < 32000 else regime,
        approval=np.concatenate(approval),
        delay=np.concatenate(delay),
        open=np.concatenate(opened),
        labels=labels,
        quota=np.concatenate(quota),
        period=np.concatenate(period),
        quota_start=np.concatenate(qstart),
        spread=np.concatenate(spread),
    )


def stack_plans(plans: Sequence[Plan]) -> Plan:
    """One Plan whose runs are those of ``plans`` in order (plan k's runs follow plan k - 1's).

    Raises :class:`IncompatiblePlans` when they cannot share an ensemble.
    """
    if len(plans) == 1:
        return plans[0]
    p0 = plans[0]
    R = [p.R for p in plans]
    for p in plans[1:]:
        if p.world is not p0.world and not _equal(p.world.A, p0.world.A):
            raise IncompatiblePlans("the scenarios use different worlds")
        for name in ("T", "order_type", "sample_names", "binding"):
            if not _equal(getattr(p, name), getattr(p0, name)):
                raise IncompatiblePlans(f"plan field {name} differs")
    updates: dict[str, Any] = {"R": sum(R)}
    for name, axis in Plan.RUN_AXES.items():
        updates[name] = _concat_runs([getattr(p, name) for p in plans], R, axis, shared=name in Plan.SHARED_RUNS)
    for name in Plan.EFFECT_LISTS:
        updates[name] = _stack_effects([getattr(p, name) for p in plans], R)
    updates["controls"] = _stack_controls([p.controls for p in plans], R)
    return dataclasses.replace(p0, **updates)


def signature(plan: Plan) -> tuple:
    """Plans with different signatures never stack (a cheap first sort before trying)."""
    c = plan.controls
    return (
        plan.T,
        plan.order_type,
        c.supplier.tobytes(),
        c.buyer.tobytes(),
        c.product.tobytes(),
        tuple(tuple(type(e).__name__ for e in getattr(plan, name)) for name in Plan.EFFECT_LISTS),
    )


def group_stackable(plans: Sequence[Plan], max_runs: int | None = None) -> list[list[int]]:
    """Indexes of ``plans`` in groups that can be stacked (each group at most ``max_runs`` runs)."""
    by_sig: dict[tuple, list[int]] = {}
    for i, p in enumerate(plans):
        by_sig.setdefault(signature(p), []).append(i)
    groups: list[list[int]] = []
    for members in by_sig.values():
        current: list[int] = []
        runs = 0
        for i in members:
            if current and max_runs is not None and runs + plans[i].R > max_runs:
                groups.append(current)
                current, runs = [], 0
            current.append(i)
            runs += plans[i].R
        groups.append(current)
    return groups
