"""``chokepoints serve [--host] [--port] [--data DIR] [--workers N]``: the web page and HTTP API.

Binds 127.0.0.1 by default. On any other address a token is required: ``--token`` or the
environment variable ``CHOKEPOINTS_TOKEN``, else one is generated and printed with the page's
address. Needs the ``web`` extra (``pip install "chokepoints[web]"``).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Annotated

import typer

from ._common import console, fail


def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to bind (a token is required off loopback)")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port (0: any free port)")] = 8000,
    data: Annotated[
        Path, typer.Option("--data", help="Folder for the job store and results (the only folder requests reach)")
    ] = Path("chokepoints-data"),
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Worker processes for jobs")] = 2,
    token: Annotated[
        str | None, typer.Option("--token", envvar="CHOKEPOINTS_TOKEN", help="Require this token (Bearer or ?token=)")
    ] = None,
    max_runs: Annotated[int, typer.Option("--max-runs", min=1, help="Runs per job at most")] = 500,
    max_queue: Annotated[int, typer.Option("--max-queue", min=1, help="Jobs queued or running at most")] = 64,
    max_job_memory: Annotated[
        str, typer.Option("--max-job-memory", help="Memory one job may record, e.g. 1GiB, 500MB")
    ] = "1GiB",
    max_upload: Annotated[
        int, typer.Option("--max-upload", min=1024, help="Bytes of scenario or article text at most")
    ] = 262144,
) -> None:
    """Serve the page and the HTTP API (under /api/v1) for running and comparing scenarios."""
    try:
        import uvicorn

        from ..web import Settings, create_app
    except ImportError as exc:
        fail(f"chokepoints serve needs the web extra: pip install 'chokepoints[web]' ({exc.name} is missing)")
    from ..engine.simulate import parse_bytes
    from ..errors import InputError
    from ..web.settings import LOOPBACK

    try:
        memory = parse_bytes(max_job_memory) or 0
    except InputError as exc:
        fail(f"--max-job-memory: {exc.problems[0].message}")
    if host not in LOOPBACK and not token:
        token = secrets.token_urlsafe(24)
    settings = Settings(
        data_dir=data.resolve(),
        token=token,
        workers=workers,
        max_queue=max_queue,
        max_runs=max_runs,
        max_job_memory=memory,
        max_upload=max_upload,
    )
    app = create_app(settings)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    console.print(f"chokepoints serve: {url} · data {settings.data_dir} · {workers} workers", highlight=False)
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    uvicorn.run(app, host=host, port=port, log_level="warning")
