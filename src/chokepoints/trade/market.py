"""The tariff analysis's market (lines x partners at base-year flows) and the labelled
Dataset built from its solved arrays; used by :mod:`.analysis`, which re-exports Market.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from ..provenance import provenance
from ..scenario import Scenario
from ..scenario.events_trade import TradeSetup
from .api import DESCRIPTIONS, LINE_VARS
from .data import (
    TradeData,
)
from .schedule import LAYERS, Catalog, Schedule

SETUP_FIELDS = ("eta", "sigma", "epsilon")


@dataclass
class UncertainTarget:
    column: int
    kind: str  # setup | tariff
    field: str
    event: int


@dataclass
class Market:
    """Lines (importer x product) and partners with base imports; arrays for the kernel."""

    line_id: np.ndarray
    line_importer: np.ndarray
    line_product: np.ndarray  # index into catalog
    partners: np.ndarray
    m0: np.ndarray  # (L, N) USD million
    catalog: Catalog
    products: pd.DataFrame

    @property
    def importers(self) -> list[str]:
        return sorted(set(self.line_importer.tolist()))


def weighted_by_importer(layers: np.ndarray, market: Market) -> np.ndarray:
    """(T, K, L, N) percent -> (T, K, importer, N) averages weighted by base imports."""
    importers = market.importers
    out = np.full((layers.shape[0], layers.shape[1], len(importers), layers.shape[3]), np.nan)
    for a, imp in enumerate(importers):
        sel = market.line_importer == imp
        w = market.m0[sel]
        tot = w.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, :, a] = np.where(tot > 0, (layers[:, :, sel] * w).sum(axis=2) / np.where(tot > 0, tot, 1.0), np.nan)
    return out


def result_dataset(
    sc: Scenario,
    setup: TradeSetup,
    td: TradeData,
    market: Market,
    schedule: Schedule,
    dates: list[dt.date],
    base: dt.date,
    out: dict[str, np.ndarray],
    rate_base: np.ndarray,
    rate_new: np.ndarray,
    layer_base: np.ndarray,
    layer_new: np.ndarray,
    eta: np.ndarray,
    sigma: np.ndarray,
    eps: np.ndarray,
    el_src: dict[str, np.ndarray],
    n_runs: int,
    seed: int,
    targets: list[UncertainTarget],
) -> xr.Dataset:
    importers = market.importers
    prod = market.products.drop_duplicates("product").set_index("product")
    pnames = market.catalog.product[market.line_product]
    m0 = market.m0
    wavg_base = weighted_by_importer(layer_base[None], market)[0]
    wavg_new = weighted_by_importer(layer_new, market)
    data: dict[str, Any] = {
        "imports_base": (("line", "partner"), m0),
        "rate_base": (("line", "partner"), rate_base),
        "rate": (("run", "date", "line", "partner"), rate_new),
        "layer_rate_base": (("layer", "importer", "partner"), wavg_base),
        "layer_rate": (("date", "layer", "importer", "partner"), wavg_new),
        "eta": (("run", "line"), eta),
        "sigma": (("run", "line"), sigma),
        "epsilon": (("run", "line", "partner"), eps),
    }
    for k, v in out.items():
        data[k] = (("run", "date", "line"), v) if k in LINE_VARS else (("run", "date", "line", "partner"), v)
    prov = provenance(
        "trade",
        scenario=sc,
        world=td,
        seed=seed,
        runs=n_runs,
        schedule=schedule.name,
        base_date=base.isoformat(),
        uncertain=", ".join(sc.uncertain[t.column].parameter for t in targets),
        units="USD million a year at base-year flows; rates in percent",
        model="Armington CES partial equilibrium (chokepoints.trade.pe)",
    )
    ds = xr.Dataset(
        data,
        coords={
            "run": np.arange(n_runs),
            "date": pd.to_datetime([d.isoformat() for d in dates]),
            "line": market.line_id.astype(str),
            "line_importer": ("line", market.line_importer.astype(str)),
            "line_product": ("line", pnames.astype(str)),
            "line_description": (
                "line",
                [str(prod.loc[p, "description"]) if p in prod.index else p for p in pnames],
            ),
            "line_section": ("line", market.catalog.section[market.line_product].astype(str)),
            "line_hs": ("line", market.catalog.hs[market.line_product].astype(str)),
            "partner": market.partners.astype(str),
            "importer": importers,
            "layer": list(LAYERS),
            "eta_source": ("line", el_src["eta"].astype(str)),
            "sigma_source": ("line", el_src["sigma"].astype(str)),
        },
        attrs=prov,
    )
    for name, text in DESCRIPTIONS.items():
        if name in ds:
            ds[name].attrs["description"] = text
    ds["rate"].attrs["description"] = "total tariff rate in percent on each date"
    ds["layer_rate"].attrs["description"] = "trade-weighted average rate by layer (percent; base-year weights)"
    return ds
