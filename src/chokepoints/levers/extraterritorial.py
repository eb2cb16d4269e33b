"""Extraterritorial content rules: goods made abroad with the exporter's controlled content.

Case: China's 0.1 % rule of 9 October 2025 (MOFCOM Announcement No. 61), suspended after
the Busan meeting of 30 October 2025, modelled on the US foreign direct product rule.

Effects: one :class:`~chokepoints.effects.RouteRegime` whose suppliers are the producers
outside the exporter with at least ``threshold`` of controlled content.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import numpy as np
from pydantic import Field, field_validator

from ..effects import Effect, RouteRegime
from ..world import CompiledWorld
from .base import LeverContext, LeverEvent, as_list, as_list_or_all
from .export_control import end_use_filters, regime_fields


class ExtraterritorialRule(LeverEvent):
    """Goods made outside the exporter that embody at least ``threshold`` (a share of their
    value) of the exporter's controlled ``products`` need the exporter's licence when shipped
    to ``destinations`` (China's 0.1 % rule of 9 October 2025, MOFCOM Announcement No. 61).

    Content is traced through the supply network at baseline (unit values from the World):
      c_f = sum_p A[p, f] v_p / v_p(f) * sum_s W[s, f] * (1 if s is in the exporter and p is
            controlled, else c_s if p is not made in the exporter)
    solved as a fixed point, so a magnet made in Japan from Chinese dysprosium carries that
    content into the motor that uses it. Routes from producers with c_f >= threshold to
    buyers in the destinations are then controlled like an export_control with ``mode``.
    """

    type: Literal["extraterritorial_rule"] = "extraterritorial_rule"
    exporter: str
    products: list[str] = Field(min_length=1)
    threshold: float = Field(default=0.001, ge=0, le=1)
    destinations: list[str] | Literal["all"] = "all"
    mode: Literal["ban", "licence"] = "licence"
    review_days: float = Field(default=0.0, ge=0, le=3650)
    approval_rate: float = Field(default=1.0, ge=0, le=1)
    until: dt.date | None = None
    exempt_end_uses: list[str] = Field(default_factory=list)
    excluded_end_uses: list[str] = Field(default_factory=list)

    _lists = field_validator("products", "exempt_end_uses", "excluded_end_uses", mode="before")(as_list)
    _dest = field_validator("destinations", mode="before")(as_list_or_all)


EVENTS = (ExtraterritorialRule,)


def check(ctx: LeverContext, i: int, e: ExtraterritorialRule) -> None:
    ctx.check_region(i, ("exporter",), e.exporter)
    ctx.check_products(i, "products", e.products)
    ctx.check_regions(i, "destinations", e.destinations)
    for key in ("exempt_end_uses", "excluded_end_uses"):
        ctx.check_end_uses(i, key, getattr(e, key))
    uv = ctx.cw.unit_value
    if not np.isfinite(uv).all():
        missing = [ctx.cw.products[k] for k in np.flatnonzero(~np.isfinite(uv))]
        ctx.err(
            ("events", i),
            "the extraterritorial rule traces content by value and needs unit values for every "
            f"product; missing for {', '.join(missing[:5])}",
        )


def content_shares(cw: CompiledWorld, exporter: int, products: list[int], iterations: int = 200) -> np.ndarray:
    """Share of each producer's output value that is controlled content from ``exporter``.

    c_f = sum_p A[p, f] v_p / v_p(f) * sum_s W[s, f] * k_s,p with k = 1 when s is in the
    exporter and p is controlled, k = c_s when s is outside the exporter, 0 otherwise;
    iterated to a fixed point (the network is acyclic in practice; the iteration count
    bounds it otherwise). Producers in the exporter are not counted (their goods are
    controlled by the export control itself).
    """
    n = cw.n
    v = cw.unit_value
    vf = v[cw.prod_product]
    W = np.asarray(cw.W)[:, :n]
    in_exp = cw.prod_region == exporter
    controlled = np.isin(cw.prod_product, products)
    direct = (in_exp & controlled).astype(float)  # (n,) supplier-side indicator
    # value share of input p in f's output: A[p, f] v_p / v_p(f)
    val = cw.A * v[:, None] / np.where(vf > 0, vf, np.inf)[None, :]
    c = np.zeros(n)
    for _ in range(iterations):
        k = np.where(in_exp, direct, c)  # (n,) what a unit bought from supplier s carries
        per_product = np.zeros_like(cw.A)  # (S, n): share of f's purchases of p that carry content
        np.add.at(per_product, cw.prod_product, W * k[:, None])
        new = np.where(in_exp, 0.0, (val * per_product).sum(axis=0))
        if np.allclose(new, c, rtol=0, atol=1e-15):
            c = new
            break
        c = new
    return np.clip(c, 0.0, 1.0)


def compile(ctx: LeverContext, i: int, e: ExtraterritorialRule) -> list[Effect]:
    cw = ctx.cw
    exporter = ctx.ridx.get(e.exporter, -1)
    key = ("content", e.exporter, tuple(e.products))
    if key not in ctx.cache:  # traced once per exporter and products
        ctx.cache[key] = (
            content_shares(cw, exporter, [ctx.pidx[p] for p in e.products if p in ctx.pidx])
            if exporter >= 0
            else np.zeros(cw.n)
        )
    content = ctx.cache[key]
    # exports only: a third country's sales at home are not caught (cross_border)
    suppliers = (content >= max(e.threshold, 1e-15)) & (cw.prod_region != exporter)
    buyers = ctx.region_mask(e.destinations)[cw.buyer_region]
    applies, excluded = end_use_filters(ctx, e)
    return [
        RouteRegime(
            (ctx.day(e.on), i),
            ctx.start(e),
            ctx.end(e),
            suppliers,
            buyers,
            label=f"{e.id or e.type}@{e.on}",
            cross_border=True,
            applies=applies,
            excluded=excluded,
            **regime_fields(ctx, i, e),
        )
    ]
