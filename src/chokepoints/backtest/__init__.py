"""Back-tests: confront a scenario's ensemble with observed series, and calibrate it (ABC-SMC or ABC rejection).

``confront`` maps observations onto model quantities (``scenario.backtest``), ``abc_smc`` and ``abc_rejection``
fit the declared uncertain parameters to named series, ``write_calibrated`` writes the posterior
back as a scenario file. See docs/backtest.md.
"""

from .calibrate import Calibration, abc_rejection, abc_smc, write_calibrated
from .core import CSV_COLUMNS, Confrontation, backtest_spec_of, confront, simulate_for_backtest, summary
from .units import UNITS, convert

__all__ = [
    "CSV_COLUMNS",
    "UNITS",
    "Calibration",
    "Confrontation",
    "abc_rejection",
    "abc_smc",
    "backtest_spec_of",
    "confront",
    "convert",
    "simulate_for_backtest",
    "summary",
    "write_calibrated",
]
