"""Run the cut-off mode for the gallium/germanium cases of docs/cutoff.md and print them beside the
published USGS estimates (data/facts/published_estimates.csv) as a Markdown table.

    PYTHONPATH=src python scripts/cutoff_comparison.py [--runs 200] [--seed 20241119]

Cases, all on the bundled World ``minor-metals-2024``, costs to the USA over one year (M USD):
China withholds all its exports of gallium (primary and refined), of germanium, or of both, from
every buyer outside China (the USGS case: a complete restriction of China's net exports); and the
December 2024 ban on sales to the USA only.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import chokepoints as cp
from chokepoints.indicators.cutoff import price_quantity_cutoff
from chokepoints.indicators.cutoff_tables import destination_total, market_table

ROOT = Path(__file__).resolve().parents[1]
GA = ["gallium_low_purity", "gallium_refined"]
GE = ["germanium"]
CASES = [
    ("Ga + Ge, all exports", GA + GE, None, "usgs_ofr2024_1057.us_gdp_loss.ga_ge_complete"),
    ("Ga, all exports", GA, None, "usgs_ofr2024_1057.us_gdp_loss.ga_complete"),
    ("Ge, all exports", GE, None, "usgs_ofr2024_1057.us_gdp_loss.ge_complete"),
    ("Ga + Ge, to the USA only (Dec 2024)", GA + GE, ["USA"], None),
]


def published() -> dict[str, float]:
    path = ROOT / "data" / "facts" / "published_estimates.csv"
    out = {}
    for r in csv.DictReader(path.open(encoding="utf-8")):
        try:
            out[r["key"]] = float(r["value"])
        except ValueError:
            out[r["key"]] = float("nan")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--seed", type=int, default=20241119)
    args = ap.parse_args()
    pub = published()
    w = cp.load_world("minor-metals-2024")
    print(f"runs {args.runs}, seed {args.seed}, world {w.name}; M USD over one year; p5 / p50 / p95\n")
    print(
        "| case | substitutable: VA lost + import cost | complementary"
        " | price rise p50 (Ga primary, Ga refined, Ge) | USGS (2024) |"
    )
    print("| --- | --- | --- | --- | --- |")
    for label, products, dest, key in CASES:
        ds = price_quantity_cutoff(w, "CHN", products, dest, runs=args.runs, seed=args.seed)
        tot = destination_total(ds, ["USA"]).set_index("bound")
        cells = []
        for bound in ("substitutable", "complementary"):
            r = tot.loc[bound]
            cells.append(" / ".join(f"{r[f'total_{b}'] / 1e6:.1f}" for b in ("p5", "p50", "p95")))
        m = market_table(ds).set_index("product")["price_rise_p50"]
        rises = ", ".join(f"{m[p]:+.0%}" if p in m.index else "-" for p in (*GA, *GE))
        usgs = "-"
        if key is not None:
            usgs = f"{pub[key] * 1e3:,.0f} ({pub[key + '.low'] * 1e3:,.0f}-{pub[key + '.high'] * 1e3:,.0f})"
        print(f"| {label} | {cells[0]} | {cells[1]} | {rises} | {usgs} |")
    us = price_quantity_cutoff(w, "CHN", GA + GE, ["USA"], runs=1, seed=args.seed)
    value = market_table(us).set_index("product")["purchases"] / 1e6
    print(
        "\nUS purchases per year (M USD at the World's unit values): "
        + ", ".join(f"{p} {v:.1f}" for p, v in value.items())
        + f"; total {value.sum():.1f}"
    )


if __name__ == "__main__":
    main()
