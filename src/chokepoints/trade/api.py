"""``chokepoints.trade.solve``: the PE model on labelled inputs, returning an xarray Dataset."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from ..datasets.smart import SMART_EPSILON, SMART_SIGMA
from ..errors import InputError, Problem
from .pe import PESolution, solve_arrays

LINE_VARS = ("composite_price_change", "buyer_cost", "deadweight_loss", "revenue_change")
CELL_VARS = (
    "imports_new",
    "quantity_new",
    "exporter_price_change",
    "duty_paid_price_change",
    "pass_through",
    "trade_creation",
    "trade_diversion",
    "composite_effect",
    "price_effect",
    "revenue_base",
    "revenue_new",
    "exporter_surplus_change",
)

DESCRIPTIONS = {
    "imports_base": "base imports at world prices (USD million a year)",
    "imports_new": "imports at new world prices, p* q",
    "quantity_new": "new import volume in base-value units (world price 1)",
    "exporter_price_change": "exporter's (ex-tariff) price change, p* - 1",
    "duty_paid_price_change": "duty-paid price change, tau p* - 1",
    "pass_through": "share of the duty change in the duty-paid price, ln(tau p*) / ln tau",
    "trade_creation": "SMART trade creation, m ((tau p*)^eta - 1)",
    "trade_diversion": "SMART trade diversion, Q0 (s1 - s0) from the tariff wedge (sums to zero)",
    "composite_effect": "rest of the volume change (CES spreads the change in total demand over all partners)",
    "price_effect": "value change from the exporter's price, (p* - 1) q",
    "revenue_base": "tariff revenue at base rates",
    "revenue_new": "tariff revenue at new rates",
    "exporter_surplus_change": "change in the exporter's surplus along its supply curve",
    "composite_price_change": "change in the composite (CES) price of the line, P - 1",
    "buyer_cost": "loss of buyers' surplus, E0 (P^(1+eta) - 1)/(1+eta)",
    "deadweight_loss": "buyer cost - revenue change - exporters' surplus change",
    "revenue_change": "tariff revenue change of the line",
}


def _as_frame(imports: Any) -> tuple[np.ndarray, list[str], list[str]]:
    if isinstance(imports, xr.DataArray):
        if imports.ndim != 2:
            raise InputError(Problem("solve()", "imports must be 2-D (line x partner)", field="imports"))
        lines = [str(v) for v in imports[imports.dims[0]].values]
        partners = [str(v) for v in imports[imports.dims[1]].values]
        return np.asarray(imports.values, dtype=float), lines, partners
    if isinstance(imports, pd.DataFrame):
        return (
            imports.to_numpy(dtype=float),
            [str(i) for i in imports.index],
            [str(c) for c in imports.columns],
        )
    arr = np.asarray(imports, dtype=float)
    if arr.ndim != 2:
        raise InputError(Problem("solve()", "imports must be 2-D (line x partner)", field="imports"))
    return arr, [str(i) for i in range(arr.shape[0])], [str(j) for j in range(arr.shape[1])]


def _values(x: Any, shape: tuple[int, int]) -> np.ndarray:
    if isinstance(x, xr.DataArray | pd.DataFrame | pd.Series):
        x = x.values if not isinstance(x, pd.DataFrame) else x.to_numpy()
    arr = np.asarray(x, dtype=float)
    if arr.ndim == 1 and arr.shape[0] == shape[0] and shape[0] != shape[1]:
        arr = arr[:, None]
    return np.broadcast_to(arr, shape)


def check_inputs(
    m0: np.ndarray,
    t0: np.ndarray,
    t1: np.ndarray,
    eta: np.ndarray,
    sigma: np.ndarray,
    epsilon: np.ndarray,
    source: str = "solve()",
) -> None:
    """One-line errors naming the field: imports >= 0, tariffs > -1, eta < 0, sigma, epsilon > 0."""
    if not np.all(np.isfinite(m0)) or np.any(m0 < 0):
        raise InputError(Problem(source, "imports must be finite and non-negative", field="imports"))
    for name, t in (("t0", t0), ("t1", t1)):
        if not np.all(np.isfinite(t)) or np.any(t <= -1):
            raise InputError(Problem(source, f"{name}: tariffs are fractions above -1 (0.25 = 25 %)", field=name))
    if not np.all(np.isfinite(eta)) or np.any(eta >= 0):
        bad = float(np.asarray(eta).ravel()[np.argmax(~(np.asarray(eta).ravel() < 0))])
        raise InputError(Problem(source, f"eta (import-demand elasticity) must be negative, got {bad:g}", field="eta"))
    if not np.all(np.isfinite(sigma)) or np.any(sigma <= 0):
        bad = float(np.asarray(sigma).ravel()[np.argmax(~(np.asarray(sigma).ravel() > 0))])
        raise InputError(
            Problem(
                source,
                f"sigma (substitution elasticity) must be positive, got {bad:g}",
                field="sigma",
            )
        )
    if np.any(np.isnan(epsilon)) or np.any(epsilon <= 0):
        flat = np.asarray(epsilon).ravel()
        bad = float(flat[np.argmax(~(flat > 0))])
        raise InputError(
            Problem(
                source,
                f"epsilon (export-supply elasticity) must be positive, got {bad:g}",
                field="epsilon",
            )
        )


def solution_vars(sol: PESolution) -> dict[str, np.ndarray]:
    """The solution's arrays under the Dataset's variable names."""
    return {
        "imports_new": sol.imports_new,
        "quantity_new": sol.quantity_new,
        "exporter_price_change": sol.exporter_price - 1.0,
        "duty_paid_price_change": sol.duty_paid_price - 1.0,
        "pass_through": sol.pass_through,
        "trade_creation": sol.trade_creation,
        "trade_diversion": sol.trade_diversion,
        "composite_effect": sol.composite_effect,
        "price_effect": sol.price_effect,
        "revenue_base": sol.revenue_base,
        "revenue_new": sol.revenue_new,
        "exporter_surplus_change": sol.exporter_surplus_change,
        "composite_price_change": sol.composite_price - 1.0,
        "buyer_cost": sol.buyer_cost,
        "deadweight_loss": sol.deadweight_loss,
        "revenue_change": (sol.revenue_new - sol.revenue_base).sum(axis=1),
    }


def solve(
    imports: Any,
    t0: Any,
    t1: Any,
    *,
    eta: Any,
    sigma: Any = SMART_SIGMA,
    epsilon: Any = SMART_EPSILON,
    section: Any = None,
    attrs: dict[str, Any] | None = None,
) -> xr.Dataset:
    """Solve the non-linear Armington PE model for every line and partner; return a Dataset.

    ``imports``: base imports at world prices, a (line x partner) DataArray, DataFrame (index =
    lines, columns = partners) or array. ``t0``, ``t1``: base and new ad valorem tariffs as
    fractions (0.25 = 25 %), broadcastable to (line, partner). ``eta`` (< 0) and ``sigma`` (> 0):
    scalar or one per line; ``epsilon`` (> 0, ``np.inf`` = flat supply): scalar, one per partner
    (N,) or (line, partner). SMART's defaults are sigma = 1.5 and epsilon = 99
    (:mod:`chokepoints.datasets.smart`, sourced rows of the bundled elasticity table).

    The Dataset has dims ``line`` and ``partner`` and holds base and new imports, trade creation
    and diversion, the composite and price effects, exporter and duty-paid price changes,
    pass-through, tariff revenue, buyer cost and deadweight loss (formulas in
    :mod:`chokepoints.trade.pe`). Bad input raises :class:`~chokepoints.errors.InputError` naming
    the field.

    >>> import chokepoints.trade as tr
    >>> ds = tr.solve([[100.0, 60.0, 40.0]], [[0.075, 0, 0]], [[0.325, 0, 0]], eta=-1.5)
    >>> round(float(ds.imports_new.sum()), 1)
    173.2
    """
    m0, lines, partners = _as_frame(imports)
    shape = m0.shape
    t0a, t1a = _values(t0, shape), _values(t1, shape)
    eta_a = np.broadcast_to(np.asarray(eta, dtype=float).reshape(-1) if np.ndim(eta) else float(eta), (shape[0],))
    sig_a = np.broadcast_to(np.asarray(sigma, dtype=float).reshape(-1) if np.ndim(sigma) else float(sigma), (shape[0],))
    eps_a = np.asarray(epsilon, dtype=float)
    if eps_a.ndim == 1 and eps_a.shape[0] == shape[1]:
        eps_a = eps_a[None, :]
    try:
        eps_a = np.broadcast_to(eps_a, shape)
    except ValueError:
        raise InputError(
            Problem(
                "solve()",
                f"epsilon of shape {np.shape(epsilon)} does not fit {shape}",
                field="epsilon",
            )
        ) from None
    check_inputs(m0, t0a, t1a, eta_a, sig_a, eps_a)
    sol = solve_arrays(m0, t0a, t1a, eta_a, sig_a, eps_a)
    out = solution_vars(sol)
    data: dict[str, Any] = {
        "imports_base": (("line", "partner"), m0),
        "t0": (("line", "partner"), np.array(t0a)),
        "t1": (("line", "partner"), np.array(t1a)),
        "eta": (("line",), np.array(eta_a)),
        "sigma": (("line",), np.array(sig_a)),
        "epsilon": (("line", "partner"), np.array(eps_a)),
    }
    for k, v in out.items():
        data[k] = (("line",), v) if k in LINE_VARS else (("line", "partner"), v)
    coords: dict[str, Any] = {"line": lines, "partner": partners}
    if section is not None:
        coords["line_section"] = ("line", np.asarray(section, dtype=str))
    ds = xr.Dataset(data, coords=coords, attrs=dict(attrs or {}))
    ds.attrs.setdefault("model", "Armington CES partial equilibrium (chokepoints.trade.pe)")
    ds.attrs["solver_iterations"] = sol.iterations
    ds.attrs["solver_residual"] = sol.residual
    for name, text in DESCRIPTIONS.items():
        if name in ds:
            ds[name].attrs["description"] = text
    return ds
