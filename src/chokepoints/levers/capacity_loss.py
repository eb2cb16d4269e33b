"""Capacity losses: producers lose part of their capacity (a disaster, a strike, a shutdown).

The shock of BoARIO's ``Event`` (Hallegatte 2008: productive capital destroyed, then
rebuilt), here as a share of capacity with linear recovery. Effects: one
:class:`~chokepoints.effects.CapacityLoss` per event.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from ..effects import CapacityLoss as CapacityLossEffect
from ..effects import Effect
from .base import LeverContext, LeverEvent


class CapacityLoss(LeverEvent):
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
    duration_days: float = Field(default=0.0, ge=0)
    recovery_days: float = Field(default=0.0, ge=0)
    recovery: Literal["linear", "none"] = "linear"


EVENTS = (CapacityLoss,)


def check(ctx: LeverContext, i: int, e: CapacityLoss) -> None:
    ctx.check_region(i, ("region",), e.region)
    ctx.check_product(i, ("product",), e.product)
    ctx.check_producer(i, ("producer",), e.producer)


def compile(ctx: LeverContext, i: int, e: CapacityLoss) -> list[Effect]:
    cw = ctx.cw
    mask = cw.prod_region == ctx.ridx.get(e.region, -1)
    if e.product is not None:
        mask &= cw.prod_product == ctx.pidx.get(e.product, -1)
    if e.producer is not None:
        mask &= np.arange(cw.n) == ctx.fidx.get(e.producer, -1)
    if not mask.any():
        ctx.err(("events", i), "matches no producer (check region/product/producer)")
    return [
        CapacityLossEffect(
            mask,
            ctx.per_run(e.share, i, "share"),
            ctx.day(e.on),
            ctx.per_run(e.duration_days, i, "duration_days"),
            ctx.per_run(e.recovery_days, i, "recovery_days"),
            e.recovery == "linear",
        )
    ]
