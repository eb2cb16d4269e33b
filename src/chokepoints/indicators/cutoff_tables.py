"""Tables of a cut-off result (:func:`chokepoints.indicators.cutoff.price_quantity_cutoff`): 5 / 50 / 95 % bands.

A band is the 5th, 50th and 95th percentile over the runs (``numpy.quantile``, linear
interpolation) of one quantity computed per run; sums (over a region's producers, over the
destinations) are taken per run before the percentiles.

* :func:`market_table`: one row per cut product (baseline purchases, withheld supply, gross share,
  net shortfall share and price rise bands).
* :func:`region_table`: one row per region (value added lost under the substitutable and the
  complementary bound, import cost, upstream value-added change).
* :func:`sector_table`: one row per producer (region and product), largest losses first.
* :func:`destination_total`: the cost to the destinations together, per bound: value added lost +
  import cost.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

QUANTILES = (0.05, 0.5, 0.95)
BAND = ("p5", "p50", "p95")


def bands(values: np.ndarray, quantiles: tuple[float, ...] = QUANTILES) -> np.ndarray:
    """Percentiles over axis 0 (runs): shape (len(quantiles), ...)."""
    return np.quantile(np.asarray(values, float), quantiles, axis=0)


def _band_columns(frame: dict, name: str, values: np.ndarray) -> None:
    for label, row in zip(BAND, bands(values), strict=True):
        frame[f"{name}_{label}"] = row


def market_table(ds: xr.Dataset) -> pd.DataFrame:
    """One row per cut product: baseline ``purchases`` and ``withheld`` (USD per year), ``gross_share``,
    ``replaceable`` (USD per year) and bands of ``shortfall_share`` and ``price_rise``."""
    q = ds["purchases"].values
    c = ds["withheld"].values
    frame: dict = {
        "product": list(ds["product"].values),
        "purchases": q,
        "withheld": c,
        "gross_share": np.divide(c, q, out=np.zeros_like(q), where=q > 0),
        "replaceable": ds["replaceable"].values,
    }
    _band_columns(frame, "shortfall_share", ds["shortfall_share"].values)
    _band_columns(frame, "price_rise", ds["price_rise"].values)
    return pd.DataFrame(frame)


REGION_VARS = ("value_added_lost_low", "value_added_lost_high", "import_cost", "value_added_change_upstream")


def _by_region(ds: xr.Dataset, var: str) -> np.ndarray:
    """(runs, regions) sums of a per-producer variable."""
    regions = list(ds["region"].values)
    idx = np.array([regions.index(r) for r in ds["producer_region"].values], dtype=np.intp)
    out = np.zeros((ds.sizes["run"], len(regions)))
    np.add.at(out.T, idx, ds[var].values.T)
    return out


def region_table(ds: xr.Dataset, regions: list[str] | None = None) -> pd.DataFrame:
    """One row per region: ``value_added`` (baseline, USD per year) and bands of the REGION_VARS.

    ``regions``: only these (default: every region with a non-zero band), ordered by the median
    value added lost under the complementary bound.
    """
    names = list(ds["region"].values)
    per = {v: (ds[v].values if v == "import_cost" else _by_region(ds, v)) for v in REGION_VARS}
    va = np.zeros(len(names))
    idx = np.array([names.index(r) for r in ds["producer_region"].values], dtype=np.intp)
    np.add.at(va, idx, ds["value_added"].values)
    frame: dict = {"region": names, "value_added": va}
    for v in REGION_VARS:
        _band_columns(frame, v, per[v])
    df = pd.DataFrame(frame)
    if regions is not None:
        df = df[df["region"].isin(regions)]
    else:
        cols = [c for c in df.columns if c.endswith(BAND)]
        df = df[(df[cols].abs() > 0).any(axis=1)]
    key = "value_added_lost_high_p50"
    return df.sort_values(key, ascending=False, kind="stable").reset_index(drop=True)


def sector_table(ds: xr.Dataset, top: int | None = None) -> pd.DataFrame:
    """One row per producer with any loss: region, product and bands of value added and output lost
    under both bounds and the cost push; largest median complementary value-added loss first."""
    frame: dict = {
        "producer": list(ds["producer"].values),
        "region": list(ds["producer_region"].values),
        "product": list(ds["producer_product"].values),
    }
    for v in ("value_added_lost_low", "value_added_lost_high", "output_lost_low", "output_lost_high", "cost_push"):
        _band_columns(frame, v, ds[v].values)
    df = pd.DataFrame(frame)
    cols = [c for c in df.columns if c.endswith(BAND)]
    df = df[(df[cols].abs() > 0).any(axis=1)]
    df = df.sort_values(["value_added_lost_high_p50", "output_lost_high_p50"], ascending=False, kind="stable")
    df = df.reset_index(drop=True)
    return df if top is None else df.head(int(top))


def destination_total(ds: xr.Dataset, regions: list[str] | None = None) -> pd.DataFrame:
    """The cost to ``regions`` together (default: the destinations), one row per bound
    (``substitutable``, ``complementary``): bands of value added lost, import cost and their sum
    (USD over the cut-off)."""
    dest = list(regions) if regions is not None else [r for r in str(ds.attrs["destinations"]).split(",") if r]
    names = list(ds["region"].values)
    cols = np.array([names.index(r) for r in dest], dtype=np.intp)
    imp = ds["import_cost"].values[:, cols].sum(axis=1)
    rows = []
    for bound, var in (("substitutable", "value_added_lost_low"), ("complementary", "value_added_lost_high")):
        va = _by_region(ds, var)[:, cols].sum(axis=1)
        row: dict = {"bound": bound}
        _band_columns(row, "value_added_lost", va)
        _band_columns(row, "import_cost", imp)
        _band_columns(row, "total", va + imp)
        rows.append(row)
    return pd.DataFrame(rows)


__all__ = ["BAND", "QUANTILES", "bands", "destination_total", "market_table", "region_table", "sector_table"]
