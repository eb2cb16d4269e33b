"""Routes: a finished job's result files, its table as HTML, its report, two jobs compared.

Formats come from a fixed list (:data:`FORMATS`); every file a route opens is checked to lie
inside the data folder. A format a job's kind does not make (NetCDF of a ``claims`` job, which
makes no Dataset; Parquet on a server without a Parquet engine) is a 404 that says so.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, Response

from . import store
from .common import API, NO_DATASET, ApiError, Context, Ctx, job_out
from .jobs import payload_table_html, write_report_for

router = APIRouter()
FORMATS = {
    "json": ("result.json", "application/json"),
    "csv": ("summary.csv", "text/csv; charset=utf-8"),
    "parquet": ("summary.parquet", "application/vnd.apache.parquet"),
    "netcdf": ("result.nc", "application/x-netcdf"),
}


def _payload(ctx: Context, j: dict[str, Any]) -> dict[str, Any]:
    path = ctx.in_data(store.job_dir(ctx.data_dir, j["id"]) / "result.json")
    return json.loads(path.read_text("utf-8"))


def _missing(kind: str, format: str) -> str:
    made = [f for f in FORMATS if not (f == "netcdf" and kind in NO_DATASET)]
    if format == "netcdf" and kind in NO_DATASET:
        why = f"a {kind} job makes no Dataset, so it has no NetCDF result"
    elif format == "parquet":
        why = "Parquet needs pyarrow or fastparquet, which this server does not have"
        made.remove("parquet")
    else:
        why = f"this job has no {format} result"
    return f"{why} (formats of a {kind} job: {', '.join(made)})"


@router.get(f"{API}/jobs/{{job_id}}/result")
def result(job_id: str, ctx: Ctx, format: str = "json") -> Response:
    """The result of a finished job as ``json`` (table and charts), ``csv``, ``parquet`` or ``netcdf``
    (every kind but ``claims``)."""
    if format not in FORMATS:
        raise ApiError(404, f"unknown format {format!r}; one of {', '.join(FORMATS)}")
    j = ctx.done(job_id)
    name, media = FORMATS[format]
    path = ctx.in_data(store.job_dir(ctx.data_dir, j["id"]) / name)
    if not path.is_file():
        raise ApiError(404, _missing(j["kind"], format))
    filename = f"{j['scenario_name']}-{j['id'][:8]}-{name}"
    return FileResponse(path, media_type=media, filename=filename if format != "json" else None)


@router.get(f"{API}/jobs/{{job_id}}/table", response_class=HTMLResponse)
def table(job_id: str, ctx: Ctx) -> HTMLResponse:
    """The summary table of a finished job as an HTML fragment, written by the same table
    component as the static reports (named columns, units, thousands separators)."""
    return HTMLResponse(payload_table_html(_payload(ctx, ctx.done(job_id))))


@router.get(f"{API}/jobs/{{job_id}}/report", response_class=HTMLResponse)
def report(job_id: str, ctx: Ctx) -> Response:
    """The HTML report of a finished job (written on first request)."""
    j = ctx.done(job_id)
    text = store.scenario_text(ctx.db(), j["id"]) or ""
    path = ctx.in_data(write_report_for(ctx.data_dir, j, text))
    return FileResponse(path, media_type="text/html; charset=utf-8")


@router.get(f"{API}/compare")
def compare(a: str, b: str, ctx: Ctx) -> dict[str, Any]:
    """Two finished jobs side by side: their tables joined on the key columns, with b - a."""
    ja, jb = ctx.done(a), ctx.done(b)
    pa, pb = _payload(ctx, ja), _payload(ctx, jb)
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
    return {"a": job_out(ja), "b": job_out(jb), "key_columns": keys, "columns": pa["columns"], "rows": rows}
