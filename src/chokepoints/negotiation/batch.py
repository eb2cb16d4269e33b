"""Simulations for many packages: cached by scenario hash, run as one ensemble.

A negotiation evaluates hundreds of packages, but most differ only in levers outside
the engine (tariffs, purchases), so they share an engine scenario: simulations are
cached by ``Scenario.hash`` (with the world's content hash, runs and seed).

The engine is vectorised over runs, and one day of 32 runs costs little more than
one run. Scenarios whose compiled plans have the same shape (same horizon, same
controlled routes, same schedules apart from per-run values) are therefore stacked
into one plan whose runs are (scenario, run) pairs: the per-run arrays are
concatenated and each scenario's control regimes get their own columns. Which plan
arrays are per run is learnt by compiling the first scenario twice (R and R + 1
runs) and seeing which axes grow, so the stacking does not depend on the list of
Plan fields. Anything that does not fit falls back to one ``simulate`` per scenario;
``tests/test_negotiation_batch.py`` checks that both give the same numbers.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..scenario import Scenario


@dataclass(frozen=True)
class SimView:
    """One scenario's runs inside a (possibly shared) Result: ``result.data.isel(run=runs)``."""

    result: Any
    runs: slice
    batch: int


@dataclass
class CacheStats:
    hits: int = 0
    simulated: int = 0
    batches: int = 0
    seconds: float = 0.0
    fallbacks: int = 0


class _Incompatible(Exception):
    pass


