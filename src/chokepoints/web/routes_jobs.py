"""Routes: submit a job (``POST /jobs``), list jobs, read one job's status.

A job's kind follows from its scenario (``run``, ``tariffs``, ``finance``) unless the request
names one: ``negotiate`` (the talks of a bundled scenario with a spec), ``backtest`` (a scenario
with a ``backtest:`` block against its observed series) or ``claims`` (an article's figures
against the bundled data; the article is posted as text in ``article``, never as a path).
Refusals: 404 unknown bundled scenario, 413 text over the upload limit, 422 invalid input, too
many runs or over the memory limit, 429 queue full or too many validations waiting.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from ..errors import InputError
from . import store
from .common import API, ApiError, Context, Ctx, bundled_text, job_out
from .jobs import KINDS
from .uploads import Checked, check_scenario_cached, check_structure, memory_estimate, problems_json

router = APIRouter()
STATUSES = ("queued", "running", "done", "failed")


class JobIn(BaseModel):
    scenario: str | None = Field(None, description="a bundled scenario's name (or give text)")
    text: str | None = Field(None, description="scenario YAML (an uploaded scenario)")
    overrides: dict[str, float] = Field(default_factory=dict)
    runs: int | None = Field(None, ge=1, description="ensemble runs (default: the scenario's, capped by the server)")
    seed: int | None = Field(None, ge=0)
    label: str = Field("", max_length=200)
    kind: Literal["negotiate", "backtest", "claims"] | None = Field(
        None,
        description="'negotiate': the talks of a bundled scenario with a negotiation spec "
        "(scenario names it; no overrides); 'backtest': the scenario (bundled or text, with a "
        "'backtest:' block, e.g. cn-rare-earth-history-2025) against its observed series; "
        "'claims': the figures of the article in 'article' checked against the bundled data "
        "(no scenario, text, overrides or runs); default: the kind follows from the scenario "
        "(run, tariffs, finance)",
    )
    article: str | None = Field(
        None, description="kind 'claims': the article, as plain text or a saved HTML page (never a path)"
    )
    article_date: dt.date | None = Field(
        None, description="kind 'claims': the article's date (default: read from the article)"
    )
    lang: Literal["zh", "en"] | None = Field(
        None, description="kind 'claims': the article's language (default: detected)"
    )


@router.post(f"{API}/jobs", status_code=202)
async def submit_job(body: JobIn, ctx: Ctx) -> dict[str, Any]:
    """Queue a job (engine run, tariffs or finance from the scenario itself; negotiate, backtest
    or claims when ``kind`` says so); 202 with the job."""
    return await ctx.off_loop(_submit_job, ctx, body)


def _submit_job(ctx: Context, body: JobIn) -> dict[str, Any]:
    if body.kind == "claims":
        return _submit_claims(ctx, body)
    if body.article is not None or body.article_date is not None or body.lang is not None:
        raise ApiError(422, "'article', 'article_date' and 'lang' belong to kind 'claims'")
    if (body.scenario is None) == (body.text is None):
        raise ApiError(422, "give exactly one of 'scenario' (a bundled name) or 'text'")
    if body.kind == "negotiate":
        return _submit_negotiation(ctx, body)
    s = ctx.settings
    text = bundled_text(body.scenario) if body.scenario is not None else str(body.text)
    ctx.check_size(text)
    check_structure(text, s.max_upload, s.max_depth)
    try:
        checked = check_scenario_cached(text, body.overrides, max_upload=s.max_upload, max_depth=s.max_depth)
    except InputError as exc:
        raise ApiError(422, "the scenario does not validate", problems_json(exc)) from None
    if body.kind == "backtest":
        return _submit_backtest(ctx, body, text, checked)
    if checked.command not in KINDS:
        raise ApiError(422, f"scenarios of kind {checked.command!r} are not run by the server")
    runs = _runs(ctx, body.runs, checked.scenario.runs)
    _check_memory(ctx, checked, runs, None)
    return _queue(ctx, checked.command, checked.scenario.name, text, dict(body.overrides), runs, body)


def _runs(ctx: Context, asked: int | None, default: int) -> int:
    runs = asked or min(default, ctx.settings.max_runs)
    if runs > ctx.settings.max_runs:
        raise ApiError(422, f"{runs:,} runs asked; this server runs at most {ctx.settings.max_runs:,} per job")
    return runs


def _check_memory(ctx: Context, checked: Checked, runs: int, record: tuple[str, ...] | None) -> None:
    need = memory_estimate(checked, runs, record)
    limit = ctx.settings.max_job_memory
    if need > limit:
        raise ApiError(
            422,
            f"the job would record about {need / 2**20:,.0f} MiB; the limit is "
            f"{limit / 2**20:,.0f} MiB per job (use fewer runs or a shorter horizon)",
        )


def _submit_negotiation(ctx: Context, body: JobIn) -> dict[str, Any]:
    from ..negotiation.loader import load_negotiation, spec_path_for
    from ..scenario.library import scenario_path

    if body.scenario is None or body.overrides:
        raise ApiError(422, "a negotiation job names a bundled scenario (no text, no overrides)")
    text = bundled_text(body.scenario)  # 404 for an unknown name, never a path
    path = scenario_path(body.scenario)
    if not spec_path_for(path).is_file():
        raise ApiError(422, f"the bundled scenario {body.scenario!r} has no negotiation spec")
    try:
        spec, _, _ = load_negotiation(path)
    except InputError as exc:
        raise ApiError(422, "the negotiation spec does not validate", problems_json(exc)) from None
    runs = _runs(ctx, body.runs, spec.runs)
    return _queue(ctx, "negotiate", body.scenario, text, {}, runs, body)


def _submit_backtest(ctx: Context, body: JobIn, text: str, checked: Checked) -> dict[str, Any]:
    from ..backtest import backtest_spec_of
    from .backtest_job import RECORD

    sc = checked.scenario
    if checked.command != "run":
        raise ApiError(422, f"a back-test simulates the engine; this is a {checked.command} scenario")
    if sc.backtest is None:
        try:
            backtest_spec_of(sc)
        except InputError as exc:
            raise ApiError(422, "the scenario has nothing to back-test", problems_json(exc)) from None
    runs = _runs(ctx, body.runs, sc.runs)
    _check_memory(ctx, checked, runs, RECORD)
    return _queue(ctx, "backtest", sc.name, text, dict(body.overrides), runs, body)


def _submit_claims(ctx: Context, body: JobIn) -> dict[str, Any]:
    from . import claims_job

    given = [k for k in ("scenario", "text", "runs") if getattr(body, k) is not None] + (
        ["overrides"] if body.overrides else []
    )
    if given:
        raise ApiError(422, f"a claims job takes an 'article' (its text), not {', '.join(map(repr, given))}")
    if body.article is None or not body.article.strip():
        raise ApiError(422, "a claims job needs 'article': the article's text (plain text or a saved HTML page)")
    ctx.check_size(body.article, "the article")
    options = {"date": body.article_date.isoformat() if body.article_date else None, "lang": body.lang}
    try:
        article = claims_job.read(body.article, options)
    except InputError as exc:
        raise ApiError(422, "the article cannot be checked", problems_json(exc)) from None
    name = f"article-{article.date.isoformat()}"
    return _queue(ctx, "claims", name, body.article, {}, None, body, options)


def _queue(
    ctx: Context,
    kind: str,
    name: str,
    text: str,
    overrides: dict[str, Any],
    runs: int | None,
    body: JobIn,
    options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    with ctx.lock:  # the count and the insert together, so the queue limit holds under concurrency
        if store.count_unfinished(ctx.db()) >= ctx.settings.max_queue:
            raise ApiError(429, f"the queue is full ({ctx.settings.max_queue} jobs); try again later")
        job_id = store.insert(
            ctx.db(),
            kind=kind,
            scenario_name=name,
            scenario_text=text,
            overrides=overrides,
            runs=runs,
            seed=body.seed,
            label=body.label,
            options=options,
        )
    ctx.submit(job_id)
    return job_out(store.get(ctx.db(), job_id))


@router.get(f"{API}/jobs")
def jobs(ctx: Ctx, status: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """Jobs, newest first; ``status`` filters (queued, running, done, failed)."""
    if status is not None and status not in STATUSES:
        raise ApiError(422, "status must be queued, running, done or failed")
    return [job_out(j) for j in store.list_jobs(ctx.db(), status, max(1, min(limit, 10_000)))]


@router.get(f"{API}/jobs/{{job_id}}")
def job(job_id: str, ctx: Ctx) -> dict[str, Any]:
    """One job: status, progress (0..1), message, error."""
    return job_out(ctx.job(job_id))
