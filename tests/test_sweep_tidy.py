"""The sweep's tidy frames (chokepoints.sweep.tidy) against an independent implementation that calls
the ``ds.cp`` accessor per group and indicator: equal frames, dtypes included, and bit-identical
values (signed zeros and NaN payloads too); and a chunk leaves no reference cycle holding its Dataset."""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from conftest import chain_world, licence, scenario

import chokepoints as cp
from chokepoints.sweep.design import RECORD
from chokepoints.sweep.tidy import tidy_frames

INDICATORS = ["shortfall_day", "output_lost_units", "output_lost_usd"]


def accessor_frames(ds, indicators, groups, series, point_id, run0):
    """The frames built from ``ds.cp.shortfall_days``, ``output_lost`` and ``output_ratio``, one small
    frame per group and indicator (how the sweep built them before it read the arrays itself)."""
    if groups == "all":
        chosen = ds.cp.groups()
    elif groups == "key_users":
        chosen = ds.cp.key_users or ds.cp.groups()
    else:
        chosen = [(g["region"], g["end_use"]) for g in groups]
    R = ds.sizes["run"]
    runs = np.arange(run0, run0 + R)
    frames, sers = [], []
    for region, end_use in chosen:
        lost = ds.cp.output_lost(region, end_use)
        vals = {
            "shortfall_day": ds.cp.shortfall_days(region, end_use).values,
            "output_lost_units": lost.units.values,
            "output_lost_usd": lost.usd.values,
        }
        for name in indicators:
            frames.append(
                pd.DataFrame(
                    {"run": runs, "region": region, "end_use": end_use, "indicator": name, "value": vals[name]}
                )
            )
        ratio = ds.cp.output_ratio(region, end_use).values
        sers.append(
            pd.DataFrame(
                {
                    "region": region,
                    "end_use": end_use,
                    "day": np.arange(ratio.shape[1]),
                    "runs": np.isfinite(ratio).sum(0).astype(np.int64),
                    "sum_output_ratio": np.nansum(ratio, 0),
                }
            )
        )
    ind = pd.concat(frames, ignore_index=True)
    ind.insert(0, "point_id", point_id)
    ser = pd.concat(sers, ignore_index=True) if series else None
    if ser is not None:
        ser.insert(0, "point_id", point_id)
    return ind, ser


def assert_bit_identical(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    for col in a.columns:
        if a[col].dtype.kind == "f":
            assert np.array_equal(a[col].to_numpy().view(np.int64), b[col].to_numpy().view(np.int64)), col


@pytest.fixture(scope="module")
def licensing():
    """The bundled April-2025 licensing scenario (six uncertain parameters), 12 runs."""
    from chokepoints.runner import load_inputs

    sc, world = load_inputs("cn-rare-earth-licensing-2025-04")
    return cp.simulate(world, sc, runs=12, seed=4, record=list(RECORD), threads=1).data


def side_demand_world() -> cp.World:
    """The chain World plus a USA final demand of ore under end use 'households': a group with final
    demand and no producers (the accessor's other branch); no unit values (NaN USD)."""
    w = chain_world(second_supplier=True)
    t = {k: v.copy() for k, v in w.tables.items()}
    fd = t["final_demand"]
    fd.loc[len(fd)] = {**fd.iloc[0].to_dict(), "demand": "fd.USA.ore", "product": "ore", "end_use": "households"}
    fd.loc[len(fd) - 1, "amount_per_day"] = 20.0
    links = t["supply_links"]
    links.loc[len(links)] = {**links.iloc[0].to_dict(), "buyer": "fd.USA.ore", "product": "ore", "supplier": "CHN.mine"}
    links.loc[len(links) - 1, "share"] = 1.0
    prod = t["producers"]
    prod.loc[prod.producer == "CHN.mine", "output_per_day"] += 20.0  # the mine's sales stay balanced
    return cp.World.from_tables(name="chain", version="test", **t)


@pytest.fixture(scope="module")
def chain():
    uncertain = [{"parameter": "events.lic.approval_rate", "distribution": "uniform", "low": 0.0, "high": 0.6}]
    sc = scenario([licence()], horizon=40, uncertain=uncertain, runs=9)
    return cp.simulate(side_demand_world(), sc, seed=2, record=list(RECORD), threads=1).data


@pytest.mark.parametrize(
    "groups", ["key_users", "all", [{"region": "USA", "end_use": "automotive"}, {"region": "JPN", "end_use": "nope"}]]
)
def test_licensing_frames_equal_the_accessors(licensing, groups):
    got = tidy_frames(licensing, INDICATORS, groups, True, 3, 0)
    want = accessor_frames(licensing, INDICATORS, groups, True, 3, 0)
    assert len(got[0]) == len(want[0]) > 0
    assert_bit_identical(got[0], want[0])
    assert_bit_identical(got[1], want[1])


def test_a_run_slice_and_a_group_without_producers(chain):
    assert "households" in set(chain["demand_end_use"].values)
    ds = chain.isel(run=slice(3, 8))  # as a chunk of several points cuts one stacked result
    for indicators in (INDICATORS, ["output_lost_usd", "shortfall_day"]):
        got = tidy_frames(ds, indicators, "all", True, 1, 40)
        want = accessor_frames(ds, indicators, "all", True, 1, 40)
        assert_bit_identical(got[0], want[0])
        assert_bit_identical(got[1], want[1])
    ind, _ = got
    assert ind.run.min() == 40 and ind.run.max() == 44
    households = ind[(ind.end_use == "households") & (ind.indicator == "output_lost_usd")]
    assert households.value.isna().all()  # no unit values in this World: NaN, as the accessor gives


def test_without_series_there_is_no_series_frame(chain):
    ind, ser = tidy_frames(chain, ["shortfall_day"], "key_users", False, 0, 0)
    assert ser is None and set(ind.indicator) == {"shortfall_day"}


def test_a_chunk_leaves_no_cycle_holding_its_dataset():
    """Before, ``ds.cp`` cached itself on the chunk's Dataset (a cycle): each chunk's records stayed in
    memory until the cyclic garbage collector ran, so a long sweep grew."""
    from chokepoints.sweep.execute import prepare, task_of
    from chokepoints.sweep.work import run_chunk

    ex, sid = prepare("tests/data/sweeps/grid.yaml")
    task = task_of(ex, sid, 0)
    run_chunk(task)  # warm caches (World, imports)
    gc.collect()
    gc.disable()
    try:
        out = run_chunk(task)
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        leaked = [o for o in gc.garbage if isinstance(o, xr.Dataset)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert len(out["indicators"]) == 13 * 4 * 2
    assert leaked == []


def test_groups_of_many_cells_on_a_hybrid_world():
    """The hybrid MRIO World's groups (35 final-demand cells each, no producers with an end use): sums
    over many terms, where a different summation order would change the last bits."""
    from chokepoints.runner import load_inputs

    sc, world = load_inputs("cn-japan-rare-earth-ban-hybrid")
    ds = cp.simulate(world, sc, runs=3, seed=1, record=list(RECORD), threads=1).data
    got = tidy_frames(ds, INDICATORS, "all", True, 0, 0)
    want = accessor_frames(ds, INDICATORS, "all", True, 0, 0)
    assert len(got[0]) > 500
    assert_bit_identical(got[0], want[0])
    assert_bit_identical(got[1], want[1])
