"""Sweeps: many scenario variants run in chunks on Dask, catalogued in DuckDB, resumable.

``chokepoints sweep SWEEP.yaml`` (see :mod:`chokepoints.sweep.model` for the file,
:mod:`.design` for points, chunks and seeds, :mod:`.execute` for the run, :mod:`.catalogue`
for the results folder). Needs the ``sweep`` extra: ``pip install "chokepoints[sweep]"``.
"""

from __future__ import annotations

from .model import SweepFile

EXTRA_MESSAGE = 'the sweep commands need the "sweep" extra: pip install "chokepoints[sweep]"'


def missing_extra() -> str | None:
    """None when Dask (distributed), DuckDB and pyarrow are installed; else the one-line message naming
    the extra. Looked up, not imported: an in-process sweep never imports Dask (about 0.5 s)."""
    from importlib.util import find_spec

    for name in ("distributed", "duckdb", "pyarrow"):
        try:
            found = find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            return f"{EXTRA_MESSAGE} ({name} is missing)"
    return None


__all__ = ["SweepFile", "missing_extra", "EXTRA_MESSAGE"]
