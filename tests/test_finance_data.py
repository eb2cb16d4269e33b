"""The bundled finance series: every row sourced, and the figures the issue quotes reproduced."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from chokepoints.datasets import list_bundled
from chokepoints.errors import ConsistencyError, InputError
from chokepoints.finance.data import (
    MOZ_TO_TONNES,
    TABLES,
    calibrate_ladders,
    check_sources,
    data_dir,
    load_finance_data,
)


@pytest.fixture(scope="module")
def fd():
    return load_finance_data()


def test_every_row_cites_a_valid_source(fd):
    assert check_sources(fd) == []
    ids = set(fd.sources["source_id"])
    for name in TABLES:
        for v in fd.tables[name]["source"]:
            cited = [s.strip() for s in v.split(";") if s.strip()]
            assert cited, f"{name}: a row cites no source"
            assert set(cited) <= ids
    assert set(fd.sources["kind"]) <= {"source", "derived", "assumption"}
    assumptions = fd.sources[fd.sources["kind"] == "assumption"]
    assert (assumptions["note"].str.len() > 40).all()  # each says why


def test_a_row_without_source_is_caught(tmp_path):
    copy = tmp_path / "finance"
    shutil.copytree(data_dir(), copy)
    df = pd.read_csv(copy / "gold.csv", dtype=str, keep_default_na=False)
    df.loc[0, "source"] = ""
    df.loc[1, "source"] = "no_such_source"
    df.to_csv(copy / "gold.csv", index=False)
    with pytest.raises(ConsistencyError) as exc:
        load_finance_data(str(copy))
    msgs = [str(p) for p in exc.value.problems]
    assert any("row 1" in m and "cites no source" in m for m in msgs)
    assert any("row 2" in m and "no_such_source" in m for m in msgs)


def test_not_a_world_dataset():
    assert "finance" not in list_bundled()
    assert not (data_dir() / "dataset.yaml").exists()


def test_china_decline_nov2013_to_nov2025(fd):
    c = fd.holdings_change("CHN", "2013-11", "2025-11")
    assert c["start_bn"] == 1316.7 and c["end_bn"] == 682.6
    assert c["change_bn"] == pytest.approx(-634.1)
    assert c["change_pct"] == pytest.approx(-48.16, abs=0.01)
    assert (c["start_source"], c["end_source"]) == ("tic_mfh_hist", "newsbytes2026")
    # the press peak ($1.317tn, ~$1.32tn) agrees with the TIC history file to rounding
    press = fd.holdings[
        (fd.holdings["holder"] == "CHN") & (fd.holdings["date"] == "2013-11") & (fd.holdings["series"] == "press")
    ]["usd_bn"].iloc[0]
    assert abs(press - 1316.7) < 1.0
    # TRT (Oct 2025): "more than 47 % below the Nov 2013 peak"
    assert fd.holdings_change("CHN", "2013-11", "2025-10")["change_pct"] < -47
    # the summary the tool prints: peak -> Nov 2025 (same month) and peak -> latest (Dec 2025)
    rows = fd.history_summary("CHN")
    assert [(r["start"], r["end"]) for r in rows] == [
        ("2013-11", "2025-11"),
        ("2013-11", "2025-12"),
    ]
    with pytest.raises(InputError):
        fd.holdings_change("CHN", "2013-11", "2025-08")  # not found in the fact set


def test_gold_and_budget_figures(fd):
    g = fd.gold_series("CHN").set_index("date")
    assert g.loc["2025-12", "moz"] == 74.15
    assert 74.15 * MOZ_TO_TONNES == pytest.approx(2306.32, abs=0.05)  # matches the sourced tonnes
    assert (g["moz"].dropna().loc["2024-11":].diff().dropna() > 0).all()  # buying every month since Nov 2024
    assert fd.fiscal_value("net_interest", "FY2025") == 1030.0
    assert fd.fiscal_value("net_interest", "FY2025") > fd.fiscal_value("defense_outlays", "FY2024")
    assert fd.fiscal_value("gold_price") == pytest.approx(310.6e9 / 74.12e6, rel=1e-4)


def test_rollover_profile_reproduces_jec_statistics(fd):
    roll = fd.rollover
    w, m = roll["weight"].to_numpy(float), roll["ladder_months"].to_numpy(float)
    assert w.sum() == pytest.approx(1.0, abs=1e-5)
    assert (w * np.minimum(12 / m, 1)).sum() == pytest.approx(fd.fiscal_value("share_maturing_12m"), abs=1e-5)
    assert (w * m / 2).sum() == pytest.approx(fd.fiscal_value("average_maturity_months"), abs=1e-3)
    assert w[0] == fd.fiscal_value("bills_share")
    assert w[1:4].sum() == pytest.approx(fd.fiscal_value("notes_share"), abs=1e-5)
    again = calibrate_ladders(
        fd.fiscal_value("bills_share"),
        fd.fiscal_value("notes_share"),
        fd.fiscal_value("bonds_share") + fd.fiscal_value("other_share"),
        fd.fiscal_value("share_maturing_12m"),
        fd.fiscal_value("average_maturity_months"),
    )
    np.testing.assert_allclose(w, again, atol=1e-6)  # the CSV is regenerable


def test_impact_estimates_converted_as_documented(fd):
    e = fd.estimates(fd.convertible_estimates()).set_index("estimate_id")
    stock = fd.fiscal_value("marketable_debt")
    assert e.loc["martin2014", "bp_central"] == pytest.approx(28 / (0.01 * stock / 100), abs=1e-3)
    assert e.loc["ubs2019", "bp_low"] == pytest.approx(30 / 11, abs=1e-3)
    assert e.loc["ubs2019", "k5_low"] == pytest.approx(30 / 11 / 0.75, abs=1e-3)  # 10y -> 5y
    assert (e["bp_low"] <= e["bp_central"]).all() and (e["bp_central"] <= e["bp_high"]).all()
    default = fd.estimates()
    assert set(default["flow"]) <= {"foreign_official", "bank_scenario"}
    assert "ww2006" not in fd.convertible_estimates()  # listed, not convertible
