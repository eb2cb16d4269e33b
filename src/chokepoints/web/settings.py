"""The server's folders and limits, in one frozen record."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


@dataclass(frozen=True)
class Settings:
    """What a server may do.

    data_dir: the only folder a request can reach (``jobs.sqlite`` and ``jobs/<id>/``);
    token: required as ``Authorization: Bearer <token>`` (or ``?token=``) when set; the CLI sets
    one whenever the host is not a loopback address; workers: worker processes;
    max_queue: jobs waiting or running at once (more: 429); max_runs: ensemble runs per job
    (more: 422); max_job_memory: bytes one engine job may record, estimated before it is
    queued as horizon x runs x 8 bytes x recorded values per day (more: 422; the engine is also
    given this as its ``max_memory``); max_upload: bytes of scenario text (more: 413);
    max_depth: nesting of YAML collections; cors_origins: origins allowed by CORS (none: off);
    validators: threads that validate scenarios (parse and engine compile), apart from the threads
    that answer other requests; max_validations: validations waiting or running at once (more: 429).
    """

    data_dir: Path = field(default_factory=lambda: Path("chokepoints-data"))
    token: str | None = None
    workers: int = 2
    max_queue: int = 64
    max_runs: int = 500
    max_job_memory: int = 1 << 30
    max_upload: int = 256 * 1024
    max_depth: int = 20
    cors_origins: tuple[str, ...] = ()
    validators: int = 2
    max_validations: int = 64
    start_workers: bool = True  # False: jobs stay queued (tests of the queue limit)
