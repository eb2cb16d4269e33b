"""Claims: every figure of a news article held against the bundled, sourced data.

``check_text(text, path=..., date=...)`` finds the body, dates it, extracts the numeric claims
(:mod:`.extract`, Chinese numerals in :mod:`.numerals`) and gives each a verdict from the registry
(:mod:`.checks`, templates in ``registry.yaml``, data in :mod:`.data`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from .checks import Verdict, check_claim, phrase_rules
from .extract import Article, Claim, extract_claims, read_article

__all__ = ["CheckedClaim", "check_text", "check_file", "Article", "Claim", "Verdict"]


@dataclass
class CheckedClaim:
    claim: Claim
    verdict: Verdict

    def to_dict(self) -> dict[str, Any]:
        c, v = self.claim, self.verdict
        return {
            "text": c.text,
            "kind": c.kind,
            "value": c.value if c.value is not None else (c.date.isoformat() if c.date else None),
            "unit": c.unit if c.kind != "date" else f"date ({c.resolution})",
            "bound": c.bound,
            "rule": c.rule,
            "sentence": c.sentence,
            "start": c.start,
            "end": c.end,
            "verdict": v.verdict,
            "arithmetic": v.arithmetic,
            "data_value": v.data_value,
            "stopped": v.stopped,
            "needs": v.needs,
            "template": v.template,
            "alternatives": v.alternatives,
            "sources": v.sources,
        }


def check_text(
    text: str, path: str = "<text>", date: dt.date | None = None, lang: str | None = None
) -> tuple[Article, list[CheckedClaim]]:
    """The article and its checked claims."""
    art = read_article(path, text, date=date, lang=lang)
    return art, [CheckedClaim(c, check_claim(c, art)) for c in extract_claims(art, phrase_rules())]


def check_file(
    path: str | Path, date: dt.date | None = None, lang: str | None = None
) -> tuple[Article, list[CheckedClaim]]:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(Problem(str(p), f"cannot read: {exc.strerror}")) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise InputError(Problem(str(p), "not UTF-8 or GB18030 text")) from None
    return check_text(text, str(p), date=date, lang=lang)
