"""The FastAPI application: the page, the API under ``/api/v1``, the worker pool.

Errors are JSON ``{"error": {"status", "message", "problems": [...]}}``; a scenario problem
carries ``line``, ``column`` and ``field`` as the CLI prints them. Status codes: 401 missing or
wrong token, 404 unknown scenario, job or format, 409 result not ready, 413 upload too large,
422 invalid scenario / too many runs / over the memory limit, 429 queue full or too many
validations waiting.

Security: no route takes a path. Scenario names are looked up in the bundled library, job ids
must be 32 hex digits, result formats come from a fixed list, and every file a route opens is
checked to lie inside ``settings.data_dir``. CORS is off unless origins are given. Every response
carries security headers (CSP, no framing, no sniffing, no referrer).
"""

from __future__ import annotations

import functools
import hmac
import re
import threading
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import InputError, Problem
from . import store
from .jobs import KINDS, payload_table_html, run_job, write_report_for
from .pool import worker_init
from .settings import Settings
from .uploads import SOURCE, check_scenario_cached, check_structure, memory_estimate, problems_json, warm

API = "/api/v1"
JOB_ID = re.compile(r"[0-9a-f]{32}")
FORMATS = {
    "json": ("result.json", "application/json"),
    "csv": ("summary.csv", "text/csv; charset=utf-8"),
    "parquet": ("summary.parquet", "application/vnd.apache.parquet"),
    "netcdf": ("result.nc", "application/x-netcdf"),
}
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    ),
}
PUBLIC = ("/", "/static/plotly.min.js", "/favicon.ico")  # code only, no data: served without the token


class ApiError(Exception):
    """An error answered as JSON with ``status``."""

    def __init__(self, status: int, message: str, problems: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.status, self.message, self.problems = status, message, problems or []


class ScenarioIn(BaseModel):
    text: str = Field(description="scenario YAML")
    overrides: dict[str, float] = Field(default_factory=dict, description="numbers set from the page")


class JobIn(BaseModel):
    scenario: str | None = Field(None, description="a bundled scenario's name (or give text)")
    text: str | None = Field(None, description="scenario YAML (an uploaded scenario)")
    overrides: dict[str, float] = Field(default_factory=dict)
    runs: int | None = Field(None, ge=1, description="ensemble runs (default: the scenario's, capped by the server)")
    seed: int | None = Field(None, ge=0)
    label: str = Field("", max_length=200)
    kind: Literal["negotiate"] | None = Field(
        None,
        description="'negotiate': the talks of a bundled scenario with a negotiation spec "
        "(scenario names it; no overrides); default: the kind follows from the scenario (run, tariffs, finance)",
    )


def _error(status: int, message: str, problems: list[dict[str, Any]] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"status": status, "message": message, "problems": problems or []}}, status)


