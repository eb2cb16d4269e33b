"""The levers: one module per kind of coercion, each holding its event model(s), the
documentation of the lever, and how it enters the engine.

A lever module defines ``EVENTS`` (its pydantic event classes, discriminated by their
``type``) and, when the lever acts in the dynamic engine, ``check(ctx, i, event)`` and
``compile(ctx, i, event) -> list[Effect]`` (:mod:`chokepoints.effects`). The registry
below finds every module of this package, so adding a lever means adding a module
(``docs/adding-a-lever.md``); the scenario's event union, the list of event types and
the engine's compiler all come from it.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType
from typing import TYPE_CHECKING, Annotated, Any, Union

from pydantic import Field

from .base import LeverContext, LeverEvent

_SKIP = {"base"}


def _discover() -> dict[str, ModuleType]:
    mods = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_") or info.name in _SKIP:
            continue
        mods[info.name] = importlib.import_module(f"{__name__}.{info.name}")
    return mods


MODULES: dict[str, ModuleType] = _discover()
"""Lever module name -> module, in name order."""

EVENT_CLASSES: tuple[type[LeverEvent], ...] = tuple(c for m in MODULES.values() for c in getattr(m, "EVENTS", ()))
EVENT_TYPES: tuple[str, ...] = tuple(c.model_fields["type"].default for c in EVENT_CLASSES)
LEVER_OF: dict[str, ModuleType] = {
    t: m for m in MODULES.values() for t in (c.model_fields["type"].default for c in getattr(m, "EVENTS", ()))
}
"""Event type -> the lever module that compiles it."""

if TYPE_CHECKING:
    Event = LeverEvent
else:
    Event = Annotated[Union[EVENT_CLASSES], Field(discriminator="type")]  # noqa: UP007

_dup = {t for t in EVENT_TYPES if EVENT_TYPES.count(t) > 1}
if _dup:  # pragma: no cover - a programming error in a new lever module
    raise RuntimeError(f"event type(s) defined by two lever modules: {', '.join(sorted(_dup))}")


def lever_of(event: Any) -> ModuleType:
    return LEVER_OF[event.type]


def check_events(ctx: LeverContext) -> None:
    """Every lever's reference checks (located errors gathered on ``ctx.problems``)."""
    for i, e in enumerate(ctx.sc.events):
        check = getattr(lever_of(e), "check", None)
        if check is not None:
            check(ctx, i, e)


def compile_events(ctx: LeverContext) -> list:
    """The effects of every event, in the scenario's order."""
    out: list = []
    for i, e in enumerate(ctx.sc.events):
        fn = getattr(lever_of(e), "compile", None)
        if fn is not None:
            out.extend(fn(ctx, i, e))
    return out


def describe() -> list[dict[str, str]]:
    """One row per event type: type, lever module, first line of its documentation."""
    rows = []
    for name, mod in MODULES.items():
        for cls in getattr(mod, "EVENTS", ()):
            doc = (cls.__doc__ or "").strip().splitlines()
            rows.append(
                {
                    "type": cls.model_fields["type"].default,
                    "lever": name,
                    "engine": "yes" if hasattr(mod, "compile") else "no",
                    "summary": doc[0] if doc else "",
                }
            )
    return rows


__all__ = [
    "MODULES",
    "EVENT_CLASSES",
    "EVENT_TYPES",
    "Event",
    "LeverContext",
    "LeverEvent",
    "check_events",
    "compile_events",
    "describe",
    "lever_of",
]
