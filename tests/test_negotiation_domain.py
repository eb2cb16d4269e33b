"""Specs, packages and utilities from simulations on tiny worlds; truces, snapback, agenda."""

from __future__ import annotations

import copy
import datetime as dt

import numpy as np
import pytest
from conftest import chain_world, licence, scenario
from hypothesis import given, settings
from hypothesis import strategies as st

import chokepoints as cp
from chokepoints.errors import InputError
from chokepoints.negotiation import analyse, build_policy, round_context, spec_from_data
from chokepoints.negotiation.analysis import Evaluator, simulate_commitment
from chokepoints.negotiation.batch import SimulationCache
from chokepoints.negotiation.domain import check_spec, enumerate_packages, package_from_values
from chokepoints.negotiation.solutions import frontier_dominates, pareto_mask, zopa_mask
from chokepoints.negotiation.spec import Extension

LIC = licence(approval_rate=0.1)

TINY = {
    "name": "tiny",
    "runs": 1,
    "period_days": 10,
    "deadline_steps": 8,
    "first_mover": "USA",
    "levers": {
        "tariff": {
            "kind": "tariff",
            "importer": "USA",
            "exporter": "CHN",
            "import_value_usd": 1e9,
            "eta": -2,
            "schedule": [{"on": "2025-04-04", "value": 50}],
        }
    },
    "issues": [
        {
            "name": "approval",
            "topics": ["rare_earths"],
            "values": [0.5, 1.0],
            "targets": [{"event": "lic", "field": "approval_rate"}],
        },
        {"name": "tariff", "values": [0, 25], "targets": [{"lever": "tariff"}]},
        {"name": "truce", "kind": "truce", "values": [20, 60]},
    ],
    "parties": {
        "USA": {
            "factions": {
                "industry": {
                    "weight": 0.7,
                    "terms": [{"indicator": "output_lost", "region": "USA", "end_uses": ["automotive"]}],
                },
                "treasury": {
                    "weight": 0.3,
                    "terms": [{"indicator": "tariff_revenue", "lever": "tariff"}],
                },
            }
        },
        "CHN": {
            "factions": {
                "exporters": {
                    "weight": 0.6,
                    "terms": [{"indicator": "tariff_exports_lost", "lever": "tariff"}],
                },
                "leverage": {
                    "weight": 0.4,
                    "terms": [
                        {
                            "indicator": "controlled_exports_lost",
                            "exporter": "CHN",
                            "importer": "USA",
                            "coef": 1,
                        }
                    ],
                },
            }
        },
    },
    "rounds": [
        {
            "name": "talks",
            "date": "2025-04-20",
            "actual": {"approval": 0.5, "tariff": 25, "truce": 20},
        }
    ],
}


def tiny(**changes) -> tuple:
    data = copy.deepcopy(TINY)
    data.update(changes)
    spec = spec_from_data(data)
    sc = scenario([LIC], horizon=90)
    world = chain_world(stock_days=10)
    check_spec(spec, sc, world)
    return spec, sc, world


def test_packages_include_keep_and_respect_the_agenda():
    spec, _, _ = tiny()
    pk = enumerate_packages(spec, ["approval", "truce"])
    assert len(pk) == 3 * 2  # keep + 2 values, times 2 truce lengths; tariff stays at keep
    assert {p[1] for p in pk} == {"keep"}


def test_deal_events_window_and_snapback():
    spec, sc, world = tiny()
    ctx = round_context(spec, sc, 0)
    pol = build_policy(ctx, package_from_values(spec, {"approval": 1.0, "truce": 20}))
    deal = [e for e in pol.scenario.events if e.id == "deal.talks.lic"]
    assert len(deal) == 1 and deal[0].approval_rate == 1.0
    assert deal[0].on == dt.date(2025, 4, 20) and deal[0].until == dt.date(2025, 5, 10)
    res = cp.simulate(world, pol.scenario, runs=1)
    ship = res.data.shipments.sum("route").values[0]
    t0, t1 = pol.window
    # during the deal (after review) more arrives than after the snapback to the April regime
    assert ship[t0 + 6 : t1].mean() > 2 * ship[t1 + 10 :].mean()
    # the lever: the tariff holds at the deal's value only inside the window
    pol2 = build_policy(ctx, package_from_values(spec, {"tariff": 0, "truce": 20}))
    path = pol2.levers["tariff"]
    assert path[t0 - 1] == 50 and path[t0:t1].max() == 0 and path[t1] == 50


