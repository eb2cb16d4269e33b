"""Lever indicator sources: tariff partial equilibrium, flows, Treasury threat costs."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys

import numpy as np
import pytest

from chokepoints.negotiation import sources
from chokepoints.negotiation.spec import Lever, Term

TARIFF = Lever(
    kind="tariff",
    importer="USA",
    exporter="CHN",
    import_value_usd=100e9,
    eta=-1.4,
    base_rate=18,
    epsilon=float("inf"),
)
START = dt.date(2025, 1, 1)


def test_builtin_tariff_closed_form():
    """q = m0 tau^eta, revenue = t1 q, buyer cost = E0 (tau^(1+eta) - 1) / (1+eta)."""
    eff = sources.tariff_effects(TARIFF, np.array([0.0, 30.0]))
    tau = 1.48 / 1.18
    q = 100e9 * tau**-1.4
    if importlib.util.find_spec("chokepoints.trade") is None:
        assert eff["revenue"][1] == pytest.approx(0.48 * q)
    assert eff["exports_lost"][1] == pytest.approx(100e9 - q)
    assert eff["buyer_cost"][1] == pytest.approx(118e9 * (tau**-0.4 - 1) / -0.4)
    assert eff["buyer_cost"][0] == pytest.approx(0.0, abs=1e-3)


@pytest.mark.skipif(importlib.util.find_spec("chokepoints.trade") is None, reason="trade module absent")
def test_builtin_matches_trade_module_for_one_partner(monkeypatch):
    rates = np.array([0.0, 10.0, 30.0, 145.0])
    with_trade = sources.tariff_effects(TARIFF, rates)
    monkeypatch.setitem(sys.modules, "chokepoints.trade.pe", None)  # force the built-in form
    builtin = sources.tariff_effects(TARIFF, rates)
    for k in ("revenue", "buyer_cost", "exports_lost"):
        np.testing.assert_allclose(with_trade[k], builtin[k], rtol=1e-9, atol=1e-3)


def test_tariff_and_flow_sum_over_the_path_from_the_round_date():
    path = np.concatenate([np.full(100, 145.0), np.full(365, 30.0)])
    term = Term(indicator="tariff_revenue", lever="x")
    annual = sources.tariff_effects(TARIFF, np.array([30.0]))["revenue"][0]
    assert sources.tariff_revenue(TARIFF, path, 100, START, term) == pytest.approx(annual)
    flow = Lever(kind="flow", usd_per_unit_year=1e9)
    fpath = np.zeros(200)
    fpath[50:123] = 10.0  # 10 $bn/yr for 73 days
    assert sources.flow_value(flow, fpath, 0, START, Term(indicator="flow_value", lever="f")) == pytest.approx(2e9)
    assert sources.flow_value(flow, fpath, 100, START, Term(indicator="flow_value", lever="f")) == pytest.approx(
        10e9 * 23 / 365
    )


@pytest.mark.skipif(importlib.util.find_spec("chokepoints.finance") is None, reason="finance module absent")
def test_treasury_threat_cost_from_the_finance_module():
    from chokepoints.finance import threat_value

    lev = Lever(kind="treasury", holder="CHN", months=12)
    path = np.zeros(400)
    path[31:] = 100.0  # a $100bn sale starting 1 February 2025
    target = sources.treasury_cost(lev, path, 0, START, Term(indicator="treasury_cost", lever="t", side="target"))
    seller = sources.treasury_cost(lev, path, 0, START, Term(indicator="treasury_cost", lever="t", side="threatener"))
    tv = threat_value(holder="CHN", target="USA", amount_bn=100.0, months=12, start="2025-02-01")
    assert target == pytest.approx(tv["cost_to"]["USA"]["central"] * 1e9)
    assert seller == pytest.approx(tv["cost_to"]["CHN"]["central"] * 1e9)
    assert (
        sources.treasury_cost(lev, np.zeros(400), 0, START, Term(indicator="treasury_cost", lever="t", side="target"))
        == 0.0
    )
