"""``chokepoints negotiate SCENARIO.yaml [--exclude ISSUES] [--out DIR]``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import InputError
from ._common import (
    SCENARIO_HELP,
    console,
    out_option,
    report_input_error,
    resolve_scenario,
    runs_option,
    scenario_argument,
    seed_option,
)


def negotiate(
    scenario: Annotated[
        Path,
        scenario_argument(SCENARIO_HELP + " (its spec <stem>.negotiation.yaml sits next to it), or the spec itself"),
    ],
    exclude: Annotated[
        str | None,
        typer.Option(
            "--exclude",
            help="Comma-separated issues or topics to keep off the table; the report "
            "compares with the full agenda (default: the spec's compare_exclude)",
        ),
    ] = None,
    spec: Annotated[
        Path | None, typer.Option("--spec", help="Negotiation spec (default: next to the scenario)")
    ] = None,
    out: Annotated[Path | None, out_option()] = None,
    runs: Annotated[int | None, runs_option("Override the spec's runs")] = None,
    seed: Annotated[int | None, seed_option("Override the spec's seed")] = None,
    negmas: Annotated[bool, typer.Option("--negmas", help="Also run each round in NegMAS (optional, AGPL)")] = False,
    netcdf: Annotated[
        bool, typer.Option("--netcdf", help="Also write the result as negotiation.nc (res.to_dataset())")
    ] = False,
) -> None:
    """Predict the deal of each round of talks from simulated stakes; write negotiation.html.

    Prints the predicted package (Nash bargaining solution), each side's utility and BATNA,
    and the comparison with the excluded issues kept off the table.
    """
    path = resolve_scenario(scenario)
    try:
        _run(path, exclude, spec, out, runs, seed, console, negmas, netcdf)
    except InputError as exc:
        report_input_error(exc)


def _run(
    path: Path,
    exclude: str | None,
    spec_path: Path | None,
    out: Path | None,
    runs: int | None,
    seed: int | None,
    console,
    negmas: bool = False,
    netcdf: bool = False,
) -> None:
    from rich.table import Table

    from ..errors import Problem
    from ..negotiation.analysis import analyse, resolve_exclude
    from ..negotiation.loader import SUFFIX, load_negotiation
    from ..negotiation.negmas_adapter import negmas_available
    from ..negotiation.report import agenda_frame, who_concedes, write_negotiation_report

    spec, sc, world = load_negotiation(path, spec_path)
    excl = None
    if exclude is not None:
        excl = [e.strip() for e in exclude.split(",") if e.strip()]
        if not excl:
            raise InputError(Problem("--exclude", "give issue names or topics separated by commas", field="exclude"))
        resolve_exclude(spec, excl)  # fail fast, before any simulation
    if negmas and not negmas_available():
        raise InputError(Problem("--negmas", "needs the optional package negmas (pip install negmas)"))
    stem = Path(sc.source_path or path).name.removesuffix(SUFFIX).removesuffix(".yaml").removesuffix(".yml")
    from ..engine.budget import check_memory
    from ..outputs import OutputSet, check_out_dir

    check_memory(
        world, sc, spec.runs if runs is None else runs, seed=seed, hint="lower --runs"
    )  # before any simulation
    out_dir = check_out_dir(
        Path(out) if out is not None else Path("out") / stem,
        names=["negotiation.html"] + (["negotiation.nc"] if netcdf else []),
    )
    status = console.status("negotiating", spinner="dots") if console.is_terminal else None
    if status is not None:
        status.start()
    try:
        res = analyse(
            spec,
            sc,
            world,
            exclude=excl,
            runs=runs,
            seed=seed,
            negmas=negmas,
            progress=(lambda m: status.update(f"[bold]negotiating[/] {m}")) if status else None,
        )
    finally:
        if status is not None:
            status.stop()
    a, b = spec.party_names
    table = Table(
        title=f"{spec.name or sc.name}: predicted deal (Nash) and actual outcome per round",
        header_style="bold",
    )
    for col, just in (
        ("round", "left"),
        ("predicted package", "left"),
        (f"{a} utility (BATNA)", "right"),
        (f"{b} utility (BATNA)", "right"),
        ("actual outcome", "left"),
        (f"{a} / {b} actual", "right"),
    ):
        table.add_column(col, justify=just, overflow="fold")
    for r in res.talks:
        i = r.nash
        ua = "—" if i is None else f"{r.U[i, 0]:.3f}"
        ub = "—" if i is None else f"{r.U[i, 1]:.3f}"
        act = r.actual_row
        table.add_row(
            r.ctx.round.label or r.name,
            r.label(i),
            f"{ua} ({r.d[0]:.3f})",
            f"{ub} ({r.d[1]:.3f})",
            r.label(act) if act is not None else "—",
            "—" if act is None else f"{r.U[act, 0]:.3f} / {r.U[act, 1]:.3f}",
        )
    console.print(table)
    last = res.talks[-1]
    console.print(
        f"[bold]Predicted package ({last.ctx.round.label or last.name}):[/] " + last.label(last.nash),
        highlight=False,
    )
    for p_i, p in enumerate(spec.party_names):
        u = "—" if last.nash is None else f"{last.U[last.nash, p_i]:.3f}"
        extra = (
            ""
            if last.rates is None
            else (
                f", delta {last.deltas[p_i]:.3f}/period, "  # type: ignore[index]
                f"loss rate {last.rates[p_i] * 100:.2f} %/day"
            )
        )
        console.print(f"  {p}: utility {u}, BATNA {last.d[p_i]:.3f}{extra}", highlight=False)
    console.print(who_concedes(last), highlight=False, soft_wrap=True)
    ag = agenda_frame(res)
    if len(ag):
        t2 = Table(title="Without " + ", ".join(res.exclude) + " on the table (Nash)", header_style="bold")
        for col in ("round", "party", "BATNA", "full agenda", "without", "change"):
            t2.add_column(col, justify="left" if col in ("round", "party") else "right")
        for row in ag.itertuples(index=False):
            t2.add_row(
                row.round,
                row.party,
                f"{row.BATNA:.3f}",
                f"{row[3]:.3f}",
                f"{row[4]:.3f}",
                f"{row[5]:+.3f}",
            )
        console.print(t2)
    spec_text = Path(spec.source_path).read_text(encoding="utf-8") if spec.source_path else None
    with OutputSet(out_dir) as outs:  # every output or none
        write_negotiation_report(res, outs.stage("negotiation.html"), spec_text)
        if netcdf:
            res.to_dataset().cp.to_netcdf(outs.stage("negotiation.nc"))
    report = outs.final("negotiation.html")
    prov = res.provenance
    console.print(
        f"[dim]scenario hash {prov['scenario_hash']} · "
        f"spec hash {prov['negotiation_spec_hash']} · "
        f"dataset {prov['dataset']} v{prov['dataset_version']} · seed {prov['seed']} · "
        f"{prov['simulations']} simulations · chokepoints {prov['package_version']}[/]"
    )
    console.print(f"report: {report}")
    if netcdf:
        console.print(f"result: {outs.final('negotiation.nc')}")
