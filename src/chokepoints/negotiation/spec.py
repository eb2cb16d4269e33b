"""The negotiation spec: a YAML file next to the scenario (``<stem>.negotiation.yaml``).

The Scenario model forbids unknown keys, so everything about the bargaining lives
here and points into the scenario by event id:

- ``issues``: what can be agreed. Each issue has values (discrete, or a continuous
  range cut into ``steps``) and targets: a field of a scenario event (``event``,
  ``field``) that a deal sets from the deal date until the truce expires, or a
  ``lever`` of this file (a dated policy instrument that is not an engine event:
  tariffs, purchase commitments, chip-control relaxations, Treasury sales). Every
  issue except the truce also has the implicit value ``keep`` (no change), so an
  issue left off the agenda is simply kept at ``keep``.
- ``parties`` with ``factions`` (weights summing to 1) whose utilities are sums of
  simulated indicators (``terms``), combined by weighted sum or with a veto faction.
- ``levers``: dated instruments with their data (import values, elasticities, USD
  per unit) and their history (``schedule``, each step with the date it was
  announced, so a round sees only what was known then).
- ``rounds``: the sequence of talks (and escalations) with dates, the threats that
  apply when there is no deal, the actual outcome, and truce extension rules.

Problems are reported as ``file:line:column: field 'parties.USA.factions': ...``.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..datasets.smart import SMART_EPSILON, SMART_SIGMA
from ..errors import InputError, Problem
from ..yamlio import Location, PathKey, format_path, locate, read_yaml_file, validation_problems

KEEP = "keep"
NAME = r"^[A-Za-z][A-Za-z0-9_\-]*$"

ENGINE_INDICATORS = (
    "output_lost",
    "shortfall_days",
    "controlled_exports_lost",
    "controlled_shipments",
)
LEVER_INDICATORS = (
    "tariff_revenue",
    "tariff_buyer_cost",
    "tariff_exports_lost",
    "flow_value",
    "treasury_cost",
)
INDICATORS = ENGINE_INDICATORS + LEVER_INDICATORS
# sign of each indicator when a term gives no coefficient: losses count against the faction
DEFAULT_COEF = {
    "output_lost": -1.0,
    "shortfall_days": -1.0,
    "controlled_exports_lost": -1.0,
    "controlled_shipments": 1.0,
    "tariff_revenue": 1.0,
    "tariff_buyer_cost": -1.0,
    "tariff_exports_lost": -1.0,
    "flow_value": 1.0,
    "treasury_cost": -1.0,
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Target(_Model):
    """Where an issue's value goes: a scenario event field, or a lever of this file.

    The value written is ``map[value]`` when a map is given, else ``value * scale``.
    ``fixed`` sets other fields of the deal's copy of the event (e.g. destinations).
    """

    event: str | None = None
    field: str | None = None
    lever: str | None = None
    scale: float = 1.0
    map: dict[Any, Any] | None = None
    fixed: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one(self) -> Target:
        if (self.event is None) == (self.lever is None):
            raise ValueError("give exactly one of 'event' (with 'field') or 'lever'")
        if self.event is not None and self.field is None:
            raise ValueError("an event target needs 'field'")
        if self.lever is not None and (self.field is not None or self.fixed):
            raise ValueError("a lever target takes no 'field' or 'fixed'")
        return self

    def write(self, value: Any) -> Any:
        """The value written to the target for an issue value."""
        if self.map is not None:
            key = _map_key(value)
            for k, v in self.map.items():
                if _map_key(k) == key:
                    return v
            raise KeyError(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value * self.scale
        return value


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _map_key(v: Any) -> Any:
    if isinstance(v, bool) or v is None:
        return str(v).lower()
    try:
        return float(v)
    except (TypeError, ValueError):
        return str(v)


class Issue(_Model):
    """One negotiable issue. ``kind: truce`` is the length in days of the deal's window."""

    name: str = Field(pattern=NAME)
    label: str = ""
    kind: Literal["discrete", "continuous", "truce"] = "discrete"
    values: list[Any] | None = None
    low: float | None = None
    high: float | None = None
    steps: int | None = Field(None, ge=2, le=201)
    unit: str = ""
    topics: list[str] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)
    default: int | None = Field(None, gt=0, description="truce: length used when the issue is off the agenda")
    note: str = ""

    @model_validator(mode="after")
    def _check(self) -> Issue:
        if self.kind == "continuous":
            if self.low is None or self.high is None or self.steps is None:
                raise ValueError("a continuous issue needs low, high and steps")
            if not self.low < self.high:
                raise ValueError(f"low {self.low} must be below high {self.high}")
        elif not self.values:
            raise ValueError("give a non-empty list of 'values'")
        if self.values and any(v == KEEP for v in self.values):
            raise ValueError(f"'{KEEP}' is implicit; do not list it")
        if self.kind == "truce":
            if self.targets:
                raise ValueError("a truce issue has no targets (it sets the length of the deal)")
            if any(not isinstance(v, int) or isinstance(v, bool) or v <= 0 for v in self.values or []):
                raise ValueError("truce values must be whole numbers of days > 0")
        elif not self.targets:
            raise ValueError("an issue needs at least one target (an event field or a lever)")
        return self

    def options(self) -> list[Any]:
        """The values a package can take: ``keep`` first (not for a truce), then the values."""
        if self.kind == "continuous":
            vals: list[Any] = [
                round(self.low + (self.high - self.low) * i / (self.steps - 1), 10)  # type: ignore[operator]
                for i in range(self.steps)
            ]  # type: ignore[arg-type]
        else:
            vals = list(self.values or [])
        return vals if self.kind == "truce" else [KEEP, *vals]

    def keep_value(self) -> Any:
        if self.kind == "truce":
            return self.default if self.default is not None else (self.values or [90])[0]
        return KEEP


