"""Checks of the line-level schedule against published numbers (re-exported by ``chokepoints.trade.lines``).

``published()``: PIIE's published trade-weighted averages (``published.csv``); ``compare_published()``: ours
against them on every published date; ``calculated_duty_check()``: the schedule's 2024 duty on US imports from
a partner against Census calculated duty.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from .lines import LineBook, LineSchedule, _read, line_book, lines_dir, series


def published() -> pd.DataFrame:
    """Published trade-weighted averages (published.csv): date, importer, exporter, published_pct, weights, source,
    note, measure (``total``: all duties, MFN included; ``additional``: Chapter 99 duties only, MFN left out),
    compare_on (our bundled weights to compare with: 2017, 2024 or world; China's side always uses 2017) and
    compare_date (the date of our schedule in the same legal state, where the publisher dates a change
    differently -- PIIE dates the May 2019 list 3 increase by arrival, 2019-06-15; empty: the row's date) and
    file_weights (yes: a weights file given to ``compare_published`` replaces ours on the row -- the rows of
    series weighted by the exporter's exports to the world, PIIE's convention, which no bundled table holds)."""
    df = _read(lines_dir() / "published.csv", ("date", "importer", "exporter", "published_pct", "weights", "source"))
    df["date"] = [dt.date.fromisoformat(x) for x in df["date"]]
    df["published_pct"] = df["published_pct"].astype(float)
    if "compare_date" not in df.columns:
        df["compare_date"] = ""
    pairs = zip(df["compare_date"], df["date"], strict=True)
    df["compare_date"] = [dt.date.fromisoformat(c) if c else d for c, d in pairs]
    # optional columns: (name, value when absent or empty, values allowed)
    for col, default, allowed in (
        ("measure", "total", ("total", "additional")),
        ("compare_on", "2024", ("2017", "2024", "world")),
        ("file_weights", "no", ("yes", "no")),
    ):
        df[col] = df[col].replace("", default) if col in df.columns else default
        bad = sorted(set(df[col]) - set(allowed))
        if bad:
            msg = f"unknown {col} {bad[0]!r}; expected {' or '.join(allowed)}"
            raise InputError(Problem(str(lines_dir() / "published.csv"), msg, field=col))
    return df


def compare_published(
    schedule: LineSchedule | None = None,
    books: dict[tuple[str, str], LineBook] | None = None,
) -> pd.DataFrame:
    """Ours against every published series on its dates: date, direction, measure, weights, ours, published,
    difference (points). For ``measure = additional`` ours is the average less its MFN layer. Ours is read on
    the row's ``compare_date`` (its date unless the publisher dates a change otherwise).

    China's side uses the 2017 weights of PIIE's file on every date (its HS-8 lines carry the 2018-20 MFN and
    retaliation, which stay in force under the 2025 rows; the 2024 book holds only the March 2025 lists and a
    residual line). The US side uses the row's ``compare_on`` weights: ``world`` (US imports from the world, the
    bundled stand-in for PIIE's exporter-to-world weights), 2017 (Census HS-2 chapters spread over lines) or 2024.
    ``books`` (weights from a file, ``lines_weights.books_from_file``) replace those of their directions on the
    rows marked ``file_weights = yes``.
    """
    pub = published()
    schedule = schedule or LineSchedule.bundled()
    out = []
    for (imp, exp), g in pub.groupby(["importer", "exporter"], sort=False):
        for _, p in g.iterrows():
            year = "2017" if (imp, exp) == ("CHN", "USA") else str(p["compare_on"])
            mine = books if books and (imp, exp) in books and p["file_weights"] == "yes" else None
            s = series(schedule, [p["compare_date"]], [(imp, exp)], weights=year, books=mine).iloc[0]
            ours = float(s["average_rate_pct"]) - (float(s["mfn_pct"]) if p["measure"] == "additional" else 0.0)
            value = p["published_pct"]
            out.append({"date": p["date"], "importer": imp, "exporter": exp, "measure": p["measure"],
                        "our_date": p["compare_date"], "our_weights": s["weights"],
                        "published_weights": p["weights"], "source": p["source"], "ours_pct": round(ours, 2),
                        "published_pct": value, "difference": round(ours - value, 2)})  # fmt: skip
    return pd.DataFrame(out)


def calculated_duty_check(
    schedule: LineSchedule | None = None, exporter: str = "CHN", year: str = "2024"
) -> dict[str, float]:
    """The duty on US imports from ``exporter`` in ``year`` (2024, or 2017 for China): the schedule's against
    Census calculated duty.

    schedule rate = sum_l w_l rbar_l / sum_l w_l, rbar_l = sum_s (days_s / days of the year) r_l(start of s),
    over the segments s of the year between the schedule's change dates (in 2024: the 2024-06-15 switch of
    the Section 301 exclusions, the 2024-09-27 increases); Census rate = sum duty / sum imports. For 2017 the
    weights and the duty are both chapter totals spread over lines, so only the totals are compared. The
    exclusions that describe one product within a line take the schedule's share (ASSUMPTION
    asm_s301_excl_share); the bounds with that share at 0 % and 100 % are reported as
    schedule_rate_pct_share_0 / _share_100.
    """
    sched = schedule or LineSchedule.bundled()
    book = line_book("USA", exporter, year)
    W = book.weights.sum()
    assert book.duty is not None
    out = {
        "imports_usd": float(W),
        "duty_usd": float(book.duty.sum()),
        "census_rate_pct": float(100 * book.duty.sum() / W),
        "schedule_rate_pct": _year_rate(sched, book, exporter, int(year)),
        "mfn_only_pct": float(book.weights @ book.mfn / W) if book.mfn is not None else float("nan"),
    }
    for pct in (0.0, 100.0):
        out[f"schedule_rate_pct_share_{pct:.0f}"] = _year_rate(
            with_exclusion_share(sched, pct), book, exporter, int(year)
        )
    return out


def with_exclusion_share(schedule: LineSchedule, pct: float) -> LineSchedule:
    """The schedule with every ``exclude_share`` row set to ``pct`` percent (0 drops the rows)."""
    if not 0.0 <= pct <= 100.0:
        raise InputError(Problem("exclusion share", f"expected a share in [0, 100] percent, got {pct:g}"))
    rows = [
        r if r.action != "exclude_share" else dataclasses.replace(r, rate=float(pct))
        for r in schedule.rows
        if not (r.action == "exclude_share" and pct <= 0)
    ]
    return schedule.replaced(rows=rows)


def _line_year_rates(sched: LineSchedule, book: LineBook, exporter: str, year: int) -> np.ndarray:
    """Each line's total rate averaged over the days of ``year`` (piecewise constant between change dates)."""
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    cuts = sorted({start, end} | {d for d in sched.change_dates(start, end) if start < d < end})
    days = (end - start).days
    return np.asarray(
        sum(
            (b - a).days / days * sched.rates(a, "USA", exporter, book.codes, book.mfn).sum(axis=0)
            for a, b in zip(cuts[:-1], cuts[1:], strict=True)
        )
    )


