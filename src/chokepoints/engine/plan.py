"""The Plan: everything one ensemble needs, as positional arrays and effects.

The compiler (:mod:`chokepoints.engine.compile`) builds it from a World and a Scenario;
the step loop (:mod:`chokepoints.engine.simulate`) reads only it. Fields that hold one
value per run say so in ``RUN_AXES`` (field -> axis of the run dimension), and every
effect in its ``RUN_FIELDS``, so that plans can be stacked along runs
(:mod:`chokepoints.engine.stack`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from ..effects import (
    CapacityAddition,
    CapacityLoss,
    DemandChange,
    RationingRank,
    ShareRewrite,
    StockInflow,
    StockTarget,
)
from ..world import CompiledWorld


@dataclass
class ControlPlan:
    """Controlled supply entries (supplier f -> buyer b) and their regime per day and run.

    regime[t, r, e] indexes ``approval``/``delay``/``open`` (R x K); regime 0 is
    "uncontrolled": approval 1, delay 0, open. ``open`` is 0 on banned routes so
    buyers place no orders there.
    """

    supplier: np.ndarray  # (E,)
    buyer: np.ndarray  # (E,) 0..n+m-1
    product: np.ndarray  # (E,)
    regime: np.ndarray  # (T, R, E) int16
    approval: np.ndarray  # (R, K)
    delay: np.ndarray  # (R, K) int days
    open: np.ndarray  # (R, K) 0/1
    labels: list[str] = field(default_factory=list)
    quota: np.ndarray | None = None  # (R, K) units per period for quota regimes, nan elsewhere
    period: np.ndarray | None = None  # (K,) days per quota period
    quota_start: np.ndarray | None = None  # (K,) first day of the quota
    spread: np.ndarray | None = None  # (R, K) int >= 1: days over which a granted order arrives (1: on day t + delay)
    RUN_AXES: ClassVar[dict[str, int]] = {
        "regime": 1,
        "approval": 0,
        "delay": 0,
        "open": 0,
        "quota": 0,
        "spread": 0,
    }

    @property
    def E(self) -> int:
        return int(self.supplier.size)


@dataclass
class Plan:
    """Everything one ensemble needs, positional and per run."""

    world: CompiledWorld
    T: int
    R: int
    samples: np.ndarray  # (R, P) sampled uncertain values
    sample_names: list[str]
    initial_days: np.ndarray  # (R, S, n), or (1, S, n) when not sampled per run
    target_days: np.ndarray  # (R, S, n), or (1, S, n) when not sampled per run
    alpha_max: np.ndarray  # (R, n)
    psi: np.ndarray  # (R,)
    tau_inv: np.ndarray  # (R,)
    alpha_base: np.ndarray  # (R,)
    alpha_tau: np.ndarray  # (R,)
    unit_value: np.ndarray  # (R, S)
    order_type: str
    capacity_loss: list[CapacityLoss]
    demand_change: list[DemandChange]
    releases: list[StockInflow]
    controls: ControlPlan
    binding: np.ndarray | None = None  # (S, n) inputs that can limit output; None: every input (A > 0)
    capacity_add: list[CapacityAddition] = field(default_factory=list)
    priorities: list[RationingRank] = field(default_factory=list)
    switches: list[ShareRewrite] = field(default_factory=list)  # sorted by day
    stock_targets: list[StockTarget] = field(default_factory=list)
    RUN_AXES: ClassVar[dict[str, int]] = {
        "samples": 0,
        "initial_days": 0,
        "target_days": 0,
        "alpha_max": 0,
        "psi": 0,
        "tau_inv": 0,
        "alpha_base": 0,
        "alpha_tau": 0,
        "unit_value": 0,
    }
    SHARED_RUNS: ClassVar[frozenset[str]] = frozenset({"initial_days", "target_days"})  # (1|R, ...)
    EFFECT_LISTS: ClassVar[tuple[str, ...]] = (
        "capacity_loss",
        "demand_change",
        "releases",
        "capacity_add",
        "priorities",
        "switches",
        "stock_targets",
    )
