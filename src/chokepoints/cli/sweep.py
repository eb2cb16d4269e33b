"""``chokepoints sweep``, ``chokepoints results list|show|query|export`` and ``chokepoints compare``.

All three need the ``sweep`` extra (Dask, DuckDB, pyarrow); without it they print one line
naming the extra and exit 2. Dask and DuckDB are imported inside the commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import InputError
from ._common import console, fail, report_input_error

SWEEP_OUT = Path("out/sweeps")

results_app = typer.Typer(
    help="The sweep catalogue: list, show, query (read-only SQL) and export results.", no_args_is_help=True
)


def _need_extra() -> None:
    from ..sweep import missing_extra

    msg = missing_extra()
    if msg:
        fail(msg)  # fail() escapes Rich markup


def _out_option(help: str = "Sweep folder holding catalogue.duckdb and the Parquet files") -> object:
    return typer.Option("--out", help=help)


def _print_frame(df, title: str | None = None, max_rows: int = 60) -> None:
    from rich.table import Table

    table = Table(title=title, header_style="bold")
    for c in df.columns:
        table.add_column(str(c), justify="right" if df[c].dtype.kind in "iuf" else "left", overflow="fold")
    for row in df.head(max_rows).itertuples(index=False):
        table.add_row(*[_fmt(v) for v in row])
    console.print(table)
    if len(df) > max_rows:
        console.print(f"({len(df) - max_rows} more rows; use `results export` or a LIMIT)")


def _fmt(v: object) -> str:
    if isinstance(v, float):
        if v != v:
            return "—"
        return f"{v:,.4g}" if abs(v) < 1e6 else f"{v:.4g}"
    return str(v)


def sweep(
    sweep_file: Annotated[Path, typer.Argument(help="Sweep YAML file (see docs/sweeps.md)")],
    workers: Annotated[int | None, typer.Option("--workers", min=1, help="Run on N local worker processes")] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Address of an existing Dask scheduler, tcp://HOST:PORT")
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Finish an interrupted sweep: run unfinished chunks")
    ] = False,
    out: Annotated[Path, _out_option("Sweep folder (catalogue.duckdb and Parquet files)")] = SWEEP_OUT,
) -> None:
    """Run a sweep of scenario variants in chunks on Dask; catalogue every chunk as it finishes."""
    _need_extra()
    if workers and scheduler:
        fail("give --workers or --scheduler, not both")
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ..sweep.execute import prepare, run_sweep

    try:
        ex, sid = prepare(sweep_file)
        runs = ex.runs
        console.print(
            f"sweep {sid}: {len(ex.points)} point(s) x {ex.runs_per_point} run(s) = {runs:,} runs "
            f"in {len(ex.chunks)} chunk(s)"
        )
        cols = (TextColumn("[bold]chunks[/]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*cols, console=console, transient=True, disable=not console.is_terminal) as bar:
            task = bar.add_task("sweep", total=len(ex.chunks))
            res = run_sweep(
                sweep_file,
                out,
                workers=workers,
                scheduler=scheduler,
                resume=resume,
                prepared=(ex, sid),
                progress=lambda d, t: bar.update(task, completed=d),
            )
    except InputError as exc:
        report_input_error(exc)
    console.print(
        f"done: {res.computed} chunk(s) computed, {res.skipped} already done, {res.failed} failed; "
        f"{res.runs:,} runs in {res.seconds:.1f} s"
    )
    console.print(f"catalogue: {out / 'catalogue.duckdb'} (chokepoints results show {sid} --out {out})")
    if res.failed:
        raise typer.Exit(1)


@results_app.command("list")
def results_list(out: Annotated[Path, _out_option()] = SWEEP_OUT) -> None:
    """Every sweep in the catalogue with its chunks done."""
    _need_extra()
    from ..sweep.catalogue import read_only_query

    try:
        df = read_only_query(
            out,
            "select s.sweep_id, s.name, s.design, s.points, s.runs_per_point, "
            "count(*) filter (where c.status = 'done') as chunks_done, s.chunks, "
            "strftime(s.created, '%Y-%m-%d %H:%M:%S') as created from sweeps s "
            "left join chunks c using (sweep_id) group by all order by created",
        )
    except InputError as exc:
        report_input_error(exc)
    _print_frame(df, "sweeps")


@results_app.command("show")
def results_show(
    sweep_ref: Annotated[str, typer.Argument(metavar="SWEEP", help="Sweep id, id prefix or name")],
    out: Annotated[Path, _out_option()] = SWEEP_OUT,
) -> None:
    """A sweep's status, timings and indicators per point (median across runs)."""
    _need_extra()
    from ..sweep.catalogue import connect, resolve_sweep

    try:
        with connect(out, read_only=True) as con:
            sid = resolve_sweep(con, sweep_ref)
            info = con.execute(
                "select name, design, points, chunks, runs_per_point, seed, source from sweeps where sweep_id = ?",
                [sid],
            ).fetchone()
            status = con.execute(
                "select status, count(*) n, sum(runs) runs, round(sum(compute_s), 2) compute_s "
                "from chunks where sweep_id = ? group by status order by status",
                [sid],
            ).df()
            table = con.execute(
                "select p.point_id, p.parameters, i.region, i.end_use, i.indicator, median(i.value) as median, "
                "count(*) as runs from indicators i join points p using (sweep_id, point_id) where i.sweep_id = ? "
                "group by all order by p.point_id, i.region, i.end_use, i.indicator",
                [sid],
            ).df()
    except InputError as exc:
        report_input_error(exc)
    console.print(
        f"sweep {sid} ({info[0]}): design {info[1]}, {info[2]} point(s) x {info[4]} run(s), "
        f"{info[3]} chunk(s), seed {info[5]}, file {info[6] or '-'}"
    )
    _print_frame(status, "chunks")
    _print_frame(table, "indicators per point (median across runs)")


