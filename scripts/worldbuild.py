"""Shared machinery for the ``scripts/build_*.py`` dataset builders.

The build scripts import this module as a sibling (they run as ``python scripts/build_X.py``,
which puts ``scripts/`` on ``sys.path``). It holds what every builder needs and nothing
dataset-specific:

* :class:`Facts` - the fact CSVs vendored in ``data/facts/`` (``extra_sources.csv`` included),
  looked up by file and key; :func:`num`, :func:`num_range`, :func:`in_note`, :func:`pub_date`
  read their values;
* :class:`Assumptions` - ``data/assumptions/<dataset>.csv``: each modelling assumption's value,
  plausible range and reason, read by the builder and copied into the dataset as
  ``assumptions.csv``;
* :func:`atomic_weights` - standard atomic weights from ``atomic_weights.csv`` with their source row;
* :class:`Sources` and :func:`cite` - the ``sources`` table and source-id lists;
* :class:`Model` - producers, recipes, final demand and annual flows, with balance checks;
* :func:`tables_of`, :func:`to_csv`, :func:`self_check` - the World tables (columns from
  :mod:`chokepoints.world.schema`), a deterministic CSV writer and the re-read self-check of
  balance, shares, units, references and sources;
* :func:`parse_args`, :func:`render`, :func:`write_dataset`, :func:`run` - the command line.

Routing and arithmetic stay in each script; figures and assumption values are read from data.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Collection
from pathlib import Path

import yaml

from chokepoints.world import schema

REPO = Path(__file__).resolve().parents[1]
FACTS = REPO / "data" / "facts"  # the vendored fact tables (data/facts/README.md)
DEFAULT_FACTS = FACTS
ASSUMPTIONS = REPO / "data" / "assumptions"  # one <dataset>.csv per bundled World
EXTRA = "extra_sources.csv"  # published figures read on pages outside the shared fact set
DATA = REPO / "src" / "chokepoints" / "datasets" / "data"
TABLES: tuple[str, ...] = schema.TABLES
DAYS_PER_YEAR = 365.0
SOURCE_REF = r"\b([SDA]\.[A-Za-z0-9_.\-]*[A-Za-z0-9_])"


class BuildError(RuntimeError):
    pass


def fail(msg: str) -> None:
    raise BuildError(msg)


# ----------------------------------------------------------------------------------------
# Facts and sources
# ----------------------------------------------------------------------------------------
class Facts:
    """The fact CSVs, looked up by file, key and (optionally) geography / as_of."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.rows: dict[str, list[dict[str, str]]] = {}
        for path in sorted(folder.glob("*.csv")):
            with path.open(encoding="utf-8", newline="") as fh:
                self.rows[path.name] = list(csv.DictReader(fh))

    def get(
        self,
        file: str,
        key: str,
        geography: str | None = None,
        as_of: str | None = None,
        value: str | None = None,
    ) -> dict[str, str]:
        rows = [r for r in self.rows.get(file, []) if r["key"] == key]
        if geography is not None:
            rows = [r for r in rows if r["geography"] == geography]
        if as_of is not None:
            rows = [r for r in rows if r["as_of"] == as_of]
        if value is not None:
            rows = [r for r in rows if r["value"] == value]
        if len(rows) != 1:
            fail(
                f"facts {file}: expected one row for key={key!r} geography={geography!r} "
                f"as_of={as_of!r} value={value!r}, found {len(rows)}"
            )
        return rows[0]


def num(text: str) -> float:
    """A single number from a fact value: '~30', '>400', '10562188', '1,294'."""
    t = text.strip().lstrip("~><").replace(",", "").strip()
    try:
        return float(t)
    except ValueError:
        fail(f"not a number: {text!r}")
        raise


def num_range(text: str) -> tuple[float, float]:
    """A range 'a-b' as (a, b)."""
    m = re.fullmatch(r"\s*~?([0-9.]+)\s*-\s*([0-9.]+)\s*", text)
    if not m:
        fail(f"not a range: {text!r}")
    return float(m.group(1)), float(m.group(2))


def in_note(row: dict[str, str], literal: str) -> None:
    """Fail unless ``literal`` appears in the fact row's note (for figures stated there)."""
    if literal not in row["note"]:
        fail(f"facts key {row['key']!r}: expected {literal!r} in its note")


