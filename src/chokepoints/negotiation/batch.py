"""Simulations for many packages: cached by scenario hash, run as stacked ensembles.

A negotiation evaluates hundreds of packages, but most differ only in levers outside
the engine (tariffs, purchases), so they share an engine scenario: simulations are
cached by ``Scenario.hash`` (with the world's content hash, runs and seed). The ones
not cached yet go to the engine's :func:`chokepoints.engine.simulate_many`, which stacks
scenarios whose plans fit together into one ensemble along the run axis and simulates
the others one by one; ``tests/test_negotiation_batch.py`` checks that both give the
same numbers.
"""

from __future__ import annotations

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
    def _add(self, result: Any, views: list[tuple[str, slice]]) -> None:
        b = len(self._batches)
        self._batches.append(result)
        self.stats.batches += 1
        for k, runs in views:
            self._views[k] = SimView(result, runs, b)
        self.stats.simulated += len(views)

    def _simulate_chunk(self, items: list[tuple[str, Scenario]]) -> None:
        from ..engine import simulate_many

        done = simulate_many(
            self.world,
            [sc for _, sc in items],
            runs=self.runs,
            seed=self.seed,
            max_runs_per_batch=self.max_runs_per_batch,
        )
        by_result: dict[int, tuple[Any, list[tuple[str, slice]]]] = {}
        for (k, _), (res, runs) in zip(items, done, strict=True):
            by_result.setdefault(id(res), (res, []))[1].append((k, runs))
        for res, views in by_result.values():
            if len(items) > 1 and len(views) == 1:
                self.stats.fallbacks += 1
            self._add(res, views)
