"""``chokepoints sensitivity SCENARIO.yaml``: Sobol ranking of the declared unknowns."""

from __future__ import annotations

from pathlib import Path

import typer


def sensitivity(
    scenario: Path = typer.Argument(..., help="Scenario YAML file with at least two uncertain parameters"),
    indicator: str = typer.Option("shortfall_day", "--indicator",
                                  help="shortfall_day, output_lost_units or output_lost_usd"),
    region: str | None = typer.Option(None, "--region", help="Default: the scenario's first key user"),
    end_use: str | None = typer.Option(None, "--end-use", help="Default: the scenario's first key user"),
    samples: int = typer.Option(64, "--samples", help="Saltelli base sample N (power of two); runs = N (D + 2)"),
    seed: int | None = typer.Option(None, "--seed", min=0, help="Override the scenario's seed"),
    out: Path | None = typer.Option(None, "--out", help="Output folder (default out/<scenario stem>)"),
) -> None:
    """Sobol first- and total-order indices (SALib) of an indicator; writes a tornado chart."""
    from rich.table import Table

    from .cli import console, report_input_error
    from .errors import InputError
    from .provenance import provenance
    from .report import Section, write_report
    from .report.html import table_html
    from .runner import load_inputs
    from .sensitivity import sobol, tornado_figure

    try:
        sc, world = load_inputs(scenario)
        res = sobol(world, sc, base_samples=samples, indicator=indicator, region=region, end_use=end_use, seed=seed)
    except InputError as exc:
        report_input_error(exc)
        return
    table = Table(title=f"Sobol indices of {res.indicator} for {res.region} {res.end_use} ({res.runs} runs)",
                  header_style="bold")
    for col in ("rank", "parameter", "ST", "95 % CI", "S1", "95 % CI "):
        table.add_column(col, justify="left" if col == "parameter" else "right", overflow="fold")
    for i, r in enumerate(res.table.itertuples(), start=1):
        table.add_row(str(i), r.parameter, f"{r.ST:.3f}", f"±{r.ST_conf:.3f}", f"{r.S1:.3f}", f"±{r.S1_conf:.3f}")
    console.print(table)
    out_dir = out if out is not None else Path("out") / scenario.stem
    path = write_report(out_dir / "sensitivity.html", f"chokepoints sensitivity: {sc.name}", [
        Section("Sobol indices (tornado)", "<p>Total-order ST (all effects of a parameter, including interactions) "
                "and first-order S1, with bootstrap 95 % intervals (SALib; Saltelli 2010).</p>"
                + table_html(res.table), figures=[tornado_figure(res)])],
        provenance=provenance("sensitivity", scenario=sc, world=world, seed=sc.seed if seed is None else seed,
                              runs=res.runs, indicator=res.indicator, region=res.region, end_use=res.end_use,
                              base_samples=samples))
    console.print(f"report: {path}")
