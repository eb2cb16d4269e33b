"""``chokepoints validate``: check any input the product reads, whatever its kind, without simulating.

:func:`validate` takes a scenario file or bundled scenario name (engine, tariff, finance or
negotiation scenario, or a negotiation spec), a World folder or a bundled dataset name. It
finds the kind the way ``chokepoints scenarios list`` does (:func:`~chokepoints.scenario.library.command_for`),
runs the checks of the command that would read it (for an engine scenario: the World and every
cross-reference, compiled for two runs; for tariffs: the trade inputs; for finance: a two-run
ensemble; for a negotiation: spec, scenario and World) and returns a one-line summary; every
problem found is raised at once as one :class:`~chokepoints.errors.InputError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, Problem


@dataclass
class Checked:
    """What was validated: its kind (``world``, ``run``, ``tariffs``, ``finance``, ``negotiate``) and a summary."""

    kind: str
    summary: str


def _is_world(text: str) -> Path | str | None:
    from .datasets import list_bundled

    p = Path(text)
    if p.is_dir():
        return p
    if "/" not in text and text in list_bundled():
        return text
    return None


def validate(name_or_path: str | Path) -> Checked:
    """Validate ``name_or_path`` (see the module docstring); InputError with every problem found."""
    text = str(name_or_path)
    world_ref = _is_world(text)
    if world_ref is not None:
        from .world import load_world

        w = load_world(world_ref)
        return Checked(
            "world",
            f"world {w.name!r} v{w.version}: {len(w.tables['regions'])} regions, {len(w.tables['products'])} "
            f"products, {len(w.tables['producers'])} producers, {len(w.tables['sources'])} sources",
        )
    from .negotiation.loader import SUFFIX, spec_path_for
    from .scenario.library import command_for, scenario_path
    from .yamlio import read_yaml_file

    path = scenario_path(text)
    if path.name.endswith(SUFFIX) or path.name.endswith(".negotiation.yml"):
        return _negotiation(path)
    data, _, _ = read_yaml_file(path)
    if not isinstance(data, dict):
        raise InputError(Problem(str(path), "expected a YAML mapping of scenario fields", 1, 1))
    kind = command_for(data, spec_path_for(path).is_file())
    if kind == "negotiate":
        return _negotiation(path)
    if kind == "finance":
        from .finance import simulate_finance
        from .scenario import Scenario

        sc = Scenario.from_yaml(path)
        ds = simulate_finance(sc, runs=2)
        return Checked(
            "finance", f"finance scenario {sc.name!r}: {len(sc.events)} events, {ds.sizes.get('month', 0)} months"
        )
    if kind == "tariffs":
        from .scenario import Scenario
        from .trade.analysis import prepare

        sc = Scenario.from_yaml(path)
        prepare(sc)
        return Checked("tariffs", f"tariff scenario {sc.name!r}: {len(sc.events)} events")
    from .engine.budget import check_memory
    from .runner import load_inputs

    sc, world = load_inputs(path)
    check_memory(world, sc, sc.runs)  # `run` would refuse it: say so now
    return Checked(
        "run",
        f"scenario {sc.name!r}, {len(sc.events)} events, {len(sc.uncertain)} uncertain parameters, "
        f"world {world.name!r} v{world.version}",
    )


def _negotiation(path: Path) -> Checked:
    from .negotiation.loader import load_negotiation

    spec, sc, world = load_negotiation(path)
    return Checked(
        "negotiate",
        f"negotiation {spec.name or sc.name!r}: scenario {sc.name!r}, world {world.name!r} v{world.version}",
    )
