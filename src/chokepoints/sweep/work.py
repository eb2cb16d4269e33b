"""What a Dask worker does with one chunk: simulate its runs, keep the tidy indicators.

:func:`run_chunk` is a pure function of its task (a dict of plain values): the same task
gives the same numbers on any worker, so a chunk lost with a killed worker is simply run
again elsewhere. Indicators per run and group (region, end use), from ``ds.cp``:

* ``shortfall_day``: first day the group is short (NaN: never), ``ds.cp.shortfall_days``;
* ``output_lost_units`` / ``output_lost_usd``: ``ds.cp.output_lost`` summed over the horizon.

With ``series`` the chunk also returns, per point, group and day, the sum over its runs of the
group's output ratio (``ds.cp.output_ratio``) and the number of runs where it is defined, so
the mean over all chunks of a point is sum(sums) / sum(counts), exactly.
"""

from __future__ import annotations

import functools
import os
import socket
import time
from typing import Any

import numpy as np
import pandas as pd

INDICATOR_COLUMNS = ["sweep_id", "chunk_id", "point_id", "run", "region", "end_use", "indicator", "value"]
SERIES_COLUMNS = ["sweep_id", "chunk_id", "point_id", "region", "end_use", "day", "runs", "sum_output_ratio"]


@functools.lru_cache(maxsize=4)
def _world(ref: str) -> Any:
    from ..world import load_world

    return load_world(ref)


def groups_of(ds: Any, groups: Any) -> list[tuple[str, str]]:
    """The (region, end use) groups to keep: the result's key users (all groups if it names none),
    all groups, or the listed ones."""
    if groups == "all":
        return ds.cp.groups()
    if groups == "key_users":
        return ds.cp.key_users or ds.cp.groups()
    return [(str(g["region"]), str(g["end_use"])) for g in groups]


def tidy(ds: Any, task: dict[str, Any], point_id: int, run0: int) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Indicators (and series) of one point's runs ``ds`` as tidy frames; runs numbered from ``run0``."""
    R = ds.sizes["run"]
    runs = np.arange(run0, run0 + R)
    frames, series = [], []
    for region, end_use in groups_of(ds, task["groups"]):
        vals: dict[str, np.ndarray] = {}
        if "shortfall_day" in task["indicators"]:
            vals["shortfall_day"] = ds.cp.shortfall_days(region, end_use).values
        if {"output_lost_units", "output_lost_usd"} & set(task["indicators"]):
            lost = ds.cp.output_lost(region, end_use)
            vals["output_lost_units"] = lost.units.values
            vals["output_lost_usd"] = lost.usd.values
        for name in task["indicators"]:
            frames.append(
                pd.DataFrame(
                    {
                        "run": runs,
                        "region": region,
                        "end_use": end_use,
                        "indicator": name,
                        "value": np.asarray(vals[name], dtype=np.float64),
                    }
                )
            )
        if task["series"]:
            ratio = ds.cp.output_ratio(region, end_use).values  # (run, day)
            series.append(
                pd.DataFrame(
                    {
                        "region": region,
                        "end_use": end_use,
                        "day": np.arange(ratio.shape[1]),
                        "runs": np.isfinite(ratio).sum(0).astype(np.int64),
                        "sum_output_ratio": np.nansum(ratio, 0),
                    }
                )
            )
    ind = pd.concat(frames, ignore_index=True)
    ind.insert(0, "point_id", point_id)
    ser = None
    if series:
        ser = pd.concat(series, ignore_index=True)
        ser.insert(0, "point_id", point_id)
    return ind, ser


def run_chunk(task: dict[str, Any]) -> dict[str, Any]:
    """Simulate one chunk; return its tidy indicators, series, timings and the engine provenance.

    ``task``: sweep_id, chunk_id, seed, world (reference), pieces [(point id, first run, runs)],
    scenarios (one scenario dict per piece), indicators, groups, series, max_memory, samples (None, or
    the chunk's rows of a sobol_indices sample).
    """
    from ..engine import simulate, simulate_many
    from ..scenario import Scenario
    from .design import RECORD

    started = time.time()
    world = _world(task["world"])
    scenarios = [Scenario.model_validate(s) for s in task["scenarios"]]
    pieces = task["pieces"]
    opts = {"record": list(RECORD), "threads": 1, "max_memory": task["max_memory"]}
    if task.get("samples") is not None:  # a sobol_indices chunk: its rows of Saltelli's sample
        res = simulate(world, scenarios[0], seed=task["seed"], samples=np.asarray(task["samples"], float), **opts)
        parts = [(res, slice(0, pieces[0][2]))]
    elif len(pieces) == 1:
        res = simulate(world, scenarios[0], runs=pieces[0][2], seed=task["seed"], **opts)
        parts = [(res, slice(0, pieces[0][2]))]
    else:
        parts = simulate_many(world, scenarios, runs=pieces[0][2], seed=task["seed"], **opts)
    inds, sers, prov = [], [], {}
    for (point_id, run0, _n), (res, sl) in zip(pieces, parts, strict=True):
        ds = res.data.isel(run=sl)
        prov = dict(res.data.attrs)
        ind, ser = tidy(ds, task, point_id, run0)
        inds.append(ind)
        if ser is not None:
            sers.append(ser)
    ind = pd.concat(inds, ignore_index=True)
    ind.insert(0, "chunk_id", task["chunk_id"])
    ind.insert(0, "sweep_id", task["sweep_id"])
    ser_df = None
    if sers:
        ser_df = pd.concat(sers, ignore_index=True)
        ser_df.insert(0, "chunk_id", task["chunk_id"])
        ser_df.insert(0, "sweep_id", task["sweep_id"])
    prov.pop("created", None)
    return {
        "chunk_id": task["chunk_id"],
        "indicators": ind[INDICATOR_COLUMNS],
        "series": None if ser_df is None else ser_df[SERIES_COLUMNS],
        "started": started,
        "finished": time.time(),
        "worker": f"{socket.gethostname()}:{os.getpid()}",
        "provenance": {k: prov[k] for k in sorted(prov) if k not in ("key_users",)},
    }