def parameters(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The numbers the page offers: every numeric field of an event with an id, and every declared
    uncertain parameter (its bounds); an event number that is declared uncertain says so."""
    uncertain = [u for u in data.get("uncertain") or [] if isinstance(u, dict)]
    by_param = {str(u.get("parameter")): (i, u) for i, u in enumerate(uncertain)}
    out: list[dict[str, Any]] = []
    for e in data.get("events") or []:
        if not isinstance(e, dict) or not e.get("id"):
            continue
        for k, v in e.items():
            if k in ("on",) or isinstance(v, bool) or not isinstance(v, int | float):
                continue
            key = f"events.{e['id']}.{k}"
            hit = by_param.get(key)
            out.append(
                {
                    "key": key,
                    "group": "event",
                    "label": f"{e['id']}: {k.replace('_', ' ')}",
                    "value": v,
                    "uncertain": _dist(hit[1]) if hit else None,
                }
            )
    for i, u in enumerate(uncertain):
        for b in ("low", "mode", "high"):
            if isinstance(u.get(b), int | float):
                where = u.get("where")
                label = f"{u.get('parameter')}{' ' + str(where) if where else ''}: {b}"
                out.append(
                    {
                        "key": f"uncertain.{i}.{b}",
                        "group": "uncertain",
                        "label": label,
                        "value": u[b],
                        "uncertain": None,
                    }
                )
    return out


def _dist(u: dict[str, Any]) -> str:
    bounds = ", ".join(f"{b} {u[b]}" for b in ("low", "mode", "high") if b in u)
    return f"{u.get('distribution')} ({bounds})"


def _in_data(settings: Settings, path: Path) -> Path:
    """``path`` resolved, refused unless it lies inside the data folder."""
    root = settings.data_dir.resolve()
    p = path.resolve()
    if not p.is_relative_to(root):
        raise ApiError(404, "not found")
    return p


# long: every route is a closure over the app's settings, store connections and pools; not yet split into routers
def create_app(settings: Settings) -> FastAPI:
    """The application; its worker pool starts with the app (``lifespan``) and re-queues unfinished jobs."""
    data_dir = settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    local = threading.local()
    state: dict[str, Any] = {"pool": None}
    lock = threading.Lock()
    # validation (YAML parse, model, engine compile) runs in its own bounded pool, never on the event
    # loop and never in the threads that answer reads; a full queue is refused with 429
    validators = ThreadPoolExecutor(settings.validators, thread_name_prefix="chokepoints-validate")
    pending = threading.BoundedSemaphore(settings.max_validations)

    async def off_loop(fn: Any, *args: Any) -> Any:
        import asyncio

        if not pending.acquire(blocking=False):
            raise ApiError(429, f"{settings.max_validations} validations are waiting; try again shortly")
        try:
            return await asyncio.get_running_loop().run_in_executor(validators, fn, *args)
        finally:
            pending.release()

    def db():  # one connection per thread
        con = getattr(local, "con", None)
        if con is None:
            con = local.con = store.connect(data_dir)
        return con

    def submit(job_id: str) -> None:
        pool = state["pool"]
        if pool is None:
            return
        fut: Future = pool.submit(run_job, str(data_dir), job_id, settings.max_job_memory)
        fut.add_done_callback(functools.partial(_after, job_id=job_id))

    def _after(fut: Future, *, job_id: str) -> None:
        if fut.cancelled() or fut.exception() is None:
            return
        con = store.connect(data_dir)  # a worker died (killed, out of memory): record it, never lose the job
        try:
            job = store.get(con, job_id)
            if job and job["status"] in store.UNFINISHED:
                store.finish(con, job_id, error=f"worker failed: {fut.exception()!r}")
        finally:
            con.close()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        import multiprocessing

        if settings.start_workers:
            state["pool"] = ProcessPoolExecutor(
                settings.workers, mp_context=multiprocessing.get_context("spawn"), initializer=worker_init
            )
            validators.submit(warm)  # load the bundled Worlds before the first validation needs them
        for job_id in store.requeue_unfinished(db()):
            submit(job_id)
        try:
            yield
        finally:
            pool, state["pool"] = state["pool"], None
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
            validators.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(
        title="chokepoints",
        version="1",
        summary="Run, watch and compare chokepoints scenarios.",
        lifespan=lifespan,
        openapi_url=f"{API}/openapi.json",
        docs_url=f"{API}/docs",
        redoc_url=None,
    )
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_methods=["GET", "POST"])

    @app.middleware("http")
    async def guard(request: Request, call_next):
        path = request.url.path
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > settings.max_upload + 64 * 1024:
            resp: Response = _error(413, f"request body over {settings.max_upload:,} bytes")
        elif settings.token and path not in PUBLIC and not _token_ok(request, settings.token):
            resp = _error(401, "a token is required: Authorization: Bearer <token> (printed by chokepoints serve)")
        else:
            resp = await call_next(request)
        for k, v in SECURITY_HEADERS.items():
            resp.headers.setdefault(k, v)
        resp.headers.setdefault("Cache-Control", "no-store")
        return resp

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.message, exc.problems)

    @app.exception_handler(InputError)
    async def _input_error(request: Request, exc: InputError) -> JSONResponse:
        return _error(422, "invalid input", problems_json(exc))

    @app.exception_handler(RequestValidationError)
    async def _request_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {
                "source": "request",
                "message": e.get("msg", ""),
                "field": ".".join(str(x) for x in e.get("loc", ())),
                "line": None,
                "column": None,
                "row": None,
                "text": e.get("msg", ""),
            }
            for e in exc.errors()
        ]
        return _error(422, "invalid request", problems)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail))

    # -- the page ------------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> HTMLResponse:
        return HTMLResponse((resources.files("chokepoints.web") / "static" / "index.html").read_text("utf-8"))

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> Response:
        from plotly.offline import get_plotlyjs

        return Response(get_plotlyjs(), media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})

    # -- catalogue -----------------------------------------------------------------------------
    @app.get(f"{API}/health")
    def health() -> dict[str, Any]:
        """Liveness, queue length and limits."""
        return {
            "ok": True,
            "unfinished_jobs": store.count_unfinished(db()),
            "limits": {
                "max_queue": settings.max_queue,
                "max_runs": settings.max_runs,
                "max_job_memory": settings.max_job_memory,
                "max_upload": settings.max_upload,
            },
        }

    @app.get(f"{API}/datasets")
    def datasets() -> list[dict[str, Any]]:
        """The bundled datasets: name, version, title."""
        from ..datasets import bundled_metadata, list_bundled

        return [
            {k: bundled_metadata(n).get(k) for k in ("name", "version", "title", "base_year")} for n in list_bundled()
        ]

    @app.get(f"{API}/scenarios")
    def scenarios() -> list[dict[str, Any]]:
        """The bundled scenarios: name, episode, the command that runs it, world."""
        from ..scenario.library import list_scenarios

        return [
            {
                "name": s.name,
                "episode": s.episode,
                "command": s.command,
                "world": s.world,
                "runnable": s.command in KINDS,
            }
            for s in list_scenarios()
        ]

    @app.get(f"{API}/scenarios/{{name}}")
    def scenario(name: str) -> dict[str, Any]:
        """One bundled scenario: its YAML text and the numbers the page can change."""
        text = _bundled_text(name)
        from ..yamlio import load_yaml_with_marks

        data, _ = load_yaml_with_marks(text, name)
        from ..scenario.library import command_for

        return {"name": name, "text": text, "command": command_for(data, False), "parameters": parameters(data)}

    @app.post(f"{API}/validate")
    async def validate(body: ScenarioIn) -> JSONResponse:
        """Check a scenario as ``chokepoints validate`` does; 200 when valid, 422 with located problems
        (429 when too many validations are waiting)."""
        return await off_loop(_validate, body.text, body.overrides)

    @app.post(f"{API}/upload")
    async def upload(request: Request) -> JSONResponse:
        """A scenario file as multipart form data (field ``file``); answered as ``validate`` plus its text."""
        form = await request.form()
        f = form.get("file")
        if f is None or isinstance(f, str):
            raise ApiError(422, "expected a form field 'file' holding the scenario")
        raw = await f.read(settings.max_upload + 1)
        if len(raw) > settings.max_upload:
            raise ApiError(413, f"scenario over {settings.max_upload:,} bytes")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(422, "the scenario must be UTF-8 text") from None
        resp = await off_loop(_validate, text, {})
        import json

        body = json.loads(bytes(resp.body))
        body["text"] = text
        return JSONResponse(body, resp.status_code)

    def _validate(text: str, overrides: dict[str, float]) -> JSONResponse:
        _check_size(text)
        try:
            checked = check_scenario_cached(
                text, overrides, max_upload=settings.max_upload, max_depth=settings.max_depth
            )
        except InputError as exc:
            return _error(422, "the scenario does not validate", problems_json(exc))
        sc = checked.scenario
        return JSONResponse(
            {
                "ok": True,
                "name": sc.name,
                "command": checked.command,
                "runnable": checked.command in KINDS,
                "events": len(sc.events),
                "uncertain": len(sc.uncertain),
                "runs": sc.runs,
                "world": sc.world,
                "parameters": parameters(checked.data),
            }
        )

    def _check_size(text: str) -> None:
        size = len(text.encode("utf-8"))
        if size > settings.max_upload:
            raise ApiError(413, f"scenario is {size:,} bytes; the limit is {settings.max_upload:,}")

    # -- jobs ----------------------------------------------------------------------------------
    @app.post(f"{API}/jobs", status_code=202)
    async def submit_job(body: JobIn) -> dict[str, Any]:
        """Queue a run (engine, tariffs or finance, from the scenario itself); 202 with the job."""
        return await off_loop(_submit_job, body)

    def _submit_job(body: JobIn) -> dict[str, Any]:
        if (body.scenario is None) == (body.text is None):
            raise ApiError(422, "give exactly one of 'scenario' (a bundled name) or 'text'")
        if body.kind == "negotiate":
            return _submit_negotiation(body)
        text = _bundled_text(body.scenario) if body.scenario is not None else str(body.text)
        _check_size(text)
        check_structure(text, settings.max_upload, settings.max_depth)
        try:
            checked = check_scenario_cached(
                text, body.overrides, max_upload=settings.max_upload, max_depth=settings.max_depth
            )
        except InputError as exc:
            raise ApiError(422, "the scenario does not validate", problems_json(exc)) from None
        if checked.command not in KINDS:
            raise ApiError(422, f"scenarios of kind {checked.command!r} are not run by the server")
        runs = body.runs or min(checked.scenario.runs, settings.max_runs)
        if runs > settings.max_runs:
            raise ApiError(422, f"{runs:,} runs asked; this server runs at most {settings.max_runs:,} per job")
        need = memory_estimate(checked, runs)
        if need > settings.max_job_memory:
            raise ApiError(
                422,
                f"the job would record about {need / 2**20:,.0f} MiB; the limit is "
                f"{settings.max_job_memory / 2**20:,.0f} MiB per job (use fewer runs or a shorter horizon)",
            )
        return _queue(checked.command, checked.scenario.name, text, dict(body.overrides), runs, body)

    def _submit_negotiation(body: JobIn) -> dict[str, Any]:
        from ..negotiation.loader import load_negotiation, spec_path_for

        if body.scenario is None or body.overrides:
            raise ApiError(422, "a negotiation job names a bundled scenario (no text, no overrides)")
        text = _bundled_text(body.scenario)  # 404 for an unknown name, never a path
        from ..scenario.library import scenario_path

        path = scenario_path(body.scenario)
        if not spec_path_for(path).is_file():
            raise ApiError(422, f"the bundled scenario {body.scenario!r} has no negotiation spec")
        try:
            spec, _, _ = load_negotiation(path)
        except InputError as exc:
            raise ApiError(422, "the negotiation spec does not validate", problems_json(exc)) from None
        runs = body.runs or min(spec.runs, settings.max_runs)
        if runs > settings.max_runs:
            raise ApiError(422, f"{runs:,} runs asked; this server runs at most {settings.max_runs:,} per job")
        return _queue("negotiate", body.scenario, text, {}, runs, body)

    def _queue(kind: str, name: str, text: str, overrides: dict[str, Any], runs: int, body: JobIn) -> dict[str, Any]:
        with lock:  # the count and the insert together, so the queue limit holds under concurrency
            if store.count_unfinished(db()) >= settings.max_queue:
                raise ApiError(429, f"the queue is full ({settings.max_queue} jobs); try again later")
            job_id = store.insert(
                db(),
                kind=kind,
                scenario_name=name,
                scenario_text=text,
                overrides=overrides,
                runs=runs,
                seed=body.seed,
                label=body.label,
            )
        submit(job_id)
        return _job_out(store.get(db(), job_id))

    @app.get(f"{API}/jobs")
    def jobs(status: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        """Jobs, newest first; ``status`` filters (queued, running, done, failed)."""
        if status is not None and status not in ("queued", "running", "done", "failed"):
            raise ApiError(422, "status must be queued, running, done or failed")
        return [_job_out(j) for j in store.list_jobs(db(), status, max(1, min(limit, 10_000)))]

    @app.get(f"{API}/jobs/{{job_id}}")
    def job(job_id: str) -> dict[str, Any]:
        """One job: status, progress (0..1), message, error."""
        return _job_out(_job(job_id))

    @app.get(f"{API}/jobs/{{job_id}}/result")
    def result(job_id: str, format: str = "json") -> Response:
        """The result of a finished job as ``json`` (table and charts), ``csv``, ``parquet`` or ``netcdf``."""
        if format not in FORMATS:
            raise ApiError(404, f"unknown format {format!r}; one of {', '.join(FORMATS)}")
        j = _done(job_id)
        name, media = FORMATS[format]
        path = _in_data(settings, store.job_dir(data_dir, j["id"]) / name)
        if not path.is_file():
            raise ApiError(404, f"this job has no {format} result")
        filename = f"{j['scenario_name']}-{j['id'][:8]}-{name}"
        return FileResponse(path, media_type=media, filename=filename if format != "json" else None)

    @app.get(f"{API}/jobs/{{job_id}}/table", response_class=HTMLResponse)
    def table(job_id: str) -> HTMLResponse:
        """The summary table of a finished job as an HTML fragment, written by the same table
        component as the static reports (named columns, units, thousands separators)."""
        import json

        j = _done(job_id)
        path = _in_data(settings, store.job_dir(data_dir, j["id"]) / "result.json")
        return HTMLResponse(payload_table_html(json.loads(path.read_text("utf-8"))))

    @app.get(f"{API}/format")
    def format_rules() -> dict[str, Any]:
        """The column labels and number rules the reports and the page share."""
        from ..report.components import format_rules as rules

        return rules()

    @app.get(f"{API}/jobs/{{job_id}}/report", response_class=HTMLResponse)
    def report(job_id: str) -> Response:
        """The HTML report of a finished job (written on first request)."""
        j = _done(job_id)
        text = store.scenario_text(db(), j["id"]) or ""
        path = _in_data(settings, write_report_for(data_dir, j, text))
        return FileResponse(path, media_type="text/html; charset=utf-8")

    @app.get(f"{API}/compare")
    def compare(a: str, b: str) -> dict[str, Any]:
        """Two finished jobs side by side: their tables joined on the key columns, with b - a."""
        import json

        ja, jb = _done(a), _done(b)
        pa, pb = (
            json.loads(_in_data(settings, store.job_dir(data_dir, j["id"]) / "result.json").read_text("utf-8"))
            for j in (ja, jb)
        )
        if pa["kind"] != pb["kind"]:
            raise ApiError(422, f"cannot compare a {pa['kind']} job with a {pb['kind']} job")
        keys = pa["key_columns"]
        index_b = {tuple(r[k] for k in keys): r for r in pb["rows"]}
        numeric = [c["key"] for c in pa["columns"] if c["key"] not in keys and c["key"] != "unit"]
        rows = []
        for r in pa["rows"]:
            other = index_b.get(tuple(r[k] for k in keys), {})
            row: dict[str, Any] = {k: r[k] for k in keys}
            for c in numeric:
                va, vb = r.get(c), other.get(c)
                row[c] = {
                    "a": va,
                    "b": vb,
                    "delta": vb - va if isinstance(va, int | float) and isinstance(vb, int | float) else None,
                }
            rows.append(row)
        return {"a": _job_out(ja), "b": _job_out(jb), "key_columns": keys, "columns": pa["columns"], "rows": rows}

    def _job(job_id: str) -> dict[str, Any]:
        if not JOB_ID.fullmatch(job_id):
            raise ApiError(404, "no such job")
        j = store.get(db(), job_id)
        if j is None:
            raise ApiError(404, "no such job")
        return j

    def _done(job_id: str) -> dict[str, Any]:
        j = _job(job_id)
        if j["status"] == "failed":
            raise ApiError(409, f"the job failed: {j['error']}")
        if j["status"] != "done":
            raise ApiError(409, f"the job is {j['status']}; its result is not ready")
        return j

    def _job_out(j: dict[str, Any] | None) -> dict[str, Any]:
        assert j is not None
        out = dict(j)
        out["links"] = {
            "self": f"{API}/jobs/{j['id']}",
            **(
                {
                    "result": f"{API}/jobs/{j['id']}/result",
                    "report": f"{API}/jobs/{j['id']}/report",
                    "csv": f"{API}/jobs/{j['id']}/result?format=csv",
                    "netcdf": f"{API}/jobs/{j['id']}/result?format=netcdf",
                }
                if j["status"] == "done"
                else {}
            ),
        }
        return out

    app.state.settings = settings
    return app


def _bundled_text(name: str) -> str:
    """The text of a bundled scenario, looked up by name only (never as a path)."""
    from ..scenario.library import list_scenarios

    for s in list_scenarios():
        if s.name == name:
            return s.path.read_text(encoding="utf-8")
    raise ApiError(404, f"no bundled scenario named {name!r}")


def _token_ok(request: Request, token: str) -> bool:
    given = request.headers.get("authorization", "")
    if given.lower().startswith("bearer "):
        given = given[7:].strip()
    else:
        given = request.query_params.get("token", "")
    return bool(given) and hmac.compare_digest(given.encode(), token.encode())


__all__ = ["API", "ApiError", "Problem", "SOURCE", "create_app", "parameters"]
