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
