"""The HTML page of a checked article: the body with each claim highlighted in its verdict's colour,
linked to its row in the table of verdicts and sources (written with :func:`chokepoints.report.write_report`)."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

COLOURS = {"consistent": "#c8f0c8", "outdated": "#ffe4a8", "inconsistent": "#ffc4c4", "unverifiable": "#dde3ea"}


def write_html(path: str | Path, article: Any, checked: list[Any]) -> Path:
    from ..report import Section, write_report

    body = article.body
    parts, pos = [], 0
    for i, cc in enumerate(checked):
        c, v = cc.claim, cc.verdict
        parts.append(html.escape(body[pos : c.start]))
        parts.append(
            f"<a href='#c{i}' title='{html.escape(v.verdict)}: {html.escape(v.arithmetic)}' "
            f"style='background:{COLOURS[v.verdict]};padding:0 2px'>{html.escape(c.text)}</a>"
        )
        pos = c.end
    parts.append(html.escape(body[pos:]))
    text = "".join(parts).replace("\n\n", "</p><p>")
    legend = " ".join(f"<span style='background:{col};padding:0 4px'>{k}</span>" for k, col in COLOURS.items())
    rows = []
    for i, cc in enumerate(checked):
        d = cc.to_dict()
        src = "<br>".join(
            f"<a href='{html.escape(s['url'])}'>{html.escape(s['title'])}</a> ({html.escape(s['as_of'])}: "
            f"{html.escape(s['value'])} {html.escape(s['unit'])})"
            for s in d["sources"]
        )
        extra = d["needs"] or (f"stopped being true: {d['stopped']}" if d["stopped"] else "")
        rows.append(
            f"<tr id='c{i}'><td>{i + 1}</td><td>{html.escape(d['text'])}</td><td style='background:"
            f"{COLOURS[d['verdict']]}'>{d['verdict']}</td><td>{html.escape(d['arithmetic'])}<br>"
            f"<span class='meta'>{html.escape(extra)}</span></td><td>{src}</td></tr>"
        )
    table = (
        "<table><thead><tr><th>#</th><th>claim</th><th>verdict</th><th>arithmetic</th><th>sources</th></tr>"
        "</thead><tbody>" + "".join(rows) + "</tbody></table>"
    )
    sections = [
        Section("Article", f"<p class='meta'>{legend}</p><p>{text}</p>"),
        Section("Claims and verdicts", table),
    ]
    prov = {"article": article.path, "article_date": article.date.isoformat(), "date_basis": article.date_basis}
    return write_report(path, f"Claims check: {article.title}", sections, prov)
