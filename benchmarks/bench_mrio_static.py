"""Time the MRIO path: loading the bundled wiod-2011 World, static multipliers and hypothetical extraction,
and a synthetic MRIO of any size (import through World folders and multipliers).

    python benchmarks/bench_mrio_static.py [--regions 41 --sectors 35] [--repeats 3]

Prints one line per timed step (best and median of the repeats, seconds) and the peak resident memory.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import pandas as pd  # noqa: E402

import chokepoints as cp  # noqa: E402
from chokepoints.datasets.mrio import synthetic_mrio  # noqa: E402
from chokepoints.datasets.mrio_import import write_folder  # noqa: E402
from chokepoints.indicators.io_static import hypothetical_extraction, multipliers  # noqa: E402


def timed(label: str, fn, repeats: int):
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    print(f"{label:55s} best {min(times):7.2f} s  median {statistics.median(times):7.2f} s")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--regions", type=int, default=41)
    ap.add_argument("--sectors", type=int, default=35)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    w = timed("load_world('wiod-2011') (1,435 sectors)", lambda: cp.load_world("wiod-2011"), a.repeats)
    timed("multipliers(wiod-2011): L and G", lambda: multipliers(w), a.repeats)
    timed("hypothetical_extraction(wiod-2011, CHN, c14)", lambda: hypothetical_extraction(w, "CHN", "c14"), a.repeats)
    io = synthetic_mrio(a.regions, a.sectors, seed=1)
    table = SimpleNamespace(Z=io.Z, Y=io.Y, unit=pd.DataFrame({"unit": ["Million USD"]}), sector_names={})
    n = a.regions * a.sectors
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "syn"
        timed(
            f"write_folder (synthetic {n:,} sectors, dense Z)",
            lambda: write_folder(table, folder, database="wiod", year=2011),
            a.repeats,
        )
        ws = timed(f"load_world(folder) ({n:,} sectors)", lambda: cp.load_world(folder), a.repeats)
        timed(f"multipliers ({n:,} sectors)", lambda: multipliers(ws), a.repeats)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"peak resident memory {peak:.2f} GiB")


if __name__ == "__main__":
    main()
