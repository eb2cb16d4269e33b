"""Benchmark: hybrid Worlds (the rare-earth chain grafted into a synthetic MRIO) and static multipliers
at EXIOBASE's size (issue #15 targets).

Run:  python benchmarks/bench_hybrid.py                 (everything, about 10 minutes on 2 cores)
      python benchmarks/bench_hybrid.py --quick         (fewer steps and runs, extrapolated; no inverse
                                                         and no sparse LU of the dense table)
      python benchmarks/bench_hybrid.py --skip boario,static

It needs the ``mrio`` extra (pyarrow) and, for the side-by-side case, BoARIO 0.7.x (``parity`` extra).

Worlds (written once per invocation into a temporary folder, each in its own subprocess):

* ``big``: a dense synthetic MRIO (``chokepoints.datasets.mrio.synthetic_mrio``, seed 0) of 49 regions
  x 200 sectors = 9,800 region-sectors (EXIOBASE's shape), written with
  ``chokepoints.datasets.mrio_import.write_folder`` and loaded with ``load_world(folder)``;
* ``big-sparse``: the same table keeping only the largest ``--keep`` share (default 5 %) of the
  coefficients A = Z / x (the rest of Z set to 0, x recomputed as Z summed over columns + Y summed
  over columns); EXIOBASE's A has most of its value in few cells;
* ``small``: 40 x 50 = 2,000 region-sectors, the same generator.

The first five synthetic regions are named CHN, USA, JPN, AUS, DEU and the last RoW, so the chain's
regions map as in the bundled ``wiod-2011-rare-earths`` (EU -> DEU; MMR, MYS, VNM, ROW -> RoW).
Hybrid = ``chokepoints.world.graft.graft(mrio, load_world("rare-earths-2025"), links, region_map)``
with the bundled hybrid's link rows (intensities, replaced sectors, inventory days) moved from WIOD
sectors to five synthetic sectors: c13 (machinery) -> s010, c14 (electrical and optical equipment)
-> s011 and s014, c15 (transport equipment) -> s012 and s013; replaced sectors c12, c13, c14 ->
s009, s010, s011.

Cases (one subprocess each, so each peak memory is its own; the 1-minute load average is printed
per case, the machine is shared):

1. hybrid 9,800, one 365-day run: China bans ndfeb_magnet exports (export_control, mode ban, all
   destinations) from day 10. Wall time of the simulation; World load, graft and compile apart.
2. 2,000-sector ensembles of ``--runs`` (100) runs, recording daily total output only:
   the hybrid with the magnet ban (psi_param 0.6-0.95 and the MRIO buyers' magnet stock target
   30-120 days drawn per run); the hybrid and the plain MRIO with a capacity loss (half of
   USA/s003 on day 10 for 90 days, 90 days of recovery; psi_param and the loss 30-70 % drawn).
3. BoARIO 0.7.x (ARIOPsiModel, order type "alt") on the same 2,000-sector MRIO (read from the
   same folder) with the same capacity loss, one run; its 100-run cost is 100 x that run (BoARIO
   runs one scenario at a time). BoARIO cannot run the grafted chain: the comparison is on the
   MRIO part only. chokepoints' single run of the same case is timed too.
4. Static multipliers (output, value-added, Ghosh) on ``big`` and ``big-sparse``:
   ``chokepoints.indicators.io_static.multipliers`` end to end, and the solvers on I - A alone for the
   three right-hand sides: float64 dense LU (scipy ``lu_factor``); GMRES on the dense I - A (what
   ``multipliers`` uses, ``chokepoints.indicators.leontief``); its fallback, float32 dense LU refined
   in float64; scipy.sparse ``splu`` (COLAMD ordering); one explicit inverse (``np.linalg.inv``,
   the former method: ``multipliers`` took two, L and G). Each is checked against the float64 LU
   (largest relative difference over the three multipliers).

The EXIOBASE 3 import at this size is timed by ``benchmarks/bench_mrio_import.py``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

SHOCK = dict(on=10, days=90, recovery=90, share=0.5, region="USA", sector="s003")
NAMED = ["CHN", "USA", "JPN", "AUS", "DEU"]  # the first synthetic regions; the last is RoW
SECTOR_MAP = {"c13": ["s010"], "c14": ["s011", "s014"], "c15": ["s012", "s013"]}
REPLACES = {"c12": "s009", "c13": "s010", "c14": "s011"}
REGION_MAP = [("CHN", "CHN"), ("USA", "USA"), ("JPN", "JPN"), ("AUS", "AUS"), ("EU", "DEU")] + [
    (r, "RoW") for r in ("MMR", "MYS", "VNM", "ROW")
]


def peak_rss() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # GiB (ru_maxrss is KiB)


# -- Worlds ------------------------------------------------------------------------------------------
def case_prepare(regions: int, sectors: int, keep: float, folder: str) -> dict:
    """Write the synthetic MRIO (optionally sparsified) as a World folder."""
    from types import SimpleNamespace

    import numpy as np
    import pandas as pd

    from chokepoints.datasets.mrio import synthetic_mrio
    from chokepoints.datasets.mrio_import import write_folder

    t0 = time.perf_counter()
    Z, Y, x = synthetic_mrio(regions, sectors, seed=0, as_iosystem=False)
    if keep < 1:
        A = Z / x[None, :]
        k = int(A.size * (1 - keep))
        thr = np.partition(A.ravel(), k)[k]
        Z[A < thr] = 0.0
        del A
    names = NAMED + [f"r{i:03d}" for i in range(len(NAMED), regions - 1)] + ["RoW"]
    idx = pd.MultiIndex.from_product([names, [f"s{j:03d}" for j in range(sectors)]], names=["region", "sector"])
    cols = pd.MultiIndex.from_product([names, ["fd0"]], names=["region", "category"])
    table = SimpleNamespace(
        Z=pd.DataFrame(Z, index=idx, columns=idx),
        Y=pd.DataFrame(Y, index=idx, columns=cols),
        unit=pd.DataFrame({"unit": ["Million USD"]}),
        sector_names={},
    )
    density = float(np.count_nonzero(Z)) / Z.size
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    write_folder(table, folder, database="wiod", year=2011, name=Path(folder).name)
    return {"n": regions * sectors, "density": density, "build_s": build, "write_s": time.perf_counter() - t0}


def links_and_map():
    """The bundled hybrid's link rows moved to the synthetic sectors (module docstring), and the region map."""
    import pandas as pd

    from chokepoints.datasets import bundled_path

    src = pd.read_csv(bundled_path("wiod-2011-rare-earths") / "links.csv", dtype=str, keep_default_na=False)
    rows = []
    for r in src.to_dict("records"):
        for s in SECTOR_MAP[r["sector"]]:
            rep = ";".join(REPLACES[q] for q in r["replaces"].split(";"))
            rows.append({**r, "sector": s, "replaces": rep, "source": r["source"] + ";benchmark sector map"})
    rmap = pd.DataFrame([{"chain_region": c, "mrio_region": m, "source": "benchmark"} for c, m in REGION_MAP])
    return pd.DataFrame(rows), rmap


