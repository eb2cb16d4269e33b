"""Routes: check a scenario posted as text (``/validate``) or as a file (``/upload``)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from ..errors import InputError
from .common import API, ApiError, Context, Ctx, error_response
from .jobs import KINDS
from .routes_meta import parameters
from .uploads import check_scenario_cached, problems_json

router = APIRouter()


class ScenarioIn(BaseModel):
    text: str = Field(description="scenario YAML")
    overrides: dict[str, float] = Field(default_factory=dict, description="numbers set from the page")


@router.post(f"{API}/validate")
async def validate(body: ScenarioIn, ctx: Ctx) -> JSONResponse:
    """Check a scenario as ``chokepoints validate`` does; 200 when valid, 422 with located problems
    (429 when too many validations are waiting)."""
    return await ctx.off_loop(check_text, ctx, body.text, body.overrides)


@router.post(f"{API}/upload")
async def upload(request: Request, ctx: Ctx) -> JSONResponse:
    """A scenario file as multipart form data (field ``file``); answered as ``validate`` plus its text."""
    limit = ctx.settings.max_upload
    form = await request.form()
    f = form.get("file")
    if f is None or isinstance(f, str):
        raise ApiError(422, "expected a form field 'file' holding the scenario")
    raw = await f.read(limit + 1)
    if len(raw) > limit:
        raise ApiError(413, f"scenario over {limit:,} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(422, "the scenario must be UTF-8 text") from None
    resp = await ctx.off_loop(check_text, ctx, text, {})
    body = json.loads(bytes(resp.body))
    body["text"] = text
    return JSONResponse(body, resp.status_code)


def check_text(ctx: Context, text: str, overrides: dict[str, float]) -> JSONResponse:
    """The answer of ``/validate``: 200 with the scenario's outline, or 422 with located problems."""
    ctx.check_size(text)
    s = ctx.settings
    try:
        checked = check_scenario_cached(text, overrides, max_upload=s.max_upload, max_depth=s.max_depth)
    except InputError as exc:
        return error_response(422, "the scenario does not validate", problems_json(exc))
    sc = checked.scenario
    out: dict[str, Any] = {
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
    return JSONResponse(out)
