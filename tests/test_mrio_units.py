"""Units and values of MRIO worlds: the table's monetary unit, USD per unit, value added, losses in money."""

from __future__ import annotations

import numpy as np
import pytest

import chokepoints as cp
from chokepoints.datasets.mrio import load_mrio_iosystem_test, synthetic_mrio
from chokepoints.errors import InputError
from chokepoints.world.mrio import from_mrio, monetary_units

BAN = {
    "name": "t",
    "world": "x",
    "start": "2020-01-01",
    "horizon_days": 40,
    "runs": 2,
    "seed": 1,
    "events": [
        {
            "type": "export_control",
            "id": "b",
            "on": "2020-01-02",
            "exporter": "reg1",
            "products": ["mining"],
            "destinations": ["reg2"],
            "mode": "ban",
        }
    ],
}


@pytest.mark.parametrize(
    ("given", "label", "usd"),
    [("Mill USD", "M USD", 1e6), ("Million USD", "M USD", 1e6), ("M.USD", "M USD", 1e6), ("USD", "USD", 1.0)],
)
def test_monetary_unit_normalised(given, label, usd):
    assert monetary_units(None, given, None) == (label, usd)


def test_other_currency_needs_an_exchange_rate():
    with pytest.raises(InputError, match="usd_per_unit"):
        monetary_units(None, "Million EUR", None)
    assert monetary_units(None, "Million EUR", 1.08e6) == ("M EUR", 1.08e6)


def test_units_and_value_added_of_pymrio_test():
    io = load_mrio_iosystem_test()
    w = from_mrio(io, name="t")
    cw = w.compile()
    assert set(w.products["unit"]) == {"M USD"} and set(cw.product_unit) == {"M USD"}
    assert np.all(cw.unit_value == 1e6) and (w.unit_values["usd_per_unit"] == 1e6).all()
    # value added = x - column sums of Z, per day
    x = io.x.to_numpy().ravel()
    va = x - io.Z.to_numpy().sum(axis=0)
    np.testing.assert_allclose(cw.value_added, va / 365, rtol=1e-12)
    assert cw.value_added.sum() == pytest.approx(io.Y.to_numpy().sum() / 365, rel=1e-9)  # GDP: income = spending


def test_losses_in_money_and_value_added_lost():
    w = from_mrio(load_mrio_iosystem_test(), name="t")
    res = cp.simulate(w, cp.Scenario.from_dict(BAN))
    loss = res.indicators.output_loss()
    assert not loss[["usd_median", "usd_p05", "usd_p95"]].isna().any().any()
    np.testing.assert_allclose(loss["usd_median"], loss["units_median"] * 1e6)
    va = res.data.cp.value_added_lost()
    assert set(va["region"]) == set(w.regions["region"]) and not va.isna().any().any()
    by_sector = res.data.cp.value_added_lost(by="sector")
    assert by_sector["usd_median"].sum() == pytest.approx(va["usd_median"].sum())
    # by hand for one producer: v_f * sum_t (x0_f - x_f(t)) * 1e6
    d = res.data
    f = list(d.producer.values).index("reg1.mining")
    v = float(d.baseline_value_added[f] / d.baseline_production[f])
    lost = float((d.baseline_production[f] - d.production[0, :, f]).sum()) * v * 1e6
    row = by_sector[(by_sector.region == "reg1") & (by_sector.sector == "mining")]
    assert lost > 0 and float(row["usd_p05"].iloc[0]) == pytest.approx(lost, rel=1e-9)


def test_indicators_say_what_they_need():
    w = from_mrio(load_mrio_iosystem_test(), name="t")
    res = cp.simulate(w, cp.Scenario.from_dict(BAN), record=["production"])
    assert not res.data.cp.value_added_lost().isna().any().any()
    with pytest.raises(InputError, match="final_demand_unmet"):
        res.indicators.output_loss()


def test_table_without_unit_keeps_usd():
    w = from_mrio(synthetic_mrio(2, 2), name="s")
    assert w.metadata["monetary_unit"] == "USD" and np.all(w.compile().unit_value == 1.0)
