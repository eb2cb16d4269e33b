"""The closed set of effects the engine reads.

Every lever (``chokepoints.levers``) compiles its scenario events into a list of these
effects; the engine's compiler turns the list into a :class:`~chokepoints.engine.plan.Plan`
and the step loop reads only the Plan. No effect names a lever, so a new lever is a new
module that emits existing effects, and the step function never changes.

Indices are positions in the compiled World (``CompiledWorld``): ``n`` producers,
``m`` final-demand cells, ``S`` products; days count from the scenario's start.
Arrays of shape ``(R,)`` hold one value per run of the ensemble (uncertain fields
sampled per run); each effect declares them in ``RUN_FIELDS`` so that plans of several
scenarios can be stacked along the run axis (:func:`chokepoints.engine.stack.stack_plans`).

| effect | what the engine does with it |
| --- | --- |
| :class:`CapacityLoss` | capacity of masked producers falls by a share, then recovers (max over events) |
| :class:`CapacityAddition` | capacity added per day to producers, ramping in |
| :class:`DemandChange` | final demand of masked cells scaled by (1 + share) within [start, end) |
| :class:`StockInflow` | stock of one product added to its holders at a rate (stockpiles, recycling) |
| :class:`StockTarget` | holders order one product towards a multiple of their inventory target within [start, end) |
| :class:`RouteRegime` | supply routes (supplier -> buyer) under a licence, ban, quota or lifted regime |
| :class:`RationingRank` | rationing by buyer class instead of proportional |
| :class:`ShareRewrite` | buyers' shares of their suppliers of one product rewritten on a day |
| :class:`PriceWedge` | an ad-valorem price wedge on routes; compiled into Armington ``ShareRewrite`` s |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np


@dataclass
class CapacityLoss:
    """Producers in ``mask`` (n,) lose ``share`` (R,) of capacity from day ``start``.

    Loss share(t) = share for start <= t <= start + duration, then (linear recovery)
    share * (1 - (t - start - duration) / recovery), clipped to [0, share]; with
    ``linear`` False the loss stays until the horizon. Several losses combine by their
    maximum, not their sum (as BoARIO).
    """

    mask: np.ndarray  # (n,) bool
    share: np.ndarray  # (R,)
    start: int
    duration: np.ndarray  # (R,) days
    recovery: np.ndarray  # (R,) days
    linear: bool
    RUN_FIELDS: ClassVar[tuple[str, ...]] = ("share", "duration", "recovery")


@dataclass
class CapacityAddition:
    """Capacity ``added`` (R,) in product units per day, split over producers by ``weights`` (n,),
    ramping linearly over ``ramp`` (R,) days from ``start`` until ``end``:
    added(t) = added * clip((t - start + 1) / ramp, 0, 1) (at once when ramp is 0)."""

    start: int
    end: int
    weights: np.ndarray  # (n,)
    added: np.ndarray  # (R,)
    ramp: np.ndarray  # (R,)
    RUN_FIELDS: ClassVar[tuple[str, ...]] = ("added", "ramp")


@dataclass
class DemandChange:
    """Final demand y(t) = y0 * max(1 + sum of active shares, 0) for the cells in ``mask`` (m,)
    within [start, end)."""

    mask: np.ndarray  # (m,) bool
    share: np.ndarray  # (R,)
    start: int
    end: int
    RUN_FIELDS: ClassVar[tuple[str, ...]] = ("share",)


@dataclass
class StockInflow:
    """Stock added to the holders of product ``p``: ``rate * ramp(t)`` per day while ``amount``
    lasts, split by ``weights`` (n,). ``on_shortfall``: only on days a holder is below target.

    ramp(t) = clip((t - start + 1) / ramp, 0, 1) within [start, end) (1 when ramp is 0).
    """

    start: int
    end: int
    weights: np.ndarray  # (n,)
    amount: np.ndarray  # (R,), inf for an endless stream (recycling)
    rate: np.ndarray  # (R,) units per day at full ramp
    p: int
    ramp: np.ndarray  # (R,) days to full rate (0: at once)
    on_shortfall: bool = False
    RUN_FIELDS: ClassVar[tuple[str, ...]] = ("amount", "rate", "ramp")

    def rate_at(self, t: int) -> np.ndarray:
        """Rate (R,) on day t: rate * clip((t - start + 1) / ramp, 0, 1) within [start, end)."""
        if not self.start <= t < self.end:
            return np.zeros_like(self.rate)
        frac = np.where(self.ramp > 0, np.clip((t - self.start + 1) / np.maximum(self.ramp, 1e-12), 0, 1), 1.0)
        return self.rate * frac


@dataclass
class StockTarget:
    """Holders in ``mask`` (n,) order product ``p`` towards ``factor`` (R,) times their inventory
    target within [start, end) (precautionary stocking when factor > 1, running stocks down when < 1).

    The order goal becomes omega* = factor * s * A * x_opt, so the gap ordered is
    max(factor * x_opt - d' - pending, 0) in the engine's "days of target" units
    (d = omega / (s A)). The production constraint keeps the baseline target
    (x_a <= omega / (psi s A)): a raised target changes what is ordered, not what a stock
    lets a holder produce.
    """

    p: int
    mask: np.ndarray  # (n,) bool
    factor: np.ndarray  # (R,)
    start: int
    end: int
    RUN_FIELDS: ClassVar[tuple[str, ...]] = ("factor",)


RegimeKind = Literal["licence", "licence_valid", "ban", "quota", "lift"]


@dataclass
class RouteRegime:
    """A regime on supply routes (supplier f -> buyer b), from day ``start`` until ``end``.

    Routes: supplier f with ``suppliers[f]`` and buyer b (producer or final-demand cell,
    0..n+m-1) with ``buyers[b]``; with ``cross_border`` only buyers outside the supplier's
    region. These routes are watched (they appear in the result's ``route`` dim); the
    regime applies to those whose buyer has ``applies[b]`` (e.g. end uses not exempt), and
    buyers with ``excluded[b]`` get nothing on them.

    kinds: ``licence`` (each order waits ``delay`` days and a share ``approval`` is granted;
    with ``spread`` n > 1 the granted share arrives evenly over days delay - n + 1 .. delay),
    ``licence_valid`` (a licence granted after ``delay`` days covers a share ``approval`` of
    shipments for ``validity`` days, renewed when ``renewal``), ``ban`` (no orders placed),
    ``quota`` (orders approved in turn until ``quota`` units per ``period`` days are used),
    ``lift`` (the routes return to the uncontrolled regime). Regimes apply in the order of
    ``order`` (the event's date, then its place in the scenario); a later one on the same
    route replaces an earlier one from its start.
    """

    order: tuple[int, int]
    start: int
    end: int
    suppliers: np.ndarray  # (n,) bool
    buyers: np.ndarray  # (n + m,) bool
    kind: RegimeKind
    label: str
    cross_border: bool = True
    applies: np.ndarray | None = None  # (n + m,) bool; None: every buyer of the routes
    excluded: np.ndarray | None = None  # (n + m,) bool
    approval: np.ndarray | None = None  # (R,)
    delay: np.ndarray | None = None  # (R,) days
    spread: np.ndarray | None = None  # (R,) days over which granted orders arrive (licence; None: 1)
    quota: np.ndarray | None = None  # (R,) product units per period
    period: int = 1
    validity: float | None = None
    renewal: bool = True
    candidate: bool = True  # its routes enter the set of controlled routes (False for lifts)
    RUN_FIELDS: ClassVar[tuple[str, ...]] = ("approval", "delay", "spread", "quota")


@dataclass
class RationingRank:
    """Rationing classes: ``rank[b]`` is buyer b's class (0 served first; ``classes - 1`` for
    end uses not listed) for suppliers in ``suppliers`` (n,) bool, within [start, end)."""

    start: int
    end: int
    suppliers: np.ndarray  # (n,) bool
    rank: np.ndarray  # (n + m,) int
    classes: int
    RUN_FIELDS: ClassVar[tuple[str, ...]] = ()


@dataclass
class ShareRewrite:
    """On day ``day`` the shares of product ``p`` for producer-buyers ``buyers`` change.

    mode ``set``: the shares become ``block`` ((K, k), in the product's supplier slots).
    mode ``floor``: supplier ``supplier``'s share becomes max(current, ``share``) and the
    others scale by (1 - new) / (1 - old), so each buyer's shares still sum to 1.
    Shares are shared by every run of an ensemble (the supply network is not per run).
    """

    day: int
    p: int
    buyers: np.ndarray  # (k,) producer indices
    mode: Literal["set", "floor"]
    block: np.ndarray | None = None  # (K, k) for mode set
    supplier: int = -1  # producer index, for mode floor
    share: float = 0.0
    RUN_FIELDS: ClassVar[tuple[str, ...]] = ()


@dataclass
class PriceWedge:
    """An ad-valorem wedge of ``rate`` (a fraction: 0.25 = 25 %) on the price that buyers in
    ``importers`` (regions, bool) pay for ``products`` (bool, S) from suppliers in ``exporters``
    (regions, bool) within [start, end); ``rate`` < 0 suspends part of other wedges.

    The compiler turns wedges into Armington share rewrites for every producer-buyer
    (:func:`chokepoints.engine.wedges.armington_rewrites`):
        w1_f = w0_f tau_f^-sigma / sum_k w0_k tau_k^-sigma,   tau_f = 1 + max(sum of rates on f, 0)
    on each day on which some wedge starts or ends. ``sigma``: substitution elasticity
    between origins (Armington).
    """

    start: int
    end: int | None
    importers: np.ndarray  # (regions,) bool
    exporters: np.ndarray  # (regions,) bool
    products: np.ndarray  # (S,) bool
    rate: float
    sigma: float
    label: str = ""
    RUN_FIELDS: ClassVar[tuple[str, ...]] = ()


Effect = (
    CapacityLoss
    | CapacityAddition
    | DemandChange
    | StockInflow
    | StockTarget
    | RouteRegime
    | RationingRank
    | ShareRewrite
    | PriceWedge
)
EFFECT_TYPES: tuple[type, ...] = (
    CapacityLoss,
    CapacityAddition,
    DemandChange,
    StockInflow,
    StockTarget,
    RouteRegime,
    RationingRank,
    ShareRewrite,
    PriceWedge,
)
