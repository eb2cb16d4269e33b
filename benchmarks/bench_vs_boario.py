"""Benchmark: chokepoints' ARIO engine against BoARIO 0.7.2 on the same synthetic MRIOs.

Run:  python benchmarks/bench_vs_boario.py            (all cases, about 15-20 minutes)
      python benchmarks/bench_vs_boario.py --quick    (fewer steps and runs, extrapolated)

Cases, each in a fresh subprocess (so its peak memory is its own):

* BoARIO (ARIOPsiModel, order_type "alt") and chokepoints, one run, 365 steps, on dense
  synthetic MRIOs (``chokepoints.datasets.mrio.synthetic_mrio``) of 2,000 region-sectors
  (40 regions x 50 sectors, about WIOD's shape) and 5,000 (100 x 50); scenario: half of
  one region-sector's capacity lost on day 10 for 90 days, then 90 days of linear
  recovery (BoARIO: EventKapitalRecover, as in tests/test_parity_boario.py);
* a chokepoints ensemble of 1,000 runs at 2,000 (psi_param and the loss drawn per run),
  recording totals only, in float64 and float32;
* a chokepoints single run at 9,800 region-sectors (49 x 200, EXIOBASE's shape);
* numpy's own matmul rate on the ensemble's matrix shapes, in the same arrangement
  (one BLAS thread per worker thread, as many workers as the ensemble uses), and its best
  rate on this machine (a square 2,000 x 2,000 product), which bounds any exact ensemble;
* with ``--compare-backends``, the float64 ensemble again with the numpy backend (the
  default "auto" uses the fused numba loop when numba is installed).

Wall time is the simulation loop (world/model construction is reported apart); peak
memory is the subprocess's maximum resident set size (construction included). With
``--boario-steps N`` BoARIO runs N steps and its 365-step time is extrapolated from
its time per step (said so in the table). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
import warnings

SHOCK = dict(on=10, days=90, recovery=90, share=0.5, region="r001", sector="s003")
SHAPES = {2000: (40, 50), 5000: (100, 50), 9800: (49, 200)}


def peak_rss() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # GiB (ru_maxrss is KiB)


def scenario(steps: int, runs: int = 1):
    import datetime as dt

    import chokepoints as cp

    start = dt.date(2025, 1, 1)
    on = (start + dt.timedelta(days=SHOCK["on"])).isoformat()
    ev = {
        "type": "capacity_loss",
        "id": "cut",
        "on": on,
        "region": SHOCK["region"],
        "product": SHOCK["sector"],
        "share": SHOCK["share"],
        "duration_days": SHOCK["days"],
        "recovery_days": SHOCK["recovery"],
    }
    unc = []
    if runs > 1:
        unc = [
            {"parameter": "engine.psi_param", "distribution": "uniform", "low": 0.6, "high": 0.95},
            {"parameter": "events.cut.share", "distribution": "uniform", "low": 0.3, "high": 0.7},
        ]
    return cp.Scenario.from_dict(
        {
            "name": "bench",
            "start": start.isoformat(),
            "horizon_days": steps,
            "runs": runs,
            "seed": 1,
            "events": [ev],
            "uncertain": unc,
        }
    )


def case_boario(n: int, steps: int) -> dict:
    import logging

    import pandas as pd
    from boario import logger
    from boario.event import from_series
    from boario.extended_models import ARIOPsiModel
    from boario.simulation import Simulation

    from chokepoints.datasets.mrio import synthetic_mrio

    logger.setLevel(logging.ERROR)
    warnings.simplefilter("ignore")
    io = synthetic_mrio(*SHAPES[n], seed=0)
    t0 = time.perf_counter()
    model = ARIOPsiModel(io, order_type="alt")
    sim = Simulation(model, n_temporal_units_to_sim=365)
    k = pd.Series(model.productive_capital, index=model.industries)
    key = (SHOCK["region"], SHOCK["sector"])
    sim.add_event(
        from_series(
            pd.Series({key: SHOCK["share"] * k[key]}),
            event_type="recovery",
            occurrence=SHOCK["on"],
            duration=SHOCK["days"] - 1,
            recovery_tau=SHOCK["recovery"],
            event_monetary_factor=model.monetary_factor,
        )
    )
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(steps):
        sim.next_step()
    wall = time.perf_counter() - t0
    return {
        "build_s": build,
        "wall_s": wall,
        "steps": steps,
        "ms_per_step": wall / steps * 1e3,
        "wall_365_s": wall / steps * 365,
        "peak_gib": peak_rss(),
    }


def case_chokepoints(n: int, steps: int, runs: int, dtype: str, record: list[str], backend: str = "auto") -> dict:
    import numpy as np

    import chokepoints as cp
    from chokepoints.datasets.mrio import synthetic_mrio
    from chokepoints.engine import compile_plan
    from chokepoints.engine.simulate import make_options, run_plan

    t0 = time.perf_counter()
    io = synthetic_mrio(*SHAPES[n], seed=0)
    world = cp.World.from_mrio(io)
    del io
    build = time.perf_counter() - t0
    sc = scenario(steps, runs)
    t0 = time.perf_counter()
    plan = compile_plan(world, sc)
    opts = make_options(plan, record=record, dtype=dtype, max_memory="4GiB", backend=backend)
    if backend in ("auto", "numba"):  # compile the fused loop outside the timing (cached on disk after)
        run_plan(
            compile_plan(world, scenario(12, 4)),
            options=make_options(plan, record=record, dtype=dtype, backend=backend),
        )
        t0 = time.perf_counter()
    rec = run_plan(plan, options=opts)
    wall = time.perf_counter() - t0
    cw = world.compile()
    flops_run_step = flops_per_run_step(n)
    out = {
        "build_s": build,
        "wall_s": wall,
        "steps": steps,
        "runs": runs,
        "ms_per_step": wall / steps * 1e3,
        "per_run_s": wall / runs,
        "peak_gib": peak_rss(),
        "dtype": dtype,
        "gflops": flops_run_step * steps * runs / wall / 1e9,
        "chunk_runs": int(rec.get("chunk_runs", 0)),
        "threads": int(rec.get("threads", 1)),
        "backend": str(rec.get("backend", "")),
        "total_output_last_day": float(
            np.sum(rec["production_total"][-1]) if "production_total" in rec else np.sum(rec["production"][-1])
        ),
    }
    out["n"] = cw.n
    return out


def flops_per_run_step(n: int) -> int:
    """Matrix-product flops of one run and day ("alt"): per product, G = (2 rows of K) x n and
    H = n x K, K = the supplier regions (every buyer buys every product of the synthetic MRIO,
    so the engine leaves out its virtual supplier slot)."""
    R, S = SHAPES[n]
    return 2 * n * S * 3 * R


def case_peak(dtype: str, threads: int, size: int = 2000, seconds: float = 6.0) -> dict:
    """numpy's best case on this machine: a square size x size product with ``threads`` BLAS threads."""
    import numpy as np
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    a, b = rng.random((size, size)).astype(dtype), rng.random((size, size)).astype(dtype)
    with threadpool_limits(limits=threads, user_api="blas"):
        a @ b
        k, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            a @ b
            k += 1
        wall = time.perf_counter() - t0
    return {"gflops": 2 * size**3 * k / wall / 1e9, "dtype": dtype, "threads": threads}


