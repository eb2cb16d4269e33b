"""The non-linear PE kernel: closed forms (pass-through), accounting identities, properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chokepoints.trade as tr
from chokepoints.errors import InputError

M0 = np.array([[100.0, 60.0, 40.0]])


def test_flat_export_supply_gives_complete_pass_through():
    """epsilon -> inf: exporters' prices do not move; duty-paid prices rise by the whole duty
    (as Amiti, Redding & Weinstein 2019 and Fajgelbaum et al. 2020 measured for 2018)."""
    t0, t1 = np.array([[0.075, 0.0, 0.0]]), np.array([[0.325, 0.0, 0.0]])
    sol = tr.solve_arrays(M0, t0, t1, -1.5, 1.5, np.inf)
    assert sol.exporter_price[0] == pytest.approx([1.0, 1.0, 1.0], abs=0)
    assert sol.pass_through[0, 0] == pytest.approx(1.0, abs=1e-15)
    assert sol.duty_paid_price[0, 0] == pytest.approx(1.325 / 1.075, rel=1e-14)
    assert sol.iterations <= 2  # one Newton step is exact when k = 0
    near = tr.solve_arrays(M0, t0, t1, -1.5, 1.5, 1e9)
    assert near.pass_through[0, 0] == pytest.approx(1.0, abs=1e-8)


@pytest.mark.parametrize("eps", [0.5, 2.0, 5.0, 99.0])
@pytest.mark.parametrize("eta", [-0.8, -1.5, -4.0])
def test_finite_supply_exporter_price_falls_by_the_formula(eps, eta):
    """One origin (or the same duty on every origin): ln p* = eta / (eps - eta) ln tau exactly;
    the duty-paid price carries eps / (eps - eta) of the duty (SMART's incidence rule)."""
    tau = 1.25 / 1.10
    one = tr.solve_arrays([[50.0]], [[0.10]], [[0.25]], eta, 1.5, eps)
    assert np.log(one.exporter_price[0, 0]) == pytest.approx(eta / (eps - eta) * np.log(tau), rel=1e-10)
    assert one.pass_through[0, 0] == pytest.approx(eps / (eps - eta), rel=1e-10)
    same = tr.solve_arrays(M0, [[0.10] * 3], [[0.25] * 3], eta, 2.5, eps)
    np.testing.assert_allclose(np.log(same.exporter_price[0]), eta / (eps - eta) * np.log(tau), rtol=1e-10)
    # and for a small change the linear SMART rule dp*/p* = eta / (eps - eta) * dt / (1 + t0) holds
    small = tr.solve_arrays([[50.0]], [[0.10]], [[0.101]], eta, 1.5, eps)
    assert small.exporter_price[0, 0] - 1 == pytest.approx(eta / (eps - eta) * 0.001 / 1.10, rel=2e-3)


def test_no_change_means_no_effect():
    rng = np.random.default_rng(0)
    m0 = rng.uniform(0, 10, (20, 7))
    t = rng.uniform(0, 1, (20, 7))
    sol = tr.solve_arrays(m0, t, t, -2.0, 3.0, 5.0)
    for arr in (
        sol.trade_creation,
        sol.trade_diversion,
        sol.composite_effect,
        sol.price_effect,
        sol.imports_new - m0,
        sol.buyer_cost,
        sol.deadweight_loss,
    ):
        assert np.abs(arr).max() < 1e-9
    assert np.isnan(sol.pass_through).all()


def test_vectorised_equals_line_by_line_and_sigma_one():
    rng = np.random.default_rng(1)
    m0 = rng.uniform(0, 10, (12, 5)) * (rng.random((12, 5)) > 0.3)
    t0 = rng.uniform(0, 0.3, (12, 5))
    t1 = t0 + rng.uniform(0, 1.5, (12, 5))
    eta = rng.uniform(-4, -0.3, 12)
    sig = np.where(np.arange(12) % 4 == 0, 1.0, rng.uniform(0.5, 8, 12))  # includes the Cobb-Douglas case
    eps = rng.uniform(0.3, 50, (12, 5))
    eps[0] = np.inf
    all_ = tr.solve_arrays(m0, t0, t1, eta, sig, eps)
    for i in range(12):
        one = tr.solve_arrays(m0[i : i + 1], t0[i : i + 1], t1[i : i + 1], eta[i], sig[i], eps[i : i + 1])
        np.testing.assert_allclose(one.imports_new[0], all_.imports_new[i], rtol=1e-10, atol=1e-12)
        assert one.buyer_cost[0] == pytest.approx(all_.buyer_cost[i], rel=1e-10, abs=1e-12)
    # sigma = 1: the price index is the geometric mean of duty-paid prices (flat supply)
    cd = tr.solve_arrays([[30.0, 70.0]], [[0.0, 0.0]], [[0.5, 0.0]], -1.0, 1.0, np.inf)
    assert cd.composite_price[0] == pytest.approx(1.5**0.3, rel=1e-12)
    assert cd.buyer_cost[0] == pytest.approx(100 * np.log(1.5**0.3), rel=1e-12)  # eta = -1: E0 ln P


def test_zero_lines_and_zero_partners_are_harmless():
    m0 = np.array([[0.0, 0.0], [10.0, 0.0]])
    sol = tr.solve_arrays(m0, 0.0, [[0.5, 0.5], [0.5, 0.5]], -1.5, 1.5, 99.0)
    assert np.all(np.isfinite(sol.imports_new)) and sol.imports_new[0].sum() == 0
    assert sol.imports_new[1, 1] == 0 and sol.composite_price[0] == 1.0


def test_solve_returns_labelled_dataset_and_checks_inputs():
    ds = tr.solve([[100.0, 60.0, 40.0]], [[0.075, 0, 0]], [[0.325, 0, 0]], eta=-1.5)
    assert ds.sizes == {"line": 1, "partner": 3}
    assert float(ds.imports_new.sum()) == pytest.approx(173.19, abs=0.01)
    assert ds.attrs["model"].startswith("Armington")
    with pytest.raises(InputError, match="eta .* must be negative"):
        tr.solve(M0, 0.0, 0.1, eta=1.5)
    with pytest.raises(InputError, match="sigma .* must be positive") as exc:
        tr.solve(M0, 0.0, 0.1, eta=-1.5, sigma=-2.0)
    assert exc.value.problems[0].field == "sigma"
    with pytest.raises(InputError, match="epsilon"):
        tr.solve(M0, 0.0, 0.1, eta=-1.5, epsilon=[1.0, -1.0, 2.0])
    with pytest.raises(InputError, match="imports"):
        tr.solve([[-1.0, 2.0]], 0.0, 0.1, eta=-1.5)


# -- properties --------------------------------------------------------------------------------

flows = st.lists(st.floats(0.0, 1e4, allow_nan=False), min_size=2, max_size=6)
rates = st.floats(0.0, 2.0)


@st.composite
def markets(draw):
    m = draw(flows)
    n = len(m)
    t0 = [draw(rates) for _ in range(n)]
    t1 = [draw(rates) for _ in range(n)]
    eta = draw(st.floats(-6.0, -0.05))
    sigma = draw(st.floats(0.1, 12.0))
    eps = draw(st.one_of(st.just(np.inf), st.floats(0.1, 200.0)))
    return np.array([m]), np.array([t0]), np.array([t1]), eta, sigma, eps


@settings(max_examples=150, deadline=None)
@given(markets(), st.integers(0, 5), st.floats(0.001, 1.0))
def test_higher_tariff_on_a_partner_never_raises_its_imports(mk, j, bump):
    m0, t0, t1, eta, sigma, eps = mk
    j = j % m0.shape[1]
    lo = tr.solve_arrays(m0, t0, t1, eta, sigma, eps)
    t2 = t1.copy()
    t2[0, j] += bump
    hi = tr.solve_arrays(m0, t0, t2, eta, sigma, eps)
    assert hi.quantity_new[0, j] <= lo.quantity_new[0, j] * (1 + 1e-10) + 1e-9
    assert hi.imports_new[0, j] <= lo.imports_new[0, j] * (1 + 1e-10) + 1e-9
    # and buyers never gain from a higher duty
    assert hi.buyer_cost[0] >= lo.buyer_cost[0] - 1e-9 * max(1.0, abs(lo.buyer_cost[0]))


@settings(max_examples=150, deadline=None)
@given(markets())
def test_accounting_identities(mk):
    m0, t0, t1, eta, sigma, eps = mk
    s = tr.solve_arrays(m0, t0, t1, eta, sigma, eps)
    scale = max(1.0, float(m0.sum()))
    # value change = creation + diversion + composite + price effects; diversion sums to zero
    lhs = s.imports_new - m0
    rhs = s.trade_creation + s.trade_diversion + s.composite_effect + s.price_effect
    assert np.abs(lhs - rhs).max() <= 1e-9 * scale
    assert abs(s.trade_diversion.sum()) <= 1e-9 * scale
    # supply = demand: q = m (p*)^eps for finite eps
    if np.isfinite(eps):
        np.testing.assert_allclose(s.quantity_new, m0 * s.exporter_price**eps, rtol=1e-8, atol=1e-9 * scale)
    # the price index identity holds
    w = m0 * (1 + t0)
    if w.sum() > 0 and abs(1 - sigma) > 1e-6:
        w = w / w.sum()
        pidx = (w * s.duty_paid_price ** (1 - sigma)).sum() ** (1 / (1 - sigma))
        assert pidx == pytest.approx(s.composite_price[0], rel=1e-9)


@settings(max_examples=100, deadline=None)
@given(markets())
def test_a_tariff_from_free_trade_never_gains_the_world(mk):
    """From zero duties, any tariff is a pure distortion: world deadweight loss >= 0."""
    m0, _, t1, eta, sigma, eps = mk
    s = tr.solve_arrays(m0, np.zeros_like(t1), t1, eta, sigma, eps)
    assert s.deadweight_loss[0] >= -1e-9 * max(1.0, float(m0.sum()))
