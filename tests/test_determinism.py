"""Same seed, same result; another seed, another result when something is uncertain."""

from __future__ import annotations

import numpy as np
from conftest import chain_world, scenario

import chokepoints as cp

EVENTS = [
    {
        "type": "export_control",
        "id": "lic",
        "on": "2025-04-10",
        "exporter": "CHN",
        "products": ["ore"],
        "destinations": ["USA"],
        "mode": "licence",
        "review_days": 5,
        "approval_rate": 0.3,
    }
]
UNCERTAIN = [
    {"parameter": "events.lic.approval_rate", "distribution": "beta", "a": 2, "b": 5},
    {
        "parameter": "world.inventories.days_of_cover",
        "where": {"holder": "USA.*"},
        "distribution": "triangular",
        "low": 3,
        "mode": 8,
        "high": 15,
    },
]


def _run(seed: int):
    sc = scenario(EVENTS, horizon=50, runs=8, seed=seed, uncertain=UNCERTAIN)
    return cp.simulate(chain_world(), sc)


def test_same_seed_identical():
    a, b = _run(11), _run(11)
    np.testing.assert_array_equal(a.data.production.values, b.data.production.values)
    np.testing.assert_array_equal(a.data.samples.values, b.data.samples.values)
    assert a.provenance["scenario_hash"] == b.provenance["scenario_hash"]


def test_different_seed_differs():
    a, b = _run(11), _run(12)
    assert not np.array_equal(a.data.samples.values, b.data.samples.values)
    assert not np.array_equal(a.data.production.values, b.data.production.values)


def test_latin_hypercube_strata_and_provenance():
    res = _run(5)
    s = res.data.samples.values[:, 1]
    # Latin hypercube: one draw in each of the 8 probability strata of the triangular(3, 8, 15)
    from scipy import stats

    u = stats.triang((8 - 3) / 12, 3, 12).cdf(s)
    assert sorted(np.floor(u * 8).astype(int)) == list(range(8))
    prov = res.provenance
    for key in ("package_version", "scenario_hash", "dataset_version", "seed"):
        assert key in prov
    assert prov["seed"] == 5


def test_no_uncertainty_runs_identical():
    res = cp.simulate(chain_world(), scenario(EVENTS, horizon=30, runs=3))
    x = res.data.production.values
    assert np.array_equal(x[0], x[1]) and np.array_equal(x[1], x[2])
