"""Sweeps: many scenario variants run in chunks on Dask, catalogued in DuckDB, resumable.

``chokepoints sweep SWEEP.yaml`` (see :mod:`chokepoints.sweep.model` for the file,
:mod:`.design` for points, chunks and seeds, :mod:`.execute` for the run, :mod:`.catalogue`
for the results folder). Needs the ``sweep`` extra: ``pip install "chokepoints[sweep]"``.
"""

from __future__ import annotations

from .model import SweepFile

EXTRA_MESSAGE = 'the sweep commands need the "sweep" extra: pip install "chokepoints[sweep]"'


def missing_extra() -> str | None:
    """None when Dask (distributed), DuckDB and pyarrow import; else the one-line message naming the extra."""
    try:
        import distributed  # noqa: F401
        import duckdb  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError as exc:
        return f"{EXTRA_MESSAGE} ({exc.name or 'a package'} is missing)"
    return None


__all__ = ["SweepFile", "missing_extra", "EXTRA_MESSAGE"]