def _year_rate(sched: LineSchedule, book: LineBook, exporter: str, year: int) -> float:
    return float(book.weights @ _line_year_rates(sched, book, exporter, year) / book.weights.sum())


def implied_exclusion_shares(schedule: LineSchedule | None = None, exporter: str = "CHN") -> pd.DataFrame:
    """An in-sample diagnostic of ASSUMPTION asm_s301_excl_share: for each 2024 line with a described-product
    exclusion (the year-average rate at share 0 exceeds the one at share 100 % by over 1 point), the share
    that would make the schedule's duty equal the line's Census calculated duty,

        s_l = clip((r0_l - c_l) / (r0_l - r100_l), 0, 1),  c_l = 100 duty_l / imports_l,

    with the line's 2024 imports (columns hts10, imports_usd, share). Not used by the schedule."""
    sched = schedule or LineSchedule.bundled()
    book = line_book("USA", exporter, "2024")
    assert book.duty is not None
    r0 = _line_year_rates(with_exclusion_share(sched, 0.0), book, exporter, 2024)
    r1 = _line_year_rates(with_exclusion_share(sched, 100.0), book, exporter, 2024)
    census = 100 * book.duty / book.weights
    m = (r0 - r1) > 1.0
    share = ((r0[m] - census[m]) / (r0[m] - r1[m])).clip(0.0, 1.0)
    return pd.DataFrame({"hts10": book.codes[m], "imports_usd": book.weights[m], "share": share})
