"""The pure ARIO step, vectorised over runs (no labels, no levers by name).

Arrays carry a leading run axis R. Notation follows Hallegatte (2008, 2014) and
BoARIO 0.7.2 (see docs/engine.md):

  x0_f        baseline output per day of producer f; alpha_f overproduction factor
  Delta_f(t)  capacity lost (0..1); capacity x_cap = alpha * (1 - Delta) * x0 * grow
  A[p, f]     input p per unit of f's output; s[p, f] inventory target in days
  W[f, b]     baseline share of buyer b's purchases of p(f) coming from f
  OS[p, b]    buyer b's total order of product p placed at the end of the last step
  rho_f       x_cap_f / x0_f, the capacity ratio orders are re-weighted by ("alt")

One step:
  1. Demand on f: D_f = sum_b OS[p(f), b] * w_fb + sum_c y_c * W[f, c] (+ licence arrivals)
     with w_fb = W_fb rho_f k_fb / sum_{f' makes p(f)} W_f'b rho_f' k_f'b   ("alt")
     or   w_fb = W_fb k_fb                                                  ("noalt"),
     where k_fb is 0 on banned routes and 1 elsewhere.
  2. Optimal production x_opt = min(D, x_cap).
  3. Inventory constraint (ARIO-psi): x_a = x_opt * min(1, min_p omega[p, f] / (psi s[p, f] A[p, f] x_opt_f)).
  4. Proportional rationing: every claim on f receives claim * x_a_f / D_f.
     omega <- omega - A x_a + deliveries.
  5. Orders: goal omega* = s A x_opt; gap = max(omega* - omega - pending, 0);
     OS = gap / tau_inv + A x_a.
  6. Overproduction: zeta = (D - x_a) / D; alpha += (alpha_max - alpha) zeta / alpha_tau if zeta > 0,
     else alpha += (alpha_base - alpha) / alpha_tau; alpha >= 1.

Each product p is one block: its suppliers sup_p and buyers buy_p, with the dense
block Wp = W[sup_p, buy_p]; steps 1 and 4 are then matrix products (R x k_p)(k_p x b_p),
so an ensemble of runs costs R * n^2 multiply-adds per step (see docs/performance.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ProductBlock:
    """Suppliers and producer-buyers of one product and their baseline shares."""

    product: int
    suppliers: np.ndarray  # (k,) producer indices making the product
    buyers: np.ndarray  # (b,) producer indices buying it
    W: np.ndarray  # (k, b) baseline shares


def build_blocks(W: np.ndarray, prod_product: np.ndarray, n: int, S: int, dtype=np.float64) -> list[ProductBlock]:
    """Split the producer part of W (n x n) into one dense block per product."""
    blocks = []
    Wn = W[:, :n]
    for p in range(S):
        sup = np.flatnonzero(prod_product == p)
        if sup.size == 0:
            continue
        buy = np.flatnonzero(Wn[sup].sum(axis=0) > 0)
        if buy.size == 0:
            continue
        blocks.append(ProductBlock(p, sup, buy, np.ascontiguousarray(Wn[np.ix_(sup, buy)], dtype=dtype)))
    return blocks


def safe_div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a / b with 0 where b == 0."""
    out = np.zeros(np.broadcast_shapes(a.shape, b.shape), dtype=np.result_type(a, b))
    np.divide(a, b, out=out, where=b != 0)
    return out


def inventory_limited_production(x_opt: np.ndarray, omega: np.ndarray, need_per_unit: np.ndarray,
                                 psi: np.ndarray) -> np.ndarray:
    """x_a = x_opt * min(1, min_p omega / (psi * s * A * x_opt)).

    ``need_per_unit`` is s * A (S x n, or R x S x n); entries where it is 0 (not an
    input, or an infinite inventory encoded as 0) never bind.
    """
    constraint = psi.reshape(-1, 1, 1) * need_per_unit * x_opt[:, None, :]
    ratio = np.where(constraint > 0, omega / np.where(constraint > 0, constraint, 1.0), np.inf)
    limit = np.minimum(1.0, ratio.min(axis=1))
    return x_opt * limit


def overproduction_update(alpha: np.ndarray, demand: np.ndarray, produced: np.ndarray,
                          alpha_max: np.ndarray, alpha_base: np.ndarray, alpha_tau: np.ndarray) -> np.ndarray:
    """ARIO overproduction (Hallegatte 2008; BoARIO calc_overproduction)."""
    zeta = safe_div(demand - produced, demand)
    up = alpha + (alpha_max - alpha) * zeta / alpha_tau
    down = alpha + (alpha_base - alpha) / alpha_tau
    return np.maximum(np.where(zeta > 0, up, down), 1.0)
