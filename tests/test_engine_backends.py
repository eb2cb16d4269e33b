"""The two backends of a step's element-wise update (engine/tile.py) give the same results.

``numpy`` is the reference; ``numba`` computes the same formulas in one fused loop and may
differ only by rounding (its additions happen in another order). Checked on the kernel
alone (every branch: alt/noalt, masked denominators, per-run targets, non-binding inputs),
by hand on one element, and end to end on the scenarios that exercise controls, priority
rationing, capacity changes and MRIO worlds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import chokepoints as cp
from chokepoints.engine import tile
from chokepoints.errors import InputError

needs_numba = pytest.mark.skipif(not tile.numba_available(), reason="numba not installed (extra 'fast')")
ROOT = Path(__file__).resolve().parents[1]
BACKENDS = ["numpy"] + (["numba"] if tile.numba_available() else [])


def _call(backend, G, d, q, x_a, x_opt, inv_s, tau, off, alt, masked, uniform=False):
    d, q, G = d.copy(), q.copy(), G.copy()
    m = np.full(x_a.shape, np.inf, dtype=d.dtype)
    uc = None
    if uniform and backend == "numpy":
        c = x_a * inv_s[0, 0, 0]
        uc = (c, c * tau[:, None], x_opt + c * tau[:, None])
    buf = tile.TileBuffers(d.shape[0], d.shape[1], d.shape[2], d.dtype)
    tile.update_tile(backend, G, d, q, x_a, x_opt, inv_s, tau, off, m, alt, masked, uc, buf)
    return d, q, m


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("alt", [True, False])
def test_one_element_by_hand(backend, alt):
    # d = 2, q_hat = 1, G_recv = 3, x_a = 1, 1/s = 0.5 (c = 0.5), x_opt = 6, tau = 2, G_den = 4
    # d' = max(2 + 1 * 3 - 0.5, 0) = 4.5; gap = max(6 - 4.5, 0) = 1.5
    # alt: q' = (1.5 + 2 * 0.5) / 4 = 0.625;  noalt: q' = 1.5 / 2 + 0.5 = 1.25;  m = 4.5
    G = np.array([[[3.0], [4.0]]]) if alt else np.array([[[3.0]]])
    one = np.ones((1, 1, 1))
    d, q, m = _call(
        backend,
        G,
        2 * one,
        one,
        np.ones((1, 1)),
        np.full((1, 1), 6.0),
        0.5 * one,
        np.array([2.0]),
        None,
        alt,
        masked=False,
    )
    assert d[0, 0, 0] == pytest.approx(4.5)
    assert q[0, 0, 0] == pytest.approx(0.625 if alt else 1.25)
    assert m[0, 0] == pytest.approx(4.5)


@pytest.mark.parametrize("backend", BACKENDS)
def test_stocks_never_go_negative_and_masked_denominators_keep_orders(backend):
    # used (x_a / s = 10) exceeds stock + deliveries (1 + 1): d' = 0, gap = x_opt = 3
    G = np.array([[[1.0, 1.0], [0.0, 5.0]]])  # G_den: 0 on buyer 0 (nothing to split over), 5 on buyer 1
    d, q, m = _call(
        backend,
        G,
        np.ones((1, 1, 2)),
        np.ones((1, 1, 2)),
        np.full((1, 2), 10.0),
        np.full((1, 2), 3.0),
        np.ones((1, 1, 2)),
        np.array([1.0]),
        None,
        True,
        masked=True,
    )
    assert (d == 0).all()
    assert q[0, 0, 0] == 1.0  # unchanged where G_den = 0
    assert q[0, 0, 1] == pytest.approx((3.0 + 10.0) / 5.0)
    assert (m == 0).all()


@needs_numba
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("alt,masked", [(True, False), (True, True), (False, False)])
@pytest.mark.parametrize("per_run_s,with_off", [(False, False), (True, True), (False, True)])
def test_numba_matches_numpy_on_random_tiles(dtype, alt, masked, per_run_s, with_off):
    rng = np.random.default_rng(7)
    k, Rc, n = 3, 5, 37
    G = rng.uniform(0.0, 2.0, (k, 2 * Rc if alt else Rc, n)).astype(dtype)
    if masked:
        G[:, Rc:][rng.random((k, Rc, n)) < 0.2] = 0.0
    d = rng.uniform(0.0, 3.0, (k, Rc, n)).astype(dtype)
    d[0, :, :4] = np.inf  # non-inputs hold infinite stocks
    q = rng.uniform(0.0, 1.0, (k, Rc, n)).astype(dtype)
    q[0, :, :4] = 0.0
    x_a = rng.uniform(0.0, 2.0, (Rc, n)).astype(dtype)
    x_opt = x_a + rng.uniform(0.0, 1.0, (Rc, n)).astype(dtype)
    inv_s = rng.uniform(0.01, 0.5, (k, Rc if per_run_s else 1, n)).astype(dtype)
    inv_s[0, :, :4] = 0.0
    tau = rng.uniform(1.0, 60.0, Rc).astype(dtype)
    off = np.where(rng.random((k, n)) < 0.3, np.inf, 0.0).astype(dtype) if with_off else None
    ref = _call("numpy", G, d, q, x_a, x_opt, inv_s, tau, off, alt, masked)
    got = _call("numba", G, d, q, x_a, x_opt, inv_s, tau, off, alt, masked)
    rtol = 1e-12 if dtype == np.float64 else 2e-6
    for a, b in zip(ref, got, strict=True):
        np.testing.assert_allclose(b, a, rtol=rtol, atol=0)


@needs_numba
def test_uniform_target_shortcut_of_numpy_agrees_with_numba():
    rng = np.random.default_rng(3)
    k, Rc, n = 2, 4, 50
    G = rng.uniform(0.1, 2.0, (k, 2 * Rc, n))
    args = (
        rng.uniform(0, 3, (k, Rc, n)),
        rng.uniform(0, 1, (k, Rc, n)),
        rng.uniform(0, 2, (Rc, n)),
        rng.uniform(1, 3, (Rc, n)),
        np.full((k, 1, n), 1 / 90),
        rng.uniform(1, 60, Rc),
        None,
    )
    ref = _call("numpy", G, *args, True, False, uniform=True)
    got = _call("numba", G, *args, True, False)
    for a, b in zip(ref, got, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-12)


def _compare(world, sc, rtol, dtype=np.float64):
    res = {b: cp.simulate(world, sc, backend=b, dtype=dtype).data for b in ("numpy", "numba")}
    assert res["numba"].attrs["backend"] == "numba" and res["numpy"].attrs["backend"] == "numpy"
    checked = 0
    for name, var in res["numpy"].data_vars.items():
        if var.dtype.kind != "f":
            continue
        if var.size == 0:
            continue
        scale = float(np.abs(np.where(np.isfinite(var.values), var.values, 0.0)).max()) or 1.0
        np.testing.assert_allclose(res["numba"][name].values, var.values, rtol=rtol, atol=1e-9 * scale, err_msg=name)
        checked += 1
    assert checked >= 3


@needs_numba
@pytest.mark.parametrize(
    "name",
    [
        "cn-rare-earth-licensing-2025-04",
        "us-rare-earth-response-2025",
        "cn-rare-earth-oct-2025-as-announced",
        "cn-us-minerals-ban-2024-12",
    ],
)
def test_numba_matches_numpy_on_the_scenario_library(name):
    # licences (pipelines and corrected pairs), priority rationing, new capacity, recycling,
    # extraterritorial rules: the corrections around the fused update are the same for both
    from chokepoints.runner import load_inputs

    sc, world = load_inputs(ROOT / "scenarios" / f"{name}.yaml")
    _compare(world, sc.model_copy(update={"runs": 6}), rtol=1e-9)


@needs_numba
@pytest.mark.parametrize("order_type", ["alt", "noalt"])
def test_numba_matches_numpy_on_an_mrio_with_mixed_targets(order_type):
    pytest.importorskip("pymrio")
    from chokepoints.datasets.mrio import load_mrio_test

    # per-product targets (non-uniform s), an infinite inventory and a threshold that makes
    # some inputs non-binding: every branch of the update
    world = load_mrio_test(
        inventory_dict={"food": 30, "mining": 5}, infinite_inventories_sect=["trade"], threshold_not_input=0.02
    )
    sc = cp.Scenario.from_dict(
        {
            "name": "mix",
            "start": "2025-01-01",
            "horizon_days": 90,
            "runs": 5,
            "seed": 2,
            "engine": {"order_type": order_type},
            "events": [
                {
                    "type": "capacity_loss",
                    "id": "cut",
                    "on": "2025-01-05",
                    "region": "reg2",
                    "product": "mining",
                    "share": 0.6,
                    "duration_days": 20,
                    "recovery_days": 30,
                }
            ],
            "uncertain": [
                {"parameter": "engine.psi_param", "distribution": "uniform", "low": 0.6, "high": 0.95},
                {"parameter": "events.cut.share", "distribution": "uniform", "low": 0.3, "high": 0.9},
            ],
        }
    )
    _compare(world, sc, rtol=1e-9)
    _compare(world, sc, rtol=2e-4, dtype=np.float32)


def test_backend_option_is_checked(monkeypatch):
    from conftest import chain_world

    sc = cp.Scenario.from_dict({"name": "x", "start": "2025-01-01", "horizon_days": 5})
    with pytest.raises(InputError, match="backend: expected one of auto, numpy, numba"):
        cp.simulate(chain_world(), sc, backend="cuda")
    monkeypatch.setattr(tile, "_HAVE_NUMBA", False)
    with pytest.raises(InputError, match=r"needs numba: pip install \"chokepoints\[fast\]\""):
        cp.simulate(chain_world(), sc, backend="numba")
    assert cp.simulate(chain_world(), sc, backend="auto").data.attrs["backend"] == "numpy"


def test_auto_picks_numba_only_for_large_chunks():
    assert tile.resolve_backend("auto", 1000) == "numpy"
    assert tile.resolve_backend("auto", tile.AUTO_NUMBA_ELEMENTS) == ("numba" if tile.numba_available() else "numpy")
    assert tile.resolve_backend("NumPy", 10**9) == "numpy"
