"""Dated, layered tariff schedules: the rate on any date is computed from legal layers.

A schedule is a table of rows, one per legal instrument (an executive order, a notice, an
announcement), each with::

    id, importer, exporter, products, layer, action, rate, on, until, source, note

* ``layer``: ``mfn``, ``section_301``, ``section_232``, ``ieepa_fentanyl``, ``ieepa_reciprocal``
  or ``counter`` (the partner's counter-tariffs);
* ``action``: ``add`` (the instrument imposes ``rate`` percentage points), ``suspend`` (it suspends
  ``rate`` points of the layer, e.g. the Geneva 90-day suspension of 24 of the 34 points) or
  ``exclude`` (the layer does not apply to the products, e.g. a product exclusion);
* ``exporter``: an ISO3 code, several separated by ``;``, or ``*`` (all partners);
* ``products``: selectors separated by ``;`` -- ``*`` (all), ``hs:<digits>`` (HS/HTS codes that
  start with the digits), ``section:<I..XXI>`` (an HS section) or a product id of the trade data;
* ``on``: first day in force; ``until``: first day no longer in force (empty = open-ended).

Stacking rules (``stacking_rules.csv``: layer, label, within, excluded_by) say how rows combine.
``within = exclusive``: at most one ``add`` row of the layer may apply to a product and partner on
any day (two overlapping rows are an error: the later instrument must end the earlier one with
``until``); ``within = additive``: the rows' points add up (each executive order adds points:
34 + 50 + 41 = 125 %). ``excluded_by``: the layer does not apply where one of those layers applies
(goods under Section 232 are outside the reciprocal duty). On a date, for each product and partner:

    layer rate  = 0 if an exclude row applies, else max(0, sum of add rows - sum of suspend rows)
    total rate  = sum over layers not excluded by another layer that applies

The rate and every row behind it can be traced with :meth:`Schedule.explain`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, overload

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from .catalog import Catalog, Selector, parse_selector, selectors_may_overlap
from .data import data_dir, load_sources

LAYERS: tuple[str, ...] = (
    "mfn",
    "section_301",
    "section_232",
    "ieepa_fentanyl",
    "ieepa_reciprocal",
    "counter",
)
ACTIONS: tuple[str, ...] = ("add", "suspend", "exclude")
BUNDLED_SCHEDULE = "us-china-2025"


# -- where a row came from (for one-line errors) -------------------------------------------------


@dataclass(frozen=True)
class Origin:
    """A schedule row's place: a CSV row, or a scenario event (with line/column marks per field)."""

    source: str
    row: int | None = None  # 1-based data row of a CSV
    event: int | None = None  # index in the scenario's events
    marks: tuple[tuple[str, tuple[int | None, int | None]], ...] = ()

    def label(self) -> str:
        if self.event is not None:
            return f"events[{self.event}]"
        return f"row {self.row}" if self.row is not None else self.source

    def problem(self, message: str, fld: str) -> Problem:
        if self.event is not None:
            where = dict(self.marks).get(fld) or dict(self.marks).get("", (None, None))
            return Problem(self.source, message, where[0], where[1], field=f"events[{self.event}].{fld}")
        return Problem(self.source, message, row=self.row, field=fld)


# -- rows and rules ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LayerRow:
    id: str
    importer: str
    exporters: tuple[str, ...]  # ("*",) = all partners
    products: tuple[Selector, ...]
    layer: str
    action: str
    rate: float  # percentage points ad valorem
    on: dt.date
    until: dt.date | None
    source: tuple[str, ...] = ()
    note: str = ""
    origin: Origin = field(default_factory=lambda: Origin("<schedule>"))

    def active(self, d: dt.date) -> bool:
        return self.on <= d and (self.until is None or d < self.until)

    def applies_to_exporter(self, exporter: str) -> bool:
        return "*" in self.exporters or exporter in self.exporters

    def period(self) -> str:
        return f"from {self.on}" + (f" until {self.until}" if self.until else "")

    def describe(self) -> str:
        verb = {
            "add": f"{self.rate:g} %",
            "suspend": f"suspends {self.rate:g} points",
            "exclude": "excludes the layer",
        }[self.action]
        return f"{self.id!r} ({verb} {self.period()})"