def case_matmul(n: int, dtype: str, chunk: int, threads: int, seconds: float = 8.0) -> dict:
    """numpy matmul GFLOP/s on the ensemble's shapes: per product, G (2c x K+1)(K+1 x n) and
    H (c x n)(n x K), one BLAS thread per worker, ``threads`` workers at once."""
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np
    from threadpoolctl import threadpool_limits

    R, S = SHAPES[n]
    K = R
    rng = np.random.default_rng(0)
    dt = np.dtype(dtype)

    def work(seed: int) -> tuple[int, float]:
        W = rng.random((S, K, n)).astype(dt)
        v = rng.random((S, 2 * chunk, K)).astype(dt)
        q = rng.random((S, chunk, n)).astype(dt)
        G = np.empty((2 * chunk, n), dt)
        H = np.empty((chunk, K), dt)
        flops, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            for p in range(S):
                np.matmul(v[p], W[p], out=G)
                np.matmul(q[p], W[p].T, out=H)
            flops += S * (2 * 2 * chunk * K * n + 2 * chunk * K * n)
        return flops, time.perf_counter() - t0

    with threadpool_limits(limits=1 if threads > 1 else None, user_api="blas"), ThreadPoolExecutor(threads) as ex:
        res = list(ex.map(work, range(threads)))
    flops = sum(f for f, _ in res)
    wall = max(t for _, t in res)
    return {"gflops": flops / wall / 1e9, "dtype": dtype, "chunk": chunk, "threads": threads}


