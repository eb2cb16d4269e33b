"""Report sections for a tariff analysis: rates over time by layer, imports by partner before and
after, totals by date, HS sections, pass-through, the SMART linear check, and the sources of the
rates in force."""

from __future__ import annotations

import datetime as dt
import html

import numpy as np
import pandas as pd
import xarray as xr

from ..report import Section
from .schedule import LAYERS, Schedule
from .smart import smart_linear
from .summary import by_partner, by_section, summary

LAYER_LABELS = {
    "mfn": "MFN",
    "section_301": "Section 301",
    "section_232": "Section 232",
    "ieepa_fentanyl": "IEEPA fentanyl",
    "ieepa_reciprocal": "IEEPA reciprocal",
    "counter": "counter-tariffs",
}


def _layout(fig, **kw):
    """The trade charts' common layout (white template, 380 px, legend below), plus ``kw``."""
    fig.update_layout(
        template="plotly_white",
        height=380,
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.2},
        **kw,
    )
    return fig


def report_date(ds: xr.Dataset, date: dt.date | str | None = None) -> pd.Timestamp:
    """The date a report details: ``date`` if given, else the date with the largest buyer cost."""
    if date is not None:
        return pd.Timestamp(str(date))
    cost = ds.buyer_cost.mean("run").sum("line").values
    return pd.Timestamp(ds["date"].values[int(np.argmax(cost))])


def _palette() -> list[str]:
    from ..report.charts import PALETTE

    return PALETTE


def _stacked_layers_figure(x: list, layers: list[tuple[str, list[float]]], title: str):
    """Stacked step chart, one trace per (label, rates) layer with any rate above 0; each layer keeps
    the palette colour of its position in ``layers``."""
    import plotly.graph_objects as go

    fig = go.Figure()
    pal = _palette()
    for k, (label, y) in enumerate(layers):
        if not np.any(np.asarray(y) > 0):
            continue
        fig.add_trace(
            go.Scatter(
                x=x,
                y=list(y),
                name=label,
                mode="lines",
                line_shape="hv",
                stackgroup="rates",
                line={"width": 0.5, "color": pal[k % len(pal)]},
            )
        )
    _layout(fig, title=title, yaxis_title="percent ad valorem")
    return fig


def rates_figure(ds: xr.Dataset, importer: str, partner: str):
    """Stacked step chart of the trade-weighted rate by layer from the base date to the end."""
    tl = ds.timeline_layer_rate.sel(importer=importer, partner=partner)
    x = list(pd.DatetimeIndex(ds["timeline"].values))
    end = pd.Timestamp(ds.attrs.get("end_date", x[-1]))
    if end > x[-1]:
        x = [*x, end]
    layers = []
    for layer in LAYERS:
        y = list(np.nan_to_num(tl.sel(layer=layer).values))
        layers.append((LAYER_LABELS[layer], [*y, y[-1]] if len(x) > len(y) else y))
    return _stacked_layers_figure(
        x, layers, f"{importer} duties on imports from {partner} by legal layer (trade-weighted, %)"
    )


def imports_figure(ds: xr.Dataset, importer: str, date: pd.Timestamp):
    """Imports by partner: base-year flows beside the flows at the rates of ``date``."""
    import plotly.graph_objects as go

    sub = ds.isel(line=np.flatnonzero(ds.line_importer.values == importer))
    base = sub.imports_base.sum("line")
    new = sub.imports_new.mean("run").sel(date=date).sum("line")
    keep = base.values > 0
    partners = [str(p) for p in base["partner"].values[keep]]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=partners, y=base.values[keep], name="base (2024 flows)", marker_color="#9aa5b1"))
    fig.add_trace(
        go.Bar(
            x=partners,
            y=new.values[keep],
            name=f"at the rates of {date.date()}",
            marker_color=_palette()[1],
        )
    )
    _layout(
        fig,
        barmode="group",
        title=f"{importer} imports by partner before and after (USD million a year)",
        yaxis_title="USD million",
    )
    return fig


