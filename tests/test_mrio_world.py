"""Monetary worlds from MRIOs (World.from_mrio, datasets.load_mrio_test) and the
engine's run options (records, memory chunks, float32, threads). Small and fast."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import chokepoints as cp
from chokepoints.errors import ConsistencyError, InputError

pymrio = pytest.importorskip("pymrio", reason="MRIO worlds need pymrio (the 'mrio' extra)")

from chokepoints.datasets.mrio import load_mrio_iosystem_test, load_mrio_test, synthetic_mrio  # noqa: E402
from chokepoints.engine.simulate import parse_bytes  # noqa: E402


@pytest.fixture(scope="module")
def io():
    return load_mrio_iosystem_test()


@pytest.fixture(scope="module")
def world():
    return load_mrio_test()


def scenario(events=(), horizon=40, runs=1, order_type="alt", uncertain=()):
    return cp.Scenario.from_dict(
        {
            "name": "mrio",
            "start": "2025-01-01",
            "horizon_days": horizon,
            "runs": runs,
            "engine": {"order_type": order_type},
            "events": list(events),
            "uncertain": list(uncertain),
        }
    )


SHOCK = {
    "type": "capacity_loss",
    "on": "2025-01-03",
    "region": "reg2",
    "product": "manufactoring",
    "share": 0.5,
    "duration_days": 10,
    "recovery_days": 10,
}


def test_world_arrays_follow_the_mrio(io, world):
    cw = world.compile()
    R, S = 6, 8
    assert (cw.n, cw.S, cw.m) == (48, 8, 48)
    x = io.x.to_numpy().ravel()
    np.testing.assert_allclose(cw.x0, x / 365, rtol=1e-12)
    np.testing.assert_allclose(cw.capacity, 1.25 * cw.x0, rtol=1e-12)
    # A^S = I_sum A: input of each product from all regions per unit of output
    np.testing.assert_allclose(cw.A, io.A.to_numpy().reshape(R, S, R * S).sum(axis=0), rtol=1e-9, atol=1e-15)
    W = np.asarray(cw.W)
    # every buyer's shares of each product it buys sum to 1
    sums = np.zeros((S, cw.n + cw.m))
    np.add.at(sums, cw.prod_product, W)
    assert np.allclose(sums[sums > 0], 1.0)
    # baseline balance: x0 = sum_b W[f, b] * need_b
    need = np.concatenate([cw.A[cw.prod_product] * cw.x0[None, :], np.zeros((cw.n, cw.m))], axis=1)
    need[:, cw.n :] = np.where(cw.fd_product[None, :] == cw.prod_product[:, None], cw.y0[None, :], 0.0)
    np.testing.assert_allclose((W * need).sum(axis=1), cw.x0, rtol=1e-9)
    assert np.all(cw.target_days[cw.A > 0] == 90) and np.all(cw.target_days[cw.A == 0] == 0)
    # threshold_not_input: 9 inputs of the test MRIO have 1e-5/365 < A^S <= 1e-5
    assert int((cw.A > 0).sum() - cw.binding.sum()) == 9
    assert int(world.compile().binding.sum()) == int((cw.A > 1e-5).sum())
    assert world.metadata["monetary_unit"] == "M USD" and world.metadata["monetary_unit_as_given"] == "Mill USD"


def test_tables_round_trip_to_a_table_world(world):
    tables = world.to_tables()
    assert len(tables["supply_links"]) == 48 * 8 * 6 + 48 * 6
    w2 = cp.World.from_tables(name="round-trip", **tables)  # passes every check_* (balance included)
    a, b = world.compile(), w2.compile()
    for f in ("x0", "capacity", "A", "y0", "target_days", "initial_days"):
        np.testing.assert_allclose(getattr(a, f), getattr(b, f), rtol=1e-12, err_msg=f)
    np.testing.assert_allclose(np.asarray(a.W), b.W, rtol=1e-12)
    # and both simulate alike (the table world has no threshold rule: use a world without it)
    w0 = cp.World.from_mrio(load_mrio_iosystem_test(), threshold_not_input=0.0)
    r1 = cp.simulate(w0, scenario([SHOCK]), record=["production"]).data.production.values
    r2 = cp.simulate(w2, scenario([SHOCK]), record=["production"]).data.production.values
    np.testing.assert_allclose(r1, r2, rtol=1e-9)


@pytest.mark.parametrize("order_type", ["alt", "noalt"])
def test_baseline_is_a_fixed_point(world, order_type):
    d = cp.simulate(world, scenario(horizon=60, order_type=order_type)).data
    np.testing.assert_allclose(d.production.values[0], np.broadcast_to(world.compile().x0, (60, 48)), rtol=1e-9)
    np.testing.assert_allclose(d.inventory_days.values, 90.0, rtol=1e-9)
    assert float(d.final_demand_unmet.max()) < 1e-9 * float(d.final_demand.max())


def test_capacity_loss_propagates_and_recovers(world):
    d = cp.simulate(world, scenario([SHOCK], horizon=120)).data
    x = d.production.isel(run=0)
    hit = x.sel(producer="reg2.manufactoring").values
    x0 = float(d.baseline_production.sel(producer="reg2.manufactoring"))
    assert hit[:2] == pytest.approx(x0, rel=1e-12) and hit[2] == pytest.approx(0.5 * x0, rel=1e-12)
    assert abs(hit[-1] / x0 - 1) < 0.02  # back near baseline after recovery
    assert float(d.final_demand_unmet.isel(run=0).sum()) > 0


def test_final_demand_by_category(io):
    w = cp.World.from_mrio(io, final_demand="category")
    cw = w.compile()
    assert cw.m == 6 * 7 * 8
    assert set(cw.fd_end_use) == set(io.get_Y_categories())
    wr = cp.World.from_mrio(io)
    np.testing.assert_allclose(w.compile().x0, wr.compile().x0)
    # a region-wide fall of one category's demand moves production, a baseline run does not
    ev = {
        "type": "final_demand_change",
        "on": "2025-01-05",
        "region": "reg1",
        "end_use": "Final consumption expenditure by households",
        "share": -0.2,
    }
    x = cp.simulate(w, scenario([ev]), record=["production"]).data.production.values[0]
    assert x[-1].sum() < 0.999 * x[0].sum()
    base_cat = cp.simulate(w, scenario(), record=["production"]).data.production.values
    base_reg = cp.simulate(wr, scenario(), record=["production"]).data.production.values
    np.testing.assert_allclose(base_cat, base_reg, rtol=1e-9)


def test_infinite_inventories_never_bind(io):
    w = cp.World.from_mrio(io, infinite_inventories_sect=["manufactoring"], inventory_dict={"food": 30})
    cw = w.compile()
    assert np.isinf(cw.target_days[2][cw.A[2] > 0]).all() and not cw.binding[2].any()
    assert (cw.target_days[0][cw.A[0] > 0] == 30).all()
    shock = dict(SHOCK, share=0.9, duration_days=60)
    d = cp.simulate(w, scenario([shock], horizon=80)).data
    inv = d.inventory_days.isel(run=0)
    assert np.isinf(inv.sel(inventory=inv.inventory_product == "manufactoring").values).all()
    assert np.isfinite(d.production.values).all()


def test_unbalanced_or_negative_mrio_is_refused(io):
    bad = SimpleNamespace(Z=io.Z, Y=io.Y, x=io.x * 1.01)
    with pytest.raises(ConsistencyError, match="not balanced"):
        cp.World.from_mrio(bad)
    Y = io.Y.copy()
    Y.iloc[0, :] = 0.0
    Y.iloc[0, 0] = -1.0
    neg = SimpleNamespace(Z=io.Z, Y=Y, x=None)
    with pytest.raises(ConsistencyError, match="negative final demand"):
        cp.World.from_mrio(neg)
    w = cp.World.from_mrio(neg, negative_final_demand="clip")
    assert w.compile().y0.min() >= 0


def test_large_mrio_keeps_arrays_not_tables():
    from chokepoints.world import mrio

    io = synthetic_mrio(3, 4, seed=1)
    w = cp.World.from_mrio(io)
    assert w.compile().n == 12 and np.asarray(w.compile().W).shape == (12, 24)
    old = mrio.DENSE_W_LIMIT, mrio.MAX_TABLE_ROWS
    try:
        mrio.DENSE_W_LIMIT, mrio.MAX_TABLE_ROWS = 10, 10
        big = cp.World.from_mrio(io)
        W = big.compile().W
        assert isinstance(W, mrio.FactoredShares)
        np.testing.assert_allclose(np.asarray(W), np.asarray(w.compile().W))
        f, b = np.array([0, 5, 11]), np.array([4, 13, 23])
        np.testing.assert_allclose(W[f, b], np.asarray(w.compile().W)[f, b])
        with pytest.raises(InputError, match="supply_links"):
            big.tables["supply_links"]
        r1 = cp.simulate(big, scenario([dict(SHOCK, region="r001", product="s002")]), record=["production"])
        r2 = cp.simulate(w, scenario([dict(SHOCK, region="r001", product="s002")]), record=["production"])
        np.testing.assert_allclose(r1.data.production.values, r2.data.production.values, rtol=1e-12)
    finally:
        mrio.DENSE_W_LIMIT, mrio.MAX_TABLE_ROWS = old


UNCERTAIN = [
    {"parameter": "engine.psi_param", "distribution": "uniform", "low": 0.5, "high": 0.9},
    {"parameter": "events.cut.share", "distribution": "uniform", "low": 0.2, "high": 0.8},
]


def test_chunks_threads_and_records_do_not_change_results(world):
    sc = scenario([dict(SHOCK, id="cut")], horizon=30, runs=6, uncertain=UNCERTAIN)
    full = cp.simulate(world, sc)
    one = cp.simulate(world, sc, chunk_runs=1, threads=1)
    two = cp.simulate(world, sc, chunk_runs=2, threads=2)
    for r in (one, two):  # BLAS may sum in another order for other shapes: equal to rounding
        np.testing.assert_allclose(r.data.production.values, full.data.production.values, rtol=1e-12)
        np.testing.assert_allclose(r.data.inventory_days.values, full.data.inventory_days.values, rtol=1e-12)
    part = cp.simulate(world, sc, record=["production"], producers=["reg2.manufactoring", "reg1.food"])
    assert set(part.data.data_vars) >= {"production", "production_total", "final_demand_unmet_total"}
    assert "inventory_days" not in part.data and "demand" not in part.data
    np.testing.assert_allclose(
        part.data.production.values,
        full.data.production.sel(producer=["reg2.manufactoring", "reg1.food"]).values,
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        part.data.production_total.values, full.data.production.sum("producer").values, rtol=1e-12
    )
    unmet = full.data.final_demand_unmet.sum("demand_cell").values
    np.testing.assert_allclose(part.data.final_demand_unmet_total.values, unmet, rtol=1e-9, atol=1e-9)


def test_named_totals_are_the_only_totals_and_match_the_full_record(world):
    sc = scenario([dict(SHOCK, id="cut")], horizon=30, runs=3, uncertain=UNCERTAIN)
    full = cp.simulate(world, sc).data
    only = cp.simulate(world, sc, record=["production_total"]).data
    assert "production_total" in only and "final_demand_unmet_total" not in only and "production" not in only
    np.testing.assert_allclose(only.production_total.values, full.production.sum("producer").values, rtol=1e-12)
    unmet = cp.simulate(world, sc, record=["final_demand_unmet_total"]).data
    assert "final_demand_unmet_total" in unmet and "production_total" not in unmet
    np.testing.assert_allclose(
        unmet.final_demand_unmet_total.values, full.final_demand_unmet.sum("demand_cell").values, rtol=1e-9, atol=1e-9
    )


def test_memory_budget_splits_runs_or_refuses(world):
    sc = scenario([dict(SHOCK, id="cut")], horizon=20, runs=5, uncertain=UNCERTAIN)
    ref = cp.simulate(world, sc, record=["production"])
    small = cp.simulate(world, sc, record=["production"], max_memory="300KiB")
    assert small.provenance["chunk_runs"] < 5 and ref.provenance["chunk_runs"] == 5
    np.testing.assert_allclose(small.data.production.values, ref.data.production.values, rtol=1e-12)
    with pytest.raises(InputError, match="max_memory"):
        cp.simulate(world, sc, max_memory="100KiB")
    assert parse_bytes("4GiB") == 4 * 2**30 and parse_bytes("500MB") == 500 * 10**6 and parse_bytes(1e6) == 10**6
    with pytest.raises(InputError):
        parse_bytes("lots")


def test_float32_stays_close_to_float64(world):
    sc = scenario([SHOCK], horizon=60)
    x64 = cp.simulate(world, sc, record=["production"]).data.production.values
    x32 = cp.simulate(world, sc, record=["production"], dtype="float32").data.production.values
    assert x32.dtype == np.float32
    assert np.max(np.abs(x32 - x64) / x64) < 1e-4


def test_load_mrio_test_matches_docstring(world):
    assert world.name == "pymrio-test"
    assert list(world.tables["regions"]["region"]) == [f"reg{i}" for i in range(1, 7)]
    assert list(world.tables["products"]["product"])[:3] == ["food", "mining", "manufactoring"]
    assert (world.tables["products"]["unit"] == "M USD").all()  # pymrio test system: "Mill USD"
    assert isinstance(world.tables["recipes"], pd.DataFrame) and len(world.tables["recipes"]) == 384
    assert len(world.content_hash) == 16
