"""Capacity changes: new, expanded or closed plants.

Cases: MP Materials' magnet plant in Fort Worth, Lynas' heavy rare-earth separation in
Texas and Malaysia, Solvay's La Rochelle expansion. Effects: one
:class:`~chokepoints.effects.CapacityAddition` per event.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import numpy as np
from pydantic import Field

from ..effects import CapacityAddition, Effect
from .base import LeverContext, LeverEvent


class CapacityChange(LeverEvent):
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
    ramp_days: float = Field(default=0.0, ge=0)
    until: dt.date | None = None


EVENTS = (CapacityChange,)


def check(ctx: LeverContext, i: int, e: CapacityChange) -> None:
    ctx.check_region(i, ("region",), e.region)
    ctx.check_product(i, ("product",), e.product)
    ctx.check_producer(i, ("producer",), e.producer)


def compile(ctx: LeverContext, i: int, e: CapacityChange) -> list[Effect]:
    cw = ctx.cw
    if e.region not in ctx.ridx:
        return []
    mask = cw.prod_region == ctx.ridx[e.region]
    if e.product is not None:
        mask &= cw.prod_product == ctx.pidx.get(e.product, -1)
    if e.producer is not None:
        mask &= np.arange(cw.n) == ctx.fidx.get(e.producer, -1)
    mask &= cw.x0 > 0
    if not mask.any():
        ctx.err(
            ("events", i),
            "matches no producer with baseline output; add the plant to the World's "
            "producers (a small output) so buyers have a supply link to it",
        )
        return []
    w = np.where(mask, cw.x0, 0.0)
    return [
        CapacityAddition(
            ctx.start(e),
            ctx.end(e),
            w / w.sum(),
            ctx.per_run(e.capacity_per_day, i, "capacity_per_day"),
            ctx.per_run(e.ramp_days, i, "ramp_days"),
        )
    ]
