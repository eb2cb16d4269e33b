"""Scenario analysis: dates, aggregation, uncertain elasticities (seeded), provenance, report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import chokepoints as cp
import chokepoints.trade as tr
from chokepoints.errors import InputError

EXAMPLE = Path(__file__).resolve().parents[1] / "scenarios" / "us-china-tariffs-2025.yaml"


@pytest.fixture(scope="module")
def example() -> tuple[cp.Scenario, object]:
    sc = cp.Scenario.from_yaml(EXAMPLE)
    return sc, tr.analyse(sc)


def test_dates_are_the_days_the_rates_change(example):
    _, ds = example
    days = [d.date() for d in pd.DatetimeIndex(ds["date"].values)]
    assert days == [
        dt.date(2025, 2, 4),
        dt.date(2025, 3, 4),
        dt.date(2025, 3, 10),
        dt.date(2025, 4, 5),
        dt.date(2025, 4, 9),
        dt.date(2025, 4, 10),
        dt.date(2025, 4, 12),
        dt.date(2025, 5, 14),
        dt.date(2025, 11, 10),
    ]  # 2025-08-12 (an extension that changes no rate) is skipped
    rate = ds.rate.isel(run=0).sel(line="USA:telephones", partner="CHN")
    assert rate.sel(date="2025-04-10").item() == 145 and rate.sel(date="2025-05-14").item() == 30
    assert rate.sel(date="2025-11-10").item() == 20
    assert ds.timeline_layer_rate.sel(importer="USA", partner="CHN", layer="ieepa_reciprocal").max() == 125


def test_sections_and_partners_add_up_to_totals(example):
    _, ds = example
    s = tr.summary(ds).set_index(["date", "importer"])
    p = tr.by_partner(ds).groupby(["date", "importer"])[["imports_new", "revenue_new"]].sum()
    sec = tr.by_section(ds).groupby(["date", "importer"])[["imports_new", "buyer_cost", "deadweight_loss"]].sum()
    np.testing.assert_allclose(s.loc[p.index, "imports_new"], p["imports_new"], rtol=1e-12)
    np.testing.assert_allclose(s.loc[p.index, "revenue_new"], p["revenue_new"], rtol=1e-12)
    np.testing.assert_allclose(s.loc[sec.index, "buyer_cost"], sec["buyer_cost"], rtol=1e-12)
    np.testing.assert_allclose(s.loc[sec.index, "deadweight_loss"], sec["deadweight_loss"], rtol=1e-12)


def test_the_peak_diverts_us_imports_to_vietnam_and_mexico(example):
    _, ds = example
    p = tr.by_partner(ds, "2025-04-12").set_index(["importer", "partner"])
    assert p.loc[("USA", "CHN"), "change_pct"] < -80
    assert p.loc[("USA", "MEX"), "change"] > 0  # sigma 3.8 > |eta|: substitution beats the fall in demand
    assert p.loc[("USA", "VNM"), "trade_diversion"] > 0
    assert p.loc[("CHN", "OTH"), "change"] > 0  # China's soybeans from elsewhere
    assert 0.95 < p.loc[("USA", "CHN"), "pass_through"] <= 1.0
    s = tr.summary(ds, "2025-04-12").set_index("importer")
    assert s.loc["USA", "deadweight_loss"] > 0 and s.loc["CHN", "deadweight_loss"] > 0
    assert s.loc["USA", "buyer_cost"] > s.loc["USA", "revenue_change"]


def test_provenance(example):
    sc, ds = example
    for key in (
        "package_version",
        "scenario_hash",
        "dataset",
        "dataset_version",
        "dataset_hash",
        "seed",
        "base_date",
        "schedule",
    ):
        assert key in ds.attrs
    assert ds.attrs["scenario_hash"] == sc.hash and ds.attrs["package_version"] == cp.__version__
    assert ds.attrs["dataset"] == "us-china-2024" and ds.attrs["schedule"] == "us-china-2025"


UNCERTAIN = """\
name: unc
start: 2025-01-01
horizon_days: 365
runs: 16
seed: 11
uncertain:
  - parameter: events.setup.sigma
    distribution: triangular
    low: 1.5
    mode: 3.8
    high: 6.0
  - parameter: events.threat.rate
    distribution: uniform
    low: 50
    high: 100
events:
  - type: trade_setup
    id: setup
    on: 2025-01-01
  - type: tariff
    id: threat
    importer: USA
    exporter: CHN
    layer: ieepa_reciprocal
    rate: 100
    on: 2025-11-01
"""


def test_uncertain_elasticities_and_rates_are_seeded(tmp_path):
    sc = cp.Scenario.from_yaml_text(UNCERTAIN, "unc.yaml")
    a = tr.analyse(sc, dates=[dt.date(2025, 11, 1)])
    b = tr.analyse(sc, dates=[dt.date(2025, 11, 1)])
    c = tr.analyse(sc, dates=[dt.date(2025, 11, 1)], seed=12)
    assert a.sizes["run"] == 16
    np.testing.assert_array_equal(a.imports_new.values, b.imports_new.values)
    assert not np.array_equal(a.imports_new.values, c.imports_new.values)
    sig = a.sigma.isel(line=0).values
    assert sig.min() >= 1.5 and sig.max() <= 6.0 and len(set(sig)) == 16
    rate = a.rate.sel(line="USA:telephones", partner="CHN").isel(date=0).values
    assert rate.min() >= 20 + 10 + 50 and rate.max() <= 20 + 10 + 100
    s = tr.summary(a).set_index("importer")
    assert s.loc["USA", "deadweight_loss_p5"] < s.loc["USA", "deadweight_loss"] < s.loc["USA", "deadweight_loss_p95"]


def test_uncertain_field_that_cannot_vary_is_located():
    text = UNCERTAIN.replace("events.setup.sigma", "events.setup.data")
    sc = cp.Scenario.from_yaml_text(text, "unc.yaml")
    with pytest.raises(InputError) as exc:
        tr.analyse(sc)
    p = exc.value.problems[0]
    assert p.field == "uncertain[0].parameter" and p.line == 7


def test_report_sections(example):
    sc, ds = example
    secs = tr.tariff_sections(ds, tr.prepare(sc).schedule, "2025-05-14")
    titles = [s.title for s in secs]
    assert "Tariff rates over time by layer" in titles
    assert any(t.startswith("Imports by partner before and after (2025-05-14)") for t in titles)
    trace = next(s for s in secs if s.title.startswith("Rates in force"))
    rows = trace.tables[0][1]
    assert {"us_fentanyl_20", "us_reciprocal_34", "us_reciprocal_suspend_geneva"} <= set(rows["row"])
    assert "baseline_reciprocal_others" in set(rows["row"])  # the scenario's own event
    assert len(tr.tariff_sections(ds)) >= 5  # the brief's signature: tariff_sections(result)
