"""Hand-worked cases for the financial lever's arithmetic (chokepoints.finance.kernel)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chokepoints.finance import kernel


def test_parallel_shift_one_ladder_by_hand():
    # $1,200bn in a 12-month ladder: $100bn matures each month and is refinanced 100 bp higher.
    # In month t (1-based) t x $100bn pays +1 % a year: t x 100 x 0.01 / 12 = t / 12 bn that month.
    monthly = kernel.parallel_shift_interest(1200.0, np.array([1.0]), np.array([12]), 100.0, 24)
    # month t: 1200 * min(t / 12, 1) * 0.01 / 12 = t / 12 bn
    np.testing.assert_allclose(monthly[:12], np.arange(1, 13) / 12.0)
    np.testing.assert_allclose(monthly[12:], 1.0)  # 1200 * 1 % / 12
    assert monthly[:12].sum() == pytest.approx(78 / 12)  # (1 + ... + 12) / 12 = 6.5bn in year 1
    assert monthly[12:].sum() == pytest.approx(12.0)  # 1 % of 1,200 in year 2


def test_parallel_shift_two_ladders_by_hand():
    # $1,000bn: half in a 6-month ladder, half in a 24-month ladder; +50 bp.
    # Year 1 share repriced, summed over months t = 1..12:
    #   0.5 * (1/6 + 2/6 + ... + 6/6 + 6 * 1) + 0.5 * (1 + ... + 12) / 24 = 4.75 + 1.625 = 6.375
    # cost = 1000 * 0.005 / 12 * 6.375 = 2.65625bn.
    w, m = np.array([0.5, 0.5]), np.array([6, 24])
    monthly = kernel.parallel_shift_interest(1000.0, w, m, 50.0, 12)
    assert monthly.sum() == pytest.approx(2.65625)
    # the general rollover formula gives the same for a constant shift
    dy = np.full((12, 2), 50.0)
    np.testing.assert_allclose(kernel.ladder_extra_interest(dy, 1000.0, w, m), monthly)


def test_rollover_rerolls_at_later_yields():
    # +100 bp for six months, then back to 0: a 12-month ladder keeps six months of issues at
    # +100 bp until they mature in months 12..17.
    dy = np.zeros((24, 1))
    dy[:6, 0] = 100.0
    monthly = kernel.ladder_extra_interest(dy, 1200.0, np.array([1.0]), np.array([12]))
    np.testing.assert_allclose(monthly[:6], np.arange(1, 7) / 12.0)  # 100bn a month repriced
    np.testing.assert_allclose(monthly[6:12], 0.5)  # 600bn at +1 % / 12
    np.testing.assert_allclose(monthly[12:18], np.arange(5, -1, -1) / 12.0)  # those issues mature
    np.testing.assert_allclose(monthly[18:], 0.0)


def test_new_borrowing_pays_the_new_yield():
    # No old debt; $12bn a year of new borrowing ($1bn a month) at +100 bp: month t (0-based)
    # has t + 1 bn outstanding, all issued at +1 %.
    dy = np.full((30, 1), 100.0)
    monthly = kernel.ladder_extra_interest(dy, 0.0, np.array([1.0]), np.array([12]), new_borrowing_bn_per_month=1.0)
    np.testing.assert_allclose(monthly, (np.arange(30) + 1) * 0.01 / 12)


def test_valuation_loss_is_duration_times_shift_times_holdings():
    # D = 4.4 years, +30 bp, $500bn: 4.4 * 0.003 * 500 = 6.6bn
    durations = np.array([0.5, 1.9, 4.4, 8.0, 15.8])
    mix = np.array([0, 0, 1.0, 0, 0])
    loss = kernel.valuation_loss(np.array(500.0), durations, mix, np.full(5, 30.0))
    assert float(loss) == pytest.approx(6.6)
    # a mixed portfolio: duration = mix . durations
    mix = np.array([0.1, 0.25, 0.3, 0.25, 0.1])
    d = float(mix @ durations)
    loss = kernel.valuation_loss(np.array(683.5), durations, mix, np.full(5, 25.0))
    assert float(loss) == pytest.approx(d * 0.0025 * 683.5)


def test_sale_concession_by_hand():
    # $100bn of 5-year notes (D 4.4) sold in one month while the yield rises 0 -> 10 bp:
    # sold at the mid-month yield change, 5 bp: 100 * 4.4 * 0.0005 = 0.22bn.
    durations = np.array([0.5, 1.9, 4.4, 8.0, 15.8])
    mix = np.array([0, 0, 1.0, 0, 0])
    dy = np.zeros((1, 2, 5))
    dy[0, 0, :] = 10.0
    conc = kernel.sale_concession(np.array([[100.0, 0.0]]), durations, mix, dy)
    np.testing.assert_allclose(conc, [[0.22, 0.22]])


def test_sale_schedule_and_supply():
    sales = kernel.sale_schedule(np.array([300.0]), np.array([12]), 2, 20)
    assert sales[0, :2].sum() == 0 and sales[0, 2:14].tolist() == [25.0] * 12 and sales[0, 14:].sum() == 0
    s = kernel.net_supply(sales, 0.2, 1.0)
    assert s[0, -1] == pytest.approx(240.0)
    # half-life of one month: a single $100bn sale halves each month
    s = kernel.net_supply(np.array([[100.0, 0, 0, 0]]), 0.0, 1.0, np.array([1.0]))
    np.testing.assert_allclose(s[0], [100, 50, 25, 12.5])


def test_yield_change_is_linear_in_k_and_supply():
    shape = np.array([1.0, 1.0, 1.0, 0.75, 0.75])
    dy = kernel.yield_change_bp(np.array([[100.0, 300.0]]), 9.247, shape)
    assert dy.shape == (1, 2, 5)
    np.testing.assert_allclose(dy[0, 1], 3 * 9.247 * shape)


def test_gold_ounces():
    # $100bn at $4,000/oz = 25 Moz
    assert float(kernel.gold_ounces_moz(100.0, 4000.0)) == pytest.approx(25.0)


@settings(max_examples=40, deadline=None)
@given(d1=st.floats(0, 300), extra=st.floats(0, 300), m=st.integers(1, 400), debt=st.floats(1, 50_000))
def test_rollover_cost_monotone_in_shift(d1, extra, m, debt):
    w, months = np.array([0.3, 0.7]), np.array([6, m])
    a = kernel.parallel_shift_interest(debt, w, months, d1, 60)
    b = kernel.parallel_shift_interest(debt, w, months, d1 + extra, 60)
    assert np.all(b >= a - 1e-9)
    assert np.all(np.diff(kernel.repriced_share(w, months, 60)) >= -1e-12)
