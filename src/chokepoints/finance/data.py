"""The bundled, sourced finance series (``chokepoints/datasets/data/finance/``).

Not a World dataset: plain tables read by the financial-lever model. Every row cites
ids of the ``sources`` table (kind ``source``, ``derived`` or ``assumption``)::

    >>> fd = load_finance_data()
    >>> fd.holdings_change("CHN", "2013-11", "2025-11")["change_bn"]
    -634.1

Tables:

- ``holdings``: holder, date (YYYY-MM, end of month), usd_bn, series, source, note.
  Series ``tic_history`` is Treasury's revised Major Foreign Holders history file;
  ``press`` holds first-release monthly figures reported in the news (and two months
  derived from a level and a monthly change). Holders are ISO3 codes (CHN, JPN, GBR,
  BEL, LUX) and the aggregates FOREIGN_OFFICIAL and FOREIGN_ALL. TIC is custody-based.
- ``gold``: holder, date, moz (million troy oz), tonnes, usd_bn, source, note (PBoC).
- ``fiscal``: key, as_of, value, unit, source, note: US net interest, deficits, debt
  stocks, the composition and maturity statistics of marketable debt, a gold price.
- ``tenors``: tenor, duration_years, yield_shape, official_mix, source, note.
- ``rollover``: ladder, ladder_months, weight, source, note (see :func:`calibrate_ladders`).
- ``impact_estimates``: estimate_id, study, flow, tenor, horizon, bp_low, bp_central,
  bp_high (bp per $100bn at the study's tenor), default_band, source, note.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ConsistencyError, InputError, Problem

DATA_VERSION = "2026.02"
TENORS: tuple[str, ...] = ("bills", "2y", "5y", "10y", "30y")
REFERENCE_TENOR = "5y"
MOZ_TO_TONNES = 31.1034768  # 1 troy ounce = 31.1034768 g
SOURCE_KINDS = ("source", "derived", "assumption")
TABLES = ("holdings", "gold", "fiscal", "tenors", "rollover", "impact_estimates")
LADDER_MONTHS: tuple[int, ...] = (6, 24, 60, 120, 360)


def data_dir() -> Path:
    return Path(str(resources.files("chokepoints.datasets").joinpath("data", "finance")))


@dataclass(frozen=True)
class FinanceData:
    """The bundled finance tables (pandas DataFrames) plus version and content hash."""

    tables: dict[str, pd.DataFrame]
    version: str = DATA_VERSION
    content_hash: str = ""
    path: str = ""
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    # -- simple look-ups ----------------------------------------------------------------
    def fiscal_value(self, key: str, as_of: str | None = None) -> float:
        """A value of the fiscal table (the last row for ``key`` when ``as_of`` is None)."""
        df = self.tables["fiscal"]
        rows = df[df["key"] == key]
        if as_of is not None:
            rows = rows[rows["as_of"] == as_of]
        if rows.empty:
            raise KeyError(f"no fiscal value {key!r}" + (f" as of {as_of}" if as_of else ""))
        return float(rows["value"].iloc[-1])

    def fiscal_row(self, key: str, as_of: str | None = None) -> dict[str, Any]:
        df = self.tables["fiscal"]
        rows = df[(df["key"] == key) & ((df["as_of"] == as_of) if as_of else True)]
        return rows.iloc[-1].to_dict()

    @property
    def holders(self) -> list[str]:
        return sorted(set(self.tables["holdings"]["holder"]))

    @property
    def known_holders(self) -> list[str]:
        """Holders with a Treasury or a gold series."""
        return sorted(set(self.tables["holdings"]["holder"]) | set(self.tables["gold"]["holder"]))

    def holdings_series(self, holder: str) -> pd.DataFrame:
        """One value per month: the TIC history file where it has the month, else the press figure.

        Columns date (YYYY-MM), usd_bn, series, source; sorted by date.
        """
        df = self.tables["holdings"]
        df = df[df["holder"] == holder].copy()
        df["_rank"] = (df["series"] != "tic_history").astype(int)
        df = df.sort_values(["date", "_rank"]).drop_duplicates("date", keep="first")
        return df[["date", "usd_bn", "series", "source"]].reset_index(drop=True)

    def holdings_at(self, holder: str, date: str) -> dict[str, Any] | None:
        """The latest observation on or before ``date`` (YYYY-MM), or None."""
        s = self.holdings_series(holder)
        s = s[s["date"] <= date]
        return None if s.empty else s.iloc[-1].to_dict()

    def holdings_change(self, holder: str, start: str, end: str) -> dict[str, Any]:
        """Change of a holder's Treasury holdings between two months, with the sources.

        change_bn = end value - start value; change_pct = 100 * change_bn / start value.
        Raises InputError if a month has no observation.
        """
        s = self.holdings_series(holder).set_index("date")
        for d in (start, end):
            if d not in s.index:
                raise InputError(
                    Problem(
                        "finance data",
                        f"no holdings figure for {holder} in {d}; available: {', '.join(s.index)}",
                    )
                )
        a, b = s.loc[start], s.loc[end]
        change = round(float(b["usd_bn"]) - float(a["usd_bn"]), 6)
        return {
            "holder": holder,
            "start": start,
            "end": end,
            "start_bn": float(a["usd_bn"]),
            "end_bn": float(b["usd_bn"]),
            "change_bn": round(change, 1),
            "change_pct": 100.0 * change / float(a["usd_bn"]),
            "start_source": a["source"],
            "end_source": b["source"],
        }

    def history_summary(self, holder: str) -> list[dict[str, Any]]:
        """Peak -> latest, and peak -> the same calendar month in the latest year (if present)."""
        s = self.holdings_series(holder)
        if s.empty:
            return []
        peak = s.loc[s["usd_bn"].idxmax()]
        latest = s.iloc[-1]
        out = []
        same = f"{latest['date'][:4]}-{peak['date'][5:]}"
        if same != latest["date"] and same > peak["date"] and same in set(s["date"]):
            out.append(self.holdings_change(holder, peak["date"], same))
        if latest["date"] != peak["date"]:
            out.append(self.holdings_change(holder, peak["date"], latest["date"]))
        return out

    def gold_series(self, holder: str) -> pd.DataFrame:
        """Gold holdings; tonnes filled from ounces (d_troy) where a source gives ounces only."""
        g = self.tables["gold"]
        g = g[g["holder"] == holder].copy()
        g["tonnes_filled"] = g["tonnes"].where(g["tonnes"].notna(), g["moz"] * MOZ_TO_TONNES)
        return g.sort_values("date").reset_index(drop=True)

    def estimates(self, ids: list[str] | None = None) -> pd.DataFrame:
        """Impact estimates converted to the reference tenor (5y).

        k5 = k(study tenor) / yield_shape(study tenor): a 10-year figure of 3 bp per $100bn
        is 4 bp at 5 years with the Martin (2014) shape 0.75. ``ids`` None: the default band.
        """
        df = self.tables["impact_estimates"]
        if ids is None:
            df = df[df["default_band"]]
        else:
            df = df.set_index("estimate_id").loc[ids].reset_index()
        shape = self.tables["tenors"].set_index("tenor")["yield_shape"]
        df = df.copy()
        for end in ("low", "central", "high"):
            df[f"k5_{end}"] = df[f"bp_{end}"] / df["tenor"].map(shape)
        return df.reset_index(drop=True)

    def convertible_estimates(self) -> list[str]:
        df = self.tables["impact_estimates"]
        return list(df.loc[df["bp_central"].notna(), "estimate_id"])

    def sources_for(self, ids: set[str]) -> pd.DataFrame:
        src = self.tables["sources"]
        return src[src["source_id"].isin(ids)].reset_index(drop=True)


def split_sources(value: Any) -> list[str]:
    return [s.strip() for s in str(value).split(";") if s.strip()] if isinstance(value, str) else []


def check_sources(fd: FinanceData) -> list[Problem]:
    """Every data row cites at least one source id, every cited id exists, every source row
    has a valid kind, a title, and (unless an assumption or a unit definition) an address;
    an assumption has a reason in its note."""
    problems: list[Problem] = []
    src = fd.tables["sources"]
    ids = set(src["source_id"])
    for i, r in enumerate(src.itertuples(index=False), start=1):
        where = f"{fd.path or 'finance'}/sources.csv"
        if r.kind not in SOURCE_KINDS:
            problems.append(Problem(where, f"kind must be one of {', '.join(SOURCE_KINDS)}", row=i, field="kind"))
        if not isinstance(r.title, str) or not r.title.strip():
            problems.append(Problem(where, "a source needs a title", row=i, field="title"))
        if r.kind == "source" and not (isinstance(r.url, str) and r.url.startswith("http")):
            problems.append(Problem(where, "a published source needs an address", row=i, field="url"))
        if r.kind in ("assumption", "derived") and not (isinstance(r.note, str) and r.note.strip()):
            problems.append(
                Problem(
                    where,
                    f"a {r.kind} needs a note saying what was done or why",
                    row=i,
                    field="note",
                )
            )
    if src["source_id"].duplicated().any():
        problems.append(Problem(f"{fd.path or 'finance'}/sources.csv", "duplicate source_id", field="source_id"))
    for name in TABLES:
        df = fd.tables[name]
        for i, v in enumerate(df["source"], start=1):
            cited = split_sources(v)
            if not cited:
                problems.append(
                    Problem(
                        f"{fd.path or 'finance'}/{name}.csv",
                        "row cites no source",
                        row=i,
                        field="source",
                    )
                )
            for c in cited:
                if c not in ids:
                    problems.append(
                        Problem(
                            f"{fd.path or 'finance'}/{name}.csv",
                            f"unknown source id {c!r}",
                            row=i,
                            field="source",
                        )
                    )
    return problems


def calibrate_ladders(
    bills_share: float,
    notes_share: float,
    long_share: float,
    share_12m: float,
    average_maturity_months: float,
    ladder_months: tuple[int, ...] = LADDER_MONTHS,
) -> np.ndarray:
    """Weights of stationary ladders (bills, 2y, 5y, 10y, 30y) matching two maturity statistics.

    A ladder of original maturity M months has equal amounts maturing every month, so a
    share min(12 / M, 1) matures within 12 months and its average remaining maturity is
    M / 2. With the bills weight w_b and the 30-year weight w_30 given, the notes weights
    (w_2, w_5, w_10) solve
        w_2 + w_5 + w_10                         = notes_share
        sum_i w_i min(12 / M_i, 1)               = share_12m
        sum_i w_i M_i / 2                        = average_maturity_months.
    """
    m = np.asarray(ladder_months, dtype=float)
    within = np.minimum(12.0 / m, 1.0)
    half = m / 2.0
    rhs = np.array(
        [
            notes_share,
            share_12m - bills_share * within[0] - long_share * within[4],
            average_maturity_months - bills_share * half[0] - long_share * half[4],
        ]
    )
    a = np.array([np.ones(3), within[1:4], half[1:4]])
    notes = np.linalg.solve(a, rhs)
    w = np.array([bills_share, *notes, long_share])
    if (w < 0).any():
        raise ValueError(f"calibration gives a negative ladder weight: {w}")
    return w


def _read(name: str, root: Path) -> pd.DataFrame:
    return pd.read_csv(
        root / f"{name}.csv",
        dtype={"date": str, "as_of": str},
        keep_default_na=False,
        na_values={
            "moz": [""],
            "tonnes": [""],
            "usd_bn": [""],
            "bp_low": [""],
            "bp_central": [""],
            "bp_high": [""],
        },
    )


@lru_cache(maxsize=4)
def load_finance_data(path: str | None = None) -> FinanceData:
    """Read and check the bundled finance tables (or a copy of them in ``path``)."""
    root = Path(path) if path else data_dir()
    h = hashlib.sha256()
    tables: dict[str, pd.DataFrame] = {}
    for name in ("sources", *TABLES):
        raw = (root / f"{name}.csv").read_bytes()
        h.update(name.encode() + b"\0" + raw)
        tables[name] = _read(name, root)
    est = tables["impact_estimates"]
    est["default_band"] = est["default_band"].astype(str).str.lower().eq("true")
    fd = FinanceData(tables=tables, content_hash=h.hexdigest()[:16], path=str(root))
    problems = check_sources(fd)
    if problems:
        raise ConsistencyError(problems)
    return fd