class Term(_Model):
    """One indicator in a faction's utility, times ``coef`` (default: -1 for losses, +1 for gains).

    Engine indicators (from the simulation): output_lost (USD, region + end_uses),
    shortfall_days (days short, region + end_uses), controlled_exports_lost and
    controlled_shipments (USD on controlled routes, exporter [+ importer]).
    Lever indicators: tariff_revenue, tariff_buyer_cost, tariff_exports_lost (a
    tariff lever), flow_value (a flow lever, USD), treasury_cost (a treasury lever;
    ``side``: target or threatener).
    """

    indicator: Literal[INDICATORS]  # type: ignore[valid-type]
    region: str | None = None
    end_uses: list[str] | None = None
    exporter: str | None = None
    importer: str | None = None
    lever: str | None = None
    side: Literal["target", "threatener"] | None = None
    coef: float | None = None
    note: str = ""

    @field_validator("end_uses", mode="before")
    @classmethod
    def _list(cls, v: object) -> object:
        return [v] if isinstance(v, str) else v

    @model_validator(mode="after")
    def _needs(self) -> Term:
        ind = self.indicator
        if ind in ("output_lost", "shortfall_days") and (self.region is None or not self.end_uses):
            raise ValueError(f"{ind} needs 'region' and 'end_uses'")
        if ind in ("controlled_exports_lost", "controlled_shipments") and self.exporter is None:
            raise ValueError(f"{ind} needs 'exporter'")
        if ind in LEVER_INDICATORS and self.lever is None:
            raise ValueError(f"{ind} needs 'lever'")
        if ind == "treasury_cost" and self.side is None:
            raise ValueError("treasury_cost needs 'side': target or threatener")
        return self

    @property
    def sign(self) -> float:
        return DEFAULT_COEF[self.indicator] if self.coef is None else self.coef

    def key(self) -> tuple:
        return (
            self.indicator,
            self.region,
            tuple(self.end_uses or ()),
            self.exporter,
            self.importer,
            self.lever,
            self.side,
        )

    def describe(self) -> str:
        where = [
            x
            for x in (
                self.region,
                ",".join(self.end_uses or []) or None,
                self.exporter and f"{self.exporter}->{self.importer or 'all'}",
                self.lever,
                self.side,
            )
            if x
        ]
        return f"{self.sign:+g} x {self.indicator}({'; '.join(where)})"


