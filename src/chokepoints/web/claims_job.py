"""A ``claims`` job: what ``chokepoints check`` does, in a worker, for an article posted as text.

The article is text (plain, or a saved HTML page) sent in the request, never a path; it is kept in
the job store like a scenario's text. Its options (``date``, ``lang``) are the job's ``options``.
Files: ``result.json`` with one row per numeric claim of the article (the claim, its verdict, the
figure the data give, the arithmetic, the source) and the article's title and date; the same table
as CSV and Parquet. A claims check makes no Dataset, so there is no ``result.nc``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError, Problem
from .payload import columns_of, rows_of

ARTICLE = "article"  # the source name of a posted article in problems and the report

COLUMNS: dict[str, tuple[str, str]] = {
    "index": ("#", ""),
    "text": ("Claim", ""),
    "kind": ("Kind", ""),
    "stated": ("Stated", ""),
    "value": ("Stated value", ""),
    "unit": ("Unit", ""),
    "verdict": ("Verdict", ""),
    "data_value": ("Data value (in the claim's unit)", ""),
    "arithmetic": ("Arithmetic", ""),
    "stopped": ("Stopped being true", ""),
    "needs": ("Would need", ""),
    "source": ("Source", ""),
    "source_url": ("Source address", ""),
}
VERDICTS = ("consistent", "outdated", "inconsistent", "unverifiable")


def read(text: str, options: dict[str, Any]) -> Any:
    """The :class:`~chokepoints.claims.Article` of a posted text (body found and dated), or an
    :class:`InputError` saying why not (no article text; no date and no ``article_date`` given)."""
    from ..claims.extract import read_article

    date = dt.date.fromisoformat(options["date"]) if options.get("date") else None
    try:
        return read_article(ARTICLE, text, date=date, lang=options.get("lang"))
    except InputError as exc:
        raise InputError(
            [
                Problem(p.source, p.message.replace("pass --date", "give article_date"), field="article")
                for p in exc.problems
            ]
        ) from None


def run(text: str, options: dict[str, Any]) -> tuple[dict[str, Any], None]:
    """Check every claim of the article; return ``(payload, None)``."""
    article, checked = check(text, options)
    return payload(article, [c.to_dict() for c in checked]), None


def check(text: str, options: dict[str, Any]) -> tuple[Any, list[Any]]:
    from ..claims import CheckedClaim
    from ..claims.checks import check_claim, phrase_rules
    from ..claims.extract import extract_claims

    art = read(text, options)
    return art, [CheckedClaim(c, check_claim(c, art)) for c in extract_claims(art, phrase_rules())]


def _stated(d: dict[str, Any]) -> str:
    if isinstance(d["value"], str) or d["value"] is None:
        return str(d["value"] or "")
    return f"{d['bound'] if d['bound'] != '=' else ''}{d['value']:g} {d['unit']}".strip()


def payload(article: Any, claims: list[dict[str, Any]]) -> dict[str, Any]:
    """``result.json`` of a claims check: one row per claim, the article, the verdict counts."""
    rows = []
    for i, d in enumerate(claims, start=1):
        rows.append(
            {
                "index": i,
                "text": d["text"],
                "kind": d["kind"],
                "stated": _stated(d),
                "value": d["value"] if isinstance(d["value"], int | float) else None,
                "unit": d["unit"],
                "verdict": d["verdict"],
                "data_value": d["data_value"],
                "arithmetic": d["arithmetic"],
                "stopped": d["stopped"],
                "needs": d["needs"],
                "source": "; ".join(dict.fromkeys(f"{s['title']} ({s['as_of']})" for s in d["sources"])),
                "source_url": " ".join(dict.fromkeys(s["url"] for s in d["sources"] if s.get("url"))),
            }
        )
    keys = list(COLUMNS)
    df = pd.DataFrame(rows, columns=keys)
    df["value"] = df["value"].astype(float)
    df["data_value"] = df["data_value"].astype(float)
    return {
        "kind": "claims",
        "dates": [],
        "columns": columns_of(COLUMNS, keys),
        "rows": rows_of(df, keys),
        "key_columns": ["index"],
        "charts": [],
        "article": {
            "title": article.title,
            "date": article.date.isoformat(),
            "date_basis": article.date_basis,
            "lang": article.lang,
            "claims": len(claims),
            "verdicts": {v: sum(d["verdict"] == v for d in claims) for v in VERDICTS},
        },
        "claims": claims,
        "provenance": {"kind": "claims", "article_date": article.date.isoformat(), "date_basis": article.date_basis},
    }


def write_report(path: Path, text: str, options: dict[str, Any]) -> Path:
    """``report.html`` of a finished claims job: the article with each claim marked (checked again:
    the same text, options and bundled data give the same verdicts)."""
    from ..claims.report import write_html

    article, checked = check(text, options)
    return write_html(path, article, checked)
