"""The job table: SQLite (stdlib ``sqlite3``) in ``<data>/jobs.sqlite``, shared by the server and its workers.

One row per job; ``status`` moves queued -> running -> done | failed. A worker claims a job with
one conditional UPDATE (``status='queued'`` -> ``'running'``), so a job put in the pool twice
runs once. On start a server calls :func:`requeue_unfinished`: jobs a killed server left
``running`` are ``queued`` again, and every queued job is handed to the pool in the order it came.
WAL journal mode lets the workers write progress while the server reads.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  scenario_name TEXT NOT NULL,
  scenario_text TEXT NOT NULL,
  overrides TEXT NOT NULL,
  options TEXT NOT NULL DEFAULT '{}',
  runs INTEGER,
  seed INTEGER,
  label TEXT NOT NULL DEFAULT '',
  progress REAL NOT NULL DEFAULT 0,
  message TEXT NOT NULL DEFAULT '',
  error TEXT,
  created REAL NOT NULL,
  started REAL,
  finished REAL,
  attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs(status, created);
"""
UNFINISHED = ("queued", "running")
_COLUMNS = (
    "id, kind, status, scenario_name, runs, seed, label, progress, message, error, created, started, finished, "
    "attempts, overrides, options"
)


def connect(data_dir: Path) -> sqlite3.Connection:
    """A connection to ``data_dir/jobs.sqlite`` (created with its table when missing)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(data_dir / "jobs.sqlite", timeout=30, isolation_level=None, check_same_thread=False)
    con.row_factory = sqlite3.Row
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.executescript(SCHEMA)
    columns = {r[1] for r in con.execute("PRAGMA table_info(jobs)")}
    if "options" not in columns:  # a job table written before jobs had options (claims: date, lang)
        try:
            con.execute("ALTER TABLE jobs ADD COLUMN options TEXT NOT NULL DEFAULT '{}'")
        except sqlite3.OperationalError:  # another process added it first
            pass
    return con


def job_dir(data_dir: Path, job_id: str) -> Path:
    """The folder of one job's files (inside ``data_dir``; ``job_id`` is a uuid hex from :func:`insert`)."""
    return data_dir / "jobs" / job_id


def _row(r: sqlite3.Row) -> dict[str, Any]:
    d = dict(r)
    d["overrides"] = json.loads(d.get("overrides") or "{}")
    d["options"] = json.loads(d.get("options") or "{}")
    return d


def insert(
    con: sqlite3.Connection,
    *,
    kind: str,
    scenario_name: str,
    scenario_text: str,
    overrides: dict[str, Any],
    runs: int | None,
    seed: int | None,
    label: str = "",
    options: dict[str, Any] | None = None,
) -> str:
    """Record a queued job; return its id. ``scenario_text`` is the job's input text (a scenario's
    YAML, or the article of a claims job); ``options`` what else its kind needs (claims: date, lang)."""
    job_id = uuid.uuid4().hex
    con.execute(
        "INSERT INTO jobs (id, kind, status, scenario_name, scenario_text, overrides, options, runs, seed, label,"
        " created) VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            job_id,
            kind,
            scenario_name,
            scenario_text,
            json.dumps(overrides),
            json.dumps(options or {}),
            runs,
            seed,
            label,
            time.time(),
        ),
    )
    return job_id


def get(con: sqlite3.Connection, job_id: str) -> dict[str, Any] | None:
    r = con.execute(f"SELECT {_COLUMNS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
    return _row(r) if r else None


def scenario_text(con: sqlite3.Connection, job_id: str) -> str | None:
    r = con.execute("SELECT scenario_text FROM jobs WHERE id = ?", (job_id,)).fetchone()
    return r[0] if r else None


def list_jobs(con: sqlite3.Connection, status: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """Jobs, newest first (at most ``limit``)."""
    if status:
        rows = con.execute(
            f"SELECT {_COLUMNS} FROM jobs WHERE status = ? ORDER BY created DESC LIMIT ?", (status, limit)
        )
    else:
        rows = con.execute(f"SELECT {_COLUMNS} FROM jobs ORDER BY created DESC LIMIT ?", (limit,))
    return [_row(r) for r in rows]


def count_unfinished(con: sqlite3.Connection) -> int:
    return int(con.execute("SELECT COUNT(*) FROM jobs WHERE status IN ('queued', 'running')").fetchone()[0])


def claim(con: sqlite3.Connection, job_id: str) -> bool:
    """queued -> running; False when another worker has it or it is finished."""
    cur = con.execute(
        "UPDATE jobs SET status='running', started=?, attempts=attempts+1 WHERE id=? AND status='queued'",
        (time.time(), job_id),
    )
    return cur.rowcount == 1


def set_progress(con: sqlite3.Connection, job_id: str, progress: float, message: str = "") -> None:
    con.execute("UPDATE jobs SET progress=?, message=? WHERE id=?", (float(progress), message, job_id))


def finish(con: sqlite3.Connection, job_id: str, error: str | None = None) -> None:
    con.execute(
        "UPDATE jobs SET status=?, error=?, finished=?, progress=CASE WHEN ? IS NULL THEN 1 ELSE progress END "
        "WHERE id=?",
        ("failed" if error else "done", error, time.time(), error, job_id),
    )


def requeue_unfinished(con: sqlite3.Connection) -> list[str]:
    """Put jobs a stopped server left running back in the queue; return every queued id, oldest first."""
    con.execute("UPDATE jobs SET status='queued', progress=0, message='re-queued after restart' WHERE status='running'")
    return [r[0] for r in con.execute("SELECT id FROM jobs WHERE status='queued' ORDER BY created")]
