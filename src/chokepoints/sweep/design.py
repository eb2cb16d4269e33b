"""A sweep file expanded: its points (scenario variants), its chunks of runs and their seeds.

Points: one per design row and base scenario; a point's scenario is the base scenario with the
design's values written into it (see :mod:`chokepoints.sweep.model`).

Chunks: the runs of all points cut into pieces that fit ``max_memory``, by the engine's own
estimate (:func:`chokepoints.engine.budget.estimate_bytes`, which the engine checks before it
simulates): it is linear in the runs, bytes(k) = a + b k, so a chunk holds
    k = (max_memory - a) // b   runs (at least 1), with b = bytes(2) - bytes(1), a = bytes(1) - b,
for the variables a worker records. A point with at most k runs
shares its chunk with the next points of the same base scenario (k // runs of them, simulated
together by :func:`chokepoints.engine.simulate_many`); a larger point is split into chunks of k runs.

A ``sobol_indices`` design has one point of N (D + 2) runs whose rows of Saltelli's sample are
cut into the chunks with the runs (chunk i carries its rows; the engine then draws nothing).

Seeds: ``SeedSequence(seed).spawn(2)`` gives one child for the design's draws and one whose
``spawn(number of chunks)`` gives chunk i its seed (``generate_state(1)``). The chunk layout depends
on the sweep file only, so every chunk's seed and runs, and hence its numbers, are the same
whatever the number of workers, the order chunks finish in, or a resume.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass, field
from itertools import product as cartesian
from typing import Any

import numpy as np
from pydantic import ValidationError
from scipy.stats import qmc

from ..errors import InputError, Problem
from ..scenario import Scenario
from .model import ExporterProduct, Factorial, Sampled, SobolIndices, SweepFile

RECORD = ("production", "demand", "final_demand", "final_demand_unmet")


@dataclass
class Point:
    """One scenario variant of the sweep."""

    point_id: int
    base: int  # index of the base scenario in the sweep file
    parameters: dict[str, Any]
    scenario: dict[str, Any]  # the variant's scenario fields (Scenario.model_validate gives it back)
    scenario_name: str
    scenario_hash: str


@dataclass
class Chunk:
    """Runs simulated together: ``pieces`` of (point id, first run, number of runs)."""

    chunk_id: int
    pieces: list[tuple[int, int, int]]
    seed: int
    samples: np.ndarray | None = None  # (runs x uncertain parameters): this chunk's rows of the sample

    @property
    def runs(self) -> int:
        return sum(n for _, _, n in self.pieces)


@dataclass
class Expanded:
    spec: SweepFile
    bases: list[Scenario]
    world_refs: list[str]
    points: list[Point]
    chunks: list[Chunk]
    runs_per_chunk: list[int] = field(default_factory=list)  # per base scenario
    runs_per_point: int = 0  # the file's ``runs``, or N (D + 2) for a sobol_indices design
    worlds: list[Any] = field(default_factory=list)  # the loaded Worlds, per base scenario (for in-process runs)

    @property
    def runs(self) -> int:
        return self.runs_per_point * len(self.points)


def _problem(spec: SweepFile, path: tuple[str | int, ...], message: str) -> InputError:
    line, col = spec.locate(path)
    from ..yamlio import format_path

    return InputError(Problem(spec.source_path or "<sweep>", message, line, col, field=format_path(path)))


def _same(u: dict[str, Any], parameter: str, where: dict[str, Any]) -> bool:
    return u.get("parameter") == parameter and (u.get("where") or {}) == (where or {})


def apply_values(
    spec: SweepFile,
    base: Scenario,
    world_ref: str,
    values: list[tuple[str, dict[str, Any], Any]],
    where_of: list[tuple[str | int, ...]],
    extra_events: list[dict[str, Any]] | None = None,
) -> Scenario:
    """The base scenario with each ``(parameter, where, value)`` written into it.

    ``events.<id>.<field>``: that event's field; ``engine.<name>``: the engine parameter; a bare
    name: the top-level field; ``world.<table>.<column>``: a declared uncertain parameter with
    distribution ``choice`` of that one value (so every run of the point uses it). A declared
    uncertain parameter on the same path is dropped. ``where_of`` locates each value in the sweep
    file for errors.
    """
    data = base.model_dump(mode="json")
    data["world"] = world_ref
    data["events"] = list(data["events"]) + list(extra_events or [])
    uncertain = list(data.get("uncertain", []))
    for (parameter, where, value), loc in zip(values, where_of, strict=True):
        parts = parameter.split(".")
        uncertain = [u for u in uncertain if not _same(u, parameter, where)]
        if parts[0] == "events":
            hit = [e for e in data["events"] if e.get("id") == parts[1]]
            if not hit:
                ids = ", ".join(str(e["id"]) for e in data["events"] if e.get("id")) or "none"
                raise _problem(spec, loc, f"scenario {base.name!r} has no event with id {parts[1]!r} (ids: {ids})")
            hit[0][parts[2]] = value
        elif parts[0] == "engine":
            data["engine"][parts[1]] = value
        elif parts[0] == "world":
            uncertain.append({"parameter": parameter, "where": where, "distribution": "choice", "values": [value]})
        else:
            if parts[0] not in Scenario.model_fields or parts[0] in ("events", "uncertain", "name", "world"):
                raise _problem(spec, loc, f"{parameter!r} is not a scenario field that a sweep can set")
            data[parts[0]] = value
    data["uncertain"] = uncertain
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        bad = ".".join(str(p) for p in err["loc"])
        raise _problem(
            spec,
            where_of[0] if where_of else ("design",),
            f"the design gives scenario {base.name!r} an invalid value: {bad}: {err['msg']}",
        ) from None


def design_rows(spec: SweepFile, design_seed: np.random.SeedSequence) -> list[list[tuple[str, dict[str, Any], Any]]]:
    """The design's rows, each a list of (parameter, where, value) (factorial, Latin hypercube, Sobol)."""
    d = spec.design
    if isinstance(d, Factorial):
        combos = cartesian(*[f.values for f in d.factors])
        return [[(f.parameter, dict(f.where), v) for f, v in zip(d.factors, c, strict=True)] for c in combos]
    assert isinstance(d, Sampled)
    rng = np.random.default_rng(design_seed)
    P = len(d.parameters)
    if d.type == "sobol":
        u = qmc.Sobol(d=P, scramble=True, rng=rng).random(d.points)
    else:
        u = qmc.LatinHypercube(d=P, rng=rng).random(d.points)
    cols = [p.ppf(u[:, j]) for j, p in enumerate(d.parameters)]
    return [
        [(p.parameter, dict(p.where), float(cols[j][i])) for j, p in enumerate(d.parameters)] for i in range(d.points)
    ]