def load(folder: str, hybrid: bool):
    """(World, timings): load_world(folder), then graft the chain if ``hybrid``."""
    import chokepoints as cp
    from chokepoints.world.graft import graft

    t0 = time.perf_counter()
    mw = cp.load_world(folder)
    times = {"load_s": time.perf_counter() - t0, "peak_load_gib": peak_rss()}
    if not hybrid:
        return mw, times
    links, rmap = links_and_map()
    t0 = time.perf_counter()
    hw = graft(mw, cp.load_world("rare-earths-2025"), links, rmap, name="hybrid-bench")
    hw.compile()
    times["graft_s"] = time.perf_counter() - t0
    times["calibration"] = hw.metadata["graft"]["calibration"]
    del mw
    gc.collect()
    times["peak_graft_gib"] = peak_rss()
    return hw, times


# -- simulations -------------------------------------------------------------------------------------
def scenario(kind: str, steps: int, runs: int):
    import datetime as dt

    import chokepoints as cp

    start = dt.date(2025, 1, 1)
    on = (start + dt.timedelta(days=SHOCK["on"])).isoformat()
    psi = {"parameter": "engine.psi_param", "distribution": "uniform", "low": 0.6, "high": 0.95}
    if kind == "ban":
        ev = {"type": "export_control", "id": "ban", "on": on, "exporter": "CHN", "products": ["ndfeb_magnet"]}
        ev["mode"] = "ban"
        stock = {"parameter": "world.inventories.target_days", "where": {"product": "ndfeb_magnet"}}
        unc = [psi, {**stock, "distribution": "uniform", "low": 30, "high": 120}]
    else:
        ev = {"type": "capacity_loss", "id": "cut", "on": on, "region": SHOCK["region"], "product": SHOCK["sector"]}
        ev.update(share=SHOCK["share"], duration_days=SHOCK["days"], recovery_days=SHOCK["recovery"])
        unc = [psi, {"parameter": "events.cut.share", "distribution": "uniform", "low": 0.3, "high": 0.7}]
    d = {"name": f"bench-{kind}", "start": start.isoformat(), "horizon_days": steps, "runs": runs, "seed": 1}
    return cp.Scenario.from_dict({**d, "events": [ev], "uncertain": unc if runs > 1 else []})


