"""``chokepoints datasets list|show``: the bundled data and where every number comes from."""

from __future__ import annotations

import typer
from rich.table import Table

from ._common import console, report_input_error

datasets_app = typer.Typer(help="List and inspect bundled datasets and their sources.", no_args_is_help=True)


def _frame_table(df, title: str, max_rows: int | None = None) -> Table:
    table = Table(title=title, show_lines=False, header_style="bold")
    for col in df.columns:
        table.add_column(str(col), overflow="fold")
    rows = df if max_rows is None else df.head(max_rows)
    for row in rows.itertuples(index=False):
        table.add_row(*[f"{v:.6g}" if isinstance(v, float) else str(v) for v in row])
    return table


@datasets_app.command("list")
def list_() -> None:
    """List the bundled datasets."""
    from ..datasets import bundled_metadata, list_bundled

    table = Table(title="Bundled datasets", header_style="bold")
    for col in ("name", "version", "title"):
        table.add_column(col)
    for name in list_bundled():
        meta = bundled_metadata(name)
        table.add_row(name, str(meta.get("version", "")), str(meta.get("title", "")))
    console.print(table)


@datasets_app.command("show")
def show(
    name: str = typer.Argument(..., help="Dataset name, e.g. rare-earths-2025"),
    table: str | None = typer.Option(None, "--table", help="One table (e.g. producers); default: summary"),
    schema: bool = typer.Option(False, "--schema", help="Show the table's attribute schema instead of its rows"),
    rows: int | None = typer.Option(None, "--rows", min=1, help="Show at most this many rows"),
) -> None:
    """Print a dataset's tables and the sources they cite."""
    from ..errors import InputError, Problem
    from ..world import load_world
    from ..world.schema import TABLES, schema_table

    try:
        if table is not None and table not in TABLES:
            raise InputError(Problem("--table", f"unknown table {table!r}; expected one of {', '.join(TABLES)}"))
        world = load_world(name)
    except InputError as exc:
        report_input_error(exc)
    if table is None:
        console.print(f"[bold]{world.name}[/] v{world.version}: {world.metadata.get('title', '')}")
        console.print(str(world.metadata.get("description", "")).strip())
        summary = Table(title="Tables", header_style="bold")
        summary.add_column("table")
        summary.add_column("rows", justify="right")
        for t in TABLES:
            summary.add_row(t, str(len(world.tables[t])))
        console.print(summary)
        console.print(_frame_table(world.tables["sources"], "Sources", rows))
        return
    if schema:
        console.print(_frame_table(schema_table(table), f"Schema of {table}"))
        return
    df = world.tables[table]
    console.print(_frame_table(df, f"{world.name}: {table} ({len(df)} rows)", rows))
    if table != "sources":
        cited = {s.strip() for v in df["source"] for s in v.split(";") if s.strip()}
        src = world.tables["sources"]
        console.print(_frame_table(src[src["source_id"].isin(cited)], f"Sources cited by {table}"))
