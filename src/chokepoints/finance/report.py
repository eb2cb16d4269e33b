"""Report sections of the financial lever: holdings path, yield-change band, interest-cost band."""

from __future__ import annotations

import html
import json
from typing import Any

import pandas as pd
import xarray as xr

from ..report import Section
from .data import MOZ_TO_TONNES, load_finance_data, split_sources
from .summary import (
    band,
    band_studies,
    estimates_table,
    flows_table,
    headline,
    history_table,
    sale_end_month,
    study_label,
    threat_value,
)

_BAND = "rgba(31,119,180,0.18)"


def _band_figure(x: Any, b: xr.Dataset, title: str, ytitle: str, studies: dict[str, str], ds: xr.Dataset) -> Any:
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=x,
            y=b["high"].values,
            mode="lines",
            line={"width": 0},
            showlegend=False,
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=b["low"].values,
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor=_BAND,
            name="band of published estimates",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=b["high"].values,
            mode="lines",
            line={"dash": "dot", "color": "#d62728"},
            name=f"high: {study_label(ds, studies['high'])}",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=b["central"].values,
            mode="lines",
            line={"color": "#1f77b4"},
            name=f"central: {studies['central']}",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=b["low"].values,
            mode="lines",
            line={"dash": "dot", "color": "#2ca02c"},
            name=f"low: {study_label(ds, studies['low'])}",
        )
    )
    if ds.sizes["run"] > 1:
        fig.add_trace(
            go.Scatter(
                x=x,
                y=b["p95"].values,
                mode="lines",
                line={"dash": "dash", "color": "#7f7f7f", "width": 1},
                name="central, 95th pct over runs",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=b["p05"].values,
                mode="lines",
                line={"dash": "dash", "color": "#7f7f7f", "width": 1},
                name="central, 5th pct over runs",
            )
        )
    fig.update_layout(
        title=title,
        yaxis_title=ytitle,
        height=420,
        margin={"t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def _holdings_figure(ds: xr.Dataset) -> Any:
    import plotly.graph_objects as go

    fig = go.Figure()
    hist_x = pd.to_datetime(list(ds["history_date"].values), format="%Y-%m")
    for h in [str(x) for x in ds["holder"].values]:
        hist = ds["history_usd_bn"].sel(holder=h).values
        keep = ~pd.isna(hist)
        if keep.any():
            fig.add_trace(
                go.Scatter(
                    x=hist_x[keep],
                    y=hist[keep],
                    mode="lines+markers",
                    name=f"{h}: bundled TIC series",
                )
            )
        if float(ds["sales_bn"].sel(holder=h).sum()) > 0:
            path = ds["holdings_bn"].sel(holder=h)
            fig.add_trace(
                go.Scatter(
                    x=ds["date"].values,
                    y=path.median("run").values,
                    mode="lines",
                    line={"dash": "dash"},
                    name=f"{h}: with the sale (median over runs)",
                )
            )
    fig.update_layout(
        title="Treasury holdings: history and the path with the sale",
        yaxis_title="USD bn",
        height=420,
        margin={"t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def _gold_figure(ds: xr.Dataset) -> Any | None:
    import plotly.graph_objects as go

    fig = go.Figure()
    any_trace = False
    gx = pd.to_datetime(list(ds["gold_date"].values), format="%Y-%m")
    for h in [str(x) for x in ds["holder"].values]:
        g = ds["gold_history_moz"].sel(holder=h).values
        keep = ~pd.isna(g)
        added = ds["gold_added_moz"].sel(holder=h).median("run").values
        if keep.any():
            fig.add_trace(
                go.Scatter(
                    x=gx[keep],
                    y=g[keep] * MOZ_TO_TONNES,
                    mode="lines+markers",
                    name=f"{h}: reported gold (t)",
                )
            )
            any_trace = True
            if added.max() > 0:
                fig.add_trace(
                    go.Scatter(
                        x=ds["date"].values,
                        y=(g[keep][-1] + added) * MOZ_TO_TONNES,
                        mode="lines",
                        line={"dash": "dash"},
                        name=f"{h}: with the reserve shift",
                    )
                )
        elif added.max() > 0:
            fig.add_trace(
                go.Scatter(
                    x=ds["date"].values,
                    y=added * MOZ_TO_TONNES,
                    mode="lines",
                    name=f"{h}: gold added (t)",
                )
            )
            any_trace = True
    if not any_trace:
        return None
    fig.update_layout(
        title="Gold reserves (tonnes)",
        yaxis_title="t",
        height=380,
        margin={"t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def _yearly_interest(ds: xr.Dataset) -> pd.DataFrame:
    extra = ds["extra_interest_bn"]
    H = ds.sizes["month"]
    rows = []
    labels = ds["month_label"].values
    for y0 in range(0, H, 12):
        sl = slice(y0, min(y0 + 12, H))
        b = band(extra.isel(month=sl).sum("month"))
        rows.append(
            {
                "year": f"{labels[y0]} .. {labels[sl.stop - 1]}",
                "low": float(b["low"]),
                "central": float(b["central"]),
                "high": float(b["high"]),
                "p05": float(b["p05"]),
                "p95": float(b["p95"]),
            }
        )
    return pd.DataFrame(rows)


def _yields_by_study(ds: xr.Dataset) -> pd.DataFrame:
    t_end = sale_end_month(ds)
    y = ds["yield_change_bp"].isel(month=t_end).median("run")
    rows = []
    for e in [str(x) for x in ds["estimate"].values]:
        row: dict[str, Any] = {"estimate": e, "study": study_label(ds, e)}
        for end in ("low", "central", "high"):
            row[f"k5_{end}"] = float(ds["k_bp_per_100bn"].sel(estimate=e, end=end))
        for t in [str(x) for x in ds["tenor"].values]:
            row[f"{t} (central)"] = float(y.sel(estimate=e, end="central", tenor=t))
        rows.append(row)
    return pd.DataFrame(rows)


def _context(ds: xr.Dataset) -> pd.DataFrame:
    fd = load_finance_data()
    keys = [
        ("net_interest", "FY2024"),
        ("net_interest", "FY2025"),
        ("defense_outlays", "FY2024"),
        ("net_interest_h1", "FY2025H1"),
        ("defense_outlays_h1", "FY2025H1"),
        ("deficit", "FY2025"),
        ("debt_held_by_public", "FY2024"),
        ("marketable_debt", "2025-09"),
        ("share_maturing_12m", "2025-06"),
        ("average_maturity_months", "2025-06"),
        ("average_interest_rate", "2025-09"),
        ("cbo_1pp_10y_interest", "2017"),
        ("china_holdings_custody_adjusted", "2024-12"),
    ]
    rows = [fd.fiscal_row(k, a) for k, a in keys]
    df = pd.DataFrame(rows)[["key", "as_of", "value", "unit", "source", "note"]]
    df["value"] = [f"{v:,g}" for v in df["value"]]
    return df


def _history_text(hist: pd.DataFrame) -> pd.DataFrame:
    """The history table with figures as printed by the sources (one decimal)."""
    out = hist.copy()
    for c in ("usd_bn_start", "usd_bn_end", "change_bn", "change_pct"):
        out[c] = [f"{v:,.1f}" for v in out[c]]
    return out


def _options_table(ds: xr.Dataset) -> pd.DataFrame:
    """One row per finance event: what it does and every option in effect (defaults named)."""
    rows = []
    starts = json.loads(ds.attrs.get("holdings_start", "{}"))
    uncertain = {str(p) for p in ds["parameter"].values}
    for ev in json.loads(ds.attrs.get("events", "[]")):
        eid = ev.get("id") or ev["type"]
        if ev["type"] == "treasury_sale":
            h0 = starts.get(ev["holder"], [None, "", ""])
            mix = ev["maturity_mix"]
            opts = {
                "maturity_mix": json.dumps(mix) if mix else "official mix (assumption)",
                "holdings at start": f"{h0[0]:g}bn ({h0[1]}, {h0[2]})" if h0[0] else "",
                "other_buyers_share": ev["other_buyers_share"],
                "fed_purchase_share": ev["fed_purchase_share"],
                "impact_estimates": ", ".join(ev["impact_estimates"] or ["default band"]),
                "impact_half_life_months": ev["impact_half_life_months"] or "none (persistent)",
                "rollover_scale": ev["rollover_scale"],
                "new_borrowing_bn_per_year": ev["new_borrowing_bn_per_year"] or "FY2025 deficit (1,800)",
            }
            what = f"sells {ev['amount_bn']:g}bn over {ev['months']} months"
        else:
            opts = {"gold_price_usd_per_oz": ev["gold_price_usd_per_oz"] or "default (4,190.5)"}
            what = f"moves {ev['amount_bn']:g}bn {ev['from']} -> {ev['to']} over {ev['months']} months"
        parts = []
        for k, v in opts.items():
            mark = " (uncertain)" if f"events.{eid}.{k}" in uncertain else ""
            parts.append(f"{k}: {v}{mark}")
        for k in ("amount_bn", "months"):
            if f"events.{eid}.{k}" in uncertain:
                parts.append(f"{k} uncertain")
        rows.append(
            {
                "event": eid,
                "type": ev["type"],
                "holder": ev["holder"],
                "on": ev["on"],
                "what": what,
                "options": "; ".join(parts),
            }
        )
    return pd.DataFrame(rows)


def _cited_sources(ds: xr.Dataset, frames: list[pd.DataFrame]) -> pd.DataFrame:
    fd = load_finance_data()
    ids: set[str] = {
        "d_troy",
        "d_ladders",
        "a_bill_ladder",
        "a_long_ladder",
        "a_portfolio_mix",
        "a_duration_scaling",
        "a_stock_effect",
        "a_central_median",
        "a_bill_duration",
        "a_shape_ends",
        "d_tenor_shape",
        "d_gold_price",
        "jec2025",
        "washex2025",
    }
    for f in frames:
        for col in ("source", "sources", "estimate_source"):
            if col in f.columns:
                for v in f[col]:
                    ids.update(split_sources(str(v).replace(",", ";")))
    for v in ds["estimate_source"].values:
        ids.update(split_sources(str(v)))
    for name in ("tenors", "rollover"):
        for v in fd.tables[name]["source"]:
            ids.update(split_sources(v))
    return fd.sources_for(ids)


def _p(text: str) -> str:
    """One HTML paragraph from a wrapped text (whitespace collapsed)."""
    return "<p>" + " ".join(text.split()) + "</p>"


# long: mostly the report's prose and figure specs, one section after another; little logic to split
def finance_sections(result: xr.Dataset) -> list[Section]:
    """Report sections for a finance result.

    Summary, holdings path, yield change, US interest cost, threat, assumptions and sources.
    """
    ds = result
    studies = band_studies(ds)
    x = ds["date"].values
    head = headline(ds)
    hist = history_table(ds)
    threat = threat_value(ds)
    lo, hi = study_label(ds, studies["low"]), study_label(ds, studies["high"])
    central = study_label(ds, studies["central"])
    k = ds["k_bp_per_100bn"]
    k_lo = float(k.sel(estimate=studies["low"], end="low"))
    k_hi = float(k.sel(estimate=studies["high"], end="high"))
    intro = _p(
        """A sale path (amount, months, maturity mix) becomes net supply to private investors
        after the declared offsets (other buyers, Federal Reserve purchases); each published
        estimate of the price impact of foreign official flows turns that into yield changes by
        maturity; US marketable debt rolls over at the higher yields; the seller loses on what
        it sells and on what it still holds."""
    ) + _p(
        f"""<b>Band.</b> The low end of every band comes from <b>{html.escape(lo)}</b>
        ({k_lo:.3g} bp per $100bn at 5 years), the high end from <b>{html.escape(hi)}</b>
        ({k_hi:.3g} bp per $100bn); the central line is the median of the studies' central
        values ({html.escape(central)}). The studies answer different questions (flow
        vs stock, short vs long run) and are not averaged. Costs are nominal USD bn, not
        discounted."""
    )
    key_caption = (
        "Key numbers (low / central / high from the impact estimates; p05 / p95 over runs at the central estimate)"
    )
    sections = [
        Section(
            "Financial lever: summary",
            intro,
            tables=[
                (key_caption, head.round(2)),
                ("Sold, absorbed and moved (medians over runs, at the horizon)", flows_table(ds)),
            ],
        )
    ]
    hold_html = _p(
        """TIC figures are custody-based: holdings in Belgian or Luxembourg custody (Euroclear,
        Clearstream) are not attributed to China, so part of China's recorded decline is a move
        between custodians (FT: about $1.5tn incl. ~$700bn in custody, 2024). The history
        prefers Treasury's revised TIC history file and fills other months with first-release
        figures from the press."""
    )
    figs = [_holdings_figure(ds)]
    gold = _gold_figure(ds)
    if gold is not None:
        figs.append(gold)
    sections.append(
        Section(
            "Holdings path",
            hold_html,
            figures=figs,
            tables=[("Change in Treasury holdings, from the bundled series", _history_text(hist))],
        )
    )
    yb = band(ds["yield_change_bp"].sel(tenor="10y"))
    sections.append(
        Section(
            "Yield change",
            _p(
                """Change of the 10-year yield against no sale. Other tenors follow the Martin
                (2014) shape (2y and 5y 1.0, 10y and 30y 0.75, bills 1.0)."""
            ),
            figures=[_band_figure(x, yb, "10-year yield change (bp)", "bp", studies, ds)],
            tables=[
                (
                    "Impact estimates in the band (k5: bp per $100bn at 5 years) and the yield "
                    "change at the end of the sales, median over runs, bp",
                    _yields_by_study(ds).round(3),
                )
            ],
        )
    )
    ib = band(ds["cum_extra_interest_bn"])
    sections.append(
        Section(
            "US interest cost",
            _p(
                """Marketable debt rolls over through ladders calibrated to 31 % maturing within
                12 months and a 72-month average maturity (JEC, Oct 2025); new borrowing is
                issued at the higher yields. Feedback of the extra interest on borrowing is not
                modelled (first order)."""
            ),
            figures=[_band_figure(x, ib, "Cumulative extra US interest (USD bn)", "USD bn", studies, ds)],
            tables=[
                ("Extra US interest by year, USD bn", _yearly_interest(ds).round(2)),
                ("Budget context (bundled, sourced)", _context(ds)),
            ],
        )
    )
    ratio = threat["ratio_target_to_threatener"]["central"]
    t = threat["threatener"]
    cost = pd.DataFrame(
        [{"side": side, **{e: round(v, 2) for e, v in c.items()}} for side, c in threat["cost_to"].items()]
    )
    sections.append(
        Section(
            "Threat in a negotiation",
            _p(
                f"""Cost to {html.escape(threat["target"])}: cumulative extra interest over the
                horizon. Cost to {html.escape(t)}: price concession on the bonds sold plus the
                mark-to-market loss on what it still holds at the end of the sales (a paper
                loss, recovered by holding to maturity). Both scale with the same impact
                estimate, so their ratio ({ratio:.3g} at the central estimate) hardly depends on
                which study is right; it depends on the size of US debt that reprices against
                the holdings that lose value, and on the offsets declared. The seller's loss is
                immediate, the target's accrues over years. Available to the negotiation module
                as <code>chokepoints.finance.threat_value(result)</code>."""
            ),
            tables=[("Costs to each side, USD bn", cost)],
        )
    )
    opts = _options_table(ds)
    est = estimates_table(ds)
    sections.append(
        Section(
            "Assumptions, offsets and sources",
            _p(
                """Every offsetting behaviour is an explicit field of the
                <code>treasury_sale</code> event and can be declared uncertain
                (<code>events.&lt;id&gt;.&lt;field&gt;</code>)."""
            ),
            tables=[
                ("Finance events and the options in effect", opts),
                (
                    "All bundled impact estimates (bp per $100bn; k5 at 5 years); 'used' = in this band",
                    est,
                ),
                ("Sources cited", _cited_sources(ds, [hist, est, _context(ds)])),
            ],
        )
    )
    return sections
