"""Reading World tables from CSV with located errors.

Every problem is reported with the file, the 1-based data row (header excluded,
so row 1 is the file's second line) and the column, and *all* problems in a table
are collected before raising.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ..errors import InputError, Problem
from .schema import attributes


def read_table(path: Path, table: str, required: bool = True) -> tuple[pd.DataFrame, list[Problem]]:
    """Read ``path`` as World table ``table``; return (frame, problems).

    String columns stay strings (empty string for missing); float columns are parsed
    and problems are recorded for values that are not finite numbers. Missing
    optional values take the schema default (a number, or the name of another column).
    """
    attrs = attributes(table)
    names = [a.name for a in attrs]
    problems: list[Problem] = []
    src = str(path)
    if not path.exists():
        if required:
            problems.append(Problem(src, f"missing table '{table}' (expected columns: {', '.join(names)})"))
        return pd.DataFrame({n: pd.Series(dtype=object) for n in names}), problems
    try:
        raw = read_csv_text(path)
    except InputError as exc:
        problems.extend(exc.problems)
        return pd.DataFrame({n: pd.Series(dtype=object) for n in names}), problems
    raw.columns = [c.strip() for c in raw.columns]
    missing = [n for n in names if n not in raw.columns]
    for n in missing:
        problems.append(Problem(src, "missing column", line=1, field=n))
    extra = [c for c in raw.columns if c not in names]
    for c in extra:
        problems.append(Problem(src, f"unknown column (expected one of: {', '.join(names)})", line=1, field=c))
    if missing:
        return pd.DataFrame({n: pd.Series(dtype=object) for n in names}), problems
    df = raw[names].copy()
    for a in attrs:
        col = df[a.name].astype(str).str.strip()
        df[a.name] = col
        if a.type != "float":
            continue
        values: list[float] = []
        for i, v in enumerate(col):
            if v == "":
                if a.default == "":
                    problems.append(Problem(src, "a number is required", row=i + 1, field=a.name))
                    values.append(math.nan)
                elif _is_number(a.default):
                    values.append(float(a.default))
                else:  # default refers to another column; filled below
                    values.append(math.nan)
                continue
            if not _is_number(v) or not math.isfinite(float(v)):
                problems.append(Problem(src, f"expected a finite number, got {v!r}", row=i + 1, field=a.name))
                values.append(math.nan)
            else:
                values.append(float(v))
        df[a.name] = pd.Series(values, index=df.index, dtype=float)
    for a in attrs:
        if a.type == "float" and a.default and not _is_number(a.default):
            blank = raw[a.name].astype(str).str.strip() == ""
            df.loc[blank, a.name] = df.loc[blank, a.default]
    return df, problems


MAX_CSV_BYTES = 1 << 30
"""Largest World table read (1 GiB)."""


def read_csv_text(path: Path) -> pd.DataFrame:
    """A CSV file as strings; InputError naming the file, line and column of a decoding or parse error."""
    import io
    import re

    from ..yamlio import read_text_file

    text = read_text_file(path, max_bytes=MAX_CSV_BYTES)
    if not text.strip():
        raise InputError(Problem(str(path), "the file is empty; expected a header row", 1, 1))
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        found = re.search(r"(line|row) (\d+)", msg)
        line = (int(found.group(2)) + (found.group(1) == "row")) if found else None
        col = None
        if line is not None:
            lines = text.splitlines()
            if 0 < line <= len(lines):
                col = len(lines[line - 1]) + 1  # the extra field runs past the header's columns
        raise InputError(Problem(str(path), f"cannot parse CSV: {msg}", line, col)) from None


def read_assumptions(folder: Path) -> tuple[pd.DataFrame, list[Problem]]:
    """Read a dataset's optional ``assumptions.csv`` (schema ``world/schema/assumptions.csv``).

    Columns ``id, value, unit, low, high, reason``; a missing file gives an empty table. Besides the
    column checks of :func:`read_table`, each row needs an id and a reason, and where a value is
    given, low <= value <= high.
    """
    path = folder / "assumptions.csv"
    df, problems = read_table(path, "assumptions", required=False)
    src = str(path)
    seen: set[str] = set()
    for i, r in enumerate(df.itertuples(index=False)):
        if not r.id or r.id in seen:
            problems.append(Problem(src, "a unique id is required", row=i + 1, field="id"))
        seen.add(r.id)
        if not r.reason:
            problems.append(Problem(src, "a reason is required", row=i + 1, field="reason"))
        nums = (r.value, r.low, r.high)
        if any(math.isnan(x) for x in nums) != all(math.isnan(x) for x in nums):
            problems.append(Problem(src, "value, low and high go together", row=i + 1, field="value"))
        elif not any(math.isnan(x) for x in nums) and not r.low <= r.value <= r.high:
            problems.append(
                Problem(
                    src,
                    f"expected low <= value <= high, got {r.low:g}, {r.value:g}, {r.high:g}",
                    row=i + 1,
                    field="value",
                )
            )
    return df, problems


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def write_world(world, folder: str | Path, metadata: dict | None = None) -> Path:
    """Write every table of ``world`` as ``<table>.csv`` plus ``dataset.yaml`` into ``folder``."""
    import yaml

    from .schema import TABLES

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for t in TABLES:
        if t == "sources" and len(world.tables[t]) == 0:
            continue  # an empty sources.csv is an error on reading (it would switch the citation check off)
        world.tables[t].to_csv(folder / f"{t}.csv", index=False)
    meta = {"name": world.name, "version": world.version, **(world.metadata or {}), **(metadata or {})}
    (folder / "dataset.yaml").write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")
    return folder
