"""Rows and stacking rules of the line-level schedule: reading and checking layers.csv and stacking.csv.

Re-exported by ``chokepoints.trade.lines`` (whose docstring describes the tables and the stacking rules).
A row may name a ``scale``: a bundled per-line table of shares in [0, 1] (``line_shares.csv.gz``), by which
the row's rate is multiplied line by line -- the metal content of a Section 232 derivative, the USMCA share
of a Canadian or Mexican line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, Problem

LINE_LAYERS: tuple[str, ...] = (
    "mfn",
    "section_301",
    "section_232",
    "ieepa_fentanyl",
    "ieepa_reciprocal",
    "section_122",
    "counter",
)
WITHIN = ("line", "latest", "additive")
ACTIONS = ("add", "floor", "suspend", "exclude", "exclude_share")


def _read(path: Path, required: Sequence[str], dtype: dict | type = str, **read_csv: object) -> pd.DataFrame:
    """A CSV table with its required columns, or one located error (file, line 1, the missing column)."""
    try:
        df = pd.read_csv(path, dtype=dtype, keep_default_na=False, **read_csv)
    except FileNotFoundError:
        raise InputError(Problem(str(path), "file not found")) from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(Problem(str(path), f"cannot read the table: {str(exc).splitlines()[0]}")) from None
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise InputError(Problem(str(path), f"missing column(s) {', '.join(missing)}", line=1, field=missing[0]))
    return df


@dataclass(frozen=True)
class LineRow:
    id: str
    importer: str
    exporters: tuple[str, ...]
    products: tuple[str, ...]
    layer: str
    action: str
    rate: float
    on: dt.date
    until: dt.date | None
    source: tuple[str, ...] = ()
    note: str = ""
    row: int = 0
    scale: str = ""  # a per-line share table (line_shares.csv.gz) multiplying the rate; "" for none

    def active(self, d: dt.date) -> bool:
        return self.on <= d and (self.until is None or d < self.until)

    def applies(self, importer: str, exporter: str) -> bool:
        return (
            self.importer == importer and exporter != importer and ("*" in self.exporters or exporter in self.exporters)
        )


@dataclass(frozen=True)
class LineRule:
    layer: str
    label: str
    within: str
    excluded_by: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    note: str = ""
    # rows of the excluding layers that do not block this one (entries '!ROW_ID' of excluded_by): a stacking
    # variant, e.g. the auto-parts duty stacking on the reciprocal one while the steel duties do not
    except_rows: tuple[str, ...] = ()


def _split(text: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in str(text).split(";") if x.strip())


def _date(text: str, path: str, row: int, fld: str, required: bool) -> dt.date | None:
    s = str(text).strip()
    if not s:
        if required:
            raise InputError(Problem(path, "a date is required (YYYY-MM-DD)", row=row, field=fld))
        return None
    try:
        return dt.date.fromisoformat(s)
    except ValueError:
        raise InputError(Problem(path, f"expected a date YYYY-MM-DD, got {s!r}", row=row, field=fld)) from None


def read_line_rows(
    path: Path | str,
    measures: dict[str, tuple[str, ...]] | None = None,
    scales: Sequence[str] | None = None,
) -> list[LineRow]:
    """Schedule rows of a layers table (columns as in the module docstring), validated row by row."""
    p = Path(path)
    need = ("id", "importer", "exporter", "products", "layer", "action", "rate", "on", "until")
    df = _read(p, need)
    rows, seen = [], set()
    for r, rec in enumerate(df.to_dict("records"), start=1):
        where = str(p)
        rid = rec["id"].strip() or f"row{r}"
        if rid in seen:
            raise InputError(Problem(where, f"duplicate id {rid!r}", row=r, field="id"))
        seen.add(rid)
        layer = rec["layer"].strip()
        if layer not in LINE_LAYERS or layer == "mfn":
            raise InputError(
                Problem(
                    where,
                    f"unknown layer {layer!r}; expected one of {', '.join(LINE_LAYERS[1:])}",
                    row=r,
                    field="layer",
                )
            )
        action = rec["action"].strip() or "add"
        if action not in ACTIONS:
            raise InputError(
                Problem(where, f"unknown action {action!r}; expected {', '.join(ACTIONS)}", row=r, field="action")
            )
        try:
            rate = float(rec["rate"]) if rec["rate"].strip() else 0.0
        except ValueError:
            raise InputError(Problem(where, f"expected a number, got {rec['rate']!r}", row=r, field="rate")) from None
        if not (np.isfinite(rate) and rate >= 0):
            raise InputError(Problem(where, f"rate must be a non-negative number, got {rate}", row=r, field="rate"))
        if action == "exclude_share" and not 0 < rate <= 100:
            raise InputError(
                Problem(
                    where, f"an exclude_share row needs a share in (0, 100] percent, got {rate}", row=r, field="rate"
                )
            )
        if action in ("suspend", "floor") and rate <= 0:
            raise InputError(
                Problem(
                    where,
                    f"a {action} row needs a rate > 0 (points suspended, or the all-in level)",
                    row=r,
                    field="rate",
                )  # fmt: skip
            )
        products = _split(rec["products"])
        if not products:
            raise InputError(Problem(where, "no product selector", row=r, field="products"))
        for s in products:
            if s == "*":
                continue
            if s.startswith("hs:") and s[3:].isdigit():
                continue
            if s.startswith("list:") and (measures is None or s[5:] in measures):
                continue
            raise InputError(
                Problem(
                    where,
                    f"unknown product selector {s!r}; expected *, hs:<digits> or list:<measure>",
                    row=r,
                    field="products",
                )
            )
        on = _date(rec["on"], where, r, "on", True)
        until = _date(rec["until"], where, r, "until", False)
        assert on is not None
        if until is not None and until <= on:
            raise InputError(Problem(where, f"'until' ({until}) must be after 'on' ({on})", row=r, field="until"))
        scale = (rec.get("scale") or "").strip()
        if scale and scales is not None and scale not in scales:
            raise InputError(Problem(where, f"unknown scale table {scale!r}; expected one of {', '.join(scales)}",
                                     row=r, field="scale"))  # fmt: skip
        if scale and action not in ("add", "exclude_share"):
            raise InputError(Problem(where, f"a scale applies to add and exclude_share rows, not {action}", row=r,
                                     field="scale"))  # fmt: skip
        exporters = _split(rec["exporter"])
        if not rec["importer"].strip() or not exporters:
            raise InputError(Problem(where, "importer and exporter are required", row=r, field="exporter"))
        rows.append(
            LineRow(
                rid,
                rec["importer"].strip(),
                exporters,
                products,
                layer,
                action,
                rate,
                on,
                until,
                _split(rec.get("source", "")),
                rec.get("note", ""),
                r,
                scale,
            )
        )
    return rows


def read_line_rules(path: Path | str) -> dict[str, LineRule]:
    """The stacking rules (one per layer); every layer of LINE_LAYERS must have one."""
    p = Path(path)
    df = _read(p, ("layer", "label", "within", "excluded_by"))
    rules: dict[str, LineRule] = {}
    for r, rec in enumerate(df.to_dict("records"), start=1):
        layer = rec["layer"].strip()
        if layer not in LINE_LAYERS:
            raise InputError(Problem(str(p), f"unknown layer {layer!r}", row=r, field="layer"))
        within = rec["within"].strip()
        if within not in WITHIN:
            raise InputError(
                Problem(str(p), f"expected one of {', '.join(WITHIN)}, got {within!r}", row=r, field="within")
            )
        entries = _split(rec["excluded_by"])
        excl = tuple(e for e in entries if not e.startswith("!"))
        skip = tuple(e[1:].strip() for e in entries if e.startswith("!"))
        for e in excl:
            if e not in LINE_LAYERS:
                raise InputError(Problem(str(p), f"unknown layer {e!r}; expected a layer or !ROW_ID", row=r,
                                         field="excluded_by"))  # fmt: skip
        if skip and (not excl or not all(skip)):
            msg = "'!ROW_ID' names a row of an excluding layer that does not block; give the layer too"
            raise InputError(Problem(str(p), msg, row=r, field="excluded_by"))
        rules[layer] = LineRule(layer, rec["label"], within, excl, _split(rec.get("source", "")), rec.get("note", ""),
                                skip)  # fmt: skip
    missing = [layer for layer in LINE_LAYERS if layer not in rules]
    if missing:
        raise InputError(Problem(str(p), f"no stacking rule for layer(s) {', '.join(missing)}", field="layer"))
    return rules


def check_rule_rows(rules: dict[str, LineRule], rows: Sequence[LineRow], path: str) -> None:
    """Every '!ROW_ID' of a rule names a row of one of the layers that the rule lists in excluded_by."""
    layer_of = {r.id: r.layer for r in rows}
    for n, rule in enumerate(rules.values(), start=1):
        for rid in rule.except_rows:
            if layer_of.get(rid) not in rule.excluded_by:
                msg = f"!{rid}: no row of that id in layer(s) {', '.join(rule.excluded_by)} of layers.csv"
                raise InputError(Problem(path, msg, row=n, field="excluded_by"))
