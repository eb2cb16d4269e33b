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
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..datasets.smart import SMART_EPSILON, SMART_SIGMA
from ..errors import InputError, Problem
from ..yamlio import Location, PathKey, locate, read_yaml_file, validation_problems
from .spec_checks import KEEP, _structural_problems

NAME = r"^[A-Za-z][A-Za-z0-9_\-]*$"

EngineIndicator = Literal[
    "output_lost",
    "shortfall_days",
    "controlled_exports_lost",
    "controlled_shipments",
]
LeverIndicator = Literal[
    "tariff_revenue",
    "tariff_buyer_cost",
    "tariff_exports_lost",
    "flow_value",
    "treasury_cost",
]
Indicator = Literal[EngineIndicator, LeverIndicator]
ENGINE_INDICATORS: tuple[str, ...] = get_args(EngineIndicator)
LEVER_INDICATORS: tuple[str, ...] = get_args(LeverIndicator)
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
    steps: int | None = Field(default=None, ge=2, le=201)
    unit: str = ""
    topics: list[str] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)
    default: int | None = Field(default=None, gt=0, description="truce: length used when the issue is off the agenda")
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
            # the validator guarantees low, high and steps for a continuous issue
            assert self.low is not None and self.high is not None and self.steps is not None
            low, high, steps = self.low, self.high, self.steps
            vals: list[Any] = [round(low + (high - low) * i / (steps - 1), 10) for i in range(steps)]
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

    indicator: Indicator
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
    veto_threshold: float | None = Field(default=None, ge=0, le=1)
    capability: float = Field(default=1.0, gt=0, description="relative clout in the stakeholder models (party total)")
    strategy: Literal["boulware", "conceder", "linear", "tit_for_tat"] = "boulware"
    exponent: float | None = Field(default=None, gt=0)
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
    import_value_usd: float | None = Field(default=None, gt=0)
    other_imports_usd: float = Field(default=0.0, ge=0)
    base_rate: float = Field(default=0.0, ge=0, description="percent already paid in the base year")
    eta: float | None = Field(default=None, lt=0)
    sigma: float = Field(default=SMART_SIGMA, gt=0)  # WITS-SMART default (chokepoints.datasets.smart)
    epsilon: float = Field(default=SMART_EPSILON, gt=0)
    usd_per_unit_year: float | None = None
    holder: str | None = None
    target: str | None = None
    months: int = Field(default=12, ge=1, le=600)
    initial: float = 0.0
    schedule: list[LeverStep] = Field(default_factory=list)
    layers: list[str] | None = Field(
        default=None, description="tariff: sum these layers of the scenario's tariff events"
    )
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
    window_days: int = Field(default=30, ge=1)

    @model_validator(mode="after")
    def _needs(self) -> Condition:
        if self.indicator == "shipments_share" and self.exporter is None:
            raise ValueError("shipments_share needs 'exporter'")
        if self.indicator == "output_share" and (self.region is None or self.end_use is None):
            raise ValueError("output_share needs 'region' and 'end_use'")
        return self


class Extension(_Model):
    days: int = Field(gt=0)
    max_extensions: int = Field(default=1, ge=0, le=20)
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
    scenario: str | None = Field(default=None, description="scenario YAML, relative to this file")
    runs: int = Field(default=1, ge=1, le=1000)
    seed: int = Field(default=0, ge=0)
    period_days: float = Field(default=30.0, gt=0, le=3650)
    deadline_steps: int = Field(default=12, ge=1, le=1000)
    first_mover: str | None = None
    max_packages: int = Field(default=20000, ge=1)
    compare_exclude: list[str] = Field(default_factory=list)
    draws: int = Field(1000, ge=2, le=100000, description="draws of the uncertain preferences (stakeholder ensemble)")
    uncertain: list[UncertainPreference] = Field(default_factory=list)
    levers: dict[str, Lever] = Field(default_factory=dict)
    issues: list[Issue] = Field(default_factory=list)
    parties: dict[str, Party]
    rounds: list[Round] = Field(min_length=1)

    # set by load_spec
    source_path: str | None = Field(default=None, exclude=True)
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
