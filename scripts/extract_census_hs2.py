"""Copy US imports from China by HS-2 chapter and month (Census) into data/tariffs/census-hs2/.

    python scripts/extract_census_hs2.py PATH/data/imports/5700data.parquet

Input: ``data/imports/5700data.parquet`` of mwaugh0328/tradewar-tracker-aws-product-level (commit c269098,
MIT licence), which holds the US Census Bureau's international trade API series for imports from China
(country code 5700) by HS-2 chapter and month, January 2013 to October 2020: CON_VAL_MO (imports for
consumption, USD) and CAL_DUT_MO (calculated duty, USD). Output: ``imports_5700_CHN_hs2_monthly.csv.gz``
with the columns hs2, month, imports_usd, duty_usd (deterministic gzip). The licence of the collection is
copied beside it by hand (LICENSE-waugh-aws). scripts/build_tariff_lines.py turns the 2017 months into the
US side's 2017 weights (each chapter's 2017 imports spread over its HTS-10 lines by their 2024 shares).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd
from build_tariff_lines import _write_gz  # the bundle's deterministic gzip writer (same folder)

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "tariffs" / "census-hs2" / "imports_5700_CHN_hs2_monthly.csv.gz"


def extract(path: Path) -> pd.DataFrame:
    df = pd.read_parquet(path)
    need = {"CON_VAL_MO", "CAL_DUT_MO", "I_COMMODITY", "time", "COMM_LVL", "CTY_CODE"}
    if missing := need - set(df.columns):
        raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    df = df[(df["COMM_LVL"] == "HS2") & (df["CTY_CODE"].astype(str) == "5700")]
    out = pd.DataFrame(
        {
            "hs2": df["I_COMMODITY"].astype(str).str.zfill(2),
            "month": df["time"].astype(str),
            "imports_usd": pd.to_numeric(df["CON_VAL_MO"]).astype("int64"),
            "duty_usd": pd.to_numeric(df["CAL_DUT_MO"]).astype("int64"),
        }
    )
    return out.sort_values(["month", "hs2"]).reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("parquet", type=Path, help="data/imports/5700data.parquet of the collection")
    ap.add_argument("--out", type=Path, default=OUT)
    a = ap.parse_args(argv)
    if not a.parquet.is_file():
        print(f"error: {a.parquet}: no such file (expected the collection's 5700data.parquet)", file=sys.stderr)
        return 2
    try:
        df = extract(a.parquet)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    a.out.parent.mkdir(parents=True, exist_ok=True)
    _write_gz(df, a.out)
    y17 = df[df["month"].str.startswith("2017")]
    print(f"wrote {a.out}: {len(df)} rows, {df['month'].min()}..{df['month'].max()}; 2017 imports "
          f"{y17['imports_usd'].sum() / 1e9:.2f} bn USD, duty {y17['duty_usd'].sum() / 1e9:.2f} bn")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
