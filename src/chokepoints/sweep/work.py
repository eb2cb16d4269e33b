"""What a worker does with one chunk: simulate its runs, keep the tidy indicators.

:func:`run_chunk` is a pure function of its task (a dict of plain values): the same task
gives the same numbers on any worker, so a chunk lost with a killed worker is simply run
again elsewhere. Indicators per run and group (region, end use), the numbers of ``ds.cp``
read from the chunk's arrays by :mod:`chokepoints.sweep.tidy`:

* ``shortfall_day``: first day the group is short (NaN: never), as ``ds.cp.shortfall_days``;
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

from .tidy import tidy_frames

INDICATOR_COLUMNS = ["sweep_id", "chunk_id", "point_id", "run", "region", "end_use", "indicator", "value"]
SERIES_COLUMNS = ["sweep_id", "chunk_id", "point_id", "region", "end_use", "day", "runs", "sum_output_ratio"]


@functools.lru_cache(maxsize=4)
def _world(ref: str) -> Any:
    from ..world import load_world

    return load_world(ref)


def tidy(ds: Any, task: dict[str, Any], point_id: int, run0: int) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Indicators (and series) of one point's runs ``ds`` as tidy frames; runs numbered from ``run0``
    (:func:`chokepoints.sweep.tidy.tidy_frames`)."""
    return tidy_frames(ds, list(task["indicators"]), task["groups"], bool(task["series"]), point_id, run0)


def run_chunk(task: dict[str, Any], world: Any = None) -> dict[str, Any]:
    """Simulate one chunk; return its tidy indicators, series, timings and the engine provenance.

    ``task``: sweep_id, chunk_id, seed, world (reference), pieces [(point id, first run, runs)],
    scenarios (one scenario dict per piece), indicators, groups, series, max_memory, samples (None, or
    the chunk's rows of a sobol_indices sample). ``world``: the World itself when the caller has it
    (the in-process executor); otherwise it is loaded from its reference, once per process.

    One point: compiled and simulated as :func:`chokepoints.simulate` does, less its memory
    estimate (which compiles a second, one-run plan): the chunk was sized by that same estimate
    (:func:`chokepoints.sweep.design.runs_per_chunk`), and the engine still refuses a budget too
    small for its records and one run's state.
    """
    with _one_blas_thread():
        return _run_chunk(task, world)


def _one_blas_thread():
    """BLAS held to one thread while a chunk runs, where threadpoolctl is installed.

    A sweep runs chunks side by side (one per worker, or one beside the writer in this process);
    at this model's sizes OpenBLAS's threads on a chunk's matrix products cost more CPU than they
    save (10,000 runs of the April-2025 scenario: 13.5 ms of CPU per run with two BLAS threads,
    6.2 ms with one, and a shorter wall time too; docs/performance.md).
    """
    import contextlib

    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _run_chunk(task: dict[str, Any], world: Any) -> dict[str, Any]:
    from ..engine import simulate_many
    from ..engine.compile import compile_plan
    from ..engine.ensemble import result_of
    from ..scenario import Scenario
    from .design import RECORD

    started = time.time()
    world = _world(task["world"]) if world is None else world
    scenarios = [Scenario.model_validate(s) for s in task["scenarios"]]
    pieces = task["pieces"]
    seed = task["seed"]
    opts = {"record": list(RECORD), "threads": 1, "max_memory": task["max_memory"]}
    if task.get("samples") is not None or len(pieces) == 1:
        # a sobol_indices chunk carries its rows of Saltelli's sample (the engine then draws nothing)
        samples = None if task.get("samples") is None else np.asarray(task["samples"], float)
        plan = compile_plan(world, scenarios[0], runs=pieces[0][2], seed=seed, samples=samples)
        parts = [(result_of(world, scenarios[:1], plan, seed=seed, **opts), slice(0, pieces[0][2]))]
    else:
        parts = simulate_many(world, scenarios, runs=pieces[0][2], seed=seed, **opts)
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
