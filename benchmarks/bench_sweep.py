"""Benchmark: sweeps of the April-2025 licensing scenario on Dask, with the DuckDB catalogue.

Run:  python benchmarks/bench_sweep.py [--runs 2000] [--max-memory 64MiB]

One point (the bundled cn-rare-earth-licensing-2025-04 with its six declared uncertain
parameters; a factorial design of one value of engine.alpha_base, its own default, so the point
is the scenario itself) x ``--runs`` runs, in chunks sized by ``--max-memory``. Times, in one run:

1. one in-memory ensemble: ``simulate(runs=N, threads=1)`` of the same point plus the same tidy
   indicators (``sweep.work.tidy``), no Dask, no files;
2. the sweep in-process (its default: one worker thread, no Dask), Parquet per chunk and the catalogue;
3. the sweep on a LocalCluster of 1 and of 2 worker processes, as ``chokepoints sweep --workers N``
   makes it (``sweep.execute.client_for``; started beforehand, its start-up reported apart);
   and, for the overhead of the executor and the files alone, the same chunks run one after the
   other in this process as ``sweep.work.run_chunk`` runs them, with a breakdown per chunk:
   compile, engine, indicators (tidy), Parquet write, catalogue update;
4. a sweep whose client is killed (SIGKILL) once half its chunks are written, then ``--resume``:
   time to the kill plus time to resume, against the uninterrupted in-process sweep.
Besides wall time, each line gives the CPU time it used (user + system of this process and, for
the worker processes and the ``chokepoints sweep`` processes, theirs): on a machine shared with
other jobs the CPU time per run moves much less than the wall time. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SWEEP = """name: bench
scenarios: [cn-rare-earth-licensing-2025-04]
seed: 1
runs: {runs}
design:
  type: factorial
  factors:
    - parameter: engine.alpha_base
      values: [1.0]
max_memory: {mem}
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--max-memory", default="64MiB")
    ap.add_argument("--skip", default="", help="comma-separated parts to skip: memory,chunked,inproc,workers,resume")
    a = ap.parse_args()
    skip = set(a.skip.split(","))

    from chokepoints.engine import simulate
    from chokepoints.scenario import Scenario
    from chokepoints.sweep.design import RECORD
    from chokepoints.sweep.execute import client_for, prepare, run_sweep
    from chokepoints.sweep.work import _world, tidy

    tmp = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    path = tmp / "bench.yaml"
    path.write_text(SWEEP.format(runs=a.runs, mem=a.max_memory))
    ex, sid = prepare(path)
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}")
    print(f"{a.runs} runs, {len(ex.chunks)} chunks of up to {ex.runs_per_chunk[0]} runs (max_memory {a.max_memory})")
    sc = Scenario.model_validate(ex.points[0].scenario)
    world = _world(ex.world_refs[0])
    task = {"groups": "key_users", "indicators": list(ex.spec.indicators), "series": True}
    simulate(world, sc, runs=8, seed=1, record=list(RECORD), threads=1)  # warm imports and caches
    results: dict[str, float] = {}
    cpu: dict[str, float] = {}

    def per(c: float) -> str:
        return f"; CPU {c:.1f} s, {1000 * c / a.runs:.2f} ms/run"

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if "memory" not in skip:
        t, c = time.perf_counter(), time.process_time()
        res = simulate(world, sc, runs=a.runs, seed=1, record=list(RECORD), threads=1)
        tidy(res.data, task, 0, 0)
        results["memory"] = time.perf_counter() - t
        cpu["memory"] = time.process_time() - c
        del res
        print(
            f"in-memory ensemble: {results['memory']:.1f} s, {a.runs / results['memory']:.0f} runs/s"
            + per(cpu["memory"])
        )
        # simulate(threads=1) leaves BLAS its threads: at this size its products use every core,
        # which the chunks (too small for BLAS to split) do not; the same ensemble on one core:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):
            t, c = time.perf_counter(), time.process_time()
            res = simulate(world, sc, runs=a.runs, seed=1, record=list(RECORD), threads=1)
            tidy(res.data, task, 0, 0)
            results["memory1"] = time.perf_counter() - t
            cpu["memory1"] = time.process_time() - c
            del res
        print(
            f"  the same, BLAS on one thread: {results['memory1']:.1f} s, {a.runs / results['memory1']:.0f} runs/s"
            + per(cpu["memory1"])
        )
    if "chunked" not in skip:
        c = time.process_time()
        chunked_breakdown(ex, sid, tmp, results)
        cpu["chunked"] = time.process_time() - c
        print(f"  (CPU {cpu['chunked']:.1f} s, {1000 * cpu['chunked'] / a.runs:.2f} ms/run)")
    if "inproc" not in skip:
        c = time.process_time()
        r = run_sweep(path, tmp / "inproc", prepared=(ex, sid))
        cpu["inproc"] = time.process_time() - c
        results["inproc"] = r.seconds
        print(f"sweep in-process:   {r.seconds:.1f} s, {a.runs / r.seconds:.0f} runs/s{per(cpu['inproc'])}")
        for base, what in (
            ("memory", "the in-memory ensemble"),
            ("memory1", "the in-memory ensemble, BLAS on one thread"),
            ("chunked", "the same chunks in a loop"),
        ):
            if base in results:
                over, cover = r.seconds / results[base] - 1, cpu["inproc"] / cpu[base] - 1
                print(f"  overhead vs {what}: wall {100 * over:+.1f} %, CPU {100 * cover:+.1f} %")
    if "workers" not in skip:
        import psutil

        for n in (1, 2):
            t = time.perf_counter()
            client, close = client_for(workers=n)
            try:
                client.run(lambda: __import__("chokepoints.sweep.work"))
                startup = time.perf_counter() - t
                procs = [psutil.Process(p) for p in client.run(os.getpid).values()]
                c0 = time.process_time() + sum(sum(p.cpu_times()[:2]) for p in procs)
                r = run_sweep(path, tmp / f"w{n}", client=client, prepared=(ex, sid))
                c = time.process_time() + sum(sum(p.cpu_times()[:2]) for p in procs) - c0
            finally:
                close()
            results[f"w{n}"] = r.seconds
            print(
                f"sweep {n} worker(s):  {r.seconds:.1f} s, {a.runs / r.seconds:.0f} runs/s (start-up {startup:.1f} s)"
                f"{per(c)} (client + workers)"
            )
        print(f"  2 workers / 1 worker: {results['w1'] / results['w2']:.2f}x")
    if "resume" not in skip:
        out = tmp / "killed"
        files = out / sid / "indicators"
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}

        def child_cpu() -> float:
            ru = resource.getrusage(resource.RUSAGE_CHILDREN)
            return ru.ru_utime + ru.ru_stime

        c0 = child_cpu()
        t = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "chokepoints", "sweep", str(path), "--out", str(out)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        half = len(ex.chunks) // 2
        while len(list(files.glob("chunk-*.parquet"))) < half and proc.poll() is None:
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        to_kill = time.perf_counter() - t
        t = time.perf_counter()
        cmd = [sys.executable, "-m", "chokepoints", "sweep", str(path), "--out", str(out), "--resume"]
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
        resume = time.perf_counter() - t
        c1 = child_cpu()
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "chokepoints", "sweep", str(path), "--out", str(tmp / "whole")],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        whole = time.perf_counter() - t
        c2 = child_cpu()
        print(
            f"killed at {half}/{len(ex.chunks)} chunks after {to_kill:.1f} s, resume {resume:.1f} s: "
            f"{to_kill + resume:.1f} s vs {whole:.1f} s uninterrupted ({(to_kill + resume) / whole:.2f}x; "
            "both as `chokepoints sweep` processes)"
        )
        print(f"  CPU: kill + resume {c1 - c0:.1f} s vs {c2 - c1:.1f} s uninterrupted ({(c1 - c0) / (c2 - c1):.2f}x)")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"(files in {tmp})")


