"""Static input-output analysis: multipliers against pymrio, hypothetical extraction by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import chokepoints as cp
from chokepoints.datasets.mrio import load_mrio_iosystem_test
from chokepoints.errors import InputError
from chokepoints.indicators.io_static import (
    IOTable,
    _ghosh,
    hypothetical_extraction,
    io_table,
    multipliers,
)
from chokepoints.indicators.leontief import LeontiefSolver


@pytest.fixture(scope="module")
def pair():
    io = load_mrio_iosystem_test()
    return io, cp.World.from_mrio(io, name="t")


def test_table_and_multipliers_match_pymrio(pair):
    io, w = pair
    t = io_table(w)
    np.testing.assert_allclose(t.Z * 365, io.Z.to_numpy(), rtol=1e-9, atol=1e-9)
    m = multipliers(w)
    np.testing.assert_allclose(m["output_multiplier"], io.L.to_numpy().sum(axis=0), rtol=1e-9)
    G = np.linalg.inv(np.eye(len(t.x)) - io.Z.to_numpy() / io.x.to_numpy().ravel()[:, None])
    np.testing.assert_allclose(m["ghosh_multiplier"], G.sum(axis=1), rtol=1e-9)
    # value added multipliers: v L summed; total VA of final demand = v L y = total VA
    v = t.va / t.x
    assert float(m["value_added_multiplier"] @ t.y) == pytest.approx(float(t.va.sum()), rel=1e-9)
    assert np.all(m["value_added_multiplier"] <= 1 + 1e-9) and np.all(v >= 0)


def two_region_world() -> cp.World:
    """A makes a (output 100/day) for A's final use (60) and for B's maker (40, 0.4 a per b);
    B makes b (output 100) for B's final use. By hand: x = (100, 100)."""
    from types import SimpleNamespace

    idx = pd.MultiIndex.from_tuples([("A", "a"), ("A", "b"), ("B", "a"), ("B", "b")])
    Z = np.zeros((4, 4))
    Z[0, 3] = 40.0  # A.a -> B.b
    Y = np.zeros((4, 2))
    Y[0, 0] = 60.0  # A.a -> A final use
    Y[3, 1] = 100.0  # B.b -> B final use
    Y[1, 0] = 10.0
    Y[2, 1] = 10.0
    io = SimpleNamespace(
        Z=pd.DataFrame(Z * 365, index=idx, columns=idx),
        Y=pd.DataFrame(Y * 365, index=idx, columns=pd.MultiIndex.from_tuples([("A", "fd"), ("B", "fd")])),
        unit=pd.DataFrame({"unit": ["Mill USD"] * 4}, index=idx),
    )
    return cp.World.from_mrio(io, name="two")


def test_hypothetical_extraction_by_hand():
    w = two_region_world()
    hem = hypothetical_extraction(w, "A", "a").set_index("region")
    # backward (Leontief): A.a no longer sells 40/day to B.b; nothing upstream of A.a (v = 1), B unaffected
    assert hem.loc["A", "output_at_risk_backward"] == pytest.approx(40 * 365)
    assert hem.loc["A", "usd_value_added_at_risk_backward"] == pytest.approx(40 * 365 * 1e6)
    assert hem.loc["B", "output_at_risk_backward"] == pytest.approx(0.0, abs=1e-6)
    # forward (Ghosh): x_Bb = va_Bb + 40 -> va_Bb = 60, so B.b loses 40/day; v_Bb = 60 / 100
    assert hem.loc["B", "output_at_risk_forward"] == pytest.approx(40 * 365)
    assert hem.loc["B", "value_added_at_risk_forward"] == pytest.approx(0.6 * 40 * 365)
    assert hem.loc["B", "share_of_value_added_forward"] == pytest.approx(0.6 * 40 / 70)
    assert hem.loc["A", "output_at_risk_forward"] == pytest.approx(0.0, abs=1e-6)
    with pytest.raises(InputError, match="makes no"):
        hypothetical_extraction(w, "A", "zinc")


def _io_like(n: int, seed: int) -> np.ndarray:
    """A random input-output coefficient matrix: non-negative, column sums 0.2-0.9."""
    rng = np.random.default_rng(seed)
    C = rng.random((n, n)) * (rng.random((n, n)) < 0.3)
    return C / np.maximum(C.sum(axis=0), 1e-9) * rng.uniform(0.2, 0.9, n)


@pytest.mark.parametrize("method", ["auto", "lu"])
@pytest.mark.parametrize("seed", range(4))
def test_leontief_solver_matches_a_float64_solve(seed, method):
    C = _io_like(60, seed)
    b = np.random.default_rng(seed + 10).random((60, 3))
    s = LeontiefSolver(C, method=method)
    M = np.eye(60) - C
    np.testing.assert_allclose(s.solve(b), np.linalg.solve(M, b), rtol=1e-13)
    np.testing.assert_allclose(s.solve(b[:, 0], trans=True), np.linalg.solve(M.T, b[:, 0]), rtol=1e-13)
    if method == "auto":  # GMRES was enough: no factorisation made
        assert s.used == {"gmres": 4, "lu32": 0, "lu64": 0} and s.lu32 is None and s.lu64 is None
        assert 0 < s.products < 4 * 60
    else:  # the float32 factors, refined, were enough
        assert s.used == {"gmres": 0, "lu32": 4, "lu64": 0} and s.lu64 is None and s.refined > 0


