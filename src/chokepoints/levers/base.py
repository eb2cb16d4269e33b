"""What every lever module shares: the event base class and the compile context.

A lever module defines its event model(s) (pydantic, with ``type`` as the discriminator)
and, for levers that act in the dynamic engine, two functions:

    check(ctx, index, event) -> None           located errors for unknown names
    compile(ctx, index, event) -> list[Effect]  the effects (chokepoints.effects) it causes

The context gives the World's index maps, per-run values of uncertain event fields,
day numbers and located errors; levers never touch the engine's arrays themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..errors import Problem

if TYPE_CHECKING:
    from ..world import CompiledWorld, World


class ScenarioView(Protocol):
    """What a lever reads of the Scenario (``chokepoints.scenario.Scenario`` is one; the
    scenario package imports the levers for its event union, so the levers name no class of it)."""

    # read-only members, so a Scenario's list[...] fields satisfy the Sequence[...] here
    @property
    def name(self) -> str: ...
    @property
    def horizon_days(self) -> int: ...
    @property
    def source_path(self) -> str | None: ...
    @property
    def events(self) -> Sequence[Any]: ...
    @property
    def uncertain(self) -> Sequence[Any]: ...

    def locate(self, path: tuple) -> Any: ...

    def day_of(self, date: dt.date) -> int: ...


def _numeric(annotation: Any) -> bool:
    """Whether a field's type is a number (int/float, possibly Optional or in a Union with None)."""
    import typing

    if annotation in (int, float):
        return True
    args = typing.get_args(annotation)
    return bool(args) and all(a in (int, float, type(None)) for a in args) and any(a in (int, float) for a in args)


class StrictNumbers(BaseModel):
    """A model whose number fields refuse booleans (``horizon_days: true``) and inf/nan (``.inf``)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _no_bool_numbers(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for k, v in data.items():
                field = cls.model_fields.get(k) if isinstance(k, str) else None
                if isinstance(v, bool) and field is not None and _numeric(field.annotation):
                    raise ValueError(f"field {k!r}: expected a number, got {str(v).lower()}")
        return data


class LeverEvent(StrictNumbers):
    """The base class of every scenario event (shared by the engine, trade and finance levers)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    id: str | None = Field(default=None, description="Optional name, used to address fields as uncertain parameters")
    on: dt.date = Field(description="Date the event takes effect")
    note: str = Field(default="", description="Free text, e.g. the source of the event")

    if TYPE_CHECKING:  # every concrete event declares its discriminator, type: Literal["<name>"] = "<name>"
        type: str


