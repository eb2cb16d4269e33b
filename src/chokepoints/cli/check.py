"""``chokepoints check FILE``: every figure of a news article held against the sourced data.

Prints a table of claims with verdicts (or ``--format json``: a list of claims with text, value,
unit, verdict, sources) and writes ``<out>/<file stem>.claims.html`` with the claims highlighted."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ._common import console, fail, report_input_error

_STYLE = {"consistent": "green", "outdated": "yellow", "inconsistent": "red", "unverifiable": "dim"}


def check(
    file: Annotated[Path, typer.Argument(help="Article: plain text or a saved HTML page")],
    date: Annotated[str | None, typer.Option("--date", help="Article date YYYY-MM-DD (default: from the page)")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="zh or en (default: detected)")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Folder for the HTML page (default out/claims)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Check every numeric claim of an article against the bundled data: verdict, arithmetic, sources."""
    from ..claims import check_file
    from ..claims.report import write_html
    from ..errors import InputError

    if fmt not in ("table", "json"):
        fail(f"--format: expected table or json, got {fmt!r}")
    if lang not in (None, "zh", "en"):
        fail(f"--lang: expected zh or en, got {lang!r}")
    day = None
    if date is not None:
        try:
            day = dt.date.fromisoformat(date)
        except ValueError:
            fail(f"--date: expected YYYY-MM-DD, got {date!r}")
    try:
        article, checked = check_file(file, date=day, lang=lang)
    except InputError as exc:
        report_input_error(exc)
    page = write_html(Path(out or "out/claims") / f"{file.stem}.claims.html", article, checked)
    if fmt == "json":
        typer.echo(json.dumps([c.to_dict() for c in checked], ensure_ascii=False, indent=1))
        return
    t = Table(title=f"{article.title} — dated {article.date} ({article.date_basis})")
    for col in ("#", "claim", "kind", "value", "verdict", "arithmetic", "source"):
        t.add_column(col, overflow="fold")
    for i, cc in enumerate(checked, start=1):
        d = cc.to_dict()
        note = d["arithmetic"] + (f"; stopped being true {d['stopped']}" if d["stopped"] else "")
        note += f"; needs {d['needs']}" if d["needs"] else ""
        src = "; ".join(s["title"][:50] for s in d["sources"][:2])
        value = (
            d["value"]
            if isinstance(d["value"], str)
            else f"{d['bound'] if d['bound'] != '=' else ''}{d['value']:g} {d['unit']}"
            if d["value"] is not None
            else ""
        )
        t.add_row(str(i), d["text"], d["kind"], value, f"[{_STYLE[d['verdict']]}]{d['verdict']}[/]", note, src)
    console.print(t)
    counts = {k: sum(c.verdict.verdict == k for c in checked) for k in _STYLE}
    console.print(", ".join(f"{k}: {v}" for k, v in counts.items()) + f"; page: {page}")
