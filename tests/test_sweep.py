"""Sweeps: the sweep file's errors, the read-only query, and runs on a real distributed.LocalCluster
(two worker processes): a sweep, a worker killed mid-sweep, a client killed (SIGKILL) and --resume."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("distributed")
pytest.importorskip("duckdb")
pytest.importorskip("pyarrow")

from typer.testing import CliRunner  # noqa: E402

from chokepoints.cli import app  # noqa: E402
from chokepoints.errors import InputError  # noqa: E402
from chokepoints.sweep.catalogue import connect, read_only_query  # noqa: E402
from chokepoints.sweep.execute import prepare, run_sweep  # noqa: E402
from chokepoints.sweep.model import SweepFile  # noqa: E402

GRID = Path(__file__).parent / "data" / "sweeps" / "grid.yaml"
SRC = str(Path(__file__).resolve().parents[1] / "src")


def indicators(out: Path, sid: str) -> pd.DataFrame:
    df = read_only_query(out, f"select * from indicators where sweep_id = '{sid}'")
    return df.sort_values(["point_id", "run", "region", "end_use", "indicator"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The grid run in one go, in-process (one worker thread)."""
    out = tmp_path_factory.mktemp("ref")
    res = run_sweep(GRID, out)
    return out, res


@pytest.fixture(scope="module")
def cluster():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as lc:
        with Client(lc) as client:
            yield client


def test_chunks_and_seeds_come_from_the_file():
    ex, sid = prepare(GRID)
    assert len(ex.points) == 2 and len(ex.chunks) == 12
    assert [c.runs for c in ex.chunks] == [13] * 12
    assert len({c.seed for c in ex.chunks}) == 12
    ex2, sid2 = prepare(GRID)
    assert sid == sid2 and [c.seed for c in ex.chunks] == [c.seed for c in ex2.chunks]


def test_reference_catalogue(reference):
    out, res = reference
    assert res.computed == 12 and res.failed == 0
    df = indicators(out, res.sweep_id)
    # 156 runs x 4 key users x 2 indicators, each row once
    assert len(df) == 156 * 4 * 2
    assert not df.duplicated(["point_id", "run", "region", "end_use", "indicator"]).any()
    with connect(out, read_only=True) as con:
        st = con.execute("select status, count(*) from chunks group by status").fetchall()
        hashes = con.execute("select distinct scenario_hash from points").fetchall()
    assert st == [("done", 12)] and len(hashes) == 2
    # a higher approval rate loses less (median US automotive loss, USD)
    med = df[(df.indicator == "output_lost_usd") & (df.end_use == "automotive")].groupby("point_id").value.median()
    assert med[1] < med[0]


def test_two_worker_processes_give_identical_results(reference, cluster, tmp_path):
    out_ref, ref = reference
    res = run_sweep(GRID, tmp_path, client=cluster)
    assert res.computed == 12
    workers = read_only_query(tmp_path, "select distinct worker from chunks")
    assert len(workers) == 2  # both worker processes did chunks
    pd.testing.assert_frame_equal(
        indicators(tmp_path, res.sweep_id), indicators(out_ref, ref.sweep_id), check_exact=True
    )


def test_a_killed_worker_does_not_stop_the_sweep(reference, cluster, tmp_path):
    out_ref, ref = reference
    pids = cluster.run(os.getpid)
    victim = sorted(pids.values())[0]
    killed = []

    def kill_once(done: int, total: int) -> None:
        if not killed:
            os.kill(victim, signal.SIGKILL)
            killed.append(done)

    res = run_sweep(GRID, tmp_path, client=cluster, progress=kill_once)
    assert killed and killed[0] < 12
    assert res.computed == 12 and res.failed == 0
    pd.testing.assert_frame_equal(
        indicators(tmp_path, res.sweep_id), indicators(out_ref, ref.sweep_id), check_exact=True
    )


