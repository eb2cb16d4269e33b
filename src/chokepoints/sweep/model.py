"""The sweep file: base scenario(s), a design, runs per point and the indicators to keep.

A sweep file is YAML, validated into typed objects; every problem is reported like a
scenario's, ``file:line:column: field 'design.factors[1].values': <what was expected>``::

    name: licensing-grid
    scenarios: [cn-rare-earth-licensing-2025-04]   # bundled names or paths (relative to this file)
    seed: 7
    runs: 50                       # runs per point (each point is one scenario variant)
    design:
      type: factorial              # factorial | latin_hypercube | sobol | exporter_product | sobol_indices
      factors:
        - parameter: events.apr_licensing.approval_rate
          values: [0.1, 0.25, 0.5]
        - parameter: world.inventories.target_days
          where: {holder: "USA.automotive_*"}
          values: [30, 60, 90]
    indicators: [shortfall_day, output_lost_units, output_lost_usd]
    groups: key_users              # key_users | all | a list of {region, end_use}
    max_memory: 256MiB             # memory of one chunk of runs (sets the chunk size)

Designs:

* ``factorial``: every combination of the listed values of scenario fields (points =
  product of the numbers of values), for every base scenario.
* ``latin_hypercube`` / ``sobol``: ``points`` draws of the declared ``parameters`` (the
  distributions of a scenario's ``uncertain`` list) by Latin hypercube (McKay et al. 1979) or
  a scrambled Sobol sequence (scipy.stats.qmc), each uniform u mapped by the inverse CDF.
* ``exporter_product``: for a World, one point per (exporter region, product) it ships to
  another region: an ``export_control`` event (``mode`` ban by default) added to the base scenario.

* ``sobol_indices``: Saltelli's sample for Sobol indices (:mod:`chokepoints.sensitivity`) of
  the one base scenario's declared ``uncertain`` parameters: ``base_samples`` N (a power of two)
  gives N (D + 2) runs of one point, each run with its own row of the sample; ``runs`` is ignored.
  ``chokepoints sensitivity SCENARIO --sweep`` writes and runs this design.

A parameter path is a scenario field: ``events.<id>.<field>``, ``engine.<name>``, a top-level
field such as ``horizon_days``, or ``world.<table>.<column>`` (with ``where``) for the World
columns that can vary per run. A design value fixes the field in every run of its point
(a declared uncertain parameter on the same path is dropped; the others still vary per run).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import InputError, Problem
from ..scenario.uncertainty import UncertainParameter
from ..yamlio import Location, PathKey, load_yaml_with_marks, locate, read_yaml_file, validation_problems

Indicator = Literal["shortfall_day", "output_lost_units", "output_lost_usd"]
INDICATORS: tuple[Indicator, ...] = ("shortfall_day", "output_lost_units", "output_lost_usd")
DESIGN_TYPES = ("factorial", "latin_hypercube", "sobol", "exporter_product", "sobol_indices")


def _check_path(text: str) -> str:
    parts = text.split(".")
    if parts[0] == "world":
        from ..scenario.params import ParameterRef

        ParameterRef.parse(text)  # ValueError names the columns that can vary
    elif parts[0] == "events" and len(parts) != 3:
        raise ValueError(f"expected events.<id>.<field>, got {text!r}")
    elif parts[0] == "engine" and len(parts) != 2:
        raise ValueError(f"expected engine.<name>, got {text!r}")
    elif parts[0] not in ("world", "events", "engine") and len(parts) != 1:
        raise ValueError(
            f"unknown parameter path {text!r}; expected events.<id>.<field>, engine.<name>, "
            "world.<table>.<column> or a top-level scenario field"
        )
    return text


class Factor(BaseModel):
    """One field of the scenario and the values a factorial design gives it."""

    model_config = ConfigDict(extra="forbid")
    parameter: str
    where: dict[str, str | list[str]] = Field(default_factory=dict)
    values: list[Any] = Field(min_length=1)

    @field_validator("parameter")
    @classmethod
    def _path(cls, v: str) -> str:
        return _check_path(v)


class Factorial(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["factorial"]
    factors: list[Factor] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Factorial:
        keys = [(f.parameter, json.dumps(f.where, sort_keys=True)) for f in self.factors]
        if len(set(keys)) != len(keys):
            raise ValueError("a parameter (with the same 'where') is listed twice")
        return self


class Sampled(BaseModel):
    """``points`` draws of the declared distributions (Latin hypercube or scrambled Sobol)."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["latin_hypercube", "sobol"]
    points: int = Field(ge=1, le=10_000_000)
    parameters: list[UncertainParameter] = Field(min_length=1)

    @model_validator(mode="after")
    def _paths(self) -> Sampled:
        for p in self.parameters:
            _check_path(p.parameter)
        return self


class ExporterProduct(BaseModel):
    """One point per (exporter, product) the World ships across a border: an export control added."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["exporter_product"]
    exporters: list[str] | None = None
    products: list[str] | None = None
    mode: Literal["ban", "licence"] = "ban"
    approval_rate: float = Field(0.0, ge=0, le=1)
    review_days: float = Field(0.0, ge=0)


class SobolIndices(BaseModel):
    """Saltelli's sample (SALib, first and total order) of the base scenario's declared unknowns."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["sobol_indices"]
    base_samples: int = Field(ge=2, le=2**24)

    @field_validator("base_samples")
    @classmethod
    def _power_of_two(cls, v: int) -> int:
        if v & (v - 1):
            raise ValueError(f"must be a power of two, got {v}")
        return v


