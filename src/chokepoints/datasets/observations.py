"""Observed series as data: the observations table kind, and its loader.

An observations table is a folder with two CSVs:

* ``observations.csv``: ``series, period, value, unit, geography, source`` — one observed value
  per row. ``period`` is a year (``2025``), a half year (``2025-H1``), a quarter (``2025-Q3``),
  a month (``2025-05``), a day (``2025-06-04``) or a range of two of these (``2025-04/2025-06``,
  both ends included). ``unit`` is the observation's own unit (``t``, ``vehicles``, ``share``).
* ``sources.csv``: ``source_id, kind, title, url, date, note`` — every ``source`` of
  ``observations.csv`` has a row here.

Bundled tables live in ``chokepoints/datasets/data/observed/<name>/`` (``rare-earths-2025``:
China's magnet exports, licence-approval statistics, North American vehicle production, built by
``scripts/build_observations_2025.py``). :func:`load_observations` takes a bundled name or a
folder / ``observations.csv`` path and returns a validated :class:`Observations`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import InputError, Problem

COLUMNS = ("series", "period", "value", "unit", "geography", "source")
SOURCE_COLUMNS = ("source_id", "kind", "title", "url", "date", "note")
_ONE = re.compile(r"^(\d{4})(?:-(?:(0[1-9]|1[0-2])(?:-(\d{2}))?|H([12])|Q([1-4])))?$")


def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    return dt.date(d.year + y, m + 1, 1)


def _one_period(text: str) -> tuple[dt.date, dt.date] | None:
    m = _ONE.match(text)
    if m is None:
        return None
    year, month, day, half, quarter = m.groups()
    y = int(year)
    if day is not None:
        start = dt.date(y, int(month), int(day))
        return start, start + dt.timedelta(days=1)
    if month is not None:
        start = dt.date(y, int(month), 1)
        return start, _add_months(start, 1)
    if half is not None:
        start = dt.date(y, 1 + 6 * (int(half) - 1), 1)
        return start, _add_months(start, 6)
    if quarter is not None:
        start = dt.date(y, 1 + 3 * (int(quarter) - 1), 1)
        return start, _add_months(start, 3)
    return dt.date(y, 1, 1), dt.date(y + 1, 1, 1)


def parse_period(text: str) -> tuple[dt.date, dt.date]:
    """The days [start, end) that a period covers (end exclusive).

    ``2025-05`` -> (2025-05-01, 2025-06-01); ``2025-H1`` -> (2025-01-01, 2025-07-01);
    ``2025-04/2025-06`` -> (2025-04-01, 2025-07-01). ValueError if it is none of the forms.
    """
    text = str(text).strip()
    parts = text.split("/")
    try:
        spans = [_one_period(p) for p in parts]
    except ValueError:  # e.g. a day 31 of a 30-day month
        spans = [None]
    if len(parts) > 2 or any(s is None for s in spans):
        raise ValueError(f"period {text!r}: expected YYYY, YYYY-H1, YYYY-Q1, YYYY-MM, YYYY-MM-DD or A/B of these")
    start, end = spans[0][0], spans[-1][1]  # type: ignore[index]
    if end <= start:
        raise ValueError(f"period {text!r}: the range ends before it starts")
    return start, end


@dataclass
class Observations:
    """A validated observations table: ``table`` (the rows, plus ``start``/``end`` dates of each
    period, end exclusive) and ``sources`` (the sources table); ``name`` is its bundled name or path."""

    name: str
    table: pd.DataFrame
    sources: pd.DataFrame

    @property
    def series(self) -> list[str]:
        return sorted(set(self.table["series"]))

    def of(self, series: str) -> pd.DataFrame:
        """The rows of one series, in period order."""
        return self.table[self.table["series"] == series].sort_values("start").reset_index(drop=True)

    def source_row(self, source_id: str) -> dict:
        row = self.sources[self.sources["source_id"] == source_id]
        return row.iloc[0].to_dict() if len(row) else {}


def bundled_observations() -> list[str]:
    """Names of the bundled observations tables."""
    from . import _data_root

    root = _data_root() / "observed"
    return sorted(p.name for p in root.iterdir() if (p / "observations.csv").is_file()) if root.is_dir() else []


def _folder(ref: str | Path) -> Path:
    from . import _data_root

    p = Path(ref)
    if p.is_file():
        return p.parent
    if p.is_dir():
        return p
    bundled = _data_root() / "observed" / str(ref)
    if (bundled / "observations.csv").is_file():
        return bundled
    names = ", ".join(bundled_observations()) or "none"
    raise InputError(Problem(str(ref), f"no observations table of that name or path (bundled: {names})"))


def _read(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(
            Problem(str(path), "missing file (an observations table needs observations.csv and sources.csv)")
        )
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(Problem(str(path), f"not a readable CSV: {exc}")) from None
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(
            Problem(str(path), f"missing column(s) {', '.join(missing)}; expected {', '.join(columns)}", 1)
        )
    return df


def load_observations(ref: str | Path = "rare-earths-2025") -> Observations:
    """Load and check an observations table (bundled name, folder, or its ``observations.csv``).

    Checks, each reported as file, row and column: a non-empty series, unit and source; a period
    of one of the forms of :func:`parse_period`; a finite number as value; every source id in
    ``sources.csv``; no two rows for the same series, geography and period.
    """
    folder = _folder(ref)
    obs_path, src_path = folder / "observations.csv", folder / "sources.csv"
    df = _read(obs_path, COLUMNS)
    sources = _read(src_path, SOURCE_COLUMNS)
    known = set(sources["source_id"])
    problems: list[Problem] = []
    starts, ends, values = [], [], []
    for i, row in enumerate(df.itertuples(index=False), start=1):
        line = i + 1
        for col in ("series", "unit", "source"):
            if not str(getattr(row, col)).strip():
                problems.append(Problem(str(obs_path), "must not be empty", line, row=i, field=col))
        try:
            s, e = parse_period(row.period)
        except ValueError as exc:
            problems.append(Problem(str(obs_path), str(exc), line, row=i, field="period"))
            s, e = dt.date.min, dt.date.min
        try:
            v = float(row.value)
            if v != v or v in (float("inf"), float("-inf")):
                raise ValueError
        except ValueError:
            problems.append(
                Problem(str(obs_path), f"expected a finite number, got {row.value!r}", line, row=i, field="value")
            )
            v = float("nan")
        if row.source and row.source not in known:
            problems.append(
                Problem(str(obs_path), f"source {row.source!r} has no row in sources.csv", line, row=i, field="source")
            )
        starts.append(s)
        ends.append(e)
        values.append(v)
    dup = df.duplicated(["series", "geography", "period"], keep="first")
    for i in [int(j) + 1 for j in dup[dup].index]:
        problems.append(
            Problem(str(obs_path), "a second row for this series, geography and period", i + 1, row=i, field="period")
        )
    if problems:
        raise InputError(problems)
    table = df.copy()
    table["value"] = values
    table["start"] = starts
    table["end"] = ends
    name = str(ref) if Path(str(ref)).exists() else folder.name
    return Observations(name=name, table=table, sources=sources)
