"""FIGARO inter-country input-output tables (Eurostat), read here (pymrio 0.7 has no FIGARO parser).

FIGARO (Full International and Global Accounts for Research in input-Output analysis) is
published by Eurostat per year and edition, industry by industry (``ind-by-ind``, 64 NACE Rev. 2
industries) and product by product (``prod-by-prod``, 64 CPA products), for 46 areas: the 27 EU
members, 18 other countries and ``FIGW1``, the rest of the world. Values are million euros at
basic prices ("M EUR"). Layout assumptions (from Eurostat's description of the CSV files):

* **flat format** ``flatfile_eu-ic-io_ind-by-ind_24ed_2021.csv`` (or the same in a ``.zip``):
  one line per cell, comma-separated, a header line naming the columns. Read: ``refArea``
  (the supplying area of the row), ``rowIi`` (the row's industry code, ``A01``, ``C26`` ...),
  ``counterpartArea`` (the using area of the column), ``colIi`` (the column's industry code or
  final-demand code), ``obsValue`` (the value). The product-by-product files and some editions
  name the code columns ``rowPi`` and ``colPi``; both spellings are read. Other columns (the
  concatenated labels ``icioRow``/``icsupRow`` ..., flags) are ignored. A missing cell is 0; a
  cell given twice is an error.
* **matrix format** ``matrix_eu-ic-io_ind-by-ind_24ed_2021.csv``: first column the row labels
  ``<area>_<code>`` (``DE_C26``), header the column labels in the same form.

Rows are the 46 x 64 (area, industry) pairs, then primary inputs with area ``W2``: ``B2A3G``
(operating surplus and mixed income), ``D1`` (compensation of employees), ``D21X31`` (taxes less
subsidies on products), ``D29X39`` (other net taxes on production), ``OP_RES`` and ``OP_NRES``
(direct purchases abroad by residents and on the territory by non-residents). Columns are the
(area, industry) pairs, then per area the final uses ``P3_S13`` (government), ``P3_S14``
(households), ``P3_S15`` (NPISH), ``P51G`` (gross fixed capital formation) and ``P5M`` (changes
in inventories and valuables; can be negative). Z is the (area, industry) x (area, industry)
block, Y the (area, industry) x (area, final use) block; the primary-input rows are not stored
(value added is x minus Z summed over rows on load) but give the column-balance check: for
industry j, x_j = sum_i Z[i, j] + sum of the primary inputs of j should equal the row total
sum_j Z[i, j] + sum_c Y[i, c] (largest relative gap recorded in ``dataset.yaml``).
"""

from __future__ import annotations

import csv
import io as _io
import re
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any

import numpy as np
import pandas as pd

from ...errors import InputError, Problem
from . import check_year, years_in_name

UNIT = "M EUR"
ROW_AREA = "FIGW1"
PRIMARY_AREA = "W2"
FINAL_USES = {
    "P3_S13": "final consumption expenditure of general government",
    "P3_S14": "final consumption expenditure of households",
    "P3_S15": "final consumption expenditure of non-profit institutions serving households",
    "P51G": "gross fixed capital formation",
    "P5M": "changes in inventories and acquisitions less disposals of valuables",
}
PRIMARY_INPUTS = {
    "B2A3G": "operating surplus and mixed income, gross",
    "D1": "compensation of employees",
    "D21X31": "taxes less subsidies on products",
    "D29X39": "other taxes less other subsidies on production",
    "OP_RES": "direct purchases abroad by residents",
    "OP_NRES": "direct purchases on the domestic territory by non-residents",
}
INFO = {
    "database": "FIGARO",
    "release": "",
    "licence": "Eurostat copyright notice: reuse is authorised, provided the source is acknowledged "
    "(Commission Decision 2011/833/EU)",
    "citation": "Eurostat, FIGARO: EU inter-country supply, use and input-output tables (Full International and "
    "Global Accounts for Research in input-Output analysis); Remond-Tiedrez, I. and Rueda-Cantuche, J. M. (eds.) "
    "(2019), EU inter-country supply, use and input-output tables - Full international and global accounts for "
    "research in input-output analysis (FIGARO), Eurostat Statistical Working Papers",
    "url": "https://ec.europa.eu/eurostat/web/esa-supply-use-input-tables",
}


def _locate(p: Path, year: int) -> Path:
    if p.is_file():
        return p
    found = [f for f in sorted(p.iterdir()) if re.search(rf"eu-ic-io_.*_{year}\.(csv|zip)$", f.name)]
    flat = [f for f in found if f.name.startswith("flatfile")]
    found = flat or found
    if not found:
        raise InputError(Problem(str(p), f"no FIGARO table for {year} here (flatfile_eu-ic-io_..._{year}.csv)"))
    if len(found) > 1:
        raise InputError(Problem(str(p), f"several FIGARO tables for {year}: {', '.join(f.name for f in found)}"))
    return found[0]


