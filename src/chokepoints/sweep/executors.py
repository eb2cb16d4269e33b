"""Where a sweep's chunks are computed, and the client's writer of the catalogue.

Two executors with one interface: ``submit`` the chunks to do, then ``next(timeout)`` gives
back (chunk id, finished future) in the order they finish, and ``done(chunk id)`` lets go of one
once it is written.

* :class:`LocalChunks`: in this process, one worker thread computing while the caller writes
  (no Dask: the default of ``chokepoints sweep``, as DESIGN.md's "one machine by default"). The
  thread works on the World the client already loaded, and at most ``ahead`` chunks are
  queued or finished but not yet written, so memory does not grow with the sweep.
* :class:`DaskChunks`: a ``distributed.Client`` (local worker processes or an existing
  cluster): every chunk is submitted at once (the scheduler balances them over the workers and
  runs a chunk again when its worker dies); each worker loads the World from its reference once
  (the task carries the reference, not the World). A future is released once its chunk is
  written, so neither the client nor the workers keep the results of a long sweep.

:class:`CatalogueWriter` keeps the catalogue's DuckDB connection open for up to ``hold``
seconds while results come in (opening the file costs about 20 ms of CPU, more than the update
itself), then closes it and keeps it closed for at least ``gap`` seconds, so that a reader
(``chokepoints results ...``, which retries for 5 s) finds the file free while the sweep runs.
Every update is committed on its own, so a killed client loses nothing it reported as done.
"""

from __future__ import annotations

import queue
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from .catalogue import connect

Task = Callable[[int], dict[str, Any]]  # chunk id -> the task dict of :func:`chokepoints.sweep.work.run_chunk`


class LocalChunks:
    """Chunks computed by one thread of this process, at most ``ahead`` of the writer."""

    def __init__(self, task_of: Task, worlds: dict[str, Any], ahead: int = 3):
        self._task_of, self._worlds, self._ahead = task_of, worlds, max(1, ahead)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sweep-chunk")
        self._finished: queue.SimpleQueue[tuple[int, Any]] = queue.SimpleQueue()
        self._waiting: deque[int] = deque()
        self._out = 0  # submitted and not yet let go of

    def submit(self, chunk_ids: Iterable[int]) -> None:
        self._waiting.extend(chunk_ids)
        self._fill()

    def _fill(self) -> None:
        from .work import run_chunk

        while self._waiting and self._out < self._ahead:
            cid = self._waiting.popleft()
            task = self._task_of(cid)
            fut = self._pool.submit(run_chunk, task, self._worlds.get(task["world"]))
            fut.add_done_callback(self._report(cid))
            self._out += 1

    def _report(self, cid: int) -> Callable[[Any], None]:
        return lambda fut: self._finished.put((cid, fut))

    def next(self, timeout: float | None) -> tuple[int, Any] | None:
        try:
            return self._finished.get(timeout=timeout)
        except queue.Empty:
            return None

    def done(self, chunk_id: int) -> None:
        self._out -= 1
        self._fill()

    def close(self) -> None:
        self._waiting.clear()
        self._pool.shutdown(
            wait=False, cancel_futures=True
        )  # nothing runs after the last chunk; on an error, do not wait


class DaskChunks:
    """Chunks submitted to a ``distributed.Client``; each future released once written."""

    def __init__(self, client: Any, task_of: Task, key: Callable[[int], str]):
        self._client, self._task_of, self._key = client, task_of, key
        self._finished: queue.SimpleQueue[tuple[int, Any]] = queue.SimpleQueue()
        self._futures: dict[int, Any] = {}  # Dask forgets a task whose futures are all dropped

    def submit(self, chunk_ids: Iterable[int]) -> None:
        from .work import run_chunk

        for cid in chunk_ids:
            fut = self._client.submit(run_chunk, self._task_of(cid), key=self._key(cid), pure=False, retries=3)
            fut.add_done_callback(lambda f, c=cid: self._finished.put((c, f)))
            self._futures[cid] = fut

    def next(self, timeout: float | None) -> tuple[int, Any] | None:
        try:
            return self._finished.get(timeout=timeout)
        except queue.Empty:
            return None

    def done(self, chunk_id: int) -> None:
        self._futures.pop(chunk_id, None)

    def close(self) -> None:
        self._futures.clear()


class CatalogueWriter:
    """The client's connection to the catalogue: opened on demand, held for ``hold`` s at most."""

    def __init__(self, out: str | Path, hold: float = 1.0, gap: float = 0.25):
        self.out, self.hold, self.gap = Path(out), hold, gap
        self._stack: ExitStack | None = None
        self._con: Any = None
        self._opened = 0.0
        self._closed = 0.0

    def execute(self, sql: str, params: list[Any]) -> None:
        if self._con is None:
            wait = self.gap - (time.monotonic() - self._closed)
            if wait > 0:  # a reader waiting for the file gets its turn
                time.sleep(wait)
            self._stack = ExitStack()
            self._con = self._stack.enter_context(connect(self.out, views=False, schema=False))
            self._opened = time.monotonic()
        self._con.execute(sql, params)

    def wait_s(self) -> float | None:
        """How long to wait for the next result before letting go of the file (None: it is closed)."""
        if self._con is None:
            return None
        return max(0.0, self.hold - (time.monotonic() - self._opened))

    def release(self, force: bool = False) -> None:
        """Close the connection if held ``hold`` seconds (or ``force``)."""
        if self._con is None or (not force and time.monotonic() - self._opened < self.hold):
            return
        assert self._stack is not None
        self._stack.close()
        self._stack, self._con = None, None
        self._closed = time.monotonic()