def case_sim(folder: str, hybrid: bool, kind: str, steps: int, runs: int) -> dict:
    """Load (and graft), compile, warm the fused loop up, then time ``runs`` runs of ``steps`` days."""
    import numpy as np

    from chokepoints.engine import compile_plan
    from chokepoints.engine.simulate import make_options, run_plan

    world, out = load(folder, hybrid)
    cw = world.compile()
    t0 = time.perf_counter()
    plan = compile_plan(world, scenario(kind, steps, runs))
    out["compile_s"] = time.perf_counter() - t0
    record = ["production"] if runs == 1 else ["production_total"]
    opts = make_options(plan, record=record, max_memory="4GiB")
    # numba's one-time compilation outside the timing (cached on disk after)
    run_plan(compile_plan(world, scenario(kind, 12, 4 if runs > 1 else 1)), options=opts)
    out["peak_before_run_gib"] = peak_rss()
    t0 = time.perf_counter()
    rec = run_plan(plan, options=opts)
    wall = time.perf_counter() - t0
    out.update(n=cw.n, S=cw.S, steps=steps, runs=runs, wall_s=wall, ms_per_step=wall / steps * 1e3)
    out.update(per_run_s=wall / runs, backend=str(rec["backend"]), threads=int(rec["threads"]))
    out["chunk_runs"] = int(rec["chunk_runs"])
    if runs == 1:  # output lost over the horizon, MRIO sectors only (M USD), share of baseline
        prod = np.asarray(rec["production"])[:, 0, :]
        syn = np.array([bool(re.fullmatch(r"s\d{3}", p)) for p in cw.products])  # the synthetic sectors
        mrio = np.flatnonzero(syn[cw.prod_product])
        lost = float((cw.x0[mrio][None, :] - prod[:, mrio]).sum())
        out["mrio_output_lost_share"] = lost / float(cw.x0[mrio].sum() * steps)
        out["mrio_producers"] = int(mrio.size)
    else:
        tot = np.asarray(rec["production_total"])
        out["total_output_last_day_mean"] = float(tot[-1].mean())
    out["peak_gib"] = peak_rss()
    return out


def iosystem_from_folder(folder: str):
    """The pymrio IOSystem of a World folder's Z and Y (the same numbers load_world reads)."""
    import numpy as np
    import pandas as pd
    import pymrio

    f = Path(folder)
    ix, zl, yl = (pd.read_parquet(f / name) for name in ("index.parquet", "Z.parquet", "Y.parquet"))
    n = len(ix)
    idx = pd.MultiIndex.from_arrays([ix["region"], ix["sector"]], names=["region", "sector"])
    Z = np.zeros((n, n))
    Z[zl["row"].to_numpy(), zl["col"].to_numpy()] = zl["value"].to_numpy(float)
    regions = list(dict.fromkeys(ix["region"]))
    cols = pd.MultiIndex.from_product([regions, ["fd0"]], names=["region", "category"])
    Y = np.zeros((n, len(regions)))
    Y[yl["row"].to_numpy(), [regions.index(str(r)) for r in yl["fd_region"]]] = yl["value"].to_numpy(float)
    x = Z.sum(axis=1) + Y.sum(axis=1)
    return pymrio.IOSystem(
        Z=pd.DataFrame(Z, index=idx, columns=idx),
        Y=pd.DataFrame(Y, index=idx, columns=cols),
        x=pd.DataFrame(x, index=idx, columns=["indout"]),
        A=pd.DataFrame(Z / x[None, :], index=idx, columns=idx),
        name=f.name,
    )


