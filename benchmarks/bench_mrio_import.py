"""Benchmark: importing an EXIOBASE-3-shaped table (49 regions x 200 products = 9,800 sectors) into a
World (issue #15 target: under 60 s and 4 GiB).

Run:  python benchmarks/bench_mrio_import.py [--cache DIR] [--zip] [--sparsity 0.0] [--repeats 1]

1. Writes, once per ``--cache`` folder, a product-by-product table in EXIOBASE 3.8's published layout
   (``IOT_2011_pxp/``: ``file_parameters.json``, ``metadata.json``, tab-separated ``Z.txt``,
   ``Y.txt`` with 7 final-demand categories per region, ``x.txt``, ``unit.txt`` in "M.EUR"; two
   index columns and two header rows, as pymrio writes them), from
   ``chokepoints.datasets.mrio.synthetic_mrio(49, 200, n_categories=7, seed=0)``: dense (every
   cell non-zero, the worst case for the reader and the file size) unless ``--sparsity`` sets a
   share of cells to zero. The 49 region codes are EXIOBASE's (44 countries and 5 rest-of-world
   regions); the product labels are ``p001``-``p200`` (EXIOBASE's 200 product names are not
   bundled). With ``--zip`` the same files go into ``IOT_2011_pxp.zip`` (deflate), as Zenodo
   ships them. Writing is not timed.
2. Times ``chokepoints datasets import exiobase3 PATH --year 2011 --usd-per-unit 1.39e6 --out OUT``
   as a separate process (the whole command: start-up, pymrio's reader, checks, the Parquet
   World), reporting wall time and the process's peak resident memory (``ru_maxrss`` of the
   child), then loads the World (``load_world``) in this process and checks its size.

Not part of the test suite. The exchange rate is only a label for the benchmark (1.39 USD per EUR,
the 2011 annual average of the ECB reference rate; the World records it as given).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from chokepoints.datasets.mrio_formats.exiobase import FINAL_DEMAND_CATEGORIES

REGIONS = (
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK GB "
    "US JP CN CA KR BR IN MX RU AU CH TR TW NO ID ZA WA WL WE WF WM"
).split()
PRODUCTS = [f"p{j:03d}" for j in range(1, 201)]
CATEGORIES = FINAL_DEMAND_CATEGORIES
YEAR = 2011


def _write_table(path: Path, values: np.ndarray, index: pd.MultiIndex, columns: pd.MultiIndex | list[str]) -> None:
    """``values`` as pymrio writes a table: header rows, then the rows in blocks (bounded memory)."""
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        pd.DataFrame(columns=columns, index=index[:0]).to_csv(fh, sep="\t", lineterminator="\n")
        block = 200
        for i in range(0, len(index), block):
            pd.DataFrame(values[i : i + block], index=index[i : i + block], columns=columns).to_csv(
                fh, sep="\t", header=False, float_format="%.12g", lineterminator="\n"
            )


def write_exiobase_shaped(cache: Path, sparsity: float, as_zip: bool) -> Path:
    """The IOT_2011_pxp folder (or zip) in ``cache``, written if absent; returns its path."""
    from chokepoints.datasets.mrio import synthetic_mrio

    name = f"IOT_{YEAR}_pxp"
    folder = cache / f"sparsity-{sparsity:g}" / name
    target = folder.with_suffix(".zip") if as_zip else folder
    if target.exists():
        return target
    t0 = time.perf_counter()
    Z, Y, x = synthetic_mrio(len(REGIONS), len(PRODUCTS), n_categories=len(CATEGORIES), seed=0, as_iosystem=False)
    if sparsity > 0:
        rng = np.random.default_rng(1)
        Z[rng.random(Z.shape) < sparsity] = 0.0
        x = Z.sum(axis=1) + Y.sum(axis=1)
    k = len(CATEGORIES)
    Y[:, k - 1 :: k] = 0.0  # exports: zero in the MRIO, as in EXIOBASE
    x = Z.sum(axis=1) + Y.sum(axis=1)
    idx = pd.MultiIndex.from_product([REGIONS, PRODUCTS], names=["region", "sector"])
    ycols = pd.MultiIndex.from_product([REGIONS, CATEGORIES], names=["region", "category"])
    tmp = folder.with_name(name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    _write_table(tmp / "Z.txt", Z, idx, idx)
    del Z
    _write_table(tmp / "Y.txt", Y, idx, ycols)
    _write_table(tmp / "x.txt", x[:, None], idx, ["indout"])
    pd.DataFrame({"unit": "M.EUR"}, index=idx).to_csv(tmp / "unit.txt", sep="\t", lineterminator="\n")
    files = {"Z": (2, 2), "Y": (2, 2), "x": (2, 1), "unit": (2, 1)}
    (tmp / "file_parameters.json").write_text(
        json.dumps(
            {
                "files": {
                    key: {"name": f"{key}.txt", "nr_index_col": str(ic), "nr_header": str(hr)}
                    for key, (ic, hr) in files.items()
                },
                "systemtype": "IOSystem",
            },
            indent=4,
        )
    )
    (tmp / "metadata.json").write_text(
        json.dumps(
            {
                "description": f"Synthetic table in the layout of EXIOBASE 3.8 pxp, {YEAR}",
                "name": "EXIO3",
                "system": "pxp",
                "version": "3.8.2",
                "history": [],
            },
            indent=4,
        )
    )
    if as_zip:
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            for f in sorted(tmp.iterdir()):
                zf.write(f, f"{name}/{f.name}")
        shutil.rmtree(tmp)
    else:
        tmp.rename(folder)
    print(f"wrote {target} in {time.perf_counter() - t0:.0f} s ({_size(target) / 2**30:.2f} GiB)")
    return target


def _size(p: Path) -> int:
    return p.stat().st_size if p.is_file() else sum(f.stat().st_size for f in p.rglob("*") if f.is_file())


def time_import(src: Path, out: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS in GiB) of one ``chokepoints datasets import`` process."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = [
        sys.executable,
        "-m",
        "chokepoints",
        "datasets",
        "import",
        "exiobase3",
        str(src),
        "--year",
        str(YEAR),
        "--usd-per-unit",
        "1.39e6",
        "--out",
        str(out),
    ]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        raise SystemExit(f"the import failed (status {status}): {' '.join(cmd)}")
    return wall, usage.ru_maxrss / 2**20  # kilobytes on Linux


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "bench-exiobase-shaped"))
    ap.add_argument("--zip", action="store_true", help="time the import from IOT_2011_pxp.zip")
    ap.add_argument("--sparsity", type=float, default=0.0, help="share of Z cells set to zero")
    ap.add_argument("--repeats", type=int, default=1)
    a = ap.parse_args()
    import numpy
    import pymrio

    src = write_exiobase_shaped(Path(a.cache), a.sparsity, a.zip)
    print(
        f"# {platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}, numpy "
        f"{numpy.__version__}, pandas {pd.__version__}, pymrio {pymrio.__version__}"
    )
    print(f"source: {src} ({_size(src) / 2**30:.2f} GiB; Z.txt of 9,800 x 9,800, sparsity {a.sparsity:g})")
    out = Path(tempfile.mkdtemp(prefix="bench-exio-world-")) / "world"
    for rep in range(a.repeats):
        load = os.getloadavg()[0]
        wall, peak = time_import(src, out)
        ok = wall < 60 and peak < 4
        print(
            f"import {rep + 1}: {wall:.1f} s, peak {peak:.2f} GiB (load average before {load:.2f}); "
            f"target < 60 s and < 4 GiB: {'met' if ok else 'NOT met'}"
        )
    print(f"World folder: {_size(out) / 2**20:.0f} MiB")
    from chokepoints.datasets.mrio_import import read_folder

    t0 = time.perf_counter()
    world = read_folder(out)
    n = len(world.producers) if hasattr(world, "producers") else None
    print(f"load_world(folder): {time.perf_counter() - t0:.1f} s, {n} producers")
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"this process (writing and loading): peak {peak_self:.2f} GiB")
    shutil.rmtree(out.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
