"""EXIOBASE 3 monetary tables (``IOT_YYYY_ixi.zip`` / ``IOT_YYYY_pxp.zip``), read with pymrio.

Layout of the published files (Stadler et al. 2018; Zenodo records of releases 3.4-3.9; the
files are written by pymrio, so ``pymrio.load_all`` reads them): a zip archive, the files at its
root or in one folder ``IOT_YYYY_ixi/``, or the same unpacked into a folder, holding

* ``file_parameters.json``: ``{"systemtype": "IOSystem", "files": {"Z": {"name": "Z.txt",
  "nr_index_col": "2", "nr_header": "2"}, ...}}``, the tables and how many index columns and
  header rows each has;
* ``metadata.json``: ``name``, ``description``, ``system`` (``ixi`` or ``pxp``), ``version``
  (e.g. ``3.8.2``) and a history;
* tab-separated tables with (region, sector) rows (two index columns) and (region, sector)
  or (region, category) columns (two header rows): ``Z.txt`` (intermediate flows; releases
  before 3.8 ship only ``A.txt``), ``A.txt`` (coefficients Z / x), ``Y.txt`` (final demand, 7
  categories per region: households, NPISH, government, gross fixed capital formation,
  changes in inventories (can be negative), changes in valuables, exports (zero in the MRIO)),
  ``x.txt`` (gross output, one column ``indout``), ``unit.txt`` (one column ``unit``, "M.EUR");
* satellite folders, each with its own ``file_parameters.json`` (``satellite/`` and
  ``impacts/`` up to 3.8; ``factor_inputs/``, ``air_emissions/``, ``employment/`` ... from 3.9).

Industry-by-industry (``ixi``, 163 industries, e.g. "Cultivation of paddy rice") and
product-by-product (``pxp``, 200 products, e.g. "Paddy rice") tables differ in their sector
labels and counts, not in the file layout; the variant is read from ``metadata.json``
(``system``), else from the archive name (``IOT_2011_ixi``), else from the index names.

Only the core tables are read (Z, Y, x, unit; A and x when Z is absent, then Z = A x^ i.e.
Z[i, j] = A[i, j] * x[j]); the satellite folders are skipped, which keeps a full 9,800-sector
table to one pass over Z. Values are million euros ("M.EUR", "M EUR" here): the CLI needs
``--usd-per-unit``. pymrio's own ``parse_exiobase3`` reads every table and satellite account
and renames the three-letter region codes of the 3.4 ixi files; the labels are kept as
written here.
"""

from __future__ import annotations

import contextlib
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any

import numpy as np
import pandas as pd

from ...errors import InputError, Problem
from . import check_year, need, years_in_name
from .tsv_matrix import read_matrix

FILE_PARAMETERS = "file_parameters.json"
FINAL_DEMAND_CATEGORIES = (
    "Final consumption expenditure by households",
    "Final consumption expenditure by non-profit organisations serving households (NPISH)",
    "Final consumption expenditure by government",
    "Gross fixed capital formation",
    "Changes in inventories",
    "Changes in valuables",
    "Exports: Total (fob)",
)
"""The 7 final-demand categories of every region in ``Y.txt``, as the published files name them."""

INFO = {
    "database": "EXIOBASE",
    "release": "3",
    "licence": "CC BY-SA 4.0 (EXIOBASE 3 on Zenodo; share derived tables under the same licence)",
    "citation": "Stadler, K., Wood, R., Bulavskaya, T., Soedersten, C.-J., Simas, M., Schmidt, S., Usubiaga, A., "
    "Acosta-Fernandez, J., Kuenen, J., Bruckner, M., Giljum, S., Lutter, S., Merciai, S., Schmidt, J. H., Theurl, "
    "M. C., Plutzar, C., Kastner, T., Eisenmenger, N., Erb, K.-H., de Koning, A. and Tukker, A. (2018), EXIOBASE 3: "
    "Developing a Time Series of Detailed Environmentally Extended Multi-Regional Input-Output Tables, Journal "
    "of Industrial Ecology 22, 502-515, doi:10.1111/jiec.12715",
    "url": "https://www.exiobase.eu (data: https://doi.org/10.5281/zenodo.3583070)",
}