def imports_over_time_figure(ds: xr.Dataset, importer: str):
    """Change in imports by partner at each evaluated date (USD million a year)."""
    import plotly.graph_objects as go

    sub = ds.isel(line=np.flatnonzero(ds.line_importer.values == importer))
    base = sub.imports_base.sum("line")
    change = (sub.imports_new.mean("run") - sub.imports_base).sum("line")
    fig = go.Figure()
    pal = _palette()
    for j, p in enumerate(sub["partner"].values):
        if float(base.sel(partner=p)) <= 0:
            continue
        fig.add_trace(
            go.Scatter(
                x=pd.DatetimeIndex(sub["date"].values),
                y=change.sel(partner=p).values,
                name=str(p),
                mode="lines+markers",
                line_shape="hv",
                line={"color": pal[j % len(pal)]},
            )
        )
    _layout(
        fig,
        title=f"Change in {importer} imports by partner at each date (USD million a year)",
        yaxis_title="USD million",
    )
    return fig


def smart_table(ds: xr.Dataset, date: pd.Timestamp) -> pd.DataFrame:
    """SMART's linear creation and diversion beside the non-linear ones, by importer and partner."""
    s = ds.sel(date=date).isel(run=0)
    lin = smart_linear(
        ds.imports_base.values,
        ds.rate_base.values / 100,
        s.rate.values / 100,
        s.eta.values,
        s.sigma.values,
        s.epsilon.values,
    )
    recs = []
    for imp in ds["importer"].values:
        sel = ds.line_importer.values == imp
        for j, p in enumerate(ds["partner"].values):
            base = float(ds.imports_base.values[sel, j].sum())
            if base <= 0:
                continue
            bad = int((~lin.valid[sel, j]).sum())
            recs.append(
                {
                    "importer": str(imp),
                    "partner": str(p),
                    "imports_base": base,
                    "creation_linear": float(lin.trade_creation[sel, j].sum()),
                    "creation_nonlinear": float(s.trade_creation.values[sel, j].sum()),
                    "diversion_linear": float(lin.trade_diversion[sel, j].sum()),
                    "diversion_nonlinear": float(s.trade_diversion.values[sel, j].sum()),
                    # outside SMART's valid range (negative imports on some line): flagged, not printed
                    "total_change_linear": float((lin.imports_new[sel, j] - ds.imports_base.values[sel, j]).sum())
                    if bad == 0
                    else float("nan"),
                    "total_change_nonlinear": float(
                        (s.imports_new.values[sel, j] - ds.imports_base.values[sel, j]).sum()
                    ),
                    "linear_valid": "yes" if bad == 0 else f"no: negative imports on {bad} line(s)",
                }
            )
    return pd.DataFrame(recs)


def trace_table(schedule: Schedule, ds: xr.Dataset, date: pd.Timestamp) -> pd.DataFrame:
    """Schedule rows in force on ``date`` for the analysed importers, with their sources."""
    d = date.date()
    importers = set(str(i) for i in ds["importer"].values)
    src = schedule.sources.set_index("source_id") if schedule.sources is not None else None
    recs = []
    for r in schedule.rows:
        if r.importer not in importers or not r.active(d):
            continue
        titles = [str(src.loc[s, "title"]) for s in r.source if src is not None and s in src.index]
        urls = [str(src.loc[s, "url"]) for s in r.source if src is not None and s in src.index]
        recs.append(
            {
                "row": r.id,
                "importer": r.importer,
                "exporter": ";".join(r.exporters),
                "products": ";".join(str(p) for p in r.products),
                "layer": r.layer,
                "action": r.action,
                "rate": r.rate,
                "on": r.on.isoformat(),
                "until": r.until.isoformat() if r.until else "",
                "source": ";".join(r.source) or r.origin.label(),
                "titles": " | ".join(titles) or r.note,
                "url": (urls[0] if urls else ""),
            }
        )
    return pd.DataFrame(recs)


