"""chokepoints: model economic coercion between economies and the bargaining that follows.

Quick start::

    import chokepoints as cp
    cp.list_scenarios()  # the bundled scenarios
    world = cp.load_world("rare-earths-2025")
    sc = cp.Scenario.from_yaml(cp.scenario_path("cn-rare-earth-licensing-2025-04"))
    res = cp.simulate(world, sc)
    res.indicators.time_to_shortfall()     # or res.data.cp.time_to_shortfall()
    res.to_netcdf("result.nc"); cp.open_result("result.nc").cp.summary()

Every name is loaded on first use (scientific-python ``lazy_loader``, names from
``__init__.pyi``), so ``import chokepoints`` and ``chokepoints --help`` stay fast.
"""

from __future__ import annotations

import lazy_loader as _lazy

__version__ = "0.1.0"

__getattr__, _lazy_dir, _names = _lazy.attach_stub(__name__, __file__)
__all__ = ["__version__", *_names]


def __dir__() -> list[str]:
    return list(__all__)
