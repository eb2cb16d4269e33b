"""``chokepoints sensitivity SCENARIO.yaml``: Sobol ranking of the declared unknowns."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ._common import (
    SCENARIO_HELP,
    console,
    fail,
    out_dir_for,
    out_option,
    report_input_error,
    resolve_scenario,
    scenario_argument,
    seed_option,
)


def sensitivity(
    scenario: Annotated[Path, scenario_argument(SCENARIO_HELP + ", with at least two uncertain parameters")],
    indicator: Annotated[
        str, typer.Option("--indicator", help="shortfall_day, output_lost_units or output_lost_usd")
    ] = "shortfall_day",
    region: Annotated[str | None, typer.Option("--region", help="Default: the scenario's first key user")] = None,
    end_use: Annotated[str | None, typer.Option("--end-use", help="Default: the scenario's first key user")] = None,
    samples: Annotated[
        int, typer.Option("--samples", help="Saltelli base sample N (power of two); runs = N (D + 2)")
    ] = 64,
    seed: Annotated[int | None, seed_option()] = None,
    out: Annotated[Path | None, out_option()] = None,
    as_sweep: Annotated[
        bool,
        typer.Option(
            "--sweep",
            help="Run the sample as a sweep: in chunks on Dask, catalogued, resumed when run again "
            '(needs the "sweep" extra)',
        ),
    ] = False,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="With --sweep: N local worker processes")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="With --sweep: an existing Dask scheduler, tcp://HOST:PORT")
    ] = None,
    sweep_out: Annotated[
        Path, typer.Option("--sweep-out", help="With --sweep: the sweep folder (catalogue.duckdb)")
    ] = Path("out/sweeps"),
) -> None:
    """Sobol first- and total-order indices (SALib) of an indicator; writes a tornado chart.

    With --sweep the N (D + 2) runs go through the sweep runner (chokepoints sweep), so large N
    (10,000+) runs in memory-sized chunks, on several workers, and a killed run resumes."""
    from rich.table import Table

    from ..errors import InputError
    from ..provenance import provenance
    from ..report import Section, write_report
    from ..report.html import table_html
    from ..runner import load_inputs
    from ..sensitivity import WIDE, sobol, sobol_sweep, tornado_figure, widest_interval

    if (workers or scheduler) and not as_sweep:
        fail("--workers and --scheduler need --sweep")
    if workers and scheduler:
        fail("give --workers or --scheduler, not both")
    path_in = resolve_scenario(scenario)
    sweep_note = ""
    try:
        sc, world = load_inputs(path_in)
        _check_names(world, region, end_use)
        opts: dict[str, Any] = {
            "base_samples": samples,
            "indicator": indicator,
            "region": region,
            "end_use": end_use,
            "seed": seed,
        }
        if as_sweep:
            from ..sweep import missing_extra

            msg = missing_extra()
            if msg:
                fail(msg)  # fail() escapes Rich markup
            res, sid = sobol_sweep(str(path_in), out=str(sweep_out), workers=workers, scheduler=scheduler, **opts)
            sweep_note = f"sweep {sid} in {sweep_out / 'catalogue.duckdb'}"
        else:
            res = sobol(world, sc, **opts)
    except InputError as exc:
        report_input_error(exc)
    table = Table(
        title=f"Sobol indices of {res.indicator} for {res.region} {res.end_use} ({res.runs} runs)", header_style="bold"
    )
    for col in ("rank", "parameter", "ST", "95 % CI", "S1", "95 % CI "):
        table.add_column(col, justify="left" if col == "parameter" else "right", overflow="fold")
    for i, r in enumerate(res.table.itertuples(), start=1):
        table.add_row(str(i), r.parameter, f"{r.ST:.3f}", f"±{r.ST_conf:.3f}", f"{r.S1:.3f}", f"±{r.S1_conf:.3f}")
    console.print(table)
    if sweep_note:
        console.print(sweep_note)
    wide = widest_interval(res.table)
    if wide > WIDE:
        console.print(
            f"[yellow]warning:[/] wide confidence intervals (largest 95 % half width ±{wide:.2f} > ±{WIDE}); "
            f"the ranking is uncertain: raise --samples (now {samples}; the half width shrinks about as 1/sqrt(N))"
        )
    out_dir = out_dir_for(path_in, out)
    path = write_report(
        out_dir / "sensitivity.html",
        f"chokepoints sensitivity: {sc.name}",
        [
            Section(
                "Sobol indices (tornado)",
                "<p>Total-order ST (all effects of a parameter, including interactions) "
                "and first-order S1, with bootstrap 95 % intervals (SALib; Saltelli 2010).</p>" + table_html(res.table),
                figures=[tornado_figure(res)],
            )
        ],
        provenance=provenance(
            "sensitivity",
            scenario=sc,
            world=world,
            seed=sc.seed if seed is None else seed,
            runs=res.runs,
            indicator=res.indicator,
            region=res.region,
            end_use=res.end_use,
            base_samples=samples,
        ),
    )
    console.print(f"report: {path}")


def _check_names(world, region: str | None, end_use: str | None) -> None:
    """--region and --end-use must name a region and an end use of the World (with a 'did you mean')."""
    from ..errors import InputError, Problem
    from ..levers.base import choices

    regions = [str(r) for r in world.tables["regions"]["region"]]
    uses = sorted({str(u) for u in world.tables["producers"]["end_use"] if u})
    problems = []
    if region is not None and region not in regions:
        problems.append(Problem("--region", f"unknown region {region!r}{choices(region, regions)}", field="region"))
    if end_use is not None and end_use not in uses:
        problems.append(Problem("--end-use", f"unknown end use {end_use!r}{choices(end_use, uses)}", field="end_use"))
    if problems:
        raise InputError(problems)
