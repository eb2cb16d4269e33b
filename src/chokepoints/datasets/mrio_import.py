"""Import MRIO databases (WIOD, OECD ICIO, EXIOBASE 3, Eora26, FIGARO) into World folders, and read them back.

A World folder of an MRIO holds the table itself, not the derived ARIO arrays:

* ``Z.parquet``: intermediate flows per year, long form, non-zero cells only, columns
  ``row`` and ``col`` (positions in ``index.parquet``) and ``value``;
* ``Y.parquet``: final demand per year, long form, columns ``row``, ``fd_region``,
  ``category``, ``value`` (negative entries such as WIOD's inventory changes kept as given);
* ``index.parquet``: the (region, sector) rows in order, with the sector's name;
* ``dataset.yaml``: ``format: mrio``, database, release, year, licence, citation, units
  (the table's monetary unit and USD per unit), and the options of
  :func:`chokepoints.world.mrio.from_mrio` used on load (``negative_final_demand`` ...).

Loading (``load_world(folder)``) rebuilds Z and Y, x = Z summed over columns + Y summed
over columns, and calls ``from_mrio``. Parsers: pymrio's ``parse_oecd`` (which merges
ICIO's split China CN1, CN2 and Mexico MX1, MX2 into CHN and MEX) and ``parse_wiod``
(the WIOD 2013 Excel files); the WIOD 2013 tables as R data files (``wiot_YYYY.RData``,
the layout of the R package bquast/wiod) are read here with ``rdata``; EXIOBASE 3, Eora26
and FIGARO in :mod:`chokepoints.datasets.mrio_formats` (their layouts are described there).
A negative intermediate flow (Eora has a few) is set to 0 on import, counted in
``dataset.yaml``. Tables in another currency than USD (EXIOBASE and FIGARO: million euros)
need ``usd_per_unit``, an exchange rate the caller chooses; it is recorded in ``dataset.yaml``.
Downloading is a separate, explicit step (:func:`download`, pymrio's downloaders).
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ..errors import InputError, Problem
from .mrio_formats import eora, exiobase, figaro

DATABASES = ("wiod", "oecd-icio", "exiobase3", "eora26", "figaro")

#: WIOD 2013 release industries c1..c35 (ISIC Rev. 3), from the WIOD 2013 user guide
#: (Timmer et al. 2015, Review of International Economics 23, 575-605, Table 2).
WIOD13_INDUSTRIES = {
    "c1": "Agriculture, hunting, forestry and fishing",
    "c2": "Mining and quarrying",
    "c3": "Food, beverages and tobacco",
    "c4": "Textiles and textile products",
    "c5": "Leather and footwear",
    "c6": "Wood and products of wood and cork",
    "c7": "Pulp, paper, printing and publishing",
    "c8": "Coke, refined petroleum and nuclear fuel",
    "c9": "Chemicals and chemical products",
    "c10": "Rubber and plastics",
    "c11": "Other non-metallic minerals",
    "c12": "Basic metals and fabricated metal",
    "c13": "Machinery, nec",
    "c14": "Electrical and optical equipment",
    "c15": "Transport equipment",
    "c16": "Manufacturing, nec; recycling",
    "c17": "Electricity, gas and water supply",
    "c18": "Construction",
    "c19": "Sale, maintenance and repair of motor vehicles; retail sale of fuel",
    "c20": "Wholesale trade, except of motor vehicles",
    "c21": "Retail trade, except of motor vehicles; repair of household goods",
    "c22": "Hotels and restaurants",
    "c23": "Inland transport",
    "c24": "Water transport",
    "c25": "Air transport",
    "c26": "Other supporting transport activities; travel agencies",
    "c27": "Post and telecommunications",
    "c28": "Financial intermediation",
    "c29": "Real estate activities",
    "c30": "Renting of machinery and equipment; other business activities",
    "c31": "Public administration and defence; compulsory social security",
    "c32": "Education",
    "c33": "Health and social work",
    "c34": "Other community, social and personal services",
    "c35": "Private households with employed persons",
}
#: the five final-demand columns per country of the WIOD 2013 tables, in file order
WIOD13_FD = ("CONS_h", "CONS_np", "CONS_g", "GFCF", "INVEN")

INFO = {
    "wiod": {
        "database": "WIOD",
        "release": "2013",
        "licence": "WIOD 2013 release: free to use with the citation below (the 2016 release is CC BY 4.0)",
        "citation": "Timmer, M. P., Dietzenbacher, E., Los, B., Stehrer, R. and de Vries, G. J. (2015), "
        "An Illustrated User Guide to the World Input-Output Database: the Case of Global Automotive "
        "Production, Review of International Economics 23, 575-605",
        "url": "https://www.rug.nl/ggdc/valuechain/wiod/wiod-2013-release",
    },
    "oecd-icio": {
        "database": "OECD ICIO",
        "release": "",
        "licence": "OECD terms and conditions (https://www.oecd.org/termsandconditions/)",
        "citation": "OECD (2023), Inter-Country Input-Output tables, http://oe.cd/icio",
        "url": "http://oe.cd/icio",
    },
    "exiobase3": exiobase.INFO,
    "eora26": eora.INFO,
    "figaro": figaro.INFO,
}


def _need(module: str) -> Any:
    from .mrio_formats import need

    return need(module)


# ---------------------------------------------------------------------------------------
# parsers
# ---------------------------------------------------------------------------------------
def _wiod_rdata(path: Path, year: int) -> SimpleNamespace:
    """The WIOD 2013 table ``wiot_YYYY.RData`` (an R list: inter, final, output, countries, industries)."""
    import warnings

    rdata = _need("rdata")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Missing constructor for R class 'iot'": the list is what we read
        try:
            raw = rdata.read_rda(str(path))
        except Exception as exc:  # noqa: BLE001 - any parser failure is bad input
            raise InputError(Problem(str(path), f"cannot read R data: {exc}")) from None
    if len(raw) != 1:
        raise InputError(Problem(str(path), "expected one R object (the wiot list)"))
    obj = next(iter(raw.values()))
    need = ("inter", "final", "countries", "industries")
    if not isinstance(obj, dict) or any(k not in obj for k in need):
        raise InputError(Problem(str(path), "expected an R list with inter, final, countries and industries"))
    countries = [str(c) for c in np.asarray(obj["countries"])]
    industries = [str(c) for c in np.asarray(obj["industries"])]
    Z = np.asarray(obj["inter"], dtype=float)
    F = np.asarray(obj["final"], dtype=float)
    n = len(countries) * len(industries)
    if Z.shape != (n, n):
        raise InputError(Problem(str(path), f"inter is {Z.shape}, expected {n} x {n}", field="inter"))
    C = F.shape[1] // max(len(countries), 1)
    if F.shape != (n, C * len(countries)):
        raise InputError(Problem(str(path), f"final is {F.shape}, expected {n} rows", field="final"))
    cats = list(WIOD13_FD) if C == len(WIOD13_FD) else [f"fd{i + 1}" for i in range(C)]
    if "year" in obj and int(np.asarray(obj["year"]).ravel()[0]) != int(year):
        raise InputError(
            Problem(str(path), f"the file holds {int(np.asarray(obj['year']).ravel()[0])}, not {year}", field="year")
        )
    idx = pd.MultiIndex.from_product([countries, industries], names=["region", "sector"])
    cols = pd.MultiIndex.from_product([countries, cats], names=["region", "category"])
    Zdf = pd.DataFrame(Z, index=idx, columns=idx)
    Ydf = pd.DataFrame(F, index=idx, columns=cols)
    unit = pd.DataFrame({"unit": "Million USD"}, index=idx)
    names = {s: WIOD13_INDUSTRIES.get(s, s) for s in industries}
    return SimpleNamespace(Z=Zdf, Y=Ydf, unit=unit, sector_names=names, source_file=str(path))


def parse(database: str, path: str | Path, year: int) -> SimpleNamespace:
    """Z, Y (DataFrames by (region, sector)), unit and sector names of one table.

    ``wiod``: a ``wiot_YYYY.RData`` file or a folder holding one (read here), else the folder
    of WIOD 2013 Excel files given to ``pymrio.parse_wiod``. ``oecd-icio``: an
    ``ICIO20xx_YYYY.csv`` (or .zip) file or a folder of them, through ``pymrio.parse_oecd``.
    ``exiobase3``, ``eora26``, ``figaro``: see :mod:`chokepoints.datasets.mrio_formats`.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(Problem(str(p), "no such file or folder"))
    if database == "exiobase3":
        return exiobase.parse_exiobase3(p, year)
    if database == "eora26":
        return eora.parse_eora26(p, year)
    if database == "figaro":
        return figaro.parse_figaro(p, year)
    if database == "wiod":
        rfile = p if p.is_file() else p / f"wiot_{year}.RData"
        if rfile.suffix.lower() == ".rdata" and rfile.is_file():
            return _wiod_rdata(rfile, year)
        pymrio = _need("pymrio")
        try:
            io = pymrio.parse_wiod(str(p), year=year)
        except Exception as exc:  # noqa: BLE001
            raise InputError(Problem(str(p), f"pymrio.parse_wiod: {exc}")) from None
        return SimpleNamespace(Z=io.Z, Y=io.Y, unit=io.unit, sector_names={}, source_file=str(p))
    if database == "oecd-icio":
        pymrio = _need("pymrio")
        try:
            io = pymrio.parse_oecd(str(p), year=year)
        except FileNotFoundError as exc:
            raise InputError(Problem(str(p), f"pymrio.parse_oecd: {exc}")) from None
        except Exception as exc:  # noqa: BLE001
            raise InputError(Problem(str(p), f"pymrio.parse_oecd: {exc}")) from None
        file_year = re.findall(r"\d\d\d\d", str(io.meta.description))
        if p.is_file() and file_year and int(file_year[-1]) != int(year):
            raise InputError(Problem(str(p), f"the file holds {file_year[-1]}, not {year}", field="--year"))
        Y = io.Y
        # ICIO's discrepancy column ("ALL", "DISC") belongs to no consuming region: keep it out of final demand
        Y = Y.loc[:, [r in set(io.Z.index.get_level_values(0)) for r in Y.columns.get_level_values(0)]]
        return SimpleNamespace(
            Z=io.Z, Y=Y, unit=io.unit, sector_names={}, source_file=str(p), release=str(io.meta.version)
        )
    raise InputError(Problem("DATABASE", f"unknown database {database!r}; expected one of {', '.join(DATABASES)}"))


