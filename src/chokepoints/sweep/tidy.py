"""One chunk's indicators as tidy frames, read straight from the engine Dataset's arrays.

The numbers are those of the ``ds.cp`` accessor (:mod:`chokepoints.indicators.accessor`), per
run and group (region g, end use u), with F the group's producers and C its final-demand cells:

* ``shortfall_day``: first day t with sum_F x_a(t) < (1 - tol) sum_F D(t) or
  sum_C unmet(t) > tol sum_C y(t) (NaN: never), as ``ds.cp.shortfall_days``;
* ``output_lost_units`` = sum_t sum_F (x0_f - x_a_f(t)) and ``output_lost_usd`` the same with
  each producer's amount times its product's unit value (a group without producers: its unmet
  final demand), as ``ds.cp.output_lost``;
* series: per day, the number of runs where the output ratio
  sum_F uv_f x_a_f(t) / sum_F uv_f x0_f (no producers: served / final demand) is finite, and its
  sum over those runs, from ``ds.cp.output_ratio``.

Why not call the accessor: a chunk's runs are few, so building an xarray object per group and
indicator cost more than the arithmetic (about 60 ms of a 88-run chunk of the April-2025
scenario, against 20 ms for 1,000 runs at once), and ``ds.cp`` caches itself on the Dataset, a
reference cycle that kept every chunk's records alive until Python's cyclic garbage collector ran
(the memory growth of long sweeps). Here the labels and arrays are read once per chunk and each
indicator is the accessor's own NumPy expression on the same arrays (for ``output_ratio``, the
operations xarray performs: producer values times unit values broadcast over days, NaN as 0 in
the sum), so the values are bit-identical; tests/test_sweep_tidy.py checks that against the
accessor, bit for bit, on several Worlds and groups.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from ..indicators.accessor import DEFAULT_SHORTFALL_TOLERANCE

LABELS = (
    "producer_region",
    "producer_end_use",
    "producer_product",
    "demand_region",
    "demand_end_use",
    "demand_product",
    "product",
)


def _labels(ds: Any, name: str) -> np.ndarray:
    """A string coordinate as str values, '' where missing (as the accessor reads it)."""
    v = ds[name].values
    if v.dtype.kind == "U":
        return v.astype(object)
    return pd.Series(v, dtype=object).fillna("").astype(str).to_numpy(dtype=object)


def _nansum(a: np.ndarray, axis: int | None) -> np.ndarray:
    """xarray's sum with skipna: NaN replaced by 0, then NumPy's sum (the same layout, the same bits)."""
    return np.sum(np.where(np.isnan(a), np.zeros_like(a), a), axis=axis)


class ChunkArrays:
    """The arrays and labels of one engine Dataset (or a run slice of one) that the indicators read."""

    def __init__(self, ds: Any):
        self.ds = ds
        self.R, self.T = int(ds.sizes["run"]), int(ds.sizes["day"])
        self.lab = {k: _labels(ds, k) for k in LABELS}
        self.pos = {p: i for i, p in enumerate(ds["product"].values.tolist())}
        self.tol = float(ds.attrs.get("shortfall_tolerance", DEFAULT_SHORTFALL_TOLERANCE))
        self._vals: dict[str, np.ndarray] = {}

    def var(self, name: str) -> np.ndarray:
        if name not in self._vals:
            if name not in self.ds.variables:
                raise KeyError(f"the chunk's Dataset has no variable {name!r} (simulate with record=[..., {name!r}])")
            self._vals[name] = self.ds[name].values
        return self._vals[name]

    def groups(self) -> list[tuple[str, str]]:
        """Every (region, end use) with producers or final demand, sorted (``ds.cp.groups``)."""
        lab = self.lab
        pairs = {(r, u) for r, u in zip(lab["producer_region"], lab["producer_end_use"], strict=True) if u}
        pairs |= {(r, u) for r, u in zip(lab["demand_region"], lab["demand_end_use"], strict=True) if u}
        return sorted(pairs)

    def key_users(self) -> list[tuple[str, str]]:
        raw = self.ds.attrs.get("key_users", "") or "[]"
        return [(str(r), str(u)) for r, u in json.loads(raw)]

    def masks(self, region: str, end_use: str) -> tuple[np.ndarray, np.ndarray]:
        lab = self.lab
        pm = (lab["producer_region"] == region) & (lab["producer_end_use"] == end_use)
        dm = (lab["demand_region"] == region) & (lab["demand_end_use"] == end_use)
        return pm, dm

    def unit_values(self, products: np.ndarray, missing: float) -> np.ndarray:
        """(run, k) USD per unit of each listed product, ``missing`` where not finite."""
        uv = self.var("unit_value")[:, np.array([self.pos[p] for p in products], dtype=np.intp)]
        return np.where(np.isfinite(uv), uv, missing)

    # -- the indicators --------------------------------------------------------------------
    def shortfall_day(self, pm: np.ndarray, dm: np.ndarray) -> np.ndarray:
        tol = self.tol
        short = np.zeros((self.R, self.T), bool)
        if pm.any():
            x = self.var("production")[:, :, pm].sum(-1)
            dem = self.var("demand")[:, :, pm].sum(-1)
            short |= x < (1 - tol) * dem
        if dm.any():
            y = self.var("final_demand")[:, :, dm].sum(-1)
            unmet = self.var("final_demand_unmet")[:, :, dm].sum(-1)
            short |= unmet > tol * y
        return np.where(short.any(axis=1), short.argmax(axis=1).astype(float), np.nan)

    def output_lost(self, pm: np.ndarray, dm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(units, usd) per run."""
        if pm.any():
            base = self.var("baseline_production")[pm]
            lost = (base[None, None, :] - self.var("production")[:, :, pm]).sum(1)
            units = lost.sum(-1)
            usd = (lost * self.unit_values(self.lab["producer_product"][pm], np.nan)).sum(-1)
        else:
            lost = self.var("final_demand_unmet")[:, :, dm].sum(1)
            units = lost.sum(-1)
            usd = (lost * self.unit_values(self.lab["demand_product"][dm], np.nan)).sum(-1)
        return np.asarray(units, float), np.asarray(usd, float)

    def output_ratio(self, pm: np.ndarray, dm: np.ndarray) -> np.ndarray:
        """(run, day) output relative to baseline."""
        if pm.any():
            idx = np.flatnonzero(pm)
            x = self.var("production")[:, :, idx]
            uv = self.unit_values(self.lab["producer_product"][pm], 1.0)
            value = _nansum(x * uv[None].transpose(1, 0, 2), axis=2)
            base = float(_nansum(self.var("baseline_production")[idx] * uv[0], axis=None))
            return value / base if base > 0 else value * np.nan
        idx = np.flatnonzero(dm)
        y = _nansum(self.var("final_demand")[:, :, idx], axis=2)
        unmet = _nansum(self.var("final_demand_unmet")[:, :, idx], axis=2)
        return (y - unmet) / np.where(y > 0, y, np.nan)


