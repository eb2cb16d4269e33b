"""Solves with the Leontief matrix M = I - C of an input-output table, without forming its inverse.

Static multipliers need a few vectors of L = M^-1 (1' L, v' L, L x; see
:mod:`chokepoints.indicators.io_static`), not L itself. :class:`LeontiefSolver` gets each by

1. GMRES (Saad and Schultz 1986, "GMRES: a generalized minimal residual algorithm for solving
   nonsymmetric linear systems", SIAM J. Sci. Stat. Comput. 7, 856-869; scipy's
   ``scipy.sparse.linalg.gmres``) on the dense M, from z = 0, restarted every ``GMRES_RESTART``
   steps, at most ``GMRES_RESTART * GMRES_CYCLES`` matrix-vector products. For a productive
   economy (C >= 0, spectral radius below 1) the eigenvalues of M cluster around 1 and GMRES
   converges in a few tens of products (10 on a 9,800-sector synthetic table, 27 on WIOD 2011),
   each one pass over M: O(n^2) work against O(n^3) for a factorisation;
2. if GMRES does not pass the acceptance test below: LU in float32 refined in float64
   (mixed-precision iterative refinement, as LAPACK's ``dsgesv``: z += M^-1 (b - M z) with the
   float32 factors while the residual halves and exceeds eps |M|_inf |z|_inf, at most 30 steps);
3. if that does not pass either: LU in float64 (scipy ``lu_factor``), whose answer is taken as is.

Acceptance test (``dsgesv``'s): |b - M z|_inf <= sqrt(n) eps |M|_inf |z|_inf, eps the float64 machine
epsilon. A solution passing it solves a system within sqrt(n) eps of M (normwise backward error), as
accurate as a float64 LU for the well-conditioned M of an input-output table (cond(M) <= |M| |L|, a
few to a few tens). Factorisations, when needed, are made once and reused for every right-hand side.
"""

from __future__ import annotations

import time

import numpy as np
from scipy.linalg import lu_factor, lu_solve
from scipy.sparse.linalg import LinearOperator, gmres

REFINE_STEPS = 30  # LAPACK dsgesv's ITERMAX
GMRES_RESTART = 60
GMRES_CYCLES = 2
METHODS = ("auto", "lu")


