"""Build the bundled hybrid World ``wiod-2011-minor-metals``: the minor-metals chain grafted into WIOD 2011.

Inputs (repository data only): the bundled Worlds ``wiod-2011`` (US sector outputs) and
``minor-metals-2024`` (its US users' tonnages, inventories and the sources they cite), and the
assumption table ``data/assumptions/wiod-2011-minor-metals.csv``. Output:
``src/chokepoints/datasets/data/wiod-2011-minor-metals/`` with ``dataset.yaml`` (``format: hybrid``,
``sourced_regions: [USA, CHN]``), ``links.csv``, ``region_map.csv``, ``assumptions.csv`` and ``sources.csv``;
``load_world("wiod-2011-minor-metals")`` grafts the two Worlds along these tables
(:func:`chokepoints.world.graft.graft`; the rule is in its docstring and in docs/data-hybrid-minor-metals.md).

Intensity of product P in WIOD sector s (chain unit per M USD of output, the same in every region):

    i_P[s] = (sum over the chain's US users u of P placed in s of A[P, u] x0_u + US final demand of P
              placed in s) x 365 / (WIOD 2011 US output of s, M USD per year)

so the US sectors reproduce the chain's US use exactly (calibration 1 for USA, reported as
``P@USA``); Chinese sectors take the chain's Chinese use (``P@CHN``) and the rest of the world's use
is spread over sectors and regions by the same intensities.

    python scripts/build_hybrid_wiod_2011_minor_metals.py [--out FOLDER]
"""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import yaml  # noqa: E402

