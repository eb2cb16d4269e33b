"""``chokepoints serve``: an HTTP API (FastAPI, under ``/api/v1``) and one interactive page.

Layers, each a small module:

* :mod:`.settings` -- the server's limits and folders (:class:`Settings`);
* :mod:`.uploads`  -- scenario text from a request: size, depth and alias limits, then the
  project's YAML loader and the engine's cross-reference check, errors as located JSON;
* :mod:`.store`    -- the job table in SQLite (``<data>/jobs.sqlite``), which survives restarts;
* :mod:`.jobs`     -- what a worker process does with one job (engine run, tariffs, finance,
  negotiate; :mod:`.backtest_job` and :mod:`.claims_job` for back-tests and claims checks)
  and the files it leaves in ``<data>/jobs/<id>/`` (:mod:`.payload`);
* :mod:`.common`   -- what the routers share: errors, the app's :class:`~.common.Context`, job lookups;
* :mod:`.routes_meta`, :mod:`.routes_validate`, :mod:`.routes_jobs`, :mod:`.routes_results` --
  the API's routers (catalogue; validate and upload; jobs; results, report and compare);
* :mod:`.app`      -- the FastAPI application: the routers, security headers, token check;
* ``static/index.html`` -- the page (Plotly is served from the installed ``plotly`` package).

Needs the ``web`` extra: ``pip install "chokepoints[web]"``. Nothing here is imported by
``chokepoints --help``.
"""

from __future__ import annotations

from .settings import Settings

__all__ = ["Settings", "create_app"]


def create_app(settings: Settings | None = None):  # noqa: ANN201 - FastAPI is an optional dependency
    """The FastAPI application for ``settings`` (see :func:`chokepoints.web.app.create_app`)."""
    from .app import create_app as _create

    return _create(settings or Settings())