def case_boario(folder: str, steps: int) -> dict:
    import logging
    import warnings

    import pandas as pd
    from boario import logger
    from boario.event import from_series
    from boario.extended_models import ARIOPsiModel
    from boario.simulation import Simulation

    logger.setLevel(logging.ERROR)
    warnings.simplefilter("ignore")
    io = iosystem_from_folder(folder)
    t0 = time.perf_counter()
    model = ARIOPsiModel(io, order_type="alt")
    sim = Simulation(model, n_temporal_units_to_sim=365)
    k = pd.Series(model.productive_capital, index=model.industries)
    key = (SHOCK["region"], SHOCK["sector"])
    ev = from_series(
        pd.Series({key: SHOCK["share"] * k[key]}),
        event_type="recovery",
        occurrence=SHOCK["on"],
        duration=SHOCK["days"] - 1,
        recovery_tau=SHOCK["recovery"],
        event_monetary_factor=model.monetary_factor,
    )
    sim.add_event(ev)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(steps):
        sim.next_step()
    wall = time.perf_counter() - t0
    return {"build_s": build, "wall_s": wall, "steps": steps, "ms_per_step": wall / steps * 1e3, "peak_gib": peak_rss()}


# -- static multipliers ------------------------------------------------------------------------------
def case_static(folder: str, methods: list[str]) -> dict:
    """``multipliers(world)`` end to end, then each solver on I - A for the three right-hand sides."""
    import numpy as np

    from chokepoints.indicators.io_static import io_table, multipliers

    world, out = load(folder, hybrid=False)
    t0 = time.perf_counter()
    lib = multipliers(world)
    out["multipliers_s"] = time.perf_counter() - t0
    t = io_table(world)
    del world
    x, recix = t.x, np.divide(1.0, t.x, out=np.zeros_like(t.x), where=t.x != 0)
    n, v, A = len(x), t.va * recix, t.Z * recix[None, :]
    del t
    gc.collect()
    out.update(n=n, density=float(np.count_nonzero(A)) / A.size)
    rhs_t = np.column_stack([np.ones(n), v])  # (I - A)^T z = 1, v
    ref: dict[str, np.ndarray] = {}

    def result(back: np.ndarray, fwd: np.ndarray) -> np.ndarray:
        return np.column_stack([back[:, 0], back[:, 1], fwd / x])

    def rel(a: np.ndarray) -> float:
        return float(np.max(np.abs(a - ref["lu64"]) / np.abs(ref["lu64"])))

    M = -A
    M[np.diag_indices(n)] += 1.0
    for m in methods:
        t0 = time.perf_counter()
        try:
            res, tf = static_method(m, out, A, M, rhs_t, x, v, result)
        except MemoryError as exc:
            out[f"{m}_error"] = f"MemoryError: {exc}".strip(": ")
            gc.collect()
            continue
        gc.collect()
        out[f"{m}_s"] = time.perf_counter() - t0
        out[f"{m}_factor_s"] = tf
        ref.setdefault("lu64", res)
        out[f"{m}_rel_diff"] = rel(res)
        out[f"{m}_peak_gib"] = peak_rss()
    if "lu64" in ref:
        lib_arr = lib[["output_multiplier", "value_added_multiplier", "ghosh_multiplier"]].to_numpy()
        out["multipliers_rel_diff"] = rel(lib_arr)
    out["peak_gib"] = peak_rss()
    return out


def static_method(m: str, out: dict, A, M, rhs_t, x, v, result) -> tuple:
    """One solver on M = I - A: (the three multiplier vectors, seconds to set it up or factorise)."""
    import numpy as np
    import scipy.linalg as sl
    import scipy.sparse as sp
    import scipy.sparse.linalg as spl

    from chokepoints.indicators.leontief import LeontiefSolver

    t0 = time.perf_counter()
    if m == "lu64":
        lu = sl.lu_factor(M, check_finite=False)
        tf = time.perf_counter() - t0
        res = result(sl.lu_solve(lu, rhs_t, trans=1), sl.lu_solve(lu, x))
        del lu
    elif m in ("gmres", "lu32"):
        s = LeontiefSolver(A, method="auto" if m == "gmres" else "lu")
        tf = time.perf_counter() - t0
        res = result(s.solve(rhs_t, trans=True), s.solve(x))
        if m == "lu32":
            tf = s.factor_s
        out[f"{m}_used"], out[f"{m}_products"], out[f"{m}_refined"] = s.used, s.products, s.refined
        del s
    elif m == "splu":
        Ms = sp.csc_matrix(M)
        f = spl.splu(Ms, permc_spec="COLAMD")
        tf = time.perf_counter() - t0
        res = result(f.solve(rhs_t, trans="T"), f.solve(x))
        out["splu_fill"] = (f.L.nnz + f.U.nnz) / Ms.nnz
        del f, Ms
    elif m == "inv":  # the former method (pymrio calc_L: np.linalg.inv; multipliers took two)
        L = np.linalg.inv(M)
        tf = time.perf_counter() - t0
        res = result(np.column_stack([L.sum(axis=0), v @ L]), L @ x)
        del L
    else:
        raise SystemExit(f"unknown static method {m!r}")
    return res, tf