def test_utilities_batna_and_solutions_from_simulation():
    spec, sc, world = tiny()
    res = analyse(spec, sc, world)
    r = res.talks[0]
    P = r.n
    # no deal is simulated: its row is the BATNA, inside the [0, 1] utility range
    assert np.all((r.d >= 0) & (r.d <= 1))
    # the importer's industry faction prefers more licences; China's leverage faction fewer
    j_ind = [f.name for f in r.factions].index("industry")
    j_lev = [f.name for f in r.factions].index("leverage")
    pk = {p: i for i, p in enumerate(r.packages)}
    hi = pk[package_from_values(spec, {"approval": 1.0, "truce": 60})]
    lo = pk[package_from_values(spec, {"approval": 0.5, "truce": 60})]
    assert r.raw[hi, j_ind] > r.raw[lo, j_ind] > r.raw[P, j_ind]
    assert r.raw[hi, j_lev] < r.raw[lo, j_lev]
    assert r.nash is not None and r.zopa[r.nash] and r.pareto[r.nash]
    assert np.all(r.U[r.nash] > r.d)
    assert r.deltas is not None and all(0 < x < 1 for x in r.deltas)
    assert r.protocol is not None and r.actual_row == P + 1
    # cached by scenario hash: packages differing only in the tariff share a simulation
    assert res.cache.stats.simulated < len(r.packages) / 2


def test_truce_extension_and_snapback_over_time():
    spec, sc, world = tiny()
    ev = Evaluator(spec, world, SimulationCache(world))
    ctx = round_context(spec, sc, 0)
    res = analyse(spec, sc, world, cache=ev.cache)
    r = res.talks[0]
    good = package_from_values(spec, {"approval": 1.0, "truce": 20})
    weak = package_from_values(spec, {"approval": 0.5, "truce": 20})
    rule = Extension.model_validate(
        {
            "days": 15,
            "max_extensions": 2,
            "condition": {
                "indicator": "shipments_share",
                "exporter": "CHN",
                "importer": "USA",
                "at_least": 0.06,
                "window_days": 5,
            },
        }
    )
    c = simulate_commitment(ev, ctx, r, good, rule, "good")
    assert c.total_days == 20 + 2 * 15 and "extended" in c.timeline[1][1]
    c2 = simulate_commitment(ev, ctx, r, weak, rule, "weak")
    assert c2.total_days == 20 and "snapback" in c2.timeline[-1][1]


def test_excluding_an_issue_compares_agendas():
    spec, sc, world = tiny()
    res = analyse(spec, sc, world, exclude=["rare_earths"])
    r = res.talks[0]
    ag = r.agenda
    assert ag is not None and ag.excluded == ["approval"] and ag.frontier_ok
    assert ag.mask.sum() < r.n
    assert all(r.packages[i][0] == "keep" for i in np.flatnonzero(ag.mask))


def test_spec_errors_name_the_field():
    bad = copy.deepcopy(TINY)
    bad["parties"]["USA"]["factions"]["industry"]["weight"] = 0.6
    with pytest.raises(InputError, match=r"field 'parties.USA.factions': faction weights must sum to 1"):
        spec_from_data(bad)
    bad = copy.deepcopy(TINY)
    bad["issues"] = []
    bad["rounds"][0].pop("actual")
    with pytest.raises(InputError, match=r"field 'issues': the agenda is empty"):
        spec_from_data(bad)
    bad = copy.deepcopy(TINY)
    bad["issues"][0]["targets"][0]["field"] = "approvel_rate"
    spec = spec_from_data(bad)
    with pytest.raises(InputError, match=r"field 'issues\[0\].targets\[0\].field': unknown field 'approvel_rate'"):
        check_spec(spec, scenario([LIC], horizon=90))
    bad["issues"][0]["targets"][0].update(field="approval_rate", event="nope")
    with pytest.raises(InputError, match=r"unknown event 'nope'"):
        check_spec(spec_from_data(bad), scenario([LIC], horizon=90))
    bad["issues"][0]["targets"][0].update(event="lic")
    bad["issues"][0]["values"] = [0.5, 1.5]
    with pytest.raises(InputError, match=r"field 'issues\[0\].values': value 1.5 is not valid"):
        check_spec(spec_from_data(bad), scenario([LIC], horizon=90))


