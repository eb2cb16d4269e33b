"""Run a sweep: submit its unfinished chunks, write each one as it finishes, catalogue it.

Where the chunks run (:mod:`.executors`): in this process by default (one worker thread, no
Dask), on ``workers`` local Dask worker processes, or on an existing Dask cluster (``scheduler``
address ``tcp://HOST:PORT``; its workers need chokepoints installed and must be able to load the
sweep's World: a bundled name, or a path they can read). A worker that dies loses its chunk in
flight; the scheduler runs it again on another worker. The client alone writes the Parquet files
and the catalogue, so a killed client leaves every finished chunk in place and ``resume`` runs
the others only (a done chunk is checked by its file's presence, not read).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..provenance import provenance
from .catalogue import chunk_file, connect, write_parquet
from .design import Expanded, expand
from .executors import CatalogueWriter, DaskChunks, LocalChunks
from .model import SweepFile, sweep_id


@dataclass
class SweepRun:
    """What :func:`run_sweep` did."""

    sweep_id: str
    out: Path
    chunks: int
    computed: int  # chunks computed by this call
    skipped: int  # chunks already done (resume)
    failed: int
    runs: int  # runs of the whole sweep
    seconds: float


def prepare(path: str | Path | SweepFile) -> tuple[Expanded, str]:
    spec = path if isinstance(path, SweepFile) else SweepFile.from_yaml(path)
    ex = expand(spec)
    return ex, sweep_id(spec, [b.hash for b in ex.bases])


def _register(con: Any, ex: Expanded, sid: str, resume: bool) -> set[int]:
    """Insert the sweep, its points and chunks (pending) if new; return the ids of done chunks."""
    spec = ex.spec
    row = con.execute("select count(*) from sweeps where sweep_id = ?", [sid]).fetchone()
    if row[0]:
        done = {
            r[0]
            for r in con.execute("select chunk_id from chunks where sweep_id = ? and status = 'done'", [sid]).fetchall()
        }
        if not resume:
            raise InputError(
                Problem(
                    spec.source_path or "<sweep>",
                    f"sweep {sid} is already in the catalogue ({len(done)} of {len(ex.chunks)} chunks done); "
                    "pass --resume to finish it, or --out another folder",
                )
            )
        return done
    prov = provenance(
        "sweep",
        scenario=ex.bases[0],
        world=None,
        seed=spec.seed,
        runs=ex.runs,
        sweep_id=sid,
        scenario_hash=",".join(b.hash for b in ex.bases),
    )
    con.execute("begin")
    con.execute(
        "insert into sweeps values (?, ?, ?, ?, ?, ?, ?, ?, ?, now(), ?)",
        [
            sid,
            spec.name,
            spec.source_path or "",
            json.dumps(spec.canonical()),
            spec.seed,
            spec.design.type,
            len(ex.points),
            len(ex.chunks),
            ex.runs_per_point,
            json.dumps(prov),
        ],
    )
    con.executemany(
        "insert into points values (?, ?, ?, ?, ?, ?)",
        [[sid, p.point_id, p.base, p.scenario_name, p.scenario_hash, json.dumps(p.parameters)] for p in ex.points],
    )
    con.executemany(
        "insert into chunks (sweep_id, chunk_id, pieces, runs, seed, status, attempts) values (?, ?, ?, ?, ?, ?, 0)",
        [[sid, c.chunk_id, json.dumps(c.pieces), c.runs, c.seed, "pending"] for c in ex.chunks],
    )
    con.execute("commit")
    return set()


def task_of(ex: Expanded, sid: str, chunk_id: int) -> dict[str, Any]:
    c = ex.chunks[chunk_id]
    pts = [ex.points[p] for p, _, _ in c.pieces]
    return {
        "sweep_id": sid,
        "chunk_id": c.chunk_id,
        "seed": c.seed,
        "pieces": c.pieces,
        "world": ex.world_refs[pts[0].base],
        "scenarios": [p.scenario for p in pts],
        "indicators": list(ex.spec.indicators),
        "groups": ex.spec.groups if isinstance(ex.spec.groups, str) else [g.model_dump() for g in ex.spec.groups],
        "series": ex.spec.series,
        "max_memory": ex.spec.memory_bytes,
        "samples": None if c.samples is None else c.samples.tolist(),
    }


DASK_CONFIG = {
    # the workers' statistical profiler (for the dashboard) samples their threads every 10 ms
    "distributed.worker.profile.enabled": False,
    # every Dask process checks its event loop's health every 20 ms by default
    "distributed.admin.tick.interval": "200ms",
}
WORKER_MALLOC = {
    # Dask starts workers with MALLOC_TRIM_THRESHOLD_=65536 (to hand freed memory back to the OS),
    # which also pins glibc's mmap threshold at 128 KiB: the arrays of runs x producers that the
    # engine allocates every simulated day then each cost a fresh mmap and its page faults
    "MALLOC_TRIM_THRESHOLD_": 256 << 20,
    "MALLOC_MMAP_THRESHOLD_": 32 << 20,  # glibc's largest allowed value on 64-bit systems
}
"""Dask settings for the clusters and clients the sweep makes: idle, a LocalCluster of 2 workers
used about 140 ms of CPU per second with the defaults (client and scheduler 55, workers 88),
about 45 with these, on the 2-core development machine. :data:`WORKER_MALLOC`, added to the
environment Dask's nannies give the workers they start: 2,100 runs of the
April-2025 scenario on one local worker took 21-26 s (7-9 s of it system time in the worker) with
Dask's, 16-19 s (3-4 s) with these (docs/performance.md)."""


