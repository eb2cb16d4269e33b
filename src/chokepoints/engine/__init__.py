"""The dynamic engine: compile World + Scenario into arrays, step them, label the result."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from .. import __version__
from ..scenario import Scenario
from ..world import World
from .compile import Plan, compile_plan
from .result import Result, build_dataset
from .simulate import run_plan


def simulate(world: World, scenario: Scenario, *, runs: int | None = None, seed: int | None = None,
             progress: Callable[[int], None] | None = None) -> Result:
    """Simulate ``scenario`` on ``world`` for every run; return a :class:`Result`.

    ``runs`` and ``seed`` override the scenario's. The same seed gives identical
    results; uncertain parameters are sampled by Latin hypercube from that seed.
    """
    plan = compile_plan(world, scenario, runs=runs, seed=seed)
    rec = run_plan(plan, progress=progress)
    provenance = {
        "package": "chokepoints",
        "package_version": __version__,
        "scenario_name": scenario.name,
        "scenario_hash": scenario.hash,
        "dataset": world.name,
        "dataset_version": world.version,
        "dataset_hash": world.content_hash,
        "seed": scenario.seed if seed is None else seed,
        "runs": plan.R,
        "start_date": scenario.start.isoformat(),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "order_type": scenario.engine.order_type,
    }
    return Result(build_dataset(plan, rec, provenance, scenario.start), scenario=scenario, world=world)


__all__ = ["simulate", "Result", "Plan", "compile_plan", "run_plan"]
