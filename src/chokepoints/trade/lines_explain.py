"""Why a line pays what it pays: every layer and row behind one line's rate on one date (``LineSchedule.explain``)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from .lines import LINE_LAYERS, LineRow, LineSchedule, line_book

# Reasons that qualify a row that applies (the others say why a row does not apply).
APPLIED_NOTES = ("partly exempt", "on ", "all-in")


def explain(
    schedule: LineSchedule, code: str, d: dt.date, importer: str = "USA", exporter: str = "CHN"
) -> pd.DataFrame:
    """Every layer and row that bears on one line on one date, whether it applies and why.

    ``code`` is an HTS-10 line, or a shorter code matching several bundled lines (each is explained).
    """
    code = str(code).strip().replace(".", "")
    book = line_book(importer, exporter)
    hits = [i for i, c in enumerate(book.codes) if c.startswith(code) or code.startswith(c)]
    if not code.isdigit() or not hits:
        raise InputError(Problem("--explain", f"no bundled tariff line matches {code!r} for {importer} <- {exporter}"))
    recs = []
    src = schedule.sources.set_index("source_id") if schedule.sources is not None else None
    for i in hits[:10]:
        one = np.array([book.codes[i]])
        mfn = None if book.mfn is None else book.mfn[i : i + 1]
        layer_rates = schedule.rates(d, importer, exporter, one, mfn)[:, 0]
        if book.mfn is not None:
            recs.append(
                _rec(
                    book.codes[i],
                    "mfn",
                    f"MFN ({book.mfn_basis[i]})",
                    "line",
                    book.mfn[i],
                    "",
                    "",
                    True,
                    "",
                    (),
                    src,
                )
            )
        for r in schedule.rows:
            if not r.applies(importer, exporter) or not schedule._mask(r, one)[0]:
                continue
            if not r.active(d):
                continue
            k = LINE_LAYERS.index(r.layer)
            reason = _reason(schedule, r, d, importer, exporter, one, layer_rates[k])
            recs.append(
                _rec(
                    book.codes[i],
                    r.layer,
                    r.id,
                    r.action,
                    r.rate,
                    r.on,
                    r.until or "",
                    not reason or reason.startswith(APPLIED_NOTES),
                    reason,
                    r.source,
                    src,
                )
            )
        recs.append(_rec(book.codes[i], "total", "", "", float(layer_rates.sum()), "", "", True, "", (), src))
    return pd.DataFrame(recs)


def _reason(
    s: LineSchedule, r: LineRow, d: dt.date, importer: str, exporter: str, one: np.ndarray, layer_rate: float
) -> str:
    rule = s.rules[r.layer]
    rows = _in_force(s, d, importer, exporter, one, r.layer)
    if r.action in ("add", "floor"):
        ex = [o.id for o in rows if o.action == "exclude"]
        if ex:
            return f"exempt: excluded by {', '.join(ex)}"
        if rule.within == "latest":
            adds = sorted((o for o in rows if o.action in ("add", "floor")), key=lambda o: o.on)
            if adds and adds[-1] is not r:
                return f"replaced by the later {adds[-1].id} (rule: {r.layer} latest)"
        part = [o for o in rows if o.action == "exclude_share"]
        top = max(part, key=lambda o: o.rate) if part else None
        if layer_rate == 0:
            blockers = _blockers(s, rule, d, importer, exporter, one)
            if blockers:
                return f"layer does not apply to goods under {', '.join(blockers)}"
            if top is not None and top.rate >= 100:
                return f"exempt: all of the line's trade excluded by {top.id}"
            return "suspended to zero"
        if top is not None:
            share = top.rate * float(np.asarray(s._scale(top, one)).ravel()[0])
            return f"partly exempt: {share:g} % of the line's trade excluded by {top.id}"
        if r.scale:
            part_of = 100 * float(np.asarray(s._scale(r, one)).ravel()[0])
            return f"on {part_of:.4g} % of the line's value (share table {r.scale})"
        if r.action == "floor":
            return f"all-in {r.rate:g} %: the points above the line's MFN rate"
        stacked = [o.id for o in _in_force(s, d, importer, exporter, one) if o.id in rule.except_rows]
        if stacked:  # "on ..." counts as applied (APPLIED_NOTES)
            return f"on top of {', '.join(stacked)}, which the stacking rule excepts from {', '.join(rule.excluded_by)}"
        if rule.excluded_by:
            return _partial_block(s, rule, d, importer, exporter, one, layer_rate)
    if r.action == "suspend":
        if not any(o.action in ("add", "floor") for o in rows):
            return "nothing to suspend"
        blockers = _blockers(s, rule, d, importer, exporter, one) if layer_rate == 0 else []
        if blockers:  # the layer is off on this line, so there is nothing for the suspension to take off
            return f"layer does not apply to goods under {', '.join(blockers)}"
    return ""


def _in_force(
    s: LineSchedule, d: dt.date, importer: str, exporter: str, one: np.ndarray, layer: str | None = None
) -> list[LineRow]:
    """The rows in force on date ``d`` on the one line ``one`` (of ``layer``, or of every layer), in file order."""
    return [o for o in s.rows if (layer is None or o.layer == layer) and o.active(d) and o.applies(importer, exporter)
            and s._mask(o, one)[0]]  # fmt: skip


def _blockers(s: LineSchedule, rule, d: dt.date, importer: str, exporter: str, one: np.ndarray) -> list[str]:
    """The layers of ``rule.excluded_by`` in force on the line (those that switch the rule's layer off)."""
    full = s.rates(d, importer, exporter, one)
    return [b for b in rule.excluded_by if full[LINE_LAYERS.index(b)][0] > 0]


def _partial_block(s, rule, d, importer, exporter, one, layer_rate: float) -> str:
    """Why a layer blocked by another is reduced, not zero: the blocking layer covers only part of the value."""
    if layer_rate <= 0:
        return ""
    for b in rule.excluded_by:
        rows = [o for o in _in_force(s, d, importer, exporter, one, b)
                if o.action == "add" and o.scale and o.id not in rule.except_rows]  # fmt: skip
        if rows:
            c = 100 * float(np.asarray(s._scale(rows[-1], one)).ravel()[0])
            return f"on the {100 - c:.4g} % of the value outside {b} ({rows[-1].id} covers {c:.4g} %)"
    return ""


def _rec(code, layer, row, action, rate, on, until, applied, reason, source, src) -> dict:
    titles = [str(src.loc[x, "title"]) for x in source if src is not None and x in src.index]
    urls = [str(src.loc[x, "url"]) for x in source if src is not None and x in src.index and src.loc[x, "url"]]
    keys = ("line", "layer", "row", "action", "rate", "on", "until", "applied", "reason", "source", "titles", "urls")
    vals = (code, layer, row, action, float(rate), str(on), str(until), bool(applied), reason, ";".join(source),
            " | ".join(titles), " ".join(urls))  # fmt: skip
    return dict(zip(keys, vals, strict=True))
