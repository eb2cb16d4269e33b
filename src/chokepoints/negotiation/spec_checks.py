"""Checks of a negotiation spec that need more than one field (weights, names, agenda,
references to levers), run by :func:`.spec.spec_from_data` after pydantic's validation.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..errors import Problem
from ..yamlio import Location, PathKey, format_path, locate

if TYPE_CHECKING:
    from .spec import Spec

KEEP = "keep"  # the implicit "leave as is" option of an issue (re-exported by .spec)


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _problem(spec_src: str, marks: dict[PathKey, Location], path: PathKey, msg: str) -> Problem:
    line, col = locate(marks, path)
    return Problem(spec_src, msg, line, col, field=format_path(path) or None)


def _structural_problems(spec: Spec, src: str, marks: dict[PathKey, Location]) -> list[Problem]:
    """Checks that need more than one field: weights, names, agenda, references to levers."""
    out: list[Problem] = []

    def add(path: PathKey, msg: str) -> None:
        out.append(_problem(src, marks, path, msg))

    if not spec.issues:
        add(("issues",), "the agenda is empty: give at least one issue")
    names = [i.name for i in spec.issues]
    for j, i in enumerate(spec.issues):
        if names.count(i.name) > 1:
            add(("issues", j, "name"), f"duplicate issue name {i.name!r}")
        for k, t in enumerate(i.targets):
            if t.lever is not None and t.lever not in spec.levers:
                add(
                    ("issues", j, "targets", k, "lever"),
                    f"unknown lever {t.lever!r}; the spec has " + (", ".join(spec.levers) or "no levers"),
                )
            for v in i.options():
                if v == KEEP:
                    continue
                try:
                    written = t.write(v)
                except KeyError:
                    add(("issues", j, "targets", k, "map"), f"no entry for issue value {v!r}")
                    break
                if t.lever is not None and not _is_number(written):
                    add(
                        ("issues", j, "values"),
                        f"value {v!r} gives {written!r} for lever {t.lever!r}; a lever takes numbers (give a 'map')",
                    )
                    break
    truces = [i.name for i in spec.issues if i.kind == "truce"]
    if len(truces) > 1:
        add(("issues",), f"at most one truce issue, found {', '.join(truces)}")
    if len(spec.parties) != 2:
        add(("parties",), f"exactly two parties are needed, found {len(spec.parties)}")
    for p, party in spec.parties.items():
        total = sum(f.weight for f in party.factions.values())
        if not math.isclose(total, 1.0, abs_tol=1e-6):
            add(("parties", p, "factions"), f"faction weights must sum to 1, got {total:g}")
        for fname, fac in party.factions.items():
            for k, term in enumerate(fac.terms):
                path = ("parties", p, "factions", fname, "terms", k)
                if term.lever is not None:
                    lev = spec.levers.get(term.lever)
                    if lev is None:
                        add(
                            (*path, "lever"),
                            f"unknown lever {term.lever!r}; the spec has " + (", ".join(spec.levers) or "no levers"),
                        )
                        continue
                    want = {
                        "tariff_revenue": "tariff",
                        "tariff_buyer_cost": "tariff",
                        "tariff_exports_lost": "tariff",
                        "flow_value": "flow",
                        "treasury_cost": "treasury",
                    }[term.indicator]
                    if lev.kind != want:
                        add(
                            (*path, "lever"),
                            f"{term.indicator} needs a {want} lever; {term.lever!r} is a {lev.kind} lever",
                        )
    if spec.first_mover is not None and spec.first_mover not in spec.parties:
        add(
            ("first_mover",),
            f"unknown party {spec.first_mover!r}; expected one of {', '.join(spec.parties)}",
        )
    for j, r in enumerate(spec.rounds):
        if r.agenda is not None:
            if not r.agenda:
                add(("rounds", j, "agenda"), "the agenda is empty: give at least one issue")
            for k, a in enumerate(r.agenda):
                try:
                    spec.resolve_issues([a])
                except KeyError:
                    add(("rounds", j, "agenda", k), f"unknown issue or topic {a!r}")
        for k, threat in enumerate(r.threats.levers):
            if threat.lever not in spec.levers:
                add(("rounds", j, "threats", "levers", k, "lever"), f"unknown lever {threat.lever!r}")
        if r.actual is not None:
            for key, v in r.actual.items():
                if key not in names:
                    add(
                        ("rounds", j, "actual", key),
                        f"unknown issue {key!r}; expected one of {', '.join(names)}",
                    )
                elif spec.issue(key).kind == "truce" and (not isinstance(v, int) or v <= 0):
                    add(("rounds", j, "actual", key), "a truce length is a whole number of days > 0")
                elif v != KEEP:
                    for t in spec.issue(key).targets:
                        try:
                            float(t.write(v)) if t.lever is not None else t.write(v)
                        except (KeyError, TypeError, ValueError):
                            where = f"lever {t.lever!r}" if t.lever else f"{t.event}.{t.field}"
                            add(("rounds", j, "actual", key), f"value {v!r} cannot be written to {where}")
                            break
    rnames = [r.name for r in spec.rounds]
    for j, r in enumerate(spec.rounds):
        if rnames.count(r.name) > 1:
            add(("rounds", j, "name"), f"duplicate round name {r.name!r}")
    dates = [r.date for r in spec.rounds]
    if dates != sorted(dates):
        add(("rounds",), "rounds must be in date order")
    if not any(r.kind == "talks" for r in spec.rounds):
        add(("rounds",), "at least one round of kind 'talks' is needed")
    for k, u in enumerate(spec.uncertain):
        msg = uncertain_path_problem(spec, u.parameter)
        if msg:
            add(("uncertain", k, "parameter"), msg)
    for k, e in enumerate(spec.compare_exclude):
        try:
            spec.resolve_issues([e])
        except KeyError:
            add(("compare_exclude", k), f"unknown issue or topic {e!r}")
    return out


def uncertain_path_problem(spec: Spec, path: str) -> str | None:
    """Why ``path`` names no preference of ``spec`` (None when it does)."""
    parts = path.split(".")
    from .spec import UNCERTAIN_PATHS

    expected = "expected one of " + ", ".join(UNCERTAIN_PATHS)
    if len(parts) < 3 or parts[0] != "parties":
        return f"unknown parameter {path!r}; {expected}"
    party = spec.parties.get(parts[1])
    if party is None:
        return f"unknown party {parts[1]!r}; expected one of {', '.join(spec.parties)}"
    if parts[2:] == ["capability"]:
        return None
    if len(parts) < 5 or parts[2] != "factions":
        return f"unknown parameter {path!r}; {expected}"
    fac = party.factions.get(parts[3])
    if fac is None:
        return f"unknown faction {parts[3]!r} of {parts[1]}; expected one of {', '.join(party.factions)}"
    if parts[4:] in (["weight"], ["salience"]):
        return None
    if len(parts) == 7 and parts[4] == "terms" and parts[6] == "coef" and parts[5].isdigit():
        if int(parts[5]) < len(fac.terms):
            return None
        return f"faction {parts[3]!r} has {len(fac.terms)} terms (0..{len(fac.terms) - 1})"
    return f"unknown parameter {path!r}; {expected}"
