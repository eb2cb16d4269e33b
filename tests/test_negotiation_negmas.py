"""The optional NegMAS adapter (skipped unless negmas is installed; it is never required)."""

from __future__ import annotations

import numpy as np
import pytest

from chokepoints.errors import InputError
from chokepoints.negotiation.negmas_adapter import negmas_available, run_negmas
from chokepoints.negotiation.solutions import zopa_mask

PIE = np.column_stack([np.linspace(0, 1, 21), 1 - np.linspace(0, 1, 21)])


@pytest.mark.skipif(negmas_available(), reason="negmas is installed")
def test_adapter_says_what_is_missing():
    with pytest.raises(InputError, match="pip install negmas"):
        run_negmas(PIE, np.zeros(2))


@pytest.mark.skipif(not negmas_available(), reason="negmas (optional, AGPL) not installed")
def test_negmas_agrees_inside_the_zopa():
    d = np.array([0.2, 0.2])
    out = run_negmas(PIE, d, n_steps=40)
    assert out["agreement"] is None or zopa_mask(PIE[[out["agreement"]]], d)[0] or out["broken"]
