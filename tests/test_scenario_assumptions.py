"""Uncertain parameters that read their range from the World's assumptions table (``assumption: <id>``).

Hand-worked: the chain World (tests/conftest.py) gets an assumptions table with one row
A.maker_stock = 6 days, range [4, 10]. A uniform parameter naming it is drawn on [4, 10], a
triangular one on [4, 10] with mode 6, i.e. exactly the draws of the same scenario with those
numbers written out; bounds given in the scenario must lie within [4, 10].
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import chain_world, scenario
from typer.testing import CliRunner

import chokepoints as cp
from chokepoints.engine.compile import compile_plan
from chokepoints.errors import InputError
from chokepoints.scenario.assumptions import resolve_assumptions
from chokepoints.scenario.sampling import sample

ROOT = Path(__file__).resolve().parents[1]
TABLE = pd.DataFrame(
    {
        "id": ["A.maker_stock", "A.qualitative"],
        "value": [6.0, float("nan")],
        "unit": ["days", ""],
        "low": [4.0, float("nan")],
        "high": [10.0, float("nan")],
        "reason": ["hand-made: the maker holds 4 to 10 days", "a choice with no number"],
    }
)


def _world() -> cp.World:
    w = chain_world(stock_days=6.0, target_days=6.0)
    w.assumptions = TABLE.copy()
    return w


def _sc(**fields) -> cp.Scenario:
    u = {"parameter": "world.inventories.target_days", "where": {"holder": "USA.maker"}, **fields}
    return scenario(uncertain=[u], runs=16)


def _problem(exc: pytest.ExceptionInfo) -> str:
    (p,) = exc.value.problems
    return f"{p.field}: {p.message}"


def test_uniform_bounds_come_from_the_table():
    sc = resolve_assumptions(_sc(distribution="uniform", assumption="A.maker_stock"), TABLE)
    (u,) = sc.uncertain
    assert (u.low, u.high, u.mode) == (4.0, 10.0, None)


def test_triangular_takes_the_value_as_mode_and_keeps_given_bounds():
    sc = resolve_assumptions(_sc(distribution="triangular", assumption="A.maker_stock", low=5), TABLE)
    (u,) = sc.uncertain
    assert (u.low, u.mode, u.high) == (5.0, 6.0, 10.0)


def test_resolving_copies_the_scenario():
    original = _sc(distribution="uniform", assumption="A.maker_stock")
    resolve_assumptions(original, TABLE)
    assert original.uncertain[0].low is None and not original.uncertain[0].resolved


@pytest.mark.parametrize(
    ("by_table", "written"),
    [
        ({"distribution": "uniform"}, {"distribution": "uniform", "low": 4, "high": 10}),
        ({"distribution": "triangular"}, {"distribution": "triangular", "low": 4, "mode": 6, "high": 10}),
    ],
)
def test_engine_draw_equals_the_written_out_scenario(by_table, written):
    w = _world()
    plan = compile_plan(w, _sc(assumption="A.maker_stock", **by_table), seed=3)
    ref = compile_plan(w, _sc(**written), seed=3)
    np.testing.assert_array_equal(plan.samples, ref.samples)
    assert plan.samples.min() >= 4.0 and plan.samples.max() <= 10.0
    # the drawn target is the maker's ore target in every run (and its start stock: it starts at target)
    p, f = list(w.products["product"]).index("ore"), list(w.producers["producer"]).index("USA.maker")
    np.testing.assert_array_equal(plan.target_days[:, p, f], plan.samples[:, 0])


def test_unknown_id_is_located_with_did_you_mean():
    with pytest.raises(InputError) as exc:
        compile_plan(_world(), _sc(distribution="uniform", assumption="A.maker_stok"))
    msg = _problem(exc)
    assert msg.startswith("uncertain[0].assumption: assumption 'A.maker_stok' is not in chain's")
    assert "did you mean 'A.maker_stock'?" in msg and "(ids with a range: A.maker_stock)" in msg


def test_row_without_a_number_is_an_error():
    with pytest.raises(InputError) as exc:
        resolve_assumptions(_sc(distribution="uniform", assumption="A.qualitative"), TABLE, "chain")
    assert "'A.qualitative' has no value, low and high in chain's assumptions table" in _problem(exc)


@pytest.mark.parametrize(("field", "value"), [("high", 12.0), ("low", 3.0)])
def test_given_bound_outside_the_table_range_is_an_error(field, value):
    with pytest.raises(InputError) as exc:
        resolve_assumptions(_sc(distribution="uniform", assumption="A.maker_stock", **{field: value}), TABLE)
    assert _problem(exc) == (
        f"uncertain[0].{field}: {field} {value:g} lies outside the range [4, 10] of assumption 'A.maker_stock'"
    )


def test_narrower_given_bounds_are_allowed_and_kept():
    plan = compile_plan(_world(), _sc(distribution="uniform", assumption="A.maker_stock", low=5, high=7))
    assert plan.samples.min() >= 5.0 and plan.samples.max() <= 7.0


def test_a_world_without_assumptions_names_none():
    w = chain_world()
    with pytest.raises(InputError) as exc:
        compile_plan(w, _sc(distribution="uniform", assumption="A.maker_stock"))
    assert "(ids with a range: none)" in _problem(exc)


def test_sampling_without_a_world_is_a_located_error():
    with pytest.raises(InputError) as exc:
        sample(_sc(distribution="uniform", assumption="A.maker_stock"), 4)
    assert _problem(exc).startswith("uncertain[0].assumption: the bounds of assumption 'A.maker_stock' come from")


def test_without_assumption_the_bounds_are_still_required():
    with pytest.raises(InputError, match="uniform distribution needs low, high"):
        _sc(distribution="uniform")


def test_bundled_2010_scenario_reads_japans_stock_range():
    sc = cp.Scenario.from_yaml(ROOT / "scenarios" / "cn-japan-rare-earth-embargo-2010.yaml")
    world = cp.load_world(sc.world_ref())
    row = world.assumptions.set_index("id").loc["A.jp_inventory"]
    (u,) = [u for u in sc.uncertain if u.assumption == "A.jp_inventory"]
    assert u.low is None and u.high is None
    (r,) = [r for r in resolve_assumptions(sc, world.assumptions).uncertain if r.assumption == "A.jp_inventory"]
    assert (r.low, r.high) == (row["low"], row["high"]) == (60.0, 180.0)


def test_cli_validate_reports_a_bad_id_on_one_line(tmp_path):
    src = (ROOT / "scenarios" / "cn-japan-rare-earth-embargo-2010.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(src.replace("assumption: A.jp_inventory", "assumption: A.jp_inventry"), encoding="utf-8")
    from chokepoints.cli import app

    res = CliRunner().invoke(app, ["validate", str(bad)])
    assert res.exit_code == 2
    assert "did you mean 'A.jp_inventory'?" in res.output and "Traceback" not in res.output
