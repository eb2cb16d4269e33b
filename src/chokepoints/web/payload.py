"""The files a job leaves: ``result.json`` (its payload) and the same table as CSV and Parquet.

A payload is ``{"kind", "dates", "columns", "rows", "key_columns", "charts", "provenance"}``:
``columns`` lists ``{"key", "label", "unit"}`` (labels are what the page and the CSV show),
``rows`` one dict per table row by key, ``charts`` the chart series (median and 5-95 % band).
A kind may add keys of its own (``tables``: further tables; ``article``: the checked article).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def clean(v: Any) -> Any:
    """A JSON-safe scalar: NaN -> None, NumPy numbers -> Python numbers, anything else -> text."""
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if isinstance(v, float | np.floating):
        return None if v != v else float(v)
    if isinstance(v, np.integer):
        return int(v)
    return v if isinstance(v, str | int) or v is None else str(v)


def bands(values: np.ndarray) -> dict[str, list[float | None]]:
    """Median and 5-95 % band over runs of a (runs, days) array, rounded to 4 significant digits."""
    v = np.asarray(values, float)
    out = {"median": np.nanmedian(v, axis=0)}
    if v.shape[0] > 1:
        out["p05"], out["p95"] = np.nanquantile(v, 0.05, axis=0), np.nanquantile(v, 0.95, axis=0)
    return {k: rounded(a) for k, a in out.items()}


def rounded(values: Any) -> list[float | None]:
    """Numbers to 4 significant digits (NaN -> None), for chart series."""
    return [None if x != x else float(f"{x:.4g}") for x in np.asarray(values, float)]


def columns_of(labels: dict[str, tuple[str, str]], keys: list[str]) -> list[dict[str, str]]:
    """``{"key", "label", "unit"}`` of each of ``keys`` from a ``key -> (label, unit)`` map."""
    return [{"key": c, "label": labels[c][0], "unit": labels[c][1]} for c in keys]


def rows_of(df: pd.DataFrame, keys: list[str]) -> list[dict[str, Any]]:
    """The rows of ``df[keys]`` as JSON-safe dicts."""
    return [{c: clean(v) for c, v in zip(keys, r, strict=True)} for r in df[keys].itertuples(index=False)]


def table_payload(kind: str, df: pd.DataFrame, key_columns: list[str], ds: Any) -> dict[str, Any]:
    """``result.json`` of a tariff or finance analysis: its summary table, labels and units from the
    shared column map (:func:`chokepoints.report.components.column_label`)."""
    from ..report.components import column_label

    df = df.reset_index(drop=True)
    cols = [str(c) for c in df.columns]
    named = {c: column_label(c) for c in cols}
    return {
        "kind": kind,
        "dates": [],
        "columns": columns_of(named, cols),
        "rows": rows_of(df, cols),
        "key_columns": key_columns,
        "charts": [],
        "provenance": {k: clean(v) for k, v in ds.attrs.items()},
    }


def write_outputs(out: Path, payload: dict[str, Any], ds: Any, write_netcdf: Callable[..., Any] | None) -> None:
    """``summary.csv``, ``summary.parquet`` (when pyarrow or fastparquet is installed), ``result.nc`` (when the
    kind makes a Dataset: ``ds`` not None) and, last, ``result.json`` into ``out``."""
    labels = {
        c["key"]: c["label"] + (f" [{c['unit']}]" if c["unit"] and c["unit"] not in c["label"] else "")
        for c in payload["columns"]
    }
    df = pd.DataFrame(payload["rows"], columns=list(labels)).rename(columns=labels)
    df.to_csv(out / "summary.csv", index=False)
    try:
        df.to_parquet(out / "summary.parquet", index=False)
    except ImportError:  # no Parquet engine (pyarrow, fastparquet) installed: CSV and JSON only
        pass
    if ds is not None and write_netcdf is not None:
        write_netcdf(ds, out / "result.nc")
    tmp = out / "result.json.tmp"
    tmp.write_text(json.dumps(payload, allow_nan=False), encoding="utf-8")
    os.replace(tmp, out / "result.json")  # result.json last: its presence means the files are complete
