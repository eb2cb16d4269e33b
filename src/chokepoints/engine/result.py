"""The Result: an xarray Dataset with named dims, provenance, and indicator accessors.

The Dataset carries everything its indicators need (``ds.cp``, registered by importing
this module): attrs ``kind`` ("engine"), ``shortfall_tolerance`` and ``key_users`` (JSON
list of [region, end use]) beside the provenance, so a result reopened from NetCDF
(:meth:`Result.from_netcdf`, :func:`chokepoints.open_result`) gives the same indicators.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from ..indicators.accessor import netcdf_attrs, open_result, write_netcdf
from .plan import Plan


def build_dataset(plan: Plan, rec: dict[str, np.ndarray], provenance: dict[str, Any], start: dt.date) -> xr.Dataset:
    """Attach labels to the recorded arrays: dims (run, day, ...).

    Only the variables that were recorded are present (``simulate(record=...)``);
    with ``producers=...`` the producer dim holds that subset. ``production_total``
    and ``final_demand_unmet_total`` (run, day) are present when recorded.
    ``provenance`` becomes the attrs (strings and numbers only, see
    :func:`chokepoints.indicators.accessor.netcdf_attrs`), with ``kind="engine"``.
    """
    cw, ctl = plan.world, plan.controls
    days = np.arange(plan.T)
    dates = pd.date_range(pd.Timestamp(start), periods=plan.T, freq="D")
    # the inventory coordinates (one per input of each producer: S x n for an MRIO) only with their variable
    inv = rec["inventory_index"] if "inventory_days" in rec else np.zeros((0, 2), dtype=np.intp)
    region = np.asarray(cw.regions)
    product = np.asarray(cw.products)
    buyers = np.asarray(cw.producers + cw.demands)
    psel = rec.get("producer_index")
    pidx = np.arange(cw.n) if psel is None else np.asarray(psel)
    producers = np.asarray(cw.producers)[pidx]
    prod_end_use = np.asarray(cw.prod_end_use, dtype=object)[pidx] if cw.n else np.array([], dtype=object)

    def tr(a: np.ndarray) -> np.ndarray:  # (T, R, ...) -> (R, T, ...)
        return np.swapaxes(a, 0, 1)

    layout = {
        "production": ("production", ("run", "day", "producer")),
        "demand": ("demand", ("run", "day", "producer")),
        "capacity": ("capacity", ("run", "day", "producer")),
        "inventory_days": ("inventory_days", ("run", "day", "inventory")),
        "final_demand": ("fd_demand", ("run", "day", "demand_cell")),
        "final_demand_unmet": ("fd_unmet", ("run", "day", "demand_cell")),
        "shipments": ("controlled_shipments", ("run", "day", "route")),
        "orders": ("controlled_orders", ("run", "day", "route")),
        "production_total": ("production_total", ("run", "day")),
        "final_demand_unmet_total": ("final_demand_unmet_total", ("run", "day")),
    }
    data_vars: dict[str, Any] = {name: (dims, tr(rec[key])) for name, (key, dims) in layout.items() if key in rec}
    data_vars.update(
        {
            "baseline_production": (("producer",), cw.x0[pidx]),
            "baseline_shipments": (
                ("route",),
                np.asarray(cw.W[ctl.supplier, ctl.buyer]).reshape(-1) * _buyer_need(plan),
            ),
            "unit_value": (("run", "product"), plan.unit_value),
            "samples": (("run", "parameter"), plan.samples),
        }
    )
    if cw.value_added is not None:
        data_vars["baseline_value_added"] = (("producer",), cw.value_added[pidx])
    ds = xr.Dataset(
        data_vars=data_vars,
        coords={
            "run": np.arange(plan.R),
            "day": days,
            "date": ("day", dates),
            "producer": list(producers),
            "producer_region": ("producer", region[cw.prod_region[pidx]]),
            "producer_product": ("producer", product[cw.prod_product[pidx]]),
            "producer_end_use": ("producer", list(prod_end_use)),
            "demand_cell": list(cw.demands),
            "demand_region": ("demand_cell", region[cw.fd_region]),
            "demand_product": ("demand_cell", product[cw.fd_product]),
            "demand_end_use": ("demand_cell", list(cw.fd_end_use)),
            "inventory": [f"{cw.producers[f]}:{cw.products[p]}" for p, f in inv],
            "inventory_holder": ("inventory", [cw.producers[f] for _, f in inv]),
            "inventory_product": ("inventory", [cw.products[p] for p, _ in inv]),
            "inventory_region": ("inventory", [cw.regions[cw.prod_region[f]] for _, f in inv]),
            "inventory_end_use": ("inventory", [cw.prod_end_use[f] for _, f in inv]),
            "route": [f"{cw.producers[f]}->{buyers[b]}" for f, b in zip(ctl.supplier, ctl.buyer, strict=True)],
            "route_supplier": ("route", [cw.producers[f] for f in ctl.supplier]),
            "route_buyer": ("route", buyers[ctl.buyer] if ctl.E else np.array([], dtype=str)),
            "route_product": ("route", product[ctl.product] if ctl.E else np.array([], dtype=str)),
            "route_exporter": ("route", region[cw.prod_region[ctl.supplier]] if ctl.E else np.array([], dtype=str)),
            "route_importer": ("route", region[cw.buyer_region[ctl.buyer]] if ctl.E else np.array([], dtype=str)),
            "product": list(cw.products),
            "product_unit": ("product", list(cw.product_unit)),
            "parameter": plan.sample_names,
        },
        attrs=netcdf_attrs({"kind": "engine", **provenance}),
    )
    return ds


def _buyer_need(plan: Plan) -> np.ndarray:
    cw, ctl = plan.world, plan.controls
    n = cw.n
    b = np.minimum(ctl.buyer, n - 1)
    fd_need = cw.y0[np.maximum(ctl.buyer - n, 0)] if cw.m else 0.0
    need = np.where(ctl.buyer < n, cw.A[ctl.product, b] * cw.x0[b], fd_need)
    return need


class Result:
    """Outcome of :func:`chokepoints.simulate`: ``result.data`` is an xarray Dataset.

    Dims: ``run``, ``day`` (with a ``date`` coordinate), ``producer``, ``demand_cell``,
    ``inventory`` (holder:product), ``route`` (controlled supplier->buyer entries).
    ``result.provenance`` holds package version, scenario hash, dataset version, seed.
    ``result.indicators`` computes time to shortfall and output lost (the same methods as
    ``result.data.cp``). ``scenario`` and ``world`` are kept for the report when known;
    nothing the indicators compute needs them: a Dataset built without the attrs
    ``shortfall_tolerance`` and ``key_users`` gets them here from ``scenario`` and ``world``.
    """

    def __init__(self, data: xr.Dataset, scenario: Any = None, world: Any = None):
        self.data = data
        self.scenario = scenario
        self.world = world
        attrs = data.attrs
        attrs.setdefault("kind", "engine")
        if "shortfall_tolerance" not in attrs and scenario is not None:
            attrs["shortfall_tolerance"] = float(scenario.engine.shortfall_tolerance)
        if "key_users" not in attrs and (scenario is not None or world is not None):
            attrs["key_users"] = self.key_users_attr(scenario, world)

    @classmethod
    def from_netcdf(cls, path: str | Path) -> Result:
        """Reopen a Result written by :meth:`to_netcdf` (no scenario or world attached)."""
        ds = open_result(path)
        ds.cp._require("engine", "Result.from_netcdf")
        return cls(ds)

    @property
    def provenance(self) -> dict[str, Any]:
        return self.data.cp.provenance

    @property
    def indicators(self):
        from ..indicators import Indicators

        return Indicators(self)

    def to_netcdf(self, path: str | Path) -> Path:
        """Write the Dataset to NetCDF (via a temporary file, so a failure leaves nothing half-written)."""
        return write_netcdf(self.data, path)

    @staticmethod
    def key_users_attr(scenario: Any, world: Any) -> str:
        """The key users as the attr ``key_users``: JSON list of [region, end use], the
        scenario's, else the dataset's (``world.metadata["key_users"]``), else []."""
        if scenario is not None and getattr(scenario, "key_users", None):
            pairs = [[k.region, k.end_use] for k in scenario.key_users]
        else:
            meta = getattr(world, "metadata", None) or {}
            pairs = [[k["region"], k["end_use"]] for k in meta.get("key_users") or []]
        return json.dumps(pairs)

    def __repr__(self) -> str:
        d = self.data
        return (
            f"<Result {self.provenance.get('scenario_name', '')!r}: {d.sizes['run']} runs x "
            f"{d.sizes['day']} days, {d.sizes['producer']} producers>"
        )
