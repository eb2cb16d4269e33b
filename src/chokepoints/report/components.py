"""The one set of table and chart components shared by the static reports and the web page.

Tables: :func:`table_html` names every column from :data:`COLUMN_LABELS` (label and unit; a name not
in the map is turned into words by :func:`column_label`), writes numbers with thousands separators
and never in scientific notation (:func:`format_number`), and wraps inside the page width (the CSS
in :data:`TABLE_CSS`). The web page reads the same labels and rules from ``GET /api/v1/format``
(:func:`format_rules`) and the same table HTML from ``GET /api/v1/jobs/{id}/table``.

Charts: :func:`line_style` and :func:`marker_style` give each series of a chart a distinct dash, width
or size in legend order, so a series drawn over another of equal values leaves the one below visible
(a wider line or a larger marker under a narrower one); :func:`separate_overlaps` applies that to any
finished Plotly figure whose traces coincide (EV under ICE at 100 % of baseline; the Nash marker under
the Kalai-Smorodinsky one when both pick the same package). :func:`overlapping_pairs` finds such pairs
(the tests use it).
"""

from __future__ import annotations

import html
import math
import re
from typing import Any

import numpy as np
import pandas as pd

# -- column names ------------------------------------------------------------------------------
# code name -> (label, unit). The unit is shown in brackets after the label; "" for none.
COLUMN_LABELS: dict[str, tuple[str, str]] = {
    # engine run summary
    "region": ("Region", ""),
    "end_use": ("End use", ""),
    "end_uses": ("End uses", ""),
    "shortfall_day_median": ("First shortfall, day (median)", "day"),
    "shortfall_day_p05": ("First shortfall, day (5 %)", "day"),
    "shortfall_day_p95": ("First shortfall, day (95 %)", "day"),
    "share_of_runs_short": ("Share of runs short", "share"),
    "units_median": ("Output lost (median)", "product units"),
    "units_p05": ("Output lost (5 %)", "product units"),
    "units_p95": ("Output lost (95 %)", "product units"),
    "usd_median": ("Output lost (median)", "USD"),
    "usd_p05": ("Output lost (5 %)", "USD"),
    "usd_p95": ("Output lost (95 %)", "USD"),
    "unit": ("Unit", ""),
    "sector": ("Sector", ""),
    # scenario and sources tables
    "id": ("Id", ""),
    "kind": ("Kind", ""),
    "type": ("Type", ""),
    "date": ("Date", ""),
    "start": ("Start", ""),
    "end": ("End", ""),
    "until": ("Until", ""),
    "on": ("On", ""),
    "exporter": ("Exporter", ""),
    "importer": ("Importer", ""),
    "partner": ("Partner", ""),
    "products": ("Products", ""),
    "destinations": ("Destinations", ""),
    "approval_rate": ("Approval rate", "share"),
    "review_days": ("Review time", "days"),
    "validity_days": ("Licence validity", "days"),
    "period_days": ("Period", "days"),
    "renewal": ("Renewal", ""),
    "excluded_end_uses": ("Excluded end uses", ""),
    "mode": ("Mode", ""),
    "parameter": ("Parameter", ""),
    "distribution": ("Distribution", ""),
    "low": ("Low", ""),
    "high": ("High", ""),
    "central": ("Central", ""),
    "value": ("Value", ""),
    "where": ("Where", ""),
    "note": ("Note", ""),
    "source_id": ("Source", ""),
    "source": ("Source", ""),
    "sources": ("Sources", ""),
    "title": ("Title", ""),
    "titles": ("Titles", ""),
    "url": ("Address", ""),
    "as_of": ("As of", ""),
    "used": ("Used for", ""),
    "what": ("What", ""),
    "item": ("Item", ""),
    "key": ("Key", ""),
    "options": ("Options", ""),
    "estimate": ("Estimate", ""),
    "event": ("Event", ""),
    "label": ("Label", ""),
    # tariffs (USD million a year, base-year flows)
    "action": ("Action", ""),
    "layer": ("Legal layer", ""),
    "section": ("HS section", ""),
    "row": ("Row", ""),
    "rate": ("Rate", "%"),
    "rate_base": ("Rate before", "%"),
    "rate_avg": ("Average rate", "%"),
    "rate_avg_base": ("Average rate before", "%"),
    "imports_base": ("Imports before", "USD m/yr"),
    "imports_new": ("Imports after", "USD m/yr"),
    "imports_change": ("Change in imports", "USD m/yr"),
    "imports_change_pct": ("Change in imports", "%"),
    "buyer_cost": ("Cost to buyers", "USD m/yr"),
    "buyer_cost_p5": ("Cost to buyers (5 %)", "USD m/yr"),
    "buyer_cost_p95": ("Cost to buyers (95 %)", "USD m/yr"),
    "deadweight_loss": ("Deadweight loss", "USD m/yr"),
    "deadweight_loss_p5": ("Deadweight loss (5 %)", "USD m/yr"),
    "deadweight_loss_p95": ("Deadweight loss (95 %)", "USD m/yr"),
    "revenue_base": ("Tariff revenue before", "USD m/yr"),
    "revenue_new": ("Tariff revenue after", "USD m/yr"),
    "revenue_change": ("Change in tariff revenue", "USD m/yr"),
    "change": ("Change", "USD m/yr"),
    "change_pct": ("Change", "%"),
    "pass_through": ("Pass-through to buyers", "share"),
    "exporter_price_change_pct": ("Exporter price change", "%"),
    "exporter_surplus_change": ("Exporter surplus change", "USD m/yr"),
    "trade_creation": ("Trade creation", "USD m/yr"),
    "trade_diversion": ("Trade diversion", "USD m/yr"),
    "creation_linear": ("Creation, linear (SMART)", "USD m/yr"),
    "creation_nonlinear": ("Creation, non-linear", "USD m/yr"),
    "diversion_linear": ("Diversion, linear (SMART)", "USD m/yr"),
    "diversion_nonlinear": ("Diversion, non-linear", "USD m/yr"),
    "total_change_linear": ("Total change, linear", "USD m/yr"),
    "total_change_nonlinear": ("Total change, non-linear", "USD m/yr"),
    "linear_valid": ("Linear estimate valid", ""),
    "price_effect": ("Price effect", "USD m/yr"),
    "composite_effect": ("Composite effect", "USD m/yr"),
    # finance
    "metric": ("Metric", ""),
    "holder": ("Holder", ""),
    "tenor": ("Tenor", ""),
    "horizon": ("Horizon", ""),
    "study": ("Study", ""),
    "flow": ("Flow", ""),
    "side": ("Side", ""),
    "other": ("Other", ""),
    "year": ("Year", ""),
    "p05": ("5th percentile", ""),
    "p95": ("95th percentile", ""),
    "bp_low": ("Low", "bp"),
    "bp_central": ("Central", "bp"),
    "bp_high": ("High", "bp"),
    "k5_low": ("Per USD 100 bn, low", "bp"),
    "k5_central": ("Per USD 100 bn, central", "bp"),
    "k5_high": ("Per USD 100 bn, high", "bp"),
    "change_bn": ("Change", "USD bn"),
    "usd_bn": ("Amount", "USD bn"),
    "usd_bn_start": ("Holdings at the start", "USD bn"),
    "usd_bn_end": ("Holdings at the end", "USD bn"),
    # negotiation
    "round": ("Round", ""),
    "issue": ("Issue", ""),
    "party": ("Party", ""),
    "faction": ("Faction", ""),
    "lever": ("Lever", ""),
    "step": ("Step", ""),
    "offer": ("Offer", ""),
    "proposer": ("Proposer", ""),
    "accepted": ("Accepted", ""),
    "package": ("Package", ""),
    "solution": ("Solution", ""),
    "strategy": ("Strategy", ""),
    "weight": ("Weight", ""),
    "values": ("Values", ""),
    "terms": ("Terms", ""),
    "topics": ("Topics", ""),
    "excluded": ("Excluded", ""),
    "combine": ("Combine", ""),
    "add": ("Add", ""),
}

