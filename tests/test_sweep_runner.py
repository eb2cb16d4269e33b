"""The sweep runner's own machinery: the in-process executor (bounded, failures recorded), the
catalogue read by another process while a sweep writes it, and the writer's hold on the file."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("distributed")
pytest.importorskip("duckdb")
pytest.importorskip("pyarrow")

from chokepoints.sweep import work  # noqa: E402
from chokepoints.sweep.catalogue import connect, read_only_query  # noqa: E402
from chokepoints.sweep.execute import run_sweep  # noqa: E402
from chokepoints.sweep.executors import CatalogueWriter, LocalChunks  # noqa: E402

GRID = Path(__file__).parent / "data" / "sweeps" / "grid.yaml"
SRC = str(Path(__file__).resolve().parents[1] / "src")


def indicators(out: Path) -> pd.DataFrame:
    df = read_only_query(out, "select * from indicators")
    return df.sort_values(["point_id", "run", "region", "end_use", "indicator"]).reset_index(drop=True)


def test_local_chunks_keep_at_most_ahead_unwritten(monkeypatch):
    started, gate = [], threading.Event()

    def fake(task, world=None):
        started.append(task["chunk_id"])
        gate.wait(5)
        return {"chunk_id": task["chunk_id"], "world": world}

    monkeypatch.setattr(work, "run_chunk", fake)
    chunks = LocalChunks(lambda c: {"chunk_id": c, "world": "w"}, {"w": "the World"}, ahead=2)
    chunks.submit(range(6))
    time.sleep(0.2)
    assert started == [0]  # one thread: one running, one queued behind it
    gate.set()
    seen = []
    for _ in range(6):
        got = chunks.next(5)
        assert got is not None
        cid, fut = got
        assert fut.result() == {"chunk_id": cid, "world": "the World"}  # the client's World, not reloaded
        seen.append(cid)
        assert len(started) - len(seen) <= 1  # never more than `ahead` submitted and unwritten
        chunks.done(cid)
    chunks.close()
    assert seen == list(range(6)) and started == list(range(6))


def test_a_failing_chunk_is_recorded_and_resume_runs_it(monkeypatch, tmp_path):
    real = work.run_chunk

    def flaky(task, world=None):
        if task["chunk_id"] == 4:
            raise RuntimeError("disk on fire")
        return real(task, world)

    monkeypatch.setattr(work, "run_chunk", flaky)
    res = run_sweep(GRID, tmp_path)
    assert res.failed == 1 and res.computed == 11
    with connect(tmp_path, read_only=True) as con:
        rows = con.execute("select chunk_id, status, error from chunks where status <> 'done'").fetchall()
    assert rows == [(4, "failed", "RuntimeError: disk on fire")]
    monkeypatch.setattr(work, "run_chunk", real)
    again = run_sweep(GRID, tmp_path, resume=True)
    assert again.computed == 1 and again.skipped == 11 and again.failed == 0
    ref = tmp_path / "ref"
    run_sweep(GRID, ref)
    pd.testing.assert_frame_equal(indicators(tmp_path), indicators(ref), check_exact=True)


def test_another_process_reads_the_catalogue_while_a_sweep_writes_it(tmp_path):
    """A reader polls ``results``-style read-only queries during an in-process sweep: every query
    answers (the writer lets go of the file at least every second), some mid-sweep."""
    ready, log = tmp_path / "ready", tmp_path / "seen.txt"
    reader = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from chokepoints.sweep.catalogue import connect, read_only_query\n"
        "out, ready, log = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])\n"
        "with connect(out):\n"
        "    pass\n"
        "ready.write_text('1')\n"
        "seen, t0 = [], time.monotonic()\n"
        "while time.monotonic() - t0 < 120:\n"
        "    q = \"select count(*) as n from chunks where status = 'done'\"\n"
        "    n = int(read_only_query(out, q).n[0])\n"
        "    seen.append(n)\n"
        "    if n == 12:\n"
        "        break\n"
        "    time.sleep(0.05)\n"
        "log.write_text(' '.join(map(str, seen)))\n"
    )
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-c", reader, str(out), str(ready), str(log)], env=env)
    try:
        deadline = time.monotonic() + 60
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ready.exists(), "the reader did not start"
        res = run_sweep(GRID, out)
        assert proc.wait(timeout=120) == 0  # no query failed on a locked file
    finally:
        if proc.poll() is None:
            proc.kill()
    seen = [int(x) for x in log.read_text().split()]
    assert res.computed == 12 and seen[-1] == 12
    assert any(0 < n < 12 for n in seen), seen  # it read while chunks were still being written


def test_the_writer_holds_the_file_for_a_while_then_lets_go(tmp_path):
    with connect(tmp_path):
        pass
    w = CatalogueWriter(tmp_path, hold=0.3, gap=0.0)
    assert w.wait_s() is None  # nothing held yet
    w.execute("select 1", [])
    held = w.wait_s()
    assert held is not None and 0 < held <= 0.3
    w.release()  # held for less than `hold`: kept
    assert w.wait_s() is not None
    time.sleep(0.35)
    w.release()
    assert w.wait_s() is None
    with connect(tmp_path, read_only=True) as con:  # free again
        assert con.execute("select count(*) from chunks").fetchone() == (0,)


def _environ_of_interest() -> dict[str, str | None]:
    keys = ("MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")
    return {k: os.environ.get(k) for k in keys}


def test_local_workers_get_the_malloc_settings_and_keep_dasks_thread_limits(monkeypatch):
    from chokepoints.sweep.execute import WORKER_MALLOC, client_for

    # what an earlier Dask cluster in the same process leaves behind (its nanny writes its
    # pre-spawn settings into os.environ, and they then take precedence over the config)
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    client, close = client_for(workers=1)
    try:
        (env,) = client.run(_environ_of_interest).values()
    finally:
        close()
    assert env["MALLOC_TRIM_THRESHOLD_"] == str(WORKER_MALLOC["MALLOC_TRIM_THRESHOLD_"])
    assert env["MALLOC_MMAP_THRESHOLD_"] == str(WORKER_MALLOC["MALLOC_MMAP_THRESHOLD_"])
    assert env["OMP_NUM_THREADS"] == "1" and env["OPENBLAS_NUM_THREADS"] == "1"  # Dask's own, kept
    assert os.environ["MALLOC_TRIM_THRESHOLD_"] == "65536"  # this process's own environment put back
    assert "MALLOC_MMAP_THRESHOLD_" not in os.environ


def test_a_chunk_runs_with_blas_on_one_thread():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    with work._one_blas_thread():
        blas = [p for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"]
        assert blas and all(p["num_threads"] == 1 for p in blas)
