"""Aggregate Hauk (2012)'s US HS-6 elasticities to HS sections for the line-level tariff PE.

Writes data/tariffs/tables/elasticities_hs_section.csv, which scripts/build_tariff_lines.py copies into the
bundled tariff_lines dataset. Not one of the offline builders: the HS-6 source files are not in the repository.

Source: William R. Hauk Jr., "U.S. import and export elasticities: a panel data approach", Empirical
Economics 2012 (doi 10.1007/s00181-011-0456-1); the author's data files at
github.com/BillHauk/tradeelasticityestimates (imports/hs6imports/hs6elasticities.dta: import-demand
elasticities by HS-6, 1978-2001; imports/hs6imports/hs6substitution2.dta: elasticities of substitution
between varieties by HS-6, 1989-2001). The repository states no licence, so only these section
aggregates are bundled, with the source row; the HS-6 estimates are not redistributed.

Rule (written before looking at the result):
    eta (import demand):  median of -impliedelasticity over the HS-6 lines of the section whose estimate
                          has the right sign and is significant at 5 % (columns positive == 1 and
                          sigat5per == 1)
    sigma (substitution): median of impliedsigma over the HS-6 lines of the section with impliedsigma > 0
                          and |demandprice / sedemandprice| > 1.96 (the demand-price coefficient it is
                          implied by is significant at 5 %)
    a section with fewer than MIN_LINES such estimates takes the all-goods median (flagged 'pooled').
    Chapters 98-99 (US special provisions) have no estimates: section XXI is pooled.

    python scripts/aggregate_hauk_elasticities.py PATH_TO_tradeelasticityestimates
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from chokepoints.trade.data import HS_SECTIONS  # noqa: E402

OUT = ROOT / "data/tariffs/tables/elasticities_hs_section.csv"
MIN_LINES = 10


def _read(repo: Path, path: str) -> pd.DataFrame:
    """A .dta file from the repository folder, or from its git objects when it has no work tree."""
    f = repo / path
    if f.exists():
        return pd.read_stata(f)
    blob = subprocess.run(["git", "-C", str(repo), "show", f"HEAD:{path}"], check=True, capture_output=True).stdout
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d) / Path(path).name
        tmp.write_bytes(blob)
        return pd.read_stata(tmp)


def _section(hs6: float) -> str:
    ch = int(hs6) // 10000
    return next((s for s, (lo, hi) in HS_SECTIONS.items() if lo <= ch <= hi), "")


def build(repo: Path) -> pd.DataFrame:
    dem = _read(repo, "imports/hs6imports/hs6elasticities.dta")
    sub = _read(repo, "imports/hs6imports/hs6substitution2.dta")
    dem = dem[(dem["positive"] == 1) & (dem["sigat5per"] == 1)].assign(eta=lambda d: -d["impliedelasticity"])
    sub = sub[(sub["impliedsigma"] > 0) & ((sub["demandprice"] / sub["sedemandprice"]).abs() > 1.96)]
    dem = dem.assign(section=dem["hs6"].map(_section))
    sub = sub.assign(section=sub["hs6"].map(_section), sigma=sub["impliedsigma"])
    all_eta, all_sigma = float(dem["eta"].median()), float(sub["sigma"].median())
    rows = []
    for sec, (lo, hi) in HS_SECTIONS.items():
        e = dem.loc[dem["section"] == sec, "eta"]
        s = sub.loc[sub["section"] == sec, "sigma"]
        rows.append(
            {
                "section": sec,
                "chapters": f"{lo:02d}-{hi:02d}",
                "eta": round(float(e.median()), 4) if len(e) >= MIN_LINES else round(all_eta, 4),
                "eta_basis": "section" if len(e) >= MIN_LINES else "pooled",
                "n_eta": len(e),
                "sigma": round(float(s.median()), 4) if len(s) >= MIN_LINES else round(all_sigma, 4),
                "sigma_basis": "section" if len(s) >= MIN_LINES else "pooled",
                "n_sigma": len(s),
                "source": "hauk_2012",
            }
        )
    rows.append({"section": "ALL", "chapters": "01-97", "eta": round(all_eta, 4), "eta_basis": "pooled",
                 "n_eta": len(dem), "sigma": round(all_sigma, 4), "sigma_basis": "pooled", "n_sigma": len(sub),
                 "source": "hauk_2012"})  # fmt: skip
    return pd.DataFrame(rows)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: aggregate_hauk_elasticities.py PATH_TO_tradeelasticityestimates (folder or git dir)")
    df = build(Path(sys.argv[1]))
    df.to_csv(OUT, index=False)
    print(df.to_string(index=False))
    print(f"wrote {OUT.relative_to(ROOT)}")
