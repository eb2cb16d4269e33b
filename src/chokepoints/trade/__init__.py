"""Static tariff analysis: non-linear Armington partial equilibrium on a dated, layered schedule.

Quick start::

    import chokepoints.trade as tr
    ds = tr.solve([[100.0, 60.0, 40.0]], [[0.075, 0, 0]], [[0.325, 0, 0]], eta=-1.5)
    tr.smart_linear(...)                    # WITS-SMART linear formulas; check: tr.check_smart
    sched = tr.Schedule.bundled()           # 2025 US-China layers with sources
    sched.explain(date(2025, 4, 10), "USA", "CHN", "telephones", tr.load_catalog()).total   # 145.0
    res = tr.analyse(cp.Scenario.from_yaml("scenarios/us-china-tariffs-2025.yaml"))

Modules: :mod:`.pe` (the kernel, formulas in its docstring), :mod:`.smart` (linear formulas),
:mod:`.schedule` (layers and stacking rules), :mod:`.data` (bundled tables, BACI and Comtrade
loaders), :mod:`.analysis` (scenario -> Dataset), :mod:`.summary` (tables),
:mod:`.report` (HTML sections).
"""

from __future__ import annotations

from .analysis import Prepared, analyse, prepare
from .api import solve
from .data import (
    HS_SECTIONS,
    TradeData,
    load_bundled,
    load_elasticity_table,
    load_sources,
    read_baci,
    read_baci_country_codes,
    read_comtrade,
    read_tidy,
    section_of_hs,
    trade_data,
)
from .pe import PESolution, armington_share_change, solve_arrays
from .schedule import LAYERS, Catalog, LayerRow, RateBreakdown, Schedule, StackingRule
from .smart import SmartCheckError, check_smart, smart_linear
from .summary import by_partner, by_section, load_catalog, summary


def tariff_sections(result, schedule=None, date=None):  # noqa: ANN001, ANN201
    """Report sections for an ``analyse`` result (see :mod:`chokepoints.trade.report`)."""
    from .report import tariff_sections as _sections  # lazy: plotting only when a report is written

    return _sections(result, schedule=schedule, date=date)


__all__ = [
    "solve",
    "solve_arrays",
    "armington_share_change",
    "PESolution",
    "smart_linear",
    "check_smart",
    "SmartCheckError",
    "Schedule",
    "LayerRow",
    "StackingRule",
    "RateBreakdown",
    "Catalog",
    "LAYERS",
    "analyse",
    "prepare",
    "Prepared",
    "summary",
    "by_partner",
    "by_section",
    "load_catalog",
    "tariff_sections",
    "TradeData",
    "load_bundled",
    "load_sources",
    "load_elasticity_table",
    "read_baci",
    "read_baci_country_codes",
    "read_comtrade",
    "read_tidy",
    "trade_data",
    "section_of_hs",
    "HS_SECTIONS",
]