DATA = ROOT / "src" / "chokepoints" / "datasets" / "data"
CHAIN = DATA / "minor-metals-2024"
ASSUMPTIONS = ROOT / "data" / "assumptions" / "wiod-2011-minor-metals.csv"
NAME = "wiod-2011-minor-metals"
OUT = DATA / NAME
DAYS = 365.0
REPLACES = {
    "gallium_refined": "c12;c9",
    "germanium": "c12;c9",
    "antimony_refined": "c12;c9",
    "graphite_natural": "c2;c11;c12",
}
# chain buyer (US end-user producer or US final-demand cell) -> [(WIOD sector, share of its use), ...]
SPLIT = "A.graft_graphite_industrial_split"
PLACES: dict[str, list[tuple[str, object]]] = {
    "USA.ga_semiconductors": [("c14", 1.0)],
    "USA.ga_defense": [("c14", 1.0)],
    "USA.ga_optoelectronics": [("c14", 1.0)],
    "fd.USA.gallium_refined.research": [("c14", 1.0)],
    "USA.ge_fibre_optics": [("c14", 1.0)],
    "USA.ge_infrared_optics": [("c14", 1.0)],
    "USA.ge_defense": [("c14", 1.0)],
    "USA.ge_solar_semiconductors": [("c14", 1.0)],
    "USA.ge_radiation_detectors": [("c14", 1.0)],
    "USA.sb_metal_products": [("c12", 1.0)],
    "USA.sb_defense": [("c13", 1.0)],
    "USA.sb_flame_retardants": [("c9", 1.0)],
    "USA.sb_nonmetal_products": [("c11", 1.0)],
    "USA.graphite_batteries": [("c14", 1.0)],
    "USA.graphite_industrial": [("c11", SPLIT), ("c12", "1-" + SPLIT)],
}
EXTRA_SOURCES = {  # per (product, sector): assumptions beyond the common ones
    ("germanium", "c14"): ["A.graft_ge_fibre_in_c14"],
    ("antimony_refined", "c9"): ["A.graft_sb_flame_retardants_chemicals"],
    ("graphite_natural", "c11"): [SPLIT],
    ("graphite_natural", "c12"): [SPLIT],
    ("gallium_refined", "c14"): ["A.graft_ga_ge_no_machinery_transport"],
}
REGION_MAP = [
    ("CHN", "CHN", "A.graft_same_code"),
    ("USA", "USA", "A.graft_same_code"),
    ("JPN", "JPN", "A.graft_same_code"),
    ("EU", "BEL", "A.graft_eu_belgium"),
    ("KOR", "KOR", "A.graft_same_code"),
    ("RUS", "RUS", "A.graft_same_code"),
    ("CAN", "CAN", "A.graft_same_code"),
    ("TJK", "RoW", "A.graft_rest_of_world"),
    ("MOZ", "RoW", "A.graft_rest_of_world"),
    ("MDG", "RoW", "A.graft_rest_of_world"),
    ("ROW", "RoW", "A.graft_rest_of_world"),
]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _csv(rows: list[dict[str, object]], columns: list[str]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({c: (f"{r[c]:.6g}" if isinstance(r[c], float) else r[c]) for c in columns})
    return buf.getvalue()


def _us_output() -> dict[str, float]:
    """WIOD 2011 US output by sector, M USD per year."""
    from chokepoints.world import load_world

    cw = load_world("wiod-2011").compile()
    usa = cw.regions.index("USA")
    return {
        cw.products[int(p)]: float(x) * DAYS
        for p, r, x in zip(cw.prod_product, cw.prod_region, cw.x0, strict=True)
        if int(r) == usa
    }


def _us_use() -> dict[str, tuple[str, float, list[str]]]:
    """Chain buyer -> (product, use per year in chain units, source ids) for the chain's US end users."""
    producers = {r["producer"]: r for r in _rows(CHAIN / "producers.csv")}
    use: dict[str, tuple[str, float, list[str]]] = {}
    for r in _rows(CHAIN / "recipes.csv"):
        p = producers[r["producer"]]
        if p["end_use"] and p["region"] == "USA":
            amount = float(r["amount_per_unit"]) * float(p["output_per_day"]) * DAYS
            use[r["producer"]] = (r["input_product"], amount, p["source"].split(";"))
    for r in _rows(CHAIN / "final_demand.csv"):
        if r["demand"] in PLACES:
            use[r["demand"]] = (r["product"], float(r["amount_per_day"]) * DAYS, r["source"].split(";"))
    missing = sorted(set(PLACES) - set(use)) + sorted(set(use) - set(PLACES))
    if missing:
        raise SystemExit(f"minor-metals-2024: US users and PLACES disagree: {missing}")
    return use


def _stock_days() -> dict[str, tuple[float, str]]:
    """Chain US user -> (target days of its input, source ids)."""
    return {
        r["holder"]: (float(r["target_days"]), r["source"])
        for r in _rows(CHAIN / "inventories.csv")
        if r["holder"].startswith("USA.") and r["holder"] in PLACES
    }


def _share(spec: object, values: dict[str, float]) -> float:
    if isinstance(spec, float):
        return spec
    s = str(spec)
    return 1.0 - values[s[2:]] if s.startswith("1-") else values[s]


@dataclass
class Cell:
    """The chain's US use of one product placed in one WIOD sector."""

    amount: float = 0.0  # chain units per year
    buyers: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # the chain's source ids for the buyers' use
    days: set[tuple[float, str]] = field(default_factory=set)  # (target days, source ids) of the buyers' stocks


def _cells(a_value: dict[str, float]) -> dict[tuple[str, str], Cell]:
    """(product, sector) -> the chain's US use placed there, in the order of REPLACES, then sector."""
    use, stocks = _us_use(), _stock_days()
    cells: dict[tuple[str, str], Cell] = {}
    for buyer, places in PLACES.items():
        product, amount, srcs = use[buyer]
        for sector, spec in places:
            c = cells.setdefault((product, sector), Cell())
            c.amount += amount * _share(spec, a_value)
            c.buyers.append(buyer)
            c.sources.extend(s for s in srcs if s not in c.sources)
            if buyer in stocks:
                c.days.add(stocks[buyer])
    return dict(sorted(cells.items(), key=lambda kv: (list(REPLACES).index(kv[0][0]), kv[0][1])))


def _links(a_value: dict[str, float]) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """The links table and one derived source row per link (its intensity), plus the largest value share."""
    x_us = _us_output()
    chain_units = {r["product"]: r["unit"] for r in _rows(CHAIN / "products.csv")}
    uv = {r["product"]: float(r["usd_per_unit"]) for r in _rows(CHAIN / "unit_values.csv")}
    links: list[dict[str, object]] = []
    derived: list[dict[str, object]] = []
    shares = []
    for (product, sector), c in _cells(a_value).items():
        if len(c.days) != 1:
            raise SystemExit(f"{product} in {sector}: the chain's US users hold different stocks {sorted(c.days)}")
        ((days, day_src),) = c.days
        inten = c.amount / x_us[sector]
        did = f"D.graft_intensity.{product}.{sector}"
        unit = chain_units[product]
        shares.append(100 * c.amount * uv[product] / 1e6 / x_us[sector])
        derived.append(
            {
                "source_id": did,
                "kind": "derived",
                "title": f"{product} per M USD of {sector} output",
                "url": "",
                "date": "2024 use / 2011 output",
                "value": f"{inten:.6g}",
                "note": f"{c.amount:,.0f} {unit} a year used by the chain's US users {', '.join(c.buyers)} "
                f"(minor-metals-2024: {', '.join(c.sources)}) / {x_us[sector]:,.0f} M USD, WIOD 2011 US output of "
                f"{sector} = {inten:.6g} {unit} per M USD; the metal's value is {shares[-1]:.3g}% of the "
                "sector's output",
            }
        )
        srcs = [did, *EXTRA_SOURCES.get((product, sector), [])]
        srcs += ["A.graft_us_sectors_by_end_use", "A.graft_same_intensity_all_regions", "A.graft_year_mix"]
        srcs += ["A.graft_replaces", "A.graft_stock_days_all_regions", *day_src.split(";")]
        links.append(
            {
                "chain_product": product,
                "sector": sector,
                "region": "*",
                "intensity": inten,
                "replaces": REPLACES[product],
                "inventory_days": days,
                "source": ";".join(dict.fromkeys(srcs)),
            }
        )
    if max(shares) >= 1.0:
        raise SystemExit(f"a metal's value is {max(shares)}% of a linked sector's output (A.graft_year_mix says < 1%)")
    derived.append(
        {
            "source_id": "D.graft_value_shares",
            "kind": "derived",
            "title": "Value of the linked metals as a share of the US sectors' output",
            "url": "",
            "date": "",
            "value": f"{max(shares):.3g}",
            "note": "largest share (%) over the links; each link's share is in its D.graft_intensity row",
        }
    )
    return links, derived


def _eu_value() -> dict[str, object]:
    """The derived row behind A.graft_eu_belgium."""
    uv = {r["product"]: float(r["usd_per_unit"]) for r in _rows(CHAIN / "unit_values.csv")}
    eu = [r for r in _rows(CHAIN / "producers.csv") if r["region"] == "EU"]
    eu_value = {r["product"]: float(r["output_per_day"]) * uv[r["product"]] for r in eu}
    be = (eu_value.get("germanium", 0.0) + eu_value.get("antimony_refined", 0.0)) / sum(eu_value.values())
    return {
        "source_id": "D.graft_eu_value",
        "kind": "derived",
        "title": "Germanium and antimony oxide in the output value of the chain's EU producers",
        "url": "",
        "date": "2024",
        "value": f"{be:.3g}",
        "note": "output per day x USD per unit (minor-metals-2024): "
        + ", ".join(f"{p} {v:,.0f} USD" for p, v in sorted(eu_value.items()))
        + f"; germanium and antimony_refined are {100 * be:.1f}%",
    }


def main(out: Path = OUT) -> None:
    assumptions = _rows(ASSUMPTIONS)
    a_value = {a["id"]: float(a["value"]) for a in assumptions if a["value"]}
    links, derived = _links(a_value)
    derived.append(_eu_value())
    sources = derived + [
        {
            "source_id": a["id"],
            "kind": "assumption",
            "title": a["id"][2:],
            "url": "",
            "date": "",
            "value": a["value"],
            "note": a["reason"],
        }
        for a in assumptions
    ]
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "links.csv": _csv(
            links, ["chain_product", "sector", "region", "intensity", "replaces", "inventory_days", "source"]
        ),
        "region_map.csv": _csv(
            [{"chain_region": a, "mrio_region": b, "source": s} for a, b, s in REGION_MAP],
            ["chain_region", "mrio_region", "source"],
        ),
        "assumptions.csv": ASSUMPTIONS.read_text(encoding="utf-8"),
        "sources.csv": _csv(sources, ["source_id", "kind", "title", "url", "date", "value", "note"]),
    }
    meta = {
        "format": "hybrid",
        "name": NAME,
        "version": "WIOD 2013, 2011 + minor-metals-2024",
        "title": "WIOD 2011 with the gallium, germanium, antimony and graphite chain grafted in (hybrid World)",
        "mrio": "wiod-2011",
        "chain": "minor-metals-2024",
        "sourced_regions": ["USA", "CHN"],
        "units": {"mrio": "M USD", "chain": "kg (gallium, germanium), t (antimony, graphite)"},
        "description": "The minor-metals chain of minor-metals-2024 (primary and refined gallium, germanium, antimony "
        "concentrate and metal/oxide, natural graphite, in kg or t) as producers whose metals are inputs to WIOD "
        "chemicals (c9), non-metallic minerals (c11), basic metals (c12), machinery (c13, ammunition) and electrical "
        "and optical equipment (c14) in all 41 regions; US and Chinese sectors buy the chain's US and "
        "Chinese tonnage from its suppliers (sourced_regions). Built by "
        "scripts/build_hybrid_wiod_2011_minor_metals.py; grafted on load by chokepoints.world.graft.graft.",
    }
    files["dataset.yaml"] = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
    for fname, text in files.items():
        (out / fname).write_text(text, encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    main(ap.parse_args().out)
