"""The engine's entry points: simulate one scenario, or many as stacked ensembles."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from ..provenance import provenance
from ..scenario import Scenario
from ..world import World
from .budget import check_memory
from .compile import compile_plan
from .plan import Plan
from .result import Result, build_dataset
from .simulate import make_options, run_plan
from .stack import IncompatiblePlans, group_stackable, stack_plans


def simulate(
    world: World,
    scenario: Scenario,
    *,
    runs: int | None = None,
    seed: int | None = None,
    progress: Callable[[int], None] | None = None,
    record: Iterable[str] | str | None = None,
    producers: Iterable[str] | None = None,
    max_memory: int | str | None = None,
    dtype: Any = np.float64,
    chunk_runs: int | None = None,
    threads: int | None = None,
    samples: np.ndarray | None = None,
    backend: str = "auto",
) -> Result:
    """Simulate ``scenario`` on ``world`` for every run; return a :class:`Result`.

    ``runs`` and ``seed`` override the scenario's. The same seed gives identical
    results; uncertain parameters are sampled by Latin hypercube from that seed.

    Options for large worlds and ensembles (defaults keep every variable):

    * ``record``: Dataset variables to keep per run and day, e.g. ``["production"]``;
      ``production_total`` and ``final_demand_unmet_total`` (run, day) are then added;
      name a total (e.g. ``["production_total"]``) to keep only the totals named.
    * ``producers``: keep producer variables for these producer ids only.
    * ``max_memory``: bytes or a string such as ``"4GiB"`` for the records plus the
      state of one chunk of runs; runs are simulated in chunks that fit (default:
      half the physical memory, at most 8 GiB).
    * ``dtype``: ``float64`` (default) or ``float32`` (see docs/engine.md for its error).
    * ``chunk_runs``: runs per chunk (default: sized for the CPU cache).
    * ``threads``: chunks simulated at once (default: one per core when there are
      several chunks and ``threadpoolctl`` is installed to keep BLAS single-threaded).
    * ``samples``: (runs x uncertain parameters) values to use instead of the Latin
      hypercube draw (e.g. a Sobol design, see :mod:`chokepoints.sensitivity`).
    * ``backend``: the element-wise part of a step: ``"numba"`` (one fused loop; needs
      ``pip install "chokepoints[fast]"``), ``"numpy"``, or ``"auto"`` (numba when installed
      and a chunk of runs holds at least 2**20 state values; numpy below, where compiling
      the loop would cost more than it saves).
    """
    n_runs = scenario.runs if runs is None else runs
    if samples is not None and np.ndim(samples) == 2:
        n_runs = int(np.shape(samples)[0])
    check_memory(
        world, scenario, n_runs, record=record, producers=producers, max_memory=max_memory, dtype=dtype, seed=seed
    )
    plan = compile_plan(world, scenario, runs=runs, seed=seed, samples=samples)
    return result_of(
        world,
        [scenario],
        plan,
        seed=seed,
        progress=progress,
        record=record,
        producers=producers,
        max_memory=max_memory,
        dtype=dtype,
        chunk_runs=chunk_runs,
        threads=threads,
        backend=backend,
    )


def result_of(
    world: World,
    scenarios: list[Scenario],
    plan: Plan,
    *,
    seed: int | None = None,
    progress: Callable[[int], None] | None = None,
    dtype: Any = np.float64,
    extra_provenance: dict[str, Any] | None = None,
    **options: Any,
) -> Result:
    """Run a compiled ``plan`` (of one scenario, or of several stacked, in run order) and label it."""
    opts = make_options(plan, dtype=dtype, **options)
    rec = run_plan(plan, progress=progress, options=opts)
    scenario = scenarios[0]
    prov = provenance(
        "engine",
        scenario=scenario,
        world=world,
        seed=scenario.seed if seed is None else seed,
        runs=plan.R,
        scenario_name=scenario.name if len(scenarios) == 1 else f"{len(scenarios)} scenarios stacked",
        scenario_hash=",".join(sc.hash for sc in scenarios),
        order_type=scenario.engine.order_type,
        dtype=str(np.dtype(dtype)),
        chunk_runs=int(rec["chunk_runs"]),
        threads=int(rec["threads"]),
        backend=str(rec["backend"]),
        shortfall_tolerance=float(scenario.engine.shortfall_tolerance),
        key_users=Result.key_users_attr(scenario, world),
        **(extra_provenance or {}),
    )
    return Result(build_dataset(plan, rec, prov, scenario.start), scenario=scenario, world=world)


def simulate_many(
    world: Any,
    scenarios: Sequence[Any],
    *,
    runs: int | None = None,
    seed: int | None = None,
    max_runs_per_batch: int | None = 4096,
    progress: Callable[[str], None] | None = None,
    **options: Any,
) -> list[tuple[Any, slice]]:
    """Simulate ``scenarios`` on ``world`` as few stacked ensembles as possible.

    Returns, for each scenario in order, ``(result, runs)``: the Result it was simulated in
    and the slice of that Result's runs that are its own (``result.data.isel(run=runs)``).
    Results of stacked scenarios carry ``scenario_hash`` (comma-separated, in run order),
    ``runs_per_scenario`` and ``stacked_scenarios`` in their provenance. ``options`` are those
    of :func:`chokepoints.simulate` (``record``, ``max_memory``, ``dtype``, ...). A scenario
    whose plan fits no other is simulated on its own, with the same numbers.
    """
    keep = {k: options[k] for k in ("record", "producers", "max_memory", "dtype") if k in options}
    for sc in scenarios:
        check_memory(world, sc, sc.runs if runs is None else runs, seed=seed, **keep)
    plans = [compile_plan(world, sc, runs=runs, seed=seed) for sc in scenarios]
    out: list[tuple[Any, slice]] = [(None, slice(0))] * len(plans)
    for members in group_stackable(plans, max_runs_per_batch):
        try:
            stacked = stack_plans([plans[i] for i in members])
        except IncompatiblePlans:  # simulated one by one: the same numbers, more time
            for i in members:
                out[i] = (result_of(world, [scenarios[i]], plans[i], seed=seed, **options), slice(0, plans[i].R))
            continue
        if progress is not None:
            progress(f"simulating {len(members)} scenario(s) x {plans[members[0]].R} run(s)")
        per = sorted({plans[i].R for i in members})
        extra = {"stacked_scenarios": len(members), "runs_per_scenario": ",".join(map(str, per))}
        res = result_of(world, [scenarios[i] for i in members], stacked, seed=seed, extra_provenance=extra, **options)
        r0 = 0
        for i in members:
            out[i] = (res, slice(r0, r0 + plans[i].R))
            r0 += plans[i].R
    return out
