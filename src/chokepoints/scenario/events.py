"""Scenario events: the levers, as data.

Each event is a dated instruction; :mod:`chokepoints.engine.compile` turns the list
into arrays the step function reads, so the step function knows no lever by name.
New modules add their event classes to :data:`EVENT_TYPES` (one discriminated union
keyed by ``type``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Union

from pydantic import Field, field_validator, model_validator

from .base import _Event
from .events_finance import FINANCE_EVENTS
from .events_trade import TRADE_EVENTS


def _as_list(v: object) -> object:
    return [v] if isinstance(v, str) else v


class ExportControl(_Event):
    """An exporter restricts shipments of products to destination regions.

    mode ``ban``: nothing ships on the controlled routes.
    mode ``licence``: each shipment needs a licence. With ``validity_days`` empty
    (per-shipment licensing, as China's April 2025 rule) an order placed on day t
    reaches the supplier on day t + review_days, and a share ``approval_rate`` of it
    is granted; the rest is refused. With ``validity_days`` V a licence, once granted
    after ``review_days``, covers a share ``approval_rate`` of the buyer's shipments
    for V days (e.g. the six-month temporary licences of June 2025); on expiry the
    buyer re-applies (``renewal``) or the previous regime applies again.
    Buyers whose end use is in ``exempt_end_uses`` are not controlled; those in
    ``excluded_end_uses`` get nothing. ``end_uses`` restricts the event to buyers with
    those end uses (e.g. a regime for automotive suppliers only).
    """

    type: Literal["export_control"] = "export_control"
    exporter: str
    products: list[str] = Field(min_length=1)
    destinations: list[str] | Literal["all"] = "all"
    mode: Literal["ban", "licence", "quota"] = "licence"
    quota: float | None = Field(None, ge=0, description="mode quota: product units per period, all routes together")
    period_days: int = Field(30, ge=1, description="mode quota: length of a quota period in days")
    review_days: float = Field(0.0, ge=0, le=3650)
    approval_rate: float = Field(1.0, ge=0, le=1)
    validity_days: float | None = Field(None, gt=0)
    renewal: bool = True
    until: dt.date | None = None
    end_uses: list[str] | None = None
    exempt_end_uses: list[str] = Field(default_factory=list)
    excluded_end_uses: list[str] = Field(default_factory=list)

    _lists = field_validator("products", "end_uses", "exempt_end_uses", "excluded_end_uses", mode="before")(
        _as_list)

    @field_validator("destinations", mode="before")
    @classmethod
    def _dest(cls, v: object) -> object:
        return v if v == "all" else _as_list(v)

    @model_validator(mode="after")
    def _check(self) -> ExportControl:
        if self.until is not None and self.until <= self.on:
            raise ValueError("'until' must be after 'on'")
        if self.mode == "quota" and self.quota is None:
            raise ValueError("mode 'quota' needs 'quota' (product units per period)")
        if self.mode == "quota" and len(self.products) != 1:
            raise ValueError("a quota is in one product's units: give exactly one product per quota event")
        return self


class LiftControl(_Event):
    """End export controls of ``exporter`` on ``products`` (all if omitted) to ``destinations``."""

    type: Literal["lift_control"] = "lift_control"
    exporter: str
    products: list[str] | Literal["all"] = "all"
    destinations: list[str] | Literal["all"] = "all"

    @field_validator("products", "destinations", mode="before")
    @classmethod
    def _lists(cls, v: object) -> object:
        return v if v == "all" else _as_list(v)


class StockpileRelease(_Event):
    """Add ``amount`` of ``product`` to the holder's inventory at ``rate`` per day.

    ``holder`` is a producer id, or a region id: then the release is split over that
    region's producers using the product (optionally only those with ``end_use``)
    in proportion to their baseline use.
    """

    type: Literal["stockpile_release"] = "stockpile_release"
    holder: str
    product: str
    amount: float = Field(gt=0)
    rate: float = Field(gt=0, description="product units per day")
    end_use: str | None = None
    rule: Literal["fixed", "on_shortfall"] = Field(
        "fixed", description="fixed: release every day from 'on'; on_shortfall: only on days when the "
        "holders' stock of the product is below their inventory target")


class CapacityLoss(_Event):
    """Producers of ``product`` in ``region`` lose ``share`` of capacity on ``on``.

    Loss stays for ``duration_days`` then recovers linearly over ``recovery_days``
    (``recovery: none`` keeps it until the horizon):
    share(t) = share * (1 - (t - on - duration) / recovery_days), clipped to [0, share].
    """

    type: Literal["capacity_loss"] = "capacity_loss"
    region: str
    product: str | None = None
    producer: str | None = None
    share: float = Field(gt=0, le=1)
    duration_days: float = Field(0.0, ge=0)
    recovery_days: float = Field(0.0, ge=0)
    recovery: Literal["linear", "none"] = "linear"


class FinalDemandChange(_Event):
    """Final demand in ``region`` for ``product`` or ``end_use`` changes by ``share``
    (-0.2 = a 20 % fall) from ``on`` until ``until`` (or the horizon)."""

    type: Literal["final_demand_change"] = "final_demand_change"
    region: str
    product: str | None = None
    end_use: str | None = None
    share: float = Field(ge=-1, le=10)
    until: dt.date | None = None

    @model_validator(mode="after")
    def _check(self) -> FinalDemandChange:
        if self.product is None and self.end_use is None:
            raise ValueError("give 'product' or 'end_use'")
        return self


class ExtraterritorialRule(_Event):
    """Goods made outside the exporter that embody at least ``threshold`` (a share of their
    value) of the exporter's controlled ``products`` need the exporter's licence when shipped
    to ``destinations`` (China's 0.1 % rule of 9 October 2025, MOFCOM Announcement No. 61).

    Content is traced through the supply network at baseline (unit values from the World):
      c_f = sum_p A[p, f] v_p / v_p(f) * sum_s W[s, f] * (1 if s is in the exporter and p is
            controlled, else c_s if p is not made in the exporter)
    solved as a fixed point, so a magnet made in Japan from Chinese dysprosium carries that
    content into the motor that uses it. Routes from producers with c_f >= threshold to
    buyers in the destinations are then controlled like an export_control with ``mode``.
    """

    type: Literal["extraterritorial_rule"] = "extraterritorial_rule"
    exporter: str
    products: list[str] = Field(min_length=1)
    threshold: float = Field(0.001, ge=0, le=1)
    destinations: list[str] | Literal["all"] = "all"
    mode: Literal["ban", "licence"] = "licence"
    review_days: float = Field(0.0, ge=0, le=3650)
    approval_rate: float = Field(1.0, ge=0, le=1)
    until: dt.date | None = None
    exempt_end_uses: list[str] = Field(default_factory=list)
    excluded_end_uses: list[str] = Field(default_factory=list)

    _lists = field_validator("products", "exempt_end_uses", "excluded_end_uses", mode="before")(_as_list)

    @field_validator("destinations", mode="before")
    @classmethod
    def _dest(cls, v: object) -> object:
        return v if v == "all" else _as_list(v)


class CapacityChange(_Event):
    """New, expanded or closed plants: ``capacity_per_day`` (negative for a closure) is added
    to the producers of ``product`` in ``region`` (or to ``producer``), ramping linearly
    over ``ramp_days`` from ``on``:  added(t) = capacity_per_day * clip((t - on) / ramp_days, 0, 1).
    Capacity then reads x_cap = min(alpha, alpha_max) (1 - Delta) x0 + added, and buyers'
    orders follow it ("alt" weights use x_cap / x0), so new supply is bought as it comes.
    Split over several matching producers in proportion to their baseline output."""

    type: Literal["capacity_change"] = "capacity_change"
    region: str
    product: str | None = None
    producer: str | None = None
    capacity_per_day: float
    ramp_days: float = Field(0.0, ge=0)
    until: dt.date | None = None


class Recycling(_Event):
    """Secondary supply: ``share`` of the end-of-life flow of ``product`` in ``region`` comes
    back to its users, ramping linearly over ``ramp_days``. The end-of-life flow is taken as
    the region's baseline use of the product (a steady state in which what enters use
    leaves it after its lifetime); the recovered amount is added to the users' stocks in
    proportion to their use:  supply(t) = share * clip((t - on) / ramp_days, 0, 1) * use0."""

    type: Literal["recycling"] = "recycling"
    region: str
    product: str
    share: float = Field(gt=0, le=1)
    ramp_days: float = Field(0.0, ge=0)
    until: dt.date | None = None


class Priority(_Event):
    """Rationing by end use instead of proportional: when a supplier in ``region`` (any if
    omitted) making ``products`` (all if omitted) cannot serve every order, buyers whose end
    use comes first in ``order`` are served in full before the next class gets anything (as
    under a priorities-and-allocations system such as the US Defense Production Act's DPAS).
    End uses not listed share what is left, proportionally."""

    type: Literal["priority"] = "priority"
    order: list[str] = Field(min_length=1)
    region: str | None = None
    products: list[str] | None = None
    until: dt.date | None = None

    _lists = field_validator("order", "products", mode="before")(_as_list)


class Substitution(_Event):
    """After ``delay_days`` from ``on``, buyers of ``product`` (in ``region``, optionally only
    ``end_use``) can buy from ``supplier`` (a producer), up to ``max_share`` of their purchases:
    the supplier's baseline share becomes max_share and the others scale by (1 - max_share).
    With "alt" orders the new supplier then gets orders in proportion to share x capacity."""

    type: Literal["substitution"] = "substitution"
    product: str
    region: str
    supplier: str
    end_use: str | None = None
    delay_days: float = Field(0.0, ge=0)
    max_share: float = Field(gt=0, le=1)


ENGINE_EVENTS: tuple[type[_Event], ...] = (
    ExportControl, LiftControl, StockpileRelease, CapacityLoss, FinalDemandChange, ExtraterritorialRule,
    CapacityChange, Recycling, Priority, Substitution,
)
ALL_EVENT_CLASSES: tuple[type[_Event], ...] = ENGINE_EVENTS + TRADE_EVENTS + FINANCE_EVENTS

Event = Annotated[Union[ALL_EVENT_CLASSES], Field(discriminator="type")]  # noqa: UP007

EVENT_TYPES: tuple[str, ...] = tuple(c.model_fields["type"].default for c in ALL_EVENT_CLASSES)
