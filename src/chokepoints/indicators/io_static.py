"""Static input-output analysis of any World: Leontief and Ghosh multipliers, hypothetical extraction.

Notation and functions as pymrio (``pymrio.tools.iomath``), per day of the World's baseline:

* Z[f, b] = W[f, b] * A^S[p(f), b] * x0_b: producer f's sales to producer b (A^S the World's
  product-by-producer coefficients, W the market shares); y_f = final-demand purchases from f.
* x = Z summed over columns + y; A = Z / x (column-wise, ``calc_A``); L = (I - A)^-1 (``calc_L``).
* Value added v_f = va_f / x_f with va = x - Z summed over rows (or the World's own value added).
* Ghosh: B = Z / x (row-wise, ``calc_B``), G = (I - B)^-1 (``calc_G``).
* Output multiplier of f: sum over rows of L[:, f]; value-added multiplier: sum_i v_i L[i, f];
  Ghosh (forward) multiplier: sum over columns of G[f, :].
* Neither inverse is formed: the multipliers are three solves with M = I - A,
  (I - A)^T m_out = 1, (I - A)^T m_va = v and, since B = x^-1 A x (x as a diagonal matrix) so
  G = x^-1 L x (as pymrio's ``calc_G(B, L, x)``), G 1 = (L x) / x, i.e. (I - A) z = x, Ghosh
  multiplier = z / x (a producer with x = 0 gives B its own solver). The solves are GMRES on the
  dense M with float64 accuracy checked, falling back to LU factorisations
  (:mod:`chokepoints.indicators.leontief`): O(n^2) per solve instead of the O(n^3) of an inverse or
  an LU. Measured in docs/performance.md ("Hybrid Worlds and static multipliers at 9,800").
* Hypothetical extraction (Miller and Blair 2009, section 12.2; Dietzenbacher and Lahr 2013) of the
  sales of one exporter's product (rows f*) to a set of destination regions D:
  backward (Leontief, demand-driven): A* = A with A[f*, b] = 0 for buyers b in D, y* = y less f*'s
  final sales to D; x* = (I - A*)^-1 y*; x - x* is the output of the exporter and its suppliers that
  depends on those sales.
  forward (Ghosh, supply-driven): B* = B with B[f*, b] = 0 for b in D; x*' = va' (I - B*)^-1;
  x - x* is the output of the buyers downstream that the supply carries (Ghosh keeps no fixed
  proportions, so it is a lower bound for a buyer that cannot do without the input).
  With B* = x^-1 A* x as above, va' G* = ((va / x)' L*) x: two factorisations, of I - A and I - A*.
  Value added at risk = v * (x - x*), summed by region.

Amounts are in the World's product units (money for MRIO worlds: ``usd`` columns multiply by USD per
unit). For a table world with physical units the sums over producers of different products are not
meaningful; use it on monetary (MRIO or hybrid) Worlds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ..world import World
from .leontief import LeontiefSolver


@dataclass(frozen=True)
class IOTable:
    """The baseline per day as an input-output table (see the module docstring)."""

    producers: tuple[str, ...]
    region: np.ndarray  # (n,) region label of each producer
    product: np.ndarray  # (n,) product label
    Z: np.ndarray  # (n, n)
    y: np.ndarray  # (n,) total final sales of f
    y_by_region: np.ndarray  # (n, R) final sales of f to each consuming region
    regions: tuple[str, ...]
    x: np.ndarray
    va: np.ndarray
    usd_per_unit: np.ndarray  # (n,)


def io_table(world: World) -> IOTable:
    """Z, y, x and value added of ``world``'s baseline, per day."""
    cw = world.compile()
    n, R = cw.n, len(cw.regions)
    use = cw.A * cw.x0[None, :]  # (S, n): product p needed by b
    Z = np.zeros((n, n))
    y_by_region = np.zeros((n, R))
    if cw.shares3 is not None and cw.suppliers3 is not None and cw.fd_links is not None:
        # an MRIO world's factored shares (W[suppliers3[p, k], :n] = shares3[p, k]): no dense W
        for p in range(cw.S):
            k = np.flatnonzero(cw.suppliers3[p] >= 0)
            Z[cw.suppliers3[p, k]] = cw.shares3[p, k] * use[p][None, :]
        sup, cell, share = (np.asarray(v) for v in cw.fd_links)
        np.add.at(y_by_region, (sup.astype(np.intp), cw.fd_region[cell]), share * cw.y0[cell])
    else:
        W = np.asarray(cw.W)
        for p in range(cw.S):
            rows = np.flatnonzero(cw.prod_product == p)
            Z[rows] = W[rows, :n] * use[p][None, :]
        to_region = np.zeros((cw.m, R))  # y0 of final-demand cell c in the column of its region
        to_region[np.arange(cw.m), cw.fd_region] = cw.y0
        y_by_region = W[:, n:] @ to_region
    y = y_by_region.sum(axis=1)
    x = cw.x0.astype(float)
    va = cw.value_added if cw.value_added is not None else x - Z.sum(axis=0)
    uv = cw.unit_value[cw.prod_product]
    return IOTable(
        producers=cw.producers,
        region=np.asarray(cw.regions)[cw.prod_region],
        product=np.asarray(cw.products)[cw.prod_product],
        Z=Z,
        y=y,
        y_by_region=y_by_region,
        regions=cw.regions,
        x=x,
        va=np.asarray(va, float),
        usd_per_unit=np.where(np.isfinite(uv), uv, np.nan),
    )