@pytest.mark.parametrize("method", ["auto", "lu"])
def test_leontief_solver_falls_back_to_float64_when_the_others_cannot(method):
    # I - C symmetric with eigenvalues spread from 1e-9 to 1 (cond 1e9, n = 200): GMRES does not
    # converge within its product budget and float32 factors cannot be refined (their error times
    # cond exceeds 1); only the float64 LU is left
    n = 200
    Q, _ = np.linalg.qr(np.random.default_rng(3).normal(size=(n, n)))
    C = np.eye(n) - (Q * np.logspace(-9, 0, n)) @ Q.T
    b = np.ones(n)
    s = LeontiefSolver(C, method=method)
    z = s.solve(b)
    assert s.used["lu64"] == 1 and s.lu64 is not None
    M = np.eye(n) - C
    np.testing.assert_allclose(M @ z, b, rtol=1e-5)
    # two float64 solutions of a system with cond 1e9 agree to about cond x eps
    np.testing.assert_allclose(z, np.linalg.solve(M, b), rtol=1e-4)
    assert s.used["gmres"] == 0 and s.used["lu32"] == 0


def test_leontief_solver_rejects_an_unknown_method():
    with pytest.raises(ValueError, match="method"):
        LeontiefSolver(np.zeros((2, 2)), method="cholesky")


def test_ghosh_with_a_producer_of_no_output():
    # producer 2 makes nothing (x = 0): B's row 2 is 0, so G's row 2 is e_2 and its multiplier is 1
    Z = np.array([[1.0, 2.0, 0.0], [3.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    x = np.array([10.0, 8.0, 0.0])
    va = x - Z.sum(axis=0)
    t = IOTable(
        ("a", "b", "c"), np.zeros(3), np.zeros(3), Z, x - Z.sum(axis=1), np.zeros((3, 1)), ("r",), x, va, np.ones(3)
    )
    B = Z * np.array([0.1, 0.125, 0.0])[:, None]
    G = np.linalg.inv(np.eye(3) - B)
    A = Z * np.array([0.1, 0.125, 0.0])[None, :]
    np.testing.assert_allclose(_ghosh(t, LeontiefSolver(A), Z, left=False), G.sum(axis=1), rtol=1e-13)
    np.testing.assert_allclose(_ghosh(t, LeontiefSolver(A), Z, left=True), va @ G, rtol=1e-13)


def test_hypothetical_extraction_matches_explicit_inverses(pair):
    """Against the formulas of the module docstring with explicit inverses (np.linalg.inv)."""
    _, w = pair
    t = io_table(w)
    ex, prod = t.region[0], t.product[0]
    hem = hypothetical_extraction(w, ex, prod).set_index("region")
    rows = np.flatnonzero((t.region == ex) & (t.product == prod))
    cut = np.ix_(rows, np.flatnonzero(t.region != ex))
    n = len(t.x)
    A, B = t.Z / t.x[None, :], t.Z / t.x[:, None]
    A_s, B_s = A.copy(), B.copy()
    A_s[cut], B_s[cut] = 0.0, 0.0
    y_s = t.y.copy()
    others = [i for i, r in enumerate(t.regions) if r != ex]
    y_s[rows] -= t.y_by_region[np.ix_(rows, others)].sum(axis=1)
    dx_b = (np.linalg.inv(np.eye(n) - A) @ t.y - np.linalg.inv(np.eye(n) - A_s) @ y_s) * 365
    dx_f = (t.va @ np.linalg.inv(np.eye(n) - B) - t.va @ np.linalg.inv(np.eye(n) - B_s)) * 365
    by = pd.DataFrame({"region": t.region, "b": dx_b, "f": dx_f}).groupby("region").sum()
    np.testing.assert_allclose(hem.loc[by.index, "output_at_risk_backward"], by["b"], rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(hem.loc[by.index, "output_at_risk_forward"], by["f"], rtol=1e-9, atol=1e-6)
    assert by["b"].abs().max() > 0  # the extraction changes something


def test_io_table_same_from_factored_and_dense_shares(pair, monkeypatch):
    """An MRIO World's factored shares and the same World with a dense W give the same table."""
    import dataclasses

    _, w = pair
    cw = w.compile()
    assert cw.shares3 is not None  # the factored path
    t = io_table(w)
    dense = dataclasses.replace(cw, W=np.asarray(cw.W), shares3=None, suppliers3=None, fd_links=None)
    monkeypatch.setattr(w, "compile", lambda: dense)
    t2 = io_table(w)
    np.testing.assert_allclose(t2.Z, t.Z, rtol=1e-14, atol=0)
    np.testing.assert_allclose(t2.y_by_region, t.y_by_region, rtol=1e-12, atol=1e-12)
    assert t.y_by_region.sum() > 0


def test_leontief_solver_overwrite_reuses_the_array():
    C = _io_like(30, 5)
    b = np.ones(30)
    expected = np.linalg.solve(np.eye(30) - C, b)
    work = C.copy()
    s = LeontiefSolver(work, overwrite=True)
    assert s.M is work  # I - C in the caller's array, no copy
    np.testing.assert_allclose(work, np.eye(30) - C)
    np.testing.assert_allclose(s.solve(b), expected, rtol=1e-13)
    s2 = LeontiefSolver(C.astype(np.float32), overwrite=True)  # not float64: copied, as without overwrite
    np.testing.assert_allclose(s2.solve(b), np.linalg.solve(np.eye(30) - C.astype(np.float32).astype(float), b))
