"""Write the small MRIO files in each database's real file layout (run once; the outputs are committed).

* ``icio/ICIO2023_2020.csv``: OECD ICIO 2023-release layout: one CSV, first column the row label
  ``<country>_<industry>``, columns the same labels then final demand ``<country>_<HFCE|NPISH|GGFC|GFCF|
  INVNT|DPABR>`` and ``OUT``; rows ``TLS`` (taxes less subsidies), ``VA`` and ``OUT`` after the industries.
  China and Mexico are split as in ICIO: CHN plus CN1, CN2 and MEX plus MX1, MX2 rows and columns, final
  demand only for CHN and MEX. Some inventory changes (INVNT) are negative.
* ``wiod/wiot_2011.RData``: the WIOD 2013 tables as R data (layout of the R package bquast/wiod): one list
  ``wiot_2011`` with year, countries, industries (c1..), inter (n x n), final (n x 5 per country: CONS_h,
  CONS_np, CONS_g, GFCF, INVEN) and output; integers (million USD); negative INVEN entries.
* ``exiobase3/IOT_2011_ixi.zip``: EXIOBASE 3.8 layout, everything in a folder ``IOT_2011_ixi/`` of
  the archive: ``file_parameters.json``, ``metadata.json`` (system ixi, version 3.8.2), tab-separated
  ``Z.txt``, ``A.txt``, ``Y.txt`` (7 final-demand categories per region, negative "Changes in
  inventories", zero "Exports: Total (fob)"), ``x.txt`` (``indout``), ``unit.txt`` ("M.EUR"), two index
  columns (region, sector) and two header rows, as pymrio writes them; a ``satellite/`` extension with
  the factor inputs and a CO2 row. 3 regions (CN, DE, US) x 4 industries with EXIOBASE's names.
* ``exiobase3/IOT_2019_pxp.zip``: EXIOBASE 3.9 layout, files at the root of the archive, the same
  tables for 4 products ("Paddy rice" ...), extensions ``factor_inputs/`` and ``air_emissions/``.
* ``eora26/Eora26_2015_bp.zip``: Eora26 layout: headerless tab-separated ``Eora26_2015_bp_T.txt``
  (3 countries x 4 sectors plus the ``ROW`` discrepancy row and column), ``_FD.txt`` (6 categories per
  country, ROW included, negative P.52 inventory changes), ``_VA.txt`` (6 primary inputs, negative
  subsidies), ``_Q.txt``/``_QY.txt`` (2 stressors) and ``labels_T/FD/VA/Q.txt`` (with Eora's trailing
  tab). Odd parts: one negative intermediate flow, one sector (JPN mining) with no output at all.
  Thousands of USD.
* ``figaro/flatfile_eu-ic-io_ind-by-ind_24ed_2021.csv``: FIGARO flat format, one line per cell,
  columns refArea, rowIi, counterpartArea, colIi, obsValue; areas CN, DE, US and FIGW1 (rest of the
  world) x industries A01, B, C26, C29; final uses P3_S13, P3_S14, P3_S15, P51G, P5M (some negative);
  primary-input rows of area W2 (B2A3G, D1, D21X31, D29X39, OP_RES, OP_NRES; OP_RES and OP_NRES only in
  the household columns). Million euros; columns balance with the primary inputs.

Values are random (seeded); rows balance: output = intermediate + final sales.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from chokepoints.datasets.mrio_formats.exiobase import FINAL_DEMAND_CATEGORIES

HERE = Path(__file__).parent
STAMP = (2020, 1, 1, 0, 0, 0)  # fixed member dates: the archives are byte-identical when regenerated


def _zip(path: Path, members: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in members.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=STAMP), text, compress_type=zipfile.ZIP_DEFLATED)


def icio() -> None:
    rng = np.random.default_rng(2020)
    countries = ["AUS", "CHN", "JPN", "MEX", "ROW", "CN1", "CN2", "MX1", "MX2"]
    fd_countries = ["AUS", "CHN", "JPN", "MEX", "ROW"]
    sectors = ["A01_02", "B07_08", "C26", "C29"]
    rows = [f"{c}_{s}" for c in countries for s in sectors]
    fd = [f"{c}_{k}" for c in fd_countries for k in ("HFCE", "NPISH", "GGFC", "GFCF", "INVNT", "DPABR")]
    n = len(rows)
    Z = rng.integers(0, 60, (n, n)).astype(float)
    Z[rng.random((n, n)) < 0.3] = 0.0
    Y = rng.integers(20, 400, (n, len(fd))).astype(float)
    inv = [j for j, c in enumerate(fd) if c.endswith("INVNT")]
    Y[:, inv] = rng.integers(-30, 30, (n, len(inv)))
    dpabr = [j for j, c in enumerate(fd) if c.endswith("DPABR")]
    Y[:, dpabr] = 0.0
    out = Z.sum(axis=1) + Y.sum(axis=1)
    tls = np.round(0.02 * out, 1)
    va = out - Z.sum(axis=0) - tls
    assert (va > 0).all()
    body = pd.DataFrame(np.hstack([Z, Y, out[:, None]]), index=rows, columns=rows + fd + ["OUT"])
    extra = pd.DataFrame(
        [
            np.concatenate([tls, np.zeros(len(fd) + 1)]),
            np.concatenate([va, np.zeros(len(fd) + 1)]),
            np.concatenate([out, np.zeros(len(fd) + 1)]),
        ],
        index=["TLS", "VA", "OUT"],
        columns=body.columns,
    )
    df = pd.concat([body, extra])
    df.index.name = "V1"
    df.to_csv(HERE / "icio" / "ICIO2023_2020.csv")


def wiod() -> None:
    import rdata

    rng = np.random.default_rng(2011)
    countries = np.array(["CHN", "JPN", "USA", "RoW"])
    industries = np.array(["c1", "c2", "c12", "c14", "c15"])
    n = len(countries) * len(industries)
    inter = rng.integers(0, 80, (n, n))
    inter[rng.random((n, n)) < 0.25] = 0
    final = rng.integers(10, 500, (n, 5 * len(countries)))
    final[:, 4::5] = rng.integers(-40, 25, (n, len(countries)))  # INVEN: inventory changes, some negative
    output = inter.sum(axis=1) + final.sum(axis=1)
    obj = {
        "wiot_2011": {
            "year": np.array([2011], dtype=np.int32),
            "countries": countries,
            "industries": industries,
            "final": final.astype(np.int32),
            "output": output.astype(np.int32),
            "inter": inter.astype(np.int32),
        }
    }
    rdata.write_rda(str(HERE / "wiod" / "wiot_2011.RData"), obj)


EXIO_FD = FINAL_DEMAND_CATEGORIES
EXIO_VA = (
    "Taxes less subsidies on products purchased: Total",
    "Other net taxes on production",
    "Compensation of employees; wages, salaries, & employers' social contributions: Low-skilled",
    "Compensation of employees; wages, salaries, & employers' social contributions: Medium-skilled",
    "Compensation of employees; wages, salaries, & employers' social contributions: High-skilled",
    "Operating surplus: Consumption of fixed capital",
    "Operating surplus: Rents on land",
    "Operating surplus: Royalties on resources",
    "Operating surplus: Remaining net operating surplus",
)
EXIO_SECTORS = {
    "ixi": (
        "Cultivation of paddy rice",
        "Mining of copper ores and concentrates",
        "Manufacture of office machinery and computers (30)",
        "Manufacture of motor vehicles, trailers and semi-trailers (34)",
    ),
    "pxp": (
        "Paddy rice",
        "Copper ores and concentrates",
        "Office machinery and computers (30)",
        "Motor vehicles, trailers and semi-trailers (34)",
    ),
}


def _tsv(df: pd.DataFrame) -> str:
    return df.to_csv(sep="\t", float_format="%.12g", lineterminator="\n")


def _params(files: dict[str, tuple[int, int]], system: str, name: str | None = None) -> str:
    para: dict = {
        "files": {
            k: {"name": f"{k}.txt", "nr_index_col": str(ic), "nr_header": str(hr)} for k, (ic, hr) in files.items()
        },
        "systemtype": system,
    }
    if name:
        para["name"] = name
    return json.dumps(para, indent=4)


def _exio_extension(name: str, rows: list[str], units: list[str], F: np.ndarray, FY: np.ndarray, cols, ycols):
    idx = pd.Index(rows, name="stressor")
    return {
        "F.txt": _tsv(pd.DataFrame(F, index=idx, columns=cols)),
        "F_Y.txt": _tsv(pd.DataFrame(FY, index=idx, columns=ycols)),
        "unit.txt": _tsv(pd.DataFrame({"unit": units}, index=idx)),
        "file_parameters.json": _params({"F": (1, 2), "F_Y": (1, 2), "unit": (1, 1)}, "Extension", name),
    }


def exiobase3(variant: str, year: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    regions, sectors = ["CN", "DE", "US"], list(EXIO_SECTORS[variant])
    idx = pd.MultiIndex.from_product([regions, sectors], names=["region", "sector"])
    ycols = pd.MultiIndex.from_product([regions, list(EXIO_FD)], names=["region", "category"])
    n = len(idx)
    Z = np.round(rng.uniform(0, 60, (n, n)) * (rng.random((n, n)) > 0.2), 4)
    Y = np.round(rng.uniform(20, 400, (n, len(ycols))), 4)
    k = len(EXIO_FD)
    Y[:, 4::k] = np.round(rng.uniform(-30, 25, (n, len(regions))), 4)  # changes in inventories
    Y[:, 5::k] = np.round(rng.uniform(0, 2, (n, len(regions))), 4)  # changes in valuables
    Y[:, 6::k] = 0.0  # exports: zero in the MRIO (the flows are in Z and Y)
    x = Z.sum(axis=1) + Y.sum(axis=1)
    va = x - Z.sum(axis=0)
    assert (va > 0).all()
    shares = np.array([0.04, 0.02, 0.12, 0.2, 0.14, 0.12, 0.01, 0.01])
    V = np.vstack([va[None, :] * shares[:, None], va - (va[None, :] * shares[:, None]).sum(axis=0)])
    co2 = np.round(rng.uniform(1e5, 1e7, (1, n)), 1)
    tables = {
        "Z.txt": _tsv(pd.DataFrame(Z, index=idx, columns=idx)),
        "A.txt": _tsv(pd.DataFrame(Z / x[None, :], index=idx, columns=idx)),
        "Y.txt": _tsv(pd.DataFrame(Y, index=idx, columns=ycols)),
        "x.txt": _tsv(pd.DataFrame({"indout": x}, index=idx)),
        "unit.txt": _tsv(pd.DataFrame({"unit": "M.EUR"}, index=idx)),
        "file_parameters.json": _params(
            {"Z": (2, 2), "Y": (2, 2), "x": (2, 1), "A": (2, 2), "unit": (2, 1)}, "IOSystem"
        ),
    }
    version = "3.8.2" if variant == "ixi" else "3.9.4"
    tables["metadata.json"] = json.dumps(
        {
            "description": f"Processed EXIOBASE {version} MRIO, {variant}, {year}",
            "name": "EXIO3",
            "system": variant,
            "version": version,
            "history": [f"20200101 00:00:00 - FILEIO -  Saved EXIO3 to IOT_{year}_{variant}"],
        },
        indent=4,
    )
    fy_zero = np.zeros((len(EXIO_VA), len(ycols)))
    if variant == "ixi":  # 3.8: one satellite account holding factor inputs and emissions, in a folder
        ext = {
            "satellite": _exio_extension(
                "satellite",
                [*EXIO_VA, "CO2 - combustion - air"],
                ["M.EUR"] * len(EXIO_VA) + ["kg"],
                np.vstack([V, co2]),
                np.vstack([fy_zero, np.round(rng.uniform(1e5, 1e6, (1, len(ycols))), 1)]),
                idx,
                ycols,
            )
        }
        root = f"IOT_{year}_{variant}/"
    else:  # 3.9: one extension per account, files at the root of the archive
        ext = {
            "factor_inputs": _exio_extension(
                "Factor Inputs", list(EXIO_VA), ["M.EUR"] * len(EXIO_VA), V, fy_zero, idx, ycols
            ),
            "air_emissions": _exio_extension(
                "Air Emissions", ["CO2 - combustion - air"], ["kg"], co2, np.zeros((1, len(ycols))), idx, ycols
            ),
        }
        root = ""
    members = {root + k: v for k, v in tables.items()}
    for folder, files in ext.items():
        members.update({f"{root}{folder}/{k}": v for k, v in files.items()})
    _zip(HERE / "exiobase3" / f"IOT_{year}_{variant}.zip", members)


EORA_COUNTRIES = (("China", "CHN"), ("Japan", "JPN"), ("USA", "USA"))
EORA_SECTORS = ("Agriculture", "Mining and Quarrying", "Electrical and Machinery", "Transport Equipment")
EORA_FD = (
    "Household final consumption P.3h",
    "Non-profit institutions serving households P.3n",
    "Government final consumption P.3g",
    "Gross fixed capital formation P.51",
    "Changes in inventories P.52",
    "Acquisitions less disposals of valuables P.53",
)
EORA_VA = (
    "Compensation of employees D.1",
    "Taxes on production D.29",
    "Subsidies on production D.39",
    "Net operating surplus B.2n",
    "Net mixed income B.3n",
    "Consumption of fixed capital K.1",
)


def _rows(a: np.ndarray) -> str:
    return "".join("\t".join(f"{v:.10g}" for v in row) + "\n" for row in a)


def eora26() -> None:
    rng = np.random.default_rng(2015)
    C, S = len(EORA_COUNTRIES), len(EORA_SECTORS)
    n = C * S
    T = np.round(rng.uniform(0, 5e4, (n + 1, n + 1)) * (rng.random((n + 1, n + 1)) > 0.2), 3)
    T[n, :], T[:, n] = np.round(rng.uniform(0, 50, n + 1), 3), np.round(rng.uniform(0, 50, n + 1), 3)  # ROW
    T[n, n] = 0.0
    T[1, 2 * S + 2] = -0.75  # a negative intermediate flow, as Eora has a few
    jm = S + 1  # JPN Mining and Quarrying: no output, no inputs, no sales
    T[jm, :], T[:, jm] = 0.0, 0.0
    FD = np.round(rng.uniform(1e4, 4e5, (n + 1, (C + 1) * 6)), 3)
    FD[:, 4::6] = np.round(rng.uniform(-2e4, 1.5e4, (n + 1, C + 1)), 3)  # changes in inventories
    FD[:, 5::6] = np.round(rng.uniform(0, 500, (n + 1, C + 1)), 3)
    FD[n, :] = np.round(rng.uniform(0, 20, (C + 1) * 6), 3)  # ROW row: discrepancy
    FD[:, -6:] = np.round(rng.uniform(0, 20, (n + 1, 6)), 3)  # ROW columns
    FD[jm, :] = 0.0
    x = T.sum(axis=1) + FD.sum(axis=1)
    va = np.maximum(x - T.sum(axis=0), 0.0)
    shares = np.array([0.45, 0.06, -0.02, 0.3, 0.08, 0.13])
    VA = np.round(va[None, :] * shares[:, None], 3)
    Q = np.round(rng.uniform(0, 1e3, (2, n + 1)), 3)
    QY = np.round(rng.uniform(0, 1e2, (2, (C + 1) * 6)), 3)
    everyone = [*EORA_COUNTRIES, ("Rest of the World", "ROW")]
    labels_T = [f"{nm}\t{cd}\tIndustries\t{s}\t" for nm, cd in EORA_COUNTRIES for s in EORA_SECTORS]
    labels_T.append("Rest of the World\tROW\tIndustries\tTOTAL\t")
    labels_FD = [f"{nm}\t{cd}\tFinal Demand\t{c}\t" for nm, cd in everyone for c in EORA_FD]
    labels_VA = [f"Primary Inputs\t{v}\t" for v in EORA_VA]
    labels_Q = ["I-GHG-CO2 emissions (Gg)\tTotal\t", "Energy Usage, Total (TJ)\tTotal\t"]
    stem = "Eora26_2015_bp"
    _zip(
        HERE / "eora26" / f"{stem}.zip",
        {
            f"{stem}_T.txt": _rows(T),
            f"{stem}_FD.txt": _rows(FD),
            f"{stem}_VA.txt": _rows(VA),
            f"{stem}_Q.txt": _rows(Q),
            f"{stem}_QY.txt": _rows(QY),
            "labels_T.txt": "\n".join(labels_T) + "\n",
            "labels_FD.txt": "\n".join(labels_FD) + "\n",
            "labels_VA.txt": "\n".join(labels_VA) + "\n",
            "labels_Q.txt": "\n".join(labels_Q) + "\n",
        },
    )


FIGARO_USES = ("P3_S13", "P3_S14", "P3_S15", "P51G", "P5M")
FIGARO_PRIMARY = ("B2A3G", "D1", "D21X31", "D29X39", "OP_RES", "OP_NRES")


def figaro() -> None:
    rng = np.random.default_rng(2021)
    areas, industries = ["CN", "DE", "US", "FIGW1"], ["A01", "B", "C26", "C29"]
    R, S, U = len(areas), len(industries), len(FIGARO_USES)
    n = R * S
    Z = np.round(rng.uniform(0, 900, (n, n)) * (rng.random((n, n)) > 0.25), 6)
    Y = np.round(rng.uniform(200, 6000, (n, R * U)), 6)
    Y[:, 4::U] = np.round(rng.uniform(-400, 300, (n, R)), 6)  # P5M: changes in inventories and valuables
    x = Z.sum(axis=1) + Y.sum(axis=1)
    va = x - Z.sum(axis=0)
    assert (va > 0).all()
    P = np.zeros((len(FIGARO_PRIMARY), n + R * U))
    P[2, :n] = np.round(0.03 * x, 6)  # D21X31 taxes less subsidies on products
    P[3, :n] = np.round(0.01 * x, 6)  # D29X39
    P[1, :n] = np.round(0.5 * (va - P[2, :n] - P[3, :n]), 6)  # D1
    P[0, :n] = va - P[1:4, :n].sum(axis=0)  # B2A3G: the rest, so columns balance
    hh = [n + r * U + 1 for r in range(R)]  # household columns P3_S14
    P[4, hh] = np.round(rng.uniform(50, 300, R), 6)  # OP_RES: residents' purchases abroad
    P[5, hh] = -np.round(rng.uniform(50, 300, R), 6)  # OP_NRES: non-residents' purchases here
    rkeys = [(a, i) for a in areas for i in industries] + [("W2", p) for p in FIGARO_PRIMARY]
    ckeys = [(a, i) for a in areas for i in industries] + [(a, u) for a in areas for u in FIGARO_USES]
    M = np.vstack([np.hstack([Z, Y]), P])
    lines = ["refArea,rowIi,counterpartArea,colIi,obsValue"]
    for i, (ra, rc) in enumerate(rkeys):
        for j, (ca, cc) in enumerate(ckeys):
            lines.append(f"{ra},{rc},{ca},{cc},{M[i, j]:.6f}")
    out = HERE / "figaro" / "flatfile_eu-ic-io_ind-by-ind_24ed_2021.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    icio()
    wiod()
    exiobase3("ixi", 2011, 3811)
    exiobase3("pxp", 2019, 3919)
    eora26()
    figaro()
