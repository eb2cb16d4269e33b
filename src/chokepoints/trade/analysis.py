"""Tariff analysis of a scenario: trade data + dated schedule + events -> PE results at each date.

``analyse(sc)`` reads the scenario's ``trade_setup`` event (or the defaults: the bundled 2024
US-China lines, the bundled 2025 schedule, base date = scenario start), adds the scenario's
``tariff`` events to the schedule as extra rows, checks them against the data (unknown importer
or partner, selectors matching nothing, overlaps the stacking rules forbid), and solves the
non-linear model at each date on which the rates change, relative to the rates in force on the
base date. Uncertain elasticities (``events.<setup id>.eta|sigma|epsilon``) and tariff rates
(``events.<tariff id>.rate``) are sampled by Latin hypercube (one solve per run).

The result is an xarray Dataset with dims ``run, date, line, partner`` (lines are importer x
product), per-line variables on ``run, date, line``, trade-weighted average rates by layer on
``date, importer, partner, layer``, and provenance in ``attrs``. Values are USD million a year
at base-year flows: comparative statics of "these rates, held for a year".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ..errors import InputError, Problem
from ..scenario import Scenario
from ..scenario.events_trade import Tariff, TradeSetup
from ..scenario.params import event_targets
from ..scenario.sampling import sample
from .api import CELL_VARS, LINE_VARS, check_inputs, solution_vars
from .data import (
    TradeData,
    load_bundled,
    load_elasticity_table,
    read_baci,
    read_comtrade,
    read_tidy,
    section_of_hs,
    trade_data,
)
from .market import Market, UncertainTarget, result_dataset, weighted_by_importer
from .pe import solve_arrays
from .schedule import LAYERS, Catalog, LayerRow, Origin, Schedule, make_row, parse_selector

SETUP_FIELDS = ("eta", "sigma", "epsilon")


def _where(sc: Scenario, path: tuple[str | int, ...]) -> tuple[int | None, int | None]:
    loc = sc.locate(path)
    return (loc[0], loc[1])


def _err(sc: Scenario, path: tuple[str | int, ...], message: str) -> InputError:
    from ..yamlio import format_path

    line, col = _where(sc, path)
    return InputError(Problem(sc.source_path or "<scenario>", message, line, col, field=format_path(path)))


def find_setup(sc: Scenario) -> tuple[TradeSetup, int | None]:
    setups = [(i, e) for i, e in enumerate(sc.events) if isinstance(e, TradeSetup)]
    if len(setups) > 1:
        raise _err(sc, ("events", setups[1][0], "type"), "only one trade_setup event is allowed")
    if setups:
        return setups[0][1], setups[0][0]
    return TradeSetup(on=sc.start), None


def _resolve(sc: Scenario, ref: str) -> Path:
    p = Path(ref)
    if not p.is_absolute() and sc.source_path:
        p = Path(sc.source_path).parent / p
    return p


def load_trade(sc: Scenario, setup: TradeSetup, idx: int | None) -> TradeData:
    """The trade data the setup names (bundled, tidy CSV, BACI or Comtrade)."""

    if setup.format == "bundled":
        td = load_bundled()
    else:
        path = _resolve(sc, setup.data)
        codes = _resolve(sc, setup.country_codes) if setup.country_codes else None
        # A missing file is the scenario's fault: point at the field that names it.
        for fld, f in (("data", path), ("country_codes", codes)):
            if f is not None and not f.is_file():
                raise _err(sc, ("events", idx or 0, fld), f"file not found: {f}")
        if setup.format == "tidy":
            df = read_tidy(path)
        elif setup.format == "baci":
            df = read_baci(path, codes or Path(), year=setup.year)
        else:
            df = read_comtrade(path, year=setup.year)
        if setup.format == "tidy" and setup.year is not None and "year" in df.columns:
            df = df[pd.to_numeric(df["year"], errors="coerce") == setup.year]
        products = None
        if "hs" in df.columns or "section" in df.columns:
            cat = df.drop_duplicates("product")[["product"] + [c for c in ("hs", "section") if c in df.columns]]
            cat = cat.assign(hs=cat.get("hs", pd.Series([""] * len(cat), index=cat.index)))
            cat["section"] = cat.get("section", cat["hs"].map(section_of_hs))
            cat["description"] = cat["product"]
            products = cat[["product", "description", "hs", "section"]].reset_index(drop=True)
        td = trade_data(df, name=str(path), version=str(setup.year or ""), products=products)
    if setup.importers is not None:
        known = set(td.flows["importer"])
        for k, imp in enumerate(setup.importers):
            if imp not in known:
                raise _err(
                    sc,
                    ("events", idx or 0, "importers", k),
                    f"importer {imp!r} has no flows in the trade data (importers: {', '.join(sorted(known))})",
                )
        td.flows = td.flows[td.flows["importer"].isin(setup.importers)].reset_index(drop=True)
    if td.flows.empty:
        raise _err(
            sc,
            ("events", idx, "data") if idx is not None else (),
            "the trade data has no import flows",
        )
    return td


def build_market(td: TradeData) -> Market:
    flows = td.flows[td.flows["importer"] != td.flows["exporter"]]
    lines = flows[["importer", "product"]].drop_duplicates().sort_values(["importer", "product"], kind="stable")
    partners = np.array(sorted(set(flows["exporter"])), dtype=object)
    products = td.products.copy()
    missing = sorted(set(lines["product"]) - set(products["product"]))
    if missing:
        extra = pd.DataFrame(
            {
                "product": missing,
                "description": missing,
                "hs": [m if m.isdigit() else "" for m in missing],
                "section": [section_of_hs(m) if m.isdigit() else "" for m in missing],
            }
        )
        products = pd.concat([products, extra], ignore_index=True)
    catalog = Catalog.from_frame(products)
    cidx = catalog.index()
    line_key = {(i, p): n for n, (i, p) in enumerate(zip(lines["importer"], lines["product"], strict=True))}
    pidx = {p: j for j, p in enumerate(partners)}
    m0 = np.zeros((len(lines), len(partners)))
    rows = [line_key[(i, p)] for i, p in zip(flows["importer"], flows["product"], strict=True)]
    cols = [pidx[e] for e in flows["exporter"]]
    np.add.at(
        m0,
        (np.asarray(rows, dtype=int), np.asarray(cols, dtype=int)),
        flows["value_usd_m"].to_numpy(float),
    )
    return Market(
        line_id=np.array(
            [f"{i}:{p}" for i, p in zip(lines["importer"], lines["product"], strict=True)],
            dtype=object,
        ),
        line_importer=np.asarray(lines["importer"], dtype=object),
        line_product=np.array([cidx[p] for p in lines["product"]], dtype=int),
        partners=partners,
        m0=m0,
        catalog=catalog,
        products=products,
    )


def event_rows(sc: Scenario, market: Market) -> list[LayerRow]:
    """The scenario's tariff events as schedule rows, checked against the trade data."""
    countries = sorted(set(market.line_importer.tolist()) | set(market.partners.tolist()))
    importers = market.importers
    rows = []
    for i, e in enumerate(sc.events):
        if not isinstance(e, Tariff):
            continue
        base = ("events", i)
        if e.importer not in importers:
            raise _err(
                sc,
                (*base, "importer"),
                f"unknown importer {e.importer!r}; the trade data has import lines for {', '.join(importers)}",
            )
        exporters = ["*"] if e.exporter == "all" else list(e.exporter)
        for k, x in enumerate(exporters):
            if x != "*" and x not in countries:
                raise _err(
                    sc,
                    (*base, "exporter", k) if e.exporter != "all" else (*base, "exporter"),
                    f"unknown partner {x!r}; the trade data has {', '.join(countries)}",
                )
            if x == e.importer:
                raise _err(sc, (*base, "exporter", k), f"partner {x!r} is the importer itself")
        products = ["*"] if e.products == "all" else list(e.products)
        own = market.line_product[market.line_importer == e.importer]
        for k, text in enumerate(products):
            path = (*base, "products", k) if e.products != "all" else (*base, "products")
            try:
                sel = parse_selector(text)
            except ValueError as exc:
                raise _err(sc, path, str(exc)) from None
            if not market.catalog.match(sel)[own].any():
                raise _err(sc, path, f"product selector {text!r} matches no product line of {e.importer}")
        marks = tuple(
            (f, _where(sc, (*base, f)))
            for f in (
                "on",
                "until",
                "exporter",
                "products",
                "importer",
                "layer",
                "rate",
                "action",
                "",
            )
        )
        origin = Origin(sc.source_path or "<scenario>", event=i, marks=marks)
        rows.append(
            make_row(
                id=e.id or f"events[{i}]",
                importer=e.importer,
                exporters=exporters,
                products=products,
                layer=e.layer,
                action=e.action,
                rate=e.rate,
                on=e.on,
                until=e.until,
                source=(),
                note=e.note,
                origin=origin,
            )
        )
    return rows