_WORDS = {"usd": "USD", "bn": "bn", "pct": "%", "hs": "HS", "id": "id", "ks": "KS", "bp": "bp", "p05": "5 %",
          "p5": "5 %", "p95": "95 %"}  # fmt: skip
_CODE_NAME = re.compile(r"[a-z][a-z0-9]*(_[A-Za-z0-9]+)+")


def is_code_name(name: str) -> bool:
    """True for a raw code name such as ``shortfall_day_p05`` (lower case words joined by underscores)."""
    return bool(_CODE_NAME.fullmatch(name))


def column_label(name: Any) -> tuple[str, str]:
    """(label, unit) of a column: from :data:`COLUMN_LABELS`, else words made from the name
    (``change_CHN`` -> "Change, CHN"; ``rate_avg_base`` -> "Rate avg base"). A name that is already
    prose (spaces or capitals, as most negotiation tables use) is kept as it is."""
    key = str(name)
    if key in COLUMN_LABELS:
        return COLUMN_LABELS[key]
    m = re.fullmatch(r"([a-z_]+)_([A-Z]{2,4})", key)
    if m and m.group(1) in COLUMN_LABELS:  # per-country columns such as change_CHN
        label, unit = COLUMN_LABELS[m.group(1)]
        return f"{label}, {m.group(2)}", unit
    if "_" not in key and (key[:1].isupper() or " " in key or not key.isidentifier()):
        return key, ""
    if "_" not in key and " " not in key and key.isidentifier() and key.islower():
        return key[:1].upper() + key[1:], ""
    if " " in key:  # prose with an underscore inside, e.g. "USA:supply_chains" -> keep but readable
        return key.replace("_", " "), ""
    words = [_WORDS.get(w.lower(), w) for w in key.split("_") if w]
    text = " ".join(words)
    return (text[:1].upper() + text[1:]) if text else key, ""


