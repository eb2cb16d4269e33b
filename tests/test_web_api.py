"""HTTP API of ``chokepoints serve`` (FastAPI TestClient): every endpoint and every error status."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402
from web_helpers import error_of, wait

from chokepoints.scenario.library import scenario_path  # noqa: E402
from chokepoints.web import Settings, create_app, store  # noqa: E402
from chokepoints.web.jobs import run_job  # noqa: E402

API = "/api/v1"
RARE = "cn-rare-earth-licensing-2025-04"
APPROVAL = "events.apr_licensing.approval_rate"


def rare_text() -> str:
    return scenario_path(RARE).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("serve-data")


@pytest.fixture(scope="module")
def client(data_dir):
    app = create_app(Settings(data_dir=data_dir, workers=2, max_runs=50, max_job_memory=32 << 20, max_upload=64_000))
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def two_runs(client):
    """Two finished runs of the April-2025 scenario: approval rate 0.1 and 0.9 (fixed for every run)."""
    ids = []
    for rate in (0.1, 0.9):
        r = client.post(f"{API}/jobs", json={"scenario": RARE, "runs": 4, "seed": 7, "overrides": {APPROVAL: rate}})
        assert r.status_code == 202, r.text
        ids.append(r.json()["id"])
    return [wait(client, i) for i in ids]


def test_openapi_schema_lists_every_route(client):
    schema = client.get(f"{API}/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for p in (
        "/health",
        "/datasets",
        "/scenarios",
        "/scenarios/{name}",
        "/validate",
        "/upload",
        "/jobs",
        "/jobs/{job_id}",
        "/jobs/{job_id}/result",
        "/jobs/{job_id}/report",
        "/compare",
        "/jobs/{job_id}/table",
        "/format",
    ):
        assert API + p in paths, p
    assert set(paths[f"{API}/jobs"]) == {"get", "post"}
    assert "JobIn" in schema["components"]["schemas"]
    job_in = schema["components"]["schemas"]["JobIn"]["properties"]
    assert job_in["kind"]["anyOf"][0]["enum"] == ["negotiate", "backtest", "claims"]
    assert {"article", "article_date", "lang"} <= set(job_in)  # the inputs of kind claims
    for ops in paths.values():
        for op in ops.values():
            assert op["responses"] and op.get("summary")


def test_page_plotly_and_security_headers(client):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert '<script src="/static/plotly.min.js">' in r.text and "cdn" not in r.text.lower()
    js = client.get("/static/plotly.min.js")
    assert js.status_code == 200 and len(js.content) > 1_000_000 and b"plotly" in js.content[:2000].lower()
    for h in ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy"):
        assert h in r.headers
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    # CORS is off: no allow-origin header, preflight not answered as CORS
    r = client.get(f"{API}/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers
    r = client.options(
        f"{API}/jobs", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in r.headers


def test_health_datasets_scenarios(client):
    h = client.get(f"{API}/health").json()
    assert h["ok"] and h["limits"]["max_runs"] == 50
    ds = client.get(f"{API}/datasets").json()
    assert {d["name"] for d in ds} >= {"rare-earths-2025", "minor-metals-2024"} and all(d["version"] for d in ds)
    sc = client.get(f"{API}/scenarios").json()
    by = {s["name"]: s for s in sc}
    assert by[RARE]["command"] == "run" and by[RARE]["runnable"]
    assert by["us-china-tariffs-2025"]["command"] == "tariffs"
    one = client.get(f"{API}/scenarios/{RARE}").json()
    assert one["text"] == rare_text()
    p = {x["key"]: x for x in one["parameters"]}
    assert p[APPROVAL]["value"] == 0.25 and "triangular" in p[APPROVAL]["uncertain"]
    assert p["uncertain.0.high"]["value"] == 63


@pytest.mark.parametrize(
    "name",
    ["..%2F..%2Fpyproject", "..%2F..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "cn-rare-earth-licensing-2025-04.yaml"],
)
def test_scenario_names_never_reach_the_file_system(client, name):
    r = client.get(f"{API}/scenarios/{name}")
    assert r.status_code == 404
    assert error_of(r)["message"] in ("Not Found", f"no bundled scenario named {name!r}")


@pytest.mark.parametrize("path", ["/static/../../pyproject.toml", "/static/..%2F..%2Fpyproject.toml", "/jobs.sqlite"])
def test_no_static_path_outside(client, path):
    assert client.get(path).status_code == 404


def test_validate_ok_and_located_errors(client):
    ok = client.post(f"{API}/validate", json={"text": rare_text()})
    assert ok.status_code == 200 and ok.json()["ok"] and ok.json()["command"] == "run"
    broken = rare_text().replace("approval_rate: 0.25", "approval_rate: 2.5")
    line = broken.splitlines().index(next(x for x in broken.splitlines() if "approval_rate: 2.5" in x)) + 1
    r = client.post(f"{API}/validate", json={"text": broken})
    assert r.status_code == 422
    (p,) = error_of(r)["problems"]
    assert p["line"] == line and p["field"] == "events[0].approval_rate" and "less than or equal to 1" in p["message"]
    # a cross-reference the engine's compile step finds, at its line
    bad_region = rare_text().replace("exporter: CHN", "exporter: XXX", 1)
    r = client.post(f"{API}/validate", json={"text": bad_region})
    (p,) = error_of(r)["problems"]
    assert p["field"] == "events[0].exporter" and p["line"] == bad_region.splitlines().index("    exporter: XXX") + 1
    # YAML syntax error with its line
    r = client.post(f"{API}/validate", json={"text": "name: x\nstart: [2025\n"})
    assert r.status_code == 422 and error_of(r)["problems"][0]["line"] == 3
    # an override that is not a field
    r = client.post(f"{API}/validate", json={"text": rare_text(), "overrides": {"events.nope.approval_rate": 0.5}})
    assert r.status_code == 422 and error_of(r)["problems"][0]["field"] == "events.nope.approval_rate"
    # the request body itself
    r = client.post(f"{API}/validate", json={"txt": "x"})
    assert r.status_code == 422 and error_of(r)["problems"][0]["field"] == "body.text"


@pytest.mark.parametrize(
    "world", ["../../../etc", "/etc", "./data", "rare-earths-2025/../../x"], ids=["up", "abs", "rel", "mixed"]
)
def test_scenario_fields_cannot_name_files(client, world):
    text = rare_text().replace("world: rare-earths-2025", f"world: {world}")
    r = client.post(f"{API}/validate", json={"text": text})
    assert r.status_code == 422
    (p,) = error_of(r)["problems"]
    assert p["field"] == "world" and "bundled dataset" in p["message"]
    assert p["line"] == text.splitlines().index(f"world: {world}") + 1


def test_hardened_loader_limits(client):
    r = client.post(f"{API}/validate", json={"text": "a: &x [1, 2]\nb: *x\n"})
    assert r.status_code == 422 and "aliases" in error_of(r)["problems"][0]["message"]
    deep = "a: " + "[" * 30 + "]" * 30 + "\n"
    r = client.post(f"{API}/validate", json={"text": deep})
    assert r.status_code == 422 and "nested more than 20" in error_of(r)["problems"][0]["message"]
    big = "name: x\n" + "# padding\n" * 7000
    r = client.post(f"{API}/validate", json={"text": big})
    assert r.status_code == 413 and "limit" in error_of(r)["message"]
    r = client.post(f"{API}/validate", content=b"x" * 200_000, headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_upload_multipart(client):
    r = client.post(f"{API}/upload", files={"file": ("s.yaml", io.BytesIO(rare_text().encode()), "text/yaml")})
    assert r.status_code == 200 and r.json()["text"] == rare_text()
    broken = rare_text().replace("horizon_days: 365", "horizon_days: -5")
    r = client.post(f"{API}/upload", files={"file": ("s.yaml", io.BytesIO(broken.encode()), "text/yaml")})
    assert r.status_code == 422 and r.json()["text"] == broken
    assert r.json()["error"]["problems"][0]["field"] == "horizon_days"
    r = client.post(f"{API}/upload", files={"file": ("s.yaml", io.BytesIO(b"\xff\xfe"), "text/yaml")})
    assert r.status_code == 422 and "UTF-8" in error_of(r)["message"]
    r = client.post(f"{API}/upload", data={"other": "x"})
    assert r.status_code == 422 and "'file'" in error_of(r)["message"]
    r = client.post(f"{API}/upload", files={"file": ("s.yaml", io.BytesIO(b"#" * 64_500), "text/yaml")})
    assert r.status_code == 413


def test_job_lifecycle_results_and_report(client, two_runs):
    low, high = two_runs
    assert low["status"] == "done" and high["status"] == "done", (low["error"], high["error"])
    assert low["progress"] == 1.0 and low["attempts"] == 1
    listed = {j["id"] for j in client.get(f"{API}/jobs").json()}
    assert {low["id"], high["id"]} <= listed
    assert all(j["status"] == "done" for j in client.get(f"{API}/jobs?status=done").json())
    res = client.get(f"{API}/jobs/{low['id']}/result").json()
    labels = [c["label"] for c in res["columns"]]
    assert "Region" in labels and "Output lost, USD million (median)" in labels
    assert res["provenance"]["runs"] == 4 and res["provenance"]["seed"] == 7
    assert {c["id"] for c in res["charts"]} == {"output", "inventories", "shipments"}
    out = res["charts"][0]["series"][0]
    assert len(out["median"]) == len(res["dates"]) == 365 and out["p05"] and out["p95"]
    # a harsher control (approval 0.1) costs US automotive more than a mild one (0.9)
    res_high = client.get(f"{API}/jobs/{high['id']}/result").json()

    def usd(r):
        row = next(x for x in r["rows"] if x["region"] == "USA" and x["end_use"] == "automotive")
        return row["usd_median"]

    assert usd(res) > usd(res_high) > 0
    csv = client.get(f"{API}/jobs/{low['id']}/result?format=csv")
    assert (
        csv.status_code == 200
        and csv.text.startswith("Region,End use,")
        and "attachment" in csv.headers["content-disposition"]
    )
    nc = client.get(f"{API}/jobs/{low['id']}/result?format=netcdf")
    assert nc.status_code == 200 and nc.content[:4] in (b"CDF\x01", b"CDF\x02", b"\x89HDF")
    pq = client.get(f"{API}/jobs/{low['id']}/result?format=parquet")
    assert pq.status_code in (200, 404) and (pq.status_code == 404 or pq.content[:4] == b"PAR1")
    rep = client.get(f"{API}/jobs/{low['id']}/report")
    assert rep.status_code == 200 and "Time to shortfall and output lost" in rep.text
    assert client.get(f"{API}/jobs/{low['id']}/result?format=exe").status_code == 404


def test_table_fragment_and_format_rules_are_the_reports(client, two_runs):
    """The page's summary table comes from the reports' table component; its rules as JSON."""
    from chokepoints.report import components

    low, _ = two_runs
    r = client.get(f"{API}/jobs/{low['id']}/table")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "class='cp-table" in r.text and 'data-key="usd_median"' in r.text
    assert "Output lost, USD million (median)" in r.text and not components.SCIENTIFIC.search(r.text)
    rules = client.get(f"{API}/format").json()
    assert rules["numbers"]["scientific_notation"] is False
    assert rules["columns"]["usd_median"]["header"] == components.header_text("usd_median")
    assert rules["css"] == components.TABLE_CSS
    assert client.get(f"{API}/jobs/{'0' * 32}/table").status_code == 404


def test_validation_is_cached_and_bounded(tmp_path, monkeypatch):
    """A text validated once is not compiled again (validate then submit pays once); when the
    validation queue is full the request is refused with 429."""
    from chokepoints.web import uploads

    calls = []
    real = uploads.check_scenario
    monkeypatch.setattr(uploads, "check_scenario", lambda *a, **k: calls.append(1) or real(*a, **k))
    text = rare_text().replace("seed:", "# cache test\nseed:", 1)
    with TestClient(create_app(Settings(data_dir=tmp_path, start_workers=False))) as c:
        for _ in range(3):
            assert c.post(f"{API}/validate", json={"text": text}).status_code == 200
        bad = text.replace("exporter: CHN", "exporter: XXX", 1)
        for _ in range(2):
            assert c.post(f"{API}/validate", json={"text": bad}).status_code == 422
        assert c.post(f"{API}/jobs", json={"text": text, "runs": 2}).status_code == 202
    assert len(calls) == 2  # one for the good text, one for the bad
    with TestClient(create_app(Settings(data_dir=tmp_path / "b", start_workers=False, max_validations=0))) as c:
        for r in (c.post(f"{API}/validate", json={"text": text}), c.post(f"{API}/jobs", json={"text": text})):
            assert r.status_code == 429 and "validations are waiting" in error_of(r)["message"]


def test_negotiation_job(client, two_runs):
    """kind 'negotiate': the talks of a bundled scenario and its spec, as a job with a table and a report."""
    r = client.post(f"{API}/jobs", json={"scenario": "us-china-talks-2025", "kind": "negotiate", "runs": 2})
    assert r.status_code == 202, r.text
    j = wait(client, r.json()["id"], timeout=120)
    assert j["kind"] == "negotiate" and j["status"] == "done", j["error"]
    res = client.get(f"{API}/jobs/{j['id']}/result").json()
    assert res["key_columns"] == ["round"] and len(res["rows"]) >= 2
    assert "predicted deal (Nash)" in {c["key"] for c in res["columns"]}
    assert client.get(f"{API}/jobs/{j['id']}/table").status_code == 200
    rep = client.get(f"{API}/jobs/{j['id']}/report")
    assert rep.status_code == 200 and "packages in utility space" in rep.text
    assert client.get(f"{API}/jobs/{j['id']}/result?format=netcdf").status_code == 200
    for body, status in (
        ({"text": rare_text(), "kind": "negotiate"}, 422),  # bundled scenarios only
        ({"scenario": RARE, "kind": "negotiate"}, 422),  # no spec beside it
        ({"scenario": "us-china-talks-2025", "kind": "negotiate", "overrides": {APPROVAL: 0.5}}, 422),
        ({"scenario": "../etc/passwd", "kind": "negotiate"}, 404),
        ({"scenario": "us-china-talks-2025", "kind": "backtest"}, 422),  # no backtest: block
        ({"scenario": "us-china-talks-2025", "kind": "calibrate"}, 422),  # not a job kind
    ):
        assert client.post(f"{API}/jobs", json=body).status_code == status, body


def test_compare(client, two_runs):
    low, high = two_runs
    c = client.get(f"{API}/compare", params={"a": low["id"], "b": high["id"]}).json()
    row = next(r for r in c["rows"] if r["region"] == "USA" and r["end_use"] == "automotive")
    v = row["usd_median"]
    assert v["delta"] == pytest.approx(v["b"] - v["a"]) and v["delta"] < 0
    assert client.get(f"{API}/compare", params={"a": low["id"]}).status_code == 422
    assert client.get(f"{API}/compare", params={"a": low["id"], "b": "0" * 32}).status_code == 404


def test_job_errors(client, two_runs):
    assert client.get(f"{API}/jobs/{'0' * 32}").status_code == 404
    for bad in ("..%2F..%2Fjobs.sqlite", "..", "ABC", "0" * 31 + "g"):
        r = client.get(f"{API}/jobs/{bad}/result")
        assert r.status_code == 404, bad
    r = client.post(f"{API}/jobs", json={"scenario": RARE, "runs": 51})
    assert r.status_code == 422 and "at most 50" in error_of(r)["message"]
    r = client.post(f"{API}/jobs", json={"scenario": RARE, "runs": 40})  # 40 x 365 days recorded > 32 MiB
    assert r.status_code == 422 and "MiB" in error_of(r)["message"]
    r = client.post(f"{API}/jobs", json={"scenario": RARE, "text": rare_text()})
    assert r.status_code == 422 and "exactly one" in error_of(r)["message"]
    r = client.post(f"{API}/jobs", json={"scenario": "../../etc/passwd"})
    assert r.status_code == 404
    r = client.post(f"{API}/jobs", json={"text": rare_text().replace("exporter: CHN", "exporter: XXX", 1)})
    assert r.status_code == 422 and error_of(r)["problems"][0]["field"] == "events[0].exporter"
    r = client.post(f"{API}/jobs", json={"scenario": "us-china-talks-2025"})
    assert r.status_code in (202, 422)
    r = client.post(f"{API}/jobs", json={"scenario": RARE, "runs": 0})
    assert r.status_code == 422
    assert client.get(f"{API}/jobs?status=bogus").status_code == 422


def test_tariff_and_finance_jobs(client, two_runs):
    t = client.post(f"{API}/jobs", json={"scenario": "us-china-tariffs-2025", "runs": 2})
    f = client.post(f"{API}/jobs", json={"scenario": "cn-treasury-sale-hypothetical", "runs": 2})
    assert t.status_code == f.status_code == 202
    jt, jf = wait(client, t.json()["id"]), wait(client, f.json()["id"])
    assert jt["kind"] == "tariffs" and jt["status"] == "done", jt["error"]
    assert jf["kind"] == "finance" and jf["status"] == "done", jf["error"]
    rows = client.get(f"{API}/jobs/{jt['id']}/result").json()["rows"]
    assert rows and "importer" in rows[0]
    r = client.get(f"{API}/compare", params={"a": jt["id"], "b": two_runs[0]["id"]})
    assert r.status_code == 422 and "cannot compare" in error_of(r)["message"]


def test_queue_limit_failed_job_and_restart(tmp_path):
    """Queue full -> 429; a result not ready -> 409; a failed job -> 409 with its error; a restarted
    server lists finished jobs and runs the ones left queued."""
    settings = Settings(data_dir=tmp_path, max_queue=1, start_workers=False, max_runs=10)
    with TestClient(create_app(settings)) as c:
        first = c.post(f"{API}/jobs", json={"scenario": RARE, "runs": 2}).json()["id"]
        r = c.post(f"{API}/jobs", json={"scenario": RARE, "runs": 2})
        assert r.status_code == 429 and "queue is full" in error_of(r)["message"]
        r = c.get(f"{API}/jobs/{first}/result")
        assert r.status_code == 409 and "queued" in error_of(r)["message"]
        assert c.get(f"{API}/jobs/{first}/report").status_code == 409
    con = store.connect(tmp_path)
    broken = store.insert(
        con, kind="run", scenario_name="x", scenario_text="name: x\n", overrides={}, runs=1, seed=None
    )
    assert run_job(str(tmp_path), broken, 1 << 30) == "failed"
    assert run_job(str(tmp_path), broken, 1 << 30) == "skipped"  # claimed once only
    con.execute("UPDATE jobs SET status='running' WHERE id=?", (first,))  # as a killed server leaves it
    with TestClient(create_app(Settings(data_dir=tmp_path, workers=1))) as c:
        j = wait(c, first)
        assert j["status"] == "done" and j["attempts"] == 1
        r = c.get(f"{API}/jobs/{broken}/result")
        assert r.status_code == 409 and "failed" in error_of(r)["message"]
        assert c.get(f"{API}/jobs/{broken}").json()["error"]
    with TestClient(create_app(Settings(data_dir=tmp_path, start_workers=False))) as c:
        assert c.get(f"{API}/jobs/{first}/result").status_code == 200  # survives a restart


def test_token_required_when_set(tmp_path):
    with TestClient(create_app(Settings(data_dir=tmp_path, token="s3cret", start_workers=False))) as c:
        r = c.get(f"{API}/health")
        assert r.status_code == 401 and "token" in error_of(r)["message"]
        assert c.get(f"{API}/health", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.get(f"{API}/health", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert c.get(f"{API}/scenarios?token=s3cret").status_code == 200
        assert c.get("/").status_code == 200  # the page is code only; its API calls carry the token


def test_cli_serve_binds_loopback_and_requires_a_token_elsewhere(monkeypatch, tmp_path):
    import uvicorn
    from typer.testing import CliRunner

    from chokepoints.cli import app

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda a, host, port, **kw: seen.update(app=a, host=host, port=port))
    runner = CliRunner()
    r = runner.invoke(app, ["serve", "--data", str(tmp_path), "--port", "8123"])
    assert r.exit_code == 0, r.output
    assert seen["host"] == "127.0.0.1" and seen["app"].state.settings.token is None
    r = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--data", str(tmp_path)])
    token = seen["app"].state.settings.token
    assert r.exit_code == 0 and token and f"?token={token}" in r.output
    r = runner.invoke(app, ["serve", "--max-job-memory", "lots", "--data", str(tmp_path)])
    assert r.exit_code == 2 and "max-job-memory" in r.output
