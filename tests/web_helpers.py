"""Helpers shared by the web API tests: wait for a job to end, read a JSON error body."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

API = "/api/v1"


def wait(client: TestClient, job_id: str, timeout: float = 120) -> dict:
    """Poll a job until it is done or failed; fail the test after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        j = client.get(f"{API}/jobs/{job_id}").json()
        if j["status"] in ("done", "failed"):
            return j
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} not finished in {timeout} s")


def error_of(resp) -> dict:
    """The ``error`` object of a JSON error response, checked to carry the response's status."""
    body = resp.json()
    assert set(body) == {"error"} and body["error"]["status"] == resp.status_code
    return body["error"]