def pub_date(note: str) -> str:
    m = re.match(r"pub:\s*(.*?)(?:;|\(|\. |$)", note)
    return (m.group(1).strip().rstrip(".") if m else "not shown") or "not shown"


class Sources:
    """The ``sources`` table; ``baseline`` is the date given to derived rows."""

    def __init__(self, baseline: str, assumptions: Assumptions | None = None) -> None:
        self.rows: dict[str, dict[str, str]] = {}
        self.baseline = baseline
        self.assumptions = assumptions

    def _add(self, sid: str, kind: str, title: str, url: str, date: str, note: str, value: str = "") -> str:
        if ";" in sid or not sid:
            fail(f"bad source id {sid!r}")
        if sid in self.rows:
            fail(f"source id {sid!r} registered twice")
        if not note:
            fail(f"source {sid!r} needs a note")
        if kind == "source" and not url:
            fail(f"source {sid!r} needs a url")
        if kind == "assumption" and url:
            fail(f"assumption {sid!r} must not have a url")
        self.rows[sid] = dict(source_id=sid, kind=kind, title=title, url=url, date=date, value=value, note=note)
        return sid

    def fact(self, sid: str, file: str, rows: list[dict[str, str]], note: str) -> str:
        """A published figure (or figures of one page) from the fact tables."""
        urls = {r["source_url"] for r in rows}
        if len(urls) != 1 or not rows[0]["source_url"]:
            fail(f"source {sid!r}: rows must share one non-empty url, got {urls}")
        r0 = rows[0]
        quoted = "; ".join(
            f"key '{r['key']}' [{r['geography']}, {r['as_of']}] = {r['value']} {r['unit']}".strip() for r in rows
        )
        return self._add(
            sid,
            "source",
            r0["source_title"],
            r0["source_url"],
            pub_date(r0["note"]),
            f"facts {file}: {quoted}. Used: {note}",
            value_of(rows),
        )

    def page(self, sid: str, rows: list[dict[str, str]]) -> str:
        """Published figures read on one page outside the shared fact set (``extra_sources.csv``).

        The first row's note reads ``pub: <date>; <what the page says and how it is used>``.
        """
        urls = {r["source_url"] for r in rows}
        if len(urls) != 1 or not rows[0]["source_url"]:
            fail(f"source {sid!r}: rows must share one non-empty url, got {urls}")
        r0 = rows[0]
        date, _, note = r0["note"].partition("; ")
        if not date.startswith("pub: ") or not note:
            fail(f"{EXTRA} key {r0['key']!r}: note must read 'pub: <date>; <note>'")
        keys = ", ".join(dict.fromkeys(r["key"] for r in rows))
        return self._add(
            sid,
            "source",
            r0["source_title"],
            r0["source_url"],
            date.removeprefix("pub: "),
            f"Not in the shared fact set ({EXTRA}: {keys}); {note}",
            value_of(rows),
        )

    def derived(self, sid: str, title: str, note: str) -> str:
        return self._add(sid, "derived", title, "", self.baseline, note)

    def assumption(self, sid: str, title: str, reason: str | None = None) -> str:
        """A modelling assumption; its reason (and value) come from the assumptions table."""
        value = ""
        if self.assumptions is not None:
            table_reason = self.assumptions.reason(sid)  # every assumption has a row
            reason = table_reason if reason is None else reason
            value = self.assumptions.text_value(sid)
        if reason is None:
            fail(f"assumption {sid!r} needs a reason")
            raise AssertionError
        return self._add(sid, "assumption", title, "", "", reason, value)


PLAIN_NUMBER = re.compile(r"-?[0-9][0-9,]*(\.[0-9]+)?")


def value_of(rows: list[dict[str, str]]) -> str:
    """The ``value`` of a sources row: the figure when the row quotes one plain number, else ''."""
    if len(rows) != 1 or not PLAIN_NUMBER.fullmatch(rows[0]["value"].strip()):
        return ""
    return fmt(num(rows[0]["value"]))


ASSUMPTION_COLUMNS = ["id", "value", "unit", "low", "high", "reason"]


