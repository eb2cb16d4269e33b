"""Write a weights file (chokepoints.trade.lines_weights) of each side's exports to the world in 2017, by HS-4.

    git -C ECONOMICCOMPLEXITY show 7baba33^:data/world_trade_2017.rda > world_trade_2017.rda
    python scripts/make_world_export_weights.py world_trade_2017.rda --out out/world_exports_2017.csv
    chokepoints tariffs scenarios/us-china-tariffs-2025.yaml --published --weights-file out/world_exports_2017.csv

PIIE weights its averages by the exporter's exports to the world in 2017 (Bown, Jung & Zhang 2019, Figure 1
note: "weighted by US exports to the world in 2017"). The public data used here: ``world_trade_2017`` of the R
package economiccomplexity (github.com/pachadotdev/economiccomplexity, file data/world_trade_2017.rda at the
parent of commit 7baba33, 2019-06; exports by reporter and HS-4 product in 2017 from Open Trade Statistics,
processed from UN Comtrade). The package is GPL-3, so the table is not bundled: this script reads the user's
copy (it needs the ``rdata`` reader: ``pip install rdata``) and writes

    USA,CHN,<hs4>,<China's exports to the world>    weights for US rates on China
    CHN,USA,<hs4>,<US exports to the world>          weights for China's rates on the US

Missing values (products a reporter did not export) are left out. Only shares matter for an average; note that
the table's totals (China 2.95 tn USD, US 1.84 tn) are above the official 2017 totals.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import pandas as pd

REPORTERS = {"chn": ("USA", "CHN"), "usa": ("CHN", "USA")}  # reporter -> (importer, exporter) it weights


def extract(path: Path) -> pd.DataFrame:
    try:
        import rdata
    except ImportError:
        raise SystemExit("error: reading .rda needs the rdata package: pip install rdata") from None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rdata warns about the tibble classes it reads as data frames
        data = rdata.read_rda(str(path))
    if "world_trade_2017" not in data:
        raise ValueError(f"{path}: no world_trade_2017 table (found: {', '.join(data) or 'nothing'})")
    df = data["world_trade_2017"]
    need = {"reporter_iso", "product_code", "export_value_usd"}
    if missing := need - set(df.columns):
        raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    out = []
    for rep, (imp, exp) in REPORTERS.items():
        d = df[(df["reporter_iso"] == rep) & df["export_value_usd"].notna() & (df["export_value_usd"] > 0)]
        out.append(
            pd.DataFrame(
                {
                    "importer": imp,
                    "exporter": exp,
                    "code": d["product_code"].astype(str).str.zfill(4),
                    "value_usd": d["export_value_usd"].astype(float).round(0).astype("int64"),
                }
            )
        )
    return pd.concat(out, ignore_index=True).sort_values(["importer", "code"]).reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rda", type=Path, help="world_trade_2017.rda of the economiccomplexity package (2019)")
    ap.add_argument("--out", type=Path, required=True, help="the weights file to write (CSV)")
    a = ap.parse_args(argv)
    if not a.rda.is_file():
        print(f"error: {a.rda}: no such file (expected world_trade_2017.rda)", file=sys.stderr)
        return 2
    if a.out.exists():
        print(f"error: {a.out}: exists; give a new path (nothing was overwritten)", file=sys.stderr)
        return 2
    try:
        df = extract(a.rda)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    a.out.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(a.out, index=False, lineterminator="\n")
    for (imp, exp), g in df.groupby(["importer", "exporter"]):
        print(f"{imp} <- {exp}: {len(g)} HS-4 codes, {g['value_usd'].sum() / 1e12:.2f} tn USD")
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
