"""``chokepoints tariffs SCENARIO.yaml [--date D] [--out DIR]``: tariff effects at each date.

Prints a Rich table per date and importer (imports change by partner, tariff revenue, buyer cost,
deadweight loss) and one by partner for the detailed date, and writes
``out/<scenario stem>/tariffs.html``
(rates over time by layer; imports by partner before and after; sections; SMART check; sources).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ._common import (
    SCENARIO_HELP,
    console,
    out_dir_for,
    out_option,
    report_input_error,
    resolve_scenario,
    scenario_argument,
)


def _money(v: float) -> str:
    return "—" if v != v else f"{v:,.0f}"


def _parse_date(text: str) -> dt.date:
    from ..errors import InputError, Problem

    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(Problem("--date", f"expected a date YYYY-MM-DD, got {text!r}")) from None


def tariffs(
    scenario: Annotated[Path, scenario_argument(SCENARIO_HELP + " (trade_setup and tariff events)")],
    date: Annotated[
        str | None,
        typer.Option(
            "--date", help="Evaluate only this date (YYYY-MM-DD); default: every date on which the rates change"
        ),
    ] = None,
    out: Annotated[Path | None, out_option()] = None,
) -> None:
    """Tariff analysis: trade lost and diverted, who pays, revenue, welfare; each side and date."""
    from ..errors import InputError, Problem

    path_in = resolve_scenario(scenario)
    try:
        when = _parse_date(date) if date is not None else None
        out_dir = out_dir_for(path_in, out)
        if out_dir.exists() and not out_dir.is_dir():
            raise InputError(Problem(str(out_dir), "--out must be a folder, but a file of that name exists"))
        from ..scenario import Scenario
        from ..trade.analysis import analyse, prepare

        sc = Scenario.from_yaml(path_in)
        prep = prepare(sc)
        ds = analyse(sc, dates=[when] if when is not None else None, prepared=prep)
    except InputError as exc:
        report_input_error(exc)

    from ..report import write_report
    from ..trade.report import report_date, tariff_sections
    from ..trade.summary import by_partner, summary

    _print_summary(summary(ds), ds)
    detail = report_date(ds, when)
    _print_partners(by_partner(ds, detail.date()), detail.date(), when is None)
    title = f"chokepoints tariffs: {sc.name}"
    path = write_report(
        out_dir / "tariffs.html",
        title,
        tariff_sections(ds, prep.schedule, detail.date()),
        provenance=dict(ds.attrs),
    )
    console.print(f"report: {path}")


def _print_summary(df, ds) -> None:
    partners = [c[len("change_") :] for c in df.columns if c.startswith("change_") and c != "change_pct"]
    many = len(partners) > 6
    if many:  # keep the largest movers
        size = df[[f"change_{p}" for p in partners]].abs().max().sort_values(ascending=False)
        partners = [c[len("change_") :] for c in size.index[:6]]
    runs = ds.sizes["run"]
    t = Table(
        title=f"Tariff effects, USD million a year (base {ds.attrs.get('base_date')}, "
        f"{ds.attrs.get('dataset')} flows{', mean of ' + str(runs) + ' runs' if runs > 1 else ''})",
        header_style="bold",
    )
    for col in (
        "date",
        "importer",
        "avg tariff %",
        "imports Δ",
        *[f"Δ {p}" for p in partners],
        "revenue",
        "buyer cost",
        "deadweight loss",
    ):
        t.add_column(col, justify="left" if col in ("date", "importer") else "right")
    for r in df.itertuples(index=False):
        rec = r._asdict()
        t.add_row(
            str(rec["date"]),
            rec["importer"],
            f"{rec['rate_avg']:.1f}",
            f"{_money(rec['imports_change'])} ({rec['imports_change_pct']:+.1f} %)",
            *[_money(rec.get(f"change_{p}", float("nan"))) for p in partners],
            _money(rec["revenue_new"]),
            _money(rec["buyer_cost"]),
            _money(rec["deadweight_loss"]),
        )
    console.print(t)


def _print_partners(df, date: dt.date, peak: bool) -> None:
    t = Table(
        title=f"By partner on {date}{' (the date with the largest buyer cost)' if peak else ''}",
        header_style="bold",
    )
    for col in (
        "importer",
        "partner",
        "tariff % (base → new)",
        "imports base",
        "imports new",
        "Δ %",
        "creation",
        "diversion",
        "revenue",
        "exporter price %",
        "pass-through",
    ):
        t.add_column(col, justify="left" if col in ("importer", "partner") else "right")
    for r in df.itertuples(index=False):
        pt = "—" if r.pass_through != r.pass_through else f"{r.pass_through:.2f}"
        t.add_row(
            r.importer,
            r.partner,
            f"{r.rate_base:.1f} → {r.rate:.1f}",
            _money(r.imports_base),
            _money(r.imports_new),
            f"{r.change_pct:+.1f}",
            _money(r.trade_creation),
            _money(r.trade_diversion),
            _money(r.revenue_new),
            f"{r.exporter_price_change_pct:+.2f}",
            pt,
        )
    console.print(t)