# ---------------------------------------------------------------------------------------
# aggregation
# ---------------------------------------------------------------------------------------
def read_aggregation(path: str | Path) -> dict[str, dict[str, str]]:
    """A mapping CSV ``dimension,from,to`` (dimension ``region`` or ``sector``) as two dicts."""
    p = Path(path)
    try:
        df = pd.read_csv(p, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(Problem(str(p), f"cannot read CSV: {exc}")) from None
    for col in ("dimension", "from", "to"):
        if col not in df.columns:
            raise InputError(Problem(str(p), "missing column (expected dimension, from, to)", line=1, field=col))
    out: dict[str, dict[str, str]] = {"region": {}, "sector": {}}
    for i, r in enumerate(df.itertuples(index=False)):
        dim = r.dimension.strip()
        if dim not in out:
            raise InputError(Problem(str(p), f"expected region or sector, got {dim!r}", row=i + 1, field="dimension"))
        src, dst = r._1.strip(), r.to.strip()
        if not src or not dst:
            raise InputError(Problem(str(p), "from and to are required", row=i + 1, field="from"))
        if src in out[dim]:
            raise InputError(Problem(str(p), f"{dim} {src!r} mapped twice", row=i + 1, field="from"))
        out[dim][src] = dst
    return out


def aggregate(table: SimpleNamespace, mapping: dict[str, dict[str, str]], source: str = "--aggregate") -> None:
    """Sum Z and Y over the groups of ``mapping`` (in place); unmapped labels are an error.

    Z_agg = S_r Z S_c' and Y_agg = S_r Y with 0/1 grouping matrices, i.e. plain sums of flows.
    """
    Z, Y = table.Z, table.Y
    for dim, level in (("region", 0), ("sector", 1)):
        amap = mapping.get(dim) or {}
        if not amap:
            continue
        labels = list(dict.fromkeys(str(v) for v in Z.index.get_level_values(level)))
        missing = [lab for lab in labels if lab not in amap]
        if missing:
            raise InputError(Problem(source, f"no group for {dim} {missing[0]!r} ({len(missing)} unmapped)", field=dim))
        unknown = sorted(set(amap) - set(labels))
        if unknown:
            raise InputError(Problem(source, f"unknown {dim} {unknown[0]!r} in the mapping", field=dim))

        def relabel(ix: pd.MultiIndex, lev: int, amap: dict[str, str] = amap) -> pd.MultiIndex:
            arrays = [ix.get_level_values(i).astype(str) for i in range(ix.nlevels)]
            arrays[lev] = pd.Index([amap.get(v, v) for v in arrays[lev]])
            return pd.MultiIndex.from_arrays(arrays, names=ix.names)

        Z = Z.copy()
        Z.index = relabel(Z.index, level)
        Z.columns = relabel(Z.columns, level)
        Z = Z.groupby(level=[0, 1], sort=False).sum().T.groupby(level=[0, 1], sort=False).sum().T
        Y = Y.copy()
        Y.index = relabel(Y.index, level)
        Y = Y.groupby(level=[0, 1], sort=False).sum()
        if dim == "region":
            Y.columns = relabel(Y.columns, 0)
            Y = Y.T.groupby(level=[0, 1], sort=False).sum().T
        if dim == "sector":
            table.sector_names = {}
    table.Z, table.Y = Z, Y


# ---------------------------------------------------------------------------------------
# World folders
# ---------------------------------------------------------------------------------------
def clip_negative_intermediate(table: SimpleNamespace) -> dict[str, Any]:
    """Set negative cells of ``table.Z`` to 0 (in place); their count and sum as in the table.

    Done before any aggregation, so that a group's flow is the sum of the non-negative cells.
    """
    Zv = table.Z.to_numpy(float)
    neg = Zv < 0
    stats = {"entries_in_table": int(neg.sum()), "sum_in_table": float(Zv[neg].sum())}
    if stats["entries_in_table"]:
        table.Z = pd.DataFrame(np.where(neg, 0.0, Zv), index=table.Z.index, columns=table.Z.columns)
    table.negative_intermediate = stats
    return stats


def _nonzero_cells(Zv: np.ndarray, value_dtype: str, block: int = 256) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, col, value) of the non-zero cells of ``Zv`` in row-major order, as int32, int32 and
    ``value_dtype``; found block by block of rows (``np.flatnonzero`` and a divmod, several times
    faster than a 2-D ``np.nonzero`` on a dense table), so that a 9,800 x 9,800 table needs its
    three result arrays (12-16 bytes a cell) and not two int64 index arrays besides."""
    n_rows, n_cols = Zv.shape
    counts = [int(np.count_nonzero(Zv[i : i + block])) for i in range(0, n_rows, block)]
    total = sum(counts)
    rows, cols = np.empty(total, np.int32), np.empty(total, np.int32)
    vals = np.empty(total, value_dtype)
    at = 0
    for b, i in enumerate(range(0, n_rows, block)):
        part = Zv[i : i + block].reshape(-1)
        k = counts[b]
        if k == len(part):  # every cell non-zero (a dense table): no search
            m = k // n_cols
            rows[at : at + k].reshape(m, n_cols)[:] = np.arange(i, i + m, dtype=np.int32)[:, None]
            cols[at : at + k].reshape(m, n_cols)[:] = np.arange(n_cols, dtype=np.int32)[None, :]
            vals[at : at + k] = part
            at += k
            continue
        flat = np.flatnonzero(part)
        r, c = np.divmod(flat.astype(np.int64 if len(part) >= 2**31 else np.int32), n_cols)
        rows[at : at + k] = r + i
        cols[at : at + k] = c
        vals[at : at + k] = part[flat]
        at += k
    return rows, cols, vals


def _categorical(labels: pd.Index, take: np.ndarray) -> pd.Categorical:
    """``pd.Categorical([str(v) for v in labels[take]])`` (categories sorted), from the few distinct
    labels rather than one Python string per cell (3 million cells of Y at 9,800 sectors)."""
    names = [str(v) for v in labels]
    categories = sorted(set(names))
    code_of = {c: i for i, c in enumerate(categories)}
    codes = np.array([code_of[v] for v in names], dtype=np.int64)[take]
    return pd.Categorical.from_codes(codes, categories=pd.Index(categories)).remove_unused_categories()


def _write_columns(path: Path, columns: dict[str, np.ndarray]) -> None:
    """``pd.DataFrame(columns).to_parquet(path, index=False, compression="zstd")``, byte for byte,
    without the DataFrame: pandas would first copy the int32 columns into one 2-D block (9 s for
    the 96 million cells of a 9,800-sector Z)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    empty = pd.DataFrame({k: v[:0] for k, v in columns.items()})
    schema = pa.Schema.from_pandas(empty, preserve_index=False)
    table = pa.Table.from_arrays([pa.array(v) for v in columns.values()], schema=schema)
    pq.write_table(table, path, compression="zstd")


