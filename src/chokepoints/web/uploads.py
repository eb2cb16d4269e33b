"""Scenario text from a request: hardened parsing, validation and the page's overrides.

A request's scenario is text, never a path. It is checked in this order, each failure an
:class:`~chokepoints.errors.InputError` whose problems carry line and field:

1. size (``max_upload`` bytes, UTF-8);
2. structure, from PyYAML's event stream before anything is built: no aliases or anchors
   (so no "billion laughs" expansion) and collections nested at most ``max_depth`` deep;
3. the project's loader and the Scenario model (:meth:`Scenario.from_yaml_text`);
4. ``world`` must be a bundled dataset name (no field may name a file or folder);
5. overrides from the page (``events.<id>.<field>``, ``engine.<field>``,
   ``uncertain.<i>.<low|mode|high>``, ``horizon_days``), then the engine's compile step, which
   checks every cross-reference against the World (:func:`chokepoints.engine.compile.compile_plan`).

Fixing an event or engine number that the scenario declares uncertain removes that declaration:
the number the user typed is the one simulated.
"""

from __future__ import annotations

import collections
import copy
import functools
import hashlib
import json
import threading
from dataclasses import dataclass
from typing import Any

import yaml

from ..errors import InputError, Problem
from ..scenario import Scenario
from ..scenario.library import command_for

SOURCE = "scenario.yaml"
_BOUNDS = ("low", "mode", "high")


@dataclass
class Checked:
    """A validated request scenario: the model, its plain data (after overrides) and its command."""

    scenario: Scenario
    data: dict[str, Any]
    command: str  # run | tariffs | finance
    world: Any = None


def problems_json(exc: InputError) -> list[dict[str, Any]]:
    """The problems of ``exc`` as JSON objects (``source, message, line, column, field, row, text``)."""
    return [
        {
            "source": p.source,
            "message": p.message,
            "line": p.line,
            "column": p.column,
            "field": p.field,
            "row": p.row,
            "text": str(p),
        }
        for p in exc.problems
    ]


def check_structure(text: str, max_upload: int, max_depth: int) -> None:
    """Refuse text over ``max_upload`` bytes, with YAML aliases or anchors, or nested deeper than ``max_depth``."""
    size = len(text.encode("utf-8"))
    if size > max_upload:
        raise InputError(Problem(SOURCE, f"scenario is {size:,} bytes; the limit is {max_upload:,}"))
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            line = event.start_mark.line + 1 if event.start_mark else None
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise InputError(Problem(SOURCE, "YAML anchors and aliases are not accepted here", line))
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                depth += 1
                if depth > max_depth:
                    raise InputError(Problem(SOURCE, f"nested more than {max_depth} levels deep", line))
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        raise InputError(
            Problem(SOURCE, f"YAML syntax error: {(exc.problem or str(exc)).strip()}", line, col)
        ) from None