def _open(src: Path) -> IO[bytes]:
    if src.suffix.lower() != ".zip":
        return src.open("rb")
    try:
        zf = zipfile.ZipFile(src)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(Problem(str(src), f"not a zip archive: {exc}")) from None
    members = [m for m in zf.namelist() if m.lower().endswith(".csv")]
    if len(members) != 1:
        raise InputError(Problem(str(src), f"expected one CSV file in the archive, found {len(members)}"))
    return _io.BytesIO(zf.read(members[0]))


def _read_flat(buf: IO[bytes], header: list[str], src: Path) -> tuple[pd.DataFrame, str, str]:
    rcol = next((c for c in ("rowIi", "rowPi") if c in header), None)
    ccol = next((c for c in ("colIi", "colPi") if c in header), None)
    for col, have in (("refArea", "refArea"), ("counterpartArea", "counterpartArea"), ("obsValue", "obsValue")):
        if have not in header:
            raise InputError(Problem(str(src), "missing column of the FIGARO flat format", line=1, field=col))
    if rcol is None or ccol is None:
        raise InputError(Problem(str(src), "missing column rowIi (or rowPi) / colIi (or colPi)", line=1, field="rowIi"))
    cols = ["refArea", rcol, "counterpartArea", ccol, "obsValue"]
    labels = {c: "category" for c in cols[:4]}
    try:
        try:
            df = pd.read_csv(buf, usecols=cols, dtype={**labels, "obsValue": "float64"}, keep_default_na=False)
        except pd.errors.ParserError:
            raise
        except ValueError:  # a value that is not a number: find its line
            buf.seek(0)
            df = pd.read_csv(buf, usecols=cols, dtype={**labels, "obsValue": str}, keep_default_na=False)
            num = pd.to_numeric(df["obsValue"].str.strip(), errors="coerce")
            bad = int(np.flatnonzero(num.isna().to_numpy())[0])
            raise InputError(
                Problem(str(src), f"not a number: {df['obsValue'].iloc[bad]!r}", line=bad + 2, field="obsValue")
            ) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(Problem(str(src), f"cannot read the CSV: {exc}")) from None
    return df, rcol, ccol


def _long_form(src: Path) -> tuple[str, list[Any], list[Any], np.ndarray, np.ndarray, np.ndarray, Any]:
    """(format, row keys, column keys, row index, column index, value, line of each value) of either format."""
    with _open(src) as fh:
        first = fh.readline().decode("utf-8-sig", errors="replace")
        fh.seek(0)
        header = next(csv.reader([first]))
        if "obsValue" in header or "refArea" in header:
            df, rcol, ccol = _read_flat(fh, header, src)
            rk = pd.MultiIndex.from_arrays([df["refArea"].astype(str), df[rcol].astype(str)])
            ck = pd.MultiIndex.from_arrays([df["counterpartArea"].astype(str), df[ccol].astype(str)])
            ri, rkeys = pd.factorize(rk)
            ci, ckeys = pd.factorize(ck)
            return "flat", list(rkeys), list(ckeys), ri, ci, df["obsValue"].to_numpy(float), lambda k: int(k) + 2
        try:
            m = pd.read_csv(fh, index_col=0)
        except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
            raise InputError(Problem(str(src), f"cannot read the CSV: {exc}")) from None
    split = [str(lab).split("_", 1) for lab in list(m.index) + list(m.columns)]
    bad = next((i for i, s in enumerate(split) if len(s) != 2), None)
    if bad is not None:
        line = bad + 2 if bad < len(m.index) else 1
        raise InputError(Problem(str(src), f"label {'_'.join(split[bad])!r} is not <area>_<code>", line=line))
    try:
        values = m.to_numpy(dtype=float)
    except ValueError as exc:
        raise InputError(Problem(str(src), f"non-numeric cells in the matrix: {exc}")) from None
    nr, nc = values.shape
    rkeys = [(a, c) for a, c in split[:nr]]
    ckeys = [(a, c) for a, c in split[nr:]]
    ri = np.repeat(np.arange(nr), nc)
    ci = np.tile(np.arange(nc), nr)
    return "matrix", rkeys, ckeys, ri, ci, values.ravel(), lambda k: int(k) // nc + 2


