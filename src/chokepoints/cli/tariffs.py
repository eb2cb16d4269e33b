"""``chokepoints tariffs SCENARIO.yaml [--date D] [--out DIR]``: tariff effects at each date.

Prints a Rich table per date and importer (imports change by partner, tariff revenue, buyer cost,
deadweight loss) and one by partner for the detailed date, and writes
``out/<scenario stem>/tariffs.html``
(rates over time by layer; imports by partner before and after; sections; SMART check; sources).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

if TYPE_CHECKING:
    import pandas as pd

    from ..trade.lines import LineSchedule

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


@dataclass(frozen=True)
class _Schedule:
    """Which line schedule the line-level flags run on: the metal content of 232 derivatives, the stacking rules."""

    metal: str = "flat"
    stacking: str | None = None

    def build(self) -> LineSchedule:
        from ..trade import lines as tl  # lazily: the CLI starts without pandas

        return tl.LineSchedule.bundled(self.metal, self.stacking)


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
    series: Annotated[
        bool,
        typer.Option(
            "--series",
            help="Print the trade-weighted average rate by date for each direction (US on China, China on US) "
            "from the line-level schedule, with each authority's contribution and coverage",
        ),
    ] = False,
    weights: Annotated[
        str,
        typer.Option(
            "--weights",
            help="Weights (bundled): 2024; 2017 (China's side, and the US side from HS-2 chapters); world (US "
            "side: US imports from the world in 2024)",
        ),
    ] = "2024",
    weights_file: Annotated[
        Path | None,
        typer.Option(
            "--weights-file",
            help="CSV importer,exporter,code,value_usd: your own weights by product code (HS-2 to HTS-10), spread "
            "over the bundled lines (with --series or --published; see docs/tariffs.md)",
        ),
    ] = None,
    metal_content: Annotated[
        str,
        typer.Option(
            "--metal-content",
            help="Metal content on which Section 232 derivatives pay (with --series / --published / --explain / "
            "--lines): flat (50 % of the value, the default) or bea (each line's BEA content share: the lower bound)",
        ),
    ] = "flat",
    stacking: Annotated[
        str | None,
        typer.Option(
            "--stacking",
            help="Other stacking rules (with --series / --published / --explain / --lines): a bundled variant "
            "(auto-parts-on-reciprocal: PIIE's reading) or a CSV with the columns of stacking.csv (docs/tariffs.md)",
        ),
    ] = None,
    partners: Annotated[
        bool,
        typer.Option(
            "--partners",
            help="With --series: US tariffs on every bundled partner (2024 weights) and on all of them together",
        ),
    ] = False,
    published: Annotated[
        bool,
        typer.Option(
            "--published",
            help="Print ours against the published series (PIIE, Yale Budget Lab) on their dates: date | ours | "
            "published | difference",
        ),
    ] = False,
    fmt: Annotated[str, typer.Option("--format", help="table or csv (with --series)")] = "table",
    explain: Annotated[
        tuple[str, str] | None,
        typer.Option("--explain", help="HTS DATE: the layers that apply to one US tariff line on China on one date"),
    ] = None,
    lines_pe: Annotated[
        bool,
        typer.Option(
            "--lines",
            help="Run the PE on every bundled US import line x partner with the line-level schedule (rates of "
            "--date against 2025-01-01; elasticities by HS section) and print it by HS section",
        ),
    ] = False,
) -> None:
    """Tariff analysis: trade lost and diverted, who pays, revenue, welfare; each side and date."""
    from ..errors import InputError, Problem

    path_in = resolve_scenario(scenario)
    line_level = (lines_pe or series or explain is not None or published or partners or weights_file is not None) or (
        metal_content != "flat" or stacking is not None
    )
    if line_level:
        try:
            _line_level(path_in, date, lines_pe, series, weights, weights_file, fmt, explain, published, partners,
                        _Schedule(metal_content, stacking))  # fmt: skip
        except InputError as exc:
            report_input_error(exc)
        return
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
    _print_and_report(sc, prep, ds, when, out_dir)


def _print_and_report(sc, prep, ds, when: dt.date | None, out_dir: Path) -> None:
    """The tables of the scenario's tariff analysis, and its report page."""
    from ..report import write_report
    from ..trade.report import line_series_section, report_date, tariff_sections
    from ..trade.summary import by_partner, summary

    _print_summary(summary(ds), ds)
    detail = report_date(ds, when)
    _print_partners(by_partner(ds, detail.date()), detail.date(), when is None)
    title = f"chokepoints tariffs: {sc.name}"
    path = write_report(
        out_dir / "tariffs.html",
        title,
        tariff_sections(ds, prep.schedule, detail.date())
        # the bundled line-level schedule covers US <-> China: its series by authority when the scenario does
        + ([line_series_section()] if {"USA", "CHN"} <= {str(x) for x in ds["importer"].values} else []),
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


def _line_level(
    path_in: Path,
    date: str | None,
    lines_pe: bool,
    series: bool,
    weights: str,
    weights_file: Path | None,
    fmt: str,
    explain: tuple[str, str] | None,
    published: bool,
    partners: bool,
    opts: _Schedule,
) -> None:
    """The flags on the line-level schedule: check their combination, then run one of them."""
    from ..errors import InputError, Problem

    if not (lines_pe or series or explain is not None or published):
        if partners:
            raise InputError(Problem("--partners", "use it with --series"))
        if weights_file is not None:
            raise InputError(Problem("--weights-file", "use it with --series or --published"))
        flag = "--metal-content" if opts.metal != "flat" else "--stacking"
        raise InputError(Problem(flag, "use it with --series, --published, --explain or --lines"))
    if lines_pe:
        if series or explain is not None or published or weights_file is not None or partners:
            raise InputError(Problem("--lines", "use --lines alone, not with --series / --explain / --published"))
        if weights != "2024":
            raise InputError(Problem("--weights", f"--lines runs on the 2024 US weights only, got {weights!r}"))
    else:
        if partners and not series:
            raise InputError(Problem("--partners", "use it with --series"))
        if weights_file is not None and not (series or published):
            raise InputError(Problem("--weights-file", "use it with --series or --published"))
        if weights_file is not None and weights != "2024":
            raise InputError(Problem("--weights", "use --weights or --weights-file, not both"))
        if partners and (weights != "2024" or weights_file is not None):
            raise InputError(Problem("--partners", "the partners' series run on the 2024 weights only"))
    if fmt not in ("table", "csv"):
        raise InputError(Problem("--format", f"expected 'table' or 'csv', got {fmt!r}"))
    if lines_pe:
        _lines_pe(path_in, date, fmt, opts)
    elif partners:
        _partners(path_in, fmt, opts)
    else:
        _lines(path_in, series, weights, fmt, explain, published, weights_file, opts)


def _lines(
    path_in: Path,
    series: bool,
    weights: str,
    fmt: str,
    explain: tuple[str, str] | None,
    published: bool = False,
    weights_file: Path | None = None,
    opts: _Schedule | None = None,
) -> None:
    """--series / --explain / --published: the line-level schedule (chokepoints.trade.lines)."""
    from ..scenario import Scenario
    from ..trade import lines as tl
    from ..trade import lines_compare as tlc
    from ..trade import lines_weights as tlw

    sc = Scenario.from_yaml(path_in)  # validates the scenario; the line schedule is the bundled one
    sched = (opts or _Schedule()).build()
    if explain is not None:
        code, day = explain
        d = _parse_date(day)
        tab = sched.explain(code, d)
        for line, g in tab.groupby("line", sort=False):
            t = Table(
                title=f"US tariff on China, HTS {line}, {d} ({sc.name}; schedule {sched.name})", header_style="bold"
            )
            for col in ("layer", "row", "action", "rate %", "from", "until", "applies", "why not / source"):
                t.add_column(col, justify="right" if col == "rate %" else "left")
            for r in g.itertuples(index=False):
                if r.layer == "total":
                    t.add_row("total", "", "", f"{r.rate:g}", "", "", "", "")
                    continue
                why = r.reason or (r.titles.split(" | ")[0][:70] if r.titles else r.source)
                t.add_row(r.layer, r.row, r.action, f"{r.rate:g}", r.on, r.until, "yes" if r.applied else "no", why)
            console.print(t)
        return
    books = tlw.books_from_file(weights_file)[0] if weights_file is not None else None
    if published:
        _published(tlc.compare_published(sched, books=books), fmt, sched.name)
        if not series:
            return
    df = tl.series(sched, weights=weights, books=books)
    if fmt == "csv":
        cols = ["date", "importer", "exporter", "weights", "average_rate_pct"]
        extra = [c for c in df.columns if c not in cols]
        print(df[cols + extra].to_csv(index=False, float_format="%.3f"), end="")
        return
    for (imp, exp), g in df.groupby(["importer", "exporter"], sort=False):
        layers = [k for k in tl.LINE_LAYERS if g[f"{k}_pct"].max() > 0]
        t = Table(
            title=f"{imp} tariffs on {exp}: trade-weighted average by date ({g['weights'].iloc[0]} weights; "
            f"schedule {sched.name})",
            header_style="bold",
        )
        for col in ("date", "average %", *[f"{k} % (cov.)" for k in layers]):
            t.add_column(col, justify="left" if col == "date" else "right")
        for r in g.to_dict("records"):
            t.add_row(
                str(r["date"]),
                f"{r['average_rate_pct']:.2f}",
                *[f"{r[k + '_pct']:.2f} ({100 * r[k + '_coverage']:.0f} %)" for k in layers],
            )
        console.print(t)
    if "CHN" in set(df["importer"]):
        console.print(
            "China's side, 2017 weights: China's MFN and its 2018-20 retaliation by HS-8 line (Bown, Jung & Zhang "
            "2019, PIIE), weights China's 2017 imports from the US; the 2025 counter-tariffs on top."
            if weights == "2017"
            else "China's side, 2024 weights: additional tariffs only on the HS-6 lines of the March 2025 lists plus "
            "one residual line (China's MFN not bundled for 2024; its 2018-19 retaliation applies on listed lines)."
        )
    elif weights == "world":
        console.print("China's side: no world weights are bundled (US exports to the world by line); give them with "
                      "--weights-file (docs/tariffs.md).")  # fmt: skip


def _partners(path_in: Path, fmt: str, opts: _Schedule) -> None:
    """--series --partners: the US average tariff on each bundled partner and on all of them, by date."""
    from ..scenario import Scenario
    from ..trade import lines as tl

    Scenario.from_yaml(path_in)  # validates the scenario; the line schedule is the bundled one
    sched = opts.build()
    df = tl.series_all_partners(sched)
    if fmt == "csv":
        cols = ["date", "importer", "exporter", "weights", "average_rate_pct"]
        print(df[cols + [c for c in df.columns if c not in cols]].to_csv(index=False, float_format="%.3f"), end="")
        return
    wide = df.pivot(index="date", columns="exporter", values="average_rate_pct")
    order = ["ALL", *[p for p in tl.us_partners() if p in wide.columns]]
    title = f"US tariffs by partner: trade-weighted average %, all duties (2024 imports; schedule {sched.name})"
    t = Table(title=title, header_style="bold")
    t.add_column("date")
    for p in order:
        t.add_column(p, justify="right")
    for d, r in wide[order].iterrows():
        t.add_row(str(d), *[f"{r[p]:.1f}" for p in order])
    console.print(t)
    console.print("ALL: every line x partner at that partner's rate, weighted by 2024 imports (the bundled partners "
                  "hold 87 % of US imports). Canada, Mexico, Korea: MFN is the duty paid in 2024.")  # fmt: skip


def _published(cp: pd.DataFrame, fmt: str, schedule: str = "") -> None:
    """--published: ours against each published series on its dates, one table per direction."""
    if fmt == "csv":
        print(cp.to_csv(index=False, float_format="%.2f"), end="")
        return
    for (imp, exp), g in cp.groupby(["importer", "exporter"], sort=False):
        t = Table(title=f"{imp} tariffs on {exp}: ours against the published series (schedule {schedule})",
                  header_style="bold")  # fmt: skip
        for col in ("date", "series", "ours", "published", "difference", "our date", "our weights"):
            t.add_column(col, justify="right" if col in ("ours", "published", "difference") else "left")
        for r in g.to_dict("records"):
            when = "" if r["our_date"] == r["date"] else str(r["our_date"])
            name = str(r["published_weights"]).split(" (")[0]
            t.add_row(str(r["date"]), name, f"{r['ours_pct']:.2f}", f"{r['published_pct']:.2f}",
                      f"{r['difference']:+.2f}", when, r["our_weights"])  # fmt: skip
        console.print(t)
    within = int((cp["difference"].abs() <= 2.0).sum())
    console.print(
        f"within 2 points: {within} of {len(cp)} published values. The weights each publisher states: "
        "docs/tariffs.md; your own weights: --weights-file."
    )


def _lines_pe(path_in: Path, date: str | None, fmt: str, opts: _Schedule) -> None:
    """--lines: the PE on the line-level schedule (chokepoints.trade.lines_pe), by HS section."""
    from ..errors import InputError, Problem
    from ..scenario import Scenario
    from ..trade import lines_pe as lp

    if date is None:
        raise InputError(Problem("--date", "--lines needs --date YYYY-MM-DD (rates of that date against 2025-01-01)"))
    d = _parse_date(date)
    Scenario.from_yaml(path_in)  # validates the scenario; the line schedule is the bundled one
    res = lp.solve_lines(d, schedule=opts.build())
    df = lp.by_section(res)
    if fmt == "csv":
        print(df.to_csv(index=False, float_format="%.3f"), end="")
        return
    L, N = res.market.shape
    t = Table(
        title=f"US imports by HS section, {res.base_date} -> {d}: {L:,} lines x {N} partners "
        f"(2024 Census weights), USD million a year",
        header_style="bold",
    )
    for col in ("section", "lines", "CHN tariff %", "imports Δ %", "CHN Δ %", "others Δ", "revenue Δ",
                "buyer cost", "deadweight loss"):  # fmt: skip
        t.add_column(col, justify="left" if col == "section" else "right")
    for r in df.to_dict("records"):
        t.add_row(
            r["section"],
            f"{int(r['lines']):,}",
            f"{r['avg_rate_CHN_base']:.1f} → {r['avg_rate_CHN_new']:.1f}",
            f"{r['change_pct']:+.1f}",
            f"{r['CHN_change_pct']:+.1f}",
            _money(r["others_change"]),
            _money(r["revenue_change"]),
            _money(r["buyer_cost"]),
            _money(r["deadweight_loss"]),
        )
    console.print(t)
    chk = lp.smart_check(res)
    console.print(
        f"SMART's linear formulas on the same lines: {chk['cells_outside']:,} of {chk['cells']:,} line x partner cells "
        f"({100 * chk['share_outside']:.1f} % of base imports) leave their valid range (negative imports): flagged, "
        f"not summed. On the {chk['lines_in_range']:,} lines without such a cell, imports change by "
        f"{_money(chk['linear_change'])} (linear) against {_money(chk['nonlinear_change'])} (non-linear)."
    )
    console.print(
        "Elasticities by HS section: medians of Hauk (2012)'s US HS-6 estimates (eta import demand, sigma between "
        "varieties); export supply flat (complete pass-through). Partners' preferential MFN from their 2024 "
        "calculated duty."
    )
