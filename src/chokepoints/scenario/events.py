"""Scenario events: the levers, as data (kept for compatibility; the event models live in
:mod:`chokepoints.levers`, one module per lever)."""

from __future__ import annotations

from ..levers import EVENT_CLASSES, EVENT_TYPES, Event
from ..levers.capacity import CapacityChange
from ..levers.capacity_loss import CapacityLoss
from ..levers.demand import FinalDemandChange
from ..levers.export_control import ExportControl, LiftControl
from ..levers.extraterritorial import ExtraterritorialRule
from ..levers.priority import Priority
from ..levers.recycling import Recycling
from ..levers.stockpile import StockpileRelease
from ..levers.substitution import Substitution

ALL_EVENT_CLASSES = EVENT_CLASSES

__all__ = [
    "ALL_EVENT_CLASSES",
    "EVENT_TYPES",
    "Event",
    "CapacityChange",
    "CapacityLoss",
    "FinalDemandChange",
    "ExportControl",
    "LiftControl",
    "ExtraterritorialRule",
    "Priority",
    "Recycling",
    "StockpileRelease",
    "Substitution",
]