def header_text(name: Any, labels: dict[str, tuple[str, str]] | None = None) -> str:
    """The header shown for a column: "label (unit)", the unit left out when the label has it.
    ``labels`` overrides :data:`COLUMN_LABELS` (a table whose numbers were rescaled, e.g. to USD million)."""
    label, unit = (labels or {}).get(str(name)) or column_label(name)
    if not unit or unit in label:
        return label
    return f"{label} ({unit})"


# -- numbers -----------------------------------------------------------------------------------
SIGNIFICANT = 4  # significant digits of numbers below 1,000
MAX_DECIMALS = 6  # below 10**-MAX_DECIMALS a non-zero number is written "< 0.000001"
_FLOAT_TEXT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
SCIENTIFIC = re.compile(r"(?<![\w.])[-+]?\d+(\.\d+)?[eE][-+]?\d+(?![\w.])")  # 2.86e9, 1e-05; not hex in a hash


def format_number(v: Any, unit: str = "") -> str:
    """A number as a person reads it: thousands separators, no scientific notation.

    Integers in full (12,345). Other numbers: from 1,000 up rounded to a whole number (1,234,568);
    below 1,000 to 4 significant digits with trailing zeros dropped (12.35, 0.002743); a non-zero
    number below 0.000001 in size is written "< 0.000001" (with its sign). Missing (None, NaN): "—".
    A unit of "%" is appended as " %"."""
    if v is None or isinstance(v, bool):
        return "—" if v is None else str(v)
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, int):
        text = f"{v:,}"
    else:
        x = float(v)
        if math.isnan(x):
            return "—"
        if math.isinf(x):
            return "∞" if x > 0 else "−∞"
        a = abs(x)
        if a >= 1000 or x == 0:
            text = f"{x:,.0f}"
        elif a < 10**-MAX_DECIMALS:
            text = ("−" if x < 0 else "") + f"< {10**-MAX_DECIMALS:.{MAX_DECIMALS}f}"
        else:
            decimals = min(MAX_DECIMALS, SIGNIFICANT - 1 - math.floor(math.log10(a)))
            text = f"{x:,.{max(decimals, 0)}f}"
            if "." in text:
                text = text.rstrip("0").rstrip(".")
        if text in ("-0", "−0"):
            text = "0"
    return f"{text} %" if unit == "%" else text


def format_cell(v: Any, unit: str = "") -> tuple[str, bool]:
    """(escaped HTML, is_number) of one table cell. Text that is a number written by ``str`` (the
    scenario tables hold such text, e.g. "2.743e-07") is formatted as a number too."""
    if isinstance(v, bool) or v is None:
        return html.escape("—" if v is None else str(v)), False
    if isinstance(v, int | float | np.integer | np.floating):
        return format_number(v, unit), True
    if isinstance(v, pd.Timestamp):
        return html.escape(str(v.date()) if v == v.normalize() else str(v)), False
    text = str(v)
    if _FLOAT_TEXT.fullmatch(text.strip()) and any(c.isdigit() for c in text):
        try:
            num = float(text)
        except ValueError:
            pass
        else:
            return format_number(int(num) if re.fullmatch(r"[-+]?\d+", text.strip()) else num, unit), True
    if text.startswith(("http://", "https://")):
        esc = html.escape(text)
        return f'<a href="{esc}">{esc}</a>', False
    # numbers in prose (a source note's formula "2.86e9 / 58,152") are written out as well
    text = SCIENTIFIC.sub(lambda m: format_number(float(m.group(0))), text)
    return html.escape(text), False


