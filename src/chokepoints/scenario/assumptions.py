"""Uncertain parameters that read their range from the World's assumptions table.

An uncertain parameter may name a row of the dataset's ``assumptions.csv`` (columns ``id, value,
unit, low, high, reason``; loaded as ``World.assumptions``)::

    - parameter: world.inventories.target_days
      where: {holder: "JPN.*"}
      distribution: uniform
      assumption: A.jp_inventory

:func:`resolve_assumptions` fills what is omitted before the one draw
(:func:`chokepoints.scenario.sampling.sample`): for ``uniform`` low = row low and high = row high;
for ``triangular`` also mode = row value. Bounds given in the scenario are kept, but each given
``low``, ``mode`` or ``high`` must lie within the row's [low, high] (a scenario may narrow the
documented range, not leave it). An unknown id, a row without a value, or a bound outside the
row's range is a located InputError.
"""

from __future__ import annotations

import difflib
import math
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..errors import InputError, Problem
from .uncertainty import UncertainParameter

if TYPE_CHECKING:
    import pandas as pd

    from .model import Scenario

__all__ = ["assumption_ranges", "resolve_assumptions"]


def assumption_ranges(table: pd.DataFrame | None) -> dict[str, tuple[float, float, float]]:
    """``{id: (value, low, high)}`` for the rows of an assumptions table that carry numbers."""
    out: dict[str, tuple[float, float, float]] = {}
    if table is None or len(table) == 0:
        return out
    for r in table.itertuples(index=False):
        nums = (float(r.value), float(r.low), float(r.high))
        if not any(math.isnan(x) for x in nums):
            out[str(r.id)] = nums
    return out


def _fmt(x: float) -> str:
    return f"{x:g}"


def resolve_assumptions(sc: Scenario, table: pd.DataFrame | None, dataset: str = "the world") -> Scenario:
    """A copy of ``sc`` whose uncertain parameters with ``assumption: <id>`` carry their bounds.

    ``table`` is the World's assumptions table (``World.assumptions``); ``dataset`` names it in
    messages. Returns ``sc`` itself when no parameter names an assumption. Raises InputError with
    one located problem per bad parameter.
    """
    if not any(u.assumption for u in sc.uncertain):
        return sc
    from ..yamlio import format_path

    ranges = assumption_ranges(table)
    ids = set() if table is None or len(table) == 0 else {str(x) for x in table["id"]}
    src = sc.source_path or "<scenario>"
    problems: list[Problem] = []

    def err(path: tuple, msg: str) -> None:
        line, col = sc.locate(path)
        problems.append(Problem(src, msg, line, col, field=format_path(path)))

    resolved: list[UncertainParameter] = []
    for j, u in enumerate(sc.uncertain):
        aid = u.assumption
        if aid is None:
            resolved.append(u)
            continue
        at = ("uncertain", j, "assumption")
        if aid not in ranges:
            close = difflib.get_close_matches(aid, sorted(ranges), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            what = "has no value, low and high in" if aid in ids else "is not in"
            valid = ", ".join(sorted(ranges)) or "none"
            err(at, f"assumption {aid!r} {what} {dataset}'s assumptions table{hint} (ids with a range: {valid})")
            resolved.append(u)
            continue
        value, lo, hi = ranges[aid]
        bad = False
        for name in ("low", "mode", "high"):
            given = getattr(u, name)
            if given is not None and not lo <= given <= hi:
                err(
                    ("uncertain", j, name),
                    f"{name} {_fmt(given)} lies outside the range [{_fmt(lo)}, {_fmt(hi)}] of assumption {aid!r}",
                )
                bad = True
        if bad:
            resolved.append(u)
            continue
        update: dict[str, Any] = {}
        if u.distribution in ("uniform", "triangular"):
            update = {"low": lo if u.low is None else u.low, "high": hi if u.high is None else u.high}
            if u.distribution == "triangular":
                update["mode"] = value if u.mode is None else u.mode
        try:
            resolved.append(UncertainParameter.model_validate({**u.model_dump(), **update}))
        except ValidationError as exc:
            msg = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
            err(at, f"with the range of assumption {aid!r}: {msg}")
            resolved.append(u)
    if problems:
        raise InputError(problems)
    return sc.model_copy(update={"uncertain": resolved})
