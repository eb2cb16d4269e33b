"""Write one self-contained HTML file: Plotly's JavaScript is embedded once, every
chart's data sits in the page, and nothing is fetched when it opens.

A report is a list of :class:`Section`; each holds free HTML, Plotly figures and
tables. Every module (engine runs, tariffs, finance, negotiation) builds its own
sections and hands them to :func:`write_report`.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import components

_CSS = (
    """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;max-width:1400px;
padding:1.5rem;color:#1b1f24;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem} h2{border-bottom:1px solid #d0d7de;padding-bottom:.2rem;margin-top:2rem}
.meta{color:#57606a;font-size:.85rem} pre{background:#f6f8fa;padding:.8rem;overflow:auto;font-size:.8rem}
.figure{margin:1rem 0;max-width:100%} nav ul{columns:2 18rem}
"""
    + components.TABLE_CSS
)


@dataclass
class Section:
    """One titled part of a report."""

    title: str
    html: str = ""
    figures: list[Any] = field(default_factory=list)  # plotly.graph_objects.Figure
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)  # (caption, frame)
    anchor: str | None = None


def table_html(df: pd.DataFrame, caption: str = "", max_rows: int = 500) -> str:
    """An HTML table readable by a person (see :func:`chokepoints.report.components.table_html`)."""
    return components.table_html(df, caption, max_rows)


def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def write_report(
    path: str | Path, title: str, sections: list[Section], provenance: dict[str, Any] | None = None
) -> Path:
    """Write the report atomically (temporary file, then rename): a failed run
    never leaves a half-written file in place of an earlier report."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    parts = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
        f"<style>{_CSS}</style><script type='text/javascript'>{_plotly_js()}</script></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    prov = dict(provenance or {})
    prov.setdefault("report_written", dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    parts.append(
        "<p class='meta'>"
        + " · ".join(f"{html.escape(str(k))}: {html.escape(str(v))}" for k, v in prov.items())
        + "</p>"
    )
    parts.append(
        "<nav><ul>"
        + "".join(f"<li><a href='#s{i}'>{html.escape(s.title)}</a></li>" for i, s in enumerate(sections))
        + "</ul></nav>"
    )
    for i, s in enumerate(sections):
        parts.append(f"<section id='{s.anchor or f's{i}'}'><h2 id='s{i}'>{html.escape(s.title)}</h2>{s.html}")
        for fig in s.figures:
            components.separate_overlaps(fig)
            fig.update_yaxes(exponentformat="none", separatethousands=True)
            parts.append("<div class='figure'>" + fig.to_html(full_html=False, include_plotlyjs=False) + "</div>")
        for caption, df in s.tables:
            parts.append(table_html(df, caption))
        parts.append("</section>")
    parts.append(
        f"<script type='application/json' id='chokepoints-provenance'>{json.dumps(prov, default=str)}"
        "</script></body></html>"
    )
    fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".html", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("".join(parts))
        from ..outputs import file_mode

        os.chmod(tmp, file_mode())  # readable by others as the umask says (mkstemp gives 0600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
