"""One result type: ``ds.cp`` on the Dataset gives the same indicators in memory and after a
NetCDF round trip, for engine, finance and negotiation results."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from conftest import chain_world, scenario

import chokepoints as cp
import chokepoints.indicators  # noqa: F401  (registers ds.cp; also done by importing the engine)
from chokepoints.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
BAN = {
    "type": "export_control",
    "on": "2025-04-09",
    "exporter": "CHN",
    "products": ["ore"],
    "destinations": ["USA"],
    "mode": "ban",
}


@pytest.fixture(scope="module")
def licensing() -> cp.Result:
    world = cp.load_world("rare-earths-2025")
    sc = cp.Scenario.from_yaml(ROOT / "scenarios" / "cn-rare-earth-licensing-2025-04.yaml")
    return cp.simulate(world, sc, runs=20)


@pytest.fixture(scope="module")
def mrio_shock() -> tuple[cp.World, cp.Scenario]:
    pytest.importorskip("pymrio")
    world = cp.datasets.load_mrio_test()
    sc = cp.Scenario.from_dict(
        {
            "name": "shock",
            "start": "2025-01-01",
            "horizon_days": 60,
            "events": [
                {
                    "type": "capacity_loss",
                    "on": "2025-01-10",
                    "region": "reg2",
                    "product": "manufactoring",
                    "share": 0.5,
                    "duration_days": 30,
                    "recovery_days": 30,
                }
            ],
        }
    )
    return world, sc


def test_netcdf_round_trip_gives_the_same_indicators(licensing: cp.Result, tmp_path: Path):
    res = licensing
    res.to_netcdf(tmp_path / "result.nc")
    with xr.open_dataset(tmp_path / "result.nc") as back:
        for method, kwargs in (
            ("time_to_shortfall", {"region": "USA"}),
            ("output_loss", {"region": "USA"}),
            ("time_to_shortfall", {}),
            ("output_loss", {"end_use": "defense"}),
            ("summary", {}),
        ):
            reopened = getattr(back.cp, method)(**kwargs)
            in_memory = getattr(res.data.cp, method)(**kwargs)
            pd.testing.assert_frame_equal(reopened, in_memory)
            pd.testing.assert_frame_equal(in_memory, getattr(res.indicators, method)(**kwargs))
            assert len(in_memory) > 0
        xr.testing.assert_allclose(back.cp.output_lost("USA", "defense"), res.indicators.output_lost("USA", "defense"))
        xr.testing.assert_equal(
            back.cp.shortfall_days("USA", "automotive"), res.data.cp.shortfall_days("USA", "automotive")
        )
        assert back.cp.groups() == res.indicators.groups()
        assert back.cp.provenance == res.provenance


def test_provenance_and_what_the_indicators_need_are_attrs(licensing: cp.Result):
    attrs = licensing.data.attrs
    assert all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in attrs.values())
    sc = licensing.scenario
    assert attrs["kind"] == "engine" == licensing.data.cp.kind
    assert attrs["shortfall_tolerance"] == sc.engine.shortfall_tolerance
    assert json.loads(attrs["key_users"]) == [[k.region, k.end_use] for k in sc.key_users]
    for key in ("package_version", "scenario_hash", "dataset_version", "seed", "created"):
        assert key in licensing.provenance
    # summary() puts the stored key users first, as the CLI table does
    s = licensing.data.cp.summary()
    assert list(zip(s.region, s.end_use, strict=True))[: len(sc.key_users)] == licensing.data.cp.key_users


def test_output_lost_is_labelled_and_matches_the_definition(licensing: cp.Result):
    d = licensing.data
    lost = licensing.indicators.output_lost("USA", "automotive")
    assert isinstance(lost, xr.Dataset) and set(lost.data_vars) == {"units", "usd"}
    assert lost.units.dims == ("run",) and lost.sizes["run"] == 20 and lost.attrs["unit"]
    pm = (d.producer_region.values == "USA") & (d.producer_end_use.values == "automotive")
    if pm.any():  # units lost = sum over days and the group's producers of (x0 - x)
        expect = (d.baseline_production.values[pm] - d.production.values[:, :, pm]).sum((1, 2))
    else:
        dm = (d.demand_region.values == "USA") & (d.demand_end_use.values == "automotive")
        expect = d.final_demand_unmet.values[:, :, dm].sum((1, 2))
    np.testing.assert_allclose(lost.units.values, expect, rtol=1e-12)
    days = licensing.indicators.shortfall_days("USA", "automotive")
    assert isinstance(days, xr.DataArray) and days.dims == ("run",) and days.attrs["region"] == "USA"


def test_tolerance_is_read_from_the_dataset(tmp_path: Path):
    # a licence on the maker's ore: output falls gradually, so the tolerance decides the day
    lic = {**BAN, "mode": "licence", "review_days": 0, "approval_rate": 0.9}
    loose = cp.simulate(
        chain_world(stock_days=3), scenario([lic], horizon=60, engine={"psi_param": 0.5, "shortfall_tolerance": 0.2})
    )
    tight = cp.simulate(chain_world(stock_days=3), scenario([lic], horizon=60))
    assert loose.data.attrs["shortfall_tolerance"] == 0.2
    loose.to_netcdf(tmp_path / "loose.nc")
    back = cp.open_result(tmp_path / "loose.nc")
    pd.testing.assert_frame_equal(back.cp.time_to_shortfall(), loose.indicators.time_to_shortfall())
    # the same run judged with the tight tolerance gives the tight result
    retold = loose.data.assign_attrs(shortfall_tolerance=tight.data.attrs["shortfall_tolerance"])
    pd.testing.assert_frame_equal(retold.cp.time_to_shortfall(), tight.indicators.time_to_shortfall())
    assert not loose.indicators.time_to_shortfall().equals(tight.indicators.time_to_shortfall())


def test_mrio_round_trip_keeps_empty_strings_and_empty_dims(mrio_shock, tmp_path: Path):
    world, sc = mrio_shock
    res = cp.simulate(world, sc, runs=2)
    assert res.data.sizes["route"] == 0 and res.data.sizes["parameter"] == 0
    assert (res.data.producer_end_use.values == "").all()
    path = res.to_netcdf(tmp_path / "mrio.nc")
    with xr.open_dataset(path) as raw:  # plain xarray reads it back
        pd.testing.assert_frame_equal(raw.cp.summary(), res.indicators.summary())
        assert list(raw.producer_end_use.values) == list(res.data.producer_end_use.values)
    back = cp.Result.from_netcdf(path)
    assert back.data.sizes["route"] == 0 and back.data.sizes["parameter"] == 0
    assert back.data.shipments.shape == (2, 60, 0) and back.data.samples.shape == (2, 0)
    assert set(back.data.variables) == set(res.data.variables)
    for name in ("producer_end_use", "demand_end_use", "inventory_end_use", "product_unit", "producer_region"):
        assert list(back.data[name].values) == list(res.data[name].values), name
    pd.testing.assert_frame_equal(back.indicators.time_to_shortfall(), res.indicators.time_to_shortfall())
    pd.testing.assert_frame_equal(back.indicators.output_loss(), res.indicators.output_loss())
    xr.testing.assert_allclose(
        back.indicators.output_ratio("reg2", "final_demand"), res.indicators.output_ratio("reg2", "final_demand")
    )


def test_recorded_subset_raises_naming_what_to_record(mrio_shock, tmp_path: Path):
    world, sc = mrio_shock
    res = cp.simulate(world, sc, runs=2, record=["production"])
    res.to_netcdf(tmp_path / "production.nc")
    back = cp.open_result(tmp_path / "production.nc")
    for ds in (res.data, back):
        with pytest.raises(InputError, match=r"ds.cp.shortfall_days\(\) needs the variable 'final_demand'"):
            ds.cp.time_to_shortfall()
        with pytest.raises(InputError, match=r"record=\[\.\.\., 'final_demand_unmet'\]"):
            ds.cp.output_lost("reg1", "final_demand")
    # a producer group needs only production: on the chain world its output loss still works
    chain = cp.simulate(chain_world(), scenario([BAN], horizon=40), record=["production"])
    assert float(chain.indicators.output_lost("USA", "automotive").units[0]) > 0
    with pytest.raises(InputError, match="'demand'"):
        chain.indicators.shortfall_days("USA", "automotive")


def test_finance_dataset_kind_provenance_and_round_trip(tmp_path: Path):
    from chokepoints.finance import flows_table, headline, simulate_finance, threat_value

    sc = cp.Scenario.from_yaml(ROOT / "scenarios" / "cn-treasury-sale-hypothetical.yaml")
    ds = simulate_finance(sc, runs=4)
    assert ds.cp.kind == "finance"
    for key in ("package_version", "scenario_hash", "seed", "created"):
        assert key in ds.cp.provenance
    assert all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in ds.attrs.values())
    back = cp.open_result(ds.cp.to_netcdf(tmp_path / "finance.nc"))
    pd.testing.assert_frame_equal(back.cp.headline(), headline(ds))
    pd.testing.assert_frame_equal(back.cp.flows(), flows_table(ds))
    assert back.cp.threat_value() == threat_value(ds)
    with pytest.raises(InputError, match=r"needs an engine result; this one is finance"):
        back.cp.time_to_shortfall(region="USA")
    with pytest.raises(InputError, match="needs a finance result; this one is engine"):
        cp.simulate(chain_world(), scenario(horizon=5)).data.cp.headline()
    with pytest.raises(InputError, match="needs an engine result"):
        cp.Result.from_netcdf(tmp_path / "finance.nc")


def test_negotiation_to_dataset_round_trip(tmp_path: Path):
    from test_negotiation_domain import tiny

    from chokepoints.negotiation import analyse

    spec, sc, world = tiny()
    res = analyse(spec, sc, world)
    ds = res.to_dataset()
    assert ds.cp.kind == "negotiation" and res.provenance["kind"] == "negotiation"
    assert ds.cp.provenance["scenario_hash"] == res.provenance["scenario_hash"] == sc.hash
    r = res.talks[0]
    rows = ds.option_round.values == r.name
    np.testing.assert_array_equal(ds.utility.values[rows], r.U)
    assert ds.nash.values[0] == r.label(r.nash) and ds.option_kind.values[rows][r.no_deal_row] == "no deal"
    back = cp.open_result(ds.cp.to_netcdf(tmp_path / "negotiation.nc"))
    xr.testing.assert_allclose(back.drop_attrs(), ds.drop_attrs())
    deals = back.cp.deals()
    pd.testing.assert_frame_equal(deals, ds.cp.deals())
    assert deals.loc[0, "nash"] == r.label(r.nash)
    assert deals.loc[0, "BATNA USA"] == pytest.approx(r.d[0])
    with pytest.raises(InputError, match="needs an engine result; this one is negotiation"):
        back.cp.summary()


def test_open_result_errors_are_located(tmp_path: Path):
    with pytest.raises(InputError, match="no such result file"):
        cp.open_result(tmp_path / "missing.nc")
    (tmp_path / "junk.nc").write_text("not netcdf")
    with pytest.raises(InputError, match="junk.nc: not a NetCDF result file"):
        cp.open_result(tmp_path / "junk.nc")
    xr.Dataset({"a": ("x", [1.0])}).to_netcdf(tmp_path / "other.nc")
    with pytest.raises(InputError, match="not a chokepoints result"):
        cp.open_result(tmp_path / "other.nc")


def test_cli_netcdf_files_reopen_with_their_kind(tmp_path: Path):
    from test_negotiation_cli import TINY, _write, app, runner

    out = tmp_path / "out"
    runs = [
        (
            ["run", str(ROOT / "scenarios" / "cn-rare-earth-licensing-2025-04.yaml"), "--runs", "2"],
            "result.nc",
            "engine",
        ),
        (
            ["finance", str(ROOT / "scenarios" / "cn-treasury-sale-hypothetical.yaml"), "--runs", "2"],
            "finance.nc",
            "finance",
        ),
        (["negotiate", str(_write(tmp_path, TINY))], "negotiation.nc", "negotiation"),
    ]
    for args, name, kind in runs:
        result = runner.invoke(app, [*args, "--out", str(out / kind), "--netcdf"])
        assert result.exit_code == 0, (repr(result.exception), result.output)
        ds = cp.open_result(out / kind / name)
        assert ds.cp.kind == kind and ds.cp.provenance["package_version"] == cp.__version__
    engine = cp.open_result(out / "engine" / "result.nc")
    assert engine.cp.summary().iloc[0][["region", "end_use"]].tolist() == list(engine.cp.key_users[0])
    assert len(cp.open_result(out / "negotiation" / "negotiation.nc").cp.deals()) == 1