def tariff_sections(
    ds: xr.Dataset, schedule: Schedule | None = None, date: dt.date | str | None = None
) -> list[Section]:
    """Report sections for an :func:`~chokepoints.trade.analyse` result.

    ``date`` picks the date detailed by partner and section (default: the date with the largest
    buyer cost); ``schedule`` adds the table of the rows in force and their sources.
    """
    when = report_date(ds, date)
    pd_fmt = pd.Timestamp(when).date()
    sections: list[Section] = []
    runs = ds.sizes["run"]
    uncertain = html.escape(str(ds.attrs.get("uncertain")))
    run_text = f"; {runs} runs over {uncertain}" if runs > 1 else ""
    intro = (
        "<p>Non-linear Armington partial equilibrium (CES between origins, constant-elasticity "
        f"composite demand and export supply) for {ds.sizes['line']} import lines and "
        f"{ds.sizes['partner']} partners; base: the rates in force on "
        f"{html.escape(str(ds.attrs.get('base_date', '')))} with "
        f"{html.escape(str(ds.attrs.get('dataset', '')))} flows. Each date's rates are held for a "
        "year (comparative statics, USD million a year). Elasticities: eta "
        f"{_span(ds.eta)}, sigma {_span(ds.sigma)}, epsilon {_span(ds.epsilon)}{run_text}. "
        "Buyer cost is the loss of buyers' surplus; deadweight loss = buyer cost - revenue change "
        "- "
        "exporters' surplus change (world efficiency loss).</p>"
    )
    sections.append(
        Section(
            "Tariff effects by date",
            html=intro,
            tables=[("Totals by date and importer", summary(ds))],
        )
    )

    figs = []
    for imp in ds["importer"].values:
        tl = ds.timeline_layer_rate.sel(importer=imp)
        peak = tl.sum("layer").max("timeline")
        partners = [str(p) for p in peak["partner"].values if float(np.nan_to_num(peak.sel(partner=p))) > 0]
        for p in partners[:4]:
            figs.append(rates_figure(ds, str(imp), p))
    sections.append(
        Section(
            "Tariff rates over time by layer",
            figures=figs,
            html="<p>Duties by legal layer, averaged over lines with base-year import weights; "
            "steps at the dates the schedule changes.</p>",
        )
    )

    figs = []
    for imp in ds["importer"].values:
        figs.append(imports_figure(ds, str(imp), when))
        if ds.sizes["date"] > 1:
            figs.append(imports_over_time_figure(ds, str(imp)))
    part = by_partner(ds, pd_fmt)
    sections.append(
        Section(
            f"Imports by partner before and after ({pd_fmt})",
            figures=figs,
            html="<p>Trade creation and diversion are SMART's terms solved non-linearly; the "
            "composite effect is the rest of the volume change (the CES model spreads the "
            "fall in total demand over all partners) and the price effect the value change "
            "from exporters' prices. Pass-through: share of the duty change in the duty-paid "
            "price (1 = buyers pay all of it).</p>",
            tables=[("By partner", part)],
        )
    )
    sections.append(
        Section(
            f"By HS section ({pd_fmt})",
            tables=[("By importer and HS section", by_section(ds, pd_fmt))],
        )
    )
    sections.append(
        Section(
            f"SMART linear check ({pd_fmt})",
            html="<p>WITS-SMART's linear formulas (Laird &amp; Yeats; Jammes &amp; Olarreaga "
            "2005) beside the non-linear solution. They agree for small tariff changes; for large "
            "ones the linearisation error grows with the change (Riker &amp; Schreiber 2020), and "
            "SMART books the whole fall in total demand on the partner whose tariff moved.</p>",
            tables=[("Linear and non-linear effects", smart_table(ds, when))],
        )
    )
    if schedule is not None:
        sections.append(
            Section(
                f"Rates in force on {pd_fmt} and their sources",
                tables=[("Schedule rows", trace_table(schedule, ds, when))],
            )
        )
    return sections


