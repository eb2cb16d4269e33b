"""The observations the claim checks read: one tidy list of dated, sourced values.

Sources: the bundled finance tables (``datasets/data/finance``: TIC holdings, PBoC gold, CBO fiscal
series, with ``sources.csv``) and ``datasets/data/claims/facts.csv`` (debt milestones, USGS reserves
by vintage, refining shares, gold streaks, policy events, Tax Foundation estimates), every row with
title, address and date.

Each observation has the period it describes (``period_end``) and the day it became public
(``available``); a check at the article's date only sees observations available by then.
Release lags (labelled assumptions, used where a row has no publication date of its own):
- TIC monthly holdings for month M: the 18th day of month M+2 (Treasury publishes TIC about
  six to seven weeks after the month ends);
- PBoC reserve data for month M: the 7th day of month M+1 (SAFE publishes in the first week);
- CBO fiscal-year totals: 10 November after the fiscal year ends (Monthly Budget Review);
  half-year (Oct-Mar) figures: 10 April.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..errors import InputError, Problem

TROY_OZ_PER_MOZ_IN_T = 31.1034768  # 1 million troy oz = 31.1034768 t (finance source d_troy)

__all__ = ["Obs", "load_observations", "period_end", "series"]


@dataclass(frozen=True)
class Obs:
    """One dated, sourced value."""

    series: str
    as_of: str
    period_end: dt.date
    available: dt.date
    value: float
    unit: str
    title: str
    url: str
    source_date: str
    note: str = ""

    def source(self) -> dict[str, str]:
        return {
            "series": self.series,
            "as_of": self.as_of,
            "value": f"{self.value:g}",
            "unit": self.unit,
            "title": self.title,
            "url": self.url,
            "date": self.source_date,
            "note": self.note,
        }


def period_end(as_of: str) -> dt.date:
    """Last day of the period ``as_of`` names: 2025-11-03, 2025-11, 2024, FY2024 (30 Sept), FY2025H1 (31 March)."""
    s = as_of.strip()
    if m := re.fullmatch(r"FY(\d{4})H1", s):
        return dt.date(int(m[1]), 3, 31)
    if m := re.fullmatch(r"FY(\d{4})", s):
        return dt.date(int(m[1]), 9, 30)
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", s):
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.fullmatch(r"(\d{4})-(\d{2})", s):
        y, mo = int(m[1]), int(m[2])
        return dt.date(y, mo, calendar.monthrange(y, mo)[1])
    if m := re.fullmatch(r"(\d{4})", s):
        return dt.date(int(m[1]), 12, 31)
    raise ValueError(f"unreadable date {as_of!r}")


def _month_plus(d: dt.date, months: int, day: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    return dt.date(d.year + y, m + 1, day)


def _read(pkg: str, name: str) -> list[dict[str, str]]:
    text = resources.files(pkg).joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@lru_cache(maxsize=1)
def load_observations() -> tuple[Obs, ...]:
    """Every observation the checks may use (cached)."""
    fin = "chokepoints.datasets.data.finance"
    sources = {r["source_id"]: r for r in _read(fin, "sources.csv")}
    out: list[Obs] = []

    def src(ids: str) -> tuple[str, str, str]:
        first = sources.get(ids.split(";")[0].strip())
        if first is None:
            raise InputError(Problem("finance/sources.csv", f"unknown source_id {ids!r}", field="source_id"))
        return first["title"], first["url"], first["date"]

    for r in _read(fin, "holdings.csv"):
        pe = period_end(r["date"])
        t, u, d = src(r["source"])
        series = "tic." + r["holder"] + (".press" if r["series"] == "press" else "")
        out.append(Obs(series, r["date"], pe, _month_plus(pe, 2, 18), float(r["usd_bn"]), "USD bn", t, u, d, r["note"]))
    for r in _read(fin, "gold.csv"):
        pe = period_end(r["date"])
        t, u, d = src(r["source"])
        if r["tonnes"]:
            tonnes, note = float(r["tonnes"]), "tonnes as stated"
        else:
            tonnes, note = float(r["moz"]) * TROY_OZ_PER_MOZ_IN_T, f"{r['moz']} Moz x 31.1034768 t per Moz (d_troy)"
        out.append(
            Obs("gold." + r["holder"] + ".tonnes", r["date"], pe, _month_plus(pe, 1, 7), tonnes, "t", t, u, d, note)
        )
    for r in _read(fin, "fiscal.csv"):
        pe = period_end(r["as_of"])
        avail = dt.date(pe.year, 11, 10) if r["as_of"].startswith("FY") and "H1" not in r["as_of"] else pe
        if r["as_of"].endswith("H1"):
            avail = dt.date(pe.year, 4, 10)
        t, u, d = src(r["source"])
        out.append(Obs("fiscal." + r["key"], r["as_of"], pe, avail, float(r["value"]), r["unit"], t, u, d, r["note"]))
    for i, r in enumerate(_read("chokepoints.datasets.data.claims", "facts.csv"), start=1):
        try:
            pe, avail, value = period_end(r["as_of"]), period_end(r["available"]), float(r["value"])
        except ValueError as exc:
            raise InputError(Problem("claims/facts.csv", str(exc), row=i)) from None
        if not (r["source_title"] and r["source_url"] and r["source_date"]):
            raise InputError(
                Problem("claims/facts.csv", "every row needs source_title, source_url, source_date", row=i)
            )
        out.append(
            Obs(
                r["series"],
                r["as_of"],
                pe,
                avail,
                value,
                r["unit"],
                r["source_title"],
                r["source_url"],
                r["source_date"],
                r["note"],
            )
        )
    return tuple(out)


def series(name: str, by: dt.date | None = None) -> list[Obs]:
    """Observations of one series (``tic.CHN`` also takes the press rows), oldest first; only those
    available by ``by`` when given. Where two rows describe the same period the revised history wins."""
    obs = [o for o in load_observations() if o.series == name or o.series == name + ".press"]
    if by is not None:
        obs = [o for o in obs if o.available <= by]
    best: dict[tuple[dt.date, str], Obs] = {}
    for o in obs:
        key = (o.period_end, o.series.removesuffix(".press"))
        if key not in best or best[key].series.endswith(".press"):
            best[key] = o
    return sorted(best.values(), key=lambda o: (o.period_end, o.available))
