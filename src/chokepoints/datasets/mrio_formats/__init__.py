"""Parsers of MRIO databases into one plain table (EXIOBASE 3, Eora26, FIGARO).

Each parser returns a :class:`types.SimpleNamespace` with

* ``Z``: intermediate flows per year, a DataFrame with (region, sector) rows and columns;
* ``Y``: final demand per year, (region, sector) rows, (region, category) columns;
* ``unit``: a DataFrame whose first cell is the table's monetary unit as written in the files;
* ``sector_names``: sector code -> name (empty when the codes are the names);
* ``source_file``, ``release``: where the table came from;
* ``usd_per_unit``: USD per unit where the unit fixes it (1e3 for "1000 USD"), else absent;
* ``extra``: entries for ``dataset.yaml`` (the EXIOBASE variant, balance checks ...).

:mod:`chokepoints.datasets.mrio_import` writes that table to a World folder. Nothing here
imports that module (no import cycle).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ...errors import InputError, Problem


def need(module: str) -> Any:
    """``import module``, or a one-line error naming the extra to install."""
    try:
        return __import__(module)
    except ImportError:  # pragma: no cover - depends on the environment
        raise InputError(
            Problem("<mrio>", f"this needs the Python package {module!r}: pip install 'chokepoints[mrio]'")
        ) from None


def years_in_name(name: str) -> list[int]:
    """The four-digit years 1950-2099 written in a file or folder name, in order."""
    return [int(y) for y in re.findall(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)", name)]


def check_year(path: Path, year: int, found: int | None) -> None:
    """A one-line error when the table's own year ``found`` is not the ``--year`` asked for."""
    if found is not None and int(found) != int(year):
        raise InputError(Problem(str(path), f"the file holds {found}, not {year}", field="--year"))
