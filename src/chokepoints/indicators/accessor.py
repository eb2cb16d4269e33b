"""``ds.cp``: indicators and provenance of a chokepoints result, read from the Dataset alone.

Every result of the package is an xarray Dataset whose attrs say what it is
(``kind``: "engine", "finance" or "negotiation") and where it came from (package
version, scenario hash, dataset version, seed, created). Whatever an indicator needs
is in the Dataset's variables and attrs (the shortfall tolerance, the key users), so
a result written with :func:`write_netcdf` and opened again with :func:`open_result`
(or plain ``xr.open_dataset``) gives the same indicators as the one in memory::

    import chokepoints as cp
    ds = cp.open_result("out/cn-rare-earth-licensing-2025-04/result.nc")
    ds.cp.kind                              # "engine"
    ds.cp.time_to_shortfall(region="USA")   # median, p05, p95 days, share of runs short
    ds.cp.output_lost("USA", "defense")     # Dataset: units and usd over run, attrs unit

Engine indicators (kind "engine"). Shortfall: on day t a group (region, end use) is
short when its producers' output falls below (1 - tol) of the demand on them, or its
final demand is served below (1 - tol):
    short(t) = sum_f x_a_f(t) < (1 - tol) * sum_f D_f(t)  or  sum_c unmet_c(t) > tol * sum_c y_c(t).
Days to first shortfall is the first such day (NaN: none within the horizon).
Output lost (units) = sum_t (x0_f - x_a_f(t)) over the group's producers, relative to
the undisturbed baseline; in USD it is multiplied by the product's unit value (a group
without producers loses its unmet final demand). Across runs each indicator is
summarised by its median and 5th-95th percentiles.

NetCDF: attrs are written as strings and numbers only (no bools, None or dicts: a
dict or list becomes a JSON string). NetCDF-3 (the scipy backend, the one always
installed) cannot store a variable with an empty dimension after its first one, so
:func:`write_netcdf` leaves variables with an empty dimension out and lists them in the
attr ``empty_variables``; :func:`open_result` puts them back, empty.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from ..errors import InputError, Problem

KINDS = ("engine", "finance", "negotiation", "backtest")
DEFAULT_SHORTFALL_TOLERANCE = 1e-3  # the scenario schema's default (engine.shortfall_tolerance)


def summarise(values: np.ndarray | xr.DataArray) -> dict[str, float]:
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


# ----------------------------------------------------------------------------------------
# attrs and NetCDF
# ----------------------------------------------------------------------------------------
def netcdf_attr(value: Any) -> str | int | float:
    """One attribute value NetCDF can store (:func:`chokepoints.provenance.netcdf_value`; None -> "")."""
    from ..provenance import netcdf_value

    v = netcdf_value(value)
    return "" if v is None else v


def netcdf_attrs(attrs: Mapping[str, Any]) -> dict[str, str | int | float]:
    """Provenance dict -> attrs that survive a NetCDF round trip (see :func:`netcdf_attr`)."""
    return {str(k): netcdf_attr(v) for k, v in attrs.items()}


def netcdf_ready(ds: xr.Dataset) -> xr.Dataset:
    """The Dataset as NetCDF-3 can hold it: variables with an empty dimension left out and
    listed in the attr ``empty_variables`` (JSON: name -> dims, dtype, coord)."""
    empty: dict[str, dict[str, Any]] = {}
    for name, var in ds.variables.items():
        if any(ds.sizes[d] == 0 for d in var.dims):
            empty[str(name)] = {
                "dims": list(var.dims),
                "coord": name in ds.coords,
                "dtype": "str" if var.dtype.kind in "OUS" else var.dtype.str,
            }
    out = ds.drop_vars(list(empty))
    out.attrs = netcdf_attrs(ds.attrs)
    if empty:
        out.attrs["empty_variables"] = json.dumps(empty)
    return out


def restore_empty(ds: xr.Dataset) -> xr.Dataset:
    """Put back the variables :func:`netcdf_ready` left out (each with zero length on its empty dims)."""
    spec = json.loads(ds.attrs.get("empty_variables", "") or "{}")
    if not spec:
        return ds
    out = ds.copy()
    coords: dict[str, Any] = {}
    data: dict[str, Any] = {}
    for name, s in spec.items():
        shape = tuple(ds.sizes.get(d, 0) for d in s["dims"])
        dtype = np.dtype(object) if s["dtype"] == "str" else np.dtype(s["dtype"])
        (coords if s["coord"] else data)[name] = (tuple(s["dims"]), np.zeros(shape, dtype=dtype))
    out = out.assign_coords(coords).assign(data)
    del out.attrs["empty_variables"]
    return out


def write_netcdf(ds: xr.Dataset, path: str | Path) -> Path:
    """Write ``ds`` to NetCDF via a temporary file (a failure leaves nothing half-written)."""
    import os
    import tempfile

    from ..outputs import file_mode

    path = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        netcdf_ready(ds).to_netcdf(tmp)
        os.chmod(tmp, file_mode())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def open_result(path: str | Path) -> xr.Dataset:
    """Open a result written by ``to_netcdf`` (engine, finance or negotiation): the Dataset,
    loaded into memory with its empty variables restored; use ``ds.cp`` on it."""
    p = Path(path)
    if not p.is_file():
        raise InputError(Problem(str(p), "no such result file"))
    try:
        with xr.open_dataset(p) as raw:
            ds = raw.load()
    except (OSError, ValueError, TypeError) as exc:
        raise InputError(Problem(str(p), f"not a NetCDF result file ({exc})")) from None
    ds = restore_empty(ds)
    ds.encoding["source"] = str(p)
    if ds.cp.kind not in KINDS:
        raise InputError(
            Problem(
                str(p), "not a chokepoints result (no attr 'kind' and no engine or finance variables)", field="kind"
            )
        )
    return ds


# ----------------------------------------------------------------------------------------
# the accessor
# ----------------------------------------------------------------------------------------
@xr.register_dataset_accessor("cp")
class ResultAccessor:
    """``ds.cp``: shared keywords ``region=`` and ``end_use=``; methods for the Dataset's ``kind``.

    Engine: :meth:`groups`, :meth:`shortfall_days`, :meth:`output_lost`, :meth:`output_ratio`,
    :meth:`time_to_shortfall`, :meth:`output_loss`, :meth:`summary`. Finance: :meth:`headline`,
    :meth:`flows`, :meth:`history`, :meth:`threat_value`. Negotiation: :meth:`deals`.
    Any kind: :attr:`kind`, :attr:`provenance`, :meth:`to_netcdf`.
    """

    def __init__(self, ds: xr.Dataset):
        self._ds = ds

    # -- what this is ------------------------------------------------------------------
    @property
    def kind(self) -> str:
        """ "engine", "finance", "negotiation" or "backtest" (attr ``kind``; engine and finance Datasets
        written before that attr existed are recognised by their variables); "" otherwise."""
        d = self._ds
        k = d.attrs.get("kind")
        if k:
            return str(k)
        if "baseline_production" in d.variables:
            return "engine"
        if "yield_change_bp" in d.variables:
            return "finance"
        return ""

    @property
    def provenance(self) -> dict[str, Any]:
        """The attrs as Python values: package version, scenario hash, dataset version, seed, created, ..."""
        return {
            k: (v.item() if isinstance(v, np.generic) else v)
            for k, v in self._ds.attrs.items()
            if k != "empty_variables"
        }

    @property
    def source(self) -> str:
        return str(self._ds.encoding.get("source") or "<result>")

    def to_netcdf(self, path: str | Path) -> Path:
        """Write to NetCDF so that :func:`open_result` (or ``xr.open_dataset``) gives it back."""
        return write_netcdf(self._ds, path)

    def _require(self, kind: str, method: str) -> xr.Dataset:
        if self.kind != kind:
            have = self.kind or "not a chokepoints result"
            article = "an" if kind[0] in "aeiou" else "a"
            raise InputError(
                Problem(
                    self.source, f"ds.cp.{method}() needs {article} {kind} result; this one is {have}", field="kind"
                )
            )
        return self._ds

    def _var(self, name: str, method: str) -> xr.DataArray:
        d = self._ds
        if name not in d.variables:
            raise InputError(
                Problem(
                    self.source,
                    f"ds.cp.{method}() needs the variable {name!r}, which this "
                    f"result did not record: simulate with record=[..., {name!r}]",
                    field=name,
                )
            )
        return d[name]

    # -- engine ------------------------------------------------------------------------
    @property
    def shortfall_tolerance(self) -> float:
        """tol of the shortfall test (attr ``shortfall_tolerance``; the scenario default when absent)."""
        return float(self._ds.attrs.get("shortfall_tolerance", DEFAULT_SHORTFALL_TOLERANCE))

    @property
    def key_users(self) -> list[tuple[str, str]]:
        """(region, end use) pairs the scenario or dataset names as key users (attr ``key_users``, JSON)."""
        raw = self._ds.attrs.get("key_users", "") or "[]"
        return [(str(r), str(u)) for r, u in json.loads(raw)]

    def _labels(self, name: str) -> np.ndarray:
        """A string coordinate as str values ('' where NetCDF gave back a missing value)."""
        v = self._ds[name].values
        if v.dtype.kind == "U":
            return v.astype(object)
        return pd.Series(v, dtype=object).fillna("").astype(str).to_numpy(dtype=object)

    def groups(self) -> list[tuple[str, str]]:
        """Every (region, end use) with producers or final demand, sorted."""
        self._require("engine", "groups")
        pairs = {
            (r, u) for r, u in zip(self._labels("producer_region"), self._labels("producer_end_use"), strict=True) if u
        }
        pairs |= {
            (r, u) for r, u in zip(self._labels("demand_region"), self._labels("demand_end_use"), strict=True) if u
        }
        return sorted(pairs)

    def _masks(self, region: str, end_use: str) -> tuple[np.ndarray, np.ndarray]:
        pm = (self._labels("producer_region") == region) & (self._labels("producer_end_use") == end_use)
        dm = (self._labels("demand_region") == region) & (self._labels("demand_end_use") == end_use)
        return pm, dm

    def _unit_value(self, pm: np.ndarray, method: str, missing: float = 1.0) -> xr.DataArray:
        """USD per unit of each selected producer's product (``missing`` where unknown;
        1 lets physical units still add up when weighting output)."""
        d = self._ds
        prods = self._labels("producer_product")[pm]
        uv = self._var("unit_value", method).sel(product=list(prods)).values  # (run, k)
        uv = np.where(np.isfinite(uv), uv, missing)
        return xr.DataArray(uv, dims=("run", "producer"), coords={"run": d.run, "producer": d.producer.values[pm]})

    def output_ratio(self, region: str, end_use: str) -> xr.DataArray:
        """Output of the group's producers relative to baseline, (run, day), value-weighted:
        sum_f uv_f x_a_f(t) / sum_f uv_f x0_f; a group without producers: served / final demand."""
        self._require("engine", "output_ratio")
        pm, dm = self._masks(region, end_use)
        if pm.any():
            x = self._var("production", "output_ratio").isel(producer=pm)
            uv = self._unit_value(pm, "output_ratio")
            value = (x * uv).sum("producer")
            base = float((self._var("baseline_production", "output_ratio").isel(producer=pm) * uv.isel(run=0)).sum())
            out = value / base if base > 0 else value * np.nan
        else:
            y = self._var("final_demand", "output_ratio").isel(demand_cell=dm).sum("demand_cell")
            unmet = self._var("final_demand_unmet", "output_ratio").isel(demand_cell=dm).sum("demand_cell")
            out = (y - unmet) / y.where(y > 0)
        out.name = "output_ratio"
        out.attrs = {"region": region, "end_use": end_use, "units": "share of baseline"}
        return out

    def shortfall_days(self, region: str, end_use: str) -> xr.DataArray:
        """Per run: first day the group is short (NaN if never), a DataArray over run."""
        d = self._require("engine", "shortfall_days")
        tol = self.shortfall_tolerance
        pm, dm = self._masks(region, end_use)
        short = np.zeros((d.sizes["run"], d.sizes["day"]), bool)
        if pm.any():
            x = self._var("production", "shortfall_days").values[:, :, pm].sum(-1)
            dem = self._var("demand", "shortfall_days").values[:, :, pm].sum(-1)
            short |= x < (1 - tol) * dem
        if dm.any():
            y = self._var("final_demand", "shortfall_days").values[:, :, dm].sum(-1)
            unmet = self._var("final_demand_unmet", "shortfall_days").values[:, :, dm].sum(-1)
            short |= unmet > tol * y
        first = np.where(short.any(axis=1), short.argmax(axis=1).astype(float), np.nan)
        return xr.DataArray(
            first,
            dims=("run",),
            coords={"run": d.run.values},
            name="shortfall_day",
            attrs={
                "region": region,
                "end_use": end_use,
                "units": "days from the scenario start",
                "shortfall_tolerance": tol,
            },
        )

    def output_lost(self, region: str, end_use: str) -> xr.Dataset:
        """Per run: output the group lost over the horizon, a Dataset with ``units`` and ``usd``
        over run; attr ``unit`` labels the physical units (e.g. "units ice_vehicle + t magnet")."""
        d = self._require("engine", "output_lost")
        pm, dm = self._masks(region, end_use)
        if pm.any():
            base = self._var("baseline_production", "output_lost").values[pm]
            lost = (base[None, None, :] - self._var("production", "output_lost").values[:, :, pm]).sum(1)
            units = lost.sum(-1)
            usd = (lost * self._unit_value(pm, "output_lost", missing=np.nan).values).sum(-1)
            prods = sorted(set(self._labels("producer_product")[pm]))
        else:
            lost = self._var("final_demand_unmet", "output_lost").values[:, :, dm].sum(1)
            units = lost.sum(-1)
            dprods = self._labels("demand_product")[dm]
            prods = sorted(set(dprods))
            uv = self._var("unit_value", "output_lost").sel(product=list(dprods)).values
            usd = (lost * np.where(np.isfinite(uv), uv, np.nan)).sum(-1)
        unit_of = dict(zip(self._labels("product"), self._labels("product_unit"), strict=True))
        units_of_prods = {unit_of[p] for p in prods}
        money = units_of_prods <= {"M USD", "M EUR"} and len(units_of_prods) == 1
        # one monetary unit (MRIO worlds): amounts add up across sectors, label the unit once
        label = next(iter(units_of_prods)) if money else " + ".join(f"{unit_of[p]} {p}" for p in prods)
        run = {"run": d.run.values}
        return xr.Dataset(
            {
                "units": ("run", np.asarray(units, float), {"units": label}),
                "usd": ("run", np.asarray(usd, float), {"units": "USD"}),
            },
            coords=run,
            attrs={"unit": label, "region": region, "end_use": end_use},
        )

    def _selected(self, region: str | None, end_use: str | None, method: str) -> list[tuple[str, str]]:
        self._require("engine", method)
        return [
            (r, u) for r, u in self.groups() if (region is None or r == region) and (end_use is None or u == end_use)
        ]

    def time_to_shortfall(self, region: str | None = None, end_use: str | None = None) -> pd.DataFrame:
        """Days to first shortfall per (region, end use): median, 5 %, 95 %, share of runs short."""
        rows = [
            {"region": r, "end_use": u, **summarise(self.shortfall_days(r, u))}
            for r, u in self._selected(region, end_use, "time_to_shortfall")
        ]
        return pd.DataFrame(rows, columns=["region", "end_use", "median", "p05", "p95", "share_of_runs"])

    def output_loss(self, region: str | None = None, end_use: str | None = None) -> pd.DataFrame:
        """Output lost per (region, end use) in units and USD: median and 5-95 % across runs."""
        rows = []
        for r, u in self._selected(region, end_use, "output_loss"):
            lost = self.output_lost(r, u)
            su, sd = summarise(lost.units), summarise(lost.usd)
            rows.append(
                {
                    "region": r,
                    "end_use": u,
                    "unit": lost.attrs["unit"],
                    "units_median": su["median"],
                    "units_p05": su["p05"],
                    "units_p95": su["p95"],
                    "usd_median": sd["median"],
                    "usd_p05": sd["p05"],
                    "usd_p95": sd["p95"],
                }
            )
        return pd.DataFrame(
            rows,
            columns=[
                "region",
                "end_use",
                "unit",
                "units_median",
                "units_p05",
                "units_p95",
                "usd_median",
                "usd_p05",
                "usd_p95",
            ],
        )

    def value_added_lost(self, by: str = "region") -> pd.DataFrame:
        """Value added lost over the horizon in USD, per region (``by="region"``) or per
        (region, product) (``by="sector"``): median and 5-95 % across runs.

        With fixed value-added coefficients v_f = va_f / x0_f (Leontief production):
        VA lost_f = sum over days of v_f * (x0_f - x_f(t)) * USD per unit of f's product.
        Needs ``production`` recorded and a World with value added (MRIO and hybrid Worlds).
        """
        d = self._require("engine", "value_added_lost")
        if by not in ("region", "sector"):
            raise InputError(Problem(self.source, f"by must be 'region' or 'sector', got {by!r}", field="by"))
        va = self._var("baseline_value_added", "value_added_lost").values
        x0 = self._var("baseline_production", "value_added_lost").values
        x = self._var("production", "value_added_lost").values  # (run, day, producer)
        uv = self._unit_value(np.ones(d.sizes["producer"], bool), "value_added_lost", missing=np.nan).values
        v = np.divide(va, x0, out=np.zeros_like(va), where=x0 > 0)
        lost = (x0[None, None, :] - x).sum(1) * v[None, :] * uv  # (run, producer)
        keys = ["region"] if by == "region" else ["region", "sector"]
        frame = pd.DataFrame(lost.T, columns=[f"r{i}" for i in range(lost.shape[0])])
        frame["region"] = self._labels("producer_region")
        frame["sector"] = self._labels("producer_product")
        grouped = frame.groupby(keys, sort=True).sum(numeric_only=True)
        rows = []
        for key, vals in grouped.iterrows():
            s = summarise(vals.to_numpy(float))
            rows.append(
                {
                    **dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True)),
                    **{"usd_median": s["median"], "usd_p05": s["p05"], "usd_p95": s["p95"]},
                }
            )
        out = pd.DataFrame(rows, columns=[*keys, "usd_median", "usd_p05", "usd_p95"])
        return out.sort_values("usd_median", ascending=False, kind="stable").reset_index(drop=True)

    def summary(self, key_users: list[tuple[str, str]] | None = None) -> pd.DataFrame:
        """One row per (region, end use): shortfall day and losses (the CLI's table), key users
        first (``key_users``; None: the result's own, attr ``key_users``; [] for plain sorted order)."""
        self._require("engine", "summary")
        keys = self.key_users if key_users is None else [tuple(k) for k in key_users]
        df = self.time_to_shortfall().merge(self.output_loss(), on=["region", "end_use"], how="left")
        if keys:
            order = {k: i for i, k in enumerate(keys)}
            df["_k"] = [order.get((r, u), len(order)) for r, u in zip(df.region, df.end_use, strict=True)]
            df = df.sort_values(["_k", "region", "end_use"], kind="stable").drop(columns="_k")
        return df.reset_index(drop=True)

    # -- finance -----------------------------------------------------------------------
    def headline(self) -> pd.DataFrame:
        """Finance: the key numbers (metric, unit, low, central, high, p05, p95)."""
        from ..finance.summary import headline

        return headline(self._require("finance", "headline"))

    def flows(self) -> pd.DataFrame:
        """Finance: sold, absorbed and moved into other assets (medians over runs, at the horizon)."""
        from ..finance.summary import flows_table

        return flows_table(self._require("finance", "flows"))

    def history(self) -> pd.DataFrame:
        """Finance: the holders' recorded Treasury and gold history."""
        from ..finance.summary import history_table

        return history_table(self._require("finance", "history"))

    def threat_value(self, **options: Any) -> dict[str, Any]:
        """Finance: costs of the sale to each side (see :func:`chokepoints.finance.threat_value`)."""
        from ..finance.summary import threat_value

        return threat_value(self._require("finance", "threat_value"), **options)

    # -- negotiation -------------------------------------------------------------------
    def deals(self) -> pd.DataFrame:
        """Negotiation: one row per round of talks with the BATNAs and the predicted (Nash) and
        actual deals with each party's utility."""
        d = self._require("negotiation", "deals")
        parties = [str(p) for p in d.party.values]
        talks = np.flatnonzero(d.round_kind.values == "talks")
        rows = []
        for i in talks:
            row: dict[str, Any] = {"round": str(d.round_label.values[i]), "date": str(d.round_date.values[i])}
            for p_i, p in enumerate(parties):
                row[f"BATNA {p}"] = float(d.batna.values[i, p_i])
            for sol in ("nash", "ks", "rubinstein", "protocol", "actual"):
                row[sol] = str(d[sol].values[i])
                for p_i, p in enumerate(parties):
                    row[f"{p} ({sol})"] = float(d[f"{sol}_utility"].values[i, p_i])
            rows.append(row)
        return pd.DataFrame(rows)