def chunked_breakdown(ex, sid: str, tmp: Path, results: dict[str, float]) -> None:
    """The sweep's chunks one after the other in this process, timed by part (no executor): the
    steps of ``sweep.work.run_chunk`` and of the runner's writes."""
    import time as _t

    from chokepoints.engine.compile import compile_plan
    from chokepoints.engine.ensemble import result_of
    from chokepoints.scenario import Scenario
    from chokepoints.sweep.catalogue import chunk_file, connect, write_parquet
    from chokepoints.sweep.design import RECORD
    from chokepoints.sweep.execute import _register, task_of
    from chokepoints.sweep.executors import CatalogueWriter
    from chokepoints.sweep.work import _world, tidy

    parts = dict.fromkeys(("compile", "engine+record", "indicators", "parquet", "catalogue"), 0.0)
    out = tmp / "chunked"
    with connect(out, views=False) as con:
        _register(con, ex, sid, False)
    writer = CatalogueWriter(out)
    t_all = _t.perf_counter()
    for c in ex.chunks:
        task = task_of(ex, sid, c.chunk_id)
        world = _world(task["world"])
        sc = Scenario.model_validate(task["scenarios"][0])
        n = task["pieces"][0][2]
        t = _t.perf_counter()
        plan = compile_plan(world, sc, runs=n, seed=task["seed"])
        parts["compile"] += _t.perf_counter() - t
        t = _t.perf_counter()
        res = result_of(
            world, [sc], plan, seed=task["seed"], record=list(RECORD), threads=1, max_memory=task["max_memory"]
        )
        parts["engine+record"] += _t.perf_counter() - t
        t = _t.perf_counter()
        ind, ser = tidy(res.data, task, 0, 0)
        parts["indicators"] += _t.perf_counter() - t
        del res, plan
        t = _t.perf_counter()
        write_parquet(ind, chunk_file(out, sid, "indicators", c.chunk_id))
        if ser is not None:
            write_parquet(ser, chunk_file(out, sid, "series", c.chunk_id))
        parts["parquet"] += _t.perf_counter() - t
        t = _t.perf_counter()
        writer.execute("update chunks set status = 'done' where sweep_id = ? and chunk_id = ?", [sid, c.chunk_id])
        writer.release()
        parts["catalogue"] += _t.perf_counter() - t
    writer.release(force=True)
    results["chunked"] = total = _t.perf_counter() - t_all
    runs = sum(c.runs for c in ex.chunks)
    print(f"chunks in a loop, no executor: {total:.1f} s, {runs / total:.0f} runs/s; per part:")
    for k, v in parts.items():
        print(f"  {k:14s} {v:7.2f} s  {100 * v / total:5.1f} %  ({1000 * v / len(ex.chunks):.0f} ms/chunk)")


if __name__ == "__main__":
    main()
