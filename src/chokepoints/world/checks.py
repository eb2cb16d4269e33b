"""Named consistency checks on a World (as PyPSA's ``consistency.py``).

Each ``check_<thing>(world)`` returns a list of :class:`~chokepoints.errors.Problem`
located by file, data row (1-based, header excluded) and column. ``check_world``
runs them all; ``World`` construction raises :class:`ConsistencyError` listing every
problem at once so a user can fix a file in one pass.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import Problem
from .schema import PRODUCT_UNITS

if TYPE_CHECKING:
    from .core import World

SHARE_TOL = 1e-6
BALANCE_RTOL = 1e-6
SOURCE_KINDS = ("source", "derived", "assumption")


def _p(world: World, table: str, row: int | None, column: str | None, msg: str) -> Problem:
    return Problem(world.file_of(table), msg, row=None if row is None else row + 1, field=column)


def _rows(df: pd.DataFrame):
    return zip(range(len(df)), df.itertuples(index=False), strict=True)


def check_identifiers(world: World) -> list[Problem]:
    """Ids are non-empty and unique; producer and final-demand ids share one namespace."""
    out: list[Problem] = []
    seen_nodes: dict[str, str] = {}
    for table, col in (
        ("regions", "region"),
        ("products", "product"),
        ("producers", "producer"),
        ("final_demand", "demand"),
        ("sources", "source_id"),
    ):
        df = world.tables[table]
        seen: set[str] = set()
        for i, value in enumerate(df[col]):
            if not value:
                out.append(_p(world, table, i, col, "an identifier is required"))
            elif value in seen:
                out.append(_p(world, table, i, col, f"duplicate identifier {value!r}"))
            elif table in ("producers", "final_demand") and value in seen_nodes:
                out.append(
                    _p(
                        world,
                        table,
                        i,
                        col,
                        f"{value!r} is already used in {seen_nodes[value]}; producer and "
                        "final-demand ids must be distinct",
                    )
                )
            seen.add(value)
            if table in ("producers", "final_demand"):
                seen_nodes.setdefault(value, table)
    return out


def check_references(world: World) -> list[Problem]:
    """Every region, product, producer and buyer named in a table exists."""
    t = world.tables
    regions = set(t["regions"]["region"])
    products = set(t["products"]["product"])
    producers = set(t["producers"]["producer"])
    buyers = producers | set(t["final_demand"]["demand"])
    refs = [
        ("producers", "region", regions, "region"),
        ("producers", "product", products, "product"),
        ("recipes", "producer", producers, "producer"),
        ("recipes", "input_product", products, "product"),
        ("supply_links", "buyer", buyers, "producer or final-demand cell"),
        ("supply_links", "product", products, "product"),
        ("supply_links", "supplier", producers, "producer"),
        ("final_demand", "region", regions, "region"),
        ("final_demand", "product", products, "product"),
        ("inventories", "holder", producers, "producer"),
        ("inventories", "product", products, "product"),
        ("unit_values", "product", products, "product"),
    ]
    out: list[Problem] = []
    for table, col, known, what in refs:
        for i, value in enumerate(t[table][col]):
            if value not in known:
                out.append(_p(world, table, i, col, f"unknown {what} {value!r}"))
    return out


def check_values(world: World) -> list[Problem]:
    """Non-negative quantities; capacity at least baseline output; shares within [0, 1]."""
    t = world.tables
    out: list[Problem] = []
    nonneg = [
        ("producers", "capacity_per_day"),
        ("producers", "output_per_day"),
        ("recipes", "amount_per_unit"),
        ("final_demand", "amount_per_day"),
        ("inventories", "days_of_cover"),
        ("inventories", "target_days"),
        ("unit_values", "usd_per_unit"),
    ]
    for table, col in nonneg:
        for i, v in enumerate(t[table][col]):
            if v < 0:
                out.append(_p(world, table, i, col, f"must be >= 0, got {v:g}"))
    for i, v in enumerate(t["supply_links"]["share"]):
        if not 0 <= v <= 1:
            out.append(_p(world, "supply_links", i, "share", f"must be within [0, 1], got {v:g}"))
    prod = t["producers"]
    for i, (cap, x0) in enumerate(zip(prod["capacity_per_day"], prod["output_per_day"], strict=True)):
        if cap >= 0 and x0 >= 0 and cap < x0 * (1 - 1e-9):
            out.append(
                _p(world, "producers", i, "capacity_per_day", f"capacity {cap:g} is below baseline output {x0:g}")
            )
    for i, v in enumerate(t["inventories"]["target_days"]):
        if 0 <= v < 2:
            out.append(
                _p(
                    world,
                    "inventories",
                    i,
                    "target_days",
                    f"must be >= 2 days (as BoARIO, so that one day's use never exceeds the stock), got {v:g}",
                )
            )
    return out


def check_units(world: World) -> list[Problem]:
    """Product units are known; recipe and unit-value units agree with the products."""
    t = world.tables
    out: list[Problem] = []
    unit = dict(zip(t["products"]["product"], t["products"]["unit"], strict=True))
    for i, u in enumerate(t["products"]["unit"]):
        if u not in PRODUCT_UNITS:
            out.append(_p(world, "products", i, "unit", f"expected one of {', '.join(PRODUCT_UNITS)}, got {u!r}"))
    made = dict(zip(t["producers"]["producer"], t["producers"]["product"], strict=True))
    for i, r in _rows(t["recipes"]):
        if r.input_product in unit and r.producer in made and made[r.producer] in unit:
            want = f"{unit[r.input_product]} per {unit[made[r.producer]]}"
            if r.unit != want:
                out.append(_p(world, "recipes", i, "unit", f"expected '{want}', got '{r.unit}'"))
    for i, r in _rows(t["unit_values"]):
        if r.product in unit and r.unit != f"USD per {unit[r.product]}":
            out.append(_p(world, "unit_values", i, "unit", f"expected 'USD per {unit[r.product]}', got '{r.unit}'"))
    return out


def check_links(world: World) -> list[Problem]:
    """Supply links: suppliers make the product, buyers need it, shares sum to 1."""
    t = world.tables
    out: list[Problem] = []
    made = dict(zip(t["producers"]["producer"], t["producers"]["product"], strict=True))
    needs: set[tuple[str, str]] = set(zip(t["recipes"]["producer"], t["recipes"]["input_product"], strict=True))
    fd_product = dict(zip(t["final_demand"]["demand"], t["final_demand"]["product"], strict=True))
    needs |= set(fd_product.items())
    links = t["supply_links"]
    seen: set[tuple[str, str, str]] = set()
    for i, r in _rows(links):
        if r.supplier in made and made[r.supplier] != r.product:
            out.append(
                _p(
                    world,
                    "supply_links",
                    i,
                    "supplier",
                    f"{r.supplier!r} makes {made[r.supplier]!r}, not {r.product!r}",
                )
            )
        if (r.buyer in made or r.buyer in fd_product) and (r.buyer, r.product) not in needs:
            out.append(
                _p(
                    world,
                    "supply_links",
                    i,
                    "product",
                    f"buyer {r.buyer!r} does not use {r.product!r} (no recipe or final-demand row)",
                )
            )
        key = (r.buyer, r.product, r.supplier)
        if key in seen:
            out.append(_p(world, "supply_links", i, "supplier", f"duplicate link {key}"))
        seen.add(key)
    if len(links):
        sums = links.groupby(["buyer", "product"], sort=False)["share"].sum()
        first_row = links.reset_index().groupby(["buyer", "product"], sort=False)["index"].first()
        for (buyer, product), s in sums.items():
            if abs(s - 1.0) > SHARE_TOL:
                out.append(
                    _p(
                        world,
                        "supply_links",
                        int(first_row[(buyer, product)]),
                        "share",
                        f"shares of buyer {buyer!r} for product {product!r} sum to {s:.6g}, expected 1",
                    )
                )
    linked = set(zip(links["buyer"], links["product"], strict=True))
    for i, r in _rows(t["recipes"]):
        if r.amount_per_unit > 0 and (r.producer, r.input_product) not in linked:
            out.append(
                _p(
                    world,
                    "recipes",
                    i,
                    "input_product",
                    f"no supply links for {r.producer!r} buying {r.input_product!r}",
                )
            )
    for i, r in _rows(t["final_demand"]):
        if r.amount_per_day > 0 and (r.demand, r.product) not in linked:
            out.append(_p(world, "final_demand", i, "product", f"no supply links for final-demand cell {r.demand!r}"))
    for i, r in _rows(t["inventories"]):
        if (r.holder, r.product) not in needs:
            out.append(
                _p(
                    world,
                    "inventories",
                    i,
                    "product",
                    f"holder {r.holder!r} does not use {r.product!r} (no recipe row)",
                )
            )
    return out


def check_balance(world: World, rtol: float = BALANCE_RTOL) -> list[Problem]:
    """Baseline balance: output_f = sum_b share(b, p(f), f) * need_b(p(f)) + final demand served.

    need_b(p) is amount_per_unit(b, p) * output_per_day(b) for a producer buyer b and
    amount_per_day(c) for a final-demand cell c.
    """
    t = world.tables
    prod = t["producers"]
    x0 = dict(zip(prod["producer"], prod["output_per_day"], strict=True))
    need = {
        (r.producer, r.input_product): r.amount_per_unit * x0.get(r.producer, np.nan) for r in t["recipes"].itertuples()
    }
    for r in t["final_demand"].itertuples():
        need[(r.demand, r.product)] = r.amount_per_day
    sales: dict[str, float] = dict.fromkeys(prod["producer"], 0.0)
    for r in t["supply_links"].itertuples():
        if r.supplier in sales:
            sales[r.supplier] += r.share * need.get((r.buyer, r.product), 0.0)
    out: list[Problem] = []
    for i, r in _rows(prod):
        s = sales[r.producer]
        scale = max(abs(r.output_per_day), abs(s), 1e-12)
        if abs(r.output_per_day - s) > rtol * scale:
            out.append(
                _p(
                    world,
                    "producers",
                    i,
                    "output_per_day",
                    f"baseline not balanced for {r.producer!r}: output {r.output_per_day:.6g} "
                    f"but baseline sales (links x needs) are {s:.6g}",
                )
            )
    return out


def check_sources(world: World) -> list[Problem]:
    """Every data row cites known source ids; assumption rows give a reason."""
    t = world.tables
    out: list[Problem] = []
    ids = set(t["sources"]["source_id"])
    for i, r in _rows(t["sources"]):
        if r.kind not in SOURCE_KINDS:
            out.append(_p(world, "sources", i, "kind", f"expected one of {', '.join(SOURCE_KINDS)}, got {r.kind!r}"))
        if not r.note:
            what = "the reason for the value" if r.kind == "assumption" else "what was done to the figure"
            out.append(_p(world, "sources", i, "note", f"empty; expected {what}"))
        if r.kind == "source" and not r.url:
            out.append(_p(world, "sources", i, "url", "a published source needs its address"))
    for table, df in t.items():
        if table == "sources":
            continue
        for i, cited in enumerate(df["source"]):
            names = [s.strip() for s in cited.split(";") if s.strip()]
            if not names:
                out.append(_p(world, table, i, "source", "no source id; every row needs a source or an assumption"))
            for s in names:
                if s not in ids:
                    out.append(_p(world, table, i, "source", f"unknown source id {s!r} (not in sources.csv)"))
    return out


ALL_CHECKS = (check_identifiers, check_references, check_values, check_units, check_links, check_balance)


# Largest magnitudes accepted (beyond them sums and products of a day's flows overflow or lose all precision)
MAX_UNIT_VALUE = 1e15  # USD per unit
MAX_AMOUNT_PER_UNIT = 1e9  # input units per output unit
MAX_FLOW = 1e18  # units per day
KEYS = {
    "inventories": ("holder", "product"),
    "recipes": ("producer", "input_product"),
    "unit_values": ("product",),
    "final_demand": ("demand",),
}
REQUIRED_ROWS = ("regions", "products", "producers")


def check_tables(world: World) -> list[Problem]:
    """Tables that must have rows have them; no duplicate keys; values within their ranges.

    Ranges: 0 < usd_per_unit <= 1e15; amount_per_unit <= 1e9; outputs, capacities and final
    demands <= 1e18 a day.
    """
    t = world.tables
    out: list[Problem] = []
    for table in REQUIRED_ROWS:
        if len(t[table]) == 0:
            out.append(Problem(world.file_of(table), f"table '{table}' has no rows", line=2))
    for table, key in KEYS.items():
        seen: dict[tuple, int] = {}
        for i, r in enumerate(t[table][list(key)].itertuples(index=False, name=None)):
            if r in seen:
                what = ", ".join(f"{k}={v!r}" for k, v in zip(key, r, strict=True))
                out.append(_p(world, table, i, key[-1], f"duplicate row ({what}), first at row {seen[r] + 1}"))
            seen.setdefault(r, i)
    for i, v in enumerate(t["unit_values"]["usd_per_unit"]):
        if not 0 < v <= MAX_UNIT_VALUE:
            out.append(_p(world, "unit_values", i, "usd_per_unit", f"must be > 0 and <= {MAX_UNIT_VALUE:g}, got {v:g}"))
    for i, v in enumerate(t["recipes"]["amount_per_unit"]):
        if v > MAX_AMOUNT_PER_UNIT:
            out.append(_p(world, "recipes", i, "amount_per_unit", f"must be <= {MAX_AMOUNT_PER_UNIT:g}, got {v:g}"))
    for table, col in (
        ("producers", "capacity_per_day"),
        ("producers", "output_per_day"),
        ("final_demand", "amount_per_day"),
    ):
        for i, v in enumerate(t[table][col]):
            if v > MAX_FLOW:
                out.append(_p(world, table, i, col, f"must be <= {MAX_FLOW:g} a day, got {v:g}"))
    return out


def check_world(world: World, sources: bool = True) -> list[Problem]:
    """Run every check; structural ones first so later ones see valid references."""
    problems: list[Problem] = []
    problems.extend(check_identifiers(world))
    problems.extend(check_references(world))
    problems.extend(check_tables(world))
    if problems:
        return problems  # later checks would repeat the same faults in other words
    for check in ALL_CHECKS[2:]:
        problems.extend(check(world))
    if sources:
        problems.extend(check_sources(world))
    return problems