# ---------------------------------------------------------------------------------------------
# Property: removing issues never enlarges the frontier (lever-only domains, no simulation)
# ---------------------------------------------------------------------------------------------
def _random_spec(n_issues: int, n_values: list[int], coefs: list[list[float]], weights: list[int]) -> dict:
    levers = {f"l{k}": {"kind": "flow", "usd_per_unit_year": 1.0} for k in range(n_issues)}
    issues = [
        {
            "name": f"i{k}",
            "values": [float(v + 1) for v in range(n_values[k])],
            "targets": [{"lever": f"l{k}"}],
        }
        for k in range(n_issues)
    ]
    parties = {}
    for p, name in enumerate(("A", "B")):
        w = weights[2 * p : 2 * p + 2]
        w0 = w[0] / (w[0] + w[1])
        parties[name] = {
            "factions": {
                f"f{j}": {
                    "weight": w0 if j == 0 else 1 - w0,
                    "terms": [
                        {"indicator": "flow_value", "lever": f"l{k}", "coef": coefs[2 * p + j][k]}
                        for k in range(n_issues)
                    ],
                }
                for j in range(2)
            }
        }
    return {
        "levers": levers,
        "issues": issues,
        "parties": parties,
        "rounds": [{"name": "r", "date": "2025-04-10"}],
    }


@settings(max_examples=25, deadline=None)
@given(
    st.integers(2, 3).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(st.integers(1, 3), min_size=n, max_size=n),
            st.lists(
                st.lists(st.floats(-3, 3, allow_nan=False), min_size=n, max_size=n),
                min_size=4,
                max_size=4,
            ),
            st.lists(st.integers(1, 9), min_size=4, max_size=4),
            st.lists(st.booleans(), min_size=n, max_size=n),
        )
    )
)
def test_removing_issues_never_enlarges_the_frontier(args):
    n, n_values, coefs, weights, drop = args
    spec = spec_from_data(_random_spec(n, n_values, coefs, weights))
    sc = cp.Scenario.from_dict({"name": "p", "start": "2025-04-01", "horizon_days": 30})
    excluded = [f"i{k}" for k in range(n) if drop[k]][: n - 1]
    res = analyse(spec, sc, world=None, exclude=excluded)
    r = res.talks[0]
    U = r.U[: r.n]
    full = U[r.pareto]
    if excluded:
        sub = U[r.agenda.mask]
        assert frontier_dominates(full, sub[pareto_mask(sub)])
        # the restricted ZOPA is inside the full one, and nobody's best deal improves
        zs = zopa_mask(sub, r.d)
        assert zs.sum() <= r.zopa.sum()
        if zs.any():
            assert np.all(sub[zs].max(axis=0) <= U[r.zopa].max(axis=0) + 1e-12)
            g_sub = np.prod(U[r.agenda.nash] - r.d)
            g_full = np.prod(U[r.nash] - r.d)
            assert g_sub <= g_full + 1e-12


def test_seeded_and_reproducible_with_uncertain_parameters():
    spec, _, world = tiny()
    unc = [{"parameter": "events.lic.approval_rate", "distribution": "uniform", "low": 0.0, "high": 0.3}]
    sc = scenario([LIC], horizon=90, uncertain=unc)
    a = analyse(spec, sc, world, runs=3, seed=1)
    b = analyse(spec, sc, world, runs=3, seed=1)
    c = analyse(spec, sc, world, runs=3, seed=2)
    np.testing.assert_array_equal(a.talks[0].raw, b.talks[0].raw)
    assert not np.array_equal(a.talks[0].raw, c.talks[0].raw)
    assert a.provenance["seed"] == 1 and a.provenance["runs"] == 3 and a.provenance["scenario_hash"] == sc.hash
