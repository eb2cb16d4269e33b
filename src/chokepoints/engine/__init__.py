"""The dynamic engine: compile World + Scenario into arrays, step them, label the result.

Data flow: :func:`compile_plan` (levers -> effects -> :class:`Plan`), :func:`run_plan` (the
step loop), :func:`result_of` (labels: an xarray Dataset in a :class:`Result`);
:func:`simulate` does all three, :func:`simulate_many` stacks scenarios into one ensemble.
"""

from __future__ import annotations

from .compile import compile_plan
from .ensemble import result_of, simulate, simulate_many
from .plan import ControlPlan, Plan
from .result import Result, build_dataset
from .simulate import make_options, run_plan
from .stack import IncompatiblePlans, stack_plans

__all__ = [
    "simulate",
    "simulate_many",
    "stack_plans",
    "IncompatiblePlans",
    "Result",
    "Plan",
    "ControlPlan",
    "compile_plan",
    "run_plan",
    "result_of",
    "build_dataset",
    "make_options",
]
