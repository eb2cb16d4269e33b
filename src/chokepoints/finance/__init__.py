"""The financial lever: Treasury sales, yields, US interest cost, reserve shifts into gold.

    import chokepoints as cp
    from chokepoints.finance import simulate_finance, threat_value, finance_sections
    sc = cp.Scenario.from_yaml("scenarios/cn-treasury-sale-hypothetical.yaml")
    res = simulate_finance(sc)          # xarray Dataset with provenance attrs
    headline(res)                       # key numbers, low / central / high
    threat_value(res)                   # costs to each side, for the negotiation module

Scenario events ``treasury_sale`` and ``reserve_shift`` are defined in
:mod:`chokepoints.scenario.events_finance`; the bundled, sourced series in
:mod:`chokepoints.finance.data`; the arithmetic in :mod:`chokepoints.finance.kernel`.
"""

from __future__ import annotations

from .data import FinanceData, calibrate_ladders, check_sources, load_finance_data
from .model import simulate_finance
from .report import finance_sections
from .summary import (
    band,
    band_studies,
    estimates_table,
    flows_table,
    headline,
    history_table,
    threat_value,
)

__all__ = [
    "FinanceData",
    "load_finance_data",
    "check_sources",
    "calibrate_ladders",
    "simulate_finance",
    "band",
    "band_studies",
    "headline",
    "flows_table",
    "history_table",
    "estimates_table",
    "threat_value",
    "finance_sections",
]
