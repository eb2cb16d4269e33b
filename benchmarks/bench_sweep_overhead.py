"""Benchmark: the sweep's overhead against one in-memory ensemble, as alternating pairs (issue #17).

Run:  python benchmarks/bench_sweep_overhead.py [--runs 5000] [--pairs 3] [--max-memory 512MiB]

Each pair times, one after the other in this process, the same ``--runs`` runs of the bundled
cn-rare-earth-licensing-2025-04 scenario (the point of ``benchmarks/bench_sweep.py``) done

1. as one in-memory ensemble: ``simulate(runs=N, threads=1)`` with BLAS on one thread, plus the
   tidy indicators, no files;
2. as ``run_sweep`` in this process (its default executor), with chunks of ``--max-memory``,
   Parquet per chunk and the DuckDB catalogue.

On a 2-core machine a single pair moves by 10-20 % from one run to the next, more than the
overhead measured; alternating pairs and reading their median separates the two. Not part of
the test suite.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench_sweep import SWEEP


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5000)
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--max-memory", default="512MiB")
    a = ap.parse_args()
    from threadpoolctl import threadpool_limits

    from chokepoints.engine import simulate
    from chokepoints.scenario import Scenario
    from chokepoints.sweep.design import RECORD
    from chokepoints.sweep.execute import prepare, run_sweep
    from chokepoints.sweep.work import _world, tidy

    tmp = Path(tempfile.mkdtemp(prefix="bench-overhead-"))
    path = tmp / "bench.yaml"
    path.write_text(SWEEP.format(runs=a.runs, mem=a.max_memory))
    ex, _ = prepare(path)
    scenario = Scenario.model_validate(ex.points[0].scenario)
    world = _world(ex.world_refs[0])
    task = {"groups": "key_users", "indicators": list(ex.spec.indicators), "series": True}
    simulate(world, scenario, runs=8, seed=1, record=list(RECORD), threads=1)  # warm imports and caches
    print(f"{a.runs} runs, {len(ex.chunks)} chunks; load average before {os.getloadavg()[0]:.2f}")
    overheads = []
    for pair in range(a.pairs):
        with threadpool_limits(limits=1, user_api="blas"):
            t = time.perf_counter()
            res = simulate(world, scenario, runs=a.runs, seed=1, record=list(RECORD), threads=1)
            tidy(res.data, task, 0, 0)
            memory = time.perf_counter() - t
            del res
        shutil.rmtree(tmp / "sweep", ignore_errors=True)
        swept = run_sweep(path, tmp / "sweep", prepared=prepare(path)).seconds
        overheads.append(100 * (swept / memory - 1))
        print(
            f"pair {pair + 1}: in-memory ensemble {memory:.1f} s, sweep in-process {swept:.1f} s, "
            f"overhead {overheads[-1]:+.1f} %",
            flush=True,
        )
    print(f"median overhead {statistics.median(overheads):+.1f} % (target < 10 %)")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
