"""Static input-output analysis of any World: Leontief and Ghosh multipliers, hypothetical extraction.

Notation and functions as pymrio (``pymrio.tools.iomath``), per day of the World's baseline:

* Z[f, b] = W[f, b] * A^S[p(f), b] * x0_b: producer f's sales to producer b (A^S the World's
  product-by-producer coefficients, W the market shares); y_f = final-demand purchases from f.
* x = Z summed over columns + y; A = Z / x (column-wise, ``calc_A``); L = (I - A)^-1 (``calc_L``).
* Value added v_f = va_f / x_f with va = x - Z summed over rows (or the World's own value added).
* Ghosh: B = Z / x (row-wise, ``calc_B``), G = (I - B)^-1 (``calc_G``).
* Output multiplier of f: sum over rows of L[:, f]; value-added multiplier: sum_i v_i L[i, f];
  Ghosh (forward) multiplier: sum over columns of G[f, :].
* Neither inverse is formed: the multipliers are three solves with one LU factorisation of
  M = I - A, (I - A)^T m_out = 1, (I - A)^T m_va = v and, since B = x^-1 A x (x as a diagonal
  matrix) so G = x^-1 L x (as pymrio's ``calc_G(B, L, x)``), G 1 = (L x) / x, i.e.
  (I - A) z = x, Ghosh multiplier = z / x (a producer with x = 0 makes B its own factorisation).
  The LU is done in float32 and refined in float64 (mixed-precision iterative refinement, as
  LAPACK's ``dsgesv``: z += M^-1 (b - M z) with the float32 factors while the residual
  |b - M z|_inf halves and exceeds eps |M|_inf |z|_inf, eps the float64 machine epsilon, at most
  30 steps; accepted if |b - M z|_inf <= sqrt(n) eps |M|_inf |z|_inf, dsgesv's test, else a
  float64 LU), which halves the O(n^3) work and gives float64 accuracy for the
  well-conditioned I - A of an input-output table. Measured in docs/performance.md (a dense LU
  beats scipy's sparse ``splu`` on dense and on 5 %-sparse 9,800-sector tables).
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
from scipy.linalg import lu_factor, lu_solve

from ..errors import InputError, Problem
from ..world import World


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
    n = cw.n
    W = np.asarray(cw.W)
    need = cw.A[cw.prod_product, :] * cw.x0[None, :]  # (n, n): f's product needed by b
    Z = W[:, :n] * need
    Yc = W[:, n:] * cw.y0[None, :]  # (n, m)
    R = len(cw.regions)
    y_by_region = np.zeros((n, R))
    for r in range(R):
        y_by_region[:, r] = Yc[:, cw.fd_region == r].sum(axis=1)
    y = Yc.sum(axis=1)
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


REFINE_STEPS = 30  # LAPACK dsgesv's ITERMAX


class LeontiefSolver:
    """Solves (I - C) z = b and (I - C)^T z = b for a square coefficient matrix C (A or B), a few
    right-hand sides at a time, by mixed-precision iterative refinement (module docstring)."""

    def __init__(self, C: np.ndarray) -> None:
        n = C.shape[0]
        self.M = np.eye(n) - C
        self.norm = float(np.abs(self.M).sum(axis=1).max()) if n else 0.0
        self.lu64: tuple[np.ndarray, np.ndarray] | None = None
        self.lu32: tuple[np.ndarray, np.ndarray] | None = None
        self.refined = 0  # refinement steps taken so far (all solves)
        M32 = self.M.astype(np.float32)
        if n and np.isfinite(M32).all():
            lu, piv = lu_factor(M32, overwrite_a=True, check_finite=False)
            if np.isfinite(lu).all() and np.abs(np.diag(lu)).min() > 0:
                self.lu32 = (lu, piv)
        if self.lu32 is None:
            self._double()

    def _double(self) -> tuple[np.ndarray, np.ndarray]:
        if self.lu64 is None:
            self.lu64 = lu_factor(self.M, check_finite=False)
            self.lu32 = None
        return self.lu64

    def solve(self, b: np.ndarray, trans: bool = False) -> np.ndarray:
        """z with (I - C) z = b, or (I - C)^T z = b if ``trans``; b of shape (n,) or (n, k)."""
        b = np.asarray(b, dtype=float)
        tr = 1 if trans else 0
        if self.lu32 is None:
            return lu_solve(self._double(), b, trans=tr, check_finite=False)
        Mop = self.M.T if trans else self.M
        z = lu_solve(self.lu32, b.astype(np.float32), trans=tr, check_finite=False).astype(float)
        eps = np.finfo(float).eps * self.norm
        last = np.inf
        for k in range(REFINE_STEPS + 1):
            r = b - Mop @ z
            res, scale = float(np.abs(r).max(initial=0.0)), float(np.abs(z).max(initial=0.0))
            if not np.isfinite(res) or res <= eps * scale or res > 0.5 * last or k == REFINE_STEPS:
                break  # at float64 rounding level, no longer halving, or out of steps
            z += lu_solve(self.lu32, r.astype(np.float32), trans=tr, check_finite=False)
            self.refined += 1
            last = res
        if not (np.isfinite(res) and res <= np.sqrt(len(b)) * eps * scale):  # dsgesv's test
            return lu_solve(self._double(), b, trans=tr, check_finite=False)
        return z


def _ghosh(t: IOTable, solver: LeontiefSolver, Z: np.ndarray, left: bool) -> np.ndarray:
    """G 1 (``left`` False) or va' G (``left`` True) for G = (I - B)^-1, B = Z / x row-wise, given the
    factorisation of I - A, A = Z / x column-wise: G = x^-1 L x when every x > 0 (module docstring),
    else from B's own factorisation."""
    if np.all(t.x > 0):
        if left:
            return solver.solve(t.va / t.x, trans=True) * t.x
        return solver.solve(t.x) / t.x
    own = LeontiefSolver(Z * _recix(t.x)[:, None])
    return own.solve(t.va, trans=True) if left else own.solve(np.ones(len(t.x)))


def multipliers(world: World) -> pd.DataFrame:
    """Output, value-added and Ghosh multipliers of every producer (see the module docstring)."""
    t = io_table(world)
    v = np.divide(t.va, t.x, out=np.zeros_like(t.x), where=t.x > 0)
    solver = LeontiefSolver(t.Z * _recix(t.x)[None, :])
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
    star = LeontiefSolver(A)
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
