"""Stockpile releases: a holder's strategic or commercial stock of a product is drawn down.

Cases: Japan's JOGMEC rare-earth stockpile in the 2010 embargo; the US National Defense
Stockpile. Effects: one :class:`~chokepoints.effects.StockInflow` per event.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from ..effects import Effect, StockInflow
from .base import LeverContext, LeverEvent


class StockpileRelease(LeverEvent):
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
        default="fixed",
        description="fixed: release every day from 'on'; on_shortfall: only on days when the "
        "holders' stock of the product is below their inventory target",
    )


EVENTS = (StockpileRelease,)


def check(ctx: LeverContext, i: int, e: StockpileRelease) -> None:
    ctx.check_product(i, ("product",), e.product)
    if e.holder not in ctx.fidx and e.holder not in ctx.ridx:
        ctx.err(("events", i, "holder"), f"unknown holder {e.holder!r}: expected a producer or region id")


def compile(ctx: LeverContext, i: int, e: StockpileRelease) -> list[Effect]:
    cw = ctx.cw
    if e.product not in ctx.pidx:
        return []
    p = ctx.pidx[e.product]
    use = cw.A[p] * cw.x0
    if e.holder in ctx.fidx:
        weights = np.zeros(cw.n)
        weights[ctx.fidx[e.holder]] = 1.0
    elif e.holder in ctx.ridx:
        sel = (cw.prod_region == ctx.ridx[e.holder]) & (use > 0)
        if e.end_use is not None:
            sel &= np.array([u == e.end_use for u in cw.prod_end_use], bool)
        weights = np.where(sel, use, 0.0)
        if weights.sum() <= 0:
            ctx.err(("events", i, "holder"), f"no producer in {e.holder!r} uses {e.product!r}")
            return []
        weights = weights / weights.sum()
    else:
        return []
    if cw.A[p][weights > 0].min() <= 0:
        ctx.err(("events", i, "product"), f"holder {e.holder!r} does not use {e.product!r}")
        return []
    return [
        StockInflow(
            ctx.start(e),
            ctx.T,
            weights,
            ctx.per_run(e.amount, i, "amount"),
            ctx.per_run(e.rate, i, "rate"),
            p,
            np.zeros(ctx.R),
            e.rule == "on_shortfall",
        )
    ]