def parse_figaro(path: str | Path, year: int) -> SimpleNamespace:
    """Z, Y, unit and checks of one FIGARO table (see the module docstring for the layout).

    ``path``: a flat or matrix CSV file (or a ``.zip`` holding one), or a folder holding the one
    for ``year``. The year in the file name must be ``year``.
    """
    p = Path(path)
    src = _locate(p, year)
    named = years_in_name(src.name)
    check_year(src, year, named[-1] if named else None)
    fmt, rkeys, ckeys, ri, ci, v, line_of = _long_form(src)
    if not np.isfinite(v).all():
        k = int(np.flatnonzero(~np.isfinite(v))[0])
        raise InputError(Problem(str(src), "empty or non-numeric value", line=line_of(k), field="obsValue"))
    industries = list(dict.fromkeys(c for _, c in ckeys if c not in FINAL_USES))
    areas = list(dict.fromkeys(a for a, c in ckeys if c not in FINAL_USES))
    uses = [u for u in FINAL_USES if any(c == u for _, c in ckeys)]
    if not industries or not areas:
        raise InputError(Problem(str(src), "no industry columns found", field="colIi"))
    S, R, C = len(industries), len(areas), len(uses)
    n = R * S
    a_of, s_of, u_of, p_of = (
        {a: i for i, a in enumerate(areas)},
        {s: i for i, s in enumerate(industries)},
        {u: i for i, u in enumerate(uses)},
        {p: i for i, p in enumerate(PRIMARY_INPUTS)},
    )
    # column key -> position in [Z columns | Y columns]; row key -> Z row, or primary-input row (-1 - k)
    cpos = np.empty(len(ckeys), dtype=np.int64)
    for j, (a, c) in enumerate(ckeys):
        if a not in a_of:
            k = int(np.flatnonzero(ci == j)[0])
            raise InputError(Problem(str(src), f"final use of area {a!r}, which has no industries", line=line_of(k)))
        cpos[j] = a_of[a] * S + s_of[c] if c in s_of else n + a_of[a] * C + u_of[c]
    rpos = np.empty(len(rkeys), dtype=np.int64)
    for i, (a, c) in enumerate(rkeys):
        if c in p_of:
            rpos[i] = -1 - p_of[c]
        elif a in a_of and c in s_of:
            rpos[i] = a_of[a] * S + s_of[c]
        else:
            k = int(np.flatnonzero(ri == i)[0])
            raise InputError(
                Problem(str(src), f"unknown row {a}_{c} (not an area's industry, not a primary input)", line=line_of(k))
            )
    rr, cc = rpos[ri], cpos[ci]
    cell = np.where(rr >= 0, rr, n + (-1 - rr)) * (n + R * C) + cc
    uniq, counts = np.unique(cell, return_counts=True)
    if (counts > 1).any():
        k = int(np.flatnonzero(cell == uniq[counts > 1][0])[1])
        raise InputError(Problem(str(src), f"cell {rkeys[ri[k]]} x {ckeys[ci[k]]} given twice", line=line_of(k)))
    body = rr >= 0
    Zv = np.zeros((n, n))
    Yv = np.zeros((n, R * C))
    Pv = np.zeros((len(PRIMARY_INPUTS), n + R * C))
    zc = body & (cc < n)
    Zv[rr[zc], cc[zc]] = v[zc]
    yc = body & (cc >= n)
    Yv[rr[yc], cc[yc] - n] = v[yc]
    Pv[-1 - rr[~body], cc[~body]] = v[~body]
    rows = Zv.sum(axis=1) + Yv.sum(axis=1)
    cols = Zv.sum(axis=0) + Pv[:, :n].sum(axis=0)
    scale = np.maximum(np.abs(rows), 1e-9 * max(float(np.abs(rows).max(initial=0.0)), 1e-300))
    idx = pd.MultiIndex.from_product([areas, industries], names=["region", "sector"])
    ycols = pd.MultiIndex.from_product([areas, uses], names=["region", "category"])
    edition = re.search(r"_(\d\d)ed[_.]", src.name)
    kind = "product by product" if "prod-by-prod" in src.name else "industry by industry"
    return SimpleNamespace(
        Z=pd.DataFrame(Zv, index=idx, columns=idx),
        Y=pd.DataFrame(Yv, index=idx, columns=ycols),
        unit=pd.DataFrame({"unit": UNIT}, index=idx),
        sector_names={},
        source_file=str(src),
        release=f"20{edition.group(1)} edition" if edition else "",
        extra={
            "figaro": {
                "table": kind,
                "format": fmt,
                "rest_of_world": ROW_AREA if ROW_AREA in areas else "",
                "primary_inputs": {k: float(Pv[p_of[k], :n].sum()) for k in PRIMARY_INPUTS},
                "primary_inputs_in_final_use_columns": float(Pv[:, n:].sum()),
                "row_vs_column_totals_max_rel_gap": float(np.max(np.abs(rows - cols) / scale)),
            }
        },
    )
