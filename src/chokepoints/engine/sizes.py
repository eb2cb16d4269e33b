"""Sizes in bytes: parsing the ``--max-memory`` style of value and printing one.

Kept apart from the step loop (:mod:`chokepoints.engine.simulate`) because the CLI, the
server and the sweep runner read sizes without running anything.
"""

from __future__ import annotations

import os
import re

from ..errors import InputError, Problem


def parse_bytes(value: int | float | str | None) -> int | None:
    """'4GiB', '500MB', '2G', 1e9 -> bytes (None stays None)."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return int(value)
    mt = re.fullmatch(r"\s*([0-9.]+)\s*([KMGT]?)(i?)B?\s*", str(value), flags=re.IGNORECASE)
    if not mt:
        raise InputError(
            Problem("--max-memory", f"expected bytes or e.g. '4GiB', '500MB', got {value!r}", field="max_memory")
        )
    num, unit, binary = float(mt.group(1)), mt.group(2).upper(), mt.group(3)
    base = 1024 if binary or unit == "" else 1000
    return int(num * base ** " KMGT".index(unit or " "))


def size_text(b: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if b < 1024 or unit == "GiB":
            return f"{b:.3g} {unit}"
        b /= 1024
    return f"{b:.3g} GiB"  # pragma: no cover


def default_max_memory() -> int:
    """Half the machine's physical memory, at most 8 GiB."""
    try:
        phys = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        phys = 8 << 30
    return int(min(phys // 2, 8 << 30))