def write_folder(
    table: SimpleNamespace,
    folder: str | Path,
    *,
    database: str,
    year: int,
    name: str | None = None,
    extra: dict[str, Any] | None = None,
    value_dtype: str = "float64",
    usd_per_unit: float | None = None,
) -> Path:
    """Write Z, Y, the index and ``dataset.yaml`` (see the module docstring). Returns the folder.

    ``usd_per_unit``: USD per unit of the table's money (needed for a non-USD table; else the
    table's own ``usd_per_unit``, e.g. 1e3 for Eora's thousands of USD, or 1e6 for M USD).
    """
    _need("pyarrow")
    from ..world.mrio import monetary_units

    given = usd_per_unit
    if usd_per_unit is None:
        usd_per_unit = getattr(table, "usd_per_unit", None)
    try:
        money, usd = monetary_units(table, None, usd_per_unit)
    except InputError:
        label = monetary_units(table, None, 1.0)[0]
        raise InputError(
            Problem(
                "--usd-per-unit",
                f"values are in {label}: give --usd-per-unit, USD per {label} (an exchange rate you choose, e.g. "
                f"1.1e6 for M EUR at 1.10 USD per EUR; it is recorded in dataset.yaml)",
            )
        ) from None
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    Z, Y = table.Z, table.Y
    idx = Z.index
    regions = [str(v) for v in idx.get_level_values(0)]
    sectors = [str(v) for v in idx.get_level_values(1)]
    names = getattr(table, "sector_names", {}) or {}
    pd.DataFrame({"region": regions, "sector": sectors, "sector_name": [names.get(s, s) for s in sectors]}).to_parquet(
        out / "index.parquet", index=False
    )
    Zv = (Z if Z.columns.equals(idx) else Z.reindex(columns=idx)).to_numpy(float)
    neg_z = getattr(table, "negative_intermediate", None)
    if neg_z is None:
        neg = Zv < 0
        neg_z = {"entries_in_table": int(neg.sum()), "sum_in_table": float(Zv[neg].sum())}
        del neg
    if neg_z["entries_in_table"] and (Zv < 0).any():  # set to 0 (import_database has done so, before aggregating)
        Zv = np.maximum(Zv, 0.0)
    r, c, v = _nonzero_cells(Zv, value_dtype)
    _write_columns(out / "Z.parquet", {"row": r, "col": c, "value": v})
    del r, c, v
    Yv = Y.reindex(index=idx).to_numpy(float)
    yr, yc = np.nonzero(Yv)
    pd.DataFrame(
        {
            "row": yr.astype(np.int32),
            "fd_region": _categorical(Y.columns.get_level_values(0), yc),
            "category": _categorical(Y.columns.get_level_values(1), yc),
            "value": Yv[yr, yc].astype(value_dtype),
        }
    ).to_parquet(out / "Y.parquet", index=False, compression="zstd")
    info = dict(INFO[database])
    if getattr(table, "release", ""):
        info["release"] = table.release
    G = pd.DataFrame(Yv.T).groupby(np.asarray(Y.columns.get_level_values(0), dtype=str)).sum().T.to_numpy()
    meta = {
        "format": "mrio",
        "name": name or f"{database}-{year}",
        "version": f"{info['database']} {info['release']}".strip() + f", {year}",
        "title": f"{info['database']} {year} as a monetary ARIO World",
        "database": info["database"],
        "release": info["release"],
        "year": int(year),
        "licence": info["licence"],
        "citation": info["citation"],
        "url": info["url"],
        "units": {
            "monetary": money,
            "usd_per_unit": usd,
            "flows": f"{money} per year",
            **({"usd_per_unit_from": "given with --usd-per-unit (an exchange rate)"} if given is not None else {}),
        },
        "regions": len(dict.fromkeys(regions)),
        "sectors": len(dict.fromkeys(sectors)),
        "imported_from": Path(getattr(table, "source_file", "")).name,
        "from_mrio": {"negative_final_demand": "clip", "final_demand": "region"},
        "negative_final_demand": {
            "entries_in_table": int((Yv < 0).sum()),
            "sum_in_table": float(Yv[Yv < 0].sum()),
            "cells_after_summing_categories": int((G < 0).sum()),
            "clipped_on_load": float(G[G < 0].sum()),
            "note": "inventory changes can be negative; categories are summed per consuming region and a net "
            "negative cell is set to 0 on load (x recomputed as Z summed over columns + Y summed over columns)",
        },
        **(
            {
                "negative_intermediate": {
                    **neg_z,
                    "note": "negative intermediate flows (statistical adjustments) are set to 0 on import; x is "
                    "recomputed on load as Z summed over columns + Y summed over columns",
                }
            }
            if neg_z["entries_in_table"]
            else {}
        ),
        **(getattr(table, "extra", None) or {}),
        **(extra or {}),
    }
    (out / "dataset.yaml").write_text(yaml.safe_dump(meta, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return out


def _read_cells(path: Path, n: int) -> np.ndarray:
    """The n x n matrix whose non-zero cells ``path`` (Z.parquet: row, col, value) lists.

    Read batch by batch into the result, so that the long table (96 million rows at 9,800
    sectors) is never held whole; a batch of consecutive cells in row-major order (what
    :func:`write_folder` writes for a dense table) is copied in one piece, the others scattered.
    """
    import pyarrow.parquet as pq

    Z = np.zeros((n, n))
    flat_z = Z.reshape(-1)
    for batch in pq.ParquetFile(path).iter_batches(batch_size=1 << 20, columns=["row", "col", "value"]):
        r, c = (batch.column(k).to_numpy().astype(np.int64) for k in ("row", "col"))
        if len(r) and (min(r.min(), c.min()) < 0 or max(r.max(), c.max()) >= n):
            raise InputError(Problem(str(path), f"a row or col outside 0..{n - 1} (index.parquet has {n} rows)"))
        flat = r * n + c
        v = batch.column("value").to_numpy().astype(float, copy=False)
        if len(flat) and flat[-1] - flat[0] == len(flat) - 1 and bool((np.diff(flat) == 1).all()):
            flat_z[flat[0] : flat[-1] + 1] = v
        else:
            flat_z[flat] = v
    return Z


def read_folder(folder: str | Path, meta: dict[str, Any] | None = None, **options: Any):
    """The MRIO World stored in ``folder`` (``load_world`` calls this for ``format: mrio``)."""
    _need("pyarrow")
    import pyarrow as pa

    from ..world.mrio import from_mrio

    f = Path(folder)
    if meta is None:
        meta = yaml.safe_load((f / "dataset.yaml").read_text(encoding="utf-8")) or {}
    try:
        ix = pd.read_parquet(f / "index.parquet")
        yl = pd.read_parquet(f / "Y.parquet")
        Z = _read_cells(f / "Z.parquet", len(ix))  # with pyarrow, in batches: 96 million rows at 9,800 sectors
    except (OSError, ValueError, KeyError, pa.ArrowException) as exc:
        raise InputError(Problem(str(f), f"cannot read the MRIO tables: {exc}")) from None
    n = len(ix)
    idx = pd.MultiIndex.from_arrays([ix["region"].astype(str), ix["sector"].astype(str)], names=["region", "sector"])
    regions = list(dict.fromkeys(ix["region"].astype(str)))
    cats = [str(c) for c in pd.unique(yl["category"])] or ["fd"]  # in order of first appearance
    cols = pd.MultiIndex.from_product([regions, cats], names=["region", "category"])
    col_of = {c: i for i, c in enumerate(cols)}
    Y = np.zeros((n, len(cols)))
    for (rg, ct), g in yl.groupby(["fd_region", "category"], observed=True):
        Y[g["row"].to_numpy(), col_of[(str(rg), str(ct))]] = g["value"].to_numpy(float)
    units = meta.get("units") or {}
    io = SimpleNamespace(
        Z=pd.DataFrame(Z, index=idx, columns=idx, copy=False),
        Y=pd.DataFrame(Y, index=idx, columns=cols, copy=False),
        unit=pd.DataFrame({"unit": str(units.get("monetary", "M USD"))}, index=idx),
        meta=SimpleNamespace(name=meta.get("name", f.name), version=meta.get("version"), description=meta.get("title")),
    )
    opts = {**(meta.get("from_mrio") or {}), **options}
    if "usd_per_unit" in units:
        opts.setdefault("usd_per_unit", float(units["usd_per_unit"]))
    world = from_mrio(io, name=str(meta.get("name", f.name)), version=str(meta.get("version", "")), **opts)
    world.metadata.update({k: v for k, v in meta.items() if k not in ("from_mrio",)})
    names = dict(zip(ix["sector"].astype(str), ix["sector_name"].astype(str), strict=False))
    world.tables["products"]["name"] = [names.get(p, p) for p in world.tables["products"]["product"]]
    src = world.tables["sources"]
    src.loc[0, "title"] = f"{meta.get('database', '')} {meta.get('release', '')}, {meta.get('year', '')}".strip()
    src.loc[0, "url"] = str(meta.get("url", ""))
    src.loc[0, "note"] = f"{src.loc[0, 'note']}. Cite: {meta.get('citation', '')}. Licence: {meta.get('licence', '')}"
    world.files = {"Z": str(f / "Z.parquet"), "Y": str(f / "Y.parquet"), "dataset": str(f / "dataset.yaml")}
    return world


def import_database(
    database: str,
    path: str | Path,
    year: int,
    out: str | Path,
    aggregate_map: str | Path | None = None,
    *,
    usd_per_unit: float | None = None,
    value_dtype: str = "float64",
) -> Path:
    """Parse ``path`` as ``database`` for ``year``, aggregate if asked, write a World folder to ``out``.

    ``database``: one of :data:`DATABASES`. ``usd_per_unit``: USD per unit of the table's money,
    required for EUR tables (EXIOBASE 3, FIGARO: 1 M EUR = rate * 1e6 USD). Returns ``out``.
    """
    table = parse(database, path, year)
    clip_negative_intermediate(table)
    extra: dict[str, Any] = {}
    if aggregate_map is not None:
        aggregate(table, read_aggregation(aggregate_map), source=str(aggregate_map))
        extra["aggregated_with"] = Path(aggregate_map).name
    return write_folder(
        table, out, database=database, year=year, extra=extra, usd_per_unit=usd_per_unit, value_dtype=value_dtype
    )


def download(database: str, folder: str | Path, years: list[int], **credentials: Any) -> Any:
    """Download raw tables with pymrio's downloaders (network access; never called implicitly).

    wiod: ``pymrio.download_wiod2013``; oecd-icio: ``pymrio.download_oecd`` (release v2023);
    exiobase3: ``pymrio.download_exiobase3`` (Zenodo, both ixi and pxp). Eora26 needs an account
    (worldmrio.com) and FIGARO is downloaded from Eurostat's page by hand: both are a one-line error.
    """
    if database == "eora26":
        raise InputError(Problem("DATABASE", "Eora26 needs an account: download Eora26_YYYY_bp.zip at worldmrio.com"))
    if database == "figaro":
        raise InputError(Problem("DATABASE", f"download the FIGARO flat files by hand from {figaro.INFO['url']}"))
    pymrio = _need("pymrio")
    if database == "wiod":
        return pymrio.download_wiod2013(str(folder), years=years)
    if database == "oecd-icio":
        return pymrio.download_oecd(str(folder), version="v2023", years=years)
    if database == "exiobase3":
        return pymrio.download_exiobase3(str(folder), years=years)
    raise InputError(Problem("DATABASE", f"unknown database {database!r}; expected one of {', '.join(DATABASES)}"))
