"""Hypothesis properties (issue #12): scenario dictionaries never crash; invariants on random networks.

* Random scenario dictionaries (valid shapes with hostile values) validate or raise InputError
  whose problems all carry a field, never anything else.
* Random balanced layered networks (2-4 regions, 2-3 stages, random recipes, shares and
  stocks): the baseline is a fixed point (production stays at baseline output, no final demand
  unmet), and a harsher export control (lower approval rate) never raises the output of the
  controlled importer's users of the controlled product while the control lasts (the importer's
  other producers may rise: a domestic supplier of the product fills part of the gap).

Default sizes are small (CI); ``-m slow`` runs the network properties on 10,000 random networks
(``CHOKEPOINTS_SLOW_NETWORKS`` sets another number; about 0.3 s a network on one core).
"""

from __future__ import annotations

import datetime as dt
import math
import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import chokepoints as cp
from chokepoints.errors import InputError

FAST = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW_NETWORKS = int(os.environ.get("CHOKEPOINTS_SLOW_NETWORKS", 10_000))
SLOW = settings(max_examples=SLOW_NETWORKS, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- scenario dictionaries ----------------------------------------------------------------------

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**25), max_value=10**25),
    st.booleans(),
)
texts = st.one_of(st.text(max_size=12), st.sampled_from(["CHN", "USA", "all", "", "ndfeb_magnet", "e\x00x"]))
dates = st.one_of(st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)), texts)
anything = st.one_of(numbers, texts, dates, st.none(), st.lists(texts, max_size=3))

event = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["export_control", "stockpile_release", "tariff", "treasury_sale", "nope", ""]),
        "on": dates,
    },
    optional={
        "exporter": texts,
        "products": st.one_of(texts, st.lists(texts, max_size=3)),
        "destinations": st.one_of(texts, st.lists(texts, max_size=3)),
        "mode": st.sampled_from(["ban", "licence", "quota", "x"]),
        "approval_rate": numbers,
        "validity_days": numbers,
        "review_days": numbers,
        "holder": texts,
        "product": texts,
        "amount": numbers,
        "importer": texts,
        "rate": numbers,
        "id": texts,
        "extra": anything,
    },
)
uncertain = st.fixed_dictionaries(
    {
        "parameter": st.one_of(
            texts, st.sampled_from(["engine.psi_param", "world.inventories.target_days", "events.a.approval_rate"])
        ),
        "distribution": st.sampled_from(["uniform", "triangular", "normal", "lognormal", "beta", "choice", "x"]),
    },
    optional={"low": numbers, "high": numbers, "mode": numbers, "mean": numbers, "sd": numbers, "values": anything},
)
scenario_dicts = st.fixed_dictionaries(
    {"name": texts, "start": dates},
    optional={
        "world": st.sampled_from(["rare-earths-2025", "nope", ""]),
        "horizon_days": numbers,
        "runs": numbers,
        "seed": numbers,
        "engine": st.dictionaries(st.sampled_from(["psi_param", "alpha_tau", "order_type", "x"]), anything),
        "events": st.lists(event, max_size=3),
        "uncertain": st.lists(uncertain, max_size=2),
        "key_users": st.lists(st.fixed_dictionaries({"region": texts, "end_use": texts}), max_size=2),
    },
)


@FAST
@given(scenario_dicts)
def test_scenario_dicts_validate_or_raise_input_error(data):
    from chokepoints.engine.compile import compile_plan

    try:
        sc = cp.Scenario.from_dict(data)
        if sc.world == "rare-earths-2025":
            compile_plan(_WORLDS.setdefault("re", cp.load_world("rare-earths-2025")), sc, runs=2)
    except InputError as exc:
        assert exc.problems and all(p.source for p in exc.problems)


_WORLDS: dict[str, cp.World] = {}

# -- random balanced networks ---------------------------------------------------------------


