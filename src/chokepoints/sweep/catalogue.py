"""The results catalogue: one DuckDB file beside the per-chunk Parquet files of every sweep.

Layout of a sweep folder (``--out``, default ``out/sweeps``)::

    catalogue.duckdb                      tables sweeps, points, chunks
    <sweep id>/indicators/chunk-00000.parquet   tidy: sweep_id, chunk_id, point_id, run, region,
                                                end_use, indicator, value
    <sweep id>/series/chunk-00000.parquet       sweep_id, chunk_id, point_id, region, end_use, day,
                                                runs, sum_output_ratio

A chunk is ``done`` once its Parquet files are in place (written to a temporary name, then
renamed) and its row says so; only the client writes the catalogue, in short transactions, so
``chokepoints results ...`` can read it while a sweep runs. The views ``indicators`` and ``series``
(created per connection) read the files of done chunks only, each chunk once.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError, Problem

SCHEMA = """
create table if not exists sweeps (
  sweep_id varchar primary key, name varchar, source varchar, spec json, seed ubigint, design varchar,
  points integer, chunks integer, runs_per_point integer, created timestamptz, provenance json);
create table if not exists points (
  sweep_id varchar, point_id integer, base integer, scenario_name varchar, scenario_hash varchar,
  parameters json, primary key (sweep_id, point_id));
create table if not exists chunks (
  sweep_id varchar, chunk_id integer, pieces json, runs integer, seed ubigint, status varchar,
  attempts integer, submitted double, started double, finished double, written double, compute_s double,
  worker varchar, rows bigint, path varchar, provenance json, error varchar,
  primary key (sweep_id, chunk_id));
"""

CATALOGUE = "catalogue.duckdb"


def catalogue_path(out: str | Path) -> Path:
    return Path(out) / CATALOGUE


@contextmanager
def connect(out: str | Path, read_only: bool = False, views: bool = True, schema: bool = True) -> Iterator[Any]:
    """A DuckDB connection to the catalogue of sweep folder ``out`` (closed on exit), with the
    views ``indicators`` and ``series`` over the done chunks' Parquet files (unless ``views`` is
    False: the sweep runner's per-chunk updates skip listing every chunk file, which grows with
    the sweep). ``schema``: create the tables if missing (a writer that knows they exist skips it)."""
    import duckdb

    path = catalogue_path(out)
    if read_only and not path.exists():
        raise InputError(Problem(str(path), "no sweep catalogue here; run `chokepoints sweep` first or pass --out"))
    path.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(50):  # another process (a sweep's client) may hold the file for a moment
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException:
            if attempt == 49:
                raise
            time.sleep(0.1)
    try:
        if schema and not read_only:
            con.execute(SCHEMA)
        if views:
            _views(con, Path(out))
        yield con
    finally:
        con.close()


def _views(con: Any, out: Path) -> None:
    root = out.resolve()
    for name, cols in (
        ("indicators", "run bigint, region varchar, end_use varchar, indicator varchar, value double"),
        ("series", "region varchar, end_use varchar, day bigint, runs bigint, sum_output_ratio double"),
    ):
        files = sorted(str(p) for p in root.glob(f"*/{name}/chunk-*.parquet"))
        if files:
            src = f"read_parquet({json.dumps(files)})"
            con.execute(
                f"create or replace temp view {name} as select f.* from {src} f join chunks c "
                "on f.sweep_id = c.sweep_id and f.chunk_id = c.chunk_id where c.status = 'done'"
            )
        else:
            con.execute(
                f"create or replace temp view {name} as select * from (select ''::varchar as sweep_id, "
                f"0::integer as chunk_id, 0::integer as point_id, {_nulls(cols)}) where false"
            )


def _nulls(cols: str) -> str:
    return ", ".join(f"null::{c.split()[1]} as {c.split()[0]}" for c in cols.split(", "))


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    """Write ``df`` to ``path`` atomically (temporary file, then rename)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".parquet.part")
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), tmp)
    tmp.replace(path)


def chunk_file(out: Path, sweep_id: str, kind: str, chunk_id: int) -> Path:
    return Path(out) / sweep_id / kind / f"chunk-{chunk_id:05d}.parquet"


def resolve_sweep(con: Any, ref: str, source: str = "SWEEP") -> str:
    """The sweep id for ``ref``: an id, a unique id prefix, or a sweep name (its latest sweep)."""
    rows = con.execute(
        "select sweep_id from sweeps where sweep_id = ? or sweep_id like ? or name = ? order by created desc",
        [ref, ref + "%", ref],
    ).fetchall()
    ids = list(dict.fromkeys(r[0] for r in rows))
    if ref in ids:
        return ref
    if not ids:
        known = ", ".join(r[0] for r in con.execute("select sweep_id from sweeps order by created").fetchall())
        raise InputError(Problem(source, f"no sweep {ref!r} in the catalogue (sweeps: {known or 'none'})"))
    by_name = [
        r[0] for r in con.execute("select sweep_id from sweeps where name = ? order by created desc", [ref]).fetchall()
    ]
    if by_name:
        return by_name[0]
    if len(ids) > 1:
        raise InputError(Problem(source, f"{ref!r} matches several sweeps: {', '.join(ids)}"))
    return ids[0]


WRITE_REFUSED = "results query is read-only: only SELECT (and WITH ... SELECT) statements are allowed"


def read_only_query(out: str | Path, sql: str) -> pd.DataFrame:
    """Run one SELECT on the catalogue (opened read-only); any other statement is an InputError."""
    import duckdb

    with connect(out, read_only=True) as con:
        try:
            stmts = con.extract_statements(sql)
        except duckdb.Error as exc:
            raise InputError(Problem("query", f"cannot parse: {exc}")) from None
        if len(stmts) != 1:
            raise InputError(Problem("query", f"expected one statement, got {len(stmts)}"))
        if stmts[0].type != duckdb.StatementType.SELECT:
            raise InputError(Problem("query", f"{WRITE_REFUSED} (got {stmts[0].type.name})"))
        try:
            return con.execute(sql).df()
        except duckdb.Error as exc:
            raise InputError(Problem("query", str(exc).splitlines()[0])) from None
