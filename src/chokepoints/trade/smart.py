"""The WITS-SMART linear formulas, and a named check of the non-linear model against them.

SMART (World Bank WITS; Laird & Yeats 1986, *The UNCTAD Trade Policy Simulation Model*;
Jammes & Olarreaga 2005, *Explaining SMART and GSIM*) treats each importer and HS6 line as a
market, imports as quantities at a world price of 1, and gives closed-form first-order effects
of a tariff change from t0 to t1 for partner c, with eta < 0 the import-demand elasticity,
sigma > 0 the substitution elasticity and epsilon_c > 0 the export-supply elasticity:

    trade creation   TC_c = M_c * eta * (t1_c - t0_c) / ((1 + t0_c) * (1 - eta / epsilon_c))

    trade diversion  with p_c = (t1_c - t0_c) / (1 + t0_c) the change in c's relative duty-paid
                     price, the ratio of c's imports to the others' moves by -sigma * p_c and total
                     imports are held fixed (Laird & Yeats' two-group formula
                     TD_c = M_c M_n sigma p_c / (M_c + M_n + M_c sigma p_c) with the sign of a rise;
                     Jammes & Olarreaga spread the diverted amount over the other partners in
                     proportion to their imports). For any number of partners whose tariffs change:
                         w_c = M_c (1 - sigma p_c),   TD_c = M (w_c / sum_k w_k) - M_c,
                     which is Laird & Yeats' formula exactly when one partner's tariff changes, and
                     sums to zero.

    price effect     PE_c = (TC_c + TD_c) / epsilon_c (value change from the world price moving
                     along the export supply curve); zero with epsilon = inf (SMART's 99).

    revenue          R1 = sum_c t1_c (M_c + TC_c + TD_c)
    deadweight loss  DWL = -1/2 sum_c (t1_c - t0_c) TC_c  (Harberger triangle of the linear model)

Worked example (US imports of one HS6 line: CN $100m, VN $60m, MX $40m; tariff on CN 7.5 % ->
32.5 %; eta = -1.5, sigma = 1.5, epsilon = 99): TC_CN = -34.4, TD = CN -21.1, VN +12.7, MX +8.5.

These are linearisations: Riker & Schreiber (2020, USITC Economics Working Paper 2020-11-B,
*Practical Tools for Modeling the Economic Effects of Tariff Changes*) show that the error grows
with the size of the change. The relative gap between a linear effect and its non-linear
counterpart is about (1 - a)/2 * (t1 - t0)/(1 + t0) for a constant-elasticity effect a (a = eta for
creation, -sigma for diversion): about 1 % for a 1-point change, about 25-35 % for the worked
example's 25 points. :func:`check_smart` measures it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..datasets.smart import SMART_EPSILON, SMART_SIGMA
from .pe import solve_arrays


class SmartCheckError(ValueError):
    """The non-linear solution and the SMART linear formulas disagree beyond the tolerance."""


@dataclass
class SmartLinear:
    trade_creation: np.ndarray
    trade_diversion: np.ndarray
    price_effect: np.ndarray
    imports_new: np.ndarray
    revenue_new: np.ndarray
    deadweight_loss: np.ndarray  # (L,)

    @property
    def valid(self) -> np.ndarray:
        """(L, N) True where the linear result stays in its valid range: new imports >= 0.

        The linear trade creation m0 eta dt / ((1 + t0)(1 - eta/epsilon)) falls below -m0 when the
        tariff change is large (for eta = -1.5 once dt / (1 + t0) > 2/3); such results are flagged,
        not reported.
        """
        return self.imports_new >= -1e-9 * np.maximum(np.abs(self.imports_new), 1.0)


def smart_linear(m0, t0, t1, eta, sigma=SMART_SIGMA, epsilon=SMART_EPSILON) -> SmartLinear:
    """SMART's linear effects for (L, N) arrays (see the module docstring for the formulas)."""
    m0 = np.asarray(m0, dtype=float)
    L, N = m0.shape
    t0 = np.broadcast_to(np.asarray(t0, dtype=float), (L, N))
    t1 = np.broadcast_to(np.asarray(t1, dtype=float), (L, N))
    eta_ = np.broadcast_to(np.asarray(eta, dtype=float).reshape(-1), (L,))[:, None] if np.ndim(eta) else float(eta)
    sig = np.broadcast_to(np.asarray(sigma, dtype=float).reshape(-1), (L,))[:, None] if np.ndim(sigma) else float(sigma)
    eps = np.broadcast_to(np.asarray(epsilon, dtype=float), (L, N))
    p = (t1 - t0) / (1.0 + t0)
    incidence = np.where(np.isfinite(eps), 1.0 - eta_ / np.where(np.isfinite(eps), eps, 1.0), 1.0)
    tc = m0 * eta_ * p / incidence
    total = m0.sum(axis=1, keepdims=True)
    w = np.clip(m0 * (1.0 - sig * p), 0.0, None)  # the ratio cannot fall below zero ("ceiling")
    wsum = w.sum(axis=1, keepdims=True)
    td = np.where(wsum > 0, total * w / np.where(wsum > 0, wsum, 1.0), 0.0) - m0
    pe = np.where(np.isfinite(eps), (tc + td) / np.where(np.isfinite(eps), eps, 1.0), 0.0)
    new = m0 + tc + td + pe
    rev = (t1 * (m0 + tc + td)).sum(axis=1)
    dwl = -0.5 * ((t1 - t0) * tc).sum(axis=1)
    return SmartLinear(tc, td, pe, new, rev, dwl)


