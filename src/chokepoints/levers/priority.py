"""Priority rationing: scarce supply goes to listed end uses first.

Case: the US Defense Production Act's priorities and allocations system (DPAS), which
lets defense orders be served before civilian ones. Effects: one
:class:`~chokepoints.effects.RationingRank` per event.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import numpy as np
from pydantic import Field, field_validator

from ..effects import Effect, RationingRank
from .base import LeverContext, LeverEvent, as_list


class Priority(LeverEvent):
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

    _lists = field_validator("order", "products", mode="before")(as_list)


EVENTS = (Priority,)


def check(ctx: LeverContext, i: int, e: Priority) -> None:
    ctx.check_region(i, ("region",), e.region)
    ctx.check_products(i, "products", e.products)
    ctx.check_end_uses(i, "order", e.order)


def compile(ctx: LeverContext, i: int, e: Priority) -> list[Effect]:
    cw = ctx.cw
    uses = np.asarray(cw.buyer_end_use, dtype=object)
    sup = np.ones(cw.n, bool)
    if e.region is not None:
        sup &= cw.prod_region == ctx.ridx.get(e.region, -1)
    if e.products is not None:
        sup &= np.isin(cw.prod_product, [ctx.pidx[p] for p in e.products if p in ctx.pidx])
    rank = np.full(cw.n + cw.m, len(e.order), dtype=np.intp)
    for k, u in enumerate(e.order):
        rank[uses == u] = k
    return [RationingRank(ctx.start(e), ctx.end(e), sup, rank, len(e.order) + 1)]
