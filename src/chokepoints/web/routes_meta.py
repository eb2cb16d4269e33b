"""Routes: the page, Plotly, health, the bundled datasets and scenarios, the shared format rules."""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from . import store
from .common import API, Ctx, bundled_text
from .jobs import KINDS

router = APIRouter()


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


# -- the page --------------------------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def page() -> HTMLResponse:
    return HTMLResponse((resources.files("chokepoints.web") / "static" / "index.html").read_text("utf-8"))


@router.get("/static/plotly.min.js", include_in_schema=False)
def plotly_js() -> Response:
    from plotly.offline import get_plotlyjs

    return Response(get_plotlyjs(), media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})


# -- catalogue -------------------------------------------------------------------------------------
@router.get(f"{API}/health")
def health(ctx: Ctx) -> dict[str, Any]:
    """Liveness, queue length and limits."""
    s = ctx.settings
    return {
        "ok": True,
        "unfinished_jobs": store.count_unfinished(ctx.db()),
        "limits": {
            "max_queue": s.max_queue,
            "max_runs": s.max_runs,
            "max_job_memory": s.max_job_memory,
            "max_upload": s.max_upload,
        },
    }


@router.get(f"{API}/datasets")
def datasets() -> list[dict[str, Any]]:
    """The bundled datasets: name, version, title."""
    from ..datasets import bundled_metadata, list_bundled

    return [{k: bundled_metadata(n).get(k) for k in ("name", "version", "title", "base_year")} for n in list_bundled()]


@router.get(f"{API}/scenarios")
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


@router.get(f"{API}/scenarios/{{name}}")
def scenario(name: str) -> dict[str, Any]:
    """One bundled scenario: its YAML text and the numbers the page can change."""
    text = bundled_text(name)
    from ..scenario.library import command_for
    from ..yamlio import load_yaml_with_marks

    data, _ = load_yaml_with_marks(text, name)
    return {"name": name, "text": text, "command": command_for(data, False), "parameters": parameters(data)}


@router.get(f"{API}/format")
def format_rules() -> dict[str, Any]:
    """The column labels and number rules the reports and the page share."""
    from ..report.components import format_rules as rules

    return rules()