# -- driver ------------------------------------------------------------------------------------------
BLAS_ENV: dict[str, str] = {}  # --blas-threads: the BLAS thread count of every case


def run_case(args: list[str], timeout: float = 3600) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), "--case", *args]
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env={**os.environ, **BLAS_ENV})
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if p.returncode != 0:
        return {"error": (p.stderr.strip().splitlines() or ["failed"])[-1], "elapsed_s": time.perf_counter() - t0}
    return json.loads(p.stdout.strip().splitlines()[-1])


def dispatch(case: list[str]) -> None:
    kind, *a = case
    if kind == "prepare":
        out = case_prepare(int(a[0]), int(a[1]), float(a[2]), a[3])
    elif kind == "sim":
        out = case_sim(a[0], a[1] == "hybrid", a[2], int(a[3]), int(a[4]))
    elif kind == "boario":
        out = case_boario(a[0], int(a[1]))
    else:
        out = case_static(a[0], a[1].split(","))
    out["load"] = os.getloadavg()[0]  # 1-minute load average when the case ended
    print(json.dumps(out))


def fmt_err(label: str, r: dict) -> bool:
    if "error" in r:
        print(f"| {label} | error: {r['error']} | | | | |", flush=True)
        return True
    return False


def sim_row(label: str, r: dict, steps: int, target: str = "") -> dict:
    """Print one table row; a run of fewer than 365 steps is extrapolated to 365 (said so)."""
    if fmt_err(label, r):
        return r
    scale = 365 / steps
    r["wall_365_s"] = r["wall_s"] * scale
    r["per_run_365_s"] = r["wall_365_s"] / r.get("runs", 1)
    cons = ", ".join(f"{k[:-2]} {r[k]:.1f} s" for k in ("load_s", "graft_s", "compile_s", "build_s") if k in r)
    notes = [cons, f"{r['backend']} backend, threads {r['threads']}" if "backend" in r else "BoARIO"]
    if steps != 365:
        notes.append(f"{steps} steps timed, extrapolated to 365")
    if "mrio_output_lost_share" in r:
        notes.append(f"MRIO output lost {100 * r['mrio_output_lost_share']:.3f} % of baseline")
    notes.append(f"load {r['load']:.1f}")
    print(
        f"| {label} | {r['wall_365_s']:.1f} s | {r['per_run_365_s']:.3f} s | {r['peak_gib']:.2f} GiB | {target} "
        f"| {'; '.join(n for n in notes if n)} |",
        flush=True,
    )
    return r


def static_rows(label: str, r: dict) -> None:
    if fmt_err(label, r):
        return
    print(
        f"| {label}: `multipliers(world)` end to end (load {r['load_s']:.1f} s apart) | {r['multipliers_s']:.2f} s | "
        f"{r.get('multipliers_rel_diff', float('nan')):.1e} | {r['peak_gib']:.2f} GiB | density of A "
        f"{100 * r['density']:.1f} %; load {r['load']:.1f} |"
    )
    names = {
        "lu64": "dense LU, float64 (scipy lu_factor)",
        "gmres": "GMRES on the dense I - A (used; LU fallback)",
        "lu32": "dense LU, float32 + float64 refinement (fallback)",
        "splu": "sparse LU (scipy splu, COLAMD)",
        "inv": "explicit inverse np.linalg.inv (former: two per call)",
    }
    for m, name in names.items():
        if f"{m}_error" in r:
            print(f"| {label}: {name} | {r[f'{m}_error']} | | | |")
        if f"{m}_s" not in r:
            continue
        note = f"factorisation {r[f'{m}_factor_s']:.1f} s" if m != "gmres" else ""
        if m in ("gmres", "lu32"):
            used = ", ".join(f"{k} {v}" for k, v in r[f"{m}_used"].items() if v)
            note += f"{'; ' if note else ''}solves by {used}; {r[f'{m}_products']} GMRES products"
            note += f", {r[f'{m}_refined']} refinement steps"
        if m == "splu":
            note += f"; fill-in {r['splu_fill']:.1f} x nnz(I - A)"
        print(
            f"| {label}: {name} | {r[f'{m}_s']:.2f} s | {r[f'{m}_rel_diff']:.1e} | "
            f"{r[f'{m}_peak_gib']:.2f} GiB | {note} |"
        )


