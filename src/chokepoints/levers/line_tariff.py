"""The line-level tariff schedule priced into the dynamic engine (World products mapped to HTS lines).

``line_tariffs``: for each World product mapped to US tariff lines (HTS prefixes), the
trade-weighted average of the bundled line-level schedule (:mod:`chokepoints.trade.lines`: MFN,
Section 301 with its exclusions, 232, IEEPA, 122 by date) on the importer's lines from each exporter
becomes a :class:`~chokepoints.effects.PriceWedge` on the importer's purchases of that product from
that exporter, which re-weights buyers' orders between origins by the Armington rule::

    - type: line_tariffs
      on: 2025-01-01            # base date: the rates in force then are already in the World's flows
      importer: USA             # the bundled line data are US imports (2024 Census, HTS-10)
      exporters: [CHN]          # bundled partners: CHN, VNM, MEX, TWN, KOR, JPN, EU, CAN, IND, ...
      products:                 # World product -> HTS prefixes; omit to use the bundled map of the World
        ndfeb_magnet: ["850511"]
      until: 2026-12-31         # optional: first day the wedges no longer apply

Formula, for product p, exporter x and a date t (w_l: the line's 2024 imports from x; R_l(t): the
line's total rate in percent on t, all layers stacked by the schedule's rules)::

    r_px(t) = sum_{l in L_p} w_l R_l(t) / sum_{l in L_p} w_l,   L_p = lines matching p's prefixes
    wedge_px(t) = (r_px(t) - r_px(on)) / 100     (piecewise constant between the schedule's change dates)

The engine clips the summed wedge at zero (tau = 1 + max(rate, 0)): a rate below the base date's is
not a subsidy. The bundled map (``tariff_lines/world_products.csv``) says, for each World, which lines
stand for which product; every row is sourced or a labelled assumption.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator, model_validator

from ..effects import Effect, PriceWedge
from .base import LeverContext, LeverEvent, as_list

if TYPE_CHECKING:
    from ..trade.lines import LineSchedule


class LineTariffs(LeverEvent):
    """The bundled line-level schedule on World products mapped to HTS lines, as Armington price
    wedges relative to the rates of ``on`` (see the module docstring for the formula)."""

    type: Literal["line_tariffs"] = "line_tariffs"
    importer: Literal["USA"] = Field(default="USA", description="the bundled line data are US imports")
    exporters: list[str] = Field(default_factory=lambda: ["CHN"], min_length=1)
    products: dict[str, list[str]] | None = Field(
        default=None, description="World product -> HTS prefixes (digits); omitted: the World's bundled map"
    )
    until: dt.date | None = None

    _lists = field_validator("exporters", mode="before")(as_list)

    @field_validator("products", mode="before")
    @classmethod
    def _prefix_lists(cls, v: object) -> object:
        if not isinstance(v, dict):
            return v
        out: dict[object, object] = {}
        for k, p in v.items():
            items = [p] if isinstance(p, str | int) else p
            if isinstance(items, list) and any(isinstance(x, int | float) for x in items):
                # YAML reads an unquoted 0101 as a number and drops the zero: refuse rather than guess
                raise ValueError(f"products.{k}: write HTS prefixes as quoted strings (e.g. '850511', '0101')")
            out[k] = items
        return out

    @model_validator(mode="after")
    def _check(self) -> LineTariffs:
        if self.until is not None and self.until <= self.on:
            raise ValueError("'until' must be after 'on'")
        for p, prefixes in (self.products or {}).items():
            if not prefixes:
                raise ValueError(f"products.{p}: give at least one HTS prefix")
            for h in prefixes:
                if not (h.isdigit() and 2 <= len(h) <= 10):
                    raise ValueError(f"products.{p}: expected HTS digits (2 to 10), got {h!r}")
        return self


def world_product_lines(world: str) -> dict[str, list[str]]:
    """World product -> HTS prefixes, from the bundled map ``tariff_lines/world_products.csv`` (world, product,
    hts, source, note): which US tariff lines stand for a World's product when the line-level schedule prices it."""
    from ..errors import InputError, Problem
    from ..trade.lines import _read, lines_dir

    df = _read(lines_dir() / "world_products.csv", ("world", "product", "hts", "source"))
    g = df[df["world"] == world]
    if g.empty:
        known = ", ".join(sorted(df["world"].unique()))
        msg = f"no bundled map of World {world!r} to tariff lines (maps for: {known}); give 'products'"
        raise InputError(Problem("world_products.csv", msg + " (World product -> HTS prefixes)"))
    out: dict[str, list[str]] = {}
    for rec in g.to_dict("records"):
        out.setdefault(rec["product"], []).append(str(rec["hts"]).strip())
    return out


