"""Indicator sources: one function per indicator, from a simulation or a lever path.

Every faction utility is a sum of terms ``coef x indicator``. Indicators come from:

engine (a simulated Result; summed over days t >= t0, the round date; mean over runs;
unit value 1 for products the world gives none, so physical units count then)
  output_lost             USD: sum over the group's producers of (x0_f - x_f(t)) * unit value
                          (final-demand cells: unmet demand * unit value when the group has
                          no producers); same definition as ``result.indicators.output_lost``
  shortfall_days          days on which the group is short (output below (1 - tol) of the
                          demand on it, or final demand unmet above tol), as the indicators
  controlled_exports_lost USD: sum over controlled routes exporter -> importer of
                          (baseline shipments - shipments) * unit value
  controlled_shipments    USD: shipments on those routes * unit value
tariff lever (per year, summed day by day over the lever's path: annual / 365)
  tariff_revenue, tariff_buyer_cost, tariff_exports_lost: Armington partial equilibrium
  by ``chokepoints.trade`` (``trade.pe.solve_arrays``) when it is installed; otherwise
  the one-partner closed form with a flat export supply: duty ratio
  tau = (1 + t1) / (1 + t0), imports q = m0 tau^eta, revenue = t1 q, buyer cost
  = E0 (tau^(1 + eta) - 1) / (1 + eta) with E0 = m0 (1 + t0), exports lost = m0 - q.
flow lever
  flow_value              USD: sum_t value(t) * usd_per_unit_year / 365
treasury lever
  treasury_cost           USD: ``chokepoints.finance.threat_value`` (central estimate) of a
                          sale of max value(t) USD bn starting the first day it is positive

New sources register in :data:`ENGINE_SOURCES` / :data:`LEVER_SOURCES`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np

from ..errors import InputError, Problem
from .spec import Lever, Term

DAYS_PER_YEAR = 365.0


# ----------------------------------------------------------------------------------------
# Engine indicators: fn(result, term, t0) -> (runs,) over the whole Result
# ----------------------------------------------------------------------------------------
def _group_masks(d: Any, region: str, end_use: str) -> tuple[np.ndarray, np.ndarray]:
    pm = (d.producer_region.values == region) & (d.producer_end_use.values == end_use)
    dm = (d.demand_region.values == region) & (d.demand_end_use.values == end_use)
    return pm, dm


def _unit_values(d: Any, products: np.ndarray) -> np.ndarray:
    """USD per unit (run, k); 1 where the world gives no unit value (physical units then)."""
    uv = d.unit_value.sel(product=list(products)).values
    return np.where(np.isfinite(uv), uv, 1.0)


def output_lost(result: Any, term: Term, t0: int) -> np.ndarray:
    d = result.data
    total = np.zeros(d.sizes["run"])
    assert term.region is not None  # the Term validator requires a region for this indicator
    for eu in term.end_uses or []:
        pm, dm = _group_masks(d, term.region, eu)
        if pm.any():
            lost = (d.baseline_production.values[pm][None, None, :] - d.production.values[:, t0:, pm]).sum(1)
            total += (lost * _unit_values(d, d.producer_product.values[pm])).sum(-1)
        elif dm.any():
            lost = d.final_demand_unmet.values[:, t0:, dm].sum(1)
            total += (lost * _unit_values(d, d.demand_product.values[dm])).sum(-1)
    return total


def shortfall_days(result: Any, term: Term, t0: int) -> np.ndarray:
    d = result.data
    sc = result.scenario
    tol = sc.engine.shortfall_tolerance if sc is not None else 1e-3
    total = np.zeros(d.sizes["run"])
    assert term.region is not None  # the Term validator requires a region for this indicator
    for eu in term.end_uses or []:
        pm, dm = _group_masks(d, term.region, eu)
        short = np.zeros((d.sizes["run"], max(d.sizes["day"] - t0, 0)), bool)
        if pm.any():
            x = d.production.values[:, t0:, pm].sum(-1)
            dem = d.demand.values[:, t0:, pm].sum(-1)
            short |= x < (1 - tol) * dem
        if dm.any():
            y = d.final_demand.values[:, t0:, dm].sum(-1)
            unmet = d.final_demand_unmet.values[:, t0:, dm].sum(-1)
            short |= unmet > tol * y
        total += short.sum(axis=1)
    return total


def _routes(d: Any, term: Term) -> np.ndarray:
    mask = d.route_exporter.values == term.exporter
    if term.importer is not None:
        mask &= d.route_importer.values == term.importer
    return mask


def controlled_exports_lost(result: Any, term: Term, t0: int) -> np.ndarray:
    d = result.data
    sel = _routes(d, term)
    if not sel.any():
        return np.zeros(d.sizes["run"])
    gap = d.baseline_shipments.values[sel][None, None, :] - d.shipments.values[:, t0:, sel]
    return (gap.sum(1) * _unit_values(d, d.route_product.values[sel])).sum(-1)


def controlled_shipments(result: Any, term: Term, t0: int) -> np.ndarray:
    d = result.data
    sel = _routes(d, term)
    if not sel.any():
        return np.zeros(d.sizes["run"])
    return (d.shipments.values[:, t0:, sel].sum(1) * _unit_values(d, d.route_product.values[sel])).sum(-1)


ENGINE_SOURCES: dict[str, Callable[[Any, Term, int], np.ndarray]] = {
    "output_lost": output_lost,
    "shortfall_days": shortfall_days,
    "controlled_exports_lost": controlled_exports_lost,
    "controlled_shipments": controlled_shipments,
}


# ----------------------------------------------------------------------------------------
# Lever indicators: fn(lever, path, t0, start_date) -> float
# ----------------------------------------------------------------------------------------
def tariff_model() -> str:
    """Which tariff model is used: the trade module's Armington PE, or the built-in closed form."""
    try:
        from ..trade.pe import solve_arrays  # noqa: F401
    except ImportError:
        return "built-in constant-elasticity closed form (chokepoints.trade not installed)"
    return "chokepoints.trade Armington partial equilibrium (trade.pe.solve_arrays)"