Design = Annotated[Factorial | Sampled | ExporterProduct | SobolIndices, Field(discriminator="type")]


class Group(BaseModel):
    model_config = ConfigDict(extra="forbid")
    region: str
    end_use: str


class SweepFile(BaseModel):
    """A sweep: what to vary, how often to run each point, and what to keep."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    scenarios: list[str] = Field(min_length=1)
    design: Design
    runs: int = Field(1, ge=1, le=10_000_000, description="runs per point")
    seed: int = Field(0, ge=0)
    indicators: list[Indicator] = Field(default_factory=lambda: list(INDICATORS), min_length=1)
    groups: Literal["key_users", "all"] | list[Group] = "key_users"
    max_memory: str | int = "256MiB"
    series: bool = Field(True, description="keep the mean output ratio per day of each point (for compare)")

    source_path: str | None = Field(None, exclude=True)
    _marks: dict[PathKey, Location] = {}

    @field_validator("scenarios")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("a scenario is listed twice")
        return v

    @model_validator(mode="after")
    def _one_base_for_indices(self) -> SweepFile:
        if self.design.type == "sobol_indices" and len(self.scenarios) != 1:
            raise ValueError("a sobol_indices design needs exactly one scenario")
        return self

    @field_validator("max_memory")
    @classmethod
    def _memory(cls, v: str | int) -> str | int:
        parse_bytes(v)
        return v

    @property
    def memory_bytes(self) -> int:
        return parse_bytes(self.max_memory)

    def locate(self, path: PathKey) -> Location | tuple[None, None]:
        return locate(self._marks, path)

    def scenario_paths(self) -> list[Path]:
        """The base scenarios' files (names resolved in the library, paths against this file's folder)."""
        from ..scenario.library import scenario_path

        out = []
        for i, ref in enumerate(self.scenarios):
            cand: str | Path = ref
            if self.source_path and ("/" in ref or ref.endswith((".yaml", ".yml"))):
                p = Path(self.source_path).parent / ref
                cand = p if p.exists() else ref
            try:
                out.append(scenario_path(cand))
            except InputError as exc:
                line, col = self.locate(("scenarios", i))
                msg = exc.problems[0].message if exc.problems else "not found"
                raise InputError(
                    Problem(self.source_path or "<sweep>", f"{ref!r}: {msg}", line, col, field=f"scenarios[{i}]")
                ) from None
        return out

    def canonical(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    # -- construction -------------------------------------------------------------------
    @classmethod
    def from_yaml(cls, path: str | Path) -> SweepFile:
        data, marks, _ = read_yaml_file(path)
        return cls._from_data(data, marks, str(path))

    @classmethod
    def from_yaml_text(cls, text: str, source: str = "<string>") -> SweepFile:
        data, marks = load_yaml_with_marks(text, source)
        return cls._from_data(data, marks, source)

    @classmethod
    def _from_data(cls, data: Any, marks: dict[PathKey, Location], source: str) -> SweepFile:
        if not isinstance(data, dict):
            raise InputError(Problem(source, "expected a YAML mapping of sweep fields", 1, 1))
        try:
            sw = cls.model_validate({**data, "source_path": source if source[:1] != "<" else None})
        except ValidationError as exc:
            raise InputError(
                validation_problems(exc, marks, source, clean_loc=_clean_loc, union_noun="design")
            ) from None
        sw._marks = marks
        return sw


def _clean_loc(loc: tuple[Any, ...]) -> PathKey:
    """Drop pydantic's union tag: ``('design', 'factorial', 'factors', 0)`` -> ``design.factors[0]``."""
    return tuple(p for i, p in enumerate(loc) if not (i == 1 and loc[0] == "design" and p in DESIGN_TYPES))


def parse_bytes(v: str | int) -> int:
    """``"256MiB"`` -> 268435456 (the engine's size rule, :func:`chokepoints.engine.simulate.parse_bytes`);
    at least 1 MiB. ValueError otherwise (pydantic reports it at the field)."""
    from ..engine.simulate import parse_bytes as engine_parse_bytes

    try:
        n = engine_parse_bytes(v)
    except InputError:
        raise ValueError(f"expected a size such as 256MiB or 2GB, got {v!r}") from None
    if n is None or n < 2**20:
        raise ValueError(f"max_memory must be at least 1MiB, got {v!r}")
    return n


def sweep_id(spec: SweepFile, scenario_hashes: list[str]) -> str:
    """The sweep's id: its name and the first 10 hex digits of SHA-256 over the canonical sweep
    file and the base scenarios' hashes (the same file on the same scenarios resumes the same sweep)."""
    text = json.dumps({"sweep": spec.canonical(), "scenarios": scenario_hashes}, sort_keys=True)
    return f"{spec.name}-{hashlib.sha256(text.encode()).hexdigest()[:10]}"
