"""The ``backtest:`` block of a scenario: which observed series the scenario answers, how each maps
onto a model quantity, and the pre-registered split into fitted and held-out series.

Example (see ``scenarios/cn-rare-earth-history-2025.yaml`` and docs/backtest.md)::

    backtest:
      observed: rare-earths-2025          # bundled observations table, or a folder path
      registered: 2026-12-03              # the split was written on this date, before any fit
      fit: [cn_magnet_exports.world]
      hold_out: [cn_magnet_exports.usa]
      tolerance: 0.3                      # ABC: accept runs with max |log error| <= tolerance
      series:
        cn_magnet_exports.world:
          quantity: shipments             # sum of shipments on controlled routes
          exporter: CHN
          products: [ndfeb_magnet, smco_magnet]
          aggregate: sum                  # t/day summed over the period's days -> t per period
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class SeriesMap(BaseModel):
    """How one observed series maps onto a model quantity.

    quantity ``shipments``: daily shipments summed over the controlled routes from producers in
    ``exporter`` making ``products`` to buyers in ``importers`` (``all``: every region but the
    exporter). quantity ``production``: daily output summed over ``producers``. quantity
    ``parameter``: the run's sampled value of an uncertain parameter (its label, e.g.
    ``events.apr_licensing.approval_rate``), the same for every period. quantity
    ``granted_share``: the share of licence requests granted by the end of the period, as a
    snapshot statistic reports it ("a quarter of requests granted since April"), on the same
    routes as ``shipments``:
        share_r = sum over days t in [s, e) of shipments_r(t) / sum over the same days of orders_r(t)
    where s is the period's start or ``count_from`` if later (requests before it needed no licence,
    e.g. a grace regime for goods in transit). Requests still under review at e count as not granted,
    so the share rises with the review time's end, not only with the approval rate.
    ``aggregate``: ``sum`` (daily values summed over the period's days: a flow per period),
    ``mean`` (per day) or ``annual_rate`` (mean x 365). The model value, in the product's unit,
    is then converted to the observation's unit (``chokepoints.backtest.units.convert``).
    ``compare``: ``level`` (the converted value) or ``year_on_year``: the observation divided by
    the same series 12 months earlier, against the model value divided by its own pre-shock
    baseline over the same days (a ratio; for series whose geography the model covers only in
    part, such as North American production against the model's US producers).
    ``window``: only periods starting within [first, last] (``YYYY-MM``) are scored.
    """

    model_config = ConfigDict(extra="forbid")

    quantity: Literal["shipments", "production", "parameter", "granted_share"]
    exporter: str | None = None
    importers: list[str] | Literal["all"] = "all"
    products: list[str] | None = None
    producers: list[str] | None = None
    parameter: str | None = None
    aggregate: Literal["sum", "mean", "annual_rate"] = "sum"
    compare: Literal["level", "year_on_year"] = "level"
    window: tuple[str, str] | None = None
    count_from: dt.date | None = None
    note: str = ""

    @model_validator(mode="after")
    def _needs(self) -> SeriesMap:
        if self.quantity in ("shipments", "granted_share") and (self.exporter is None or not self.products):
            raise ValueError(f"quantity {self.quantity!r} needs 'exporter' and 'products'")
        if self.count_from is not None and self.quantity != "granted_share":
            raise ValueError("'count_from' applies to quantity 'granted_share' only")
        if self.quantity == "production" and not self.producers:
            raise ValueError("quantity 'production' needs 'producers'")
        if self.quantity == "parameter" and not self.parameter:
            raise ValueError("quantity 'parameter' needs 'parameter' (an uncertain parameter's label)")
        return self


class BacktestSpec(BaseModel):
    """Observed series, their mappings, and the pre-registered fitted / held-out split."""

    model_config = ConfigDict(extra="forbid")

    observed: str = "rare-earths-2025"
    registered: dt.date | None = Field(None, description="date the split was written, before any fit")
    fit: list[str] = Field(default_factory=list)
    hold_out: list[str] = Field(default_factory=list)
    tolerance: float = Field(0.3, gt=0, description="ABC tolerance on the fitted series' max |log error|")
    series: dict[str, SeriesMap] = Field(min_length=1)

    @field_validator("fit", "hold_out", mode="before")
    @classmethod
    def _as_list(cls, v):
        return [v] if isinstance(v, str) else v

    @model_validator(mode="after")
    def _split(self) -> BacktestSpec:
        unknown = [s for s in self.fit + self.hold_out if s not in self.series]
        if unknown:
            raise ValueError(f"fit/hold_out name series without a mapping: {', '.join(unknown)}")
        both = set(self.fit) & set(self.hold_out)
        if both:
            raise ValueError(f"series both fitted and held out: {', '.join(sorted(both))}")
        return self
