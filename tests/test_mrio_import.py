"""`chokepoints datasets import` on small files in each database's real layout, then a run on the World.

Fixtures (tests/data/make_mrio_fixtures.py): an OECD ICIO 2023-release CSV with China and Mexico
split into CHN/CN1/CN2 and MEX/MX1/MX2 and negative inventory changes; a WIOD 2013 table as R data
(bquast/wiod layout) with negative inventory changes (INVEN).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from chokepoints.cli import app
from chokepoints.world import load_world

DATA = Path(__file__).parent / "data"
ICIO = DATA / "icio" / "ICIO2023_2020.csv"
WIOD = DATA / "wiod" / "wiot_2011.RData"
runner = CliRunner()

CASES = {
    "oecd-icio": (ICIO, 2020, "CHN", "C26", "JPN"),
    "wiod": (WIOD, 2011, "CHN", "c14", "JPN"),
}


def _import(tmp_path: Path, db: str, *extra: str) -> Path:
    path, year, *_ = CASES[db]
    out = tmp_path / db
    r = runner.invoke(app, ["datasets", "import", db, str(path), "--year", str(year), "--out", str(out), *extra])
    assert r.exit_code == 0, r.output
    assert "wrote" in r.output
    return out


@pytest.mark.parametrize("db", sorted(CASES))
def test_import_then_run(tmp_path, db):
    out = _import(tmp_path, db)
    meta = yaml.safe_load((out / "dataset.yaml").read_text())
    assert meta["format"] == "mrio" and meta["year"] == CASES[db][1]
    assert meta["units"]["monetary"] == "M USD" and meta["licence"] and meta["citation"]
    assert {p.name for p in out.iterdir()} >= {"Z.parquet", "Y.parquet", "index.parquet", "dataset.yaml"}
    _, _, exporter, product, importer = CASES[db]
    sc = tmp_path / "ban.yaml"
    sc.write_text(
        yaml.safe_dump(
            {
                "name": f"{db}-ban",
                "world": str(out),
                "start": "2020-01-01",
                "horizon_days": 60,
                "runs": 2,
                "seed": 3,
                "events": [
                    {
                        "type": "export_control",
                        "id": "ban",
                        "on": "2020-01-05",
                        "exporter": exporter,
                        "products": [product],
                        "destinations": [importer],
                        "mode": "ban",
                    }
                ],
            }
        )
    )
    r = runner.invoke(app, ["run", str(sc), "--out", str(tmp_path / "res")])
    assert r.exit_code == 0, r.output
    assert importer in r.output and "M USD" in r.output
    report = (tmp_path / "res" / "report.html").read_text(encoding="utf-8")
    assert "Value added lost by region and sector" in report


def test_icio_split_china_and_mexico_merged(tmp_path):
    raw = pd.read_csv(ICIO, index_col=0)
    world = load_world(_import(tmp_path, "oecd-icio"))
    cw = world.compile()
    assert list(cw.regions) == ["AUS", "CHN", "JPN", "MEX", "ROW"]
    x = dict(zip(cw.producers, cw.x0 * 365, strict=True))
    for country, parts in (("CHN", ("CHN", "CN1", "CN2")), ("MEX", ("MEX", "MX1", "MX2"))):
        for s in ("A01_02", "C26"):
            expected = sum(raw.loc[f"{p}_{s}", "OUT"] for p in parts)
            assert x[f"{country}.{s}"] == pytest.approx(expected, rel=1e-12)
    # value added = output - intermediate inputs = VA + TLS rows of the file (summed over the split parts)
    va = dict(zip(cw.producers, cw.value_added * 365, strict=True))
    expected = sum(raw.loc["VA", f"{p}_C29"] + raw.loc["TLS", f"{p}_C29"] for p in ("CHN", "CN1", "CN2"))
    assert va["CHN.C29"] == pytest.approx(expected, rel=1e-9)


def test_negative_inventory_changes_kept_and_netted(tmp_path):
    out = _import(tmp_path, "wiod")
    y = pd.read_parquet(out / "Y.parquet")
    inven = y[y["category"] == "INVEN"]["value"]
    assert (inven < 0).any()  # stored as given
    meta = yaml.safe_load((out / "dataset.yaml").read_text())
    assert meta["negative_final_demand"]["entries_in_table"] == int((inven < 0).sum())
    world = load_world(out)
    cw = world.compile()
    assert (cw.y0 >= 0).all() and np.isfinite(cw.y0).all()
    assert world.metadata["monetary_unit"] == "M USD"
    assert world.products.set_index("product").loc["c14", "name"] == "Electrical and optical equipment"


def test_aggregate_by_mapping(tmp_path):
    amap = tmp_path / "map.csv"
    amap.write_text(
        "dimension,from,to\nregion,CHN,CHN\nregion,JPN,JPN\nregion,USA,ROW\nregion,RoW,ROW\n"
        "sector,c1,primary\nsector,c2,primary\nsector,c12,manufacturing\nsector,c14,manufacturing\n"
        "sector,c15,manufacturing\n"
    )
    base = load_world(_import(tmp_path, "wiod")).compile()
    agg = load_world(_import(tmp_path / "agg", "wiod", "--aggregate", str(amap))).compile()
    assert list(agg.regions) == ["CHN", "JPN", "ROW"] and list(agg.products) == ["primary", "manufacturing"]
    assert agg.x0.sum() == pytest.approx(base.x0.sum(), rel=1e-12)
    assert agg.value_added.sum() == pytest.approx(base.value_added.sum(), rel=1e-9)


def test_import_errors_are_one_line(tmp_path):
    r = runner.invoke(app, ["datasets", "import", "eurostat", str(ICIO), "--year", "2020", "--out", str(tmp_path)])
    assert r.exit_code == 2 and "unknown database" in r.output
    r = runner.invoke(app, ["datasets", "import", "wiod", str(WIOD), "--year", "2010", "--out", str(tmp_path / "w")])
    assert r.exit_code == 2 and "not 2010" in r.output
    bad = tmp_path / "map.csv"
    bad.write_text("dimension,from,to\nregion,CHN,X\n")
    r = runner.invoke(
        app,
        [
            "datasets",
            "import",
            "wiod",
            str(WIOD),
            "--year",
            "2011",
            "--out",
            str(tmp_path / "w"),
            "--aggregate",
            str(bad),
        ],
    )
    assert r.exit_code == 2 and "no group for region" in r.output


def test_download_needs_explicit_confirmation(tmp_path, monkeypatch):
    import chokepoints.datasets.mrio_import as mi

    r = runner.invoke(app, ["datasets", "download", "oecd-icio", str(tmp_path), "--year", "2020"])
    assert r.exit_code == 2 and "--yes" in r.output
    r = runner.invoke(app, ["datasets", "download", "exio", str(tmp_path), "--year", "2020", "--yes"])
    assert r.exit_code == 2 and "unknown database" in r.output
    calls = []
    monkeypatch.setattr(mi, "download", lambda db, folder, years: calls.append((db, str(folder), years)))
    r = runner.invoke(app, ["datasets", "download", "wiod", str(tmp_path), "--year", "2010", "--year", "2011", "--yes"])
    assert r.exit_code == 0, r.output
    assert calls == [("wiod", str(tmp_path), [2010, 2011])]


def test_exposure_of_every_region_on_an_imported_world(tmp_path):
    out = _import(tmp_path, "oecd-icio")
    r = runner.invoke(app, ["exposure", "--all-regions", "--world", str(out), "--product", "C26", "--extract", "CHN"])
    assert r.exit_code == 0, r.output
    reliance = r.output.split("Import reliance")[1].split("EU supply risk")[0]
    for region in ("AUS", "CHN", "JPN", "MEX", "ROW"):
        assert f"│ {region} " in reliance
    assert "Value added at risk by region from CHN's sales of C26" in r.output