# long: the driver: one subprocess per case, then the tables and the targets
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=None, help="days of the 9,800 single run")
    ap.add_argument("--runs", type=int, default=None, help="ensemble runs at 2,000")
    ap.add_argument("--ensemble-steps", type=int, default=None)
    ap.add_argument("--boario-steps", type=int, default=None, help="BoARIO steps (extrapolated to 365)")
    ap.add_argument("--keep", type=float, default=0.05, help="share of A's coefficients kept in big-sparse")
    ap.add_argument("--big", default="49x200", help="regions x sectors of the big World")
    ap.add_argument("--small", default="40x50", help="regions x sectors of the ensemble World")
    ap.add_argument("--static-dense", default=None, help="solvers timed on the dense big table")
    ap.add_argument("--static-sparse", default=None, help="solvers timed on big-sparse")
    ap.add_argument("--quick", action="store_true", help="60 steps, 20 runs, BoARIO 30 steps; no inv, no dense splu")
    ap.add_argument("--blas-threads", type=int, help="OPENBLAS_NUM_THREADS / OMP_NUM_THREADS of every case")
    ap.add_argument("--skip", default="", help="comma-separated: single,ensemble,boario,static")
    ap.add_argument("--case", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.case:
        return dispatch(a.case)
    defaults = {  # full, quick (an option given on the command line wins)
        "steps": (365, 60),
        "runs": (100, 20),
        "ensemble_steps": (365, 60),
        "boario_steps": (365, 30),
        "static_dense": ("lu64,gmres,lu32,splu,inv", "lu64,gmres,lu32"),
        "static_sparse": ("lu64,gmres,lu32,splu", "lu64,gmres,lu32,splu"),
    }
    for k, v in defaults.items():
        if getattr(a, k) is None:
            setattr(a, k, v[1] if a.quick else v[0])
    skip = set(filter(None, a.skip.split(",")))
    if a.blas_threads:
        BLAS_ENV.update(OPENBLAS_NUM_THREADS=str(a.blas_threads), OMP_NUM_THREADS=str(a.blas_threads))
    big, small = (tuple(int(v) for v in s.split("x")) for s in (a.big, a.small))
    nb, ns = big[0] * big[1], small[0] * small[1]
    import numpy as np

    print(
        f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"NumPy {np.__version__}; load average at start {os.getloadavg()[0]:.2f} (other processes on the machine "
        f"slow every case); BLAS threads {a.blas_threads or 'default'}",
        flush=True,
    )
    tmp = tempfile.TemporaryDirectory(prefix="bench-hybrid-")
    folders = {k: str(Path(tmp.name) / k) for k in ("big", "big-sparse", "small")}
    need = {"big": not {"single", "static"} <= skip, "big-sparse": "static" not in skip}
    need["small"] = not {"ensemble", "boario"} <= skip
    shapes = {"big": (*big, 1.0), "big-sparse": (*big, a.keep), "small": (*small, 1.0)}
    print("\n## Worlds written (synthetic_mrio -> write_folder)")
    for k, (R, S, keep) in shapes.items():
        if need[k]:
            r = run_case(["prepare", str(R), str(S), str(keep), folders[k]])
            if not fmt_err(k, r):
                print(
                    f"- {k}: {r['n']:,} region-sectors ({R} x {S}), Z density {100 * r['density']:.1f} %, "
                    f"generated in {r['build_s']:.1f} s, written in {r['write_s']:.1f} s",
                    flush=True,
                )
    res: dict[str, dict] = {}
    print("\n## Simulations\n")
    print("| case | wall (365 steps) | per run | peak memory | target | notes (construction apart) |")
    print("| --- | --- | --- | --- | --- | --- |")
    if "single" not in skip:
        r = run_case(["sim", folders["big"], "hybrid", "ban", str(a.steps), "1"])
        lab = f"chokepoints, hybrid {nb:,} + chain ({r.get('n', 0):,} producers), China magnet ban, 1 run"
        res["single"] = sim_row(lab, r, a.steps, "< 60 s")
    if "ensemble" not in skip:
        for key, world, kind in (
            ("ens_ban", "hybrid", "ban"),
            ("ens_cut", "hybrid", "cut"),
            ("ens_mrio", "mrio", "cut"),
        ):
            r = run_case(["sim", folders["small"], world, kind, str(a.ensemble_steps), str(a.runs)])
            what = "China magnet ban" if kind == "ban" else "capacity loss USA/s003"
            w = f"hybrid {ns:,} + chain" if world == "hybrid" else f"MRIO {ns:,}"
            res[key] = sim_row(
                f"chokepoints, {w}, {what}, {a.runs} runs", r, a.ensemble_steps, "< 120 s" * (key == "ens_ban")
            )
    if "boario" not in skip:
        try:
            import boario  # noqa: F401

            r = run_case(["boario", folders["small"], str(a.boario_steps)])
            res["boario"] = sim_row(f"BoARIO, MRIO {ns:,}, capacity loss USA/s003, 1 run", r, a.boario_steps)
        except ImportError:
            print("| BoARIO | not installed (pip install 'chokepoints[parity]') | | | | |")
        r = run_case(["sim", folders["small"], "mrio", "cut", str(a.ensemble_steps), "1"])
        res["ours1"] = sim_row(f"chokepoints, MRIO {ns:,}, capacity loss USA/s003, 1 run", r, a.ensemble_steps)
    if "static" not in skip:
        print("\n## Static multipliers (output, value added, Ghosh)\n")
        print("| table: what is timed | time | max rel. diff. vs float64 LU | peak memory | notes |")
        print("| --- | --- | --- | --- | --- |")
        for k, methods in (("big", a.static_dense), ("big-sparse", a.static_sparse)):
            ms = ["lu64"] + [m for m in methods.split(",") if m and m != "lu64"]  # the reference first
            r = run_case(["static", folders[k], ",".join(ms)])
            res[f"static_{k}"] = r
            static_rows(f"{k} ({nb:,})", r)
    summary(res, a.runs)
    tmp.cleanup()


def summary(res: dict[str, dict], runs: int) -> None:
    print("\n## Targets")
    s = res.get("single", {})
    if "wall_365_s" in s:
        ok = s["wall_365_s"] < 60 and s["peak_gib"] < 8
        print(
            f"- hybrid {s['n']:,} producers x 365 days, 1 run: {s['wall_365_s']:.1f} s, peak {s['peak_gib']:.2f} GiB "
            f"(target < 60 s, < 8 GiB): {'met' if ok else 'NOT met'}"
        )
    e = res.get("ens_ban", {})
    if "wall_365_s" in e:
        print(
            f"- hybrid {e['n']:,} producers, {runs} runs: {e['wall_365_s']:.1f} s (target < 120 s): "
            f"{'met' if e['wall_365_s'] < 120 else 'NOT met'}"
        )
    b, o, m = res.get("boario", {}), res.get("ours1", {}), res.get("ens_mrio", {})
    if "wall_365_s" in b and "wall_365_s" in o:
        print(
            f"- same MRIO and shock, 1 run: BoARIO {b['wall_365_s']:.1f} s, chokepoints {o['wall_365_s']:.1f} s "
            f"({b['wall_365_s'] / o['wall_365_s']:.1f}x)"
        )
    if "wall_365_s" in b and "wall_365_s" in m:
        print(
            f"- same MRIO and shock, {runs} runs: BoARIO {runs} x {b['wall_365_s']:.1f} s = "
            f"{runs * b['wall_365_s']:.0f} s (one run at a time, extrapolated), chokepoints {m['wall_365_s']:.1f} s "
            f"({runs * b['wall_365_s'] / m['wall_365_s']:.0f}x)"
        )
    for k in ("big", "big-sparse"):
        r = res.get(f"static_{k}", {})
        if "multipliers_s" in r:
            print(
                f"- multipliers on {k} ({r['n']:,}): {r['multipliers_s']:.1f} s (target < 10 s): "
                f"{'met' if r['multipliers_s'] < 10 else 'NOT met'}; peak {r['peak_gib']:.2f} GiB"
            )


if __name__ == "__main__":
    main()