def choices(value: object, names: Iterable[str], limit: int = 30) -> str:
    """ "; did you mean 'x'? expected one of a, b, c" for an unknown name (difflib near misses first)."""
    import difflib

    names = [str(n) for n in names]
    close = difflib.get_close_matches(str(value), names, n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    shown = ", ".join(names[:limit]) + (f", ... ({len(names)} in all)" if len(names) > limit else "")
    return f"{hint}; expected one of {shown}" if names else f"{hint}; there are none"


def as_list(v: object) -> object:
    """A single string becomes a one-item list (YAML ``products: x`` as ``[x]``)."""
    return [v] if isinstance(v, str) else v


def as_list_or_all(v: object) -> object:
    """As :func:`as_list`, keeping the word ``all``."""
    return v if v == "all" else as_list(v)


class LeverContext:
    """What a lever's ``check`` and ``compile`` see of the World and the Scenario.

    ``event_values[i][field]``: per-run values (R,) of event i's uncertain fields;
    ``cache``: shared results (e.g. content shares traced once per exporter and products).
    """

    def __init__(self, world: World, scenario: ScenarioView, runs: int):
        self.world, self.sc, self.R = world, scenario, runs
        self.cw: CompiledWorld = world.compile()
        self.T = scenario.horizon_days
        self.src = scenario.source_path or f"<scenario {scenario.name}>"
        self.problems: list[Problem] = []
        self.pidx = {p: i for i, p in enumerate(self.cw.products)}
        self.ridx = {r: i for i, r in enumerate(self.cw.regions)}
        self.fidx = {f: i for i, f in enumerate(self.cw.producers)}
        self.end_uses = set(self.cw.prod_end_use) | set(self.cw.fd_end_use)
        self.event_values: dict[int, dict[str, np.ndarray]] = {}
        self.cache: dict[Any, Any] = {}

    # -- errors -------------------------------------------------------------------------
    def err(self, path: tuple, msg: str) -> None:
        from ..yamlio import format_path

        line, col = self.sc.locate(path)
        self.problems.append(Problem(self.src, msg, line, col, field=format_path(path)))

    def check_region(self, i: int, path: tuple, value: str | None) -> None:
        if value is not None and value not in self.ridx:
            self.err(("events", i, *path), f"unknown region {value!r}{choices(value, self.cw.regions)}")

    def check_regions(self, i: int, key: str, values: Iterable[str] | str) -> None:
        if values != "all":
            for j, r in enumerate(values):
                self.check_region(i, (key, j), r)

    def check_product(self, i: int, path: tuple, value: str | None) -> None:
        if value is not None and value not in self.pidx:
            self.err(
                ("events", i, *path),
                f"unknown product {value!r} in world {self.world.name!r}{choices(value, list(self.pidx))}",
            )

    def check_products(self, i: int, key: str, values: Iterable[str] | str | None) -> None:
        if values is not None and values != "all":
            for j, p in enumerate(values):
                self.check_product(i, (key, j), p)

    def check_producer(self, i: int, path: tuple, value: str | None) -> None:
        if value is not None and value not in self.fidx:
            self.err(("events", i, *path), f"unknown producer {value!r}{choices(value, list(self.fidx))}")

    def check_end_use(self, i: int, path: tuple, value: str | None) -> None:
        if value is not None and (not value or value not in self.end_uses):
            self.err(
                ("events", i, *path),
                f"unknown end use {value!r}" + choices(value, sorted(u for u in self.end_uses if u)),
            )

    def check_end_uses(self, i: int, key: str, values: Iterable[str] | None) -> None:
        for j, u in enumerate(values or []):
            self.check_end_use(i, (key, j), u)

    # -- values -------------------------------------------------------------------------
    def day(self, date: dt.date) -> int:
        return self.sc.day_of(date)

    def start(self, e: LeverEvent) -> int:
        """First day of an event (days before the scenario's start count as day 0)."""
        return max(self.day(e.on), 0)

    def end(self, e: Any) -> int:
        """First day no longer in force: ``until`` or the horizon."""
        until = getattr(e, "until", None)
        return self.T if until is None else min(self.day(until), self.T)

    def per_run(self, base: float, event_index: int, field_name: str) -> np.ndarray:
        """(R,) values of an event field: its sampled values when uncertain, else ``base``."""
        vals = self.event_values.get(event_index, {}).get(field_name)
        return np.full(self.R, float(base)) if vals is None else vals

    def is_uncertain(self, event: LeverEvent, field_name: str) -> bool:
        return event.id is not None and any(u.parameter == f"events.{event.id}.{field_name}" for u in self.sc.uncertain)

    # -- masks --------------------------------------------------------------------------
    def region_mask(self, regions: Iterable[str] | str, *, all_but: str | None = None) -> np.ndarray:
        """(regions,) bool: the named regions, or for ``all`` every region except ``all_but``."""
        out = np.zeros(len(self.cw.regions), bool)
        if regions == "all":
            out[:] = True
            if all_but in self.ridx:
                out[self.ridx[all_but]] = False
        else:
            out[[self.ridx[r] for r in regions if r in self.ridx]] = True
        return out

    def product_mask(self, products: Iterable[str] | str | None) -> np.ndarray:
        """(S,) bool: the named products (every product for ``all`` or None)."""
        if products is None or products == "all":
            return np.ones(self.cw.S, bool)
        out = np.zeros(self.cw.S, bool)
        out[[self.pidx[p] for p in products if p in self.pidx]] = True
        return out

    def buyer_end_use_mask(self, end_uses: Iterable[str]) -> np.ndarray:
        """(n + m,) bool: buyers (producers, then final-demand cells) with one of ``end_uses``."""
        wanted = set(end_uses)
        return np.array([u in wanted for u in self.cw.buyer_end_use], bool)
