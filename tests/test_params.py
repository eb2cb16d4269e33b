"""Uncertain-parameter paths parsed once (chokepoints.scenario.params)."""

from __future__ import annotations

import dataclasses

import pytest

import chokepoints as cp
from chokepoints.errors import ScenarioError
from chokepoints.scenario import UncertainParameter
from chokepoints.scenario import uncertainty as unc
from chokepoints.scenario.params import (
    ENGINE_PARAMETERS,
    WORLD_PARAMETERS,
    ParameterRef,
    event_targets,
    unknown_event_refs,
)


def test_parse_event():
    r = ParameterRef.parse("events.apr.approval_rate")
    assert (r.kind, r.event, r.field) == ("event", "apr", "approval_rate")
    assert (r.table, r.column, r.name) == (None, None, None)
    assert str(r) == r.text == "events.apr.approval_rate"


def test_parse_world():
    r = ParameterRef.parse("world.inventories.target_days")
    assert (r.kind, r.table, r.column) == ("world", "inventories", "target_days")
    assert (r.event, r.field, r.name) == (None, None, None)


def test_parse_engine():
    r = ParameterRef.parse("engine.psi_param")
    assert (r.kind, r.name) == ("engine", "psi_param")
    assert (r.event, r.table) == (None, None)


def test_every_listed_world_and_engine_parameter_parses():
    assert {
        f"{r.table}.{r.column}" for r in map(ParameterRef.parse, ("world." + w for w in WORLD_PARAMETERS))
    } == WORLD_PARAMETERS
    assert {ParameterRef.parse("engine." + n).name for n in ENGINE_PARAMETERS} == ENGINE_PARAMETERS


def test_ref_is_frozen_and_compares_by_value():
    r = ParameterRef.parse("events.a.b")
    assert r == ParameterRef.parse("events.a.b") and hash(r) == hash(ParameterRef.parse("events.a.b"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.event = "c"  # type: ignore[misc]


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "world.inventories.colour",
            "world parameter 'world.inventories.colour' cannot vary per run; expected one of "
            "world.inventories.days_of_cover, world.inventories.target_days, world.producers.capacity_per_day, "
            "world.unit_values.usd_per_unit",
        ),
        (
            "engine.speed",
            "unknown engine parameter 'speed'; expected one of alpha_base, alpha_max, alpha_tau, "
            "inventory_restoration_tau, psi_param",
        ),
        (
            "events.apr",
            "unknown parameter path 'events.apr'; expected events.<id>.<field>, "
            "world.<table>.<column> or engine.<name>",
        ),
        ("engine.psi_param.x", "unknown parameter path 'engine.psi_param.x'"),
        ("world.inventories", "unknown parameter path 'world.inventories'"),
        ("scenario.runs", "unknown parameter path 'scenario.runs'"),
    ],
)
def test_parse_errors(text, message):
    with pytest.raises(ValueError) as exc:
        ParameterRef.parse(text)
    assert str(exc.value).startswith(message)


def test_uncertainty_module_reexports():
    assert unc.WORLD_PARAMETERS is WORLD_PARAMETERS and unc.ENGINE_PARAMETERS is ENGINE_PARAMETERS
    assert unc.ParameterRef is ParameterRef


def test_ref_on_uncertain_parameter():
    u = UncertainParameter(
        parameter="world.producers.capacity_per_day", where={"producer": "x"}, distribution="uniform", low=1, high=2
    )
    assert u.ref == ParameterRef(
        "world.producers.capacity_per_day", "world", table="producers", column="capacity_per_day"
    )
    assert u.ref is u.ref  # parsed once
    assert "ref" not in u.model_dump() and "_ref" not in u.model_dump()
    u.parameter = "engine.alpha_tau"  # a reassigned path is parsed again
    assert u.ref.kind == "engine" and u.ref.name == "alpha_tau"


YAML = """\
name: p
start: 2025-01-01
uncertain:
  - parameter: events.a.approval_rate
    distribution: uniform
    low: 0
    high: 1
  - parameter: engine.psi_param
    distribution: uniform
    low: 0.5
    high: 0.9
  - parameter: events.nope.approval_rate
    distribution: uniform
    low: 0
    high: 1
  - parameter: events.b.delay_days
    distribution: uniform
    low: 0
    high: 9
events:
  - type: export_control
    id: b
    exporter: CHN
    products: [x]
    on: 2025-02-01
  - type: export_control
    id: a
    exporter: CHN
    products: [x]
    on: 2025-02-01
"""


def test_event_targets_and_unknown_event_refs():
    sc = cp.Scenario.from_yaml_text(YAML, "p.yaml")
    assert [(j, i, r.event, r.field) for j, i, r in event_targets(sc)] == [
        (0, 1, "a", "approval_rate"),
        (3, 0, "b", "delay_days"),
    ]
    assert unknown_event_refs(sc) == [2]


def test_bad_path_in_a_scenario_is_located():
    text = YAML.replace("engine.psi_param", "engine.speed")
    with pytest.raises(ScenarioError) as exc:
        cp.Scenario.from_yaml_text(text, "p.yaml")
    p = exc.value.problems[0]
    assert (p.source, p.line, p.field) == ("p.yaml", 8, "uncertain[1]")
    assert p.message.startswith("unknown engine parameter 'speed'")
