"""World.graft on a hand-worked tiny MRIO and tiny chain (rule in chokepoints.world.graft)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from chokepoints.errors import InputError
from chokepoints.world.core import World
from chokepoints.world.graft import graft
from chokepoints.world.mrio import from_mrio


def tiny_mrio() -> World:
    # 2 regions (CHN, JPN) x 2 sectors (elec, cars), M USD per year; Y one category per region
    idx = pd.MultiIndex.from_product([["CHN", "JPN"], ["elec", "cars"]])
    Z = pd.DataFrame(
        [[10.0, 20.0, 0.0, 5.0], [0.0, 5.0, 0.0, 0.0], [0.0, 5.0, 10.0, 30.0], [0.0, 0.0, 0.0, 5.0]],
        index=idx,
        columns=idx,
    )
    Y = pd.DataFrame(
        [[50.0, 15.0], [60.0, 10.0], [5.0, 50.0], [20.0, 175.0]],
        index=idx,
        columns=pd.MultiIndex.from_product([["CHN", "JPN"], ["fd"]]),
    )
    io = SimpleNamespace(Z=Z * 365, Y=Y * 365, unit=pd.DataFrame({"u": ["M USD"] * 4}, index=idx))
    return from_mrio(io, name="tiny")


def tiny_chain() -> World:
    t = {
        "regions": pd.DataFrame({"region": ["CN", "US"], "name": ["China", "US"]}),
        "products": pd.DataFrame(
            {"product": ["magnet", "motor"], "name": ["magnet", "motor"], "unit": ["t", "units"], "stage": ["", ""]}
        ),
        "producers": pd.DataFrame(
            {
                "producer": ["CN.magnet", "US.motor"],
                "region": ["CN", "US"],
                "product": ["magnet", "motor"],
                "output_per_day": [2.0, 100.0],
                "capacity_per_day": [2.0, 100.0],
                "end_use": ["", "motors"],
            }
        ),
        "recipes": pd.DataFrame(
            {"producer": ["US.motor"], "input_product": ["magnet"], "amount_per_unit": [0.02], "unit": ["t per units"]}
        ),
        "supply_links": pd.DataFrame(
            {
                "buyer": ["US.motor", "fd.US.motor"],
                "product": ["magnet", "motor"],
                "supplier": ["CN.magnet", "US.motor"],
                "share": [1.0, 1.0],
            }
        ),
        "final_demand": pd.DataFrame(
            {
                "demand": ["fd.US.motor"],
                "region": ["US"],
                "product": ["motor"],
                "end_use": ["motors"],
                "amount_per_day": [100.0],
            }
        ),
        "unit_values": pd.DataFrame({"product": ["magnet"], "usd_per_unit": [50_000.0], "unit": ["USD per t"]}),
    }
    return World.from_tables(name="tiny-chain", **t)


LINKS = pd.DataFrame(
    [
        {
            "chain_product": "magnet",
            "sector": "cars",
            "region": "*",
            "intensity": 0.01,
            "replaces": "elec",
            "inventory_days": 30,
            "source": "test",
        }
    ]
)
RMAP = pd.DataFrame({"chain_region": ["CN", "US"], "mrio_region": ["CHN", "JPN"], "source": ["t", "t"]})


def test_graft_hand_worked_balance_and_intensities() -> None:
    m = tiny_mrio()
    hw = graft(m, tiny_chain(), LINKS, RMAP)
    cw, mw = hw.compile(), m.compile()
    # US.motor and its final demand are dropped; CN.magnet is kept, placed in CHN
    assert cw.producers == (*mw.producers, "CN.magnet")
    assert cw.regions[cw.prod_region[-1]] == "CHN"
    # raw need T = 0.01 t/M USD x (x0 CHN.cars 75 + JPN.cars 200) = 2.75 t/day; chain sold M = 2 t/day
    c = 2.0 / (0.01 * (75.0 + 200.0))
    assert hw.metadata["graft"]["calibration"]["magnet"] == pytest.approx(c, rel=1e-5)
    mag = cw.products.index("magnet")
    assert cw.A[mag, 1] == pytest.approx(0.01 * c)  # CHN.cars
    assert cw.A[mag, 3] == pytest.approx(0.01 * c)  # JPN.cars
    assert cw.A[mag, 0] == 0 and cw.A[mag, 2] == 0
    elec = cw.products.index("elec")
    # A'[elec, CHN.cars] = (20 + 5) / 75 - 0.01 c x 50,000 / 1e6
    assert cw.A[elec, 1] == pytest.approx(25 / 75 - 0.01 * c * 0.05)
    assert cw.unit_value[mag] == 50_000.0 and cw.product_unit[mag] == "t"
    # balance: every producer sells exactly its output; x and value added unchanged
    need = np.zeros((cw.n, cw.n + cw.m))
    for f in range(cw.n):
        p = cw.prod_product[f]
        need[f, : cw.n] = cw.A[p] * cw.x0
        need[f, cw.n :] = cw.y0 * (cw.fd_product == p)
    np.testing.assert_allclose((np.asarray(cw.W) * need).sum(axis=1), cw.x0, rtol=1e-10)
    np.testing.assert_allclose(cw.x0[: mw.n], mw.x0)
    np.testing.assert_allclose(cw.value_added[: mw.n], mw.value_added)
    assert cw.target_days[mag, 3] == 30.0


def test_ban_on_grafted_magnet_reduces_sector_output() -> None:
    from chokepoints.engine.ensemble import simulate
    from chokepoints.scenario.model import Scenario

    hw = graft(tiny_mrio(), tiny_chain(), LINKS, RMAP)
    sc = Scenario.from_dict(
        {
            "name": "t",
            "world": "tiny",
            "start": "2025-01-01",
            "horizon_days": 120,
            "runs": 1,
            "events": [
                {
                    "type": "export_control",
                    "on": "2025-01-01",
                    "exporter": "CHN",
                    "products": ["magnet"],
                    "destinations": ["JPN"],
                    "mode": "ban",
                }
            ],
        }
    )
    ds = simulate(hw, sc, record=["production"]).data
    x = ds["production"].sel(producer="JPN.cars").values[0]
    assert x[-1] < 0.9 * x[0]
    assert ds["production"].sel(producer="CHN.cars").values[0][-1] == pytest.approx(75.0, rel=0.05)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("sector", "ships", "unknown MRIO sector 'ships'"),
        ("replaces", "steel", "unknown MRIO sector 'steel'"),
        ("region", "KOR", "unknown MRIO region 'KOR'"),
        ("chain_product", "gallium", "unknown chain product 'gallium'"),
        ("intensity", -1, "expected a finite number"),
    ],
)
def test_bad_links_are_located_errors(column: str, value: object, message: str) -> None:
    links = LINKS.copy()
    links[column] = [value]
    with pytest.raises(InputError, match=message) as err:
        graft(tiny_mrio(), tiny_chain(), links, RMAP, links_file="links.csv")
    assert str(err.value).startswith("links.csv, row 1")


def test_unmapped_chain_region_is_an_error() -> None:
    with pytest.raises(InputError, match="chain region 'US' is not mapped"):
        graft(tiny_mrio(), tiny_chain(), LINKS, RMAP.iloc[:1])
    bad = RMAP.assign(mrio_region=["CHN", "XXX"])
    with pytest.raises(InputError, match="unknown MRIO region 'XXX'"):
        graft(tiny_mrio(), tiny_chain(), LINKS, bad)


def test_bundled_hybrid_loads_with_sourced_links() -> None:
    from chokepoints.world import load_world

    hw = load_world("wiod-2011-rare-earths")
    links = pd.read_csv(hw.files["links"])
    known = set(hw.tables["sources"]["source_id"]) | set(hw.assumptions["id"])
    for s in links["source"]:
        assert set(s.split(";")) <= known
    assert 0.5 < hw.metadata["graft"]["calibration"]["ndfeb_magnet"] < 2.0


def two_supplier_chain() -> World:
    # CN.magnet 3 t/day sells 1 to the US motor maker and 2 to China's own final demand; US.magnet 1 t/day
    # sells 1 to the motor maker (which buys half from each: 0.02 t x 100 units = 2 t/day)
    t = {
        "regions": pd.DataFrame({"region": ["CN", "US"], "name": ["China", "US"]}),
        "products": pd.DataFrame(
            {"product": ["magnet", "motor"], "name": ["magnet", "motor"], "unit": ["t", "units"], "stage": ["", ""]}
        ),
        "producers": pd.DataFrame(
            {
                "producer": ["CN.magnet", "US.magnet", "US.motor"],
                "region": ["CN", "US", "US"],
                "product": ["magnet", "magnet", "motor"],
                "output_per_day": [3.0, 1.0, 100.0],
                "capacity_per_day": [3.0, 1.0, 100.0],
                "end_use": ["", "", "motors"],
            }
        ),
        "recipes": pd.DataFrame(
            {"producer": ["US.motor"], "input_product": ["magnet"], "amount_per_unit": [0.02], "unit": ["t per units"]}
        ),
        "supply_links": pd.DataFrame(
            {
                "buyer": ["US.motor", "US.motor", "fd.US.motor", "fd.CN.magnet"],
                "product": ["magnet", "magnet", "motor", "magnet"],
                "supplier": ["CN.magnet", "US.magnet", "US.motor", "CN.magnet"],
                "share": [0.5, 0.5, 1.0, 1.0],
            }
        ),
        "final_demand": pd.DataFrame(
            {
                "demand": ["fd.US.motor", "fd.CN.magnet"],
                "region": ["US", "CN"],
                "product": ["motor", "magnet"],
                "end_use": ["motors", "other"],
                "amount_per_day": [100.0, 2.0],
            }
        ),
        "unit_values": pd.DataFrame({"product": ["magnet"], "usd_per_unit": [50_000.0], "unit": ["USD per t"]}),
    }
    return World.from_tables(name="two-supplier-chain", **t)


def _sold(cw) -> np.ndarray:
    need = np.zeros((cw.n, cw.n + cw.m))
    for f in range(cw.n):
        p = cw.prod_product[f]
        need[f, : cw.n] = cw.A[p] * cw.x0
        need[f, cw.n :] = cw.y0 * (cw.fd_product == p)
    return (np.asarray(cw.W) * need).sum(axis=1)


def test_default_rule_buys_in_world_shares() -> None:
    # M = 3 + 1 = 4 t/day over T = 0.01 x (75 + 200) = 2.75: c = 4 / 2.75; every buyer 3/4 CN, 1/4 US
    cw = graft(tiny_mrio(), two_supplier_chain(), LINKS, RMAP).compile()
    mag, cn, us = cw.products.index("magnet"), cw.producers.index("CN.magnet"), cw.producers.index("US.magnet")
    assert cw.A[mag, 1] == pytest.approx(0.01 * 4 / 2.75) and cw.A[mag, 3] == pytest.approx(0.01 * 4 / 2.75)
    W = np.asarray(cw.W)
    assert (W[cn, 1], W[us, 1], W[cn, 3], W[us, 3]) == pytest.approx((0.75, 0.25, 0.75, 0.25))


def test_sourced_region_keeps_the_chains_tonnage_and_suppliers() -> None:
    # US (-> JPN) end users bought 2 t/day, 1 from each maker: JPN.cars gets c = 2 / (0.01 x 200) = 1 and buys
    # half and half; the rest (CHN.cars) gets China's 2 t/day: c = 2 / (0.01 x 75), all from CN.magnet
    hw = graft(tiny_mrio(), two_supplier_chain(), LINKS, RMAP, sourced_regions=["JPN"])
    cw = hw.compile()
    mag, cn, us = cw.products.index("magnet"), cw.producers.index("CN.magnet"), cw.producers.index("US.magnet")
    cal = hw.metadata["graft"]["calibration"]
    assert cal["magnet@JPN"] == pytest.approx(1.0) and cal["magnet"] == pytest.approx(2 / 0.75, rel=1e-5)
    assert hw.metadata["graft"]["sourced_regions"] == ["JPN"]
    assert cw.A[mag, 3] == pytest.approx(0.01) and cw.A[mag, 1] == pytest.approx(0.01 * 2 / 0.75)
    W = np.asarray(cw.W)
    assert (W[cn, 3], W[us, 3], W[cn, 1], W[us, 1]) == pytest.approx((0.5, 0.5, 1.0, 0.0))
    # every producer still sells exactly its output; MRIO x unchanged
    np.testing.assert_allclose(_sold(cw), cw.x0, rtol=1e-10)
    np.testing.assert_allclose(cw.x0[:4], tiny_mrio().compile().x0)


def test_sourced_region_without_output_or_unknown_is_an_error() -> None:
    with pytest.raises(InputError, match="unknown MRIO region 'KOR' in sourced_regions"):
        graft(tiny_mrio(), two_supplier_chain(), LINKS, RMAP, sourced_regions=["KOR"])
    chn_only = LINKS.assign(region=["CHN"])
    with pytest.raises(InputError, match="links select no output in JPN"):
        graft(tiny_mrio(), two_supplier_chain(), chn_only, RMAP, sourced_regions=["JPN"])
