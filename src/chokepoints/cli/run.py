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


def validate(
    scenario: Annotated[
        str,
        typer.Argument(
            help="Scenario (engine, tariffs, finance or negotiation; a file or a bundled name), negotiation spec, "
            "World folder or bundled dataset name"
        ),
    ],
) -> None:
    """Check a scenario of any kind, a negotiation spec or a World, without simulating; report every problem."""
    from ..validate import validate as check

    try:
        done = check(scenario)
    except InputError as exc:
        report_input_error(exc)
    console.print(f"[green]ok[/] {scenario}: {done.summary}", highlight=False)


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
