"""Substitution: buyers qualify another supplier and shift part of their purchases to it.

Cases: automakers qualifying non-Chinese magnet suppliers, or motors with less heavy rare
earth. Effects: one :class:`~chokepoints.effects.ShareRewrite` (mode ``floor``) per event.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from ..effects import Effect, ShareRewrite
from .base import LeverContext, LeverEvent


class Substitution(LeverEvent):
    """After ``delay_days`` from ``on``, buyers of ``product`` (in ``region``, optionally only
    ``end_use``) can buy from ``supplier`` (a producer), up to ``max_share`` of their purchases:
    the supplier's baseline share becomes max_share and the others scale by (1 - max_share).
    With "alt" orders the new supplier then gets orders in proportion to share x capacity."""

    type: Literal["substitution"] = "substitution"
    product: str
    region: str
    supplier: str
    end_use: str | None = None
    delay_days: float = Field(default=0.0, ge=0)
    max_share: float = Field(gt=0, le=1)


EVENTS = (Substitution,)


def check(ctx: LeverContext, i: int, e: Substitution) -> None:
    ctx.check_region(i, ("region",), e.region)
    ctx.check_product(i, ("product",), e.product)
    ctx.check_producer(i, ("supplier",), e.supplier)
    ctx.check_end_use(i, ("end_use",), e.end_use)
    if (
        e.supplier in ctx.fidx
        and e.product in ctx.pidx
        and ctx.cw.prod_product[ctx.fidx[e.supplier]] != ctx.pidx[e.product]
    ):
        ctx.err(("events", i, "supplier"), f"{e.supplier!r} does not make {e.product!r}")


def compile(ctx: LeverContext, i: int, e: Substitution) -> list[Effect]:
    cw = ctx.cw
    if e.product not in ctx.pidx or e.supplier not in ctx.fidx or e.region not in ctx.ridx:
        return []
    if ctx.is_uncertain(e, "delay_days") or ctx.is_uncertain(e, "max_share"):
        ctx.err(
            ("events", i),
            "a substitution's delay_days and max_share cannot vary per run (the supply "
            "network is shared by the runs of an ensemble)",
        )
        return []
    p = ctx.pidx[e.product]
    buyers = (cw.prod_region == ctx.ridx[e.region]) & (cw.A[p] > 0)
    if e.end_use is not None:
        buyers &= np.array([u == e.end_use for u in cw.prod_end_use], bool)
    if not buyers.any():
        ctx.err(("events", i), f"no producer in {e.region!r} buys {e.product!r}")
        return []
    return [
        ShareRewrite(
            ctx.start(e) + int(round(e.delay_days)),
            p,
            np.flatnonzero(buyers),
            "floor",
            supplier=ctx.fidx[e.supplier],
            share=e.max_share,
        )
    ]