@st.composite
def networks(draw):
    """A balanced layered World: stage 0 raw products, each later stage uses inputs of the one below."""
    n_regions = draw(st.integers(2, 4))
    n_stages = draw(st.integers(2, 3))
    regions = [f"R{i}" for i in range(n_regions)]
    rows_p, producers, recipes, links, fd, inv = [], [], [], [], [], []
    stage_products: list[list[str]] = []
    for s in range(n_stages):
        k = draw(st.integers(1, 2))
        names = [f"p{s}_{j}" for j in range(k)]
        stage_products.append(names)
        for p in names:
            rows_p.append((p, p, "t", "mining" if s == 0 else ("end_product" if s == n_stages - 1 else "processing")))
    makers: dict[str, list[str]] = {}
    for names in stage_products:
        for p in names:
            where = draw(st.lists(st.sampled_from(regions), min_size=1, max_size=n_regions, unique=True))
            makers[p] = [f"{r}.{p}" for r in where]
    uses: dict[str, list[tuple[str, float]]] = {}
    for s in range(1, n_stages):
        for p in stage_products[s]:
            inputs = draw(st.lists(st.sampled_from(stage_products[s - 1]), min_size=1, unique=True))
            for f in makers[p]:
                uses[f] = [(q, draw(st.floats(0.1, 3.0))) for q in inputs]
    # final demand on the last stage; outputs computed from the top down so the baseline balances
    output = dict.fromkeys([f for fs in makers.values() for f in fs], 0.0)
    for p in stage_products[-1]:
        for f in makers[p]:
            amount = draw(st.floats(10.0, 1000.0))
            region = f.split(".")[0]
            fd.append((f"fd.{f}", region, p, "automotive", amount))
            links.append((f"fd.{f}", p, f, 1.0))
            output[f] += amount
    for s in range(n_stages - 1, 0, -1):
        for p in stage_products[s]:
            for f in makers[p]:
                for q, a in uses[f]:
                    recipes.append((f, q, a, "t per t"))
                    sup = makers[q]
                    w = np.array([draw(st.floats(0.1, 1.0)) for _ in sup])
                    w = w / w.sum()
                    for g, share in zip(sup, w, strict=True):
                        links.append((f, q, g, float(share)))
                        output[g] += float(share) * a * output[f]
                    target = draw(st.floats(2.0, 60.0))
                    inv.append((f, q, target, target))  # stocks start at their targets: the baseline is at rest
    for p, fs in makers.items():
        for f in fs:
            x0 = output[f]
            producers.append((f, f.split(".")[0], p, x0 * draw(st.floats(1.0, 1.5)), x0, ""))
    world = cp.World.from_tables(
        name="random",
        version="h",
        regions=pd.DataFrame({"region": regions, "name": regions}),
        products=pd.DataFrame(rows_p, columns=["product", "name", "unit", "stage"]),
        producers=pd.DataFrame(
            producers, columns=["producer", "region", "product", "capacity_per_day", "output_per_day", "end_use"]
        ),
        recipes=pd.DataFrame(recipes, columns=["producer", "input_product", "amount_per_unit", "unit"]),
        supply_links=pd.DataFrame(links, columns=["buyer", "product", "supplier", "share"]),
        final_demand=pd.DataFrame(fd, columns=["demand", "region", "product", "end_use", "amount_per_day"]),
        inventories=pd.DataFrame(inv, columns=["holder", "product", "days_of_cover", "target_days"]),
    )
    return world, stage_products[0], regions


def _scenario(events: list[dict], horizon: int = 40) -> cp.Scenario:
    return cp.Scenario.from_dict(
        {"name": "h", "world": "random", "start": "2025-01-01", "horizon_days": horizon, "events": events}
    )


def _fixed_point(net) -> None:
    world, _, _ = net
    d = cp.simulate(world, _scenario([]), runs=1).data
    x = d["production"].transpose("run", "day", "producer").values[0]
    x0 = d["baseline_production"].values
    np.testing.assert_allclose(x, np.broadcast_to(x0, x.shape), rtol=1e-9, atol=1e-9)
    assert float(np.nanmax(d["final_demand_unmet"].values)) <= 1e-9 * max(1.0, float(np.max(x0)))


def _harsher(net, data) -> None:
    world, raw, regions = net
    exporter = data.draw(st.sampled_from(regions))
    importer = data.draw(st.sampled_from([r for r in regions if r != exporter]))
    product = data.draw(st.sampled_from(raw))
    mild = data.draw(st.floats(0.2, 1.0))
    harsh = data.draw(st.floats(0.0, mild))

    def control(rate: float) -> list[dict]:
        return [
            {
                "type": "export_control",
                "on": "2025-01-05",
                "until": "2025-02-05",
                "exporter": exporter,
                "products": [product],
                "destinations": [importer],
                "mode": "licence",
                "approval_rate": rate,
            }
        ]

    def importer_output(rate: float) -> np.ndarray:
        d = cp.simulate(world, _scenario(control(rate)), runs=1).data
        rec = world.tables["recipes"]
        users = set(rec.loc[rec["input_product"] == product, "producer"])
        mask = np.array(
            [
                str(r) == importer and str(f) in users
                for r, f in zip(d["producer_region"].values, d["producer"].values, strict=True)
            ]
        )
        x = d["production"].transpose("run", "day", "producer").values[0]
        return x[4:35][:, mask].sum(axis=1)  # the days the control lasts (2025-01-05 .. 2025-02-05)

    a, b = importer_output(mild), importer_output(harsh)
    assert np.all(b <= a * (1 + 1e-9) + 1e-9), (a - b).min()


def test_random_network_baseline_is_a_fixed_point():
    @FAST
    @given(networks())
    def prop(net):
        _fixed_point(net)

    prop()


def test_random_network_harsher_control_never_raises_importer_output():
    @FAST
    @given(networks(), st.data())
    def prop(net, data):
        _harsher(net, data)

    prop()


@pytest.mark.slow
def test_random_networks_slow_10000():
    @SLOW
    @given(networks(), st.data())
    def prop(net, data):
        _fixed_point(net)
        _harsher(net, data)

    prop()


def test_networks_are_balanced():
    """The generator's Worlds pass the World checks (balance included) for a fixed draw."""

    @settings(max_examples=10, deadline=None)
    @given(networks())
    def prop(net):
        world, raw, regions = net
        assert raw and len(regions) >= 2 and math.isfinite(float(world.tables["producers"]["output_per_day"].sum()))

    prop()
