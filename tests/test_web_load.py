"""Load test of ``chokepoints serve`` (``-m slow``; loopback only, bounded, stops by itself).

100 client threads for 60 s (``CHOKEPOINTS_LOAD_CLIENTS`` / ``CHOKEPOINTS_LOAD_SECONDS``), each
validating a small scenario, submitting it as a job and polling it; half-way the server is killed
(SIGKILL) and restarted on the same data folder. Checks: no 5xx, no job lost or duplicated, every
job finished before the kill still finished after it, p95 latency of non-job endpoints < 200 ms.
Prints its figures (for docs/performance.md).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("fastapi")

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = int(os.environ.get("CHOKEPOINTS_LOAD_CLIENTS", "100"))
SECONDS = float(os.environ.get("CHOKEPOINTS_LOAD_SECONDS", "60"))


def _start(port: int, data: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    cmd = [sys.executable, "-m", "chokepoints", "serve", "--port", str(port), "--data", str(data)]
    proc = subprocess.Popen(cmd + ["--workers", "2", "--max-queue", "100000"], env=env, stdout=subprocess.DEVNULL)
    end = time.monotonic() + 30
    while time.monotonic() < end:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1)
            return proc
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("server did not start")


@pytest.mark.slow
def test_load_kill_restart(tmp_path):
    from chokepoints.scenario.library import scenario_path

    text = scenario_path("cn-rare-earth-licensing-2025-04").read_text(encoding="utf-8")
    text = text.replace("horizon_days: 365", "horizon_days: 90")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}/api/v1"
    server = [_start(port, tmp_path)]
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    submitted: list[str] = []
    transport_errors = [0]
    stop = time.monotonic() + SECONDS

    def call(client, method, path, **kw):
        t0 = time.perf_counter()
        try:
            r = client.request(method, base + path, timeout=30, **kw)
        except httpx.TransportError:
            with lock:
                transport_errors[0] += 1
            time.sleep(0.2)
            return None
        dt = time.perf_counter() - t0
        with lock:
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
            if not (method == "POST" and path == "/jobs"):
                latencies.append(dt)
        return r

    def client_loop():
        with httpx.Client() as c:
            while time.monotonic() < stop:
                if call(c, "POST", "/validate", json={"text": text}) is None:
                    continue
                r = call(c, "POST", "/jobs", json={"text": text, "runs": 2})
                if r is None or r.status_code != 202:
                    continue
                job_id = r.json()["id"]
                with lock:
                    submitted.append(job_id)
                while time.monotonic() < stop:
                    r = call(c, "GET", f"/jobs/{job_id}")
                    if r is not None and r.status_code == 200 and r.json()["status"] in ("done", "failed"):
                        break
                    time.sleep(0.25)

    threads = [threading.Thread(target=client_loop, daemon=True) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    time.sleep(SECONDS / 2)
    done_before = {j["id"] for j in httpx.get(base + "/jobs?status=done&limit=100000", timeout=30).json()}
    server[0].send_signal(signal.SIGKILL)
    server[0].wait()
    server[0] = _start(port, tmp_path)
    for t in threads:
        t.join(SECONDS + 60)
    try:
        end = time.monotonic() + 120  # let the queue drain
        while time.monotonic() < end and httpx.get(base + "/health", timeout=30).json()["unfinished_jobs"]:
            time.sleep(1)
        jobs = httpx.get(base + "/jobs?limit=100000", timeout=30).json()
    finally:
        server[0].terminate()
        server[0].wait(10)
    ids = [j["id"] for j in jobs]
    status = {j["id"]: j["status"] for j in jobs}
    p95 = float(np.percentile(latencies, 95)) * 1000
    figures = {
        "clients": CLIENTS,
        "seconds": SECONDS,
        "requests": sum(statuses.values()),
        "statuses": statuses,
        "jobs_submitted": len(submitted),
        "jobs_done": sum(s == "done" for s in status.values()),
        "done_before_kill": len(done_before),
        "p50_ms": round(float(np.percentile(latencies, 50)) * 1000, 1),
        "p95_ms": round(p95, 1),
        "connection_errors_during_restart": transport_errors[0],
    }
    print("LOAD", figures)
    assert not any(code >= 500 for code in statuses), statuses
    assert len(ids) == len(set(ids)) and set(submitted) <= set(ids)  # none lost, none twice
    assert len(submitted) == len(set(submitted))
    assert all(status[i] == "done" for i in done_before)  # the kill lost no finished job
    assert all(s == "done" for s in status.values()), {s for s in status.values()}
    assert p95 < 200, figures
