"""Export taxes: an ad-valorem duty on an exporter's shipments of listed products.

The OECD Inventory of Export Restrictions on Industrial Raw Materials records export taxes
as the most common restriction on raw materials. Case: China's export duties on rare earths
(15 or 25 % ad valorem until 1 May 2015: "Rare earth exports are subjected to 15 or 25 per
cent tariffs currently", Reuters via The Straits Times, January 2015; removed from 1 May 2015
by the Ministry of Finance after the WTO ruling in DS431/432/433, ECNS, 24 April 2015).
A duty makes the exporter's goods dearer abroad than at home, so foreign buyers shift
toward other origins while the exporter's own processors keep the cheaper supply.

Effects: one :class:`~chokepoints.effects.PriceWedge` on the exporter's shipments to the
destinations, which the engine's compiler turns into Armington re-weighting of every
foreign buyer's origins (the same mechanism as a tariff, from the seller's side).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator, model_validator

from ..effects import Effect, PriceWedge
from .base import LeverContext, LeverEvent, as_list, as_list_or_all
from .tariff import setup_sigma


class ExportTax(LeverEvent):
    """``exporter`` charges ``rate`` percent ad valorem on its exports of ``products`` to
    ``destinations`` (every other region if ``all``) from ``on`` until ``until``.

    Buyers abroad re-weight their purchases of each product between origins by the
    Armington rule (Armington 1969, as WITS-SMART):
        w1_f = w0_f tau_f^-sigma / sum_k w0_k tau_k^-sigma,
        tau_f = 1 + rate / 100 for suppliers f in the exporter, 1 for the others;
    sigma is ``sigma``, else the scenario's trade_setup sigma, else SMART's 1.5. Buyers in
    the exporter pay no duty and keep their shares. The tax stacks with tariffs on the
    same routes (the wedges add).
    """

    type: Literal["export_tax"] = "export_tax"
    exporter: str
    products: list[str] = Field(min_length=1)
    destinations: list[str] | Literal["all"] = "all"
    rate: float = Field(gt=0, le=1000, description="percent ad valorem (25 = 25 %)")
    sigma: float | None = Field(default=None, gt=0, le=50, description="substitution elasticity between origins")
    until: dt.date | None = None

    _lists = field_validator("products", mode="before")(as_list)
    _dest = field_validator("destinations", mode="before")(as_list_or_all)

    @model_validator(mode="after")
    def _check(self) -> ExportTax:
        if self.until is not None and self.until <= self.on:
            raise ValueError("'until' must be after 'on'")
        if self.destinations != "all" and self.exporter in self.destinations:
            raise ValueError("an export tax applies to exports: 'destinations' must not name the exporter")
        return self


EVENTS = (ExportTax,)


def check(ctx: LeverContext, i: int, e: ExportTax) -> None:
    ctx.check_region(i, ("exporter",), e.exporter)
    ctx.check_regions(i, "destinations", e.destinations)
    ctx.check_products(i, "products", e.products)
    if ctx.is_uncertain(e, "rate") or ctx.is_uncertain(e, "sigma"):
        ctx.err(
            ("events", i),
            "an export tax's rate and sigma cannot vary per run (they set the shares of the "
            "supply network, which the runs of an ensemble share)",
        )


def compile(ctx: LeverContext, i: int, e: ExportTax) -> list[Effect]:
    if e.exporter not in ctx.ridx:
        return []
    return [
        PriceWedge(
            ctx.start(e),
            None if e.until is None else ctx.day(e.until),
            importers=ctx.region_mask(e.destinations, all_but=e.exporter),
            exporters=ctx.region_mask([e.exporter]),
            products=ctx.product_mask(e.products),
            rate=e.rate / 100.0,
            sigma=e.sigma or setup_sigma(ctx),
            label=f"{e.id or e.type}@{e.on}",
        )
    ]