@dataclass
class SimulationCache:
    """Simulate scenarios on one world with fixed runs and seed, each only once."""

    world: Any
    runs: int = 1
    seed: int = 0
    max_runs_per_batch: int = 256
    stats: CacheStats = field(default_factory=CacheStats)
    _views: dict[str, SimView] = field(default_factory=dict)
    _measures: dict[tuple, np.ndarray] = field(default_factory=dict)
    _batches: list[Any] = field(default_factory=list)

    def key(self, sc: Scenario) -> str:
        return sc.hash

    def simulate(self, scenarios: list[Scenario], progress: Callable[[str], None] | None = None) -> list[SimView]:
        """Views for ``scenarios`` (simulating the ones not cached yet)."""
        todo: dict[str, Scenario] = {}
        for sc in scenarios:
            k = self.key(sc)
            if k in self._views:
                self.stats.hits += 1
            elif k not in todo:
                todo[k] = sc
        if todo:
            t = time.perf_counter()
            items = list(todo.items())
            step = max(1, self.max_runs_per_batch // self.runs)
            for i in range(0, len(items), step):
                chunk = items[i : i + step]
                if progress is not None:
                    progress(f"simulating {len(chunk)} scenario(s) x {self.runs} run(s)")
                self._simulate_chunk(chunk)
            self.stats.seconds += time.perf_counter() - t
        return [self._views[self.key(sc)] for sc in scenarios]

    def measure(self, view: SimView, key: tuple, fn: Callable[[Any], np.ndarray]) -> np.ndarray:
        """``fn(result)`` (one value per run of the whole Result), memoised, sliced to the view."""
        k = (view.batch, *key)
        if k not in self._measures:
            self._measures[k] = np.asarray(fn(view.result), float)
        return self._measures[k][view.runs]

    # -- internals ----------------------------------------------------------------------
    def _add(self, result: Any, keys: list[str]) -> None:
        b = len(self._batches)
        self._batches.append(result)
        self.stats.batches += 1
        for j, k in enumerate(keys):
            self._views[k] = SimView(result, slice(j * self.runs, (j + 1) * self.runs), b)
        self.stats.simulated += len(keys)

    def _simulate_chunk(self, items: list[tuple[str, Scenario]]) -> None:
        from ..engine import simulate

        if len(items) > 1:
            try:
                groups = _group_plans(self.world, [sc for _, sc in items], self.runs, self.seed)
            except Exception:  # noqa: BLE001 - any engine change: simulate one by one
                groups = None
            if groups is not None:
                for members, plans, probe in groups:
                    if len(members) == 1:
                        continue
                    try:
                        res = _run_stacked(
                            self.world,
                            [items[m][1] for m in members],
                            plans,
                            probe,
                            self.runs,
                            self.seed,
                        )
                    except Exception:  # noqa: BLE001 - incompatible or an engine change: one by one
                        continue
                    self._add(res, [items[m][0] for m in members])
        for k, sc in items:
            if k not in self._views:
                if len(items) > 1:
                    self.stats.fallbacks += 1
                self._add(simulate(self.world, sc, runs=self.runs, seed=self.seed), [k])


def _group_plans(world: Any, scenarios: list[Scenario], runs: int, seed: int) -> list[tuple[list[int], list, Any]]:
    """Compile every scenario; group those whose plans can be stacked."""
    from ..engine import compile_plan

    plans = [compile_plan(world, sc, runs=runs, seed=seed) for sc in scenarios]
    groups: dict[tuple, list[int]] = {}
    for i, p in enumerate(plans):
        groups.setdefault(_signature(p), []).append(i)
    out = []
    for members in groups.values():
        probe = compile_plan(world, scenarios[members[0]], runs=runs + 1, seed=seed)
        out.append((members, [plans[m] for m in members], probe))
    return out


def _signature(plan: Any) -> tuple:
    c = plan.controls
    return (
        plan.T,
        plan.R,
        plan.order_type,
        c.supplier.tobytes(),
        c.buyer.tobytes(),
        c.product.tobytes(),
        len(plan.capacity_loss),
        len(plan.demand_change),
        len(plan.releases),
    )


def _is_run_axis(a: Any, b: Any, R: int) -> bool:
    return (
        isinstance(a, np.ndarray)
        and isinstance(b, np.ndarray)
        and a.ndim >= 1
        and b.ndim == a.ndim
        and a.shape[0] == R
        and b.shape[0] == R + 1
        and a.shape[1:] == b.shape[1:]
    )


def _same(values: list[Any]) -> bool:
    first = values[0]
    for v in values[1:]:
        if isinstance(first, np.ndarray) or isinstance(v, np.ndarray):
            if not (
                isinstance(v, np.ndarray)
                and isinstance(first, np.ndarray)
                and v.shape == first.shape
                and np.array_equal(v, first)
            ):
                return False
        elif isinstance(first, list | tuple):
            if not isinstance(v, list | tuple) or len(v) != len(first):
                return False
            if not all(_same([x, y]) for x, y in zip(first, v, strict=True)):
                return False
        elif v != first:
            return False
    return True


def _stack_value(values: list[Any], probe_value: Any, R: int) -> Any:
    """Concatenate per-run arrays; require everything else to be equal."""
    first = values[0]
    if _is_run_axis(first, probe_value, R):
        return np.concatenate(values, axis=0)
    if isinstance(first, list | tuple) and isinstance(probe_value, list | tuple):
        if any(not isinstance(v, list | tuple) or len(v) != len(first) for v in values) or len(probe_value) != len(
            first
        ):
            raise _Incompatible("list lengths differ")
        parts = [_stack_value([v[j] for v in values], probe_value[j], R) for j in range(len(first))]
        return type(first)(parts) if isinstance(first, tuple) else parts
    if not _same(values):
        raise _Incompatible("a shared plan value differs between scenarios")
    return first


def _stack_controls(controls: list[Any], R: int) -> Any:
    c0 = controls[0]
    regimes, approval, delay, opened, labels = [], [], [], [], []
    K_total = sum(c.approval.shape[1] for c in controls)
    off = 0
    for c in controls:
        K = c.approval.shape[1]
        a = np.ones((R, K_total), dtype=c.approval.dtype)
        dl = np.zeros((R, K_total), dtype=c.delay.dtype)
        o = np.ones((R, K_total), dtype=c.open.dtype)
        a[:, off : off + K], dl[:, off : off + K], o[:, off : off + K] = c.approval, c.delay, c.open
        approval.append(a)
        delay.append(dl)
        opened.append(o)
        regimes.append((c.regime.astype(np.int32) + off).astype(c.regime.dtype if K_total < 32000 else np.int32))
        labels += list(c.labels)
        off += K
    return dataclasses.replace(
        c0,
        regime=np.concatenate(regimes, axis=1),
        approval=np.concatenate(approval),
        delay=np.concatenate(delay),
        open=np.concatenate(opened),
        labels=labels,
    )


def _run_stacked(world: Any, scenarios: list[Scenario], plans: list[Any], probe: Any, runs: int, seed: int) -> Any:
    from ..engine import Result, build_dataset, run_plan
    from ..engine.simulate import make_options
    from ..provenance import provenance

    R = runs
    updates: dict[str, Any] = {}
    for f in dataclasses.fields(plans[0]):
        name = f.name
        if name == "controls":
            continue
        values = [getattr(p, name) for p in plans]
        if name == "R":
            updates[name] = R * len(plans)
            continue
        if name == "world":
            if any(v is not values[0] for v in values) and not all(_same([values[0].A, v.A]) for v in values):
                raise _Incompatible("worlds differ")
            continue
        updates[name] = _stack_value(values, getattr(probe, name), R)
    try:
        updates["controls"] = _stack_controls([p.controls for p in plans], R)
    except (AttributeError, ValueError) as exc:
        raise _Incompatible(str(exc)) from None
    stacked = dataclasses.replace(plans[0], **updates)
    rec = run_plan(stacked, options=make_options(stacked))
    prov = provenance(
        "engine",
        world=world,
        seed=seed,
        runs=stacked.R,
        scenario_name=f"negotiation batch of {len(scenarios)} scenarios",
        scenario_hash=",".join(sc.hash for sc in scenarios),
        runs_per_scenario=R,
        start_date=scenarios[0].start.isoformat(),
        order_type=scenarios[0].engine.order_type,
    )
    return Result(
        build_dataset(stacked, rec, prov, scenarios[0].start),
        scenario=scenarios[0],
        world=world,
    )