def _locate(p: Path, year: int) -> Path:
    """The archive or folder holding the IOSystem: ``p`` itself or ``IOT_<year>_*`` inside folder ``p``."""
    if p.is_file() or (p / FILE_PARAMETERS).is_file():
        return p
    found = sorted(p.glob(f"IOT_{year}_*.zip")) + sorted(d for d in p.glob(f"IOT_{year}_*") if d.is_dir())
    if not found:
        raise InputError(Problem(str(p), f"no {FILE_PARAMETERS} and no IOT_{year}_ixi/pxp archive or folder here"))
    if len(found) > 1:
        names = ", ".join(f.name for f in found)
        raise InputError(Problem(str(p), f"several EXIOBASE tables for {year} ({names}): give one as PATH"))
    return found[0]


def _parameters(src: Path) -> tuple[dict[str, Any], dict[str, Any], str]:
    """(file parameters, metadata, folder inside the archive) of the IOSystem at ``src``."""
    try:
        if src.is_file():
            if not zipfile.is_zipfile(src):
                raise InputError(Problem(str(src), "not a zip archive (expected IOT_YYYY_ixi.zip or a folder)"))
            with zipfile.ZipFile(src) as zf:
                for name in zf.namelist():
                    if Path(name).name != FILE_PARAMETERS:
                        continue
                    para = json.loads(zf.read(name).decode("utf-8"))
                    if para.get("systemtype") == "IOSystem":
                        folder = "" if Path(name).parent == Path(".") else Path(name).parent.as_posix()
                        meta_name = f"{folder}/metadata.json" if folder else "metadata.json"
                        meta = json.loads(zf.read(meta_name).decode("utf-8")) if meta_name in zf.namelist() else {}
                        return para, meta, folder
            raise InputError(Problem(str(src), f"no {FILE_PARAMETERS} with systemtype IOSystem in the archive"))
        para = json.loads((src / FILE_PARAMETERS).read_text(encoding="utf-8"))
        meta_file = src / "metadata.json"
        meta = json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.is_file() else {}
        return para, meta, ""
    except (json.JSONDecodeError, UnicodeDecodeError, OSError, zipfile.BadZipFile) as exc:
        raise InputError(Problem(str(src), f"cannot read {FILE_PARAMETERS} / metadata.json: {exc}")) from None


def _variant(meta: dict[str, Any], name: str, index: pd.Index) -> str:
    system = str(meta.get("system", "")).lower()
    if system in ("ixi", "pxp"):
        return system
    m = re.search(r"(ixi|pxp)", name.lower())
    if m:
        return m.group(1)
    return "pxp" if "product" in [str(n).lower() for n in index.names] else "ixi"


def _frame(io: Any, key: str, src: Path) -> pd.DataFrame:
    df = getattr(io, key, None)
    if not isinstance(df, pd.DataFrame):
        raise InputError(Problem(str(src), f"{key}.txt was not read", field=key))
    if df.index.nlevels != 2:
        raise InputError(Problem(str(src), f"{key}.txt: expected two index columns (region, sector)", field=key))
    return df


def _numeric(df: pd.DataFrame, key: str, src: Path) -> pd.DataFrame:
    """``df`` as floats, or a one-line error naming the first empty or non-numeric cell."""
    try:
        values = df.to_numpy(dtype=float)
    except (ValueError, TypeError):
        values = df.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    bad = np.argwhere(~np.isfinite(values))
    if len(bad):
        i, j = bad[0]
        line = int(i) + df.columns.nlevels + 1 + (df.columns.nlevels > 1)  # header rows, then index names
        raise InputError(
            Problem(
                str(src),
                f"{key}.txt line {line}: empty or non-numeric cell {df.iat[i, j]!r} "
                f"(row {df.index[i]}, column {df.columns[j]})",
                field=key,
            )
        )
    if all(t == np.float64 for t in df.dtypes):
        return df
    return pd.DataFrame(values, index=df.index, columns=df.columns)


def _big_table(src: Path, folder: str, spec: dict[str, Any]) -> tuple[np.ndarray, pd.Index, pd.Index]:
    """Z.txt or A.txt of the IOSystem at ``src`` (archive or folder), read by :func:`read_matrix`."""
    name = str(spec.get("name", ""))
    try:
        n_index, n_header = int(spec.get("nr_index_col", 2)), int(spec.get("nr_header", 2))
    except (TypeError, ValueError):
        raise InputError(
            Problem(str(src), f"{FILE_PARAMETERS}: nr_index_col / nr_header of {name} are not integers")
        ) from None
    if src.is_file():
        member = f"{folder}/{name}" if folder else name

        @contextlib.contextmanager
        def opener() -> Iterator[IO[bytes]]:
            with zipfile.ZipFile(src) as zf:
                if member not in zf.namelist():
                    raise InputError(
                        Problem(str(src), f"{member} is listed in {FILE_PARAMETERS} but not in the archive")
                    )
                with zf.open(member) as fh:
                    yield fh

    else:
        file = src / name

        def opener() -> IO[bytes]:  # type: ignore[misc]
            if not file.is_file():
                raise InputError(Problem(str(src), f"{name} is listed in {FILE_PARAMETERS} but not in the folder"))
            return file.open("rb")

    return read_matrix(opener, str(src), name, n_index, n_header)  # type: ignore[arg-type]  # a context manager of IO