def group_list(arrays: ChunkArrays, groups: Any) -> list[tuple[str, str]]:
    """The (region, end use) groups to keep: the result's key users (all groups if it names none),
    all groups, or the listed ones."""
    if groups == "all":
        return arrays.groups()
    if groups == "key_users":
        return arrays.key_users() or arrays.groups()
    return [(str(g["region"]), str(g["end_use"])) for g in groups]


def _strings(values: list[str], repeat: int) -> np.ndarray:
    return np.repeat(np.array(values, dtype=object), repeat)


def tidy_frames(
    ds: Any, indicators: list[str], groups: Any, series: bool, point_id: int, run0: int
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Indicators (point_id, run, region, end_use, indicator, value: per group, then indicator, then
    run) and, with ``series``, per group and day the runs with a finite output ratio and its sum;
    runs numbered from ``run0``."""
    a = ChunkArrays(ds)
    R, T = a.R, a.T
    chosen = group_list(a, groups)
    want_lost = bool({"output_lost_units", "output_lost_usd"} & set(indicators))
    values, counts, sums = [], [], []
    for region, end_use in chosen:
        pm, dm = a.masks(region, end_use)
        vals: dict[str, np.ndarray] = {}
        if "shortfall_day" in indicators:
            vals["shortfall_day"] = a.shortfall_day(pm, dm)
        if want_lost:
            vals["output_lost_units"], vals["output_lost_usd"] = a.output_lost(pm, dm)
        values += [np.asarray(vals[name], dtype=np.float64) for name in indicators]
        if series:
            ratio = a.output_ratio(pm, dm)
            counts.append(np.isfinite(ratio).sum(0).astype(np.int64))
            sums.append(np.nansum(ratio, 0))
    G, K = len(chosen), len(indicators)
    ind = pd.DataFrame(
        {
            "point_id": np.full(G * K * R, point_id, dtype=np.int64),
            "run": np.tile(np.arange(run0, run0 + R), G * K),
            "region": _strings([g[0] for g in chosen], K * R),
            "end_use": _strings([g[1] for g in chosen], K * R),
            "indicator": np.tile(_strings(list(indicators), R), G),
            "value": np.concatenate(values) if values else np.zeros(0),
        }
    )
    if not series or not chosen:
        return ind, None
    ser = pd.DataFrame(
        {
            "point_id": np.full(G * T, point_id, dtype=np.int64),
            "region": _strings([g[0] for g in chosen], T),
            "end_use": _strings([g[1] for g in chosen], T),
            "day": np.tile(np.arange(T), G),
            "runs": np.concatenate(counts),
            "sum_output_ratio": np.concatenate(sums),
        }
    )
    return ind, ser
