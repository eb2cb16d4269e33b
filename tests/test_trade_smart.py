"""SMART's worked example (hand-worked truth); the named check of the non-linear model."""

from __future__ import annotations

import numpy as np
import pytest

import chokepoints.trade as tr

# The worked example: US imports of one HS6 line, $m; tariff on CN 7.5 % -> 32.5 %.
M0 = np.array([[100.0, 60.0, 40.0]])  # CN, VN, MX
PARTNERS = ["CN", "VN", "MX"]
ETA, SIGMA, EPS = -1.5, 1.5, 99.0


def t(cn: float) -> np.ndarray:
    return np.array([[cn, 0.0, 0.0]])  # VN and MX face no duty (they do not enter SMART's formulas)


def test_worked_example_linear_numbers():
    lin = tr.smart_linear(M0, t(0.075), t(0.325), ETA, SIGMA, EPS)
    # TC = M eta dt / ((1 + t0)(1 - eta/eps)) = 100 * -1.5 * 0.25 / (1.075 * (1 + 1.5/99))
    assert lin.trade_creation[0, 0] == pytest.approx(-34.4, abs=0.05)
    assert lin.trade_creation[0, 0] == pytest.approx(-37.5 / (1.075 * (1 + 1.5 / 99)), rel=1e-12)
    assert lin.trade_creation[0, 1:] == pytest.approx([0.0, 0.0])
    # Laird-Yeats: TD = M_c M_n sigma p / (M_c + M_n - M_c sigma p), p = 0.25/1.075;
    # spread over VN and MX by their imports
    td = lin.trade_diversion[0]
    assert td == pytest.approx([-21.1, 12.7, 8.5], abs=0.05)
    e = SIGMA * 0.25 / 1.075
    assert td[0] == pytest.approx(-100 * 100 * e / (200 - 100 * e), rel=1e-12)
    assert td.sum() == pytest.approx(0.0, abs=1e-12)
    assert td[1] / td[2] == pytest.approx(60 / 40)


def test_worked_example_nonlinear_beside_linear():
    """The non-linear solution of the same line, reported beside SMART's numbers."""
    df = tr.check_smart(M0, t(0.075), t(0.325), ETA, SIGMA, EPS, partners=PARTNERS)
    cn = df.set_index("partner").loc["CN"]
    assert cn.creation_linear == pytest.approx(-34.36, abs=0.01)
    assert cn.diversion_linear == pytest.approx(-21.13, abs=0.01)
    # non-linear: imports from CN fall by (tau p*)^eta - 1 with tau = 1.325/1.075;
    # diversion is the CES share shift
    tau = 1.325 / 1.075
    assert cn.creation_nonlinear == pytest.approx(100 * ((tau ** (99 / 100.5)) ** ETA - 1), rel=1e-9)
    assert cn.creation_nonlinear == pytest.approx(-26.58, abs=0.01)
    s1 = 0.5 * tau**-SIGMA / (0.5 * tau**-SIGMA + 0.5)
    assert cn.diversion_nonlinear == pytest.approx(200 * (s1 - 0.5), rel=1e-9)
    # a 25-point change is far outside the linear range: the gaps are 20-30 %
    assert 0.2 < cn.creation_gap < 0.3 and 0.2 < cn.diversion_gap < 0.3
    assert not df.set_index("partner").loc["CN", "ok"]
    with pytest.raises(tr.SmartCheckError, match="differ by"):
        tr.check_smart(M0, t(0.075), t(0.325), ETA, SIGMA, EPS, strict=True)


def test_one_point_change_agrees_within_one_percent():
    # A 1-point change on the worked example's line, from its new rate of 32.5 %.
    df = tr.check_smart(M0, t(0.325), t(0.335), ETA, SIGMA, EPS, rtol=0.01, strict=True, partners=PARTNERS)
    assert df["ok"].all()
    assert df["creation_gap"].max() < 0.01 and df["diversion_gap"].max() < 0.01


def test_linearisation_gap_is_second_order():
    """Riker & Schreiber: the gap grows with the change; about (1 - a)/2 * dt/(1 + t0) for effect a.

    From 7.5 % a 1-point change leaves a gap of 1.1-1.2 % (a = -1.48 for creation incl. the supply
    response, -sigma = -1.5 for diversion); half a point halves it (0.6 %).
    """
    for t0, dt_ in ((0.075, 0.01), (0.075, 0.005), (0.325, 0.01), (0.0, 0.002)):
        df = tr.check_smart(M0, t(t0), t(t0 + dt_), ETA, SIGMA, EPS, partners=PARTNERS).set_index("partner")
        p = dt_ / (1 + t0)
        a_tc = ETA * EPS / (EPS - ETA)
        assert df.loc["CN", "creation_gap"] == pytest.approx((1 - a_tc) / 2 * p, rel=0.05)
        assert df.loc["CN", "diversion_gap"] == pytest.approx((1 + SIGMA) / 2 * p, rel=0.05)
    small = tr.check_smart(M0, t(0.075), t(0.08), ETA, SIGMA, EPS, rtol=0.01)
    assert small["ok"].all()


def test_agreement_for_small_changes_with_many_partners_and_mixed_signs():
    rng = np.random.default_rng(3)
    m0 = rng.uniform(0, 100, size=(50, 6))
    t0 = rng.uniform(0, 0.5, size=(50, 6))
    t1 = t0 + rng.uniform(-0.002, 0.002, size=(50, 6))
    lin = tr.smart_linear(m0, t0, t1, -2.0, 3.0, np.inf)
    nl = tr.solve_arrays(m0, t0, t1, -2.0, 3.0, np.inf)
    # the same first-order terms: gaps are second order, small against each line's largest effect
    for a, b in (
        (nl.trade_diversion, lin.trade_diversion),
        (nl.trade_creation, lin.trade_creation),
    ):
        tol = 0.01 * np.abs(b).max(axis=1, keepdims=True)
        assert np.all(np.abs(a - b) <= tol)


def test_armington_share_change():
    s = tr.armington_share_change([0.5, 0.3, 0.2], [1.25, 1.0, 1.0], 1.5)
    assert s.sum() == pytest.approx(1.0)
    assert s[0] == pytest.approx(0.5 * 1.25**-1.5 / (0.5 * 1.25**-1.5 + 0.5))
    assert s[1] / s[2] == pytest.approx(1.5)
    # equal duty changes on every origin leave shares alone; rows are independent
    np.testing.assert_allclose(
        tr.armington_share_change([[0.2, 0.8], [0.6, 0.4]], [[2.0, 2.0], [1.0, 1.1]], [[1.5], [4.0]])[0],
        [0.2, 0.8],
    )
    with pytest.raises(ValueError, match="sigma"):
        tr.armington_share_change([0.5, 0.5], [1.0, 1.2], -1.0)


def test_linear_results_outside_the_valid_range_are_flagged():
    """A 125-point rise with eta = -1.5: the linear creation exceeds the base imports (negative imports)."""
    import numpy as np

    from chokepoints.trade.smart import check_smart, smart_linear

    m0 = np.array([[100.0, 50.0]])
    lin = smart_linear(m0, [[0.0, 0.0]], [[1.25, 0.0]], -1.5)
    assert lin.imports_new[0, 0] < 0 and not lin.valid[0, 0] and lin.valid[0, 1]
    small = smart_linear(m0, [[0.0, 0.0]], [[0.05, 0.0]], -1.5)
    assert small.valid.all()
    df = check_smart(m0, [[0.0, 0.0]], [[1.25, 0.0]], -1.5)
    assert df["linear_valid"].tolist() == [False, True]
