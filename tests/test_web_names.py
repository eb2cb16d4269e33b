"""No scenario field sent to ``chokepoints serve`` can name a file: every field the commands read as
a file or folder is refused unless it holds a bundled name, with its line and field (JSON 422)."""

from __future__ import annotations

import typing
from pathlib import Path

import pydantic
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402

from chokepoints.scenario import Scenario  # noqa: E402
from chokepoints.scenario.library import scenario_path  # noqa: E402
from chokepoints.web import Settings, create_app  # noqa: E402
from chokepoints.web.uploads import FILE_FIELDS  # noqa: E402

API = "/api/v1"
ATTEMPTS = {
    "up": "../../../etc/passwd",
    "abs": "/etc/passwd",
    "rel": "./data/x.csv",
    "mixed": "rare-earths-2025/../../x",
    "home": "~/.ssh/id_rsa",
    "name-like": "not-a-bundled-name",
}
# Text fields of the scenario models that hold names looked up in a World or a bundled table
# (regions, products, producers, end uses, ids, parameter paths) or free text, never opened as files.
NAME_FIELDS = {
    "Scenario.name", "Scenario.description", "KeyUser.region", "KeyUser.end_use",
    "UncertainParameter.parameter", "UncertainParameter.where", "UncertainParameter.assumption",
    "TreasurySale.holder", "TreasurySale.impact_estimates", "ReserveShift.holder",
    "ExportControl.exporter", "ExportControl.products", "ExportControl.destinations", "ExportControl.end_uses",
    "ExportControl.exempt_end_uses", "ExportControl.excluded_end_uses", "LiftControl.exporter",
    "LiftControl.products", "LiftControl.destinations", "ExportTax.exporter", "ExportTax.products",
    "ExportTax.destinations", "ExtraterritorialRule.exporter", "ExtraterritorialRule.products",
    "ExtraterritorialRule.destinations", "ExtraterritorialRule.exempt_end_uses",
    "ExtraterritorialRule.excluded_end_uses", "Priority.order", "Priority.region", "Priority.products",
    "Recycling.region", "Recycling.product", "StockpileRelease.holder", "StockpileRelease.product",
    "StockpileRelease.end_use", "Substitution.product", "Substitution.region", "Substitution.supplier",
    "Substitution.end_use", "CapacityChange.region", "CapacityChange.product", "CapacityChange.producer",
    "CapacityLoss.region", "CapacityLoss.product", "CapacityLoss.producer", "FinalDemandChange.region",
    "FinalDemandChange.product", "FinalDemandChange.end_use", "Tariff.importer", "Tariff.exporter",
    "Tariff.products", "TradeSetup.importers", "BacktestSpec.fit", "BacktestSpec.hold_out", "BacktestSpec.series",
    "SeriesMap.exporter", "SeriesMap.importers", "SeriesMap.products", "SeriesMap.producers", "SeriesMap.parameter",
    "SeriesMap.window", "StockTargetChange.holders", "StockTargetChange.except_regions",
    "StockTargetChange.products", "StockTargetChange.end_use", "LineTariffs.exporters", "LineTariffs.products",
}  # fmt: skip
# FILE_FIELDS names the model a field belongs to by where it sits in the YAML
WHERE = {"Scenario": "scenario", "BacktestSpec": "backtest", "TradeSetup": "trade_setup"}


def _text_fields() -> set[str]:
    """``Model.field`` of every field of the scenario models whose type holds text."""
    out: set[str] = set()
    seen: set[type] = set()

    def models(t) -> list[type]:
        found = [t] if isinstance(t, type) and issubclass(t, pydantic.BaseModel) else []
        return found + [m for a in typing.get_args(t) for m in models(a)]

    def walk(m: type) -> None:
        if m in seen:
            return
        seen.add(m)
        for name, f in m.model_fields.items():  # type: ignore[attr-defined]
            if "str" in repr(f.annotation) and name not in ("id", "note"):  # ids and notes are never read
                out.add(f"{m.__name__}.{name}")
            for sub in models(f.annotation):
                walk(sub)

    walk(Scenario)
    return out


def test_every_text_field_is_a_checked_file_field_or_a_name():
    """A text field added to the scenario models later must be classified here: a name (looked
    up in a World) or a file field that the server's upload check refuses."""
    files = {f"{model}.{name}" for model, where in WHERE.items() for (w, name) in FILE_FIELDS if w == where}
    assert files == {
        "Scenario.world",
        "Scenario.source_path",
        "BacktestSpec.observed",
        "TradeSetup.data",
        "TradeSetup.schedule",
        "TradeSetup.country_codes",
        "TradeSetup.elasticities",
    }
    unclassified = _text_fields() - files - NAME_FIELDS
    assert not unclassified, f"classify these scenario fields (file or name): {sorted(unclassified)}"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("names"), start_workers=False, max_upload=64_000))
    with TestClient(app) as c:
        yield c