def tariff_effects(lever: Lever, rates_percent: np.ndarray) -> dict[str, np.ndarray]:
    """Annual revenue, buyer cost and exporter's lost exports (USD) at each additional rate."""
    rates = np.asarray(rates_percent, float)
    t0 = np.full(rates.shape, lever_base(lever))
    t1 = t0 + rates / 100.0
    # the Lever validator requires both for a tariff lever
    assert lever.import_value_usd is not None and lever.eta is not None
    m = float(lever.import_value_usd)
    eta = float(lever.eta)
    try:
        from ..trade.pe import solve_arrays
    except ImportError:  # without chokepoints.trade: the closed form below
        pass
    else:
        other = lever.other_imports_usd
        if other > 0:
            m0 = np.tile([[m, other]], (rates.size, 1))
            tt0 = np.column_stack([t0, t0])
            tt1 = np.column_stack([t1, t0])
        else:
            m0, tt0, tt1 = np.full((rates.size, 1), m), t0[:, None], t1[:, None]
        sol = solve_arrays(m0, tt0, tt1, eta, lever.sigma, lever.epsilon)
        return {
            "revenue": sol.revenue_new.sum(axis=1),
            "buyer_cost": sol.buyer_cost,
            "exports_lost": m - sol.imports_new[:, 0],
        }
    tau = (1 + t1) / (1 + t0)
    q = m * tau**eta
    e0 = m * (1 + t0)
    if abs(1 + eta) < 1e-12:
        cost = e0 * np.log(tau)
    else:
        cost = e0 * (tau ** (1 + eta) - 1) / (1 + eta)
    return {"revenue": t1 * q, "buyer_cost": cost, "exports_lost": m - q}


def lever_base(lever: Lever) -> float:
    return float(getattr(lever, "base_rate", 0.0) or 0.0) / 100.0


def _tariff_sum(lever: Lever, path: np.ndarray, t0: int, key: str) -> float:
    tail = path[t0:]
    levels, counts = np.unique(tail, return_counts=True)
    ck = (repr(sorted(lever.model_dump().items())), tuple(levels.tolist()))
    eff = _TARIFF_MEMO.get(ck)
    if eff is None:
        eff = _TARIFF_MEMO[ck] = tariff_effects(lever, levels)
    return float((eff[key] * counts).sum() / DAYS_PER_YEAR)


_TARIFF_MEMO: dict[tuple, dict[str, np.ndarray]] = {}


def tariff_revenue(lever: Lever, path: np.ndarray, t0: int, start: dt.date, term: Term) -> float:
    return _tariff_sum(lever, path, t0, "revenue")


def tariff_buyer_cost(lever: Lever, path: np.ndarray, t0: int, start: dt.date, term: Term) -> float:
    return _tariff_sum(lever, path, t0, "buyer_cost")


def tariff_exports_lost(lever: Lever, path: np.ndarray, t0: int, start: dt.date, term: Term) -> float:
    return _tariff_sum(lever, path, t0, "exports_lost")


def flow_value(lever: Lever, path: np.ndarray, t0: int, start: dt.date, term: Term) -> float:
    assert lever.usd_per_unit_year is not None  # the Lever validator requires it for a flow lever
    return float(path[t0:].sum() * float(lever.usd_per_unit_year) / DAYS_PER_YEAR)


def treasury_cost(lever: Lever, path: np.ndarray, t0: int, start: dt.date, term: Term) -> float:
    tail = path[t0:]
    if tail.size == 0 or tail.max() <= 0:
        return 0.0
    assert lever.holder is not None  # the Lever validator requires it for a treasury lever
    first = int(np.flatnonzero(tail > 0)[0]) + t0
    when = (start + dt.timedelta(days=first)).replace(day=1).isoformat()
    costs = _treasury_cached(lever.holder, lever.target or "USA", float(tail.max()), lever.months, when)
    who = (lever.target or "USA") if term.side == "target" else lever.holder
    return float(costs[who]) * 1e9


@lru_cache(maxsize=256)
def _treasury_cached(holder: str, target: str, amount_bn: float, months: int, start: str) -> dict[str, float]:
    try:
        from ..finance import threat_value
    except ImportError:
        raise InputError(
            Problem("<negotiation>", "treasury levers need chokepoints.finance, which is not installed")
        ) from None
    tv = threat_value(holder=holder, target=target, amount_bn=amount_bn, months=months, start=start)
    return {k: v["central"] for k, v in tv["cost_to"].items()}


LEVER_SOURCES: dict[str, Callable[..., float]] = {
    "tariff_revenue": tariff_revenue,
    "tariff_buyer_cost": tariff_buyer_cost,
    "tariff_exports_lost": tariff_exports_lost,
    "flow_value": flow_value,
    "treasury_cost": treasury_cost,
}