def test_killed_client_resumes_every_chunk_exactly_once(reference, tmp_path):
    out_ref, ref = reference
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "chokepoints", "sweep", str(GRID), "--out", str(tmp_path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    files = tmp_path / ref.sweep_id / "indicators"
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline and len(list(files.glob("chunk-*.parquet"))) < 3:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with connect(tmp_path, read_only=True) as con:
        before = dict(con.execute("select chunk_id, finished from chunks where status = 'done'").fetchall())
    assert 0 < len(before) < 12, "the client should be killed mid-sweep"
    # without --resume the sweep is refused
    r = CliRunner().invoke(app, ["sweep", str(GRID), "--out", str(tmp_path)])
    assert r.exit_code == 2 and "--resume" in r.output
    res = run_sweep(GRID, tmp_path, resume=True)
    assert res.skipped == len(before) and res.computed == 12 - len(before)
    with connect(tmp_path, read_only=True) as con:
        rows = con.execute("select chunk_id, status, finished from chunks order by chunk_id").fetchall()
    assert [r[0] for r in rows] == list(range(12)) and {r[1] for r in rows} == {"done"}
    assert all(dict((r[0], r[2]) for r in rows)[c] == f for c, f in before.items())  # not recomputed
    df = indicators(tmp_path, res.sweep_id)
    assert not df.duplicated(["point_id", "run", "region", "end_use", "indicator"]).any()
    pd.testing.assert_frame_equal(df, indicators(out_ref, ref.sweep_id), check_exact=True)


@pytest.mark.parametrize(
    "sql",
    [
        "delete from chunks",
        "drop table sweeps",
        "insert into points values ('x', 0, 0, '', '', '{}')",
        "copy (select 1) to 'leak.csv'",
        "attach 'other.duckdb'",
        "select 1; delete from chunks",
    ],
)
def test_query_refuses_writes(reference, sql):
    out, _ = reference
    with pytest.raises(InputError):
        read_only_query(out, sql)
    assert len(read_only_query(out, "select * from chunks")) == 12


def test_cli_query_export_and_compare(reference, tmp_path):
    out, res = reference
    runner = CliRunner()
    r = runner.invoke(app, ["results", "query", "update chunks set status = 'x'", "--out", str(out)])
    assert r.exit_code == 2 and "read-only" in r.output
    r = runner.invoke(app, ["results", "query", "select count(*) as n from indicators", "--out", str(out)])
    assert r.exit_code == 0 and "1248" in r.output.replace(",", "")
    r = runner.invoke(app, ["results", "list", "--out", str(out)])
    assert r.exit_code == 0 and res.sweep_id in r.output
    r = runner.invoke(app, ["results", "show", "test-grid", "--out", str(out)])
    assert r.exit_code == 0 and "done" in r.output
    csv = tmp_path / "grid.csv"
    r = runner.invoke(app, ["results", "export", "test-grid", "--format", "csv", "--to", str(csv), "--out", str(out)])
    assert r.exit_code == 0
    exported = pd.read_csv(csv)
    assert len(exported) == 1248 and {"parameters", "scenario_hash", "value"} <= set(exported.columns)
    report = tmp_path / "cmp.html"
    r = runner.invoke(app, ["compare", "test-grid@0", "test-grid@1", "--out", str(out), "--report", str(report)])
    assert r.exit_code == 0, r.output
    assert "B - A" in r.output and report.exists() and "mean output ratio" in report.read_text()


@pytest.mark.parametrize(
    "text, where",
    [
        ("name: x\nscenarios: [cn-rare-earth-licensing-2025-04]\ndesign: {type: grid}\n", "3:"),
        (
            "name: x\nscenarios: [cn-rare-earth-licensing-2025-04]\ndesign:\n  type: factorial\n  factors:\n"
            "    - {parameter: events.apr_licensing.approval_rate, values: []}\n",
            "field 'design.factors[0].values'",
        ),
        (
            "name: x\nscenarios: [cn-rare-earth-licensing-2025-04]\nruns: 0\ndesign:\n  type: latin_hypercube\n"
            "  points: 4\n  parameters: [{parameter: engine.psi_param, distribution: uniform, low: 0.1, high: 0.9}]\n",
            "field 'runs'",
        ),
        (
            "name: x\nscenarios: [cn-rare-earth-licensing-2025-04]\nmax_memory: lots\ndesign:\n  type: factorial\n"
            "  factors: [{parameter: engine.psi_param, values: [0.2]}]\n",
            "field 'max_memory'",
        ),
    ],
)
def test_bad_sweep_files_get_located_errors(text, where):
    with pytest.raises(InputError) as exc:
        SweepFile.from_yaml_text(text, "s.yaml")
    assert where in str(exc.value) and str(exc.value).startswith("s.yaml:")


def test_unknown_event_and_scenario_are_located(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: x\nscenarios: [cn-rare-earth-licensing-2025-04]\ndesign:\n  type: factorial\n"
        "  factors:\n    - {parameter: events.nope.approval_rate, values: [0.2]}\n"
    )
    r = CliRunner().invoke(app, ["sweep", str(bad), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "bad.yaml:6:" in r.output and "no event with id 'nope'" in r.output
    bad.write_text(
        "name: x\nscenarios: [no-such-scenario]\ndesign:\n  type: factorial\n"
        "  factors: [{parameter: engine.psi_param, values: [0.2]}]\n"
    )
    r = CliRunner().invoke(app, ["sweep", str(bad), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "bad.yaml:2:" in r.output and "scenarios[0]" in r.output


def test_without_the_extra_the_commands_name_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "duckdb", None)
    for args in (["sweep", str(GRID)], ["results", "list"], ["compare", "a", "b"]):
        r = CliRunner().invoke(app, args)
        assert r.exit_code == 2 and 'pip install "chokepoints[sweep]"' in r.output
        assert len(r.output.strip().splitlines()) == 1


def _dask(*args: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "dask", *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


@pytest.mark.slow  # 32 s measured (scheduler and worker process start-up, on the shared 2-core machine)
def test_killed_scheduler_resumes_every_chunk_exactly_once(reference, tmp_path):
    """A scheduler process (and its worker) killed with SIGKILL mid-sweep; the client gives up (or is
    killed); --resume on a fresh in-process cluster finishes: each chunk once, results bit-identical."""
    out_ref, ref = reference
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    sfile = tmp_path / "scheduler.json"
    sched = _dask("scheduler", "--scheduler-file", str(sfile), "--port", "0", "--no-dashboard", env=env)
    procs = [sched]
    try:
        deadline = time.monotonic() + 20
        while not sfile.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sfile.exists(), "the scheduler did not start"
        import json

        address = json.loads(sfile.read_text())["address"]
        procs.append(_dask("worker", "--scheduler-file", str(sfile), "--nthreads", "1", "--no-dashboard", env=env))
        client = subprocess.Popen(
            [sys.executable, "-m", "chokepoints", "sweep", str(GRID), "--out", str(tmp_path), "--scheduler", address],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        procs.append(client)
        files = tmp_path / ref.sweep_id / "indicators"
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and len(list(files.glob("chunk-*.parquet"))) < 3:
            time.sleep(0.02)
        sched.send_signal(signal.SIGKILL)
        sched.wait()
        try:  # the client cannot reach its scheduler any more; it stops, or is stopped here
            client.wait(timeout=5)
        except subprocess.TimeoutExpired:
            client.send_signal(signal.SIGKILL)
            client.wait()
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                p.wait()
    with connect(tmp_path, read_only=True) as con:
        before = dict(con.execute("select chunk_id, finished from chunks where status = 'done'").fetchall())
    assert 0 < len(before) < 12, "the scheduler should be killed mid-sweep"
    res = run_sweep(GRID, tmp_path, resume=True)
    assert res.skipped == len(before) and res.computed == 12 - len(before) and res.failed == 0
    with connect(tmp_path, read_only=True) as con:
        rows = con.execute("select chunk_id, status, finished from chunks order by chunk_id").fetchall()
    assert [r[0] for r in rows] == list(range(12)) and {r[1] for r in rows} == {"done"}
    assert all(dict((r[0], r[2]) for r in rows)[c] == f for c, f in before.items())  # not recomputed
    df = indicators(tmp_path, res.sweep_id)
    assert not df.duplicated(["point_id", "run", "region", "end_use", "indicator"]).any()
    pd.testing.assert_frame_equal(df, indicators(out_ref, ref.sweep_id), check_exact=True)
