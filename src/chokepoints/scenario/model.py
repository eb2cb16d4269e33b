"""The Scenario: a YAML file of dated events and declared uncertain parameters.

Parsed into typed pydantic objects; every problem is reported as
``file:line:column: field 'events[2].approval_rate': <what was expected>``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import Problem, ScenarioError
from ..levers.base import StrictNumbers
from ..yamlio import Location, PathKey, load_yaml_with_marks, locate, read_yaml_file, validation_problems
from .backtest_spec import BacktestSpec
from .events import EVENT_TYPES, Event
from .uncertainty import UncertainParameter

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2200, 12, 31)


class EngineParams(StrictNumbers):
    """ARIO parameters with BoARIO's names (Hallegatte 2014; BoARIO 0.7.2 defaults).

    psi_param: inventory constraint strength psi (production throttles when a stock
    falls below psi * target); inventory_restoration_tau: days to close an inventory
    gap (tau_INV); alpha_base, alpha_tau: overproduction base and adjustment time;
    alpha_max: the most a producer can overproduce, as a multiple of its baseline output
    (BoARIO's ``overprod_max``, default 1.25 there); None (the default) takes capacity / output
    from the World, which is 1 where a World sets capacity = output; a value here is a floor:
    alpha_max_f = max(capacity_f / x0_f, alpha_max);
    order_type: ``alt`` re-weights orders toward suppliers with capacity (and open
    routes), ``noalt`` keeps baseline shares.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    psi_param: float = Field(default=0.8, gt=0, le=1)
    inventory_restoration_tau: float = Field(default=60.0, ge=1)
    alpha_base: float = Field(default=1.0, ge=1)
    alpha_tau: float = Field(default=365.0, ge=1)
    alpha_max: float | None = Field(default=None, ge=1, le=10)
    order_type: Literal["alt", "noalt"] = "alt"
    shortfall_tolerance: float = Field(default=0.001, ge=0, lt=1, description="relative shortfall that counts as short")


class KeyUser(BaseModel):
    model_config = ConfigDict(extra="forbid")
    region: str
    end_use: str


class Scenario(StrictNumbers):
    """A what-if: a World, a start date and horizon, dated events, and uncertainty."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    name: str = Field(min_length=1)
    description: str = ""
    world: str | None = Field(
        default=None,
        description="bundled dataset name or folder path (relative to the scenario "
        "file); needed by `run`, optional for tariff- or finance-only scenarios",
    )
    start: dt.date
    horizon_days: int = Field(default=365, gt=0, le=36500)
    runs: int = Field(default=1, ge=1, le=1_000_000)
    seed: int = Field(default=0, ge=0)
    engine: EngineParams = Field(default_factory=EngineParams)
    key_users: list[KeyUser] = Field(default_factory=list)
    uncertain: list[UncertainParameter] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    backtest: BacktestSpec | None = Field(None, description="observed series, mappings and the fitted/held-out split")

    # Where it came from; set by from_yaml, excluded from the hash.
    source_path: str | None = Field(default=None, exclude=True)
    _marks: dict[PathKey, Location] = {}

    @field_validator("start")
    @classmethod
    def _start_in_range(cls, v: dt.date) -> dt.date:
        if not EARLIEST <= v <= LATEST:
            raise ValueError(f"expected a start date between {EARLIEST} and {LATEST}, got {v}")
        return v

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        ids = [e.id for e in self.events if e.id is not None]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"duplicate event id(s): {', '.join(sorted(dup))}")
        end = self.start + dt.timedelta(days=self.horizon_days)  # start <= 2200 and horizon <= 100 years
        early = self.start - dt.timedelta(days=3650)
        outside = [f"event {e.id or e.type!r} on {e.on}" for e in self.events if e.on < early or e.on > end]
        if outside:
            raise ValueError(f"{'; '.join(outside)}: outside the simulated period {self.start} .. {end}")
        return self

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=self.horizon_days)

    def day_of(self, date: dt.date) -> int:
        """Step index of a date (day 0 is ``start``)."""
        return (date - self.start).days

    @property
    def hash(self) -> str:
        """SHA-256 of the canonical JSON of the scenario (identifies a run's inputs)."""
        data = self.model_dump(mode="json")
        if data.get("backtest") is None:  # scenarios without a back-test keep the hash they had
            data.pop("backtest", None)
        text = json.dumps(data, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def world_ref(self) -> str:
        """The world reference resolved against the scenario file's folder when it is a path."""
        if self.world is None:
            line, col = self.locate(())
            raise ScenarioError(
                Problem(
                    self.source_path or "<scenario>",
                    "this command needs a 'world' (a bundled dataset name or a folder)",
                    line,
                    col,
                    field="world",
                )
            )
        if self.source_path and ("/" in self.world or self.world.startswith(".")):
            return str((Path(self.source_path).parent / self.world).resolve())
        return self.world

    def locate(self, path: PathKey) -> Location | tuple[None, None]:
        return locate(self._marks, path)

    # -- construction -------------------------------------------------------------------
    @classmethod
    def from_yaml(cls, path: str | Path) -> Scenario:
        data, marks, _ = read_yaml_file(path)
        return cls._from_data(data, marks, str(path))

    @classmethod
    def from_yaml_text(cls, text: str, source: str = "<string>") -> Scenario:
        data, marks = load_yaml_with_marks(text, source)
        return cls._from_data(data, marks, source)

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "<dict>") -> Scenario:
        return cls._from_data(data, {}, source)

    @classmethod
    def _from_data(cls, data: Any, marks: dict[PathKey, Location], source: str) -> Scenario:
        if not isinstance(data, dict):
            raise ScenarioError(Problem(source, "expected a YAML mapping of scenario fields", 1, 1))
        try:
            sc = cls.model_validate({**data, "source_path": source if source[:1] != "<" else None})
        except ValidationError as exc:
            raise ScenarioError(_problems(exc, marks, source)) from None
        sc._marks = marks
        problems = bound_problems(sc, marks, source)
        if problems:
            raise ScenarioError(problems)
        return sc


# Limits of the World columns that uncertain parameters may draw (lower, upper; None: no limit).
WORLD_LIMITS: dict[tuple[str, str], tuple[float | None, float | None]] = {
    ("inventories", "target_days"): (0.0, 36500.0),
    ("inventories", "days_of_cover"): (0.0, 36500.0),
    ("producers", "capacity_per_day"): (0.0, None),
    ("unit_values", "usd_per_unit"): (0.0, None),
}


def field_limits(model: type[BaseModel], name: str) -> tuple[float | None, bool, float | None, bool]:
    """(lower, lower inclusive, upper, upper inclusive) of a pydantic field's ``ge/gt/le/lt``."""
    lo: float | None = None
    hi: float | None = None
    lo_inc = hi_inc = True
    info = model.model_fields.get(name)
    for m in info.metadata if info is not None else []:
        for attr, is_lo, inc in (("ge", True, True), ("gt", True, False), ("le", False, True), ("lt", False, False)):
            v = getattr(m, attr, None)
            if v is None:
                continue
            if is_lo:
                lo, lo_inc = float(v), inc
            else:
                hi, hi_inc = float(v), inc
    return lo, lo_inc, hi, hi_inc


def support(u: UncertainParameter) -> tuple[float, float] | None:
    """The smallest and largest value a distribution can draw (None while an ``assumption``'s
    omitted bounds are still to be read from the World's table; they are checked then)."""
    inf = float("inf")
    d = u.distribution
    if d in ("uniform", "triangular"):
        if u.low is None or u.high is None:
            return None
        return float(u.low), float(u.high)
    if d == "beta":
        return (0.0 if u.low is None else u.low), (1.0 if u.high is None else u.high)
    if d == "normal":
        return (-inf if u.low is None else u.low), (inf if u.high is None else u.high)
    if d == "lognormal":
        return 0.0, inf
    return min(u.values or [0.0]), max(u.values or [0.0])


def bound_problems(sc: Scenario, marks: dict[PathKey, Location], source: str) -> list[Problem]:
    """Uncertain parameters whose distribution reaches outside the limits of the field it draws.

    The limits are the target field's own (its pydantic ``ge/gt/le/lt``: an event field or an
    engine parameter) or, for World columns, :data:`WORLD_LIMITS`.
    """
    events = {e.id: e for e in sc.events if e.id}
    out = []
    for j, u in enumerate(sc.uncertain):
        try:
            ref = u.ref
        except Exception:  # noqa: BLE001 - a bad path is reported by the compiler with its location
            continue
        if ref.kind == "event" and ref.event in events and ref.field:
            lo, lo_inc, hi, hi_inc = field_limits(type(events[ref.event]), ref.field)
        elif ref.kind == "engine" and ref.name:
            lo, lo_inc, hi, hi_inc = field_limits(EngineParams, ref.name)
        elif ref.kind == "world":
            lo, hi = WORLD_LIMITS.get((ref.table or "", ref.column or ""), (None, None))
            lo_inc = hi_inc = True
        else:
            continue
        span = support(u)
        if span is None:
            continue
        smin, smax = span
        what = f"{u.parameter} must stay within {_interval(lo, lo_inc, hi, hi_inc)}"
        if lo is not None and (smin < lo or (smin == lo and not lo_inc)):
            key = "low" if u.low is not None else ("values" if u.values else "distribution")
            line, col = locate(marks, ("uncertain", j, key))
            out.append(
                Problem(source, f"{what}; this distribution reaches {smin:g}", line, col, field=f"uncertain[{j}].{key}")
            )
        elif hi is not None and (smax > hi or (smax == hi and not hi_inc)):
            key = "high" if u.high is not None else ("values" if u.values else "distribution")
            line, col = locate(marks, ("uncertain", j, key))
            out.append(
                Problem(source, f"{what}; this distribution reaches {smax:g}", line, col, field=f"uncertain[{j}].{key}")
            )
    return out


def _interval(lo: float | None, lo_inc: bool, hi: float | None, hi_inc: bool) -> str:
    left = "(-inf" if lo is None else ("[" if lo_inc else "(") + f"{lo:g}"
    right = "inf)" if hi is None else f"{hi:g}" + ("]" if hi_inc else ")")
    return f"{left}, {right}"


def _problems(exc: ValidationError, marks: dict[PathKey, Location], source: str) -> list[Problem]:
    return validation_problems(exc, marks, source, clean_loc=_clean_loc, union_noun="event")


def _clean_loc(loc: tuple[Any, ...]) -> PathKey:
    """Drop pydantic's union tag from an error location.

    For a discriminated union pydantic reports ``('events', 2, 'export_control', 'mode')``;
    the file has ``events[2].mode``.
    """
    cleaned: list[str | int] = []
    for part in loc:
        after_event_index = len(cleaned) >= 2 and cleaned[-2] == "events" and isinstance(cleaned[-1], int)
        if after_event_index and part in EVENT_TYPES:
            continue
        cleaned.append(part)
    return tuple(cleaned)