class Assumptions:
    """A dataset's assumption table: ``id, value, unit, low, high, reason``, one row per value.

    A row whose id is a source id gives that ``A.*`` row its reason (and its value, if it has a
    single one); rows ``<source id>.<part>`` hold the values of an assumption with several.
    ``low``/``high`` are the plausible range the reason supports. :meth:`check_all_used` fails
    on rows the builder never read, so the table cannot drift from the recipe.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        if not path.exists():
            fail(f"no assumption table {path}")
        self.text = path.read_text(encoding="utf-8")
        rows = list(csv.DictReader(io.StringIO(self.text)))
        if not rows or list(rows[0]) != ASSUMPTION_COLUMNS:
            fail(f"{path}: expected columns {', '.join(ASSUMPTION_COLUMNS)}")
        self.rows: dict[str, dict[str, str]] = {}
        for i, r in enumerate(rows, start=1):
            where = f"{path.name} row {i} ({r['id']})"
            if r["id"] in self.rows:
                fail(f"{where}: duplicate id")
            if not r["reason"]:
                fail(f"{where}: a reason is required")
            nums = [r[c] for c in ("value", "low", "high")]
            if any(nums) and not all(nums):
                fail(f"{where}: value, low and high go together")
            if all(nums):
                v, lo, hi = (float(x) for x in nums)
                if not lo <= v <= hi:
                    fail(f"{where}: expected low <= value <= high")
                if not r["unit"]:
                    fail(f"{where}: a unit is required")
            self.rows[r["id"]] = r
        self.used: set[str] = set()

    def _row(self, aid: str) -> dict[str, str]:
        if aid not in self.rows:
            fail(f"{self.path.name}: no row for assumption {aid!r}")
        self.used.add(aid)
        return self.rows[aid]

    def __call__(self, aid: str) -> float:
        """The value of assumption ``aid`` as a number."""
        r = self._row(aid)
        if not r["value"]:
            fail(f"{self.path.name}: assumption {aid!r} has no value")
        return float(r["value"])

    def reason(self, aid: str) -> str:
        return self._row(aid)["reason"]

    def text_value(self, aid: str) -> str:
        """The value as written in the table ('' if the row has none or does not exist)."""
        if aid not in self.rows:
            return ""
        return self.rows[aid]["value"]

    def check_all_used(self) -> None:
        unused = sorted(set(self.rows) - self.used)
        if unused:
            fail(f"{self.path.name}: rows never read by the builder: {', '.join(unused)}")


ATOMIC_WEIGHTS = "atomic_weights.csv"  # IUPAC CIAAW standard atomic weights (physical constants)


def atomic_weights(facts: Facts, S: Sources, elements: tuple[str, ...]) -> tuple[dict[str, float], str]:
    """The standard atomic weights of ``elements`` (g/mol, ``atomic_weights.csv``) and the id of
    their sources row ``S.ciaaw.atomic_weights``."""
    rows = [facts.get(ATOMIC_WEIGHTS, f"atomic_weight.{e}") for e in elements]
    sid = S.fact(
        "S.ciaaw.atomic_weights",
        ATOMIC_WEIGHTS,
        rows,
        "oxide -> metal mass fractions (metal fraction of MxOy = x M / (x M + y O)).",
    )
    return {e: num(r["value"]) for e, r in zip(elements, rows, strict=True)}, sid


def cite(*ids: str) -> str:
    out: list[str] = []
    for i in ids:
        for part in i.split(";"):
            if part and part not in out:
                out.append(part)
    return ";".join(out)


def check_close(a: float, b: float, what: str) -> None:
    if not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9):
        fail(f"{what}: {a} != {b}")


# ----------------------------------------------------------------------------------------
# The model
# ----------------------------------------------------------------------------------------
class Model:
    """Producers with given annual outputs, recipes, final demand and annual flows.

    :func:`tables_of` reads a producer's output through :meth:`output_year` and its cited
    sources through :meth:`producer_source`; a builder may subclass to change either.
    """

    output_label = "output"  # how tables_of names the output in its balance error

    def __init__(self) -> None:
        self.regions: list[dict] = []
        self.products: list[dict] = []
        self.producers: dict[str, dict] = {}
        self.recipes: dict[tuple[str, str], dict] = {}
        self.fd: dict[str, dict] = {}
        self.flows: dict[tuple[str, str, str], float] = defaultdict(float)  # per year
        self.link_src: dict[tuple[str, str], str] = {}
        self.inventories: list[dict] = []
        self.unit_values: list[dict] = []

    def product_unit(self, product: str) -> str:
        for p in self.products:
            if p["product"] == product:
                return p["unit"]
        fail(f"unknown product {product!r}")
        return ""

    def add_product(self, pid: str, name: str, unit: str, stage: str, source: str) -> None:
        self.products.append(dict(product=pid, name=name, unit=unit, stage=stage, source=source))

    def add_producer(
        self,
        pid: str,
        product: str,
        source: str,
        output_year: float,
        end_use: str = "",
        capacity_year: float | None = None,
    ) -> None:
        region = pid.split(".")[0]
        if pid in self.producers or pid in self.fd:
            fail(f"duplicate id {pid}")
        if output_year <= 0:
            fail(f"non-positive output for {pid}: {output_year}")
        if capacity_year is not None and capacity_year < output_year * (1 - 1e-12):
            fail(f"capacity below output for {pid}")
        self.producers[pid] = dict(
            producer=pid,
            region=region,
            product=product,
            end_use=end_use,
            source=source,
            output=output_year,
            capacity_year=capacity_year,
        )

    def add_fd(self, region: str, product: str, end_use: str, amount_year: float, source: str) -> str:
        did = f"fd.{region}.{product}.{end_use}"
        if did in self.fd or did in self.producers:
            fail(f"duplicate id {did}")
        self.fd[did] = dict(
            demand=did,
            region=region,
            product=product,
            end_use=end_use,
            amount_year=self.demand_amount(did, amount_year),
            source=source,
        )
        return did

    def demand_amount(self, did: str, amount_year: float) -> float:
        """The annual amount stored for a final-demand cell; it must be positive."""
        if amount_year <= 0:
            fail(f"non-positive final demand {did}: {amount_year}")
        return amount_year

    def add_recipe(self, producer: str, product: str, amount_per_unit: float, source: str) -> None:
        if (producer, product) in self.recipes:
            fail(f"duplicate recipe {producer}/{product}")
        self.recipes[(producer, product)] = dict(amount=amount_per_unit, source=source)

    def need(self, buyer: str, product: str) -> float:
        """Annual need of a buyer for a product (producers: recipe x output)."""
        if buyer in self.fd:
            return self.fd[buyer]["amount_year"]
        return self.recipes[(buyer, product)]["amount"] * self.output_year(buyer)

    def supply(self, buyer: str, product: str, shares: dict[str, float], source: str) -> None:
        """Split a buyer's whole need over suppliers by shares (must sum to 1)."""
        total = sum(shares.values())
        if abs(total - 1.0) > 1e-12:
            fail(f"shares for {buyer}/{product} sum to {total}")
        if (buyer, product) in self.link_src:
            fail(f"supply of {buyer}/{product} given twice")
        need = self.need(buyer, product)
        for s, sh in shares.items():
            if sh < 0:
                fail(f"negative share {buyer}/{product}/{s}")
            if self.producers[s]["product"] != product:
                fail(f"{s} does not make {product}")
            self.flows[(buyer, product, s)] += sh * need
        self.link_src[(buyer, product)] = source

    def supply_amounts(self, buyer: str, product: str, amounts: dict[str, float], source: str) -> None:
        """Record annual flows; they must add up to the buyer's need."""
        need = self.need(buyer, product)
        total = sum(amounts.values())
        if not math.isclose(total, need, rel_tol=1e-9, abs_tol=1e-9):
            fail(f"flows to {buyer}/{product} add to {total}, need is {need}")
        self.supply(buyer, product, {s: a / total for s, a in amounts.items()}, source)

    def sales_year(self, producer: str) -> float:
        return sum(v for (b, p, s), v in self.flows.items() if s == producer)

    def output_year(self, producer: str) -> float:
        return self.producers[producer]["output"]

    def producer_source(self, producer: str) -> str:
        return self.producers[producer]["source"]

    def unsold(self, producer: str) -> float:
        return self.output_year(producer) - self.sales_year(producer)

    def inventory(self, holder: str, product: str, days: float, src: str) -> None:
        if (holder, product) not in self.recipes:
            fail(f"inventory for non-input {holder}/{product}")
        self.inventories.append(dict(holder=holder, product=product, days_of_cover=days, target_days=days, source=src))

    def unit_value(self, product: str, value: float, src: str) -> None:
        self.unit_values.append(
            dict(
                product=product,
                usd_per_unit=value,
                unit=f"USD per {self.product_unit(product)}",
                source=src,
            )
        )


