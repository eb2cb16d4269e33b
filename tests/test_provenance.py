"""One provenance dict for every model's result (chokepoints.provenance)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import xarray as xr

import chokepoints as cp
import chokepoints.trade as tr
from chokepoints.finance import simulate_finance
from chokepoints.provenance import netcdf_value, provenance

ROOT = Path(__file__).resolve().parents[1]
COMMON = (
    "package",
    "package_version",
    "kind",
    "scenario_name",
    "scenario_hash",
    "dataset",
    "dataset_version",
    "dataset_hash",
    "seed",
    "runs",
    "start_date",
    "created",
)


class _Data:
    name, version, content_hash = "d", "1.0", "abc"


def _scenario() -> cp.Scenario:
    return cp.Scenario.from_yaml(ROOT / "scenarios" / "cn-treasury-sale-hypothetical.yaml")


def test_common_keys_and_values():
    sc = _scenario()
    p = provenance("finance", scenario=sc, world=_Data(), seed=7, runs=3)
    assert tuple(p) == COMMON
    assert p["package"] == "chokepoints" and p["package_version"] == cp.__version__ and p["kind"] == "finance"
    assert (p["scenario_name"], p["scenario_hash"]) == (sc.name, sc.hash)
    assert (p["dataset"], p["dataset_version"], p["dataset_hash"]) == ("d", "1.0", "abc")
    assert (p["seed"], p["runs"], p["start_date"]) == (7, 3, "2026-01-01")
    created = dt.datetime.fromisoformat(str(p["created"]))
    assert created.tzinfo is not None and created.utcoffset() == dt.timedelta(0) and created.microsecond == 0


def test_extra_keys_override_and_none_is_dropped():
    p = provenance("engine", seed=None, runs=None, order_type="alt", dataset="finance", note=None)
    assert "seed" not in p and "runs" not in p and "note" not in p and "scenario_name" not in p
    assert p["order_type"] == "alt" and p["dataset"] == "finance"
    assert p["dataset_version"] == "" and p["dataset_hash"] == ""  # no world: the keys stay, empty


def test_values_are_netcdf_safe(tmp_path):
    p = provenance(
        "x",
        seed=np.int64(3),
        runs=2,
        flag=np.bool_(True),
        big=np.float64(2.5),
        yes=True,
        ratio=np.float32(0.5),
        day=dt.date(2025, 1, 2),
        items=[1, 2],
        table={"a": 1},
        arr=np.arange(2),
        path=Path("a/b"),
    )
    assert p["flag"] == 1 and type(p["flag"]) is int
    assert type(p["seed"]) is int and type(p["ratio"]) is float and type(p["big"]) is float and p["yes"] == 1
    assert p["day"] == "2025-01-02" and p["items"] == "[1, 2]" and p["table"] == '{"a": 1}'
    assert p["arr"] == "[0, 1]" and p["path"] == "a/b"
    assert all(type(v) in (str, int, float) for v in p.values())
    out = tmp_path / "p.nc"
    xr.Dataset(attrs=p).to_netcdf(out)
    with xr.open_dataset(out) as back:
        assert back.attrs["kind"] == "x" and int(back.attrs["flag"]) == 1 and back.attrs["day"] == "2025-01-02"
    assert netcdf_value(None) is None and netcdf_value(False) == 0


def test_models_write_the_common_keys():
    sc = _scenario()
    fin = simulate_finance(sc, runs=2)
    assert set(COMMON) <= set(fin.attrs) and fin.attrs["kind"] == "finance"
    assert fin.attrs["dataset"] == "finance" and fin.attrs["model"] == "chokepoints.finance"
    assert (fin.attrs["seed"], fin.attrs["runs"]) == (sc.seed, 2)
    trade_sc = cp.Scenario.from_yaml(ROOT / "scenarios" / "us-china-tariffs-2025.yaml")
    ds = tr.analyse(trade_sc)
    assert set(COMMON) <= set(ds.attrs) and ds.attrs["kind"] == "trade"
    assert ds.attrs["seed"] == trade_sc.seed and ds.attrs["schedule"] == "us-china-2025"
    for attrs in (fin.attrs, ds.attrs):
        assert all(type(v) in (str, int, float) for v in attrs.values())