def _recix(x: np.ndarray) -> np.ndarray:
    """1 / x, 0 where x = 0 (pymrio's ``calc_A`` and ``calc_B``)."""
    return np.divide(1.0, x, out=np.zeros_like(x), where=x != 0)


def _ghosh(t: IOTable, solver: LeontiefSolver, Z: np.ndarray, left: bool) -> np.ndarray:
    """G 1 (``left`` False) or va' G (``left`` True) for G = (I - B)^-1, B = Z / x row-wise, given the
    factorisation of I - A, A = Z / x column-wise: G = x^-1 L x when every x > 0 (module docstring),
    else from B's own factorisation."""
    if np.all(t.x > 0):
        if left:
            return solver.solve(t.va / t.x, trans=True) * t.x
        return solver.solve(t.x) / t.x
    own = LeontiefSolver(Z * _recix(t.x)[:, None], overwrite=True)
    return own.solve(t.va, trans=True) if left else own.solve(np.ones(len(t.x)))


def multipliers(world: World) -> pd.DataFrame:
    """Output, value-added and Ghosh multipliers of every producer (see the module docstring)."""
    t = io_table(world)
    v = np.divide(t.va, t.x, out=np.zeros_like(t.x), where=t.x > 0)
    solver = LeontiefSolver(t.Z * _recix(t.x)[None, :], overwrite=True)
    back = solver.solve(np.column_stack([np.ones(len(t.x)), v]), trans=True)
    return pd.DataFrame(
        {
            "producer": list(t.producers),
            "region": t.region,
            "product": t.product,
            "output_multiplier": back[:, 0],
            "value_added_multiplier": back[:, 1],
            "ghosh_multiplier": _ghosh(t, solver, t.Z, left=False),
        }
    )


def hypothetical_extraction(
    world: World, exporter: str, product: str, destinations: list[str] | None = None
) -> pd.DataFrame:
    """Output and value added per region that depend on ``exporter``'s sales of ``product`` to
    ``destinations`` (default: every other region), per year, by hypothetical extraction."""
    t = io_table(world)
    regions = list(t.regions)
    if exporter not in regions:
        raise InputError(Problem("exporter", f"unknown region {exporter!r}", field="exporter"))
    dest = [r for r in regions if r != exporter] if destinations is None else list(destinations)
    for r in dest:
        if r not in regions:
            raise InputError(Problem("destinations", f"unknown region {r!r}", field="destinations"))
    rows = np.flatnonzero((t.region == exporter) & (t.product == product))
    if rows.size == 0:
        raise InputError(Problem("product", f"{exporter} makes no {product!r}", field="product"))
    A = t.Z * _recix(t.x)[None, :]
    base = LeontiefSolver(A)  # holds its own I - A
    x_base = base.solve(t.y)
    cut = np.ix_(rows, np.flatnonzero(np.isin(t.region, dest)))
    A[cut] = 0.0  # A*
    y_star = t.y.copy()
    d_idx = np.array([regions.index(r) for r in dest], dtype=np.intp)
    y_star[rows] -= t.y_by_region[np.ix_(rows, d_idx)].sum(axis=1)
    star = LeontiefSolver(A, overwrite=True)
    del A
    dx_back = (x_base - star.solve(y_star)) * 365.0
    Z_star = t.Z.copy()
    Z_star[cut] = 0.0  # B* = Z* / x row-wise
    dx_fwd = (_ghosh(t, base, t.Z, left=True) - _ghosh(t, star, Z_star, left=True)) * 365.0
    v = np.divide(t.va, t.x, out=np.zeros_like(t.x), where=t.x > 0)
    uv = np.where(np.isfinite(t.usd_per_unit), t.usd_per_unit, np.nan)
    frame = pd.DataFrame(
        {
            "region": t.region,
            "output_at_risk_backward": dx_back,
            "output_at_risk_forward": dx_fwd,
            "value_added": t.va * 365.0,
            "value_added_at_risk_backward": v * dx_back,
            "value_added_at_risk_forward": v * dx_fwd,
            "usd_value_added_at_risk_backward": v * dx_back * uv,
            "usd_value_added_at_risk_forward": v * dx_fwd * uv,
        }
    )
    out = frame.groupby("region", sort=False).sum().reset_index()
    for side in ("backward", "forward"):
        out[f"share_of_value_added_{side}"] = np.divide(
            out[f"value_added_at_risk_{side}"],
            out["value_added"],
            out=np.zeros(len(out)),
            where=out["value_added"] > 0,
        )
    out.insert(1, "exporter", exporter)
    out.insert(2, "product", product)
    key = "usd_value_added_at_risk_forward"
    return out.sort_values(key, ascending=False, kind="stable").reset_index(drop=True)
