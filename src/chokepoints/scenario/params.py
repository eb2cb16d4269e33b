"""Paths of uncertain parameters, parsed once: ``events.<id>.<field>``, ``world.<table>.<column>``, ``engine.<name>``.

Every module that reads a scenario's ``uncertain`` list (engine, finance, trade) goes through
:class:`ParameterRef` and the two helpers below, so a path is split, checked and matched to an
event in one place::

    ParameterRef.parse("events.apr.approval_rate")    # kind event, event apr, field approval_rate
    ParameterRef.parse("world.inventories.target_days")  # kind world, table inventories, column target_days
    ParameterRef.parse("engine.psi_param")             # kind engine, name psi_param
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .model import Scenario

# World columns that can vary per run (the engine compiles them into per-run arrays).
WORLD_PARAMETERS = {
    "inventories.days_of_cover",
    "inventories.target_days",
    "producers.capacity_per_day",
    "unit_values.usd_per_unit",
}
# EngineParams fields that can vary per run.
ENGINE_PARAMETERS = {"psi_param", "inventory_restoration_tau", "alpha_tau", "alpha_base", "alpha_max"}


@dataclass(frozen=True)
class ParameterRef:
    """One parsed parameter path; ``str(ref)`` gives the text back."""

    text: str
    kind: Literal["event", "world", "engine"]
    event: str | None = None  # event id (kind event)
    field: str | None = None  # event field (kind event)
    table: str | None = None  # world table (kind world)
    column: str | None = None  # world column (kind world)
    name: str | None = None  # engine parameter (kind engine)

    @classmethod
    def parse(cls, text: str) -> ParameterRef:
        """Parse a path; ValueError for an unknown form, a world column or engine name that cannot vary."""
        parts = text.split(".")
        if parts[0] == "events" and len(parts) == 3:
            return cls(text, "event", event=parts[1], field=parts[2])
        if parts[0] == "world" and len(parts) == 3:
            if ".".join(parts[1:]) not in WORLD_PARAMETERS:
                raise ValueError(
                    f"world parameter {text!r} cannot vary per run; expected one of "
                    + ", ".join(sorted("world." + w for w in WORLD_PARAMETERS))
                )
            return cls(text, "world", table=parts[1], column=parts[2])
        if parts[0] == "engine" and len(parts) == 2:
            if parts[1] not in ENGINE_PARAMETERS:
                raise ValueError(
                    f"unknown engine parameter {parts[1]!r}; expected one of " + ", ".join(sorted(ENGINE_PARAMETERS))
                )
            return cls(text, "engine", name=parts[1])
        raise ValueError(
            f"unknown parameter path {text!r}; expected events.<id>.<field>, world.<table>.<column> or engine.<name>"
        )

    def __str__(self) -> str:
        return self.text


def _event_index(scenario: Scenario) -> dict[str, int]:
    return {e_id: i for i, e in enumerate(scenario.events) if (e_id := getattr(e, "id", None)) is not None}


def event_targets(scenario: Scenario) -> list[tuple[int, int, ParameterRef]]:
    """``(j, i, ref)`` for each uncertain parameter j of kind event whose event id exists (event index i).

    In scenario order; parameters naming an unknown id are in :func:`unknown_event_refs` instead.
    """
    ids = _event_index(scenario)
    out: list[tuple[int, int, ParameterRef]] = []
    for j, u in enumerate(scenario.uncertain):
        ref = u.ref
        if ref.kind == "event" and ref.event in ids:
            out.append((j, ids[ref.event], ref))
    return out


def unknown_event_refs(scenario: Scenario) -> list[int]:
    """Indexes j of the uncertain parameters of kind event whose event id is not in the scenario."""
    ids = _event_index(scenario)
    return [j for j, u in enumerate(scenario.uncertain) if u.ref.kind == "event" and u.ref.event not in ids]


__all__ = ["ParameterRef", "WORLD_PARAMETERS", "ENGINE_PARAMETERS", "event_targets", "unknown_event_refs"]
