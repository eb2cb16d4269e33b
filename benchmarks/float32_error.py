"""float32 against float64: the relative error of daily output, per backend and order type.

Run:  python benchmarks/float32_error.py            (about a minute; needs pymrio)

Cases: the benchmark's synthetic 2,000 region-sector MRIO (40 x 50, seed 0) with its
capacity-loss scenario over 365 days (benchmarks/bench_vs_boario.py), and pymrio's test
system with the same loss in reg2/manufactoring. For each order type and backend it
prints, over every producer and day, the largest and the median of |x32 - x64| / x64, and the
largest relative error of total output. The figures are quoted in docs/engine.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_vs_boario import SHAPES, SHOCK  # noqa: E402


def loss_scenario(region: str, sector: str, order_type: str):
    """The benchmark's shock (SHOCK) on (region, sector), one run of 365 days."""
    import chokepoints as cp

    ev = {
        "type": "capacity_loss",
        "id": "cut",
        "on": "2025-01-11",
        "region": region,
        "product": sector,
        "share": SHOCK["share"],
        "duration_days": SHOCK["days"],
        "recovery_days": SHOCK["recovery"],
    }
    return cp.Scenario.from_dict(
        {
            "name": "f32",
            "start": "2025-01-01",
            "horizon_days": 365,
            "runs": 1,
            "seed": 1,
            "engine": {"order_type": order_type},
            "events": [ev],
        }
    )


def errors(world, sc, backend: str) -> tuple[float, float, float]:
    import chokepoints as cp

    x = {
        dt: cp.simulate(world, sc, record=["production"], dtype=dt, backend=backend).data.production.values
        for dt in ("float64", "float32")
    }
    x64, x32 = x["float64"], x["float32"].astype(np.float64)
    pos = x64 > 0
    rel = np.abs(x32 - x64)[pos] / x64[pos]
    tot = np.abs(x32.sum(-1) - x64.sum(-1)) / x64.sum(-1)
    return float(rel.max()), float(np.median(rel)), float(tot.max())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backends", default="numpy,numba")
    a = ap.parse_args()

    import chokepoints as cp
    from chokepoints.datasets.mrio import load_mrio_test, synthetic_mrio
    from chokepoints.engine.tile import numba_available

    backends = [b for b in a.backends.split(",") if b != "numba" or numba_available()]
    worlds = {
        "synthetic 2,000 (40x50)": (cp.World.from_mrio(synthetic_mrio(*SHAPES[2000], seed=0)), "r001", "s003"),
        "pymrio test (6x8)": (load_mrio_test(), "reg2", "manufactoring"),
    }
    print("| world | order type | backend | max relative error (producer, day) | median | max error of total |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, (world, region, sector) in worlds.items():
        for order_type in ("alt", "noalt"):
            sc = loss_scenario(region, sector, order_type)
            for backend in backends:
                mx, med, tot = errors(world, sc, backend)
                print(f"| {label} | {order_type} | {backend} | {mx:.1e} | {med:.1e} | {tot:.1e} |", flush=True)


if __name__ == "__main__":
    main()
