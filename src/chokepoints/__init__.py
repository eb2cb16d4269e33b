"""chokepoints: model economic coercion between economies and the bargaining that follows.

Quick start::

    import chokepoints as cp
    world = cp.load_world("rare-earths-2025")
    sc = cp.Scenario.from_yaml("scenarios/cn-rare-earth-licensing-2025-04.yaml")
    res = cp.simulate(world, sc)
    res.indicators.time_to_shortfall()     # or res.data.cp.time_to_shortfall()
    res.to_netcdf("result.nc"); cp.open_result("result.nc").cp.summary()
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "World": "chokepoints.world",
    "load_world": "chokepoints.world",
    "Scenario": "chokepoints.scenario",
    "simulate": "chokepoints.engine",
    "Result": "chokepoints.engine.result",
    "open_result": "chokepoints.indicators.accessor",
    "InputError": "chokepoints.errors",
}

__all__ = ["__version__", *_LAZY]


_SUBMODULES = {"datasets", "trade", "finance", "negotiation", "indicators", "engine", "world", "scenario",
               "report", "sensitivity"}


def __getattr__(name: str) -> Any:
    # Lazy so that `chokepoints --help` and `import chokepoints` stay fast.
    if name in _SUBMODULES:
        return import_module(f"chokepoints.{name}")
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'chokepoints' has no attribute {name!r}")
