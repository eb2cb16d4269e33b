"""The pure ARIO step, vectorised over runs (no labels, no levers by name).

The model is the Adaptive Regional Input-Output model of Hallegatte (2008, 2014)
as BoARIO 0.7.2 (ARIOPsiModel) computes it; differences are listed in docs/engine.md.
Arrays carry a run axis; the per-element state is stored product-major, (S, R, n).

Notation (BoARIO's parameter names in brackets):

  x0_f        baseline output per day of producer f (BoARIO X_0)
  alpha_f(t)  overproduction factor; alpha_max_f = capacity_f / x0_f  [alpha_max, default 1.25]
  Delta_f(t)  share of capacity lost (0..1); several events: the largest (BoARIO: max, not sum)
  A[p, f]     input p (from any region) per unit of f's output (BoARIO tech_mat = I_sum A)
  s[p, f]     inventory target in days (inf: never binding)  [main_inv_dur, default 90]
  omega[p, f] stock of input p held by f (pooled over supplier regions)
  W[k, b]     baseline share of buyer b's purchases of p(k) bought from supplier k
              (BoARIO Z_distrib / Y_distrib)
  OS[p, b]    total order of product p placed by buyer b at the end of a step
  rho_k       x_cap_k / x0_k, the capacity ratio that "alt" orders are re-weighted by

One step t, in BoARIO's order (Simulation.next_step):

  1. Exogenous: Delta(t) from capacity_loss events, y(t) from final_demand_change events.
  2. Demand on k: D_k(t) = sum_b O_kb + sum_c y_c W_kc, with the orders placed at the end of
     step t-1:  O_kb = OS[p(k), b] * w_kb,
       "alt":   w_kb = W_kb rho_k / sum_{k' makes p(k)} W_k'b rho_k'   (rho of step t-1)
       "noalt": w_kb = W_kb                                              [order_type]
  3. Overproduction (t >= 1), as BoARIO's calc_overproduction, from today's demand and
     yesterday's output: zeta = (D(t) - x_a(t-1)) / D(t) (0 where D = 0);
       alpha += (alpha_max - alpha) * zeta / alpha_tau              if zeta != 0
       alpha += (alpha_base - alpha) / alpha_tau                    if zeta == 0
       alpha = max(alpha, 1)                                     [alpha_base, alpha_tau]
  4. Capacity  x_cap = alpha * (1 - Delta) * x0;  optimal output x_opt = min(D, x_cap).
  5. Inventory constraint (ARIO-psi): for inputs p that can bind (BoARIO threshold_not_input),
       x_a = x_opt * min(1, min_p omega[p, f] / (psi * s[p, f] * A[p, f] * x_opt_f))
           = min(x_opt_f, min_p omega[p, f] / (s[p, f] A[p, f]) / psi)         [psi_param]
  6. Proportional rationing: every claim on k (orders and final demand) gets
     claim * x_a_k / D_k.  Received by b: R[p, b] = sum_{k makes p} O_kb x_a_k / D_k.
     Stocks: omega <- omega - A x_a + R (inputs used, deliveries received).
  7. Orders for t+1: goal omega* = s A x_opt; gap = max(omega* - omega, 0);
       OS = gap / tau_inv + A x_a                       [inventory_restoration_tau]
     ("inputs used are replaced, plus part of the gap"), split by w with rho(t) = x_cap(t) / x0.

Per product p the shares form a block W3[p] (suppliers k x buyers b). Steps 2 and 6 are
then matrix products over the run axis: with q = OS / den, den[p, b] = sum_k W3[p, k, b] rho_k,
  D_k    = rho_k sum_b W3[p, k, b] q[p, b]                      (R x n) (n x K) per product
  R[p, b] = q[p, b] sum_k W3[p, k, b] rho_k fill_k              (R x K) (K x n) per product
  den[p, b] (next step)                                        (R x K) (K x n) per product
so an ensemble costs 3 R n^2 multiply-adds per step ("alt"; 2 for "noalt"), done by BLAS.
:mod:`chokepoints.engine.simulate` keeps the stocks in "days of target" units d = omega / (s A)
so that the element-wise part needs no multiplications by A or s (see its ``_run_chunk``).
"""

from __future__ import annotations

import numpy as np


def safe_div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a / b with 0 where b == 0."""
    out = np.zeros(np.broadcast_shapes(np.shape(a), np.shape(b)), dtype=np.result_type(a, b))
    np.divide(a, b, out=out, where=b != 0)
    return out


def add_at_columns(a: np.ndarray, cols: np.ndarray, values: np.ndarray) -> None:
    """a[:, cols] += values in place, a column named twice receiving both (``np.add.at``)."""
    # numpy's stubs type ufunc.at indices as integer arrays only; a (slice, array) tuple is valid
    np.add.at(a, (slice(None), cols), values)  # type: ignore[arg-type]


def overproduction_update(
    alpha: np.ndarray,
    demand: np.ndarray,
    produced_prev: np.ndarray,
    alpha_max: np.ndarray,
    alpha_base: np.ndarray,
    alpha_tau: np.ndarray,
) -> np.ndarray:
    """BoARIO's calc_overproduction (Hallegatte 2008): zeta = (D - x_prev) / D;
    alpha += (alpha_max - alpha) zeta / alpha_tau if zeta != 0, else (alpha_base - alpha) / alpha_tau;
    then alpha >= 1. A negative zeta (demand below yesterday's output) lowers alpha."""
    zeta = safe_div(demand - produced_prev, demand)
    change = np.where(zeta != 0, (alpha_max - alpha) * zeta, alpha_base - alpha) / alpha_tau
    return np.maximum(alpha + change, 1.0)


def inventory_limited_production(x_opt: np.ndarray, m: np.ndarray, psi: np.ndarray) -> np.ndarray:
    """x_a = min(x_opt, m / psi): the ARIO-psi constraint x_opt * min(1, omega / (psi s A x_opt)),
    where m_f = min over binding inputs p of omega[p, f] / (s[p, f] A[p, f]) (NaN or inf: none binds)."""
    return np.fmin(x_opt, m / psi)
