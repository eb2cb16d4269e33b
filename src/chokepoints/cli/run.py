"""``chokepoints validate SCENARIO`` and ``chokepoints run SCENARIO``: check, or simulate and report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import InputError
from ._common import (
    console,
    max_memory_option,
    out_option,
    record_option,
    report_input_error,
    resolve_scenario,
    runs_option,
    scenario_argument,
    seed_option,
)


def validate(scenario: Annotated[Path, scenario_argument()]) -> None:
    """Check a scenario file (and the World it names); report every problem."""
    from ..runner import load_inputs

    path = resolve_scenario(scenario)
    try:
        sc, world = load_inputs(path)
    except InputError as exc:
        report_input_error(exc)
    console.print(
        f"[green]ok[/] {scenario}: scenario {sc.name!r}, {len(sc.events)} events, "
        f"{len(sc.uncertain)} uncertain parameters, world {world.name!r} v{world.version}"
    )


def run(
    scenario: Annotated[Path, scenario_argument()],
    out: Annotated[Path | None, out_option()] = None,
    runs: Annotated[int | None, runs_option()] = None,
    seed: Annotated[int | None, seed_option()] = None,
    netcdf: Annotated[bool, typer.Option("--netcdf", help="Also write the full result as result.nc")] = False,
    max_memory: Annotated[str | None, max_memory_option()] = None,
    record: Annotated[str | None, record_option()] = None,
) -> None:
    """Simulate a scenario, print a summary and write an HTML report."""
    from ..runner import run_scenario

    path = resolve_scenario(scenario)
    try:
        names = [r.strip() for r in record.split(",") if r.strip()] if record else None
        run_scenario(
            path, out=out, runs=runs, seed=seed, netcdf=netcdf, console=console, record=names, max_memory=max_memory
        )
    except InputError as exc:
        report_input_error(exc)
