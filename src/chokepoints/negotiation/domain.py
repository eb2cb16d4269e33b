"""Packages and the policies they stand for.

A package gives every issue a value (``keep`` for no change). For a round on date D
it becomes a *policy*: the scenario's events known before D, the deal's copies of the
targeted events (from D until the truce expires, then the earlier regime returns:
snapback), the round's threats (applied when there is no deal, suspended during a
deal's window and applied after it), and the daily path of every lever.

Time: day t = date - scenario start. A deal agreed ``delay`` days late covers
[D + delay, D + truce); the expiry is a calendar date, so delay shortens the deal.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import TypeAdapter, ValidationError

from ..errors import InputError, Problem
from ..levers.tariff import Tariff
from ..scenario import Scenario
from ..scenario.events import Event
from .spec import KEEP, Round, Spec
from .spec_checks import _problem

_EVENT = TypeAdapter(Event)
PROTECTED_FIELDS = {"type", "id", "on", "until", "note"}
Package = tuple  # one value per spec issue, in spec order


@dataclass
class Policy:
    """Engine scenario + daily lever paths for one package (or no deal) in one round."""

    scenario: Scenario
    levers: dict[str, np.ndarray]
    t0: int
    window: tuple[int, int] | None


@dataclass
class RoundContext:
    """What a round starts from: the status quo known on its date, its threats, its agenda."""

    spec: Spec
    scenario: Scenario
    round: Round
    index: int
    agenda: list[str]
    baseline_events: list[Any]
    threat_events: list[Any]
    lever_base: dict[str, np.ndarray]  # daily level known on the round date, no threats
    lever_threats: dict[str, list[tuple[int, str, float]]]  # (day, "add" | "value", amount)
    threat_notes: list[str] = field(default_factory=list)
    _scenarios: dict[tuple, Scenario] = field(default_factory=dict, repr=False)

    @property
    def t0(self) -> int:
        return self.scenario.day_of(self.round.date)

    @property
    def T(self) -> int:
        return self.scenario.horizon_days

    def date(self, day: int) -> dt.date:
        return self.scenario.start + dt.timedelta(days=int(day))


# ----------------------------------------------------------------------------------------
# Packages
# ----------------------------------------------------------------------------------------
def enumerate_packages(spec: Spec, agenda: list[str]) -> list[Package]:
    """Every combination of the agenda's options; issues off the agenda stay at ``keep``."""
    options = [i.options() if i.name in agenda else [i.keep_value()] for i in spec.issues]
    count = int(np.prod([len(o) for o in options]))
    if count > spec.max_packages:
        line, col = spec.locate(("max_packages",))
        raise InputError(
            Problem(
                spec.source_path or "<spec>",
                f"the agenda has {count:,} packages, more than "
                f"max_packages {spec.max_packages:,}; remove values or raise the limit",
                line,
                col,
                field="max_packages",
            )
        )
    return [tuple(p) for p in itertools.product(*options)]


def package_from_values(spec: Spec, values: dict[str, Any]) -> Package:
    """A package from ``{issue: value}``; issues not named stay at ``keep``."""
    return tuple(values.get(i.name, i.keep_value()) for i in spec.issues)


def describe(spec: Spec, package: Package | None) -> str:
    if package is None:
        return "no deal"
    parts = []
    for issue, v in zip(spec.issues, package, strict=True):
        if v == KEEP:
            continue
        unit = f" {issue.unit}" if issue.unit else ""
        parts.append(f"{issue.name}={_fmt(v)}{unit}")
    return ", ".join(parts) if parts else "standstill (no changes)"


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def restrict_mask(spec: Spec, packages: list[Package], excluded: list[str]) -> np.ndarray:
    """Packages that leave every excluded issue at its off-agenda value (a subset)."""
    idx = [j for j, i in enumerate(spec.issues) if i.name in excluded]
    keep = [spec.issues[j].keep_value() for j in idx]
    return np.array([all(p[j] == k for j, k in zip(idx, keep, strict=True)) for p in packages], bool)