def check_smart(
    m0,
    t0,
    t1,
    eta,
    sigma=SMART_SIGMA,
    epsilon=SMART_EPSILON,
    *,
    rtol: float = 0.01,
    atol: float = 1e-9,
    strict: bool = False,
    partners: list[str] | None = None,
) -> pd.DataFrame:
    """Named check: SMART's linear formulas beside the non-linear solution, per line and partner.

    Returns one row per (line, partner) with the linear and non-linear trade creation and
    diversion, their relative gaps (|non-linear - linear| / |linear|, NaN where the linear effect
    is below ``atol``) and ``ok`` (both gaps within ``rtol``). With ``strict=True`` a failing row
    raises :class:`SmartCheckError`. Agreement is expected for small tariff changes only: the gap
    is of the order of the change in (1 + t) (see the module docstring).
    """
    m0 = np.asarray(m0, dtype=float)
    lin = smart_linear(m0, t0, t1, eta, sigma, epsilon)
    nl = solve_arrays(m0, t0, t1, eta, sigma, epsilon)
    L, N = m0.shape
    names = partners if partners is not None else [str(j) for j in range(N)]

    def gap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(np.abs(a) > atol, np.abs(b - a) / np.abs(a), np.nan)

    g_tc, g_td = (
        gap(lin.trade_creation, nl.trade_creation),
        gap(lin.trade_diversion, nl.trade_diversion),
    )
    df = pd.DataFrame(
        {
            "line": np.repeat(np.arange(L), N),
            "partner": np.tile(np.asarray(names, dtype=object), L),
            "imports_base": m0.ravel(),
            "creation_linear": lin.trade_creation.ravel(),
            "creation_nonlinear": nl.trade_creation.ravel(),
            "creation_gap": g_tc.ravel(),
            "diversion_linear": lin.trade_diversion.ravel(),
            "diversion_nonlinear": nl.trade_diversion.ravel(),
            "diversion_gap": g_td.ravel(),
            "linear_valid": lin.valid.ravel(),
        }
    )
    df["ok"] = (df["creation_gap"].fillna(0) <= rtol) & (df["diversion_gap"].fillna(0) <= rtol)
    if strict and not df["ok"].all():
        bad = df[~df["ok"]].iloc[0]
        worst = np.nanmax([bad["creation_gap"], bad["diversion_gap"]])
        raise SmartCheckError(
            f"line {bad['line']}, partner {bad['partner']}: the non-linear and SMART linear "
            f"effects differ by "
            f"{worst:.2%} (> {rtol:.2%}); the tariff change is too large for the linear formulas"
        )
    return df
