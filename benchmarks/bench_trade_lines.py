"""Line-level PE on the full US schedule: every bundled HTS-10 line x the 14 bundled partners.

    PYTHONPATH=src python benchmarks/bench_trade_lines.py

``chokepoints.trade.lines_pe.solve_lines``: base rates of 2025-01-01 against the schedule of 2025-04-12 (the
145 % peak with the electronics exclusion) for every partner, elasticities by HS section (Hauk 2012 medians),
flat export supply. Prints lines, partners and the best of three times for: building the market (weights
and preferential MFN), the whole solve_lines (both dates' rates and the kernel), and the kernel alone.
"""

from __future__ import annotations

import datetime as dt
import time

from chokepoints.trade import lines as tl
from chokepoints.trade import lines_pe as lp
from chokepoints.trade.pe import solve_arrays

D0, D1 = dt.date(2025, 1, 1), dt.date(2025, 4, 12)


def _best(f, n: int = 3) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(n):
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> None:
    sched = tl.LineSchedule.bundled()
    t_market, mk = _best(lp.line_market)
    t_all, res = _best(lambda: lp.solve_lines(D1, D0, sched, mk))
    t_kernel, _ = _best(lambda: solve_arrays(mk.imports, res.rates_base / 100, res.rates_new / 100, res.eta,
                                             res.sigma, float("inf")))  # fmt: skip
    L, N = mk.shape
    print(f"{L} lines x {N} partners (best of 3): market {t_market:.3f} s, solve_lines {t_all:.3f} s "
          f"(kernel alone {t_kernel:.3f} s, {res.solution.iterations} Newton steps)")  # fmt: skip
    tot = lp.by_section(res).set_index("section").loc["total"]
    print(f"US imports {tot['change_pct']:+.1f} %, from China {tot['CHN_change_pct']:+.1f} %, "
          f"China tariff {tot['avg_rate_CHN_base']:.1f} -> {tot['avg_rate_CHN_new']:.1f} %")  # fmt: skip


if __name__ == "__main__":
    main()