# ----------------------------------------------------------------------------------------
# Round contexts
# ----------------------------------------------------------------------------------------
def round_context(spec: Spec, scenario: Scenario, index: int, exclude: list[str] | None = None) -> RoundContext:
    """The status quo of round ``index``: events and lever steps known before its date,
    plus the threats of this round and of the escalations since the previous talks."""
    r = spec.rounds[index]
    agenda = spec.resolve_issues(r.agenda) if r.agenda is not None else [i.name for i in spec.issues]
    if exclude:
        agenda = [a for a in agenda if a not in exclude]
    base = [e for e in scenario.events if e.on < r.date]
    threat_rounds = [r]
    for prev in reversed(spec.rounds[:index]):
        if prev.kind == "talks":
            break
        threat_rounds.insert(0, prev)
    threats, notes = [], []
    lever_threats: dict[str, list[tuple[int, str, float]]] = {}
    for tr in threat_rounds:
        for k, ev in enumerate(tr.threats.events):
            threats.append(_validate_event(spec, ev, ("rounds", spec.rounds.index(tr), "threats", "events", k)))
        for t in tr.threats.levers:
            if t.add is not None:
                how, amount = "add", t.add
            else:  # the validator requires exactly one of add and value
                assert t.value is not None
                how, amount = "value", t.value
            lever_threats.setdefault(t.lever, []).append((scenario.day_of(t.on), how, float(amount)))
        if tr.threats.events or tr.threats.levers:
            notes.append(tr.label or tr.name)
    paths = {name: lever_history_path(lev, scenario, r.date) for name, lev in spec.levers.items()}
    return RoundContext(spec, scenario, r, index, agenda, base, threats, paths, lever_threats, notes)


def lever_history_path(lever: Any, scenario: Scenario, known_before: dt.date | None) -> np.ndarray:
    """The lever's daily level from what was known before ``known_before`` (None: everything)."""
    T = scenario.horizon_days
    if lever.layers is None:
        steps = [
            (scenario.day_of(s.on), s.value)
            for s in lever.schedule
            if known_before is None or s.known_from < known_before
        ]
        return _path(lever.initial, steps, T)
    path = np.full(T, float(lever.initial))
    for e in scenario.events:
        if not isinstance(e, Tariff) or (known_before is not None and e.on >= known_before):
            continue
        exporters = e.exporter if isinstance(e.exporter, list) else [e.exporter]
        if e.importer != lever.importer or not (lever.exporter in exporters or e.exporter == "all"):
            continue
        if e.products != "all" or e.layer not in lever.layers or e.action not in ("add", "suspend"):
            continue
        s = max(scenario.day_of(e.on), 0)
        end = T if e.until is None else min(max(scenario.day_of(e.until), 0), T)
        path[s:end] += e.rate if e.action == "add" else -e.rate
    return path


