"""Time `chokepoints check` on the two shared articles (after start-up: imports and registry loaded).

    python benchmarks/bench_claims.py [--repeat N]

Prints the minimum and median seconds per article over N runs.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from chokepoints.claims import check_file

SHARED = Path(__file__).resolve().parents[2] / "shared" / "articles"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    check_file(next(SHARED.glob("*.txt")))  # start-up: imports, registry, data tables
    for path in sorted(SHARED.glob("*.txt")):
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            _, claims = check_file(path)
            times.append(time.perf_counter() - t0)
        print(f"{path.name}: {len(claims)} claims, min {min(times):.3f} s, median {statistics.median(times):.3f} s")


if __name__ == "__main__":
    main()