def _text(name: str) -> str:
    return scenario_path(name).read_text(encoding="utf-8")


def _line(text: str, needle: str) -> int:
    return next(i for i, x in enumerate(text.splitlines(), 1) if needle in x)


def _refused(client, text: str, field: str, line: int, expect: str) -> None:
    for r in (client.post(f"{API}/validate", json={"text": text}), client.post(f"{API}/jobs", json={"text": text})):
        assert r.status_code == 422, r.text
        problems = r.json()["error"]["problems"]
        hit = [p for p in problems if p["field"] == field]
        assert len(hit) == 1, problems
        assert hit[0]["line"] == line and expect in hit[0]["message"] and "cannot name a file" in hit[0]["message"]


@pytest.mark.parametrize("value", list(ATTEMPTS.values()), ids=list(ATTEMPTS))
def test_backtest_observed_must_be_a_bundled_table(client, value):
    text = _text("cn-rare-earth-history-2025").replace("observed: rare-earths-2025", f"observed: '{value}'")
    _refused(client, text, "backtest.observed", _line(text, "observed: '"), "bundled observations table")
    r = client.post(f"{API}/jobs", json={"text": text, "kind": "backtest"})
    assert r.status_code == 422 and r.json()["error"]["problems"][0]["field"] == "backtest.observed"


@pytest.mark.parametrize("value", list(ATTEMPTS.values()), ids=list(ATTEMPTS))
@pytest.mark.parametrize(
    "field, before, after, expect",
    [
        ("data", "data: bundled", "data: '{v}'\n    format: tidy", "the bundled trade data"),
        ("schedule", "schedule: us-china-2025", "schedule: '{v}'", "the bundled tariff schedule"),
        ("country_codes", "data: bundled", "data: bundled\n    country_codes: '{v}'", "must not be given"),
        ("elasticities", "data: bundled", "data: bundled\n    elasticities: '{v}'", "must not be given"),
    ],
)
def test_trade_setup_cannot_name_files(client, value, field, before, after, expect):
    text = _text("us-china-tariffs-2025").replace(before, after.format(v=value), 1)
    index = next(i for i, e in enumerate(Scenario.from_yaml_text(text).events) if e.type == "trade_setup")
    _refused(client, text, f"events[{index}].{field}", _line(text, f"{field}: '"), expect)


@pytest.mark.parametrize("value", list(ATTEMPTS.values()), ids=list(ATTEMPTS))
def test_source_path_is_not_a_field_a_request_may_give(client, value):
    text = _text("cn-rare-earth-licensing-2025-04") + f"source_path: '{value}'\n"
    _refused(client, text, "source_path", len(text.splitlines()), "not a scenario field")


def test_every_file_field_is_reported_at_once(client):
    text = (
        _text("us-china-tariffs-2025")
        .replace("data: bundled", "data: /etc/passwd\n    format: tidy\n    elasticities: ../e.csv", 1)
        .replace("schedule: us-china-2025", "schedule: /tmp/s.csv", 1)
    )
    r = client.post(f"{API}/validate", json={"text": text})
    assert r.status_code == 422
    fields = {p["field"].split(".")[-1] for p in r.json()["error"]["problems"]}
    assert fields == {"data", "elasticities", "schedule"}


@pytest.mark.parametrize(
    "name, before, after",
    [
        ("us-china-tariffs-2025", "schedule: us-china-2025", "schedule: none"),
        ("us-china-tariffs-2025", "data: bundled", "data: bundled\n    country_codes: null"),
        ("cn-rare-earth-history-2025", "observed: rare-earths-2025", "observed: rare-earths-2025"),
    ],
)
def test_bundled_names_pass(client, name, before, after):
    text = _text(name).replace(before, after, 1)
    r = client.post(f"{API}/validate", json={"text": text})
    assert r.status_code == 200, r.text


def test_a_refused_file_is_never_opened(client, tmp_path, monkeypatch):
    """The check refuses on the name alone: a file that exists is refused like one that does not,
    and the loader that would read it is never called."""
    from chokepoints.trade import analysis

    real = tmp_path / "flows.csv"
    real.write_text("importer,exporter,product,value_usd_m\nUSA,CHN,x,1\n", encoding="utf-8")
    called = []
    monkeypatch.setattr(analysis, "read_tidy", lambda *a, **k: called.append(a))
    text = _text("us-china-tariffs-2025").replace("data: bundled", f"data: '{real}'\n    format: tidy", 1)
    r = client.post(f"{API}/jobs", json={"text": text})
    assert r.status_code == 422 and not called and Path(real).is_file()