def run_case(args: list[str], timeout: float) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), "--case", *args]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        return {"error": (p.stderr.strip().splitlines() or ["failed"])[-1], "elapsed_s": time.perf_counter() - t0}
    return json.loads(p.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=365)
    ap.add_argument("--boario-steps", type=int, default=365, help="BoARIO steps (extrapolated to 365)")
    ap.add_argument("--runs", type=int, default=1000, help="ensemble runs at 2,000")
    ap.add_argument("--ensemble-steps", type=int, default=365)
    ap.add_argument(
        "--quick", action="store_true", help="shortcut for --boario-steps 30 --runs 100 --ensemble-steps 60 --steps 60"
    )
    ap.add_argument("--skip", default="", help="comma-separated cases to skip: boario,single,ensemble,big,matmul")
    ap.add_argument(
        "--compare-backends",
        action="store_true",
        help="also run the float64 ensemble with the numpy backend (no numba)",
    )
    ap.add_argument("--case", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.case:
        kind, *rest = a.case
        if kind == "boario":
            out = case_boario(int(rest[0]), int(rest[1]))
        elif kind == "chokepoints":
            out = case_chokepoints(int(rest[0]), int(rest[1]), int(rest[2]), rest[3], rest[4].split(","), *rest[5:6])
        elif kind == "peak":
            out = case_peak(rest[0], int(rest[1]))
        else:
            out = case_matmul(int(rest[0]), rest[1], int(rest[2]), int(rest[3]))
        out["load"] = os.getloadavg()[0]  # 1-minute load average when the case ended
        print(json.dumps(out))
        return
    if a.quick:
        a.boario_steps, a.runs, a.ensemble_steps, a.steps = 30, 100, 60, 60
    skip = set(filter(None, a.skip.split(",")))
    try:
        import boario  # noqa: F401

        have_boario = "boario" not in skip
    except ImportError:
        have_boario = False
        print("boario is not installed (pip install 'chokepoints[parity]'): BoARIO cases skipped")

    import numpy as np

    print(
        f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, NumPy {np.__version__}; load average at start "
        f"{os.getloadavg()[0]:.2f} (other processes on the machine slow every case)"
    )
    rows = []
    res: dict[str, dict] = {}

    def add(key: str, label: str, r: dict, note: str = "") -> None:
        res[key] = r
        if "error" in r:
            rows.append(f"| {label} | error: {r['error']} | | | | |")
            print(rows[-1], flush=True)
            return
        wall = r.get("wall_365_s", r["wall_s"])
        per_run = r.get("per_run_s", wall)
        extra = note or (f"{r['gflops']:.1f} GFLOP/s" if "gflops" in r and r.get("runs", 1) > 1 else "")
        extra = f"{extra}; load {r['load']:.1f}" if extra else f"load {r['load']:.1f}"
        rows.append(
            f"| {label} | {wall:.1f} s | {per_run:.3f} s | {r['ms_per_step']:.2f} | {r['peak_gib']:.2f} GiB | {extra} |"
        )
        print(rows[-1], flush=True)

    print("| case | wall (365 steps) | per run | ms/step | peak memory | notes |")
    print("| --- | --- | --- | --- | --- | --- |")
    for n in (2000, 5000):
        label = f"{n:,} ({SHAPES[n][0]}x{SHAPES[n][1]})"
        if have_boario:
            r = run_case(["boario", str(n), str(a.boario_steps)], timeout=3600)
            note = f"{a.boario_steps} steps timed, extrapolated to 365" if a.boario_steps != 365 else ""
            add(f"boario{n}", f"BoARIO 0.7.2, {label}, 1 run", r, note)
        if "single" not in skip:
            r = run_case(["chokepoints", str(n), str(a.steps), "1", "float64", "production"], timeout=3600)
            if "error" not in r and a.steps != 365:
                r["wall_365_s"] = r["per_run_s"] = r["wall_s"] / a.steps * 365
            add(
                f"ours{n}",
                f"chokepoints, {label}, 1 run",
                r,
                f"{a.steps} steps timed, extrapolated to 365" if a.steps != 365 else "",
            )
    if "ensemble" not in skip:
        cases = [("float64", "auto"), ("float32", "auto")] + ([("float64", "numpy")] if a.compare_backends else [])
        for dt, backend in cases:
            r = run_case(
                ["chokepoints", "2000", str(a.ensemble_steps), str(a.runs), dt, "production_total", backend],
                timeout=3600,
            )
            note = ""
            if "error" not in r:
                note = (
                    f"{r['gflops']:.1f} GFLOP/s; chunks of {r['chunk_runs']} runs, {r['threads']} threads, "
                    f"{r['backend']} backend"
                )
                if a.ensemble_steps != 365:
                    r["wall_365_s"] = r["wall_s"] / a.ensemble_steps * 365
                    r["per_run_s"] = r["wall_365_s"] / r["runs"]
                    note += f"; {a.ensemble_steps} steps timed, extrapolated to 365"
            key = f"ens_{dt}" if backend == "auto" else f"ens_{dt}_{backend}"
            add(
                key,
                f"chokepoints, 2,000, {a.runs:,} runs, {dt}" + ("" if backend == "auto" else f", {backend}"),
                r,
                note,
            )
            if "matmul" not in skip and "error" not in r and backend == "auto":
                m = run_case(["matmul", "2000", dt, str(r["chunk_runs"]), str(r["threads"])], timeout=600)
                res[f"matmul_{dt}"] = m
                res[f"peak_{dt}"] = run_case(["peak", dt, str(r["threads"])], timeout=600)
    if "big" not in skip:
        r = run_case(["chokepoints", "9800", str(a.steps), "1", "float64", "production"], timeout=3600)
        if "error" not in r and a.steps != 365:
            r["wall_365_s"] = r["per_run_s"] = r["wall_s"] / a.steps * 365
        add(
            "ours9800",
            "chokepoints, 9,800 (49x200), 1 run",
            r,
            f"{a.steps} steps timed, extrapolated to 365" if a.steps != 365 else "",
        )

    print("\n## Ratios")
    for n in (2000, 5000):
        b, o = res.get(f"boario{n}", {}), res.get(f"ours{n}", {})
        if "wall_365_s" in b and "wall_s" in o:
            print(
                f"- single run at {n:,}: chokepoints is {b['wall_365_s'] / o['wall_s']:.1f}x faster than BoARIO "
                f"(target >= 10x); memory {b['peak_gib']:.2f} vs {o['peak_gib']:.2f} GiB"
            )
    b = res.get("boario2000", {})
    for dt in ("float64", "float32"):
        e, m, pk = res.get(f"ens_{dt}", {}), res.get(f"matmul_{dt}", {}), res.get(f"peak_{dt}", {})
        if "wall_365_s" in b and "per_run_s" in e:
            print(
                f"- ensemble {dt}: per-run cost {e['per_run_s']:.3f} s, {b['wall_365_s'] / e['per_run_s']:.0f}x "
                f"below BoARIO's single run (target >= 300x; {e.get('backend', '?')} backend)"
            )
        if "gflops" in e and "gflops" in m:
            print(
                f"- ensemble {dt}: {e['gflops']:.1f} GFLOP/s achieved vs numpy matmul {m['gflops']:.1f} GFLOP/s on "
                f"the same shapes ({m['chunk']} runs x n per product, {m['threads']} threads): "
                f"{100 * e['gflops'] / m['gflops']:.0f} % (target >= 50 %)"
            )
        if "gflops" in m and "wall_365_s" in b:
            mm = flops_per_run_step(2000) * 365 / (m["gflops"] * 1e9)
            print(
                f"- ensemble {dt}: its matrix products alone, at numpy's {m['gflops']:.1f} GFLOP/s on these shapes, "
                f"take {mm:.3f} s per run ({b['wall_365_s'] / mm:.0f}x below BoARIO) before any element-wise work"
            )
        if "gflops" in pk and "wall_365_s" in b:
            floor = flops_per_run_step(2000) * 365 / (pk["gflops"] * 1e9)
            print(
                f"- ensemble {dt}: arithmetic floor {flops_per_run_step(2000) * 365 / 1e9:.1f} GFLOP per run at "
                f"numpy's best {pk['gflops']:.1f} GFLOP/s (square 2,000 x 2,000 product, {pk['threads']} threads) "
                f"= {floor:.3f} s per run, {b['wall_365_s'] / floor:.0f}x below BoARIO: no exact 'alt' ensemble "
                "can beat that here"
            )
    e64, n64 = res.get("ens_float64", {}), res.get("ens_float64_numpy", {})
    if "per_run_s" in e64 and "per_run_s" in n64:
        print(
            f"- float64 ensemble, {e64.get('backend')} vs numpy backend: {n64['per_run_s']:.3f} -> "
            f"{e64['per_run_s']:.3f} s per run ({n64['per_run_s'] / e64['per_run_s']:.2f}x)"
        )
    big = res.get("ours9800", {})
    if "wall_s" in big:
        print(
            f"- 9,800 x 365 single run: {big.get('wall_365_s', big['wall_s']):.1f} s (target < 120 s), "
            f"peak {big['peak_gib']:.2f} GiB (target < 8 GiB)"
        )


if __name__ == "__main__":
    main()
