"""Explicit unit conversions between model quantities and observations.

Each unit has a dimension and a factor to the dimension's base unit (t, units, USD, ratio):
value_in_to = value_in_from x factor(from) / factor(to); converting between dimensions is an
InputError. E.g. 5,000 t -> 5 kt; 1,237,000 vehicles -> 1.237 million units; 25 % -> 0.25 share.
"""

from __future__ import annotations

from ..errors import InputError, Problem

UNITS: dict[str, tuple[str, float]] = {
    "t": ("mass", 1.0),
    "tonnes": ("mass", 1.0),
    "kg": ("mass", 1e-3),
    "kt": ("mass", 1e3),
    "units": ("count", 1.0),
    "vehicles": ("count", 1.0),
    "aircraft": ("count", 1.0),
    "thousand units": ("count", 1e3),
    "million units": ("count", 1e6),
    "USD": ("money", 1.0),
    "million USD": ("money", 1e6),
    "billion USD": ("money", 1e9),
    "share": ("ratio", 1.0),
    "ratio": ("ratio", 1.0),
    "%": ("ratio", 0.01),
}


def convert(value, from_unit: str, to_unit: str, where: str = "<backtest>"):
    """``value`` (a number or array) in ``from_unit`` expressed in ``to_unit``."""
    try:
        d_from, f_from = UNITS[from_unit]
        d_to, f_to = UNITS[to_unit]
    except KeyError as exc:
        raise InputError(
            Problem(where, f"unknown unit {exc.args[0]!r}; known: {', '.join(UNITS)}", field="unit")
        ) from None
    if d_from != d_to:
        raise InputError(
            Problem(where, f"cannot convert {from_unit!r} ({d_from}) to {to_unit!r} ({d_to})", field="unit")
        )
    return value * (f_from / f_to)
