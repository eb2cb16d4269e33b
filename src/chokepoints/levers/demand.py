"""Final-demand changes: buyers of a product or end use buy more or less.

Cases: a fall in vehicle demand, a defense build-up, precautionary buying. Effects: one
:class:`~chokepoints.effects.DemandChange` per event.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from ..effects import DemandChange, Effect
from .base import LeverContext, LeverEvent


class FinalDemandChange(LeverEvent):
    """Final demand in ``region`` (one region or a list) for ``product`` or ``end_use`` changes by
    ``share`` (-0.2 = a 20 % fall) from ``on`` until ``until`` (or the horizon)."""

    type: Literal["final_demand_change"] = "final_demand_change"
    region: str | list[str] = Field(min_length=1)
    product: str | None = None
    end_use: str | None = None
    share: float = Field(ge=-1, le=10)
    until: dt.date | None = None

    @model_validator(mode="after")
    def _check(self) -> FinalDemandChange:
        if self.product is None and self.end_use is None:
            raise ValueError("give 'product' or 'end_use'")
        return self


EVENTS = (FinalDemandChange,)


def _regions(e: FinalDemandChange) -> list[str]:
    return [e.region] if isinstance(e.region, str) else list(e.region)


def check(ctx: LeverContext, i: int, e: FinalDemandChange) -> None:
    if isinstance(e.region, str):
        ctx.check_region(i, ("region",), e.region)
    else:
        ctx.check_regions(i, "region", e.region)
    ctx.check_product(i, ("product",), e.product)
    ctx.check_end_use(i, ("end_use",), e.end_use)


def compile(ctx: LeverContext, i: int, e: FinalDemandChange) -> list[Effect]:
    cw = ctx.cw
    mask = np.isin(cw.fd_region, [ctx.ridx.get(r, -1) for r in _regions(e)])
    if e.product is not None:
        mask &= cw.fd_product == ctx.pidx.get(e.product, -1)
    if e.end_use is not None:
        mask &= np.array([u == e.end_use for u in cw.fd_end_use], bool)
    if not mask.any():
        ctx.err(("events", i), "matches no final-demand cell")
    end = ctx.T if e.until is None else ctx.day(e.until)
    return [DemandChange(mask, ctx.per_run(e.share, i, "share"), ctx.day(e.on), end)]
