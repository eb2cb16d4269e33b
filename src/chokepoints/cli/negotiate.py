"""``chokepoints negotiate SCENARIO.yaml [--exclude ISSUES] [--out DIR]``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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

if TYPE_CHECKING:
    from rich.console import JustifyMethod


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
    draws: Annotated[
        int | None,
        typer.Option("--draws", min=0, help="Draws of the uncertain preferences (default: the spec's; 0: none)"),
    ] = None,
    score: Annotated[
        bool,
        typer.Option(
            "--score",
            help="Score every stakeholder model against the actual outcomes, leaving one round out",
        ),
    ] = False,
) -> None:
    """Predict the deal of each round of talks from simulated stakes; write negotiation.html.

    Prints the predicted package (Nash bargaining solution), each side's utility and BATNA,
    and the comparison with the excluded issues kept off the table.
    """
    path = resolve_scenario(scenario)
    try:
        _run(path, exclude, spec, out, runs, seed, console, negmas, netcdf, draws, score)
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
    draws: int | None = None,
    score: bool = False,
) -> None:
    from rich.table import Table

    from ..errors import Problem
    from ..negotiation.analysis import analyse
    from ..negotiation.loader import SUFFIX, load_negotiation
    from ..negotiation.negmas_adapter import negmas_available
    from ..negotiation.report import who_concedes, write_negotiation_report

    spec, sc, world = load_negotiation(path, spec_path)
    excl = _exclude_list(spec, exclude)
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
    columns: list[tuple[str, JustifyMethod]] = [
        ("round", "left"),
        ("predicted package", "left"),
        (f"{a} utility (BATNA)", "right"),
        (f"{b} utility (BATNA)", "right"),
        ("actual outcome", "left"),
        (f"{a} / {b} actual", "right"),
    ]
    for col, just in columns:
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
            if last.rates is None or last.deltas is None  # set together
            else (f", delta {last.deltas[p_i]:.3f}/period, loss rate {last.rates[p_i] * 100:.2f} %/day")
        )
        console.print(f"  {p}: utility {u}, BATNA {last.d[p_i]:.3f}{extra}", highlight=False)
    console.print(who_concedes(last), highlight=False, soft_wrap=True)
    _print_agenda(console, res)
    ens = None
    n_draws = spec.draws if draws is None else draws
    if n_draws >= 2 and spec.uncertain:
        ens = _print_forecasts(console, res, world, n_draws, score)
    elif score:
        _print_score(console, res, world, None)
    spec_text = Path(spec.source_path).read_text(encoding="utf-8") if spec.source_path else None
    with OutputSet(out_dir) as outs:  # every output or none
        write_negotiation_report(res, outs.stage("negotiation.html"), spec_text, ensemble=ens)
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


def _fmt(v: float) -> str:
    return f"{v:.3g}"


def _print_forecasts(console, res, world, draws: int, score: bool):
    """Every stakeholder model's predicted package with its band, the agenda comparison with
    bands, the Sobol ranking, and (``score``) the leave-one-round-out scores."""
    import time

    import numpy as np
    from rich.table import Table

    from ..negotiation import forecast as fc

    t0 = time.perf_counter()
    tables = fc.round_tables(res, world)
    ens = fc.ensemble(res, world, draws=draws, tables=tables)
    for rf in ens.rounds:
        t = rf.table
        tab = Table(
            title=f"{t.label}: predicted package per model over {ens.draws} draws of the uncertain preferences",
            header_style="bold",
        )
        tab.add_column("model")
        tab.add_column("most probable package (probability)", overflow="fold")
        tab.add_column("P(point package)", justify="right")
        tab.add_column("median per issue [5-95 %]", overflow="fold")
        tab.add_column("packages in 90 % set", justify="right")
        for m, b in rf.bands.items():
            top, p = b.packages[0]
            per = "; ".join(
                f"{name} {_fmt(b.median[k])} [{_fmt(b.p05[k])}-{_fmt(b.p95[k])}]" for k, name in enumerate(t.agenda)
            )
            tab.add_row(
                m + (" (baseline)" if m == fc.BASELINE else ""),
                f"{rf.describe(top)} ({p:.0%})",
                f"{b.probability(b.point):.0%}",
                per,
                str(len(b.set90)),
            )
        console.print(tab)
        if rf.agenda_gain is not None:
            g = rf.agenda_gain
            tab2 = Table(
                title=f"{t.label}: without {', '.join(t.excluded)} on the table (Nash), median [5-95 %] over the draws",
                header_style="bold",
            )
            for col in ("party", "full agenda", "restricted", "change", "P(change > 0)"):
                tab2.add_column(col, justify="left" if col == "party" else "right")
            for p_i, party in enumerate(res.spec.party_names):
                cells = []
                for row in range(3):
                    q = np.percentile(g[:, row, p_i], [50, 5, 95])
                    cells.append(
                        f"{q[0]:+.3f} [{q[1]:+.3f}, {q[2]:+.3f}]"
                        if row == 2
                        else f"{q[0]:.3f} [{q[1]:.3f}, {q[2]:.3f}]"
                    )
                tab2.add_row(party, *cells, f"{(g[:, 2, p_i] > 1e-12).mean():.0%}")
            console.print(tab2)
    sob = fc.sobol_ranking(res, world, tables=tables)
    if sob:
        tab3 = Table(
            title=f"Which assumptions decide the prediction ({ens.rounds[-1].table.label}): Sobol total index",
            header_style="bold",
        )
        tab3.add_column("uncertain preference")
        for m in sob:
            tab3.add_column(m, justify="right")
        order = sorted(ens.paths, key=lambda path: -max(sob[m][path][1] for m in sob))
        for path in order:
            tab3.add_row(path, *(f"{sob[m][path][1]:.2f}" for m in sob))
        console.print(tab3)
    if score:
        _print_score(console, res, world, ens, tables)
    console.print(f"[dim]stakeholder ensemble: {ens.draws} draws in {time.perf_counter() - t0:.1f} s[/]")
    return ens


def _print_score(console, res, world, ens, tables=None) -> None:
    from rich.table import Table

    from ..negotiation import forecast as fc
    from ..negotiation import scoring

    sc = scoring.score(res, world, ens, tables=tables)
    rounds = list(dict.fromkeys(r.round for r in sc.rows))
    tab = Table(
        title="Out-of-sample error per round (leave one round out; mean |predicted - actual| on [0, 1] issue scales)",
        header_style="bold",
    )
    tab.add_column("model")
    for r in rounds:
        tab.add_column(r, justify="right")
    tab.add_column("overall", justify="right")
    tab.add_column("vs compromise", justify="right")
    tab.add_column("exact hits", justify="right")
    tab.add_column("actual in 90 % set", justify="right")
    base = sc.overall(fc.BASELINE)
    for m in sc.models:
        cells = []
        for r in rounds:
            row = next(x for x in sc.rows if x.model == m and x.round == r)
            cells.append(f"{row.error:.3f}")
        h, n = sc.hits(m)
        sh, sn = sc.set_hits(m)
        tab.add_row(
            m + (" (baseline)" if m == fc.BASELINE else ""),
            *cells,
            f"{sc.overall(m):.3f}",
            f"{sc.overall(m) - base:+.3f}",
            f"{h}/{n}",
            f"{sh}/{sn}" if sn else "—",
        )
    console.print(tab)
    past = scoring.past_rounds()
    scen = res.scenario.name
    mine = past[past["scored_by"] == scen]
    console.print(
        f"Past rounds on record (sourced, negotiation/data/us_china_rounds.csv): {len(past)}, of which "
        f"{len(mine)} are simulated by {scen} and scored here ({', '.join(mine['round'])}); the others "
        "(2018-2020, Phase One, escalations) have no simulation in this scenario.",
        highlight=False,
    )
    best = sc.best()
    console.print(
        f"Best out of sample: {best} (overall error {sc.overall(best):.3f} against {base:.3f} for the compromise "
        f"baseline, {len(rounds)} rounds). Tuned per held-out round: the US share of capability "
        f"(grid {fc.THETA_GRID[0]}-{fc.THETA_GRID[-1]}).",
        highlight=False,
    )


def _print_agenda(console, res) -> None:
    """The comparison with the excluded issues kept off the table (Nash), when some are."""
    from rich.table import Table

    from ..negotiation.report import agenda_frame

    ag = agenda_frame(res)
    if not len(ag):
        return
    t2 = Table(title="Without " + ", ".join(res.exclude) + " on the table (Nash)", header_style="bold")
    for col in ("round", "party", "BATNA", "full agenda", "without", "change"):
        t2.add_column(col, justify="left" if col in ("round", "party") else "right")
    for row in ag.itertuples(index=False):
        t2.add_row(row.round, row.party, f"{row.BATNA:.3f}", f"{row[3]:.3f}", f"{row[4]:.3f}", f"{row[5]:+.3f}")
    console.print(t2)


def _exclude_list(spec, exclude: str | None) -> list[str] | None:
    """``--exclude a,b`` as a list, checked against the spec before any simulation."""
    from ..errors import Problem
    from ..negotiation.analysis import resolve_exclude

    if exclude is None:
        return None
    excl = [e.strip() for e in exclude.split(",") if e.strip()]
    if not excl:
        raise InputError(Problem("--exclude", "give issue names or topics separated by commas", field="exclude"))
    resolve_exclude(spec, excl)
    return excl
