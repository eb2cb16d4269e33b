"""Static input-output analysis: multipliers against pymrio, hypothetical extraction by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import chokepoints as cp
from chokepoints.datasets.mrio import load_mrio_iosystem_test
from chokepoints.errors import InputError
from chokepoints.indicators.io_static import hypothetical_extraction, io_table, multipliers


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
