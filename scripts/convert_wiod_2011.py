"""Build the bundled World ``wiod-2011`` from the WIOD 2013 release table for 2011.

Input: ``wiot_2011.RData`` (WIOD 2013 release, 41 regions x 35 industries, million USD, current
prices, integers; R data from the package bquast/wiod, commit 59a28ac), by default from
``../shared/mrio/wiod-2013-release/``. Output: ``src/chokepoints/datasets/data/wiod-2011/`` (Z, Y and the
index as Parquet, values stored as float32, which holds these integers exactly, plus dataset.yaml).

    python scripts/convert_wiod_2011.py [PATH_TO_wiot_2011.RData] [--out FOLDER]

A converter, not a ``build_*`` script: its input is the published table, which a clone does not hold.

Cite: Timmer, Dietzenbacher, Los, Stehrer and de Vries (2015), "An Illustrated User Guide to the World
Input-Output Database: the Case of Global Automotive Production", Review of International Economics 23,
575-605.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from chokepoints.datasets.mrio_import import parse, write_folder  # noqa: E402

DEFAULT = ROOT.parent.parent / "shared" / "mrio" / "wiod-2013-release" / "wiot_2011.RData"
OUT = ROOT / "src" / "chokepoints" / "datasets" / "data" / "wiod-2011"


def main(path: Path, out: Path = OUT) -> None:
    table = parse("wiod", path, 2011)
    extra = {
        "description": "WIOD 2013 release, world input-output table 2011: 40 countries and the rest of the world "
        "(RoW) x 35 industries (ISIC Rev. 3), million USD at current prices, as published (integers). "
        "Built by scripts/convert_wiod_2011.py from wiot_2011.RData of the R package bquast/wiod (commit "
        "59a28ac; the package code is GPL-3, the data are WIOD's).",
        "source_file_sha": "bquast/wiod@59a28ac:data/wiot_2011.RData",
    }
    folder = write_folder(table, out, database="wiod", year=2011, name="wiod-2011", extra=extra, value_dtype="float32")
    size = sum(p.stat().st_size for p in folder.iterdir())
    print(f"wrote {folder} ({size / 1e6:.2f} MB)")


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--out", type=Path, default=OUT)
    a = ap.parse_args()
    main(a.path, a.out)
