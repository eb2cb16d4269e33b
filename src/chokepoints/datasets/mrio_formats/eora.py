"""Eora26 tables (``Eora26_YYYY_bp.zip``), read with ``pymrio.parse_eora26``.

Layout of the published files (Lenzen et al. 2012, 2013; worldmrio.com): one zip archive per
year and price concept, ``Eora26_YYYY_bp.zip`` (basic prices) or ``_pp`` (purchasers' prices),
holding tab-separated matrices without headers and the label files that name their rows and
columns:

* ``Eora26_YYYY_bp_T.txt``: intermediate flows, 189 countries x 26 sectors plus one row and
  column ``ROW`` (sector ``TOTAL``), the statistical discrepancy; ``labels_T.txt`` has one line
  per row/column: country name, ISO-like code (``CHN``), ``Industries``, sector name;
* ``Eora26_YYYY_bp_FD.txt``: final demand, 6 categories per country (``labels_FD.txt``:
  household final consumption P.3h, non-profit institutions P.3n, government P.3g, gross fixed
  capital formation P.51, changes in inventories P.52 (can be negative), acquisitions less
  disposals of valuables P.53);
* ``Eora26_YYYY_bp_VA.txt``: primary inputs by column (``labels_VA.txt``: compensation of
  employees D.1, taxes on production D.29, subsidies D.39 (negative), net operating surplus
  B.2n, net mixed income B.3n, consumption of fixed capital K.1);
* ``Eora26_YYYY_bp_Q.txt`` / ``_QY.txt``: satellite accounts (``labels_Q.txt``, the unit in
  parentheses in the stressor's name).

The label files may instead sit in an ``indices.zip`` next to the archive; the same files
unpacked into a folder (or a folder ``YYYY/``) are read too. pymrio drops the ``ROW``
discrepancy row and columns (recorded in ``dataset.yaml``). Values are thousands of current US
dollars ("1000 USD", 1000 USD per unit). Eora's tables are not exactly balanced and hold a few
negative intermediate flows; x is recomputed as Z summed over columns + Y summed over columns,
and negative flows are set to 0 on import (counted in ``dataset.yaml``).
"""

from __future__ import annotations

import os
import warnings
import zipfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from ...errors import InputError, Problem
from . import check_year, need, years_in_name

UNIT = "1000 USD"

INFO = {
    "database": "Eora26",
    "release": "",
    "licence": "Eora licence (worldmrio.com): free for non-commercial academic use after registration; "
    "redistribution of the tables, or of tables derived from them, is not permitted",
    "citation": "Lenzen, M., Kanemoto, K., Moran, D. and Geschke, A. (2012), Mapping the Structure of the World "
    "Economy, Environmental Science & Technology 46, 8374-8381; Lenzen, M., Moran, D., Kanemoto, K. and Geschke, "
    "A. (2013), Building Eora: A Global Multi-Region Input-Output Database at High Country and Sector "
    "Resolution, Economic Systems Research 25, 20-49",
    "url": "https://worldmrio.com",
}


def _names(year: int | str, price: str) -> list[str]:
    data = [f"Eora26_{year}_{price}_{k}.txt" for k in ("T", "FD", "VA", "Q", "QY")]
    return data + [f"labels_{k}.txt" for k in ("T", "FD", "VA", "Q")]


def _precheck(p: Path, year: int, price: str) -> Path:
    """The archive or folder pymrio will read, with every file it needs there (else a one-line error)."""
    if p.is_file():
        named = years_in_name(p.name)
        check_year(p, year, named[0] if named else None)
        if not zipfile.is_zipfile(p):
            raise InputError(Problem(str(p), "not a zip archive (expected Eora26_YYYY_bp.zip or a folder)"))
        with zipfile.ZipFile(p) as zf:
            names = set(zf.namelist())
        indices = p.parent / "indices.zip"
        if indices.is_file():
            with zipfile.ZipFile(indices) as zf:
                names |= set(zf.namelist())
        price_here = "pp" if "_pp" in p.name else "bp"
        missing = [f for f in _names(named[0] if named else year, price_here) if f not in names]
        if missing:
            raise InputError(Problem(str(p), f"the archive has no {missing[0]} ({len(missing)} files missing)"))
        return p
    folder = p / str(year) if (p / str(year)).is_dir() else p
    zips = [f for f in os.listdir(folder) if f.endswith(".zip") and str(year) in f and price in f]
    if len(zips) == 1:
        return _precheck(folder / zips[0], year, price)
    if len(zips) > 1:
        raise InputError(Problem(str(folder), f"several archives for {year} {price}: {', '.join(sorted(zips))}"))
    missing = [f for f in _names(year, price) if not (folder / f).is_file()]
    if missing:
        raise InputError(
            Problem(str(folder), f"no Eora26_{year}_{price}.zip and no {missing[0]} ({len(missing)} files missing)")
        )
    return folder


def parse_eora26(path: str | Path, year: int, price: str = "bp") -> SimpleNamespace:
    """Z, Y, unit and checks of one Eora26 table (see the module docstring for the layout).

    ``path``: an ``Eora26_YYYY_bp.zip`` archive, a folder holding it (or a ``YYYY/`` folder), or
    the unpacked files. ``price``: ``bp`` (basic prices) or ``pp``. ``extra["eora"]`` holds the
    price concept and the largest relative gap
    between row totals (Z and Y) and column totals (Z and the primary inputs VA).
    """
    pymrio = need("pymrio")
    p = Path(path)
    src = _precheck(p, year, price)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pandas' PerformanceWarning on pymrio's drops of ROW
            io = pymrio.parse_eora26(str(src), year=year, price=price)
    except Exception as exc:  # noqa: BLE001 - any failure of the reader is bad input
        raise InputError(Problem(str(src), f"pymrio.parse_eora26: {type(exc).__name__}: {exc}")) from None
    Z, Y = io.Z, io.Y
    try:
        Zv = Z.to_numpy(dtype=float)
        Yv = Y.to_numpy(dtype=float)
        va = io.VA.F.reindex(columns=Z.columns).to_numpy(dtype=float)
    except (ValueError, TypeError) as exc:
        raise InputError(Problem(str(src), f"non-numeric cells in the Eora matrices: {exc}")) from None
    if Zv.shape[0] != Zv.shape[1] or Yv.shape[0] != Zv.shape[0] or not np.isfinite(Zv).all():
        raise InputError(
            Problem(str(src), f"T is {Zv.shape} and FD {Yv.shape}: rows and columns do not match the labels", field="T")
        )
    rows = Zv.sum(axis=1) + Yv.sum(axis=1)
    cols = Zv.sum(axis=0) + np.nan_to_num(va).sum(axis=0)
    scale = np.maximum(np.abs(rows), 1e-9 * max(float(np.abs(rows).max(initial=0.0)), 1e-300))
    gap = float(np.max(np.abs(rows - cols) / scale)) if len(rows) else 0.0
    unit = pd.DataFrame({"unit": UNIT}, index=Z.index)
    return SimpleNamespace(
        Z=Z,
        Y=Y,
        unit=unit,
        usd_per_unit=1e3,
        sector_names={},
        source_file=str(src),
        release=price,
        extra={
            "eora": {
                "price": "basic prices" if price == "bp" else "purchasers' prices",
                "unit_in_files": "thousands of current US dollars (pymrio writes '000 USD')",
                "discrepancy": "the ROW row and columns (Eora's statistical discrepancy) are dropped by pymrio",
                "row_vs_column_totals_max_rel_gap": gap,
            }
        },
    )
