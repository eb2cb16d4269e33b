"""``chokepoints datasets list|show|import|download``: the bundled data, where every number comes from, MRIO imports."""

from __future__ import annotations

from pathlib import Path

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


_DB_HELP = (
    "Database: wiod (WIOD 2013, .RData or pymrio's Excel folder), oecd-icio (ICIO CSV), exiobase3 "
    "(IOT_YYYY_ixi/pxp.zip), eora26 (Eora26_YYYY_bp.zip) or figaro (Eurostat flat or matrix CSV); docs/mrio-import.md"
)


@datasets_app.command("import")
def import_(
    database: str = typer.Argument(..., help=_DB_HELP),
    path: Path = typer.Argument(..., help="The database file or folder"),
    year: int = typer.Option(..., "--year", help="Table year"),
    out: Path = typer.Option(..., "--out", help="World folder to write (Parquet tables + dataset.yaml)"),
    aggregate: Path | None = typer.Option(None, "--aggregate", help="CSV dimension,from,to (region or sector)"),
    usd_per_unit: float | None = typer.Option(
        None,
        "--usd-per-unit",
        help="USD per unit of the table's money, needed for EUR tables (exiobase3, figaro: e.g. 1.1e6 for M EUR "
        "at 1.10 USD per EUR); an exchange rate you choose, recorded in dataset.yaml",
    ),
) -> None:
    """Convert an MRIO table into a World folder that `--world` and scenario files accept."""
    from ..datasets.mrio_import import DATABASES, import_database
    from ..errors import InputError, Problem

    try:
        if database not in DATABASES:
            raise InputError(Problem("DATABASE", f"unknown database {database!r}; expected {', '.join(DATABASES)}"))
        folder = import_database(database, path, year, out, aggregate, usd_per_unit=usd_per_unit)
        from ..world import load_world

        world = load_world(folder)
    except InputError as exc:
        report_input_error(exc)
    cw = world.compile()
    console.print(
        f"wrote {folder}: {world.metadata['database']} {year}, {len(cw.regions)} regions x {cw.S} sectors, "
        f"gross output {cw.x0.sum() * 365:,.0f} {world.metadata['monetary_unit']} per year"
    )


@datasets_app.command("download")
def download(
    database: str = typer.Argument(..., help="wiod, oecd-icio or exiobase3 (eora26 and figaro: by hand)"),
    folder: Path = typer.Argument(..., help="Folder to store the raw files in"),
    years: list[int] = typer.Option(..., "--year", help="Year(s) to download (repeat --year)"),
    yes: bool = typer.Option(False, "--yes", help="Confirm the download (network access; large files)"),
) -> None:
    """Download raw database files with pymrio's downloaders (an explicit step; nothing downloads otherwise)."""
    from ..datasets.mrio_import import DATABASES
    from ..datasets.mrio_import import download as _download
    from ..errors import InputError, Problem

    try:
        if database not in DATABASES:
            raise InputError(Problem("DATABASE", f"unknown database {database!r}; expected {', '.join(DATABASES)}"))
        if not yes:
            raise InputError(Problem("--yes", f"downloading {database} {years} needs network access: add --yes"))
        log = _download(database, folder, years)
    except InputError as exc:
        report_input_error(exc)
    console.print(f"downloaded {database} {years} into {folder}")
    if log is not None:
        console.print(str(log))
