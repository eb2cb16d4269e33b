"""Export controls: an exporter bans, licenses or puts a quota on shipments; and their lifting.

Cases: China's per-shipment licensing of seven medium and heavy rare earths from 4 April
2025 (MOFCOM/GAC Announcement No. 18: up to 45 working days of review), the six-month
temporary licences for automotive suppliers of June 2025 (``validity_days``), the ban on
gallium, germanium and antimony exports to the US of 3 December 2024 (MOFCOM No. 46) and
its suspension on 9 November 2025 (``lift_control``).

Effects: one :class:`~chokepoints.effects.RouteRegime` per event.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from ..effects import Effect, RouteRegime
from .base import LeverContext, LeverEvent, as_list, as_list_or_all


class ExportControl(LeverEvent):
    """An exporter restricts shipments of products to destination regions.

    mode ``ban``: nothing ships on the controlled routes.
    mode ``licence``: each shipment needs a licence. With ``validity_days`` empty
    (per-shipment licensing, as China's April 2025 rule) an order placed on day t
    reaches the supplier on day t + review_days, and a share ``approval_rate`` of it
    is granted; the rest is refused. With ``review_days_min`` m the review times are spread
    evenly over [m, review_days]: the granted share arrives in equal parts on days t + m, ...,
    t + review_days (engine/pipeline.py). With ``validity_days`` V a licence, once granted
    after ``review_days``, covers a share ``approval_rate`` of the buyer's shipments
    for V days (e.g. the six-month temporary licences of June 2025); on expiry the
    buyer re-applies (``renewal``) or the previous regime applies again.
    mode ``quota``: shipments are approved in order until ``quota`` units of the product
    have shipped in the current period of ``period_days`` (all routes together).
    Buyers whose end use is in ``exempt_end_uses`` are not controlled; those in
    ``excluded_end_uses`` get nothing. ``end_uses`` restricts the event to buyers with
    those end uses (e.g. a regime for automotive suppliers only).
    """

    type: Literal["export_control"] = "export_control"
    exporter: str
    products: list[str] = Field(min_length=1)
    destinations: list[str] | Literal["all"] = "all"
    mode: Literal["ban", "licence", "quota"] = "licence"
    quota: float | None = Field(
        default=None, ge=0, description="mode quota: product units per period, all routes together"
    )
    period_days: int = Field(default=30, ge=1, description="mode quota: length of a quota period in days")
    review_days: float = Field(default=0.0, ge=0, le=3650)
    review_days_min: float | None = Field(
        default=None,
        ge=0,
        le=3650,
        description="mode licence, per shipment: review times spread evenly from this to review_days",
    )
    approval_rate: float = Field(default=1.0, ge=0, le=1)
    validity_days: float | None = Field(default=None, gt=0)
    renewal: bool = True
    until: dt.date | None = None
    end_uses: list[str] | None = None
    exempt_end_uses: list[str] = Field(default_factory=list)
    excluded_end_uses: list[str] = Field(default_factory=list)

    _lists = field_validator("products", "end_uses", "exempt_end_uses", "excluded_end_uses", mode="before")(as_list)
    _dest = field_validator("destinations", mode="before")(as_list_or_all)

    @model_validator(mode="after")
    def _check(self) -> ExportControl:
        if self.until is not None and self.until <= self.on:
            raise ValueError("'until' must be after 'on'")
        if self.mode == "quota" and self.quota is None:
            raise ValueError("mode 'quota' needs 'quota' (product units per period)")
        if self.mode == "quota" and len(self.products) != 1:
            raise ValueError("a quota is in one product's units: give exactly one product per quota event")
        if self.review_days_min is not None:
            if self.mode != "licence" or self.validity_days is not None:
                raise ValueError("'review_days_min' applies to per-shipment licences (mode licence, no validity_days)")
            if self.review_days_min > self.review_days:
                raise ValueError("'review_days_min' must not exceed 'review_days'")
        return self


class LiftControl(LeverEvent):
    """End export controls of ``exporter`` on ``products`` (all if omitted) to ``destinations``."""

    type: Literal["lift_control"] = "lift_control"
    exporter: str
    products: list[str] | Literal["all"] = "all"
    destinations: list[str] | Literal["all"] = "all"

    _lists = field_validator("products", "destinations", mode="before")(as_list_or_all)


EVENTS = (ExportControl, LiftControl)


def check(ctx: LeverContext, i: int, e: ExportControl | LiftControl) -> None:
    ctx.check_region(i, ("exporter",), e.exporter)
    ctx.check_regions(i, "destinations", e.destinations)
    ctx.check_products(i, "products", e.products)
    if isinstance(e, ExportControl):
        for key in ("end_uses", "exempt_end_uses", "excluded_end_uses"):
            ctx.check_end_uses(i, key, getattr(e, key))


def exporter_routes(
    ctx: LeverContext, exporter: str, products: list[str] | str, destinations: list[str] | str
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Suppliers (n,) in ``exporter`` making ``products``, buyers (n + m,) in ``destinations``,
    and whether only cross-border routes count (an export control never applies to the
    exporter's own buyers unless the destinations name the exporter)."""
    cw = ctx.cw
    suppliers = (cw.prod_region == ctx.ridx.get(exporter, -1)) & ctx.product_mask(products)[cw.prod_product]
    buyers = ctx.region_mask(destinations)[cw.buyer_region]
    return suppliers, buyers, destinations == "all"


def regime_fields(ctx: LeverContext, i: int, e) -> dict:
    """The regime of a ban or licence event (shared with the extraterritorial rule)."""
    review = np.rint(ctx.per_run(e.review_days, i, "review_days")).astype(np.int64)
    rate = ctx.per_run(e.approval_rate, i, "approval_rate")
    if e.mode == "ban":
        return {"kind": "ban"}
    if getattr(e, "validity_days", None) is None:
        out = {"kind": "licence", "approval": rate.copy(), "delay": review}
        if getattr(e, "review_days_min", None) is not None:
            shortest = np.rint(ctx.per_run(e.review_days_min, i, "review_days_min")).astype(np.int64)
            out["spread"] = review - np.clip(shortest, 0, review) + 1  # days delay - n + 1 .. delay
        return out
    return {
        "kind": "licence_valid",
        "approval": rate.copy(),
        "delay": review,
        "validity": e.validity_days,
        "renewal": e.renewal,
    }


def end_use_filters(ctx: LeverContext, e) -> tuple[np.ndarray, np.ndarray]:
    """(applies, excluded) buyer masks of an event's end-use fields."""
    applies = np.ones(ctx.cw.n + ctx.cw.m, bool)
    if getattr(e, "end_uses", None) is not None:
        applies &= ctx.buyer_end_use_mask(e.end_uses)
    applies &= ~ctx.buyer_end_use_mask(e.exempt_end_uses)
    return applies, ctx.buyer_end_use_mask(e.excluded_end_uses)


def compile(ctx: LeverContext, i: int, e: ExportControl | LiftControl) -> list[Effect]:
    suppliers, buyers, cross = exporter_routes(ctx, e.exporter, e.products, e.destinations)
    order = (ctx.day(e.on), i)
    if isinstance(e, LiftControl):
        return [
            RouteRegime(
                order,
                ctx.start(e),
                ctx.T,
                suppliers,
                buyers,
                "lift",
                f"{e.id or e.type}@{e.on}",
                cross_border=cross,
                candidate=False,
            )
        ]
    applies, excluded = end_use_filters(ctx, e)
    if e.mode == "quota":
        assert e.quota is not None  # the model validator requires a quota in mode 'quota'
        fields: dict = {
            "kind": "quota",
            "approval": np.ones(ctx.R),
            "delay": np.rint(ctx.per_run(e.review_days, i, "review_days")).astype(np.int64),
            "quota": ctx.per_run(e.quota, i, "quota"),
            "period": e.period_days,
        }
    else:
        fields = regime_fields(ctx, i, e)
    return [
        RouteRegime(
            order,
            ctx.start(e),
            ctx.end(e),
            suppliers,
            buyers,
            label=f"{e.id or e.type}@{e.on}",
            cross_border=cross,
            applies=applies,
            excluded=excluded,
            **fields,
        )
    ]
