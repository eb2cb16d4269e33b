"""Find and load a negotiation: the scenario, its spec next to it, and the World."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..scenario import Scenario
from ..scenario.library import scenario_path as _scenario_path
from .domain import check_spec
from .spec import Spec, load_spec

SUFFIX = ".negotiation.yaml"


def spec_path_for(scenario_path: str | Path) -> Path:
    """``scenarios/x.yaml`` -> ``scenarios/x.negotiation.yaml``."""
    p = Path(scenario_path)
    return p.with_name(p.name.removesuffix(".yaml").removesuffix(".yml") + SUFFIX)


def load_negotiation(path: str | Path, spec_path: str | Path | None = None) -> tuple[Spec, Scenario, Any]:
    """Load (spec, scenario, world) from a scenario file (its spec sits next to it as
    ``<stem>.negotiation.yaml``, or is given) or from a spec file naming its scenario.

    ``path`` may also be a bundled scenario's name (``us-china-talks-2025``): it is resolved to
    the bundled file first, and the spec is looked for next to that file."""
    from ..runner import load_inputs

    path = _scenario_path(path)
    if spec_path is None and path.name.endswith(SUFFIX):
        spec = load_spec(path)
        if spec.scenario is None:
            line, col = spec.locate(())
            raise InputError(
                Problem(
                    str(path),
                    "a negotiation spec given alone needs 'scenario' (the scenario YAML, relative to the spec)",
                    line,
                    col,
                    field="scenario",
                )
            )
        scenario_path = path.parent / spec.scenario
    else:
        scenario_path = path
        sp = Path(spec_path) if spec_path is not None else spec_path_for(path)
        if not sp.is_file():
            raise InputError(
                Problem(
                    str(sp),
                    f"no negotiation spec for {path.name}: expected {sp.name} next to the scenario (or give --spec)",
                )
            )
        spec = load_spec(sp)
    if not Path(scenario_path).is_file():
        line, col = spec.locate(("scenario",))
        raise InputError(
            Problem(
                spec.source_path or str(path),
                f"scenario file not found: {scenario_path}",
                line,
                col,
                field="scenario",
            )
        )
    scenario, world = load_inputs(scenario_path)
    check_spec(spec, scenario, world)
    return spec, scenario, world
