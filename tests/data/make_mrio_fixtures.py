"""Write the small MRIO files in each database's real file layout (run once; the outputs are committed).

* ``icio/ICIO2023_2020.csv``: OECD ICIO 2023-release layout: one CSV, first column the row label
  ``<country>_<industry>``, columns the same labels then final demand ``<country>_<HFCE|NPISH|GGFC|GFCF|
  INVNT|DPABR>`` and ``OUT``; rows ``TLS`` (taxes less subsidies), ``VA`` and ``OUT`` after the industries.
  China and Mexico are split as in ICIO: CHN plus CN1, CN2 and MEX plus MX1, MX2 rows and columns, final
  demand only for CHN and MEX. Some inventory changes (INVNT) are negative.
* ``wiod/wiot_2011.RData``: the WIOD 2013 tables as R data (layout of the R package bquast/wiod): one list
  ``wiot_2011`` with year, countries, industries (c1..), inter (n x n), final (n x 5 per country: CONS_h,
  CONS_np, CONS_g, GFCF, INVEN) and output; integers (million USD); negative INVEN entries.

Values are random (seeded), in million USD; rows balance: output = intermediate + final sales.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent


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


if __name__ == "__main__":
    icio()
    wiod()