def apply_overrides(data: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``data`` with the page's numbers put in (see the module docstring)."""
    out = copy.deepcopy(data)
    drop: set[str] = set()
    for key, value in overrides.items():
        if not isinstance(value, int | float) or isinstance(value, bool) or value != value:
            raise InputError(Problem("overrides", f"expected a number, got {value!r}", field=key))
        parts = key.split(".")
        if parts[0] == "events" and len(parts) == 3:
            events = [e for e in out.get("events") or [] if isinstance(e, dict) and e.get("id") == parts[1]]
            if not events:
                raise InputError(Problem("overrides", f"no event with id {parts[1]!r}", field=key))
            if parts[2] in ("type", "id", "on") or not isinstance(events[0].get(parts[2]), int | float | None):
                raise InputError(Problem("overrides", f"{parts[2]!r} is not a number of that event", field=key))
            events[0][parts[2]] = value
            drop.add(key)
        elif parts[0] == "engine" and len(parts) == 2:
            out.setdefault("engine", {})[parts[1]] = value
            drop.add(key)
        elif parts[0] == "uncertain" and len(parts) == 3 and parts[1].isdigit() and parts[2] in _BOUNDS:
            items = out.get("uncertain") or []
            i = int(parts[1])
            if i >= len(items) or not isinstance(items[i], dict):
                raise InputError(Problem("overrides", f"the scenario declares no uncertain parameter {i}", field=key))
            items[i][parts[2]] = value
        elif key in ("horizon_days", "runs", "seed"):
            out[key] = value
        else:
            raise InputError(
                Problem(
                    "overrides",
                    "expected events.<id>.<field>, engine.<field>, uncertain.<i>.<low|mode|high> or horizon_days",
                    field=key,
                )
            )
    if drop and out.get("uncertain"):
        out["uncertain"] = [u for u in out["uncertain"] if not (isinstance(u, dict) and u.get("parameter") in drop)]
    return out


def check_scenario(
    text: str,
    overrides: dict[str, Any] | None = None,
    *,
    max_upload: int = 256 * 1024,
    max_depth: int = 20,
    compile_engine: bool = True,
) -> Checked:
    """Validate scenario ``text`` (and ``overrides``); raise :class:`InputError` with located problems."""
    from ..datasets import list_bundled
    from ..yamlio import load_yaml_with_marks

    check_structure(text, max_upload, max_depth)
    sc = Scenario.from_yaml_text(text, SOURCE)
    data, _ = load_yaml_with_marks(text, SOURCE)
    if sc.world is not None and sc.world not in list_bundled():
        line, col = sc.locate(("world",))
        raise InputError(
            Problem(SOURCE, f"world must be a bundled dataset ({', '.join(list_bundled())})", line, col, field="world")
        )
    if overrides:
        data = apply_overrides(data, overrides)
        sc = Scenario.from_dict(data, "overrides")
    command = command_for(data, has_negotiation_spec=False)
    world = None
    if command == "run" and compile_engine:
        from ..engine.compile import compile_plan

        try:
            world = _bundled_world(sc.world_ref())
            compile_plan(world, sc, runs=min(sc.runs, 2))
        except InputError as exc:
            raise InputError([_relocate(p, sc) for p in exc.problems]) from None
    return Checked(sc, data, command, world)


_CACHE: collections.OrderedDict[tuple[Any, ...], Checked | InputError] = collections.OrderedDict()
_CACHE_LOCK = threading.Lock()
_FLIGHTS: dict[tuple[Any, ...], threading.Lock] = {}
CACHE_SIZE = 256


def check_scenario_cached(
    text: str,
    overrides: dict[str, Any] | None = None,
    *,
    max_upload: int = 256 * 1024,
    max_depth: int = 20,
    compile_engine: bool = True,
) -> Checked:
    """:func:`check_scenario` with its outcome kept (valid or not) for the last :data:`CACHE_SIZE`
    distinct requests, keyed by the SHA-256 of the text, the overrides and the limits: a page or a
    client that validates and then submits the same text pays for the compile once. The compiled
    World is shared (the engine only reads it); a cached :class:`Checked` must not be mutated."""
    key = (
        hashlib.sha256(text.encode("utf-8")).hexdigest(),
        json.dumps(overrides or {}, sort_keys=True, default=str),
        max_upload,
        max_depth,
        compile_engine,
    )
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
        flight = _FLIGHTS.setdefault(key, threading.Lock()) if hit is None else None
    if flight is not None:
        with flight:  # one compile per text: concurrent requests for the same text wait for the first
            with _CACHE_LOCK:
                hit = _CACHE.get(key)
            if hit is None:
                hit = _check_and_store(key, text, overrides, max_upload, max_depth, compile_engine)
        with _CACHE_LOCK:
            _FLIGHTS.pop(key, None)
    if isinstance(hit, InputError):
        raise InputError(hit.problems)
    assert hit is not None
    return hit


def _check_and_store(
    key: tuple[Any, ...],
    text: str,
    overrides: dict[str, Any] | None,
    max_upload: int,
    max_depth: int,
    compile_engine: bool,
) -> Checked | InputError:
    hit: Checked | InputError
    try:
        hit = check_scenario(text, overrides, max_upload=max_upload, max_depth=max_depth, compile_engine=compile_engine)
    except InputError as exc:
        hit = exc
    with _CACHE_LOCK:
        _CACHE[key] = hit
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return hit


def warm(worlds: list[str] | None = None) -> None:
    """Load the bundled Worlds into this process (validation compiles against them) so the first
    requests after a start do not each pay for the load."""
    from ..datasets import list_bundled

    for name in worlds if worlds is not None else list_bundled():
        try:
            _bundled_world(name)
        except Exception:  # a dataset that fails to load is reported by the request that needs it
            pass


@functools.lru_cache(maxsize=8)
def _bundled_world(name: str) -> Any:
    """A bundled World, loaded once per process (the engine only reads it)."""
    from ..world import load_world

    return load_world(name)


def _relocate(p: Problem, sc: Scenario) -> Problem:
    """A compile problem on a field of the scenario gets that field's line in the posted text."""
    if p.line is not None or not p.field:
        return p
    path: list[str | int] = []
    for part in p.field.replace("]", "").replace("[", ".").split("."):
        path.append(int(part) if part.isdigit() else part)
    line, col = sc.locate(tuple(path))
    return Problem(SOURCE, p.message, line, col, field=p.field, row=p.row)


def memory_estimate(checked: Checked, runs: int) -> int:
    """Bytes the engine records for ``runs`` runs: horizon x runs x 8 x values per day.

    Values per day = 3 x producers (production, demand, capacity) + inventories + 2 x final-demand
    cells + 2 x controlled routes (the engine's own record layout, engine/simulate.py).
    """
    w = checked.world
    if w is None:
        return 0
    tables = w.tables
    n = len(tables["producers"]) if "producers" in tables else 0
    n_inv = len(tables["inventories"]) if "inventories" in tables else 0
    m = len(tables["final_demand"]) if "final_demand" in tables else 0
    routes = len(tables["supply_links"]) if "supply_links" in tables else 0
    return int(checked.scenario.horizon_days * runs * 8 * (3 * n + n_inv + 2 * m + 2 * routes))