@contextmanager
def _environ_while(values: dict[str, int]) -> Iterator[None]:
    """``os.environ`` holds ``values`` inside the block and what it held before after it.

    Needed because a Dask nanny reads its pre-spawn settings with the process's environment taking
    precedence, and writes them into that environment when it starts a worker: once any local
    cluster has run in a process, its ``MALLOC_TRIM_THRESHOLD_=65536`` would win over the config.
    """
    before = {k: os.environ.get(k) for k in values}
    os.environ.update({k: str(v) for k, v in values.items()})
    try:
        yield
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def client_for(workers: int | None = None, scheduler: str | None = None) -> tuple[Any, Callable[[], None]]:
    """A Dask client (and how to close it): an existing scheduler, or ``workers`` local processes."""
    import dask
    from distributed import Client, LocalCluster

    environ = {**(dask.config.get("distributed.nanny.pre-spawn-environ", None) or {}), **WORKER_MALLOC}
    config = {**DASK_CONFIG, "distributed.nanny.pre-spawn-environ": environ}
    with dask.config.set(config), _environ_while(WORKER_MALLOC):
        if scheduler:
            try:
                client = Client(scheduler, timeout="10s")
            except (OSError, TimeoutError) as exc:
                raise InputError(Problem("--scheduler", f"cannot reach {scheduler}: {exc}")) from None
            return client, client.close
        cluster = LocalCluster(n_workers=workers or 1, threads_per_worker=1, processes=True, dashboard_address=":0")
        client = Client(cluster)

    def close() -> None:
        client.close()
        cluster.close()

    return client, close


def run_sweep(
    path: str | Path | SweepFile,
    out: str | Path = "out/sweeps",
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    client: Any = None,
    progress: Callable[[int, int], None] | None = None,
    prepared: tuple[Expanded, str] | None = None,
) -> SweepRun:
    """Run (or, with ``resume``, finish) the sweep of file ``path``; results go to folder ``out``.

    ``client``: an existing ``distributed.Client`` to use instead of ``workers``/``scheduler``;
    with none of the three the chunks run in this process (:class:`.executors.LocalChunks`).
    ``progress(done, total)`` is called after each chunk is written.
    """
    t0 = time.perf_counter()
    out = Path(out)
    ex, sid = prepared or prepare(path)
    with connect(out, views=False) as con:
        done = _register(con, ex, sid, resume)
        # a chunk marked done whose file vanished is run again
        done = {c for c in done if chunk_file(out, sid, "indicators", c).exists()}
        todo = [c.chunk_id for c in ex.chunks if c.chunk_id not in done]
        if todo:  # nothing to do when every chunk is done (resume of a finished sweep)
            con.execute(
                "update chunks set status = 'running', submitted = ?, attempts = attempts + 1, error = null "
                "where sweep_id = ? and list_contains(?, chunk_id)",
                [time.time(), sid, todo],
            )
    if not todo:
        return SweepRun(sid, out, len(ex.chunks), 0, len(done), 0, ex.runs, time.perf_counter() - t0)
    close: Callable[[], None] = lambda: None  # noqa: E731
    if client is None and (workers or scheduler):
        client, close = client_for(workers, scheduler)
    chunks: LocalChunks | DaskChunks
    if client is None:
        chunks = LocalChunks(lambda c: task_of(ex, sid, c), dict(zip(ex.world_refs, ex.worlds, strict=False)))
    else:
        chunks = DaskChunks(client, lambda c: task_of(ex, sid, c), lambda c: f"{sid}-chunk-{c:05d}")
    writer = CatalogueWriter(out)
    failed = 0
    n_done = len(done)
    try:
        chunks.submit(todo)
        for _ in todo:
            got = chunks.next(writer.wait_s())
            if got is None:  # nothing finished while the file was held: let readers in, then wait
                writer.release(force=True)
                got = chunks.next(None)
            assert got is not None
            cid, fut = got
            try:
                r = fut.result()
            except InputError:
                raise
            except Exception as exc:  # noqa: BLE001 - a chunk that fails is recorded, the others go on
                failed += 1
                writer.execute(
                    "update chunks set status = 'failed', error = ? where sweep_id = ? and chunk_id = ?",
                    [f"{type(exc).__name__}: {exc}"[:2000], sid, cid],
                )
                chunks.done(cid)
                continue
            chunks.done(cid)
            _write_chunk(out, sid, r, writer)
            del r, fut, got
            writer.release()
            n_done += 1
            if progress is not None:
                progress(n_done, len(ex.chunks))
    finally:
        writer.release(force=True)
        chunks.close()
        close()
    return SweepRun(sid, out, len(ex.chunks), len(todo) - failed, len(done), failed, ex.runs, time.perf_counter() - t0)


def _write_chunk(out: Path, sid: str, r: dict[str, Any], writer: CatalogueWriter) -> None:
    """The chunk's Parquet files (atomically), then its catalogue row: done."""
    cid = r["chunk_id"]
    write_parquet(r["indicators"], chunk_file(out, sid, "indicators", cid))
    if r["series"] is not None:
        write_parquet(r["series"], chunk_file(out, sid, "series", cid))
    writer.execute(
        "update chunks set status = 'done', started = ?, finished = ?, written = ?, compute_s = ?, "
        "worker = ?, rows = ?, path = ?, provenance = ? where sweep_id = ? and chunk_id = ?",
        [
            r["started"],
            r["finished"],
            time.time(),
            r["finished"] - r["started"],
            r["worker"],
            len(r["indicators"]),
            str(Path(sid) / "indicators" / f"chunk-{cid:05d}.parquet"),
            json.dumps(r["provenance"], default=str),
            sid,
            cid,
        ],
    )
