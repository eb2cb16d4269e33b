"""Recycling: secondary supply of a product from its end-of-life flow in a region.

Cases: magnet recycling in the US and EU (e.g. Cyclic Materials, Noveon). Effects: one
:class:`~chokepoints.effects.StockInflow` with no limit on the amount.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import numpy as np
from pydantic import Field

from ..effects import Effect, StockInflow
from .base import LeverContext, LeverEvent


class Recycling(LeverEvent):
    """Secondary supply: ``share`` of the end-of-life flow of ``product`` in ``region`` comes
    back to its users, ramping linearly over ``ramp_days``. The end-of-life flow is taken as
    the region's baseline use of the product (a steady state in which what enters use
    leaves it after its lifetime); the recovered amount is added to the users' stocks in
    proportion to their use:  supply(t) = share * clip((t - on) / ramp_days, 0, 1) * use0."""

    type: Literal["recycling"] = "recycling"
    region: str
    product: str
    share: float = Field(gt=0, le=1)
    ramp_days: float = Field(default=0.0, ge=0)
    until: dt.date | None = None


EVENTS = (Recycling,)


def check(ctx: LeverContext, i: int, e: Recycling) -> None:
    ctx.check_region(i, ("region",), e.region)
    ctx.check_product(i, ("product",), e.product)


def compile(ctx: LeverContext, i: int, e: Recycling) -> list[Effect]:
    cw = ctx.cw
    if e.product not in ctx.pidx or e.region not in ctx.ridx:
        return []
    p = ctx.pidx[e.product]
    use = np.where(cw.prod_region == ctx.ridx[e.region], cw.A[p] * cw.x0, 0.0)
    if use.sum() <= 0:
        ctx.err(("events", i, "product"), f"no producer in {e.region!r} uses {e.product!r}")
        return []
    share = ctx.per_run(e.share, i, "share")
    return [
        StockInflow(
            ctx.start(e),
            ctx.end(e),
            use / use.sum(),
            np.full(ctx.R, np.inf),
            share * use.sum(),
            p,
            ctx.per_run(e.ramp_days, i, "ramp_days"),
        )
    ]