def _validate_event(spec: Spec, data: dict[str, Any], path: tuple) -> Any:
    try:
        return _EVENT.validate_python(data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc = tuple(p for p in err["loc"] if isinstance(p, int) or p in data or p in ("on", "until"))
        msg = err["msg"].removeprefix("Value error, ")
        raise InputError(_problem(spec.source_path or "<spec>", spec._marks, (*path, *loc), msg)) from None


# ----------------------------------------------------------------------------------------
# Policies
# ----------------------------------------------------------------------------------------
def truce_days(spec: Spec, package: Package) -> int | None:
    for issue, v in zip(spec.issues, package, strict=True):
        if issue.kind == "truce":
            return int(v)
    return None


def build_policy(ctx: RoundContext, package: Package | None, delay: int = 0, truce: int | None = None) -> Policy:
    """The policy of ``package`` agreed ``delay`` days after the round date (None: no deal).

    ``truce`` overrides the package's truce length (used by extensions).
    """
    spec, sc, t0, T = ctx.spec, ctx.scenario, ctx.t0, ctx.T
    if package is None:
        window = None
    else:
        length = truce if truce is not None else (truce_days(spec, package) or T)
        start, end = min(t0 + delay, T), min(t0 + length, T)
        window = (start, max(end, start))
    events = list(ctx.baseline_events)
    for ev in ctx.threat_events:
        events += _outside_window(ctx, ev, window)
    levers = {}
    for name in spec.levers:
        base = ctx.lever_base[name]
        threatened = base.copy()
        for day, how, amount in sorted(ctx.lever_threats.get(name, [])):
            if how == "add":
                threatened[max(day, 0) :] += amount
            else:
                threatened[max(day, 0) :] = amount
        path = threatened.copy()
        if window is not None:
            s, e = window
            path[s:e] = base[s:e]
        levers[name] = path
    per_event: dict[str, dict[str, Any]] = {}
    fixed: dict[str, dict[str, Any]] = {}
    if package is not None and window is not None and window[1] > window[0]:
        s, e = window
        for issue, v in zip(spec.issues, package, strict=True):
            if issue.kind == "truce" or v == KEEP:
                continue
            for t in issue.targets:
                value = t.write(v)
                if t.lever is not None:
                    levers[t.lever][s:e] = float(value)
                else:  # the validator gives an event target both event and field
                    assert t.event is not None and t.field is not None
                    per_event.setdefault(t.event, {})[t.field] = value
                    fixed.setdefault(t.event, {}).update(t.fixed)
    # packages that differ only in levers share one engine scenario
    key = (
        window if (per_event or ctx.threat_events) else None,
        tuple(sorted((k, tuple(sorted((f, repr(v)) for f, v in d.items()))) for k, d in per_event.items())),
    )
    new = ctx._scenarios.get(key)
    if new is None:
        for eid, fields in per_event.items():
            assert window is not None  # per_event is filled only inside a deal window
            events.append(deal_event(ctx, eid, {**fixed[eid], **fields}, *window))
        data = sc.model_dump(mode="python", exclude={"source_path", "events"})
        new = Scenario.model_validate({**data, "events": [e.model_dump(mode="python", by_alias=True) for e in events]})
        ctx._scenarios[key] = new
    return Policy(new, levers, t0, window)


def deal_event(ctx: RoundContext, event_id: str, fields: dict[str, Any], start: int, end: int) -> Any:
    """A copy of scenario event ``event_id`` with ``fields`` set, in force on [start, end)."""
    template = next(e for e in ctx.scenario.events if e.id == event_id)
    data = template.model_dump(mode="python", by_alias=True)
    data.update(fields)
    data["id"] = f"deal.{ctx.round.name}.{event_id}"
    data["on"] = ctx.date(start)
    data["until"] = ctx.date(end) if end < ctx.T else None
    data["note"] = f"deal of round {ctx.round.name}: " + ", ".join(f"{k}={v}" for k, v in fields.items())
    return _EVENT.validate_python(data)


def _outside_window(ctx: RoundContext, ev: Any, window: tuple[int, int] | None) -> list[Any]:
    """A threat event split around a deal window: suspended during the deal, back after."""
    if window is None or window[1] <= window[0]:
        return [ev]
    s, e = (ctx.date(window[0]), ctx.date(window[1]))
    until = getattr(ev, "until", None)
    out = []
    data = ev.model_dump(mode="python", by_alias=True)
    if ev.on < s:
        first = dict(data, until=min(until, s) if until is not None else s)
        out.append(_EVENT.validate_python(first))
    if window[1] < ctx.T and (until is None or until > e):
        on = max(ev.on, e)
        if until is None or until > on:
            out.append(_EVENT.validate_python(dict(data, on=on, id=(ev.id + ".snapback") if ev.id else None)))
    return out


def _path(initial: float, steps: list[tuple[int, float]], T: int) -> np.ndarray:
    path = np.full(T, float(initial))
    for day, value in sorted(steps):
        path[max(day, 0) :] = value
    return path


# ----------------------------------------------------------------------------------------
# Checks against the scenario (and the world)
# ----------------------------------------------------------------------------------------
def check_spec(spec: Spec, scenario: Scenario, world: Any = None) -> None:
    """Check every reference from the spec into the scenario and the world; raise one
    InputError listing each problem (one line each)."""
    src = spec.source_path or "<spec>"
    problems: list[Problem] = []

    def add(path: tuple, msg: str) -> None:
        problems.append(_problem(src, spec._marks, path, msg))

    by_id = {e.id: e for e in scenario.events if e.id}
    for j, issue in enumerate(spec.issues):
        for k, t in enumerate(issue.targets):
            if t.event is None:
                continue
            path = ("issues", j, "targets", k)
            ev = by_id.get(t.event)
            if ev is None:
                add(
                    (*path, "event"),
                    f"unknown event {t.event!r}; the scenario's event ids are " + (", ".join(by_id) or "(none)"),
                )
                continue
            fields = set(type(ev).model_fields) - PROTECTED_FIELDS
            if t.field not in fields:
                add(
                    (*path, "field"),
                    f"unknown field {t.field!r} of {ev.type} event {t.event!r}; "
                    f"expected one of {', '.join(sorted(fields))}",
                )
                continue
            for key in t.fixed:
                if key not in fields:
                    add(
                        (*path, "fixed", key),
                        f"unknown field {key!r} of {ev.type} event {t.event!r}",
                    )
            base = ev.model_dump(mode="python", by_alias=True)
            candidates: list[tuple[Any, tuple]] = [(v, ("issues", j, "values")) for v in issue.options()]
            candidates += [
                (r.actual[issue.name], ("rounds", k, "actual", issue.name))
                for k, r in enumerate(spec.rounds)
                if r.actual and issue.name in r.actual
            ]
            for v, where in candidates:
                if v == KEEP:
                    continue
                try:
                    _EVENT.validate_python({**base, **t.fixed, t.field: t.write(v), "id": "x"})
                except KeyError:
                    add(where, f"value {v!r} has no entry in the map of {t.event}.{t.field}")
                    break
                except ValidationError as exc:
                    msg = exc.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
                    add(where, f"value {v!r} is not valid for {t.event}.{t.field}: {msg}")
                    break
    start, end = scenario.start, scenario.end
    for j, r in enumerate(spec.rounds):
        if not (start <= r.date < end):
            add(
                ("rounds", j, "date"),
                f"round date {r.date} lies outside the scenario period {start} .. {end}",
            )
        for k, threat in enumerate(r.threats.events):
            try:
                _validate_event(spec, threat, ("rounds", j, "threats", "events", k))
            except InputError as exc:
                problems.extend(exc.problems)
    if world is not None:
        regions = set(world.compile().regions)
        cw = world.compile()
        end_uses = {u for u in set(cw.prod_end_use) | set(cw.fd_end_use) if u}
        for p, party in spec.parties.items():
            for fname, fac in party.factions.items():
                for k, term in enumerate(fac.terms):
                    term_path = ("parties", p, "factions", fname, "terms", k)
                    for key in ("region", "exporter", "importer"):
                        val = getattr(term, key)
                        if val is not None and term.lever is None and val not in regions:
                            add(
                                (*term_path, key),
                                f"unknown region {val!r}; the world has " + ", ".join(sorted(regions)),
                            )
                    for u in term.end_uses or []:
                        if u not in end_uses:
                            add(
                                (*term_path, "end_uses"),
                                f"unknown end use {u!r}; the world has " + ", ".join(sorted(end_uses)),
                            )
    if problems:
        raise InputError(problems)
