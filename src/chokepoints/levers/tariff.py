"""Tariffs: dated legal layers of an importer's tariff schedule, and the tariff analysis's setup.

Used by the static tariff analysis (:mod:`chokepoints.trade`, Armington partial equilibrium)
and, for tariffs naming World products, by the dynamic engine: each such tariff is a
:class:`~chokepoints.effects.PriceWedge` on the importer's purchases from the exporter, which
re-weights buyers' orders between origins by the Armington rule.

``tariff``: one legal layer on the schedule, like a row of the bundled ``tariff_layers.csv``::

    - type: tariff
      id: threat_100
      importer: USA
      exporter: CHN            # an ISO3 code, a list, or "all"
      products: all            # "all", a product id, hs:<digits>, section:<I..XXI>, or a list
      layer: ieepa_reciprocal  # mfn, section_301, section_232, ieepa_fentanyl, ieepa_reciprocal,
                               # or counter (the partner's counter-tariffs)
      rate: 100                # percentage points ad valorem
      action: add              # add, suspend (suspends `rate` points) or exclude (layer off
                               # for the products)
      on: 2025-11-01
      until: 2026-11-10        # first day no longer in force (optional)

``trade_setup``: what the tariff analysis reads (at most one per scenario). ``on`` is the base
date: the rates in force that day are the base of every comparison (the trade data's year).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from ..datasets.smart import SMART_SIGMA
from ..effects import Effect, PriceWedge
from .base import LeverContext, LeverEvent

TARIFF_LAYERS = (
    "mfn",
    "section_301",
    "section_232",
    "ieepa_fentanyl",
    "ieepa_reciprocal",
    "counter",
)


def _as_list(v: object) -> object:
    return [v] if isinstance(v, str) and v != "all" else v


_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_\-]{0,31}")
"""An economy code: a letter, then letters, digits, '_' or '-' (no spaces or control characters)."""


class Tariff(LeverEvent):
    """A tariff layer: ``importer`` charges ``rate`` points on ``products`` from ``exporter``
    from ``on`` until ``until`` (exclusive; open-ended if omitted). ``action: suspend`` suspends
    ``rate`` points of the layer; ``action: exclude`` takes the products out of the layer.
    How layers stack is set by the schedule's stacking rules (chokepoints.trade.schedule)."""

    type: Literal["tariff"] = "tariff"
    importer: str = Field(min_length=1, description="ISO3 code of the importing economy")
    exporter: list[str] | Literal["all"] = Field(description="ISO3 code(s) of the partners, or 'all'")
    products: list[str] | Literal["all"] = "all"
    layer: Literal["mfn", "section_301", "section_232", "ieepa_fentanyl", "ieepa_reciprocal", "counter"]
    rate: float = Field(default=0.0, ge=0, le=1000, description="percentage points ad valorem (25 = 25 %)")
    action: Literal["add", "suspend", "exclude"] = "add"
    until: dt.date | None = None

    _lists = field_validator("exporter", "products", mode="before")(_as_list)

    @model_validator(mode="after")
    def _check(self) -> Tariff:
        if self.until is not None and self.until <= self.on:
            raise ValueError("'until' must be after 'on'")
        if self.action == "suspend" and self.rate <= 0:
            raise ValueError("a suspension needs the points it suspends (rate > 0)")
        if self.importer == "all" or not _CODE.fullmatch(self.importer):
            raise ValueError(f"importer: expected one economy's code (e.g. USA), got {self.importer!r}")
        for code in [] if self.exporter == "all" else self.exporter:
            if not _CODE.fullmatch(code):
                raise ValueError(f"exporter: expected economy codes (e.g. CHN) or 'all', got {code!r}")
        return self


class TradeSetup(LeverEvent):
    """Inputs of the tariff analysis; ``on`` is the base date.

    ``data``: ``bundled`` (US-China 2024 lines) or a file; ``format``: tidy (importer, exporter,
    product, value_usd_m), baci (with ``country_codes``) or comtrade. ``schedule``:
    ``us-china-2025``
    (bundled), ``none``, or a CSV in the bundled layout. ``eta`` (< 0), ``sigma`` (> 0) and
    ``epsilon`` (> 0) override the elasticity table for every line; ``elasticities`` replaces the
    table. ``dates``: the dates to evaluate (default: every date the rates change).
    """

    type: Literal["trade_setup"] = "trade_setup"
    data: str = "bundled"
    format: Literal["bundled", "tidy", "baci", "comtrade"] = "bundled"
    country_codes: str | None = None
    year: int | None = Field(default=None, ge=1900, le=2100)
    importers: list[str] | None = None
    schedule: str = "us-china-2025"
    eta: float | None = Field(default=None, lt=0, description="import-demand elasticity (negative)")
    sigma: float | None = Field(default=None, gt=0, description="substitution elasticity between origins (positive)")
    epsilon: float | None = Field(default=None, gt=0, description="export-supply elasticity (positive)")

    @field_validator("eta", "sigma", "epsilon")
    @classmethod
    def _magnitude(cls, v: float | None) -> float | None:
        if v is not None and not 1e-6 <= abs(v) <= 1e6:
            raise ValueError(f"an elasticity's size must lie within [1e-6, 1e6], got {v:g}")
        return v

    elasticities: str | None = None
    dates: list[dt.date] | None = None

    _lists = field_validator("importers", mode="before")(_as_list)

    @model_validator(mode="after")
    def _check(self) -> TradeSetup:
        if self.format == "bundled" and self.data != "bundled":
            raise ValueError("give 'format' (tidy, baci or comtrade) for a data file")
        if self.format != "bundled" and self.data == "bundled":
            raise ValueError(f"format {self.format!r} needs a 'data' file")
        if self.format == "baci" and not self.country_codes:
            raise ValueError("BACI data needs 'country_codes' (the country_codes_*.csv file)")
        return self


EVENTS = (Tariff, TradeSetup)
TRADE_EVENTS: tuple[type[LeverEvent], ...] = EVENTS


def setup_sigma(ctx: LeverContext) -> float:
    """The substitution elasticity of the scenario's ``trade_setup`` (``sigma``), else SMART's default."""
    return next((s.sigma for s in ctx.sc.events if isinstance(s, TradeSetup) and s.sigma), None) or SMART_SIGMA


def engine_tariff(ctx: LeverContext, e: LeverEvent) -> bool:
    """Tariffs naming World products (or 'all') act in the engine; those naming HS lines or
    sections are for ``chokepoints tariffs`` only, and exclusions only shape the schedule."""
    return (
        isinstance(e, Tariff)
        and e.importer in ctx.ridx
        and e.action != "exclude"
        and (e.products == "all" or all(p in ctx.pidx for p in e.products))
    )


def check(ctx: LeverContext, i: int, e: LeverEvent) -> None:
    """Tariff events may name HS lines and partners outside the World: nothing to check here."""


def compile(ctx: LeverContext, i: int, e: LeverEvent) -> list[Effect]:
    if not isinstance(e, Tariff) or not engine_tariff(ctx, e):
        return []
    sigma = setup_sigma(ctx)
    rate = (e.rate if e.action == "add" else -e.rate) / 100.0
    return [
        PriceWedge(
            max(ctx.day(e.on), 0),
            None if e.until is None else ctx.day(e.until),
            ctx.region_mask([e.importer]),
            ctx.region_mask(e.exporter, all_but=e.importer),
            ctx.product_mask(e.products),
            rate,
            sigma,
            label=f"{e.id or e.type}@{e.on}",
        )
    ]
