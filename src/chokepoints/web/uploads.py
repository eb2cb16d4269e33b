"""Scenario text from a request: hardened parsing, validation and the page's overrides.

A request's scenario is text, never a path. It is checked in this order, each failure an
:class:`~chokepoints.errors.InputError` whose problems carry line and field:

1. size (``max_upload`` bytes, UTF-8);
2. structure, from PyYAML's event stream before anything is built: no aliases or anchors
   (so no "billion laughs" expansion) and collections nested at most ``max_depth`` deep;
3. the project's loader and the Scenario model (:meth:`Scenario.from_yaml_text`);
4. no field may name a file or folder (:data:`FILE_FIELDS`): ``world`` must be a bundled dataset,
   ``backtest.observed`` a bundled observations table, a ``trade_setup`` event's ``data`` and
   ``schedule`` the bundled ones and its ``country_codes`` and ``elasticities`` absent, and
   ``source_path`` is never given; every such field that does is one located problem;
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
from collections.abc import Callable
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


def _bundled_worlds() -> list[str]:
    from ..datasets import list_bundled

    return list_bundled()


def _bundled_observations() -> list[str]:
    from ..datasets.observations import bundled_observations

    return bundled_observations()


# Every scenario field that the commands read as a file or folder name, and the names a request may
# give instead: (where, field) -> (the allowed names, or None: the field must be absent; what they are).
# ``where`` is ``scenario``, ``backtest`` or an event type. tests/test_web_names.py checks that every
# text field of the scenario models is either here or a name looked up in a World or bundled table.
FILE_FIELDS: dict[tuple[str, str], tuple[Callable[[], list[str]] | None, str]] = {
    ("scenario", "world"): (_bundled_worlds, "a bundled dataset"),
    ("scenario", "source_path"): (None, "not a scenario field (set from where the file was read)"),
    ("backtest", "observed"): (_bundled_observations, "a bundled observations table"),
    ("trade_setup", "data"): (lambda: ["bundled"], "the bundled trade data"),
    ("trade_setup", "schedule"): (lambda: ["us-china-2025", "none"], "the bundled tariff schedule or none"),
    ("trade_setup", "country_codes"): (None, "a file; the bundled trade data needs none"),
    ("trade_setup", "elasticities"): (None, "a file; the bundled elasticity table is used"),
}


def file_problems(sc: Scenario, data: dict[str, Any]) -> list[Problem]:
    """One located problem for every field of :data:`FILE_FIELDS` that holds anything but a bundled
    name (an absolute path, a ``..``, a folder, any file): a request's scenario may not point the
    server at a file."""
    places: list[tuple[str, tuple[str | int, ...], Any]] = [("scenario", ("world",), sc.world)]
    if "source_path" in data:
        places.append(("scenario", ("source_path",), data["source_path"]))
    if sc.backtest is not None:
        places.append(("backtest", ("backtest", "observed"), sc.backtest.observed))
    events = data.get("events")
    for i, e in enumerate(events if isinstance(events, list) else []):
        kind = e.get("type") if isinstance(e, dict) else None
        for where, name in FILE_FIELDS:
            if where == kind and name in e:
                places.append((where, ("events", i, name), getattr(sc.events[i], name, e[name])))
    problems = []
    for where, path, value in places:
        allowed_of, what = FILE_FIELDS[(where, str(path[-1]))]
        allowed = allowed_of() if allowed_of is not None else []
        if value is None or value in allowed:
            continue
        field = f"events[{path[1]}].{path[2]}" if path[0] == "events" else ".".join(str(p) for p in path)
        rule = f"must be {what} ({', '.join(allowed)})" if allowed_of is not None else f"must not be given ({what})"
        line, col = sc.locate(path)
        message = f"{field} {rule}: a scenario sent to the server cannot name a file or folder"
        problems.append(Problem(SOURCE, message, line, col, field=field))
    return problems


def check_scenario(
    text: str,
    overrides: dict[str, Any] | None = None,
    *,
    max_upload: int = 256 * 1024,
    max_depth: int = 20,
    compile_engine: bool = True,
) -> Checked:
    """Validate scenario ``text`` (and ``overrides``); raise :class:`InputError` with located problems."""
    from ..yamlio import load_yaml_with_marks

    check_structure(text, max_upload, max_depth)
    sc = Scenario.from_yaml_text(text, SOURCE)
    data, _ = load_yaml_with_marks(text, SOURCE)
    named = file_problems(sc, data)
    if named:
        raise InputError(named)
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


def memory_estimate(checked: Checked, runs: int, record: tuple[str, ...] | None = None) -> int:
    """Bytes the engine records for ``runs`` runs: horizon x runs x 8 x values per day.

    Values per day, per recorded variable (the engine's record layout, engine/simulate.py):
    production, demand and capacity one per producer, inventory_days one per inventory,
    final_demand and final_demand_unmet one per final-demand cell, shipments and orders one per
    controlled route (counted as every supply link, an upper bound). ``record`` None: all of them
    (3 x producers + inventories + 2 x final-demand cells + 2 x routes), as a ``run`` job records.
    """
    w = checked.world
    if w is None:
        return 0
    tables = w.tables
    n = len(tables["producers"]) if "producers" in tables else 0
    n_inv = len(tables["inventories"]) if "inventories" in tables else 0
    m = len(tables["final_demand"]) if "final_demand" in tables else 0
    routes = len(tables["supply_links"]) if "supply_links" in tables else 0
    per_day = {
        "production": n,
        "demand": n,
        "capacity": n,
        "inventory_days": n_inv,
        "final_demand": m,
        "final_demand_unmet": m,
        "shipments": routes,
        "orders": routes,
    }
    values = sum(per_day[k] for k in (record if record is not None else per_day))
    return int(checked.scenario.horizon_days * runs * 8 * values)
