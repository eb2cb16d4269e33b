"""Jobs of kind ``backtest`` and ``claims`` through the HTTP API (FastAPI TestClient): results in
every format, report, table, limits and every error status. The numbers are checked against the
library run directly (``chokepoints.backtest``, ``chokepoints.claims``) on the same inputs."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402
from web_helpers import error_of, wait

from chokepoints.scenario.library import scenario_path  # noqa: E402
from chokepoints.web import Settings, create_app, store  # noqa: E402

API = "/api/v1"
HISTORY = "cn-rare-earth-history-2025"
RUNS, SEED = 6, 3
ARTICLES = Path(__file__).parent / "data" / "articles"
# worked by hand in tests/test_claims.py: Nov 2025 TIC level 682.6, available 2026-01-18
TREASURIES = "China's holdings of US Treasuries fell to $683bn."


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("kinds"), workers=2, max_runs=50, max_job_memory=32 << 20, max_upload=64_000
    )
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture(scope="module")
def jobs(client):
    """A back-test of the bundled history scenario and two claims checks, run by the workers."""
    bodies = {
        "backtest": {"scenario": HISTORY, "kind": "backtest", "runs": RUNS, "seed": SEED, "label": "history"},
        "claims": {"kind": "claims", "article": (ARTICLES / "en-rare-earths-2025.txt").read_text(encoding="utf-8")},
        "hand": {"kind": "claims", "article": TREASURIES, "article_date": "2026-01-25", "lang": "en"},
    }
    ids = {}
    for k, body in bodies.items():
        r = client.post(f"{API}/jobs", json=body)
        assert r.status_code == 202, r.text
        ids[k] = r.json()["id"]
    out = {k: wait(client, i) for k, i in ids.items()}
    for j in out.values():
        assert j["status"] == "done", j["error"]
    return out


@pytest.fixture(scope="module")
def direct():
    """The same back-test run by the library, not by the server."""
    from chokepoints.backtest import confront, simulate_for_backtest, summary
    from chokepoints.scenario import Scenario
    from chokepoints.world import load_world

    sc = Scenario.from_yaml(scenario_path(HISTORY))
    res = simulate_for_backtest(load_world(sc.world_ref()), sc, runs=RUNS, seed=SEED)
    table = confront(res.data, sc.backtest, sc.start).table()
    return table, summary(table)


def test_backtest_rows_scores_and_charts_are_the_librarys(client, jobs, direct):
    table, scores = direct
    j = jobs["backtest"]
    assert j["kind"] == "backtest" and j["runs"] == RUNS and j["scenario_name"] == HISTORY and j["label"] == "history"
    res = client.get(f"{API}/jobs/{j['id']}/result").json()
    assert res["kind"] == "backtest" and res["key_columns"] == ["series", "geography", "period"]
    labels = {c["key"]: (c["label"], c["unit"]) for c in res["columns"]}
    assert labels["log_error"] == ("Log error, ln(model median / observed)", "log points")
    assert labels["model_median"][0].startswith("Model median") and labels["unit"] == ("Unit", "")
    got = pd.DataFrame(res["rows"])
    assert len(got) == len(table)
    assert got["series"].tolist() == table["series"].tolist() and got["period"].tolist() == table["period"].tolist()
    for c in ("observed", "model_median", "model_p05", "model_p95"):
        np.testing.assert_allclose(got[c].to_numpy(float), table[c].to_numpy(float), rtol=1e-12)
    assert got["inside"].tolist() == ["yes" if v else "no" for v in table["inside"]]
    # log error as defined: ln(model median / observed)
    ok = got["model_median"] > 0
    np.testing.assert_allclose(got["log_error"][ok], np.log(got["model_median"][ok] / got["observed"][ok]))
    (per_series,) = res["tables"]
    assert per_series["id"] == "scores" and {c["key"]: c["unit"] for c in per_series["columns"]}["inside_band"] == "%"
    by = {r["series"]: r for r in per_series["rows"]}
    for r in scores.itertuples(index=False):
        inside = got[got["series"] == r.series]["inside"].eq("yes").mean() * 100
        assert by[r.series]["inside_band"] == pytest.approx(inside) == pytest.approx(r.inside_band * 100)
        assert by[r.series]["observations"] == r.observations and by[r.series]["role"] == r.role
    assert [c["title"].split(" ")[0] for c in res["charts"]] == list(dict.fromkeys(table["series"]))
    for chart in res["charts"]:
        model, observed = chart["series"]
        name = chart["title"].split(" ")[0]
        rows = got[got["series"] == name]
        assert chart["x"] == rows["period"].tolist() and observed["name"] == "observed"
        assert observed["values"] == pytest.approx(rows["observed"].tolist(), rel=1e-3)
        assert all(lo <= m <= hi for lo, m, hi in zip(model["p05"], model["median"], model["p95"], strict=True))
    assert res["provenance"]["runs"] == RUNS and res["provenance"]["seed"] == SEED
    assert res["provenance"]["observed"] == "rare-earths-2025"


def test_backtest_files_report_and_table(client, jobs, direct):
    from chokepoints import open_result

    table, _ = direct
    jid = jobs["backtest"]["id"]
    csv = client.get(f"{API}/jobs/{jid}/result?format=csv")
    assert csv.status_code == 200 and "attachment" in csv.headers["content-disposition"]
    df = pd.read_csv(io.StringIO(csv.text))
    assert len(df) == len(table) and "Log error, ln(model median / observed) [log points]" in df.columns
    pq = client.get(f"{API}/jobs/{jid}/result?format=parquet")
    assert pq.status_code in (200, 404) and (pq.status_code == 404 or pq.content[:4] == b"PAR1")
    nc = client.get(f"{API}/jobs/{jid}/result?format=netcdf")
    assert nc.status_code == 200 and nc.content[:4] in (b"CDF\x01", b"CDF\x02", b"\x89HDF")
    path = store.job_dir(client.app.state.settings.data_dir, jid) / "result.nc"
    ds = open_result(path)
    assert ds.cp.kind == "backtest" and ds["model"].shape == (RUNS, len(table))
    np.testing.assert_allclose(np.median(ds["model"].values, axis=0), table["model_median"].to_numpy(float))
    rep = client.get(f"{API}/jobs/{jid}/report")
    assert rep.status_code == 200 and "Scores per series" in rep.text and "cn_magnet_exports.world" in rep.text
    frag = client.get(f"{API}/jobs/{jid}/table")
    assert frag.status_code == 200 and 'data-key="log_error"' in frag.text and "One row per observation" in frag.text
    links = client.get(f"{API}/jobs/{jid}").json()["links"]
    assert {"result", "report", "csv", "netcdf"} <= set(links)


def test_claims_row_by_hand(client, jobs):
    res = client.get(f"{API}/jobs/{jobs['hand']['id']}/result").json()
    assert res["kind"] == "claims" and res["article"]["date"] == "2026-01-25" and res["article"]["lang"] == "en"
    (row,) = res["rows"]
    assert row["index"] == 1 and row["verdict"] == "consistent" and row["data_value"] == pytest.approx(682.6)
    assert row["value"] == pytest.approx(683) and row["source_url"].startswith("https://") and row["source"]
    assert {c["key"] for c in res["columns"]} >= {"text", "verdict", "data_value", "source"}


def test_claims_rows_are_the_librarys(client, jobs):
    from chokepoints.claims import check_text

    article, checked = check_text((ARTICLES / "en-rare-earths-2025.txt").read_text(encoding="utf-8"))
    j = jobs["claims"]
    assert j["scenario_name"] == f"article-{article.date}" and j["runs"] is None
    res = client.get(f"{API}/jobs/{j['id']}/result").json()
    assert res["article"]["title"] == article.title and res["article"]["claims"] == len(checked) > 0
    assert [r["text"] for r in res["rows"]] == [c.claim.text for c in checked]
    assert [r["verdict"] for r in res["rows"]] == [c.verdict.verdict for c in checked]
    assert sum(res["article"]["verdicts"].values()) == len(checked)
    for r, c in zip(res["rows"], checked, strict=True):
        assert (r["data_value"] is None) == (c.verdict.data_value is None)
        if c.verdict.data_value is not None:
            assert r["data_value"] == pytest.approx(c.verdict.data_value)
    csv = client.get(f"{API}/jobs/{j['id']}/result?format=csv")
    assert csv.status_code == 200 and len(pd.read_csv(io.StringIO(csv.text))) == len(checked)
    nc = client.get(f"{API}/jobs/{j['id']}/result?format=netcdf")
    assert nc.status_code == 404 and "no NetCDF" in error_of(nc)["message"] and "json, csv" in error_of(nc)["message"]
    assert "netcdf" not in client.get(f"{API}/jobs/{j['id']}").json()["links"]
    rep = client.get(f"{API}/jobs/{j['id']}/report")
    assert rep.status_code == 200 and "Claims and verdicts" in rep.text
    assert client.get(f"{API}/jobs/{j['id']}/table").status_code == 200
    r = client.get(f"{API}/compare", params={"a": j["id"], "b": jobs["backtest"]["id"]})
    assert r.status_code == 422 and "cannot compare a claims job" in error_of(r)["message"]


def test_an_article_is_text_never_a_path(client, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("China's holdings of US Treasuries fell to $683bn.", encoding="utf-8")
    r = client.post(f"{API}/jobs", json={"kind": "claims", "article": str(secret), "article_date": "2026-01-25"})
    assert r.status_code == 202
    res = client.get(f"{API}/jobs/{wait(client, r.json()['id'])['id']}/result").json()
    assert res["article"]["title"] == str(secret) and res["rows"] == []  # the path's text, not the file's


@pytest.mark.parametrize(
    "body, status, says",
    [
        ({"kind": "claims"}, 422, "needs 'article'"),
        ({"kind": "claims", "article": "   "}, 422, "needs 'article'"),
        ({"kind": "claims", "article": "x", "scenario": HISTORY}, 422, "not 'scenario'"),
        ({"kind": "claims", "article": "x", "runs": 3}, 422, "not 'runs'"),
        ({"kind": "claims", "article": "x", "overrides": {"a": 1}}, 422, "not 'overrides'"),
        ({"kind": "claims", "article": "A figure of 5 tonnes, no date."}, 422, "cannot be checked"),
        ({"kind": "claims", "article": "x", "article_date": "2025-13-01"}, 422, "invalid request"),
        ({"kind": "claims", "article": "x", "lang": "fr"}, 422, "invalid request"),
        ({"kind": "claims", "article": "x" * 64_001}, 413, "the article is 64,001 bytes"),
        ({"scenario": HISTORY, "article": "x"}, 422, "belong to kind 'claims'"),
        ({"kind": "backtest", "scenario": "cn-rare-earth-licensing-2025-04"}, 422, "nothing to back-test"),
        ({"kind": "backtest", "scenario": "us-china-tariffs-2025"}, 422, "tariffs scenario"),
        ({"kind": "backtest", "scenario": HISTORY, "runs": 51}, 422, "at most 50"),
        ({"kind": "backtest", "scenario": "../etc/passwd"}, 404, "no bundled scenario"),
        ({"kind": "backtest"}, 422, "exactly one"),
        ({"kind": "backtest", "scenario": HISTORY, "overrides": {"events.nope.approval_rate": 0.5}}, 422, "validate"),
    ],
)
def test_refusals(client, body, status, says):
    r = client.post(f"{API}/jobs", json=body)
    assert r.status_code == status, r.text
    assert says in error_of(r)["message"]


def test_undated_article_says_which_field_to_give(client):
    r = client.post(f"{API}/jobs", json={"kind": "claims", "article": "A figure of 5 tonnes, no date."})
    (p,) = error_of(r)["problems"]
    assert p["field"] == "article" and "article_date" in p["message"] and "--date" not in p["message"]


def test_backtest_memory_estimate_counts_only_what_it_records(tmp_path):
    """A back-test records output and controlled shipments only: 365 days x runs x 8 bytes x
    (producers + supply links); a run of the same scenario records every variable."""
    from chokepoints.web.uploads import check_scenario

    text = scenario_path(HISTORY).read_text(encoding="utf-8")
    t = check_scenario(text).world.tables
    per_run = 365 * 8 * (len(t["producers"]) + len(t["supply_links"]))
    limit = 32 << 20
    runs = limit // per_run  # the most runs a back-test may have under the limit
    with TestClient(create_app(Settings(data_dir=tmp_path, start_workers=False, max_job_memory=limit))) as c:
        assert c.post(f"{API}/jobs", json={"text": text, "kind": "backtest", "runs": runs}).status_code == 202
        r = c.post(f"{API}/jobs", json={"text": text, "kind": "backtest", "runs": runs + 1})
        assert r.status_code == 422 and "MiB" in error_of(r)["message"]
        r = c.post(f"{API}/jobs", json={"text": text, "runs": runs})  # kind run: every variable recorded
        assert r.status_code == 422 and "MiB" in error_of(r)["message"]


def test_new_kinds_survive_a_restart(tmp_path):
    """Queued backtest and claims jobs (with their options) are kept in SQLite and run by the next server."""
    body = {"kind": "claims", "article": TREASURIES, "article_date": "2026-01-25"}
    with TestClient(create_app(Settings(data_dir=tmp_path, start_workers=False))) as c:
        claims = c.post(f"{API}/jobs", json=body).json()["id"]
        bt = c.post(f"{API}/jobs", json={"scenario": HISTORY, "kind": "backtest", "runs": 2, "seed": 1}).json()["id"]
        assert c.get(f"{API}/jobs/{claims}/result").status_code == 409
        assert c.get(f"{API}/jobs/{claims}").json()["options"] == {"date": "2026-01-25", "lang": None}
    with TestClient(create_app(Settings(data_dir=tmp_path, workers=1))) as c:
        assert wait(c, claims)["status"] == "done" and wait(c, bt)["status"] == "done"
        (row,) = c.get(f"{API}/jobs/{claims}/result").json()["rows"]
        assert row["verdict"] == "consistent"
        assert len(c.get(f"{API}/jobs/{bt}/result").json()["rows"]) > 0


def test_a_job_table_without_options_is_upgraded(tmp_path):
    """A jobs.sqlite written before jobs had options gets the column on connect; old rows read as {}."""
    import sqlite3

    old = store.SCHEMA.replace("  options TEXT NOT NULL DEFAULT '{}',\n", "")
    assert "options" not in old
    con = sqlite3.connect(tmp_path / "jobs.sqlite")
    con.executescript(old)
    con.execute(
        "INSERT INTO jobs (id, kind, status, scenario_name, scenario_text, overrides, created) "
        "VALUES ('a', 'run', 'done', 'x', 'name: x', '{}', ?)",
        (dt.datetime.now().timestamp(),),
    )
    con.commit()
    con.close()
    assert store.get(store.connect(tmp_path), "a")["options"] == {}
