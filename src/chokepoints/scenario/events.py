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
    mode: Literal["ban", "licence"] = "licence"
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


ENGINE_EVENTS: tuple[type[_Event], ...] = (
    ExportControl, LiftControl, StockpileRelease, CapacityLoss, FinalDemandChange,
)
ALL_EVENT_CLASSES: tuple[type[_Event], ...] = ENGINE_EVENTS + TRADE_EVENTS + FINANCE_EVENTS

Event = Annotated[Union[ALL_EVENT_CLASSES], Field(discriminator="type")]  # noqa: UP007

EVENT_TYPES: tuple[str, ...] = tuple(c.model_fields["type"].default for c in ALL_EVENT_CLASSES)
