"""``chokepoints backtest SCENARIO`` and ``chokepoints calibrate SCENARIO``: the model against history."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import (
    SCENARIO_HELP,
    console,
    fail,
    out_dir_for,
    out_option,
    report_input_error,
    resolve_scenario,
    runs_option,
    scenario_argument,
    seed_option,
)


def _fmt(v) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return "—" if v != v else f"{v:,.4g}"
    return str(v)


def _print_tables(table, summ, title: str) -> None:
    from rich.table import Table

    from ..backtest.report import observation_columns

    obs = observation_columns(table)
    t = Table(title=title, header_style="bold")
    for c in obs.columns:
        t.add_column(c, justify="left" if c in ("series", "role", "geography", "period", "unit") else "right")
    for row in obs.itertuples(index=False):
        t.add_row(*[_fmt(v) for v in row])
    console.print(t)
    s = Table(title="Per series", header_style="bold")
    for c in summ.columns:
        s.add_column(c, justify="left" if c in ("series", "role") else "right")
    for row in summ.itertuples(index=False):
        s.add_row(*[_fmt(v) for v in row])
    console.print(s)


def _run_of(res) -> dict:
    """The seed and number of runs of a back-test's ensemble (for the report's provenance)."""
    return {"seed": res.provenance.get("seed"), "runs": res.data.sizes["run"]}


def _prepare(scenario: Path, observed: Path | None, runs: int | None, seed: int | None):
    from ..backtest import backtest_spec_of, confront, simulate_for_backtest
    from ..datasets.observations import load_observations
    from ..runner import load_inputs

    path_in = resolve_scenario(scenario)
    sc, world = load_inputs(path_in)
    spec = backtest_spec_of(sc)
    obs = load_observations(observed if observed is not None else spec.observed)
    with console.status(f"simulating {sc.name} ({runs or sc.runs} runs)"):
        res = simulate_for_backtest(world, sc, runs=runs, seed=seed)
    conf = confront(res.data, spec, sc.start, obs, where=str(path_in))
    return path_in, sc, world, spec, obs, res, conf


def backtest(
    scenario: Annotated[Path, scenario_argument(SCENARIO_HELP + ", with a 'backtest:' block")],
    observed: Annotated[
        Path | None,
        typer.Option("--observed", help="Observations table (bundled name or folder); default: the scenario's"),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table (default) or csv (on stdout)")] = "table",
    runs: Annotated[int | None, runs_option()] = None,
    seed: Annotated[int | None, seed_option()] = None,
    out: Annotated[Path | None, out_option()] = None,
) -> None:
    """Observed value, model median and 5-95 % band, log error per period; share inside the band."""
    from ..backtest import CSV_COLUMNS, summary
    from ..backtest.report import write_backtest_report
    from ..errors import InputError

    if fmt not in ("table", "csv"):
        fail(f"--format: expected table or csv, got {fmt!r}")
    try:
        path_in, sc, world, spec, obs, res, conf = _prepare(scenario, observed, runs, seed)
        table = conf.table()
    except InputError as exc:
        report_input_error(exc)
    summ = summary(table)
    if fmt == "csv":
        out_df = table[CSV_COLUMNS].copy()
        out_df["fitted"] = out_df["fitted"].map({True: "true", False: "false"})
        typer.echo(out_df.to_csv(index=False), nl=False)
        return
    _print_tables(table, summ, f"Back-test of {sc.name} against {obs.name} ({res.data.sizes['run']} runs)")
    for s in conf.skipped:
        console.print(f"[dim]not scored: {s}[/]", highlight=False)
    path = write_backtest_report(
        out_dir_for(path_in, out) / "backtest.html", sc, world, spec, obs, table, summ, conf.skipped, **_run_of(res)
    )
    console.print(f"report: {path}")


def _calibration(method, path_in, sc, world, spec, obs, conf, res, fit_s, tolerance, min_accept, generations, seed):
    """ABC rejection on the prior runs, or ABC-SMC from them (simulating each generation)."""
    from ..backtest import abc_rejection, abc_smc, confront, simulate_for_backtest

    samples = res.data["samples"].values
    labels = res.data["parameter"].values.tolist()
    eps = tolerance or spec.tolerance
    if method == "rejection":
        return abc_rejection(conf, samples, labels, fit_s, spec.hold_out, eps, min_accept)
    roles = conf.rows["role"].to_numpy()

    def simulate_and_confront(theta):
        with console.status(f"ABC-SMC: simulating {len(theta)} runs"):
            r = simulate_for_backtest(world, sc, samples=theta)
        c = confront(r.data, spec, sc.start, obs, where=str(path_in))
        c.rows["role"] = roles
        return c

    return abc_smc(
        conf,
        samples,
        labels,
        list(sc.uncertain),
        simulate_and_confront,
        fit_s,
        spec.hold_out,
        eps,
        min_accept=min_accept,
        generations=generations,
        seed=(sc.seed or 0) if seed is None else seed,
    )


def calibrate(
    scenario: Annotated[Path, scenario_argument(SCENARIO_HELP + ", with a 'backtest:' block")],
    fit: Annotated[
        list[str] | None, typer.Option("--fit", help="Series to fit (default: the scenario's 'fit')")
    ] = None,
    hold_out: Annotated[
        list[str] | None, typer.Option("--hold-out", help="Series to score out of sample (default: the scenario's)")
    ] = None,
    tolerance: Annotated[
        float | None,
        typer.Option("--tolerance", min=0, help="ABC tolerance on max |log error| (default: the scenario's)"),
    ] = None,
    min_accept: Annotated[int, typer.Option("--min-accept", min=1, help="Accept at least this many runs")] = 10,
    method: Annotated[
        str, typer.Option("--method", help="smc (ABC-SMC, default) or rejection (ABC rejection on the prior runs)")
    ] = "smc",
    generations: Annotated[
        int, typer.Option("--generations", min=1, help="ABC-SMC: at most this many generations after the prior")
    ] = 8,
    observed: Annotated[Path | None, typer.Option("--observed", help="Observations table")] = None,
    write: Annotated[
        Path | None, typer.Option("--write", help="Write the calibrated scenario to this YAML file")
    ] = None,
    runs: Annotated[int | None, runs_option("Prior draws (default: the scenario's runs)")] = None,
    seed: Annotated[int | None, seed_option()] = None,
    out: Annotated[Path | None, out_option()] = None,
) -> None:
    """ABC-SMC (or rejection) of the declared uncertain parameters on --fit series; score --hold-out after."""
    from rich.table import Table

    from ..backtest import summary, write_calibrated
    from ..backtest.report import prior_posterior_figure, write_backtest_report
    from ..errors import InputError, Problem
    from ..report import Section
    from ..report.html import table_html

    if method not in ("smc", "rejection"):
        fail(f"--method: expected smc or rejection, got {method!r}")
    try:
        path_in, sc, world, spec, obs, res, conf = _prepare(scenario, observed, runs, seed)
        fit_s = list(fit) if fit else list(spec.fit)
        hold_s = list(hold_out) if hold_out else list(spec.hold_out)
        unknown = [s for s in fit_s + hold_s if s not in spec.series]
        if unknown:
            raise InputError(
                Problem(str(path_in), f"no mapping for series {', '.join(unknown)}", field="backtest.series")
            )
        spec = spec.model_copy(update={"fit": fit_s, "hold_out": [s for s in hold_s if s not in fit_s]})
        conf.rows["role"] = conf.rows["series"].map(
            lambda s: "fitted" if s in fit_s else "held-out" if s in hold_s else "unmapped split"
        )
        cal = _calibration(
            method, path_in, sc, world, spec, obs, conf, res, fit_s, tolerance, min_accept, generations, seed
        )
        post_conf = cal.confrontation or conf
        prior_table, post_table = conf.table(), post_conf.table(cal.accepted, error=cal.tolerance_used)
    except InputError as exc:
        report_input_error(exc)
    note = cal.describe()
    console.print(note, highlight=False)
    pt = cal.parameter_table()
    t = Table(title="Prior and posterior of the uncertain parameters", header_style="bold")
    for c in pt.columns:
        t.add_column(c, justify="left" if c == "parameter" else "right", overflow="fold")
    for row in pt.itertuples(index=False):
        t.add_row(*[_fmt(v) for v in row])
    console.print(t)
    summ_prior, summ_post = summary(prior_table), summary(post_table)
    _print_tables(post_table, summ_post, f"Scores with the posterior ensemble ({len(cal.accepted)} runs)")
    sp = Table(title="Per series with the prior ensemble", header_style="bold")
    for c in summ_prior.columns:
        sp.add_column(c)
    for row in summ_prior.itertuples(index=False):
        sp.add_row(*[_fmt(v) for v in row])
    console.print(sp)
    figs = [prior_posterior_figure(cal.prior[:, j], cal.posterior[:, j], lab) for j, lab in enumerate(cal.labels)]
    extra = [
        Section("Calibration", f"<p>{note}.</p>" + table_html(pt), figures=figs),
        Section("Scores with the prior ensemble", table_html(summ_prior)),
    ]
    path = write_backtest_report(
        out_dir_for(path_in, out) / "calibrate.html",
        sc,
        world,
        spec,
        obs,
        post_table,
        summ_post,
        conf.skipped,
        extra=extra,
        kind="calibrate",
        **_run_of(res),
    )
    console.print(f"report: {path}")
    if write is not None:
        try:
            console.print(f"calibrated scenario: {write_calibrated(path_in, cal, write)}")
        except InputError as exc:
            report_input_error(exc)
