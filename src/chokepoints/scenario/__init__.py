"""Scenario files: typed, validated, with located errors."""

from .events import (
    CapacityLoss,
    Event,
    ExportControl,
    FinalDemandChange,
    LiftControl,
    StockpileRelease,
)
from .model import EngineParams, KeyUser, Scenario
from .params import ParameterRef
from .sampling import sample
from .uncertainty import UncertainParameter, latin_hypercube

__all__ = [
    "Scenario",
    "EngineParams",
    "KeyUser",
    "Event",
    "ExportControl",
    "LiftControl",
    "StockpileRelease",
    "CapacityLoss",
    "FinalDemandChange",
    "UncertainParameter",
    "latin_hypercube",
    "ParameterRef",
    "sample",
]
