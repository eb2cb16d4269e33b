"""Stock targets: buyers of a product order towards more (or fewer) days of stock than usual.

Cases: precautionary buying after a supply scare (magnet buyers restocking once China's
licences flowed again in mid-2025, after the June shortages had "driven buyers like
automakers into panic mode": S&P Global, 21 August 2025); destocking when a shortage is
expected to pass. Effects: one :class:`~chokepoints.effects.StockTarget` per product.

ARIO's order rule already rebuilds stocks to their target after a shortage; this lever moves
the target itself. Only orders change: the production constraint keeps the baseline target,
so holders with a raised target are not made short by it.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from ..effects import Effect, StockTarget
from .base import LeverContext, LeverEvent, as_list, as_list_or_all


class StockTargetChange(LeverEvent):
    """From ``on`` until ``until`` (or the horizon), the ``holders`` of ``products`` order towards
    ``factor`` times their inventory target (1.5 = half as many days of stock again; 0.8 = a
    fifth fewer):  goal(t) = factor * s * A * x_opt(t), gap = max(goal - stock - on order, 0).

    ``holders``: region ids (their producers that stock the product) or producer ids, or
    ``all`` (every producer that stocks the product, except those in ``except_regions``).
    ``end_use`` keeps only producers of that end use.
    """

    type: Literal["stock_target"] = "stock_target"
    holders: str | list[str] = Field(min_length=1)
    products: list[str] = Field(min_length=1)
    factor: float = Field(gt=0, le=10, description="multiple of the baseline inventory target")
    except_regions: list[str] = Field(default_factory=list)
    end_use: str | None = None
    until: dt.date | None = None

    _products_list = field_validator("products", mode="before")(as_list)
    _holders_list = field_validator("holders", mode="before")(as_list_or_all)

    @model_validator(mode="after")
    def _check(self) -> StockTargetChange:
        if self.except_regions and self.holders != "all":
            raise ValueError("'except_regions' goes with holders: all")
        if self.until is not None and self.until <= self.on:
            raise ValueError(f"'until' ({self.until}) must be after 'on' ({self.on})")
        return self


EVENTS = (StockTargetChange,)


def check(ctx: LeverContext, i: int, e: StockTargetChange) -> None:
    ctx.check_products(i, "products", e.products)
    ctx.check_regions(i, "except_regions", e.except_regions)
    ctx.check_end_use(i, ("end_use",), e.end_use)
    if e.holders != "all":
        for j, h in enumerate(e.holders):
            if h not in ctx.fidx and h not in ctx.ridx:
                ctx.err(("events", i, "holders", j), f"unknown holder {h!r}: expected a producer or region id")


def _holder_mask(ctx: LeverContext, e: StockTargetChange) -> np.ndarray:
    cw = ctx.cw
    if e.holders == "all":
        excluded = [ctx.ridx[r] for r in e.except_regions if r in ctx.ridx]
        mask = ~np.isin(cw.prod_region, excluded)
    else:
        regions = [ctx.ridx[h] for h in e.holders if h in ctx.ridx]
        mask = np.isin(cw.prod_region, regions)
        mask[[ctx.fidx[h] for h in e.holders if h in ctx.fidx]] = True
    if e.end_use is not None:
        mask &= np.array([u == e.end_use for u in cw.prod_end_use], bool)
    return mask


def compile(ctx: LeverContext, i: int, e: StockTargetChange) -> list[Effect]:
    cw = ctx.cw
    holders = _holder_mask(ctx, e)
    factor = ctx.per_run(e.factor, i, "factor")
    out: list[Effect] = []
    for p in (ctx.pidx[name] for name in e.products if name in ctx.pidx):
        mask = holders & (cw.A[p] > 0)
        if mask.any():
            out.append(StockTarget(p, mask, factor, ctx.start(e), ctx.end(e)))
    if not out and all(name in ctx.pidx for name in e.products):
        ctx.err(("events", i, "holders"), f"no holder uses any of {', '.join(e.products)}")
    return out