class Faction(_Model):
    label: str = ""
    weight: float = Field(ge=0, le=1)
    terms: list[Term] = Field(min_length=1)


class Party(_Model):
    """A negotiating party: factions combined by weighted sum, or with a veto faction.

    veto: the party rejects every package that leaves ``veto`` below ``veto_threshold``
    (a normalised faction utility in [0, 1]; default the veto faction's own no-deal
    utility), whatever the weighted sum says.
    """

    label: str = ""
    combine: Literal["weighted", "veto"] = "weighted"
    veto: str | None = None
    veto_threshold: float | None = Field(None, ge=0, le=1)
    capability: float = Field(1.0, gt=0, description="relative clout in the stakeholder models (party total)")
    strategy: Literal["boulware", "conceder", "linear", "tit_for_tat"] = "boulware"
    exponent: float | None = Field(None, gt=0)
    factions: dict[str, Faction] = Field(min_length=1)

    @model_validator(mode="after")
    def _veto(self) -> Party:
        if self.combine == "veto" and self.veto is None:
            raise ValueError("combine: veto needs 'veto' (a faction name)")
        if self.veto is not None and self.veto not in self.factions:
            raise ValueError(
                f"veto faction {self.veto!r} is not one of the party's factions: " + ", ".join(self.factions)
            )
        return self


class LeverStep(_Model):
    on: dt.date
    value: float
    announced: dt.date | None = None
    note: str = ""

    @property
    def known_from(self) -> dt.date:
        return self.announced or self.on


class Lever(_Model):
    """A dated instrument outside the engine.

    kind tariff: additional ad valorem rate in percent on imports of ``importer`` from
    ``exporter``, on top of ``base_rate``; Armington partial equilibrium
    (chokepoints.trade when installed) with base imports ``import_value_usd`` (per
    year, at ``base_rate``), other partners ``other_imports_usd``, import-demand
    elasticity ``eta`` (< 0), substitution ``sigma`` and export supply ``epsilon``.
    kind flow: a value stream, ``usd_per_unit_year`` USD per year per unit of the value
    (purchase commitments in $bn per year: 1e9).
    kind treasury: a sale of ``value`` USD bn of Treasuries by ``holder`` over ``months``
    starting when the value turns positive, priced by chokepoints.finance.threat_value
    (cost to ``target``, default USA, and to the holder).

    History: ``schedule`` steps (each known from ``announced``, default its date), or for
    a tariff lever ``layers``: the level on day t is the sum of the rates of the
    scenario's ``tariff`` events from ``exporter`` to ``importer`` on all products in
    those layers in force that day (``action: add`` adds, ``suspend`` subtracts).
    """

    kind: Literal["tariff", "flow", "treasury"]
    label: str = ""
    unit: str = ""
    importer: str | None = None
    exporter: str | None = None
    import_value_usd: float | None = Field(None, gt=0)
    other_imports_usd: float = Field(0.0, ge=0)
    base_rate: float = Field(0.0, ge=0, description="percent already paid in the base year")
    eta: float | None = Field(None, lt=0)
    sigma: float = Field(SMART_SIGMA, gt=0)  # WITS-SMART default (chokepoints.datasets.smart)
    epsilon: float = Field(SMART_EPSILON, gt=0)
    usd_per_unit_year: float | None = None
    holder: str | None = None
    target: str | None = None
    months: int = Field(12, ge=1, le=600)
    initial: float = 0.0
    schedule: list[LeverStep] = Field(default_factory=list)
    layers: list[str] | None = Field(None, description="tariff: sum these layers of the scenario's tariff events")
    source: str = ""

    @model_validator(mode="after")
    def _kind(self) -> Lever:
        need = {
            "tariff": ("importer", "exporter", "import_value_usd", "eta"),
            "flow": ("usd_per_unit_year",),
            "treasury": ("holder",),
        }[self.kind]
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise ValueError(f"a {self.kind} lever needs {', '.join(missing)}")
        dates = [s.on for s in self.schedule]
        if dates != sorted(dates):
            raise ValueError("schedule steps must be in date order")
        if self.layers is not None and (self.kind != "tariff" or self.schedule):
            raise ValueError(
                "'layers' (history from the scenario's tariff events) is for tariff levers without a 'schedule'"
            )
        return self