# ----------------------------------------------------------------------------------------
# Tables, checks, output
# ----------------------------------------------------------------------------------------
def fmt(x: float) -> str:
    """12 significant digits: exact enough for the 1e-6 balance check, stable across runs."""
    if x == 0:
        return "0"
    return format(float(x), ".12g")


def tables_of(M: Model, S: Sources) -> dict[str, list[dict]]:
    D = DAYS_PER_YEAR
    producers = []
    for pid, p in M.producers.items():
        out = M.output_year(pid)
        sales = M.sales_year(pid)
        if not math.isclose(out, sales, rel_tol=1e-9, abs_tol=1e-9):
            fail(f"{pid}: {M.output_label} {out} differs from sales {sales}")
        cap = p["capacity_year"] if p["capacity_year"] is not None else out
        producers.append(
            dict(
                producer=pid,
                region=p["region"],
                product=p["product"],
                capacity_per_day=cap / D,
                output_per_day=out / D,
                end_use=p["end_use"],
                source=M.producer_source(pid),
            )
        )
    recipes = []
    for pid in M.producers:
        for (prod, inp), r in M.recipes.items():
            if prod != pid:
                continue
            unit = f"{M.product_unit(inp)} per {M.product_unit(M.producers[pid]['product'])}"
            recipes.append(
                dict(producer=pid, input_product=inp, amount_per_unit=r["amount"], unit=unit, source=r["source"])
            )
    links = []
    buyers = list(M.producers) + list(M.fd)
    by_bp: dict[tuple[str, str], list[tuple[str, float]]] = defaultdict(list)
    for (b, p, s), v in M.flows.items():
        by_bp[(b, p)].append((s, v))
    for b in buyers:
        for bb, p in sorted(k for k in by_bp if k[0] == b):
            need = M.need(bb, p)
            items = sorted(by_bp[(bb, p)], key=lambda t: (-t[1], t[0]))
            for s, v in items:
                if v <= 0:
                    continue
                links.append(dict(buyer=bb, product=p, supplier=s, share=v / need, source=M.link_src[(bb, p)]))
    fd = [
        dict(
            demand=d["demand"],
            region=d["region"],
            product=d["product"],
            end_use=d["end_use"],
            amount_per_day=d["amount_year"] / D,
            source=d["source"],
        )
        for d in M.fd.values()
    ]
    sources = sorted(
        S.rows.values(),
        key=lambda r: ({"source": 0, "derived": 1, "assumption": 2}[r["kind"]], r["source_id"]),
    )
    return dict(
        regions=M.regions,
        products=M.products,
        producers=producers,
        recipes=recipes,
        supply_links=links,
        final_demand=fd,
        inventories=M.inventories,
        unit_values=M.unit_values,
        sources=sources,
    )