def parse_exiobase3(path: str | Path, year: int) -> SimpleNamespace:
    """Z, Y, unit and checks of one EXIOBASE 3 table (see the module docstring for the layout).

    ``path``: an ``IOT_YYYY_ixi.zip`` / ``IOT_YYYY_pxp.zip`` archive, the same unpacked into a
    folder, or a folder holding one ``IOT_<year>_*`` archive or folder. The year written in the
    name (or in ``metadata.json``'s description) must be ``year``. Returns the namespace described
    in :mod:`chokepoints.datasets.mrio_formats`, with ``extra["exiobase"]`` = variant (ixi/pxp),
    version, whether Z was derived from A and x, and the largest relative gap between ``x.txt`` and
    the row sums of Z and Y.
    """
    pymrio = need("pymrio")
    src = _locate(Path(path), year)
    para, meta, folder = _parameters(src)
    files = dict(para.get("files") or {})
    core = [k for k in ("Z", "Y", "x", "unit") if k in files]
    derive_z = "Z" not in files
    if derive_z:
        core += [k for k in ("A",) if k in files]
    for need_key in ("Y", "unit", *(("A", "x") if derive_z else ())):
        if need_key not in files:
            raise InputError(Problem(str(src), f"{FILE_PARAMETERS} lists no {need_key} table", field=need_key))
    named = [y for text in (src.name, folder, str(meta.get("description", ""))) for y in years_in_name(text)]
    check_year(src, year, named[0] if named else None)
    small = [k for k in core if k not in ("Z", "A")]  # the 9,800 x 9,800 tables are read in blocks below
    try:
        io = pymrio.load_all(src, subset=small, subfolders=[])
    except Exception as exc:  # noqa: BLE001 - any failure of the reader is bad input
        raise InputError(Problem(str(src), f"pymrio.load_all: {type(exc).__name__}: {exc}")) from None
    Y = _frame(io, "Y", src)
    unit = getattr(io, "unit", None)
    if not isinstance(unit, pd.DataFrame) or unit.empty:
        raise InputError(Problem(str(src), "unit.txt is empty", field="unit"))
    x = getattr(io, "x", None)
    if isinstance(x, pd.DataFrame):
        x = _numeric(x, "x", src)
    if derive_z:
        values, rows, cols = _big_table(src, folder, files["A"])
        if not isinstance(x, pd.DataFrame):
            raise InputError(Problem(str(src), "x.txt was not read (needed with A.txt when Z.txt is absent)"))
        values *= x.reindex(cols).iloc[:, 0].to_numpy(float)[None, :]  # Z = A x^, in place
    else:
        values, rows, cols = _big_table(src, folder, files["Z"])
    Z = pd.DataFrame(values, index=rows, columns=cols, copy=False)
    del values
    Y = _numeric(Y, "Y", src)
    if not Z.index.equals(Y.index) or len(Z.index) != len(Z.columns):
        raise InputError(Problem(str(src), "Z.txt and Y.txt do not have the same (region, sector) rows", field="Y"))
    gap = None
    if isinstance(x, pd.DataFrame):
        xv = x.reindex(Z.index).iloc[:, 0].to_numpy(float)
        rows = Z.to_numpy(float).sum(axis=1) + Y.to_numpy(float).sum(axis=1)
        scale = np.maximum(np.abs(xv), 1e-9 * max(float(np.abs(xv).max()), 1e-300))
        gap = float(np.nanmax(np.abs(xv - rows) / scale)) if len(xv) else 0.0
    variant = _variant(meta, f"{src.name} {folder}", Z.index)
    version = str(meta.get("version", "") or "")
    return SimpleNamespace(
        Z=Z,
        Y=Y,
        unit=unit,
        sector_names={},
        source_file=str(src),
        release=version or INFO["release"],
        extra={
            "exiobase": {
                "variant": variant,
                "variant_name": "industry by industry" if variant == "ixi" else "product by product",
                "version": version,
                "unit_in_files": str(unit.iloc[0, 0]),
                "Z_from_A_and_x": bool(derive_z),
                "x_vs_row_sums_max_rel_gap": gap,
            }
        },
    )
