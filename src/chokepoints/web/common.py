"""What the routers of the API share: the error type, the per-app context, job lookups.

Every router reaches the app's settings, job store and pools through one :class:`Context`, built
by :func:`chokepoints.web.app.create_app` and kept in ``app.state.ctx``; a route asks for it with
the :data:`Ctx` dependency (it adds nothing to the OpenAPI schema).
"""

from __future__ import annotations

import asyncio
import functools
import re
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse

from . import store
from .settings import Settings

API = "/api/v1"
JOB_ID = re.compile(r"[0-9a-f]{32}")
NO_DATASET = ("claims",)  # job kinds that make no Dataset: no NetCDF result


class ApiError(Exception):
    """An error answered as JSON with ``status``."""

    def __init__(self, status: int, message: str, problems: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.status, self.message, self.problems = status, message, problems or []


def error_response(status: int, message: str, problems: list[dict[str, Any]] | None = None) -> JSONResponse:
    """``{"error": {"status", "message", "problems"}}`` with that status."""
    return JSONResponse({"error": {"status": status, "message": message, "problems": problems or []}}, status)


@dataclass
class Context:
    """The app's settings, its job store (one SQLite connection per thread), the worker pool
    (``pool``, set while the app runs) and the bounded validation pool."""

    settings: Settings
    run_job: Callable[..., str]
    pool: Executor | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    _local: threading.local = field(default_factory=threading.local)

    def __post_init__(self) -> None:
        # validation (YAML parse, model, engine compile) runs in its own bounded pool, never on the event
        # loop and never in the threads that answer reads; a full queue is refused with 429
        self.validators = ThreadPoolExecutor(self.settings.validators, thread_name_prefix="chokepoints-validate")
        self.pending = threading.BoundedSemaphore(self.settings.max_validations)

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir

    def db(self) -> Any:
        """This thread's connection to the job store."""
        con = getattr(self._local, "con", None)
        if con is None:
            con = self._local.con = store.connect(self.data_dir)
        return con

    async def off_loop(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` in the validation pool; 429 when ``max_validations`` are already waiting."""
        if not self.pending.acquire(blocking=False):
            raise ApiError(429, f"{self.settings.max_validations} validations are waiting; try again shortly")
        try:
            return await asyncio.get_running_loop().run_in_executor(self.validators, fn, *args)
        finally:
            self.pending.release()

    def submit(self, job_id: str) -> None:
        """Hand a queued job to the worker pool (none while the app is not running: it stays queued)."""
        if self.pool is None:
            return
        fut: Future = self.pool.submit(self.run_job, str(self.data_dir), job_id, self.settings.max_job_memory)
        fut.add_done_callback(functools.partial(self._after, job_id=job_id))

    def _after(self, fut: Future, *, job_id: str) -> None:
        if fut.cancelled() or fut.exception() is None:
            return
        con = store.connect(self.data_dir)  # a worker died (killed, out of memory): record it, never lose the job
        try:
            job = store.get(con, job_id)
            if job and job["status"] in store.UNFINISHED:
                store.finish(con, job_id, error=f"worker failed: {fut.exception()!r}")
        finally:
            con.close()

    def in_data(self, path: Path) -> Path:
        """``path`` resolved, refused (404) unless it lies inside the data folder."""
        root = self.data_dir.resolve()
        p = path.resolve()
        if not p.is_relative_to(root):
            raise ApiError(404, "not found")
        return p

    def check_size(self, text: str, what: str = "scenario") -> None:
        """413 when ``text`` is over ``max_upload`` bytes (UTF-8)."""
        size = len(text.encode("utf-8"))
        if size > self.settings.max_upload:
            raise ApiError(413, f"{what} is {size:,} bytes; the limit is {self.settings.max_upload:,}")

    def job(self, job_id: str) -> dict[str, Any]:
        """A job by id (32 hex digits; anything else is 404 before the store is asked)."""
        if not JOB_ID.fullmatch(job_id):
            raise ApiError(404, "no such job")
        j = store.get(self.db(), job_id)
        if j is None:
            raise ApiError(404, "no such job")
        return j

    def done(self, job_id: str) -> dict[str, Any]:
        """A finished job; 409 when it failed or is not finished."""
        j = self.job(job_id)
        if j["status"] == "failed":
            raise ApiError(409, f"the job failed: {j['error']}")
        if j["status"] != "done":
            raise ApiError(409, f"the job is {j['status']}; its result is not ready")
        return j


def get_context(request: Request) -> Context:
    return request.app.state.ctx


Ctx = Annotated[Context, Depends(get_context)]


def job_out(j: dict[str, Any] | None) -> dict[str, Any]:
    """A job as the API answers it: its row plus links to its result files once it is done."""
    assert j is not None
    out = dict(j)
    out["links"] = {
        "self": f"{API}/jobs/{j['id']}",
        **(
            {
                "result": f"{API}/jobs/{j['id']}/result",
                "report": f"{API}/jobs/{j['id']}/report",
                "csv": f"{API}/jobs/{j['id']}/result?format=csv",
                **({} if j["kind"] in NO_DATASET else {"netcdf": f"{API}/jobs/{j['id']}/result?format=netcdf"}),
            }
            if j["status"] == "done"
            else {}
        ),
    }
    return out


def bundled_text(name: str) -> str:
    """The text of a bundled scenario, looked up by name only (never as a path)."""
    from ..scenario.library import list_scenarios

    for s in list_scenarios():
        if s.name == name:
            return s.path.read_text(encoding="utf-8")
    raise ApiError(404, f"no bundled scenario named {name!r}")