def exporter_products(world: Any, d: ExporterProduct) -> list[tuple[str, str]]:
    """(exporter region, product) pairs the World ships to a buyer in another region, sorted."""
    prod = world.producers
    region_of = dict(zip(prod["producer"], prod["region"], strict=True))
    fd = world.final_demand
    if "cell" in fd.columns and "region" in fd.columns:
        region_of.update(dict(zip(fd["cell"], fd["region"], strict=True)))
    pairs = set()
    for b, p, s in zip(
        world.supply_links["buyer"], world.supply_links["product"], world.supply_links["supplier"], strict=True
    ):
        rs = region_of.get(s, str(s).split(".")[0])
        rb = region_of.get(b, str(b).split(".")[0])
        if rs != rb:
            pairs.add((str(rs), str(p)))
    out = sorted(pairs)
    if d.exporters is not None:
        out = [x for x in out if any(fnmatch.fnmatchcase(x[0], e) for e in d.exporters)]
    if d.products is not None:
        out = [x for x in out if any(fnmatch.fnmatchcase(x[1], p) for p in d.products)]
    return out


def runs_per_chunk(spec: SweepFile, scenario: Scenario, world: Any) -> int:
    """k = (max_memory - a) // b, at least 1 (see the module docstring)."""
    from ..engine.budget import estimate_bytes

    one, allowed, _ = estimate_bytes(world, scenario, 1, record=list(RECORD), max_memory=spec.memory_bytes)
    two, _, _ = estimate_bytes(world, scenario, 2, record=list(RECORD), max_memory=spec.memory_bytes)
    per_run = max(two - one, 1)
    return int(max(1, (allowed - (one - per_run)) // per_run))


def expand(spec: SweepFile, load_world: Any = None) -> Expanded:
    """Points, chunks and seeds of a sweep file (loads its base scenarios and their Worlds)."""
    from ..runner import load_inputs

    bases, worlds, refs = [], [], []
    for i, path in enumerate(spec.scenario_paths()):
        try:
            sc, world = load_inputs(path)
        except InputError as exc:
            first = exc.problems[0] if exc.problems else Problem(str(path), "invalid")
            raise _problem(spec, ("scenarios", i), f"{first}") from None
        bases.append(sc)
        worlds.append(world)
        refs.append(sc.world_ref())
    design_ss, chunk_ss = np.random.SeedSequence(spec.seed).spawn(2)
    points: list[Point] = []
    d = spec.design
    R = spec.runs
    sample = None
    if isinstance(d, SobolIndices):
        from ..sensitivity import saltelli_sample

        if len(bases[0].uncertain) < 2:
            raise _problem(spec, ("scenarios", 0), "a sobol_indices design needs at least two uncertain parameters")
        _, sample = saltelli_sample(worlds[0], bases[0], d.base_samples, spec.seed)
        R = len(sample)
        var = apply_values(spec, bases[0], refs[0], [], [])
        points.append(Point(0, 0, {"base_samples": d.base_samples}, var.model_dump(mode="json"), var.name, var.hash))
    elif isinstance(d, ExporterProduct):
        for b, (sc, world) in enumerate(zip(bases, worlds, strict=True)):
            pairs = exporter_products(world, d)
            if not pairs:
                raise _problem(spec, ("design",), f"no (exporter, product) pair of world {world.name!r} matches")
            for exporter, prod in pairs:
                ev = {
                    "type": "export_control",
                    "id": "sweep_control",
                    "on": sc.start.isoformat(),
                    "exporter": exporter,
                    "products": [prod],
                    "destinations": "all",
                    "mode": d.mode,
                    "approval_rate": d.approval_rate,
                    "review_days": d.review_days,
                }
                var = apply_values(spec, sc, refs[b], [], [], extra_events=[ev])
                points.append(
                    Point(
                        len(points),
                        b,
                        {"exporter": exporter, "product": prod},
                        var.model_dump(mode="json"),
                        var.name,
                        var.hash,
                    )
                )
    else:
        rows = design_rows(spec, design_ss)
        locs: list[tuple[str | int, ...]]
        key = "factors" if isinstance(d, Factorial) else "parameters"
        n_par = len(rows[0]) if rows else 0
        locs = [("design", key, j) for j in range(n_par)]
        for b, sc in enumerate(bases):
            for row in rows:
                var = apply_values(spec, sc, refs[b], row, locs)
                params = {p + (json.dumps(w, sort_keys=True) if w else ""): v for p, w, v in row}
                points.append(Point(len(points), b, params, var.model_dump(mode="json"), var.name, var.hash))
    rpc = [runs_per_chunk(spec, sc, w) for sc, w in zip(bases, worlds, strict=True)]
    pieces: list[list[tuple[int, int, int]]] = []
    i = 0
    while i < len(points):
        k = rpc[points[i].base]
        if R <= k:
            per = max(1, k // R)
            group = [p for p in points[i : i + per] if p.base == points[i].base]
            pieces.append([(p.point_id, 0, R) for p in group])
            i += len(group)
        else:
            for r0 in range(0, R, k):
                pieces.append([(points[i].point_id, r0, min(k, R - r0))])
            i += 1
    seeds = [int(s.generate_state(1)[0]) for s in chunk_ss.spawn(len(pieces))]
    chunks = [
        Chunk(c, p, seeds[c], None if sample is None else sample[p[0][1] : p[0][1] + p[0][2]])
        for c, p in enumerate(pieces)
    ]
    return Expanded(spec, bases, refs, points, chunks, rpc, R, worlds)
