"""Indicators computed from a Result: time to shortfall, output lost, summaries.

Shortfall: on day t a group (region, end use) is short when its producers' output
falls below (1 - tol) of the demand on them, or its final demand is served below
(1 - tol):   short(t) = sum_f x_a_f(t) < (1 - tol) * sum_f D_f(t)  or
             sum_c unmet_c(t) > tol * sum_c y_c(t).
Days to first shortfall is the first such day (NaN: none within the horizon).
Output lost (units) = sum_t (x0_f - x_a_f(t)) over the group's producers, relative
to the undisturbed baseline; in USD it is multiplied by the product's unit value.
Across runs each indicator is summarised by its median and 5th-95th percentiles.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr

if TYPE_CHECKING:
    from ..engine.result import Result


def summarise(values: np.ndarray) -> dict[str, float]:
    """Median and 5-95 % of values across runs (NaN = never); share of runs with a value."""
    v = np.asarray(values, float)
    finite = v[np.isfinite(v)]
    if finite.size == 0:
        return {"median": np.nan, "p05": np.nan, "p95": np.nan, "share_of_runs": 0.0}
    # runs with no shortfall count as +inf so the median is honest about them
    filled = np.where(np.isfinite(v), v, np.inf)
    with np.errstate(invalid="ignore"):  # inf - inf between two censored runs: NaN, read as "never"
        q = np.quantile(filled, [0.5, 0.05, 0.95], method="linear")
    q = np.where(np.isinf(q), np.nan, q)
    return {"median": q[0], "p05": q[1], "p95": q[2], "share_of_runs": finite.size / v.size}


class Indicators:
    """``result.indicators``: shared keywords ``region=`` and ``end_use=``."""

    def __init__(self, result: Result):
        self.result = result
        self.data: xr.Dataset = result.data
        sc = result.scenario
        self.tol = sc.engine.shortfall_tolerance if sc is not None else 1e-3

    def groups(self) -> list[tuple[str, str]]:
        d = self.data
        pairs = {(r, u) for r, u in zip(d.producer_region.values, d.producer_end_use.values, strict=True) if u}
        pairs |= {(r, u) for r, u in zip(d.demand_region.values, d.demand_end_use.values, strict=True) if u}
        return sorted(pairs)

    def _masks(self, region: str, end_use: str) -> tuple[np.ndarray, np.ndarray]:
        d = self.data
        pm = (d.producer_region.values == region) & (d.producer_end_use.values == end_use)
        dm = (d.demand_region.values == region) & (d.demand_end_use.values == end_use)
        return pm, dm

    def output_ratio(self, region: str, end_use: str) -> xr.DataArray:
        """Output of the group's producers relative to baseline, (run, day)."""
        d = self.data
        pm, dm = self._masks(region, end_use)
        if pm.any():
            x = d.production.isel(producer=pm)
            value = (x * self._unit_value(pm)).sum("producer")
            base = float((d.baseline_production.isel(producer=pm) * self._unit_value(pm).isel(run=0)).sum())
            return value / base if base > 0 else value * np.nan
        y = d.final_demand.isel(demand_cell=dm).sum("demand_cell")
        unmet = d.final_demand_unmet.isel(demand_cell=dm).sum("demand_cell")
        return (y - unmet) / y.where(y > 0)

    def _unit_value(self, pm: np.ndarray, missing: float = 1.0) -> xr.DataArray:
        """USD per unit of each selected producer's product (``missing`` where unknown;
        1 lets physical units still add up when weighting output)."""
        d = self.data
        prods = d.producer_product.values[pm]
        uv = d.unit_value.sel(product=list(prods)).values  # (run, k)
        uv = np.where(np.isfinite(uv), uv, missing)
        return xr.DataArray(uv, dims=("run", "producer"), coords={"run": d.run, "producer": d.producer.values[pm]})

    def shortfall_days(self, region: str, end_use: str) -> np.ndarray:
        """Per run: first day the group is short (NaN if never)."""
        d = self.data
        pm, dm = self._masks(region, end_use)
        short = np.zeros((d.sizes["run"], d.sizes["day"]), bool)
        if pm.any():
            x = d.production.values[:, :, pm].sum(-1)
            dem = d.demand.values[:, :, pm].sum(-1)
            short |= x < (1 - self.tol) * dem
        if dm.any():
            y = d.final_demand.values[:, :, dm].sum(-1)
            unmet = d.final_demand_unmet.values[:, :, dm].sum(-1)
            short |= unmet > self.tol * y
        first = np.where(short.any(axis=1), short.argmax(axis=1).astype(float), np.nan)
        return first

    def output_lost(self, region: str, end_use: str) -> tuple[np.ndarray, np.ndarray, str]:
        """Per run: (units lost, USD lost, unit label) of the group's producers over the horizon."""
        d = self.data
        pm, dm = self._masks(region, end_use)
        if pm.any():
            lost = (d.baseline_production.values[pm][None, None, :] - d.production.values[:, :, pm]).sum(1)
            units = lost.sum(-1)
            usd = (lost * self._unit_value(pm, missing=np.nan).values).sum(-1)
            prods = sorted(set(d.producer_product.values[pm]))
        else:
            lost = d.final_demand_unmet.values[:, :, dm].sum(1)
            units = lost.sum(-1)
            prods = sorted(set(d.demand_product.values[dm]))
            uv = d.unit_value.sel(product=list(d.demand_product.values[dm])).values
            usd = (lost * np.where(np.isfinite(uv), uv, np.nan)).sum(-1)
        unit_of = dict(zip(d["product"].values, d.product_unit.values, strict=True))
        label = " + ".join(f"{unit_of[p]} {p}" for p in prods)
        return units, usd, label

    def time_to_shortfall(self, region: str | None = None, end_use: str | None = None) -> pd.DataFrame:
        """Days to first shortfall per (region, end use): median, 5 %, 95 %, share of runs short."""
        rows = []
        for r, u in self.groups():
            if (region is not None and r != region) or (end_use is not None and u != end_use):
                continue
            s = summarise(self.shortfall_days(r, u))
            rows.append({"region": r, "end_use": u, **s})
        return pd.DataFrame(rows, columns=["region", "end_use", "median", "p05", "p95", "share_of_runs"])

    def output_loss(self, region: str | None = None, end_use: str | None = None) -> pd.DataFrame:
        """Output lost per (region, end use) in units and USD: median and 5-95 % across runs."""
        rows = []
        for r, u in self.groups():
            if (region is not None and r != region) or (end_use is not None and u != end_use):
                continue
            units, usd, label = self.output_lost(r, u)
            su, sd = summarise(units), summarise(usd)
            rows.append({"region": r, "end_use": u, "unit": label, "units_median": su["median"],
                         "units_p05": su["p05"], "units_p95": su["p95"], "usd_median": sd["median"],
                         "usd_p05": sd["p05"], "usd_p95": sd["p95"]})
        return pd.DataFrame(rows)

    def summary(self, key_users: list[tuple[str, str]] | None = None) -> pd.DataFrame:
        """One row per (region, end use): shortfall day and losses (the CLI's table)."""
        t = self.time_to_shortfall()
        loss = self.output_loss()
        df = t.merge(loss, on=["region", "end_use"], how="left")
        if key_users:
            order = {k: i for i, k in enumerate(key_users)}
            df["_k"] = [order.get((r, u), len(order)) for r, u in zip(df.region, df.end_use, strict=True)]
            df = df.sort_values(["_k", "region", "end_use"]).drop(columns="_k")
        return df.reset_index(drop=True)