class LeverThreat(_Model):
    """A threatened lever move: ``add`` points to the level, or set it to ``value``."""

    lever: str
    on: dt.date
    value: float | None = None
    add: float | None = None
    note: str = ""

    @model_validator(mode="after")
    def _one(self) -> LeverThreat:
        if (self.value is None) == (self.add is None):
            raise ValueError("give exactly one of 'value' or 'add'")
        return self


class Condition(_Model):
    """A truce is extended only if this holds over the last ``window_days`` before expiry.

    shipments_share: controlled shipments exporter -> importer as a share of baseline;
    output_share: output of (region, end_use) as a share of baseline.
    """

    indicator: Literal["shipments_share", "output_share"]
    exporter: str | None = None
    importer: str | None = None
    region: str | None = None
    end_use: str | None = None
    at_least: float = Field(ge=0, le=10)
    window_days: int = Field(30, ge=1)

    @model_validator(mode="after")
    def _needs(self) -> Condition:
        if self.indicator == "shipments_share" and self.exporter is None:
            raise ValueError("shipments_share needs 'exporter'")
        if self.indicator == "output_share" and (self.region is None or self.end_use is None):
            raise ValueError("output_share needs 'region' and 'end_use'")
        return self


class Extension(_Model):
    days: int = Field(gt=0)
    max_extensions: int = Field(1, ge=0, le=20)
    condition: Condition


class Threats(_Model):
    events: list[dict[str, Any]] = Field(default_factory=list)
    levers: list[LeverThreat] = Field(default_factory=list)


class Round(_Model):
    """One step of the sequence: ``talks`` (predicted and actual deal) or ``escalation``
    (threats that become the next talks' no-deal outcome)."""

    name: str = Field(pattern=NAME)
    label: str = ""
    date: dt.date
    kind: Literal["talks", "escalation"] = "talks"
    agenda: list[str] | None = None
    threats: Threats = Field(default_factory=Threats)
    actual: dict[str, Any] | None = None
    actual_note: str = ""
    sources: list[str] = Field(default_factory=list)
    extension: Extension | None = None


UNCERTAIN_PATHS = (
    "parties.<party>.capability",
    "parties.<party>.factions.<faction>.weight",
    "parties.<party>.factions.<faction>.salience",
    "parties.<party>.factions.<faction>.terms.<k>.coef",
)


class UncertainPreference(_Model):
    """A declared uncertain preference: uniform(low, high), triangular(low, mode, high) or
    lognormal(median, sigma).

    ``parameter`` is one of ``parties.<party>.capability`` (relative clout),
    ``parties.<party>.factions.<faction>.weight`` (the weights of a party are scaled to sum
    to 1 after the draw), ``parties.<party>.factions.<faction>.salience`` (a factor on the
    saliences derived from the faction's utilities) or
    ``parties.<party>.factions.<faction>.terms.<k>.coef`` (term k, from 0).
    """

    parameter: str
    distribution: Literal["uniform", "triangular", "lognormal"]
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    median: float | None = Field(None, gt=0)
    sigma: float | None = Field(None, gt=0)
    note: str = ""

    @model_validator(mode="after")
    def _check(self) -> UncertainPreference:
        need = {"uniform": ("low", "high"), "triangular": ("low", "mode", "high"), "lognormal": ("median", "sigma")}
        missing = [k for k in need[self.distribution] if getattr(self, k) is None]
        if missing:
            raise ValueError(f"{self.distribution} distribution needs {', '.join(missing)}")
        if self.distribution != "lognormal" and not self.low < self.high:  # type: ignore[operator]
            raise ValueError(f"bounds reversed or equal: low {self.low} must be below high {self.high}")
        if self.distribution == "triangular" and not self.low <= self.mode <= self.high:  # type: ignore[operator]
            raise ValueError(f"mode {self.mode} must lie within [low, high]")
        return self

    def ppf(self, u: Any) -> Any:
        """Inverse CDF: uniforms in [0, 1) to values."""
        from scipy import stats

        if self.distribution == "uniform":
            return stats.uniform(self.low, self.high - self.low).ppf(u)  # type: ignore[operator]
        if self.distribution == "triangular":
            w = self.high - self.low  # type: ignore[operator]
            return stats.triang((self.mode - self.low) / w, self.low, w).ppf(u)  # type: ignore[operator]
        return stats.lognorm(self.sigma, scale=self.median).ppf(u)


