"""Benchmark: the non-linear Armington PE solve for 5,000 product lines x 200 partners.

Run:  python benchmarks/bench_trade.py [--lines 5000] [--partners 200] [--repeats 5]

Random but seeded inputs (about 60 % of line-partner cells trade; base tariffs 0-25 %; new tariffs
add 0-150 points on a quarter of the partners; eta in [-4, -0.5], sigma in [1.1, 8] per line; a
finite export-supply elasticity per partner in [0.5, 50], so Newton iterates). Times the kernel
(``solve_arrays``, all outputs) and ``chokepoints.trade.solve`` (input checks plus the labelled
xarray Dataset), best and median of the repeats. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

import chokepoints.trade as tr


def inputs(lines: int, partners: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    m0 = rng.lognormal(2.0, 2.0, (lines, partners)) * (rng.random((lines, partners)) < 0.6)
    t0 = rng.uniform(0.0, 0.25, (lines, partners))
    t1 = t0 + rng.uniform(0.0, 1.5, (lines, partners)) * (rng.random((1, partners)) < 0.25)
    eta = rng.uniform(-4.0, -0.5, lines)
    sigma = rng.uniform(1.1, 8.0, lines)
    eps = rng.uniform(0.5, 50.0, partners)
    return m0, t0, t1, eta, sigma, eps


def timeit(fn, repeats: int) -> list[float]:
    fn()  # warm-up
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=5000)
    ap.add_argument("--partners", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=5)
    a = ap.parse_args()
    m0, t0, t1, eta, sigma, eps = inputs(a.lines, a.partners)
    sol = tr.solve_arrays(m0, t0, t1, eta, sigma, eps)
    kernel = timeit(lambda: tr.solve_arrays(m0, t0, t1, eta, sigma, eps), a.repeats)
    labelled = timeit(lambda: tr.solve(m0, t0, t1, eta=eta, sigma=sigma, epsilon=eps), a.repeats)
    flat = timeit(lambda: tr.solve_arrays(m0, t0, t1, eta, sigma, np.inf), a.repeats)
    print(
        f"{a.lines} lines x {a.partners} partners ({int((m0 > 0).sum()):,} trading cells); "
        f"Newton iterations {sol.iterations}, largest residual {sol.residual:.1e}"
    )
    for name, ts in (
        ("solve_arrays (finite epsilon)", kernel),
        ("solve -> xarray Dataset", labelled),
        ("solve_arrays (epsilon = inf)", flat),
    ):
        print(f"  {name:32s} best {min(ts):.3f} s, median {float(np.median(ts)):.3f} s")
    cpu = platform.processor() or platform.machine()
    print(f"  machine: {cpu}, Python {platform.python_version()}, NumPy {np.__version__}")


if __name__ == "__main__":
    main()