def schema_columns(table: str) -> list[str]:
    """The columns of a World table, in the order of its attribute table."""
    return [a.name for a in schema.attributes(table)]


def to_csv(rows: list[dict], columns: list[str]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([fmt(r[c]) if not isinstance(r[c], str) else r[c] for c in columns])
    return buf.getvalue()


Tables = dict[str, list[dict[str, str]]]
Need = dict[tuple[str, str], float]


def self_check(  # noqa: C901 - a list of independent checks
    texts: dict[str, str],
    *,
    producer_end_uses: Collection[str],
    demand_end_uses: Collection[str],
    strict: bool = True,
    extra: Callable[[Tables, Need, list[str]], None] | None = None,
) -> None:
    """Re-read the CSV text and check balance, shares, units, references and sources.

    ``strict`` adds: final-demand references, no self-supply, an inventory row for every
    recipe input, ``http`` source urls and a reason of 40+ characters for assumptions.
    ``extra(tables, need, problems)`` appends a dataset's own problems (``need`` is per day
    by (buyer, product)).
    """
    t = {name: list(csv.DictReader(io.StringIO(txt))) for name, txt in texts.items()}
    problems: list[str] = []
    units = {p["product"]: p["unit"] for p in t["products"]}
    regions = {r["region"] for r in t["regions"]}
    prods = {p["producer"]: p for p in t["producers"]}
    fds = {d["demand"]: d for d in t["final_demand"]}
    ids = {s["source_id"]: s for s in t["sources"]}
    if set(prods) & set(fds):
        problems.append("producer and final-demand ids overlap")
    for p in prods.values():
        if p["region"] not in regions or p["product"] not in units:
            problems.append(f"bad reference in producer {p['producer']}")
        if float(p["capacity_per_day"]) < float(p["output_per_day"]) * (1 - 1e-9):
            problems.append(f"capacity below output: {p['producer']}")
        if float(p["output_per_day"]) <= 0:
            problems.append(f"non-positive output: {p['producer']}")
        if not p["producer"].startswith(p["region"] + "."):
            problems.append(f"id convention: {p['producer']}")
        if p["end_use"] and p["end_use"] not in producer_end_uses:
            problems.append(f"end_use label: {p['producer']}")
    for d in fds.values():
        if d["demand"] != f"fd.{d['region']}.{d['product']}.{d['end_use']}":
            problems.append(f"id convention: {d['demand']}")
        if d["end_use"] not in demand_end_uses:
            problems.append(f"end_use label: {d['demand']}")
        if strict and (d["region"] not in regions or d["product"] not in units):
            problems.append(f"bad reference in final demand {d['demand']}")
    need: Need = {}
    for r in t["recipes"]:
        want = f"{units[r['input_product']]} per {units[prods[r['producer']]['product']]}"
        if r["unit"] != want:
            problems.append(f"recipe unit {r['producer']}/{r['input_product']}: {r['unit']} != {want}")
        need[(r["producer"], r["input_product"])] = float(r["amount_per_unit"]) * float(
            prods[r["producer"]]["output_per_day"]
        )
    for d in fds.values():
        need[(d["demand"], d["product"])] = float(d["amount_per_day"])
    share_sum: dict[tuple[str, str], float] = defaultdict(float)
    sales: dict[str, float] = defaultdict(float)
    for ln in t["supply_links"]:
        key = (ln["buyer"], ln["product"])
        if key not in need:
            problems.append(f"link for non-need {key}")
            continue
        if prods.get(ln["supplier"], {}).get("product") != ln["product"]:
            problems.append(f"supplier {ln['supplier']} does not make {ln['product']}")
        if strict and ln["supplier"] == ln["buyer"]:
            problems.append(f"self-supply {ln['buyer']}")
        sh = float(ln["share"])
        share_sum[key] += sh
        sales[ln["supplier"]] += sh * need[key]
    for key in need:
        if abs(share_sum.get(key, 0.0) - 1.0) > 1e-9:
            problems.append(f"shares of {key} sum to {share_sum.get(key, 0.0)}")
    for pid, p in prods.items():
        out = float(p["output_per_day"])
        if abs(out - sales[pid]) > 1e-8 * max(out, sales[pid]):
            problems.append(f"balance {pid}: output {out} vs sales {sales[pid]}")
    for r in t["unit_values"]:
        if r["unit"] != f"USD per {units[r['product']]}":
            problems.append(f"unit value unit {r['product']}")
    if {r["product"] for r in t["unit_values"]} != set(units):
        problems.append("unit_values must cover every product")
    inv_keys = set()
    for r in t["inventories"]:
        if (r["holder"], r["product"]) not in need:
            problems.append(f"inventory of non-input {r['holder']}/{r['product']}")
        if float(r["target_days"]) < 2:
            problems.append(f"target_days < 2 for {r['holder']}")
        inv_keys.add((r["holder"], r["product"]))
    if strict:
        for r in t["recipes"]:
            if (r["producer"], r["input_product"]) not in inv_keys:
                problems.append(f"no inventory row for {r['producer']}/{r['input_product']}")
    if extra is not None:
        extra(t, need, problems)
    for name, rows in t.items():
        if name == "sources":
            continue
        for i, r in enumerate(rows):
            names = [s for s in r["source"].split(";") if s]
            if not names:
                problems.append(f"{name} row {i + 1}: no source")
            for s in names:
                if s not in ids:
                    problems.append(f"{name} row {i + 1}: unknown source {s}")
    for s in ids.values():
        if s["kind"] not in ("source", "derived", "assumption") or not s["note"]:
            problems.append(f"source row {s['source_id']} incomplete")
        if s["kind"] == "source" and not (s["url"].startswith("http") if strict else s["url"]):
            problems.append(f"source row {s['source_id']} needs url")
        if strict and s["kind"] == "assumption" and (s["url"] or len(s["note"]) < 40):
            problems.append(f"assumption {s['source_id']} has url or no reason")
        if not strict and s["kind"] == "assumption" and s["url"]:
            problems.append(f"assumption {s['source_id']} has url")
        for ref in re.findall(SOURCE_REF, s["note"]):
            if ref not in ids:
                problems.append(f"source {s['source_id']} note cites unknown id {ref}")
    if problems:
        raise BuildError("self-check failed:\n  " + "\n  ".join(problems))


# ----------------------------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------------------------
def parse_args(doc: str | None, default_out: Path, argv: list[str] | None) -> argparse.Namespace:
    """``--facts DIR`` (default ``data/facts``), ``--assumptions CSV`` (default
    ``data/assumptions/<dataset>.csv``) and ``--out DIR`` (default: the bundled folder)."""
    ap = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    ap.add_argument("--facts", type=Path, default=DEFAULT_FACTS, help="folder of fact tables")
    ap.add_argument(
        "--assumptions",
        type=Path,
        default=ASSUMPTIONS / f"{default_out.name}.csv",
        help="the dataset's assumption table",
    )
    ap.add_argument("--out", type=Path, default=default_out, help="dataset folder to write")
    return ap.parse_args(argv)


def render(
    M: Model,
    S: Sources,
    *,
    producer_end_uses: Collection[str],
    demand_end_uses: Collection[str],
    strict: bool = True,
    extra: Callable[[Tables, Need, list[str]], None] | None = None,
) -> tuple[dict[str, list[dict]], dict[str, str]]:
    """The tables and their CSV texts (columns from the World schema), self-checked."""
    tabs = tables_of(M, S)
    texts = {name: to_csv(tabs[name], schema_columns(name)) for name in TABLES}
    self_check(
        texts,
        producer_end_uses=producer_end_uses,
        demand_end_uses=demand_end_uses,
        strict=strict,
        extra=extra,
    )
    return tabs, texts


def write_dataset(out: Path, texts: dict[str, str], meta: str, S: Sources) -> None:
    """Check that ``dataset.yaml`` cites only registered ids, then write the dataset folder.

    The assumption table goes with it as ``assumptions.csv`` (a copy of the file read), after
    checking that the builder read every row of it.
    """
    for ref in re.findall(SOURCE_REF, meta):
        if ref not in S.rows:
            fail(f"dataset.yaml cites unknown source id {ref}")
    if S.assumptions is None:
        fail("the dataset needs its assumption table")
        raise AssertionError
    S.assumptions.check_all_used()
    out.mkdir(parents=True, exist_ok=True)
    for name, txt in texts.items():
        (out / f"{name}.csv").write_text(txt, encoding="utf-8")
    (out / "assumptions.csv").write_text(S.assumptions.text, encoding="utf-8")
    (out / "dataset.yaml").write_text(meta, encoding="utf-8")


def dump_yaml(meta: dict) -> str:
    """``dataset.yaml`` text: keys in the given order, wrapped at 100 characters."""
    return yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


def summary(out: Path, tabs: dict[str, list[dict]]) -> str:
    """The 'wrote ...' line: the row count of each table."""
    return (
        f"wrote {out}: {len(tabs['regions'])} regions, {len(tabs['products'])} products, "
        f"{len(tabs['producers'])} producers, {len(tabs['supply_links'])} supply links, "
        f"{len(tabs['final_demand'])} final-demand cells, {len(tabs['inventories'])} inventories, "
        f"{len(tabs['sources'])} sources"
    )


def run(main: Callable[[], int], prog: str) -> None:
    """Run a builder's ``main`` and exit; a :class:`BuildError` exits 1 with its message."""
    try:
        sys.exit(main())
    except BuildError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        sys.exit(1)
