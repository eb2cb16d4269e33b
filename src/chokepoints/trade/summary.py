"""Tables from an ``analyse`` result: totals by date and importer, by partner, by HS section.

All money in USD million a year (base-year flows). With several runs (uncertain elasticities),
values are means over runs; :func:`summary` adds 5th and 95th percentiles of buyer cost and
deadweight loss.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import xarray as xr

from .data import load_bundled
from .schedule import Catalog


def load_catalog() -> Catalog:
    """The bundled products as a :class:`~chokepoints.trade.schedule.Catalog`."""
    return Catalog.from_frame(load_bundled().products)


def _pick(ds: xr.Dataset, date: dt.date | str | None) -> xr.Dataset:
    if date is None:
        return ds
    ts = pd.Timestamp(str(date))
    if ts not in set(pd.DatetimeIndex(ds["date"].values)):
        raise KeyError(
            f"date {ts.date()} was not evaluated; dates: "
            f"{', '.join(str(d.date()) for d in pd.DatetimeIndex(ds['date'].values))}"
        )
    return ds.sel(date=[ts])


def _wavg(x: xr.DataArray, w: xr.DataArray, dims: list[str]) -> xr.DataArray:
    x = x.where(np.isfinite(x))
    ww = w.where(np.isfinite(x), 0.0)
    tot = ww.sum(dims)
    return (x.fillna(0) * ww).sum(dims) / tot.where(tot > 0)


def summary(ds: xr.Dataset, date: dt.date | str | None = None) -> pd.DataFrame:
    """One row per date and importer: imports before and after, the change by partner, revenue,
    buyer cost, deadweight loss, exporters' surplus change."""
    d = _pick(ds, date)
    g = d.groupby("line_importer")
    recs = []
    for imp, sub in g:
        m0 = sub.imports_base
        for t in sub["date"].values:
            s = sub.sel(date=t)
            mean = s.mean("run")
            rec = {
                "date": pd.Timestamp(t).date(),
                "importer": str(imp),
                "imports_base": float(m0.sum()),
                "imports_new": float(mean.imports_new.sum()),
            }
            rec["imports_change"] = rec["imports_new"] - rec["imports_base"]
            rec["imports_change_pct"] = (
                100 * rec["imports_change"] / rec["imports_base"] if rec["imports_base"] else np.nan
            )
            change = (mean.imports_new - m0).sum("line")
            for p in sub["partner"].values:
                if float(m0.sel(partner=p).sum()) > 0:
                    rec[f"change_{p}"] = float(change.sel(partner=p))
            rec["rate_avg_base"] = float((sub.rate_base * m0).sum() / m0.sum())
            rec["rate_avg"] = float((mean.rate * m0).sum() / m0.sum())
            rec["revenue_base"] = float(mean.revenue_base.sum())
            rec["revenue_new"] = float(mean.revenue_new.sum())
            rec["revenue_change"] = rec["revenue_new"] - rec["revenue_base"]
            rec["buyer_cost"] = float(mean.buyer_cost.sum())
            rec["deadweight_loss"] = float(mean.deadweight_loss.sum())
            rec["exporter_surplus_change"] = float(mean.exporter_surplus_change.sum())
            if s.sizes["run"] > 1:
                bc = s.buyer_cost.sum("line").values
                dwl = s.deadweight_loss.sum("line").values
                rec["buyer_cost_p5"], rec["buyer_cost_p95"] = np.percentile(bc, [5, 95])
                rec["deadweight_loss_p5"], rec["deadweight_loss_p95"] = np.percentile(dwl, [5, 95])
            recs.append(rec)
    return pd.DataFrame(recs).sort_values(["date", "importer"]).reset_index(drop=True)


def by_partner(ds: xr.Dataset, date: dt.date | str | None = None) -> pd.DataFrame:
    """One row per date, importer and partner: imports, creation, diversion, composite and price
    effects, revenue, average rates, trade-weighted exporter price change and pass-through."""
    d = _pick(ds, date).mean("run")
    recs = []
    for imp, sub in d.groupby("line_importer"):
        m0 = sub.imports_base
        for t in sub["date"].values:
            s = sub.sel(date=t)
            for p in sub["partner"].values:
                base = float(m0.sel(partner=p).sum())
                if base <= 0:
                    continue
                c = s.sel(partner=p)
                w = m0.sel(partner=p)
                rec = {
                    "date": pd.Timestamp(t).date(),
                    "importer": str(imp),
                    "partner": str(p),
                    "imports_base": base,
                    "imports_new": float(c.imports_new.sum()),
                }
                rec["change"] = rec["imports_new"] - base
                rec["change_pct"] = 100 * rec["change"] / base
                for k in (
                    "trade_creation",
                    "trade_diversion",
                    "composite_effect",
                    "price_effect",
                    "revenue_base",
                    "revenue_new",
                    "exporter_surplus_change",
                ):
                    rec[k] = float(c[k].sum())
                rec["rate_base"] = float((c.rate_base * w).sum() / base)
                rec["rate"] = float((c.rate * w).sum() / base)
                rec["exporter_price_change_pct"] = 100 * float(_wavg(c.exporter_price_change, w, ["line"]))
                pt = _wavg(c.pass_through, w, ["line"])
                rec["pass_through"] = float(pt) if np.isfinite(float(pt)) else np.nan
                recs.append(rec)
    return pd.DataFrame(recs).sort_values(["date", "importer", "partner"]).reset_index(drop=True)


def by_section(ds: xr.Dataset, date: dt.date | str | None = None) -> pd.DataFrame:
    """One row per date, importer and HS section (lines without a section: 'unclassified')."""
    d = _pick(ds, date).mean("run")
    sec = xr.DataArray(np.where(d.line_section.values == "", "unclassified", d.line_section.values), dims="line")
    key = xr.DataArray(
        np.char.add(np.char.add(d.line_importer.values.astype(str), "|"), sec.values.astype(str)),
        dims="line",
        name="key",
    )
    recs = []
    for k, sub in d.groupby(key):
        imp, s_name = str(k).split("|", 1)
        m0 = float(sub.imports_base.sum())
        for t in sub["date"].values:
            s = sub.sel(date=t)
            rec = {
                "date": pd.Timestamp(t).date(),
                "importer": imp,
                "section": s_name,
                "imports_base": m0,
                "imports_new": float(s.imports_new.sum()),
            }
            rec["change"] = rec["imports_new"] - m0
            rec["change_pct"] = 100 * rec["change"] / m0 if m0 else np.nan
            rec["revenue_change"] = float((s.revenue_new - s.revenue_base).sum())
            rec["buyer_cost"] = float(s.buyer_cost.sum())
            rec["deadweight_loss"] = float(s.deadweight_loss.sum())
            recs.append(rec)
    return pd.DataFrame(recs).sort_values(["date", "importer", "section"]).reset_index(drop=True)
