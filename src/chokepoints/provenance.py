"""Provenance of a result: one dict of the keys every model writes into its Dataset attrs.

``provenance("finance", scenario=sc, world=fd, seed=42, runs=200, model="chokepoints.finance")``
gives package, package_version, kind, scenario_name, scenario_hash, dataset, dataset_version,
dataset_hash, seed, runs, start_date, created (UTC, ISO seconds) and the extra keys. Values are
what NetCDF attributes can hold: str, int or float (bools become 0/1, dates ISO strings, lists and
dicts JSON, numpy scalars Python numbers, anything else ``str``); keys whose value is None are left out.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import numpy as np

from . import __version__

Value = str | int | float


def netcdf_value(v: Any) -> Value | None:
    """``v`` as a NetCDF-safe attribute value: bool -> 0/1, integers outside int32 -> their decimal
    string, dates -> ISO text, lists/dicts/arrays -> JSON, numpy scalars -> Python numbers
    (None stays None: the caller drops it)."""
    if v is None:
        return None
    if isinstance(v, np.generic):  # numpy scalars (np.float64 is a float subclass) as Python numbers
        v = v.item()
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):  # NetCDF-3 integers are 32-bit
        return v if -(2**31) <= v < 2**31 else str(v)
    if isinstance(v, str | float):
        return v
    if isinstance(v, np.ndarray):
        v = v.tolist()
    if isinstance(v, dt.date | dt.datetime):
        return v.isoformat()
    if isinstance(v, list | tuple | dict):
        return json.dumps(v, default=str)
    return str(v)


def provenance(
    kind: str, scenario: Any = None, world: Any = None, seed: int | None = None, runs: int | None = None, **extra: Any
) -> dict[str, Value]:
    """The common provenance keys of a result plus ``extra`` (which override them).

    ``scenario``: a Scenario (name, hash, start date). ``world``: anything with ``name``,
    ``version`` and ``content_hash`` (a World, TradeData, FinanceData); a missing attribute (or no
    world) gives "" so that the dataset keys are always there. ``created`` is the current UTC time
    to the second.
    """
    out: dict[str, Any] = {"package": "chokepoints", "package_version": __version__, "kind": kind}
    if scenario is not None:
        out["scenario_name"] = scenario.name
        out["scenario_hash"] = scenario.hash
    out["dataset"] = getattr(world, "name", "")
    out["dataset_version"] = getattr(world, "version", "")
    out["dataset_hash"] = getattr(world, "content_hash", "")
    out["seed"] = seed
    out["runs"] = runs
    if scenario is not None:
        out["start_date"] = scenario.start.isoformat()
    out["created"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    out.update(extra)
    clean = {k: netcdf_value(v) for k, v in out.items()}
    return {k: v for k, v in clean.items() if v is not None}


__all__ = ["provenance", "netcdf_value"]
