"""Build the bundled hybrid World ``wiod-2011-rare-earths``: the rare-earth chain grafted into WIOD 2011.

Inputs (repository data only): the bundled Worlds ``wiod-2011`` and ``rare-earths-2025`` (their recipe
rows give the sourced magnet intensities) and ``data/facts/downstream_users.csv`` (vehicle price,
stock cover). Output: ``src/chokepoints/datasets/data/wiod-2011-rare-earths/`` with ``dataset.yaml``
(``format: hybrid``), ``links.csv``, ``region_map.csv``, ``assumptions.csv`` and ``sources.csv``;
``load_world("wiod-2011-rare-earths")`` grafts the two Worlds along these tables
(:func:`chokepoints.world.graft.graft`; the rule is in its docstring and in docs/data-hybrid.md).

    python scripts/build_hybrid_wiod_2011.py [--out FOLDER]
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import yaml  # noqa: E402

DATA = ROOT / "src" / "chokepoints" / "datasets" / "data"
FACTS = ROOT / "data" / "facts"
OUT = DATA / "wiod-2011-rare-earths"
NAME = "wiod-2011-rare-earths"
REPLACES = "c14;c12;c13"  # A.graft_replaces


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _fact(key: str, value_prefix: str = "") -> dict[str, str]:
    for r in _rows(FACTS / "downstream_users.csv"):
        if r["key"] == key and r["value"].startswith(value_prefix):
            return r
    raise SystemExit(f"data/facts/downstream_users.csv: no row {key!r}")


def _recipe(producer: str, product: str) -> dict[str, str]:
    for r in _rows(DATA / "rare-earths-2025" / "recipes.csv"):
        if r["producer"] == producer and r["input_product"] == product:
            return r
    raise SystemExit(f"rare-earths-2025/recipes.csv: no recipe {producer} <- {product}")


def _csv(rows: list[dict[str, object]], columns: list[str]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({c: (f"{r[c]:.6g}" if isinstance(r[c], float) else r[c]) for c in columns})
    return buf.getvalue()


def main(out: Path = OUT) -> None:
    price = _fact("us_avg_transaction_price.new_vehicle", "48759")
    cover = _fact("japan_stockpile_target")
    ice = _recipe("USA.automotive_ice", "ndfeb_magnet")  # t per vehicle (A.ice_magnet_content)
    elec = _recipe("USA.electronics_industrial", "ndfeb_magnet")  # t per USD (D.us_electronics)
    smco = _recipe("USA.defense_other", "smco_magnet")  # t per USD (D.defense_other)
    i_c15 = float(ice["amount_per_unit"]) / (float(price["value"]) / 1e6)
    i_c14 = float(elec["amount_per_unit"]) * 1e6
    i_smco = float(smco["amount_per_unit"]) * 1e6
    days = float(cover["value"].split()[0])
    assumptions = [
        {
            "id": "A.graft_machinery_intensity",
            "value": 0.02,
            "unit": "t NdFeB per M USD of output",
            "low": 0.005,
            "high": 0.06,
            "reason": "No source gives magnet use per dollar of machinery (WIOD c13: industrial motors, pumps, wind "
            "turbines). Assume 0.02 t per M USD, between ICE vehicles (~0.006) and electrical equipment (~0.05); "
            "range 0.005-0.06 (judgement). Only the spread over sectors matters after calibration to the chain.",
        },
        {
            "id": "A.graft_same_intensity_all_regions",
            "value": "",
            "unit": "",
            "low": "",
            "high": "",
            "reason": "Intensities are sourced for US products only; every region's sector gets the same tonnes per "
            "M USD. Regional differences in product mix (e.g. Japan's hybrids) are not represented.",
        },
        {
            "id": "A.graft_replaces",
            "value": "",
            "unit": "",
            "low": "",
            "high": "",
            "reason": f"A magnet arrives inside components: its value is taken out of the buyer's purchases of "
            f"{REPLACES.replace(';', ', ')} (electrical equipment, basic and fabricated metal, machinery), in "
            "proportion to them, so baseline outputs and value added are unchanged.",
        },
        {
            "id": "A.graft_world_market",
            "value": "",
            "unit": "",
            "low": "",
            "high": "",
            "reason": "No source gives magnet purchases by buyer country for 2011; every MRIO buyer buys from the "
            "chain's magnet makers in the shares of their sales to the chain's end users (about 90 % China).",
        },
        {
            "id": "A.graft_magnet_inventory_days",
            "value": days,
            "unit": "days of use",
            "low": 30.0,
            "high": 120.0,
            "reason": f"Stock of magnets held by MRIO buyers. Japan's stockpile target is {cover['value']} "
            "(downstream_users.csv, japan_stockpile_target) and 2010 users held 'several months' "
            "(inventory.japan_re_users_2010); 30-120 days (judgement).",
        },
        {
            "id": "A.graft_smco_transport",
            "value": "",
            "unit": "",
            "low": "",
            "high": "",
            "reason": "SmCo magnets (aerospace, defence) are linked to transport equipment (c15, which holds "
            "aircraft) only, at the US defence intensity; calibration then sets the total to the chain's sales.",
        },
    ]
    assumptions.append(
        {
            "id": "A.graft_components_like_magnets",
            "value": "",
            "unit": "",
            "low": "",
            "high": "",
            "reason": "Magnets inside motors and assemblies made in China (the chain's magnet_components) enter "
            "the same MRIO sectors (electrical equipment c14, transport equipment c15) in the same proportions as "
            "magnets bought as magnets: no source splits them by buying sector; calibration sets their total.",
        }
    )
    src_ice = "A.ice_magnet_content;S.downstream.vehicle_price;A.graft_same_intensity_all_regions;A.graft_replaces"
    links = [
        {"chain_product": "ndfeb_magnet", "sector": "c13", "region": "*", "intensity": 0.02},
        {"chain_product": "ndfeb_magnet", "sector": "c14", "region": "*", "intensity": i_c14},
        {"chain_product": "ndfeb_magnet", "sector": "c15", "region": "*", "intensity": i_c15},
        {"chain_product": "smco_magnet", "sector": "c15", "region": "*", "intensity": i_smco},
        {"chain_product": "magnet_components", "sector": "c14", "region": "*", "intensity": i_c14},
        {"chain_product": "magnet_components", "sector": "c15", "region": "*", "intensity": i_c15},
    ]
    link_src = [
        "A.graft_machinery_intensity;A.graft_replaces",
        "D.us_electronics;A.graft_same_intensity_all_regions;A.graft_replaces",
        src_ice,
        "D.defense_other;A.graft_smco_transport;A.graft_replaces",
        "D.us_electronics;A.graft_components_like_magnets;A.graft_same_intensity_all_regions;A.graft_replaces",
        src_ice + ";A.graft_components_like_magnets",
    ]
    for r, s in zip(links, link_src, strict=True):
        r.update(replaces=REPLACES, inventory_days=days, source=s + ";A.graft_magnet_inventory_days")
    region_map = [
        ("CHN", "CHN", ""),
        ("USA", "USA", ""),
        ("JPN", "JPN", ""),
        ("AUS", "AUS", ""),
        ("EU", "DEU", "A.graft_eu_germany"),
        ("MMR", "RoW", "A.graft_rest_of_world"),
        ("MYS", "RoW", "A.graft_rest_of_world"),
        ("VNM", "RoW", "A.graft_rest_of_world"),
        ("ROW", "RoW", "A.graft_rest_of_world"),
    ]
    assumptions += [
        {
            "id": "A.graft_eu_germany",
            "value": "",
            "unit": "",
            "low": "",
            "high": "",
            "reason": "The chain's EU producers (magnets, separation) are placed in Germany, the largest EU maker of "
            "NdFeB magnets (VAC); WIOD has no EU aggregate.",
        },
        {
            "id": "A.graft_rest_of_world",
            "value": "",
            "unit": "",
            "low": "",
            "high": "",
            "reason": "Myanmar, Malaysia and Vietnam are not WIOD countries; they and the chain's ROW go to"
            " WIOD's RoW.",
        },
        {
            "id": "A.graft_same_code",
            "value": "",
            "unit": "",
            "low": "",
            "high": "",
            "reason": "The chain region has the same ISO 3166 alpha-3 code as a WIOD country and maps to it.",
        },
    ]
    sources = [
        {
            "source_id": "S.downstream.vehicle_price",
            "kind": "source",
            "title": price["source_title"],
            "url": price["source_url"],
            "date": price["as_of"],
            "value": price["value"],
            "note": "USD per new light vehicle (data/facts/downstream_users.csv, "
            "us_avg_transaction_price.new_vehicle); "
            f"c15 intensity = {float(ice['amount_per_unit']):g} t per vehicle / ({price['value']} USD / 1e6) = "
            f"{i_c15:.6g} t per M USD",
        },
        {
            "source_id": "S.downstream.japan_stockpile",
            "kind": "source",
            "title": cover["source_title"],
            "url": cover["source_url"],
            "date": cover["as_of"],
            "value": str(days),
            "note": f"{cover['value']} {cover['unit']} (data/facts/downstream_users.csv, japan_stockpile_target)",
        },
    ]
    for a in assumptions:
        sources.append(
            {
                "source_id": a["id"],
                "kind": "assumption",
                "title": a["id"][2:],
                "url": "",
                "date": "",
                "value": a["value"],
                "note": a["reason"],
            }
        )
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "links.csv": _csv(
            links, ["chain_product", "sector", "region", "intensity", "replaces", "inventory_days", "source"]
        ),
        "region_map.csv": _csv(
            [{"chain_region": a, "mrio_region": b, "source": s or "A.graft_same_code"} for a, b, s in region_map],
            ["chain_region", "mrio_region", "source"],
        ),
        "assumptions.csv": _csv(assumptions, ["id", "value", "unit", "low", "high", "reason"]),
        "sources.csv": _csv(sources, ["source_id", "kind", "title", "url", "date", "value", "note"]),
    }
    meta = {
        "format": "hybrid",
        "name": NAME,
        "version": "WIOD 2013, 2011 + rare-earths-2025",
        "title": "WIOD 2011 with the rare-earth magnet chain grafted in (hybrid World)",
        "mrio": "wiod-2011",
        "chain": "rare-earths-2025",
        "units": {"mrio": "M USD", "chain": "t"},
        "description": "The rare-earth chain of rare-earths-2025 (mine, separation, metal, NdFeB and SmCo magnets, "
        "in tonnes) as producers whose magnets are inputs to WIOD machinery (c13), electrical and optical "
        "equipment (c14) and transport equipment (c15) in all 41 regions. Built by "
        "scripts/build_hybrid_wiod_2011.py; grafted on load by chokepoints.world.graft.graft.",
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