class Spec(_Model):
    name: str = ""
    description: str = ""
    scenario: str | None = Field(None, description="scenario YAML, relative to this file")
    runs: int = Field(1, ge=1, le=1000)
    seed: int = Field(0, ge=0)
    period_days: float = Field(30.0, gt=0, le=3650)
    deadline_steps: int = Field(12, ge=1, le=1000)
    first_mover: str | None = None
    max_packages: int = Field(20000, ge=1)
    compare_exclude: list[str] = Field(default_factory=list)
    draws: int = Field(1000, ge=2, le=100000, description="draws of the uncertain preferences (stakeholder ensemble)")
    uncertain: list[UncertainPreference] = Field(default_factory=list)
    levers: dict[str, Lever] = Field(default_factory=dict)
    issues: list[Issue] = Field(default_factory=list)
    parties: dict[str, Party]
    rounds: list[Round] = Field(min_length=1)

    # set by load_spec
    source_path: str | None = Field(None, exclude=True)
    _marks: dict[PathKey, Location] = {}

    def locate(self, path: PathKey) -> Location | tuple[None, None]:
        return locate(self._marks, path)

    @property
    def party_names(self) -> list[str]:
        return list(self.parties)

    def issue(self, name: str) -> Issue:
        for i in self.issues:
            if i.name == name:
                return i
        raise KeyError(name)

    def resolve_issues(self, names: list[str]) -> list[str]:
        """Issue names for a list of issue names or topics (unknown ones raise KeyError)."""
        out: list[str] = []
        for n in names:
            hits = [i.name for i in self.issues if i.name == n or n in i.topics]
            if not hits:
                raise KeyError(n)
            out += [h for h in hits if h not in out]
        return out


# ----------------------------------------------------------------------------------------
# Loading with located errors
# ----------------------------------------------------------------------------------------
def _problem(spec_src: str, marks: dict[PathKey, Location], path: PathKey, msg: str) -> Problem:
    line, col = locate(marks, path)
    return Problem(spec_src, msg, line, col, field=format_path(path) or None)


def load_spec(path: str | Path) -> Spec:
    """Read and validate a negotiation spec (structure only; see :func:`check_spec`)."""
    data, marks, _ = read_yaml_file(path)
    return spec_from_data(data, marks, str(path))


def spec_from_data(data: Any, marks: dict[PathKey, Location] | None = None, source: str = "<spec>") -> Spec:
    marks = marks or {}
    if not isinstance(data, dict):
        raise InputError(Problem(source, "expected a YAML mapping of negotiation fields", 1, 1))
    try:
        spec = Spec.model_validate({**data, "source_path": source if source[:1] != "<" else None})
    except ValidationError as exc:
        raise InputError(validation_problems(exc, marks, source)) from None
    spec._marks = marks
    problems = _structural_problems(spec, source, marks)
    if problems:
        raise InputError(problems)
    return spec


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
        for k, t in enumerate(r.threats.levers):
            if t.lever not in spec.levers:
                add(("rounds", j, "threats", "levers", k, "lever"), f"unknown lever {t.lever!r}")
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
