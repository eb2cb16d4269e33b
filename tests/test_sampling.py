"""The shared draw of uncertain parameters (chokepoints.scenario.sampling).

Bit-for-bit checks against tests/stored_sampling/ (written by scripts/stored_sampling.py at commit
5c26688, from the engine's, the finance model's and the tariff analysis's own draws before they shared
one), and checks that the finance and trade models read their columns of the one draw.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import chokepoints as cp
import chokepoints.trade as tr
from chokepoints.errors import InputError
from chokepoints.finance import simulate_finance
from chokepoints.scenario import latin_hypercube
from chokepoints.scenario.sampling import sample, sample_labels

ROOT = Path(__file__).resolve().parents[1]
STORED = Path(__file__).parent / "stored_sampling"


def _script():
    spec = importlib.util.spec_from_file_location("stored_sampling", ROOT / "scripts" / "stored_sampling.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _stored(name: str, case: str) -> pd.DataFrame:
    df = pd.read_csv(STORED / name, dtype={"key": str})
    df = df[df["case"] == case]
    assert len(df), f"no rows for {case} in {name}"
    return df.assign(value=[float.fromhex(v) for v in df["value"]])


def _exact(actual: np.ndarray, stored: pd.DataFrame) -> None:
    a = np.asarray(actual, dtype=float).ravel()
    assert a.shape == (len(stored),)
    assert a.tobytes() == stored["value"].to_numpy(float).tobytes()  # bit for bit


def _scenario(stem: str) -> cp.Scenario:
    return cp.Scenario.from_yaml(ROOT / "scenarios" / f"{stem}.yaml")


@pytest.mark.parametrize("stem", ["cn-rare-earth-licensing-2025-04", "us-rare-earth-response-2025"])
def test_draw_is_the_engines_draw_at_the_base_commit(stem):
    stored = _stored("engine_draws.csv", stem)
    sc = _scenario(stem)
    runs = int(stored["run"].max()) + 1
    da = sample(sc, runs)
    _exact(da.values, stored)
    assert list(da["parameter"].values) == list(stored["key"].iloc[: len(sc.uncertain)])
    assert any("{" in label for label in da["parameter"].values)  # a world parameter with `where`


def test_finance_results_unchanged():
    sc = _scenario("cn-treasury-sale-hypothetical")
    s = _stored("finance.csv", "finance:samples")
    ds = simulate_finance(sc, runs=int(s["run"].max()) + 1)
    _exact(ds["samples"].values, s)
    cum = ds["cum_extra_interest_bn"].isel(month=-1).transpose("run", "estimate", "end")
    _exact(cum.values, _stored("finance.csv", "finance:cum_extra_interest_bn"))
    _exact(ds["gold_added_moz"].sum(("month", "holder")).values, _stored("finance.csv", "finance:gold_added_moz"))


def test_trade_results_unchanged():
    ds = tr.analyse(_scenario("us-china-tariffs-2025"))
    _exact(
        ds["imports_new"].sum(("line", "partner")).transpose("run", "date").values,
        _stored("trade.csv", "trade:us-china-tariffs-2025"),
    )
    sc = cp.Scenario.from_yaml_text(_script().TRADE_UNCERTAIN, "unc.yaml")
    ds = tr.analyse(sc, dates=[dt.date(2025, 11, 1)])
    _exact(
        ds["imports_new"].sum(("line", "partner")).isel(date=0).values,
        _stored("trade.csv", "trade:uncertain:imports_new"),
    )
    _exact(ds["sigma"].isel(line=0).values, _stored("trade.csv", "trade:uncertain:sigma"))
    _exact(
        ds["rate"].sel(line="USA:telephones", partner="CHN").isel(date=0).values,
        _stored("trade.csv", "trade:uncertain:rate"),
    )


def test_trade_reads_its_columns_of_the_shared_draw():
    """With an engine parameter declared first, run r of the tariff analysis is still run r of the draw."""
    text = _script().TRADE_UNCERTAIN.replace(
        "uncertain:\n",
        "uncertain:\n  - parameter: engine.psi_param\n    distribution: uniform\n    low: 0.5\n    high: 0.9\n",
        1,
    )
    sc = cp.Scenario.from_yaml_text(text, "unc.yaml")
    assert [u.ref.kind for u in sc.uncertain] == ["engine", "event", "event"]
    ds = tr.analyse(sc, dates=[dt.date(2025, 11, 1)])
    draw = sample(sc)
    np.testing.assert_array_equal(ds["sigma"].isel(line=0).values, draw.sel(parameter="events.setup.sigma").values)
    rate = ds["rate"].sel(line="USA:telephones", partner="CHN").isel(date=0).values
    # the total rate is the drawn threat plus the same other layers in every run
    other = rate - draw.sel(parameter="events.threat.rate").values
    np.testing.assert_allclose(other, other[0])
    assert len(set(rate)) == sc.runs


def test_finance_reads_its_columns_of_the_shared_draw():
    sc = _scenario("cn-treasury-sale-hypothetical")
    data = sc.model_dump(mode="json", by_alias=True)
    data["uncertain"].insert(0, {"parameter": "engine.psi_param", "distribution": "uniform", "low": 0.5, "high": 0.9})
    mixed = cp.Scenario.from_dict(data)
    ds = simulate_finance(mixed, runs=8)
    draw = sample(mixed, 8)
    np.testing.assert_array_equal(ds["samples"].values, draw.values)
    assert list(ds["parameter"].values) == list(draw["parameter"].values)
    # run r's other_buyers_share is column 1 of the draw: what other buyers take is proportional to it
    share = draw.sel(parameter="events.cn_sale.other_buyers_share").values
    ratio = ds["other_buyers_bn"].sum("month").values / (share * ds["sales_bn"].sum(("month", "holder")).values)
    assert len(set(share)) == 8
    np.testing.assert_allclose(ratio, ratio[0])


def test_shape_coords_attrs_and_latin_hypercube():
    sc = _scenario("cn-rare-earth-licensing-2025-04")
    da = sample(sc, 12, seed=5)
    assert da.dims == ("run", "parameter") and da.shape == (12, len(sc.uncertain))
    assert list(da["run"].values) == list(range(12))
    assert list(da["parameter"].values) == sample_labels(sc)
    assert da.attrs == {"seed": 5, "method": "latin_hypercube"}
    np.testing.assert_array_equal(da.values, latin_hypercube(sc.uncertain, 12, 5))
    # defaults: the scenario's runs and seed
    d0 = sample(sc)
    assert d0.shape[0] == sc.runs and d0.attrs["seed"] == sc.seed
    # Latin hypercube: one draw in each of the 12 strata of every uniform parameter's range
    j = next(k for k, u in enumerate(sc.uncertain) if u.distribution == "uniform")
    u = sc.uncertain[j]
    strata = np.floor((da.values[:, j] - u.low) / (u.high - u.low) * 12).astype(int)
    assert sorted(strata) == list(range(12))


def test_same_seed_same_draw_other_seed_other_draw():
    sc = _scenario("cn-rare-earth-licensing-2025-04")
    np.testing.assert_array_equal(sample(sc, 10, 3).values, sample(sc, 10, 3).values)
    assert not np.array_equal(sample(sc, 10, 3).values, sample(sc, 10, 4).values)


def test_given_samples():
    sc = _scenario("cn-rare-earth-licensing-2025-04")
    given = np.arange(5 * len(sc.uncertain), dtype=float).reshape(5, -1)
    da = sample(sc, samples=given, seed=9)
    np.testing.assert_array_equal(da.values, given)
    assert da.attrs == {"seed": 9, "method": "given"} and da.sizes["run"] == 5
    assert sample(sc, runs=5, samples=given).shape == (5, len(sc.uncertain))


@pytest.mark.parametrize(
    "bad, runs, needle",
    [
        (np.zeros((4, 1)), None, "expected shape (runs, "),
        (np.zeros(4), None, "expected shape (runs, "),
        ("P", 3, "has 4 rows but runs is 3"),
        ("nan", None, "finite"),
    ],
)
def test_bad_samples_are_input_errors(bad, runs, needle):
    sc = _scenario("cn-rare-earth-licensing-2025-04")
    P = len(sc.uncertain)
    if isinstance(bad, str):
        bad = np.zeros((4, P))
        if needle == "finite":
            bad[1, 0] = np.nan
    with pytest.raises(InputError) as exc:
        sample(sc, runs, samples=bad)
    assert needle in str(exc.value) and exc.value.problems[0].source == "samples"


def test_no_uncertain_parameters():
    sc = _scenario("us-china-tariffs-2025")
    da = sample(sc, 3)
    assert da.shape == (3, 0) and list(da["parameter"].values) == []
