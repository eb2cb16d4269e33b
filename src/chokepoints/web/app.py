"""The FastAPI application: the page, the API under ``/api/v1``, the worker pool.

Routes live in routers by concern: :mod:`.routes_meta` (page, health, datasets, scenarios, format
rules), :mod:`.routes_validate` (validate, upload), :mod:`.routes_jobs` (submit, list, status) and
:mod:`.routes_results` (result files, table, report, compare); they share one
:class:`~chokepoints.web.common.Context`.

Errors are JSON ``{"error": {"status", "message", "problems": [...]}}``; a scenario problem
carries ``line``, ``column`` and ``field`` as the CLI prints them. Status codes: 401 missing or
wrong token, 404 unknown scenario, job or format (or a format the job's kind does not make),
409 result not ready, 413 upload too large, 422 invalid scenario or article / too many runs /
over the memory limit, 429 queue full or too many validations waiting.

Security: no route takes a path. Scenario names are looked up in the bundled library, job ids
must be 32 hex digits, result formats come from a fixed list, no scenario field may name a file
(:func:`chokepoints.web.uploads.file_problems`), an article is posted as text, and every file a
route opens is checked to lie inside ``settings.data_dir``. CORS is off unless origins are given.
Every response carries security headers (CSP, no framing, no sniffing, no referrer).
"""

from __future__ import annotations

import hmac
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import InputError, Problem
from . import routes_jobs, routes_meta, routes_results, routes_validate, store
from .common import API, ApiError, Context, error_response
from .jobs import run_job
from .pool import worker_init
from .routes_meta import parameters
from .settings import Settings
from .uploads import SOURCE, problems_json, warm

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


def create_app(settings: Settings) -> FastAPI:
    """The application; its worker pool starts with the app (``lifespan``) and re-queues unfinished jobs."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    ctx = Context(settings, run_job)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        if settings.start_workers:
            ctx.pool = ProcessPoolExecutor(
                settings.workers, mp_context=multiprocessing.get_context("spawn"), initializer=worker_init
            )
            ctx.validators.submit(warm)  # load the bundled Worlds before the first validation needs them
        for job_id in store.requeue_unfinished(ctx.db()):
            ctx.submit(job_id)
        try:
            yield
        finally:
            pool, ctx.pool = ctx.pool, None
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
            ctx.validators.shutdown(wait=False, cancel_futures=True)

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
    _add_guard(app, settings)
    _add_error_handlers(app)
    for module in (routes_meta, routes_validate, routes_jobs, routes_results):
        app.include_router(module.router)
    app.state.settings = settings
    app.state.ctx = ctx
    return app


def _add_guard(app: FastAPI, settings: Settings) -> None:
    """Refuse over-long bodies (413) and requests without the token (401); add the security headers."""

    @app.middleware("http")
    async def guard(request: Request, call_next):
        path = request.url.path
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > settings.max_upload + 64 * 1024:
            resp: Response = error_response(413, f"request body over {settings.max_upload:,} bytes")
        elif settings.token and path not in PUBLIC and not _token_ok(request, settings.token):
            resp = error_response(
                401, "a token is required: Authorization: Bearer <token> (printed by chokepoints serve)"
            )
        else:
            resp = await call_next(request)
        for k, v in SECURITY_HEADERS.items():
            resp.headers.setdefault(k, v)
        resp.headers.setdefault("Cache-Control", "no-store")
        return resp


def _add_error_handlers(app: FastAPI) -> None:
    """Every error as ``{"error": {"status", "message", "problems"}}``."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.message, exc.problems)

    @app.exception_handler(InputError)
    async def _input_error(request: Request, exc: InputError) -> JSONResponse:
        return error_response(422, "invalid input", problems_json(exc))

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
        return error_response(422, "invalid request", problems)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(exc.status_code, str(exc.detail))


def _token_ok(request: Request, token: str) -> bool:
    given = request.headers.get("authorization", "")
    if given.lower().startswith("bearer "):
        given = given[7:].strip()
    else:
        given = request.query_params.get("token", "")
    return bool(given) and hmac.compare_digest(given.encode(), token.encode())


__all__ = ["API", "ApiError", "Problem", "SOURCE", "create_app", "parameters"]
