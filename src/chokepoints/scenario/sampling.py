"""One draw of a scenario's uncertain parameters, shared by every model (engine, finance, trade).

Run r is the same draw in every module: :func:`sample` draws all of the scenario's declared
uncertain parameters, in scenario order, by Latin hypercube from the seed
(:func:`chokepoints.scenario.uncertainty.latin_hypercube`), and each model picks the columns
it reads. Given ``samples`` (e.g. a Sobol design, :mod:`chokepoints.sensitivity`) replace the draw.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..errors import InputError, Problem
from .uncertainty import latin_hypercube

if TYPE_CHECKING:
    import xarray as xr

    from .model import Scenario


def sample_labels(scenario: Scenario) -> list[str]:
    """One label per uncertain parameter: its path, followed by ``where`` as a dict when it has one.

    E.g. ``events.apr.approval_rate`` or ``world.inventories.target_days{'product': 'ndfeb_magnet'}``.
    """
    return [p.parameter + (f"{dict(p.where)}" if p.where else "") for p in scenario.uncertain]


def sample(
    scenario: Scenario, runs: int | None = None, seed: int | None = None, samples: np.ndarray | None = None
) -> xr.DataArray:
    """The (run x parameter) values of the scenario's uncertain parameters.

    ``runs`` and ``seed`` default to the scenario's. Without ``samples``: the Latin hypercube draw
    ``latin_hypercube(scenario.uncertain, runs, seed)`` (attr ``method`` = ``"latin_hypercube"``).
    With ``samples`` (runs x P values, P = number of uncertain parameters): those values (method
    ``"given"``); their row count sets the runs, and a ``runs`` that disagrees, a wrong number of
    columns or a non-finite value is an InputError.

    Parameters that take their bounds from a World's assumptions table must have been resolved
    first (:func:`chokepoints.scenario.assumptions.resolve_assumptions`; the engine does so at
    compile time); an unresolved one is an InputError.

    Returns an xarray DataArray with dims ``("run", "parameter")``, coordinates ``run`` (0..R-1)
    and ``parameter`` (:func:`sample_labels`), attrs ``seed`` and ``method``.
    """
    import xarray as xr

    P = len(scenario.uncertain)
    unresolved = [j for j, p in enumerate(scenario.uncertain) if not p.resolved]
    if unresolved:
        from ..yamlio import format_path

        src = scenario.source_path or "<scenario>"
        problems = []
        for j in unresolved:
            path = ("uncertain", j, "assumption")
            line, col = scenario.locate(path)
            problems.append(
                Problem(
                    src,
                    f"the bounds of assumption {scenario.uncertain[j].assumption!r} come from a World's "
                    "assumptions table, and this model reads no World: give low/high (and mode) here",
                    line,
                    col,
                    field=format_path(path),
                )
            )
        raise InputError(problems)
    seed = int(scenario.seed if seed is None else seed)
    if samples is not None:
        values = np.asarray(samples, dtype=float)
        if values.ndim != 2 or values.shape[1] != P:
            raise InputError(Problem("samples", f"expected shape (runs, {P}), got {values.shape}"))
        if runs is not None and int(runs) != values.shape[0]:
            raise InputError(Problem("samples", f"has {values.shape[0]} rows but runs is {runs}"))
        if not np.isfinite(values).all():
            raise InputError(Problem("samples", "every value must be finite"))
        method = "given"
    else:
        R = int(scenario.runs if runs is None else runs)
        if R < 1:
            raise InputError(Problem("runs", f"must be at least 1, got {R}"))
        values = latin_hypercube(scenario.uncertain, R, seed)
        method = "latin_hypercube"
    return xr.DataArray(
        values,
        dims=("run", "parameter"),
        coords={"run": np.arange(values.shape[0]), "parameter": sample_labels(scenario)},
        attrs={"seed": seed, "method": method},
        name="samples",
    )


__all__ = ["sample", "sample_labels"]