def product_map(ctx: LeverContext, e: LineTariffs) -> dict[str, list[str]]:
    """The event's map, or the bundled one for the World (``tariff_lines/world_products.csv``)."""
    return e.products if e.products is not None else world_product_lines(ctx.world.name)


def check(ctx: LeverContext, i: int, e: LeverEvent) -> None:
    if not isinstance(e, LineTariffs):
        return
    from ..errors import InputError
    from ..trade.lines import line_book, prefix_match

    ctx.check_region(i, ("importer",), e.importer)
    for j, x in enumerate(e.exporters):
        ctx.check_region(i, ("exporters", j), x)
    # errors about the map point at 'products' when the scenario wrote it, else at the event (the bundled map)
    where = ("events", i, "products") if e.products is not None else ("events", i)
    try:
        pmap = product_map(ctx, e)
    except InputError as err:
        ctx.err(where, err.problems[0].message)
        return
    for p in pmap:
        if e.products is not None:
            ctx.check_product(i, ("products", p), p)
        elif p not in ctx.pidx:
            ctx.err(where, f"the bundled map names product {p!r}, which World {ctx.world.name!r} does not have")
    for j, x in enumerate(e.exporters):
        try:
            book = line_book(e.importer, x)
        except InputError as err:
            ctx.err(("events", i, "exporters", j), err.problems[0].message)
            continue
        for p, prefixes in pmap.items():
            if book.weights[prefix_match(book.codes, prefixes)].sum() <= 0:
                at = (*where, p) if e.products is not None else where
                ctx.err(at, f"no 2024 US imports from {x} on HTS lines {', '.join(prefixes)} (product {p})")


def rate_path(
    e: LineTariffs, prefixes: list[str], exporter: str, dates: list[dt.date], sched: LineSchedule | None = None
) -> list[float]:
    """r_px(t) in percent on each date: the trade-weighted total rate over the lines of ``prefixes``."""
    from ..trade.lines import LineSchedule, line_book, prefix_match

    sched = sched or LineSchedule.bundled()
    book = line_book(e.importer, exporter)
    m = prefix_match(book.codes, prefixes)
    codes, w, mfn = book.codes[m], book.weights[m], None if book.mfn is None else book.mfn[m]
    return [float(w @ sched.rates(d, e.importer, exporter, codes, mfn).sum(axis=0) / w.sum()) for d in dates]


def compile(ctx: LeverContext, i: int, e: LeverEvent) -> list[Effect]:
    if not isinstance(e, LineTariffs):
        return []
    from ..trade.lines import LineSchedule
    from .tariff import setup_sigma

    sigma = setup_sigma(ctx)
    sched = LineSchedule.bundled()
    changes = [d for d in sched.change_dates(e.on) if d > e.on and ctx.day(d) < ctx.T]
    changes = [d for d in changes if e.until is None or d < e.until]
    stop = None if e.until is None else ctx.day(e.until)
    out: list[Effect] = []
    for p, prefixes in product_map(ctx, e).items():
        for x in e.exporters:
            base, *path = rate_path(e, prefixes, x, [e.on, *changes], sched)
            for k, d in enumerate(changes):
                delta = (path[k] - base) / 100.0
                if abs(delta) < 1e-12:
                    continue
                end = ctx.day(changes[k + 1]) if k + 1 < len(changes) else stop
                if end is not None and end <= 0:
                    continue
                out.append(
                    PriceWedge(
                        max(ctx.day(d), 0),
                        end,
                        ctx.region_mask([e.importer]),
                        ctx.region_mask([x]),
                        ctx.product_mask([p]),
                        delta,
                        sigma,
                        label=f"{e.id or e.type}:{p}<-{x}@{d}",
                    )
                )
    return out


EVENTS = (LineTariffs,)