class LeontiefSolver:
    """Solves (I - C) z = b and (I - C)^T z = b for a square coefficient matrix C (A or B).

    ``method``: "auto" (GMRES, then the LUs if needed; module docstring) or "lu" (the LUs only).
    ``used`` counts the solves done by each path; ``products`` the GMRES matrix-vector products;
    ``factor_s`` the seconds spent factorising."""

    def __init__(self, C: np.ndarray, method: str = "auto", overwrite: bool = False) -> None:
        """``overwrite``: C (a float64 array) may be turned into I - C in place (saves one n x n copy)."""
        if method not in METHODS:
            raise ValueError(f"method: expected one of {', '.join(METHODS)}, got {method!r}")
        n = C.shape[0]
        self.n, self.method = n, method
        if overwrite and isinstance(C, np.ndarray) and C.dtype == np.float64 and C.flags.writeable:
            self.M = np.negative(C, out=C)
        else:
            self.M = -np.asarray(C, dtype=float)
        self.M[np.diag_indices(n)] += 1.0  # I - C without an identity matrix in memory
        rows = [np.abs(self.M[i : i + 512]).sum(axis=1).max() for i in range(0, n, 512)]  # |M|_inf, blocks
        self.norm = float(max(rows)) if n else 0.0
        self.eps = np.finfo(float).eps * self.norm
        self.lu64: tuple[np.ndarray, np.ndarray] | None = None
        self.lu32: tuple[np.ndarray, np.ndarray] | None = None
        self._tried32 = False
        self.refined = 0  # refinement steps taken (all solves)
        self.products = 0  # GMRES matrix-vector products (all solves)
        self.used = {"gmres": 0, "lu32": 0, "lu64": 0}
        self.factor_s = 0.0  # seconds spent in factorisations

    def solve(self, b: np.ndarray, trans: bool = False) -> np.ndarray:
        """z with (I - C) z = b, or (I - C)^T z = b if ``trans``; b of shape (n,) or (n, k)."""
        b = np.asarray(b, dtype=float)
        if b.ndim == 2:
            return np.column_stack([self.solve(b[:, j], trans) for j in range(b.shape[1])]).reshape(b.shape)
        Mop = self.M.T if trans else self.M
        if self.method == "auto" and self.n:
            z = self._gmres(Mop, b)
            if z is not None:
                self.used["gmres"] += 1
                return z
        z = self._refined(Mop, b, trans)
        if z is not None:
            self.used["lu32"] += 1
            return z
        self.used["lu64"] += 1
        return lu_solve(self._factor64(), b, trans=1 if trans else 0, check_finite=False)

    def _accept(self, Mop: np.ndarray, b: np.ndarray, z: np.ndarray) -> tuple[bool, float, float]:
        res = float(np.abs(b - Mop @ z).max(initial=0.0))
        scale = float(np.abs(z).max(initial=0.0))
        ok = bool(np.isfinite(res) and np.isfinite(scale) and res <= np.sqrt(self.n) * self.eps * scale)
        return ok, res, scale

    def _gmres(self, Mop: np.ndarray, b: np.ndarray) -> np.ndarray | None:
        bmax = float(np.abs(b).max(initial=0.0))
        if bmax == 0.0:
            return np.zeros_like(b)
        count = [0]

        def matvec(v: np.ndarray) -> np.ndarray:
            count[0] += 1
            return Mop @ v

        op = LinearOperator((self.n, self.n), matvec=matvec, dtype=float)
        # |r|_2 <= sqrt(n) eps' |b|_inf implies the acceptance test (|r|_inf <= |r|_2, |b|_inf <= |M|_inf |z|_inf)
        atol = np.sqrt(self.n) * np.finfo(float).eps * bmax
        z, _ = gmres(op, b, rtol=0.0, atol=atol, restart=GMRES_RESTART, maxiter=GMRES_CYCLES)
        self.products += count[0]
        return z if self._accept(Mop, b, z)[0] else None

    def _factor64(self) -> tuple[np.ndarray, np.ndarray]:
        if self.lu64 is None:
            t0 = time.perf_counter()
            self.lu64 = lu_factor(self.M, check_finite=False)
            self.factor_s += time.perf_counter() - t0
        return self.lu64

    def _factor32(self) -> tuple[np.ndarray, np.ndarray] | None:
        if not self._tried32:
            self._tried32 = True
            t0 = time.perf_counter()
            M32 = self.M.astype(np.float32)
            if self.n and np.isfinite(M32).all():
                lu, piv = lu_factor(M32, overwrite_a=True, check_finite=False)
                if np.isfinite(lu).all() and np.abs(np.diag(lu)).min() > 0:
                    self.lu32 = (lu, piv)
            self.factor_s += time.perf_counter() - t0
        return self.lu32

    def _refined(self, Mop: np.ndarray, b: np.ndarray, trans: bool) -> np.ndarray | None:
        lu32 = self._factor32() if self.lu64 is None else None
        if lu32 is None:
            return None
        tr = 1 if trans else 0
        z = lu_solve(lu32, b.astype(np.float32), trans=tr, check_finite=False).astype(float)
        last = np.inf
        for k in range(REFINE_STEPS + 1):
            r = b - Mop @ z
            res, scale = float(np.abs(r).max(initial=0.0)), float(np.abs(z).max(initial=0.0))
            if not np.isfinite(res) or res <= self.eps * scale or res > 0.5 * last or k == REFINE_STEPS:
                break  # at float64 rounding level, no longer halving, or out of steps
            z += lu_solve(lu32, r.astype(np.float32), trans=tr, check_finite=False)
            self.refined += 1
            last = res
        return z if self._accept(Mop, b, z)[0] else None