def _span(da: xr.DataArray) -> str:
    v = np.asarray(da.values, dtype=float)
    v = v[np.isfinite(v)] if np.isfinite(v).any() else v
    lo, hi = float(np.min(v)), float(np.max(v))
    return f"{lo:g}" if lo == hi else f"{lo:g} to {hi:g}"


LINE_LAYER_LABELS = {**LAYER_LABELS, "section_122": "Section 122"}


def line_series_figure(df: pd.DataFrame, importer: str, exporter: str, weights: str):
    """Stacked step chart of the line-level series (``lines.series``) by authority for one direction."""
    from .lines import LINE_LAYERS

    g = df[(df["importer"] == importer) & (df["exporter"] == exporter)].sort_values("date")
    layers = [(LINE_LAYER_LABELS[layer], list(g[f"{layer}_pct"].to_numpy())) for layer in LINE_LAYERS]
    return _stacked_layers_figure(
        list(pd.to_datetime(g["date"])),
        layers,
        f"{importer} tariffs on {exporter} by authority, tariff lines ({weights} weights, %)",
    )


def partners_figure(df: pd.DataFrame):
    """Step chart of the US average tariff (all duties) on each bundled partner and on all of them together
    (``lines.series_all_partners``)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    pal = _palette()
    for k, (partner, g) in enumerate(df.sort_values("date").groupby("exporter", sort=False)):
        line = {"width": 3 if partner == "ALL" else 1, "color": pal[k % len(pal)]}
        x, y = list(pd.to_datetime(g["date"])), list(g["average_rate_pct"])
        fig.add_trace(go.Scatter(x=x, y=y, name=partner, mode="lines", line_shape="hv", line=line))
    _layout(fig, title="US tariffs by partner, tariff lines (2024 weights, all duties, %)",
            yaxis_title="percent ad valorem")  # fmt: skip
    return fig


def line_series_section() -> Section:
    """The line-level schedule's series by authority (both directions) and the comparison with PIIE."""
    from . import lines as tl
    from . import lines_compare as tlc

    figs = []
    sched = tl.LineSchedule.bundled()  # read once: every chart and the table below use the same schedule
    pairs = (("USA", "CHN", "2024"), ("USA", "CHN", "world"), ("USA", "CHN", "2017"), ("CHN", "USA", "2017"),
             ("CHN", "USA", "2024"))  # fmt: skip
    for importer, exporter, weights in pairs:
        df = tl.series(sched, directions=[(importer, exporter)], weights=weights)
        figs.append(line_series_figure(df, importer, exporter, weights))
    figs.append(partners_figure(tl.series_all_partners(sched)))
    return Section(
        "Line-level schedule: trade-weighted series by authority",
        figures=figs,
        html="<p>The bundled line-level schedule (chokepoints.trade.lines: US HTS-10 lines with 2024 Census "
        "weights, and with 2017 weights spread from Census HS-2 chapters by 2024 shares; China's HS-8 lines "
        "with its 2017 imports from the US, Bown, Jung &amp; Zhang 2019, PIIE, "
        "and its HS-6 March 2025 lists with 2024 weights; world: US imports from the world in 2024, the bundled "
        "stand-in for PIIE's weighting by the exporter's exports to the world). The last chart: US tariffs on "
        "each of the 14 bundled partners (their own rows: baseline and country reciprocal rates, floors, USMCA) "
        "and on all of them together. The table compares it with the published "
        "averages on every published date: PIIE (all duties) and the Yale Budget Lab (additional duties only, "
        "compared with ours less MFN); difference = ours - published, percentage points.</p>",
        tables=[("Ours against the published series (PIIE; Yale Budget Lab)", tlc.compare_published(sched))],
    )