# -- tables ------------------------------------------------------------------------------------
TABLE_CSS = """
.cp-table-wrap{max-width:100%;overflow-x:auto}
table.cp-table{border-collapse:collapse;margin:.6rem 0;font-size:.86rem;max-width:100%}
table.cp-table th,table.cp-table td{border:1px solid #d0d7de;padding:.25rem .45rem;text-align:left;vertical-align:top}
table.cp-table th{background:#f6f8fa;font-weight:600;overflow-wrap:anywhere;hyphens:auto}
table.cp-table.wide{font-size:.78rem}
table.cp-table td{overflow-wrap:anywhere}
table.cp-table td.short{white-space:nowrap}
table.cp-table td.num{text-align:right;font-variant-numeric:tabular-nums;overflow-wrap:normal;white-space:nowrap}
table.cp-table td.num.long{white-space:normal}
table.cp-table caption{text-align:left;font-weight:600;padding:.2rem 0}
"""


def table_html(
    df: pd.DataFrame, caption: str = "", max_rows: int = 500, labels: dict[str, tuple[str, str]] | None = None
) -> str:
    """A table readable by a person: headers from :func:`header_text`, numbers right-aligned and
    written by :func:`format_number` (percent columns with " %"), each cell tagged with its code
    name in ``data-key``, long text wrapped inside the page width (numbers break only after a
    thousands separator, where the table would otherwise be wider than the page)."""
    cols = [str(c) for c in df.columns]
    labels = labels or {}
    units = [(labels.get(c) or column_label(c))[1] for c in cols]
    head = "".join(f'<th data-key="{html.escape(c)}">{html.escape(header_text(c, labels))}</th>' for c in cols)
    body = []
    for row in df.head(max_rows).itertuples(index=False):
        cells = []
        for c, unit, v in zip(cols, units, row, strict=True):
            text, num = format_cell(v, unit)
            short = not num and len(text) <= 16 and " " not in text  # a code or a date: kept on one line
            cls = (
                (' class="num long"' if len(text) > 9 else ' class="num"') if num else ' class="short"' if short else ""
            )
            if num and len(text) > 9:  # a long number may break after a thousands separator, and only there
                text = text.replace(",", ",<wbr>")
            cells.append(f'<td{cls} data-key="{html.escape(c)}">{text}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    wide = "cp-table wide" if len(cols) >= 12 else "cp-table"
    more = f"<p class='meta'>{len(df) - max_rows:,} more rows not shown.</p>" if len(df) > max_rows else ""
    return (
        f"<div class='cp-table-wrap'><table class='{wide}'>{cap}<thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></div>{more}"
    )


def format_rules() -> dict[str, Any]:
    """The labels and number rules as JSON, for the web page (``GET /api/v1/format``)."""
    return {
        "columns": {k: {"label": v[0], "unit": v[1], "header": header_text(k)} for k, v in COLUMN_LABELS.items()},
        "numbers": {
            "significant": SIGNIFICANT,
            "whole_from": 1000,
            "max_decimals": MAX_DECIMALS,
            "thousands_separator": ",",
            "scientific_notation": False,
            "missing": "—",
        },
        "css": TABLE_CSS,
    }


# -- charts ------------------------------------------------------------------------------------
PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"]
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
SYMBOLS = ["circle", "diamond", "square", "triangle-up", "star", "x", "cross", "pentagon"]


def line_style(i: int, n: int, color: str | None = None) -> dict[str, Any]:
    """Line of series ``i`` of ``n`` in legend order: its own colour and dash, and a width that falls
    with ``i`` (width = 2 + 6 (n - 1 - i) / (n - 1) px: 8 px for the first, 2 px for the last), so a
    later series drawn on top of an earlier one with the same values leaves the earlier one showing."""
    return {
        "color": color or PALETTE[i % len(PALETTE)],
        "dash": DASHES[i % len(DASHES)],
        "width": round(2 + 6 * max(n - 1 - i, 0) / max(n - 1, 1), 2),
    }


def marker_style(i: int, n: int, color: str | None = None, symbol: str | None = None) -> dict[str, Any]:
    """Marker of point series ``i`` of ``n``: size falls with ``i`` (size = 10 + 12 (n - 1 - i) / (n - 1)
    px), so markers at one point nest like rings, each with a white outline."""
    return {
        "color": color or PALETTE[i % len(PALETTE)],
        "size": round(10 + 12 * max(n - 1 - i, 0) / max(n - 1, 1), 2),
        "symbol": symbol or SYMBOLS[i % len(SYMBOLS)],
        "line": {"width": 1.5, "color": "white"},
    }


def _xy(trace: Any) -> tuple[np.ndarray, np.ndarray] | None:
    if trace.x is None or trace.y is None:
        return None
    try:
        y = np.asarray(trace.y, dtype=float)
    except (TypeError, ValueError):
        return None
    x = np.asarray([str(v) for v in np.asarray(trace.x).ravel()])
    return x, y


def _visible_line(trace: Any) -> bool:
    mode = getattr(trace, "mode", None) or "lines"
    width = trace.line.width if getattr(trace, "line", None) is not None else None
    return "lines" in mode and width != 0 and trace.fill in (None, "none") and trace.stackgroup is None


def _visible_markers(trace: Any) -> bool:
    mode = getattr(trace, "mode", None) or ""
    return "markers" in mode


def overlapping_pairs(fig: Any, rtol: float = 1e-6) -> list[tuple[int, int]]:
    """Pairs (i, j), i < j, of visible scatter traces with the same points (equal x, y equal within
    ``rtol`` of the larger magnitude) drawn with the same look (line dash and width, or marker size
    and symbol): j would hide i."""
    traces = [t for t in fig.data if t.type in ("scatter", "scattergl")]
    out = []
    for i, a in enumerate(traces):
        for j in range(i + 1, len(traces)):
            b = traces[j]
            same_kind = (_visible_line(a) and _visible_line(b)) or (_visible_markers(a) and _visible_markers(b))
            if not same_kind or _look(a) != _look(b) or not _same_points(a, b, rtol):
                continue
            out.append((fig.data.index(a), fig.data.index(b)))
    return out


def _look(t: Any) -> tuple[Any, ...]:
    if _visible_markers(t) and not _visible_line(t):
        return ("m", t.marker.size, t.marker.symbol)
    return ("l", t.line.dash or "solid", t.line.width)


def _same_points(a: Any, b: Any, rtol: float) -> bool:
    pa, pb = _xy(a), _xy(b)
    if pa is None or pb is None or pa[0].shape != pb[0].shape or pa[1].shape != pb[1].shape:
        return False
    if not np.array_equal(pa[0], pb[0]):
        return False
    ya, yb = pa[1], pb[1]
    ok = np.isfinite(ya) & np.isfinite(yb)
    if not ok.any():
        return False
    scale = max(float(np.nanmax(np.abs(ya[ok]))), float(np.nanmax(np.abs(yb[ok]))), 1e-12)
    return bool(np.all(np.abs(ya[ok] - yb[ok]) <= rtol * scale) and np.array_equal(np.isfinite(ya), np.isfinite(yb)))


def separate_overlaps(fig: Any) -> Any:
    """Restyle traces that coincide so that none hides another: for each group of coinciding lines,
    distinct dashes and widths falling in legend order (:func:`line_style`, keeping colours); for
    coinciding markers, sizes falling in legend order (:func:`marker_style`). Returns ``fig``."""
    for _ in range(3):  # restyling one pair can leave another coinciding; a few passes settle it
        pairs = overlapping_pairs(fig)
        if not pairs:
            break
        groups: dict[int, list[int]] = {}
        for i, j in pairs:
            root = next((r for r, g in groups.items() if i in g), i)
            groups.setdefault(root, [root])
            for k in (i, j):
                if k not in groups[root]:
                    groups[root].append(k)
        for members in groups.values():
            members.sort()
            n = len(members)
            for rank, k in enumerate(members):
                t = fig.data[k]
                if _visible_line(t):
                    st = line_style(rank, n, color=t.line.color)
                    t.line.dash, t.line.width = st["dash"], st["width"]
                if _visible_markers(t):
                    st = marker_style(rank, n, color=t.marker.color, symbol=t.marker.symbol)
                    t.marker.size = st["size"]
                    t.marker.line = st["line"]
    return fig


def style_layout(fig: Any, **kw: Any) -> Any:
    """The shared layout: white template, numbers on axes with thousands separators and no
    exponent, legend in trace order below the chart."""
    fig.update_layout(
        template="plotly_white",
        legend={"orientation": "h", "y": -0.15, "traceorder": "normal"},
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
        **kw,
    )
    fig.update_yaxes(exponentformat="none", separatethousands=True)
    return fig
