"""The non-linear Armington partial-equilibrium kernel: pure NumPy over (line x partner) arrays.

One import market (an importer and a product line) buys a CES composite of the varieties
of its partners (Armington 1969). Textbook notation (Francois & Hall 2003, GSIM; USITC PE
models, Hallren & Riker 2017; Riker & Schreiber 2019, 2020), per line:

    m_c       base imports from partner c at world prices; the world price is normalised
              to 1, so m_c is also the base quantity (SMART's convention)
    t_c       ad valorem tariff (fraction), tau_c = (1 + t1_c) / (1 + t0_c) the duty ratio
    p*_c      world (ex-tariff) price relative to base; p_c = p*_c (1 + t_c) duty-paid price
    w_c       base duty-paid expenditure shares m_c (1 + t0_c) / E0, E0 = sum_c m_c (1 + t0_c)
    P         composite (CES) price index relative to base
    eta < 0   import-demand elasticity of the composite:          Q = Q0 P^eta
    sigma > 0 elasticity of substitution between origins
    epsilon_c export-supply elasticity of partner c (> 0, may be inf): q_c = m_c (p*_c)^epsilon_c

Demand for variety c (CES, calibrated to the base):  q_c = m_c (tau_c p*_c)^-sigma P^(sigma + eta).
Supply = demand gives the exporter's price in closed form for a given P:

    ln p*_c = [(sigma + eta) ln P - sigma ln tau_c] / (epsilon_c + sigma)   (0 if epsilon_c = inf)

and P solves the price-index identity, one scalar equation per line,

    P^(1 - sigma) = sum_c w_c (tau_c p*_c(P))^(1 - sigma)
    (ln P = sum_c w_c ln(tau_c p*_c) if sigma = 1).

With x = ln P the right-hand side is a generalised mean f(x) whose slope sum_c pi_c k_c, with
k_c = (sigma + eta) / (epsilon_c + sigma) < 1 and new expenditure shares pi_c, is below one, so
h(x) = x - f(x) is strictly increasing and has one root. Newton's method on x runs for all lines at
once (vectorised over lines and partners); with infinite supply elasticities k = 0 and one step is
exact.

Welfare (per line; exact for these constant-elasticity curves):

    buyer cost (loss of buyer surplus)    CV = E0 (P^(1 + eta) - 1) / (1 + eta)  (E0 ln P: eta = -1)
    tariff revenue                        R  = sum_c t_c p*_c q_c
    exporter surplus change               dPS_c = m_c ((p*_c)^(1 + epsilon_c) - 1) / (1 + epsilon_c)
    deadweight loss (world efficiency)    DWL = CV - (R1 - R0) - sum_c dPS_c

Decomposition of the change in imports from c (value at world prices), named as in SMART
(Laird & Yeats 1986; Jammes & Olarreaga 2005) so the linear check can be read against it:

    trade creation    TC_c = m_c ((tau_c p*_c)^eta - 1)
                      (imports from c moving along the composite demand curve in their own
                      duty-paid price; SMART's linear
                      TC_c = m_c eta dt_c / ((1 + t0_c)(1 - eta/epsilon_c)))
    trade diversion   TD_c = Q0 (s1_c - s0_c), s0_c = m_c / Q0,
                      s1 = armington_share_change(s0, tau, sigma)
                      (the CES shift of origin shares caused by the tariff wedge, total held at Q0;
                      sums to zero over partners; SMART's linear TD uses the same wedge)
    composite effect  q_c - m_c - TC_c - TD_c (the rest: the CES model spreads the change in total
                      demand over all partners, SMART books it on the partner whose tariff
                      moved; and
                      substitution caused by exporters' price changes)
    price effect      (p*_c - 1) q_c  (value change from the exporter's price, as in SMART)

so that imports1_c - m_c = TC_c + TD_c + composite_c + price_c exactly.

Pass-through to duty-paid prices: ln(tau_c p*_c) / ln tau_c (1 when epsilon = inf, complete as
Amiti, Redding & Weinstein 2019 and Fajgelbaum et al. 2020 measured for 2018). For a line where
every partner's duty changes by the same tau (or a single partner),
ln p* = eta / (epsilon - eta) ln tau
exactly; its linear form dp*/p* = eta / (epsilon - eta) dt / (1 + t0) is SMART's incidence rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..datasets.smart import SMART_EPSILON, SMART_SIGMA

FloatArray = np.ndarray


class ConvergenceError(RuntimeError):
    """The Newton iteration on the composite price did not converge (should not happen)."""


def armington_share_change(base_shares: FloatArray, duty_ratio: FloatArray, sigma: float | FloatArray) -> FloatArray:
    """New origin shares after duty-paid prices change by ``duty_ratio`` (CES, total held fixed).

    ``s1_c = s0_c tau_c^-sigma / sum_k s0_k tau_k^-sigma`` over the last axis, where ``tau_c =
    (1 + t1_c) / (1 + t0_c)`` (or any ratio of new to old delivered prices) and ``sigma > 0`` is the
    elasticity of substitution between origins. Shares are quantity (volume) shares; a row of zeros
    stays zero. Pure and vectorised: ``base_shares`` and ``duty_ratio`` broadcast, ``sigma``
    broadcasts
    against all but the last axis (give it shape ``(..., 1)`` for one value per row).

    >>> armington_share_change([0.5, 0.3, 0.2], [1.25, 1.0, 1.0], 1.5).round(4).tolist()
    [0.4171, 0.3497, 0.2332]
    """
    s0 = np.asarray(base_shares, dtype=float)
    tau = np.asarray(duty_ratio, dtype=float)
    sig = np.asarray(sigma, dtype=float)
    if np.any(sig <= 0) or not np.all(np.isfinite(sig)):
        raise ValueError("sigma must be positive and finite")
    if np.any(tau <= 0) or not np.all(np.isfinite(tau)):
        raise ValueError("duty_ratio must be positive and finite")
    if np.any(s0 < 0):
        raise ValueError("base_shares must be non-negative")
    if sig.ndim and sig.shape[-1] != 1 and s0.ndim > 1:
        sig = sig[..., None]
    weights = s0 * np.exp(-sig * np.log(tau))
    total = weights.sum(axis=-1, keepdims=True)
    scale = s0.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(total > 0, weights / np.where(total > 0, total, 1.0) * scale, 0.0)
    return out


@dataclass
class PESolution:
    """Arrays of one solve; shapes (L, N) per line and partner, (L,) per line."""

    imports_base: FloatArray
    imports_new: FloatArray  # value at new world prices, p* q
    quantity_new: FloatArray  # in base-value units (world price 1)
    exporter_price: FloatArray  # p*_c (1 = unchanged)
    duty_paid_price: FloatArray  # tau_c p*_c (ratio of new to base duty-paid price)
    pass_through: FloatArray  # ln(tau p*) / ln tau; nan where the duty did not change
    trade_creation: FloatArray
    trade_diversion: FloatArray
    composite_effect: FloatArray
    price_effect: FloatArray
    revenue_base: FloatArray
    revenue_new: FloatArray
    exporter_surplus_change: FloatArray
    composite_price: FloatArray  # P (L,)
    buyer_cost: FloatArray  # (L,)
    deadweight_loss: FloatArray  # (L,)
    iterations: int
    residual: float


def _broadcast(a: object, shape: tuple[int, ...], name: str) -> FloatArray:
    arr = np.asarray(a, dtype=float)
    try:
        return np.broadcast_to(arr, shape)
    except ValueError:
        raise ValueError(f"{name} of shape {arr.shape} does not broadcast to {shape}") from None


def _per_line(a: object, n_lines: int, name: str) -> FloatArray:
    arr = np.asarray(a, dtype=float)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    return _broadcast(arr, (n_lines,), name)[:, None]


def solve_arrays(
    m0: FloatArray,
    t0: FloatArray,
    t1: FloatArray,
    eta: float | FloatArray,
    sigma: float | FloatArray = SMART_SIGMA,
    epsilon: float | FloatArray = SMART_EPSILON,
    *,
    tol: float = 1e-12,
    max_iter: int = 60,
) -> PESolution:
    """Solve the Armington PE model for every line at once (see the module docstring).

    m0: (L, N) base imports at world prices, >= 0. t0, t1: base and new ad valorem tariffs as
    fractions (0.25 = 25 %), broadcast to (L, N). eta: (L,) or scalar, < 0. sigma: (L,) or scalar,
    > 0. epsilon: scalar, (N,), or (L, N), > 0, ``np.inf`` for a flat export supply. Inputs are
    assumed valid (``chokepoints.trade.solve`` checks them and names the bad field).
    """
    m0 = np.asarray(m0, dtype=float)
    if m0.ndim != 2:
        raise ValueError(f"m0 must be 2-D (lines x partners), got shape {m0.shape}")
    L, N = m0.shape
    t0 = _broadcast(t0, (L, N), "t0")
    t1 = _broadcast(t1, (L, N), "t1")
    eta_ = _per_line(eta, L, "eta")
    sig = _per_line(sigma, L, "sigma")
    eps = _broadcast(epsilon, (L, N), "epsilon")

    p0 = 1.0 + t0
    ltau = np.log1p(t1) - np.log1p(t0)
    e0 = m0 * p0
    E0 = e0.sum(axis=1, keepdims=True)
    active = E0 > 0
    w = np.divide(e0, E0, out=np.zeros_like(e0), where=active)
    has = w > 0

    finite = np.isfinite(eps)
    eps_f = np.where(finite, eps, 1.0)
    denom = eps_f + sig
    a = np.where(finite, eps_f / denom, 1.0)  # share of ln tau reaching the duty-paid price at fixed P
    k = np.where(finite, (sig + eta_) / denom, 0.0)  # d ln(tau p*) / d ln P
    base_u = a * ltau
    cobb = np.abs(1.0 - sig) < 1e-9
    oms = np.where(cobb, 1.0, 1.0 - sig)

    x = np.zeros((L, 1))
    resid = 0.0
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 - `it` is reported after the loop
        u = base_u + k * x
        z = np.where(has, oms * u, -np.inf)
        zmax = z.max(axis=1, keepdims=True)
        zmax = np.where(np.isfinite(zmax), zmax, 0.0)
        ez = np.where(has, w * np.exp(np.where(has, z, 0.0) - zmax), 0.0)
        s = ez.sum(axis=1, keepdims=True)
        s_safe = np.where(s > 0, s, 1.0)
        f_ces = (zmax + np.log(s_safe)) / oms
        pi_ces = ez / s_safe
        f = np.where(cobb, (w * u).sum(axis=1, keepdims=True), f_ces)
        pi = np.where(cobb, w, pi_ces)
        f = np.where(active, f, 0.0)
        h = x - f
        hp = 1.0 - (pi * k).sum(axis=1, keepdims=True)
        x = x - h / hp
        resid = float(np.abs(h).max()) if L else 0.0
        if resid < tol:
            break
    else:
        raise ConvergenceError(
            f"composite price did not converge in {max_iter} iterations (largest residual {resid:.3g})"
        )

    ln_pstar = np.where(finite, (-sig * ltau + (sig + eta_) * x) / denom, 0.0)
    ln_pd = ltau + ln_pstar
    pstar = np.exp(ln_pstar)
    q1 = m0 * np.exp(-sig * ln_pd + (sig + eta_) * x)
    v1 = pstar * q1

    moved = np.abs(ltau) > 1e-15
    pass_through = np.where(moved, ln_pd / np.where(moved, ltau, 1.0), np.nan)

    one_eta = 1.0 + eta_
    near = np.abs(one_eta) < 1e-12
    buyer_cost = E0 * np.where(near, x, np.expm1(np.where(near, 0.0, one_eta) * x) / np.where(near, 1.0, one_eta))

    rev0 = t0 * m0
    rev1 = t1 * v1
    dps = np.where(finite, m0 * np.expm1((eps_f + 1.0) * ln_pstar) / (eps_f + 1.0), 0.0)

    Q0 = m0.sum(axis=1, keepdims=True)
    s0 = np.divide(m0, Q0, out=np.zeros_like(m0), where=Q0 > 0)
    tc = m0 * np.expm1(eta_ * ln_pd)
    td = Q0 * (armington_share_change(s0, np.exp(ltau), sig) - s0)
    dq = q1 - m0
    comp = dq - tc - td
    price_eff = (pstar - 1.0) * q1

    dwl = buyer_cost[:, 0] - (rev1 - rev0).sum(axis=1) - dps.sum(axis=1)
    return PESolution(
        imports_base=m0,
        imports_new=v1,
        quantity_new=q1,
        exporter_price=pstar,
        duty_paid_price=np.exp(ln_pd),
        pass_through=pass_through,
        trade_creation=tc,
        trade_diversion=td,
        composite_effect=comp,
        price_effect=price_eff,
        revenue_base=rev0,
        revenue_new=rev1,
        exporter_surplus_change=dps,
        composite_price=np.exp(x[:, 0]),
        buyer_cost=buyer_cost[:, 0],
        deadweight_loss=dwl,
        iterations=it,
        residual=resid,
    )
