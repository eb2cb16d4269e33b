"""Checks of the line-level schedule against published numbers (re-exported by ``chokepoints.trade.lines``).

``published()``: PIIE's published trade-weighted averages (``published.csv``); ``compare_published()``: ours
against them on every published date; ``calculated_duty_check()``: the schedule's 2024 duty on US imports from
a partner against Census calculated duty.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from .lines import LineSchedule, _read, line_book, lines_dir, series


def published() -> pd.DataFrame:
    """PIIE's published trade-weighted averages (published.csv): date, importer, exporter, published_pct, ..."""
    df = _read(lines_dir() / "published.csv", ("date", "importer", "exporter", "published_pct", "weights", "source"))
    df["date"] = [dt.date.fromisoformat(x) for x in df["date"]]
    df["published_pct"] = df["published_pct"].astype(float)
    return df


def compare_published(schedule: LineSchedule | None = None) -> pd.DataFrame:
    """Ours against PIIE on every published date: date, direction, weights, ours, published, difference (points).

    China's side uses the 2017 weights of PIIE's file on every date (its HS-8 lines carry the 2018-20 MFN and
    retaliation, which stay in force under the 2025 rows; the 2024 book holds only the March 2025 lists and a
    residual line); the US side uses 2024 weights throughout (no 2017 US base is bundled).
    """
    pub = published()
    schedule = schedule or LineSchedule.bundled()
    out = []
    for (imp, exp), g in pub.groupby(["importer", "exporter"], sort=False):
        for _, p in g.iterrows():
            year = "2017" if (imp, exp) == ("CHN", "USA") else "2024"
            s = series(schedule, [p["date"]], [(imp, exp)], weights=year).iloc[0]
            out.append({"date": p["date"], "importer": imp, "exporter": exp, "our_weights": s["weights"],
                        "published_weights": p["weights"], "ours_pct": round(float(s["average_rate_pct"]), 2),
                        "published_pct": p["published_pct"],
                        "difference": round(float(s["average_rate_pct"]) - p["published_pct"], 2)})  # fmt: skip
    return pd.DataFrame(out)


def calculated_duty_check(schedule: LineSchedule | None = None, exporter: str = "CHN") -> dict[str, float]:
    """The 2024 duty on US imports from ``exporter``: the schedule's against Census calculated duty.

    schedule rate = sum_l w_l (f r_l(2024-06-30) + (1 - f) r_l(2024-10-01)) / sum_l w_l, with f = 270/366 the
    share of 2024 before the 2024-09-27 Section 301 increases; Census rate = sum duty / sum imports.
    """
    sched = schedule or LineSchedule.bundled()
    book = line_book("USA", exporter, "2024")
    f = (dt.date(2024, 9, 27) - dt.date(2024, 1, 1)).days / 366
    r = f * sched.rates(dt.date(2024, 6, 30), "USA", exporter, book.codes, book.mfn).sum(axis=0) + (
        1 - f
    ) * sched.rates(dt.date(2024, 10, 1), "USA", exporter, book.codes, book.mfn).sum(axis=0)
    W = book.weights.sum()
    assert book.duty is not None
    return {
        "imports_usd": float(W),
        "duty_usd": float(book.duty.sum()),
        "census_rate_pct": float(100 * book.duty.sum() / W),
        "schedule_rate_pct": float(book.weights @ r / W),
        "mfn_only_pct": float(book.weights @ book.mfn / W) if book.mfn is not None else float("nan"),
    }