def load_schedule(sc: Scenario, setup: TradeSetup, idx: int | None) -> Schedule:
    if setup.schedule == "none":
        return Schedule.empty()
    if setup.schedule == "us-china-2025":
        return Schedule.bundled()
    path = _resolve(sc, setup.schedule)
    if not path.is_file():
        raise _err(
            sc,
            ("events", idx or 0, "schedule"),
            f"schedule {setup.schedule!r} is neither 'us-china-2025', 'none' nor a file",
        )
    return Schedule.from_csv(path)


def resolve_elasticities(
    table: pd.DataFrame, market: Market
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """eta (L,), sigma (L,), epsilon (L, N) from the table: the most specific matching row wins.

    Specificity, in this order: the product selector (a product id beats an HS code, a longer code
    beats a shorter one, a code beats an HS section, a section beats ``*``); then a named importer
    over ``*``; then, for epsilon, a named exporter over ``*``. On a tie the later row wins. eta and
    sigma rows must have exporter ``*``.
    """
    L, N = market.m0.shape
    path = table.attrs.get("path", "elasticities")
    best = {p: np.full((L, N) if p == "epsilon" else (L,), -1.0) for p in SETUP_FIELDS}
    val = {p: np.full((L, N) if p == "epsilon" else (L,), np.nan) for p in SETUP_FIELDS}
    src = {p: np.full((L, N) if p == "epsilon" else (L,), "", dtype=object) for p in SETUP_FIELDS}
    for r, rec in enumerate(table.to_dict("records"), start=1):
        par = rec["parameter"]
        imp, exp = str(rec["importer"]).strip(), str(rec["exporter"]).strip()
        if par != "epsilon" and exp not in ("*", ""):
            raise InputError(
                Problem(
                    path,
                    f"{par} is one value per line: exporter must be '*'",
                    row=r,
                    field="exporter",
                )
            )
        try:
            sels = [parse_selector(s) for s in str(rec["products"]).split(";") if s.strip()] or [parse_selector("*")]
        except ValueError as exc:
            raise InputError(Problem(path, str(exc), row=r, field="products")) from None
        lm = np.zeros(L, dtype=bool)
        score = np.zeros(L)
        for s in sels:
            m = market.catalog.match(s)[market.line_product]
            sc_s = {"all": 0.0, "section": 10.0, "hs": 20.0 + min(len(s.value), 9), "id": 30.0}[s.kind]
            score = np.where(m, np.maximum(score, sc_s), score)
            lm |= m
        if imp not in ("*", ""):
            lm &= market.line_importer == imp
            score = score + 0.5
        if par == "epsilon":
            pm = np.ones(N, dtype=bool) if exp in ("*", "") else market.partners == exp
            cell = lm[:, None] & pm[None, :]
            sc2 = score[:, None] + (0.25 if exp not in ("*", "") else 0.0)
            take = cell & (sc2 >= best[par])
        else:
            sc2 = score
            take = lm & (sc2 >= best[par])
        best[par] = np.where(take, sc2, best[par])
        val[par] = np.where(take, float(rec["value"]), val[par])
        src[par] = np.where(take, str(rec.get("source", "")), src[par])
    for par in SETUP_FIELDS:
        if np.isnan(val[par]).any():
            raise InputError(
                Problem(
                    path,
                    f"no row gives {par} for some lines; add a default row (importer '*', exporter '*', products '*')",
                    field="parameter",
                )
            )
    return val["eta"], val["sigma"], val["epsilon"], src


def uncertain_targets(sc: Scenario) -> list[UncertainTarget]:
    """The scenario's uncertain parameters that the tariff analysis reads."""
    out = []
    for j, i, ref in event_targets(sc):
        e, name = sc.events[i], str(ref.field)
        if isinstance(e, TradeSetup):
            if name not in SETUP_FIELDS:
                raise _err(
                    sc,
                    ("uncertain", j, "parameter"),
                    f"a trade_setup varies only in {', '.join(SETUP_FIELDS)}, not {name!r}",
                )
            out.append(UncertainTarget(j, "setup", name, i))
        elif isinstance(e, Tariff):
            if name != "rate":
                raise _err(
                    sc,
                    ("uncertain", j, "parameter"),
                    f"a tariff event varies only in 'rate', not {name!r}",
                )
            out.append(UncertainTarget(j, "tariff", "rate", i))
    return out


def _dates(
    sc: Scenario,
    schedule: Schedule,
    base: dt.date,
    explicit: list[dt.date] | None,
    market: Market,
    setup_idx: int | None,
    date_source: str,
) -> list[dt.date]:
    if explicit:
        for k, d in enumerate(explicit):
            if d <= base:
                if date_source == "--date":
                    raise InputError(
                        Problem(
                            "--date",
                            f"{d} is not after the base date {base} (the trade_setup's "
                            "'on'); rates are compared with those in force on the base date",
                        )
                    )
                raise _err(
                    sc,
                    ("events", setup_idx or 0, "dates", k),
                    f"{d} is not after the base date {base}",
                )
        return sorted(set(explicit))
    end = sc.end
    cands = [d for d in schedule.change_dates() if base < d <= end]
    out: list[dt.date] = []
    prev = _rate_matrix(schedule, base, market)
    for d in cands:
        cur = _rate_matrix(schedule, d, market)
        if not np.array_equal(cur, prev):
            out.append(d)
            prev = cur
    return out


def _rate_matrix(schedule: Schedule, d: dt.date, market: Market) -> np.ndarray:
    return schedule.rates(d, market.line_importer, market.line_product, market.partners, market.catalog)


@dataclass
class Prepared:
    """Everything ``analyse`` reads, checked: the setup, data, market, schedule and elasticities."""

    setup: TradeSetup
    setup_index: int | None
    data: TradeData
    market: Market
    schedule: Schedule
    eta: np.ndarray
    sigma: np.ndarray
    epsilon: np.ndarray
    elasticity_sources: dict[str, np.ndarray]


def prepare(sc: Scenario) -> Prepared:
    """Load and check the scenario's trade inputs (InputError names the place of a problem)."""
    setup, sidx = find_setup(sc)
    td = load_trade(sc, setup, sidx)
    market = build_market(td)
    schedule = load_schedule(sc, setup, sidx)
    schedule = schedule.extend(event_rows(sc, market))
    schedule.check(market.catalog)
    table = load_elasticity_table(_resolve(sc, setup.elasticities) if setup.elasticities else None)
    eta, sigma, eps, el_src = resolve_elasticities(table, market)
    if setup.eta is not None:
        eta = np.full_like(eta, setup.eta)
    if setup.sigma is not None:
        sigma = np.full_like(sigma, setup.sigma)
    if setup.epsilon is not None:
        eps = np.full_like(eps, setup.epsilon)
    return Prepared(setup, sidx, td, market, schedule, eta, sigma, eps, el_src)


def analyse(
    sc: Scenario,
    *,
    dates: list[dt.date] | None = None,
    runs: int | None = None,
    seed: int | None = None,
    prepared: Prepared | None = None,
) -> xr.Dataset:
    """Solve the tariff PE model for the scenario at each date (see the module docstring).

    ``dates`` (e.g. from ``--date``) replaces the evaluation dates; ``runs`` and ``seed`` override
    the scenario's when it declares uncertain trade parameters.
    """
    prep = prepared or prepare(sc)
    setup, sidx, td, market, schedule = (
        prep.setup,
        prep.setup_index,
        prep.data,
        prep.market,
        prep.schedule,
    )
    eta, sigma, eps, el_src = prep.eta, prep.sigma, prep.epsilon, prep.elasticity_sources

    base = setup.on
    explicit = dates if dates is not None else setup.dates
    eval_dates = _dates(sc, schedule, base, explicit, market, sidx, "--date" if dates is not None else "dates")
    if not eval_dates:
        raise _err(
            sc,
            ("events", sidx, "on") if sidx is not None else ("start",),
            f"the rates never change between the base date {base} and the scenario's end {sc.end}",
        )
    timeline = [base, *_dates(sc, schedule, base, None, market, sidx, "dates")]

    targets = uncertain_targets(sc)
    n_runs = (runs or sc.runs) if targets else 1
    run_seed = sc.seed if seed is None else seed
    # the columns this model reads of the draw shared with the engine and finance models
    samples = sample(sc, n_runs, run_seed).values[:, [t.column for t in targets]] if targets else np.empty((1, 0))

    L, N = market.m0.shape
    T, K = len(eval_dates), len(LAYERS)
    layer_base = _rate_matrix(schedule, base, market)  # (K, L, N) percent
    rate_base = layer_base.sum(axis=0)
    t0 = rate_base / 100.0
    out = {k: np.zeros((n_runs, T, L) if k in LINE_VARS else (n_runs, T, L, N)) for k in (*CELL_VARS, *LINE_VARS)}
    rate_new = np.zeros((n_runs, T, L, N))
    layer_new = np.zeros((T, K, L, N))
    eta_r = np.zeros((n_runs, L))
    sig_r = np.zeros((n_runs, L))
    eps_r = np.zeros((n_runs, L, N))
    tariff_events = [t for t in targets if t.kind == "tariff"]
    for r in range(n_runs):
        e_r, s_r, p_r = eta.copy(), sigma.copy(), eps.copy()
        sched_r = schedule
        for t, v in zip(targets, samples[r], strict=True):
            if t.kind == "setup":
                {"eta": e_r, "sigma": s_r, "epsilon": p_r}[t.field][...] = v
        if tariff_events:
            sched_r = _with_rates(
                schedule,
                sc,
                {t.event: samples[r][k] for k, t in enumerate(targets) if t.kind == "tariff"},
                tariff_events,
            )
        try:
            check_inputs(market.m0, t0, t0, e_r, s_r, p_r, source=sc.source_path or "<scenario>")
        except InputError as exc:
            if targets:
                j = targets[0].column
                raise _err(
                    sc,
                    ("uncertain", j),
                    f"run {r}: sampled value out of range: {exc.problems[0].message}",
                ) from None
            raise
        eta_r[r], sig_r[r], eps_r[r] = e_r, s_r, p_r
        for ti, d in enumerate(eval_dates):
            layers = _rate_matrix(sched_r, d, market) if (r == 0 or tariff_events) else layer_new[ti]
            if r == 0:
                layer_new[ti] = layers
            rate = layers.sum(axis=0)
            rate_new[r, ti] = rate
            sol = solve_arrays(market.m0, t0, rate / 100.0, e_r, s_r, p_r)
            for k, v in solution_vars(sol).items():
                out[k][r, ti] = v

    layer_timeline = np.stack([_rate_matrix(schedule, d, market) for d in timeline])
    ds = result_dataset(
        sc,
        setup,
        td,
        market,
        schedule,
        eval_dates,
        base,
        out,
        rate_base,
        rate_new,
        layer_base,
        layer_new,
        eta_r,
        sig_r,
        eps_r,
        el_src,
        n_runs,
        run_seed,
        targets,
    )
    ds["timeline_layer_rate"] = (
        ("timeline", "layer", "importer", "partner"),
        weighted_by_importer(layer_timeline, market),
    )
    ds = ds.assign_coords(timeline=pd.to_datetime([d.isoformat() for d in timeline]))
    ds["timeline_layer_rate"].attrs["description"] = (
        "trade-weighted average rate by layer (percent) from the base date on each date the rates change"
    )
    ds.attrs["end_date"] = sc.end.isoformat()
    return ds


def _with_rates(schedule: Schedule, sc: Scenario, values: dict[int, float], targets: list[UncertainTarget]) -> Schedule:
    rows = []
    for row in schedule.rows:
        if row.origin.event is not None and row.origin.event in values:
            v = float(values[row.origin.event])
            if not v >= 0:
                t = next(t for t in targets if t.event == row.origin.event)
                raise _err(
                    sc,
                    ("uncertain", t.column),
                    f"sampled rate {v:g} is negative; bound the distribution",
                )
            row = LayerRow(**{**row.__dict__, "rate": v})
        rows.append(row)
    return Schedule(rows, schedule.rules, schedule.name, schedule.sources)
