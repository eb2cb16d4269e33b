"""Line-level PE on the full US schedule: every bundled HTS-10 line x the 14 bundled partners.

    PYTHONPATH=src python benchmarks/bench_trade_lines.py

Base rates: the line schedule on 2025-01-01 for China, the derived MFN for the other partners; new rates: the
schedule on 2025-04-12 (145 % peak with the electronics exclusion). eta = -1.5, sigma = 3.8, epsilon = inf
(the scenario's values; section-level import-demand elasticities are not bundled). Prints lines, partners and
the best of three solve times.
"""

from __future__ import annotations

import datetime as dt
import time

import numpy as np

from chokepoints.trade import lines as tl
from chokepoints.trade.pe import solve_arrays


def main() -> None:
    sched = tl.LineSchedule.bundled()
    w = tl.us_weights("2024")
    m = w.pivot_table(index="hts10", columns="partner", values="imports_usd", aggfunc="sum", fill_value=0.0)
    codes = m.index.to_numpy(dtype=str)
    partners = list(m.columns)
    book = tl.line_book("USA", "CHN")
    mfn = dict(zip(book.codes, book.mfn, strict=True))
    base_mfn = np.array([mfn.get(c, 0.0) for c in codes])
    t0 = np.repeat(base_mfn[:, None], len(partners), axis=1) / 100
    t1 = t0.copy()
    j = partners.index("CHN")
    t0[:, j] = sched.rates(dt.date(2025, 1, 1), "USA", "CHN", codes, base_mfn).sum(axis=0) / 100
    t1[:, j] = sched.rates(dt.date(2025, 4, 12), "USA", "CHN", codes, base_mfn).sum(axis=0) / 100
    m0 = m.to_numpy() / 1e6
    best = np.inf
    for _ in range(3):
        t = time.perf_counter()
        sol = solve_arrays(m0, t0, t1, -1.5, 3.8, np.inf)
        best = min(best, time.perf_counter() - t)
    dm = (sol.imports_new - m0).sum(axis=0)
    print(f"{len(codes)} lines x {len(partners)} partners: solve {best:.3f} s (best of 3)")
    print(
        "change in US imports by partner, USD bn:",
        {p: round(float(v) / 1e3, 1) for p, v in zip(partners, dm, strict=True)},
    )


if __name__ == "__main__":
    main()