@dataclass(frozen=True)
class StackingRule:
    layer: str
    label: str
    within: str  # exclusive | additive
    excluded_by: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    note: str = ""


def _split(text: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in str(text).split(";") if x.strip())


@overload
def _date(text: str, origin: Origin, fld: str, required: Literal[True]) -> dt.date: ...
@overload
def _date(text: str, origin: Origin, fld: str, required: bool) -> dt.date | None: ...
def _date(text: str, origin: Origin, fld: str, required: bool) -> dt.date | None:
    s = str(text).strip()
    if not s:
        if required:
            raise InputError(origin.problem("a date is required (YYYY-MM-DD)", fld))
        return None
    try:
        return dt.date.fromisoformat(s)
    except ValueError:
        raise InputError(origin.problem(f"expected a date YYYY-MM-DD, got {s!r}", fld)) from None


def load_rules(path: Path | str | None = None) -> dict[str, StackingRule]:
    """The stacking rules table (layer, label, within, excluded_by, source, note)."""
    p = Path(path) if path is not None else data_dir() / "stacking_rules.csv"
    try:
        df = pd.read_csv(p, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise InputError(Problem(str(p), "file not found")) from None
    rules: dict[str, StackingRule] = {}
    for r, rec in enumerate(df.to_dict("records"), start=1):
        origin = Origin(str(p), row=r)
        layer = rec.get("layer", "").strip()
        if layer not in LAYERS:
            raise InputError(origin.problem(f"unknown layer {layer!r}; expected one of {', '.join(LAYERS)}", "layer"))
        within = rec.get("within", "").strip()
        if within not in ("exclusive", "additive"):
            raise InputError(origin.problem(f"expected 'exclusive' or 'additive', got {within!r}", "within"))
        excl = _split(rec.get("excluded_by", ""))
        for e in excl:
            if e not in LAYERS:
                raise InputError(origin.problem(f"unknown layer {e!r}", "excluded_by"))
        rules[layer] = StackingRule(
            layer,
            rec.get("label", layer),
            within,
            excl,
            _split(rec.get("source", "")),
            rec.get("note", ""),
        )
    for layer in LAYERS:
        rules.setdefault(layer, StackingRule(layer, layer, "exclusive"))
    return rules


def make_row(
    *,
    id: str,
    importer: str,
    exporters: Iterable[str],
    products: Iterable[str],
    layer: str,
    action: str,
    rate: float,
    on: dt.date,
    until: dt.date | None,
    source: Iterable[str] = (),
    note: str = "",
    origin: Origin | None = None,
) -> LayerRow:
    """Build and validate one row (errors name the row's origin and field)."""
    origin = origin or Origin("<schedule>")
    if layer not in LAYERS:
        raise InputError(origin.problem(f"unknown layer {layer!r}; expected one of {', '.join(LAYERS)}", "layer"))
    if action not in ACTIONS:
        raise InputError(origin.problem(f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}", "action"))
    if not (rate >= 0 and np.isfinite(rate)):
        raise InputError(origin.problem(f"rate must be a non-negative number of percentage points, got {rate}", "rate"))
    if action == "suspend" and rate <= 0:
        raise InputError(origin.problem("a suspension needs the points it suspends (rate > 0)", "rate"))
    if until is not None and until <= on:
        raise InputError(origin.problem(f"'until' ({until}) must be after 'on' ({on})", "until"))
    if not importer:
        raise InputError(origin.problem("importer is empty", "importer"))
    exp = tuple(exporters)
    if not exp:
        raise InputError(origin.problem("exporter is empty", "exporter"))
    sels = []
    for text in products:
        try:
            sels.append(parse_selector(text))
        except ValueError as exc:
            raise InputError(origin.problem(str(exc), "products")) from None
    if not sels:
        raise InputError(origin.problem("no product selector", "products"))
    return LayerRow(
        id=id,
        importer=importer,
        exporters=exp,
        products=tuple(sels),
        layer=layer,
        action=action,
        rate=float(rate),
        on=on,
        until=until,
        source=tuple(source),
        note=note,
        origin=origin,
    )


def read_rows(path: Path | str) -> list[LayerRow]:
    """Schedule rows from a CSV (columns as in the module docstring; source and note optional)."""
    p = str(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise InputError(Problem(p, "file not found")) from None
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(Problem(p, f"cannot read the tariff schedule: {str(exc).splitlines()[0]}")) from None
    need = ("id", "importer", "exporter", "products", "layer", "action", "rate", "on", "until")
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise InputError(Problem(p, f"missing column(s) {', '.join(missing)}", line=1, field=missing[0]))
    rows = []
    seen: set[str] = set()
    for r, rec in enumerate(df.to_dict("records"), start=1):
        origin = Origin(p, row=r)
        rid = rec["id"].strip() or f"row{r}"
        if rid in seen:
            raise InputError(origin.problem(f"duplicate id {rid!r}", "id"))
        seen.add(rid)
        try:
            rate = float(rec["rate"]) if str(rec["rate"]).strip() else 0.0
        except ValueError:
            raise InputError(origin.problem(f"expected a number, got {rec['rate']!r}", "rate")) from None
        rows.append(
            make_row(
                id=rid,
                importer=rec["importer"].strip(),
                exporters=_split(rec["exporter"]),
                products=_split(rec["products"]),
                layer=rec["layer"].strip(),
                action=rec["action"].strip() or "add",
                rate=rate,
                on=_date(rec["on"], origin, "on", True),
                until=_date(rec["until"], origin, "until", False),
                source=_split(rec.get("source", "")),
                note=rec.get("note", ""),
                origin=origin,
            )
        )
    return rows


# -- the schedule --------------------------------------------------------------------------------


@dataclass
class Contribution:
    row: LayerRow
    applied: bool
    reason: str = ""


@dataclass
class RateBreakdown:
    """The rate for one importer, exporter, product and date, and every row behind it."""

    date: dt.date
    importer: str
    exporter: str
    product: str
    by_layer: dict[str, float]
    contributions: list[Contribution]

    @property
    def total(self) -> float:
        return float(sum(self.by_layer.values()))

    def table(self, sources: pd.DataFrame | None = None) -> pd.DataFrame:
        """One row per schedule row considered, with its sources' titles and addresses."""
        recs = []
        src = sources.set_index("source_id") if sources is not None else None
        for c in self.contributions:
            titles = [str(src.loc[s, "title"]) for s in c.row.source if src is not None and s in src.index]
            urls = [str(src.loc[s, "url"]) for s in c.row.source if src is not None and s in src.index]
            recs.append(
                {
                    "row": c.row.id,
                    "layer": c.row.layer,
                    "action": c.row.action,
                    "rate": c.row.rate,
                    "on": c.row.on.isoformat(),
                    "until": c.row.until.isoformat() if c.row.until else "",
                    "applied": c.applied,
                    "reason": c.reason,
                    "source": ";".join(c.row.source),
                    "titles": " | ".join(titles),
                    "urls": " ".join(u for u in urls if u),
                }
            )
        return pd.DataFrame(recs)


class Schedule:
    """Tariff layers plus stacking rules; ``rates`` on a date for (line x partner) arrays."""

    def __init__(
        self,
        rows: list[LayerRow],
        rules: dict[str, StackingRule] | None = None,
        name: str = "",
        sources: pd.DataFrame | None = None,
    ):
        self.rows = list(rows)
        self.rules = rules if rules is not None else load_rules()
        self.name = name
        self.sources = sources

    @classmethod
    def bundled(cls, name: str = BUNDLED_SCHEDULE) -> Schedule:
        """The bundled 2025 US-China schedule (every row cites ``sources.csv``)."""
        if name != BUNDLED_SCHEDULE:
            raise InputError(Problem("schedule", f"unknown bundled schedule {name!r}; expected {BUNDLED_SCHEDULE!r}"))
        d = data_dir()
        return cls(
            read_rows(d / "tariff_layers.csv"),
            load_rules(d / "stacking_rules.csv"),
            name,
            load_sources(),
        )

    @classmethod
    def from_csv(cls, path: Path | str, rules: Path | str | None = None) -> Schedule:
        return cls(read_rows(path), load_rules(rules), str(path))

    @classmethod
    def empty(cls) -> Schedule:
        return cls([], load_rules(), "none")

    def extend(self, rows: Iterable[LayerRow]) -> Schedule:
        return Schedule(self.rows + list(rows), self.rules, self.name, self.sources)

    def layer_index(self) -> dict[str, int]:
        return {layer: i for i, layer in enumerate(LAYERS)}

    def change_dates(self) -> list[dt.date]:
        out = {r.on for r in self.rows} | {r.until for r in self.rows if r.until is not None}
        return sorted(out)

    # -- checks ---------------------------------------------------------------------------------
    def check(self, catalog: Catalog | None = None) -> None:
        """Raise :class:`InputError` where the stacking rules forbid two rows to overlap.

        Two ``add`` rows of an exclusive layer overlap when they share the importer, a partner, a
        day and a product: a product of ``catalog`` that both select (the products analysed), or,
        without a catalogue, selectors that must share products (``*``, nested HS codes, an HS
        code inside a section, the same id).
        """
        matched = {}
        if catalog is not None:
            matched = {id(r): catalog.match_any(r.products) for r in self.rows}
        by_layer: dict[str, list[LayerRow]] = {}
        for r in self.rows:
            if r.action == "add" and self.rules[r.layer].within == "exclusive":
                by_layer.setdefault(r.layer, []).append(r)
        for layer, rows in by_layer.items():
            rows = sorted(rows, key=lambda r: (r.importer, r.on))
            for i, a in enumerate(rows):
                for b in rows[i + 1 :]:
                    if a.importer != b.importer:
                        continue
                    if not ("*" in a.exporters or "*" in b.exporters or set(a.exporters) & set(b.exporters)):
                        continue
                    a_end = a.until or dt.date.max
                    b_end = b.until or dt.date.max
                    if not (a.on < b_end and b.on < a_end):
                        continue
                    if catalog is not None:
                        share = bool(np.any(matched[id(a)] & matched[id(b)]))
                    else:
                        share = any(selectors_may_overlap(x, y) for x in a.products for y in b.products)
                    if share:
                        raise _overlap_error(layer, self.rules[layer], a, b)

    # -- rates ----------------------------------------------------------------------------------
    def rates(
        self,
        d: dt.date,
        line_importer: np.ndarray,
        line_product: np.ndarray,
        partners: np.ndarray,
        catalog: Catalog,
    ) -> np.ndarray:
        """Percentage rates by layer on date ``d``: array (n_layers, L, N) for lines x partners.

        ``line_importer`` (L,) and ``line_product`` (L,) name each line's importer and its index in
        ``catalog``; ``partners`` (N,) are exporter codes. Raises InputError on forbidden overlaps.
        """
        line_importer = np.asarray(line_importer)
        partners = np.asarray(partners)
        L, N, K = len(line_importer), len(partners), len(LAYERS)
        add = np.zeros((K, L, N))
        count = np.zeros((K, L, N), dtype=np.int32)
        susp = np.zeros((K, L, N))
        excl = np.zeros((K, L, N), dtype=bool)
        added: dict[int, list[tuple[LayerRow, np.ndarray]]] = {}
        li = self.layer_index()
        prod_match_cache: dict[int, np.ndarray] = {}
        for r in self.rows:
            if not r.active(d):
                continue
            key = id(r)
            if key not in prod_match_cache:
                prod_match_cache[key] = catalog.match_any(r.products)
            lm = (line_importer == r.importer) & prod_match_cache[key][line_product]
            if not lm.any():
                continue
            pm = np.ones(N, dtype=bool) if "*" in r.exporters else np.isin(partners, r.exporters)
            pm &= partners != r.importer
            cell = lm[:, None] & pm[None, :]
            if not cell.any():
                continue
            k = li[r.layer]
            if r.action == "add":
                if self.rules[r.layer].within == "exclusive" and np.any(count[k][cell] > 0):
                    other = next(o for o, c in added.get(k, []) if np.any(c & cell))
                    raise _overlap_error(r.layer, self.rules[r.layer], other, r)
                added.setdefault(k, []).append((r, cell))
                add[k] += r.rate * cell
                count[k] += cell
            elif r.action == "suspend":
                susp[k] += r.rate * cell
            else:
                excl[k] |= cell
        layer_rate = np.where(excl, 0.0, np.maximum(add - susp, 0.0))
        present = (count > 0) & ~excl
        for layer, rule in self.rules.items():
            if rule.excluded_by:
                k = li[layer]
                blocked = np.zeros((L, N), dtype=bool)
                for blocker in rule.excluded_by:
                    blocked |= present[li[blocker]]
                layer_rate[k] = np.where(blocked, 0.0, layer_rate[k])
        return layer_rate

    def explain(
        self, d: dt.date, importer: str, exporter: str, product: str, catalog: Catalog | None = None
    ) -> RateBreakdown:
        """The rate for one cell on ``d`` by layer, with each row considered and if it applied."""
        if catalog is None:
            catalog = Catalog(
                np.array([product]),
                np.array([product if product.isdigit() else ""]),
                np.array([""]),
            )
        idx = catalog.index()
        if product not in idx:
            raise InputError(Problem("explain", f"unknown product {product!r}", field="product"))
        p = idx[product]
        rates = self.rates(d, np.array([importer]), np.array([p]), np.array([exporter]), catalog)[:, 0, 0]
        by_layer = {layer: float(rates[k]) for k, layer in enumerate(LAYERS)}
        contributions = []
        row_cells = []
        for r in self.rows:
            if r.importer != importer or exporter == importer or not r.applies_to_exporter(exporter):
                continue
            if not r.active(d) or not catalog.match_any(r.products)[p]:
                continue
            row_cells.append(r)
        excluded_rows = {r.layer for r in row_cells if r.action == "exclude"}
        present = {r.layer for r in row_cells if r.action == "add"} - excluded_rows
        for r in row_cells:
            reason = ""
            if r.action == "add" and r.layer in excluded_rows:
                reason = "excluded by an exclusion row"
            elif r.action == "add":
                blockers = [o for o in self.rules[r.layer].excluded_by if o in present]
                if blockers:
                    reason = f"layer does not apply to goods under {', '.join(blockers)}"
            elif r.action == "suspend" and r.layer not in present:
                reason = "nothing to suspend"
            contributions.append(Contribution(r, not reason, reason))
        return RateBreakdown(d, importer, exporter, product, by_layer, contributions)


def _overlap_error(layer: str, rule: StackingRule, a: LayerRow, b: LayerRow) -> InputError:
    # Report at the row the user is most likely to have written: a scenario event if either is one.
    target, other = (b, a) if (b.origin.event is not None or a.origin.event is None) else (a, b)
    start = max(a.on, b.on)
    where = (
        other.origin.label()
        if other.origin.source == target.origin.source
        else f"{other.origin.label()} of {Path(other.origin.source).name}"
    )
    msg = (
        f"layer '{layer}' allows one rate at a time (stacking rule: {rule.within}), but "
        f"{target.describe()} overlaps {other.describe()} at {where} for {target.importer} "
        f"imports from "
        f"{'/'.join(target.exporters)} on {start}; end the earlier one with 'until'"
    )
    return InputError(target.origin.problem(msg, "on"))