@results_app.command("query")
def results_query(
    sql: Annotated[str, typer.Argument(help="One SELECT over sweeps, points, chunks, indicators, series")],
    out: Annotated[Path, _out_option()] = SWEEP_OUT,
    max_rows: Annotated[int, typer.Option("--max-rows", min=1, help="Rows to print")] = 60,
) -> None:
    """Run a read-only SQL query (DuckDB) on the catalogue; statements that write are refused."""
    _need_extra()
    from ..sweep.catalogue import read_only_query

    try:
        df = read_only_query(out, sql)
    except InputError as exc:
        report_input_error(exc)
    _print_frame(df, max_rows=max_rows)


@results_app.command("export")
def results_export(
    sweep_ref: Annotated[str, typer.Argument(metavar="SWEEP", help="Sweep id, id prefix or name")],
    format: Annotated[str, typer.Option("--format", help="csv or parquet")] = "csv",
    to: Annotated[Path | None, typer.Option("--to", help="File to write (default <SWEEP>.<format>)")] = None,
    out: Annotated[Path, _out_option()] = SWEEP_OUT,
) -> None:
    """Write a sweep's tidy indicators joined with each point's parameters to one CSV or Parquet file."""
    _need_extra()
    if format not in ("csv", "parquet"):
        fail(f"--format: expected csv or parquet, got {format!r}")
    from ..sweep.catalogue import connect, resolve_sweep, write_parquet

    try:
        with connect(out, read_only=True) as con:
            sid = resolve_sweep(con, sweep_ref)
            df = con.execute(
                "select i.sweep_id, i.point_id, p.scenario_name, p.scenario_hash, p.parameters, i.chunk_id, i.run, "
                "i.region, i.end_use, i.indicator, i.value from indicators i join points p using (sweep_id, point_id) "
                "where i.sweep_id = ? order by i.point_id, i.run, i.region, i.end_use, i.indicator",
                [sid],
            ).df()
    except InputError as exc:
        report_input_error(exc)
    path = to or Path(f"{sid}.{format}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if format == "csv":
        df.to_csv(path, index=False)
    else:
        write_parquet(df, path)
    console.print(f"{len(df):,} rows -> {path}")


def _compact(table, labels: list[str]):
    """The compare table with one text column per source and per difference (for the terminal)."""
    import pandas as pd

    out = table[["region", "end_use", "indicator"]].copy()
    for i, lab in enumerate(labels):
        name = lab if len(labels) < 3 else f"{chr(65 + i)}"
        out[name] = [
            f"{_fmt(m)} [{_fmt(lo)}, {_fmt(hi)}]"
            for m, lo, hi in zip(table[f"{lab} median"], table[f"{lab} p05"], table[f"{lab} p95"], strict=True)
        ]
    for i, lab in enumerate(labels[1:], start=1):
        lo_c = "band p05" if len(labels) == 2 else f"{lab} band p05"
        hi_c = "band p95" if len(labels) == 2 else f"{lab} band p95"
        d = table[f"{lab} - {labels[0]}"]
        out[f"{chr(65 + i)} - A"] = [
            f"{_fmt(v)} [{_fmt(lo)}, {_fmt(hi)}]" for v, lo, hi in zip(d, table[lo_c], table[hi_c], strict=True)
        ]
    if len(labels) >= 3:
        console.print("  ".join(f"{chr(65 + i)} = {lab}" for i, lab in enumerate(labels)))
    return pd.DataFrame(out)


def compare(
    sources: Annotated[
        list[str], typer.Argument(help="Two or more scenarios (files or names) or sweeps (id, name, or SWEEP@POINT)")
    ],
    runs: Annotated[int | None, typer.Option("--runs", min=1, help="Runs for each scenario (default its own)")] = None,
    seed: Annotated[int | None, typer.Option("--seed", min=0, help="Seed for each scenario")] = None,
    out: Annotated[Path, _out_option("Sweep folder to look sweeps up in")] = SWEEP_OUT,
    report: Annotated[Path, typer.Option("--report", help="Report page to write")] = Path("out/compare.html"),
) -> None:
    """Indicators of scenarios or sweeps side by side, differences with bands; a report with series overlaid."""
    _need_extra()
    if len(sources) < 2:
        fail("compare needs at least two scenarios or sweeps")
    from ..scenario.library import scenario_path
    from ..sweep.catalogue import catalogue_path, connect
    from ..sweep.compare import compare_table, from_scenario, from_sweep, write_compare_report

    loaded = []
    try:
        for ref in sources:
            is_scenario = True
            try:
                scenario_path(ref)
            except InputError:
                is_scenario = False
            if is_scenario and "@" not in ref:
                loaded.append(from_scenario(ref, runs=runs, seed=seed))
                continue
            if not catalogue_path(out).exists():
                fail(f"{ref!r} is neither a scenario nor a sweep (no catalogue in {out})")
            with connect(out, read_only=True) as con:
                loaded.append(from_sweep(con, ref))
        labels = [s.label for s in loaded]
        if len(set(labels)) != len(labels):
            fail("the sources must differ")
        table = compare_table(loaded)
    except InputError as exc:
        report_input_error(exc)
    _print_frame(_compact(table, [s.label for s in loaded]), "compare: median [5 %, 95 %]; B - A [90 % band]", 200)
    console.print(f"report: {write_compare_report(report, loaded, table)}")
