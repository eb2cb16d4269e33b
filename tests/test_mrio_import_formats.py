"""`chokepoints datasets import` of EXIOBASE 3 (ixi and pxp), Eora26 and FIGARO, then a run on the World.

Fixtures (tests/data/make_mrio_fixtures.py) are tiny tables in each database's published file
layout. The expected numbers are recomputed here from the raw files with plain readers (zipfile,
csv, numpy), independently of pymrio and of the importers.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from chokepoints.cli import app
from chokepoints.datasets.mrio_formats.figaro import parse_figaro
from chokepoints.world import load_world

DATA = Path(__file__).parent / "data"
IXI = DATA / "exiobase3" / "IOT_2011_ixi.zip"
PXP = DATA / "exiobase3" / "IOT_2019_pxp.zip"
EORA = DATA / "eora26" / "Eora26_2015_bp.zip"
FIGARO = DATA / "figaro" / "flatfile_eu-ic-io_ind-by-ind_24ed_2021.csv"
EUR = ["--usd-per-unit", "1.1e6"]  # a test's choice of exchange rate: 1.10 USD per EUR
runner = CliRunner()

# case: database, file, year, exporter, product, importer, monetary unit, USD per unit, extra CLI args
CASES = {
    "exiobase3-ixi": (
        "exiobase3",
        IXI,
        2011,
        "CN",
        "Manufacture of office machinery and computers (30)",
        "DE",
        "M EUR",
        1.1e6,
        EUR,
    ),
    "exiobase3-pxp": ("exiobase3", PXP, 2019, "CN", "Office machinery and computers (30)", "US", "M EUR", 1.1e6, EUR),
    "eora26": ("eora26", EORA, 2015, "CHN", "Electrical and Machinery", "JPN", "1000 USD", 1e3, []),
    "figaro": ("figaro", FIGARO, 2021, "CN", "C26", "DE", "M EUR", 1.1e6, EUR),
}


def _import(tmp_path: Path, case: str, *extra: str, path: Path | None = None) -> Path:
    db, fixture, year, *_, args = CASES[case]
    out = tmp_path / case
    cmd = ["datasets", "import", db, str(path or fixture), "--year", str(year), "--out", str(out), *args, *extra]
    r = runner.invoke(app, cmd)
    assert r.exit_code == 0, r.output
    assert "wrote" in r.output
    return out


def _fails(*args: str) -> str:
    r = runner.invoke(app, ["datasets", "import", *args])
    assert r.exit_code == 2, r.output
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), r.output
    return lines[0]


@pytest.mark.parametrize("case", sorted(CASES))
def test_import_then_run(tmp_path, case):
    db, _, year, exporter, product, importer, money, usd, _ = CASES[case]
    out = _import(tmp_path, case)
    meta = yaml.safe_load((out / "dataset.yaml").read_text())
    assert meta["format"] == "mrio" and meta["year"] == year and meta["licence"] and meta["citation"]
    assert meta["units"]["monetary"] == money and meta["units"]["usd_per_unit"] == usd
    assert ("usd_per_unit_from" in meta["units"]) == bool(CASES[case][-1])  # the exchange rate given is recorded
    assert {p.name for p in out.iterdir()} >= {"Z.parquet", "Y.parquet", "index.parquet", "dataset.yaml"}
    world = load_world(out)
    uv = world.tables["unit_values"]
    assert np.isfinite(uv["usd_per_unit"].to_numpy(float)).all() and (uv["usd_per_unit"] == usd).all()
    sc = tmp_path / "ban.yaml"
    event = {
        "type": "export_control",
        "id": "ban",
        "on": f"{year}-01-05",
        "exporter": exporter,
        "products": [product],
        "destinations": [importer],
        "mode": "ban",
    }
    doc = {"name": f"{case}-ban", "world": str(out), "start": f"{year}-01-01", "horizon_days": 40, "runs": 2}
    sc.write_text(yaml.safe_dump({**doc, "seed": 3, "events": [event]}))
    r = runner.invoke(app, ["run", str(sc), "--out", str(tmp_path / "res")])
    assert r.exit_code == 0, r.output
    assert importer in r.output and money in r.output and "USD lost" in r.output
    assert "nan" not in r.output.lower()
    assert "Value added lost by region and sector" in (tmp_path / "res" / "report.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# the numbers, recomputed from the raw files
# ---------------------------------------------------------------------------------------------
def _exio_table(archive: Path, name: str) -> pd.DataFrame:
    with zipfile.ZipFile(archive) as zf:
        member = next(m for m in zf.namelist() if m.split("/")[-1] == name and m.count("/") <= 1)
        text = zf.read(member).decode()
    rows = [line.split("\t") for line in text.splitlines()]
    if name == "x.txt":
        return pd.DataFrame(
            {"x": [float(r[2]) for r in rows[1:]]}, index=pd.MultiIndex.from_tuples([(r[0], r[1]) for r in rows[1:]])
        )
    cols = pd.MultiIndex.from_arrays([rows[0][2:], rows[1][2:]])
    body = rows[3:]
    return pd.DataFrame(
        [[float(v) for v in r[2:]] for r in body],
        index=pd.MultiIndex.from_tuples([(r[0], r[1]) for r in body]),
        columns=cols,
    )


@pytest.mark.parametrize("case", ["exiobase3-ixi", "exiobase3-pxp"])
def test_exiobase_output_and_variant(tmp_path, case):
    archive = CASES[case][1]
    out = _import(tmp_path, case)
    cw = load_world(out).compile()
    x = _exio_table(archive, "x.txt")["x"]
    got = dict(zip(cw.producers, cw.x0 * 365, strict=True))
    for (r, s), v in x.items():
        assert got[f"{r}.{s}"] == pytest.approx(v, rel=1e-9)
    Z = _exio_table(archive, "Z.txt")
    va = dict(zip(cw.producers, cw.value_added * 365, strict=True))
    for (r, s), v in x.items():
        assert va[f"{r}.{s}"] == pytest.approx(v - Z[(r, s)].sum(), rel=1e-9)
    meta = yaml.safe_load((out / "dataset.yaml").read_text())
    variant = case.split("-")[1]
    assert meta["exiobase"]["variant"] == variant and meta["exiobase"]["unit_in_files"] == "M.EUR"
    assert meta["exiobase"]["x_vs_row_sums_max_rel_gap"] < 1e-9
    assert ("Paddy rice" in cw.products) == (variant == "pxp")
    assert ("Cultivation of paddy rice" in cw.products) == (variant == "ixi")
    y = pd.read_parquet(out / "Y.parquet")
    inv = y[y["category"] == "Changes in inventories"]["value"]
    assert (inv < 0).any() and meta["negative_final_demand"]["entries_in_table"] == int((y["value"] < 0).sum())
    assert not (y["category"] == "Exports: Total (fob)").any()  # all zero: nothing stored


def test_exiobase_without_z_derives_it_from_a_and_x(tmp_path):
    folder = tmp_path / "IOT_2019_pxp"
    with zipfile.ZipFile(PXP) as zf:
        zf.extractall(folder)
    (folder / "Z.txt").unlink()
    para = json.loads((folder / "file_parameters.json").read_text())
    del para["files"]["Z"]
    (folder / "file_parameters.json").write_text(json.dumps(para))
    with_z = pd.read_parquet(_import(tmp_path / "zip", "exiobase3-pxp") / "Z.parquet")
    out = _import(tmp_path / "folder", "exiobase3-pxp", path=tmp_path)  # the folder holding IOT_2019_pxp/
    no_z = pd.read_parquet(out / "Z.parquet")
    assert no_z[["row", "col"]].equals(with_z[["row", "col"]])
    np.testing.assert_allclose(no_z["value"], with_z["value"], rtol=1e-9)
    assert yaml.safe_load((out / "dataset.yaml").read_text())["exiobase"]["Z_from_A_and_x"] is True


def _eora_matrix(name: str) -> np.ndarray:
    with zipfile.ZipFile(EORA) as zf:
        return np.loadtxt(io.StringIO(zf.read(name).decode()), delimiter="\t", ndmin=2)


def test_eora_drops_row_clips_negative_flows_and_keeps_empty_sectors(tmp_path):
    out = _import(tmp_path, "eora26")
    T, FD = _eora_matrix("Eora26_2015_bp_T.txt"), _eora_matrix("Eora26_2015_bp_FD.txt")
    n = T.shape[0] - 1  # last row/column: ROW, the statistical discrepancy
    Z = np.maximum(T[:n, :n], 0.0)
    x = Z.sum(axis=1) + FD[:n, :-6].sum(axis=1)
    cw = load_world(out).compile()
    np.testing.assert_allclose(cw.x0 * 365, x, rtol=1e-12)
    assert cw.x0[cw.producers.index("JPN.Mining and Quarrying")] == 0.0
    meta = yaml.safe_load((out / "dataset.yaml").read_text())
    assert meta["negative_intermediate"]["entries_in_table"] == int((T[:n, :n] < 0).sum()) == 1
    assert meta["negative_intermediate"]["sum_in_table"] == pytest.approx(T[:n, :n][T[:n, :n] < 0].sum())
    assert (pd.read_parquet(out / "Z.parquet")["value"] > 0).all()
    assert "ROW" not in cw.regions and "ROW" in meta["eora"]["discrepancy"]
    inv = pd.read_parquet(out / "Y.parquet").query("category == 'Changes in inventories P.52'")["value"]
    assert (inv < 0).any()


def _figaro_by_hand(path: Path) -> tuple[dict, dict, dict]:
    """Row totals, value added (primary inputs) and Z column sums of the flat file, with csv only."""
    rows, prim, zcol = defaultdict(float), defaultdict(float), defaultdict(float)
    uses = {"P3_S13", "P3_S14", "P3_S15", "P51G", "P5M"}
    with path.open() as fh:
        for rec in csv.DictReader(fh):
            key, col, v = (
                f"{rec['refArea']}.{rec['rowIi']}",
                f"{rec['counterpartArea']}.{rec['colIi']}",
                float(rec["obsValue"]),
            )
            if rec["refArea"] == "W2":
                if rec["colIi"] not in uses:
                    prim[col] += v
                continue
            rows[key] += v
            if rec["colIi"] not in uses:
                zcol[col] += v
    return rows, prim, zcol


def test_figaro_output_and_value_added(tmp_path):
    out = _import(tmp_path, "figaro")
    rows, prim, _ = _figaro_by_hand(FIGARO)
    cw = load_world(out).compile()
    assert list(cw.regions) == ["CN", "DE", "US", "FIGW1"] and list(cw.products) == ["A01", "B", "C26", "C29"]
    for f, x, va in zip(cw.producers, cw.x0 * 365, cw.value_added * 365, strict=True):
        assert x == pytest.approx(rows[f], rel=1e-12)
        assert va == pytest.approx(prim[f], rel=1e-9)  # columns balance: x - Z = primary inputs
    meta = yaml.safe_load((out / "dataset.yaml").read_text())
    assert meta["figaro"]["row_vs_column_totals_max_rel_gap"] < 1e-9 and meta["release"] == "2024 edition"
    assert (pd.read_parquet(out / "Y.parquet").query("category == 'P5M'")["value"] < 0).any()


def test_figaro_matrix_zip_and_pi_spellings_read_the_same(tmp_path):
    base = parse_figaro(FIGARO, 2021)
    flat = pd.read_csv(FIGARO, dtype=str, keep_default_na=False)
    pi = tmp_path / "pi" / FIGARO.name
    pi.parent.mkdir()
    flat.rename(columns={"rowIi": "rowPi", "colIi": "colPi"}).assign(icioRow="x").to_csv(pi, index=False)
    flat["obsValue"] = flat["obsValue"].astype(float)
    flat["r"], flat["c"] = flat["refArea"] + "_" + flat["rowIi"], flat["counterpartArea"] + "_" + flat["colIi"]
    mat = flat.pivot(index="r", columns="c", values="obsValue")
    mat = mat.loc[list(dict.fromkeys(flat["r"])), list(dict.fromkeys(flat["c"]))]
    matrix = tmp_path / "mx" / "matrix_eu-ic-io_ind-by-ind_24ed_2021.csv"
    matrix.parent.mkdir()
    mat.rename_axis("rowLabels").to_csv(matrix)
    zipped = tmp_path / "zp" / "flatfile_eu-ic-io_ind-by-ind_24ed_2021.zip"
    zipped.parent.mkdir()
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.write(FIGARO, FIGARO.name)
    for src, fmt in ((pi, "flat"), (matrix.parent, "matrix"), (zipped, "flat")):
        t = parse_figaro(src, 2021)
        assert t.extra["figaro"]["format"] == fmt
        pd.testing.assert_frame_equal(t.Z, base.Z)
        pd.testing.assert_frame_equal(t.Y, base.Y)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    R=st.integers(1, 3),
    S=st.integers(1, 3),
    seed=st.integers(0, 2**16),
    drop=st.floats(0.0, 0.6),
)
def test_figaro_flat_round_trip(tmp_path, R, S, seed, drop):
    """Random tables written in the flat layout (zeros left out, lines shuffled) come back exactly."""
    rng = np.random.default_rng(seed)
    areas, inds, uses = [f"A{i}" for i in range(R)], [f"I{j}" for j in range(S)], ["P3_S14", "P5M"]
    Z = np.round(rng.uniform(0, 100, (R * S, R * S)) * (rng.random((R * S, R * S)) > drop), 3)
    Y = np.round(rng.uniform(-10, 100, (R * S, R * len(uses))), 3)
    lines = []
    for i, (ra, ri) in enumerate((a, s) for a in areas for s in inds):
        for j, (ca, cc) in enumerate((a, s) for a in areas for s in inds):
            if Z[i, j] != 0:
                lines.append(f"{ra},{ri},{ca},{cc},{Z[i, j]}")
        for j, (ca, cu) in enumerate((a, u) for a in areas for u in uses):
            lines.append(f"{ra},{ri},{ca},{cu},{Y[i, j]}")
    lines += [f"W2,D1,{a},{s},1.0" for a in areas for s in inds]  # every industry column is named
    rng.shuffle(lines)
    # the seed goes in a folder name: in the file name a seed such as 1950 reads as a second year
    path = tmp_path / f"seed-{seed}" / "flatfile_eu-ic-io_ind-by-ind_24ed_2021.csv"
    path.parent.mkdir(exist_ok=True)
    path.write_text("refArea,rowIi,counterpartArea,colIi,obsValue\n" + "\n".join(lines) + "\n")
    t = parse_figaro(path, 2021)
    pos = [f"{a}.{s}" for a in areas for s in inds]
    order = [pos.index(f"{a}.{s}") for a, s in t.Z.index]
    np.testing.assert_array_equal(t.Z.to_numpy(), Z[np.ix_(order, order)])
    ycol = [f"{a}.{u}" for a in areas for u in uses]
    yorder = [ycol.index(f"{a}.{u}") for a, u in t.Y.columns]
    np.testing.assert_array_equal(t.Y.to_numpy(), Y[np.ix_(order, yorder)])


# ---------------------------------------------------------------------------------------------
# aggregation and bad input
# ---------------------------------------------------------------------------------------------
AGG = {
    "exiobase3-pxp": ({"CN": "Asia", "DE": "West", "US": "West"}, "Office machinery and computers (30)"),
    "eora26": ({"CHN": "Asia", "JPN": "Asia", "USA": "West"}, "Electrical and Machinery"),
    "figaro": ({"CN": "Asia", "DE": "West", "US": "West", "FIGW1": "West"}, "C26"),
}


@pytest.mark.parametrize("case", sorted(AGG))
def test_aggregate_by_mapping(tmp_path, case):
    regions, keep = AGG[case]
    base = load_world(_import(tmp_path, case)).compile()
    lines = ["dimension,from,to"] + [f"region,{k},{v}" for k, v in regions.items()]
    lines += [f'sector,"{p}",{"electronics" if p == keep else "other"}' for p in base.products]
    amap = tmp_path / "map.csv"
    amap.write_text("\n".join(lines) + "\n")
    agg = load_world(_import(tmp_path / "agg", case, "--aggregate", str(amap))).compile()
    assert list(agg.regions) == list(dict.fromkeys(regions.values()))
    assert list(agg.products) == list(dict.fromkeys("electronics" if p == keep else "other" for p in base.products))
    assert agg.x0.sum() == pytest.approx(base.x0.sum(), rel=1e-12)
    assert agg.value_added.sum() == pytest.approx(base.value_added.sum(), rel=1e-9)
    asia = [i for i, f in enumerate(base.producers) if regions[f.split(".")[0]] == "Asia" and f.endswith(f".{keep}")]
    assert agg.x0[agg.producers.index("Asia.electronics")] == pytest.approx(base.x0[asia].sum(), rel=1e-12)


@pytest.mark.parametrize("case", sorted(CASES))
def test_missing_file_and_wrong_year(tmp_path, case):
    db, fixture, year, *_, args = CASES[case]
    line = _fails(db, str(tmp_path / "nothing.zip"), "--year", str(year), "--out", str(tmp_path / "o"), *args)
    assert "nothing.zip" in line and "no such file" in line
    line = _fails(db, str(fixture), "--year", str(year - 1), "--out", str(tmp_path / "o"), *args)
    assert fixture.name in line and f"not {year - 1}" in line


@pytest.mark.parametrize("case", ["exiobase3-ixi", "figaro"])
def test_euro_tables_need_an_exchange_rate(tmp_path, case):
    db, fixture, year, *_ = CASES[case]
    line = _fails(db, str(fixture), "--year", str(year), "--out", str(tmp_path / "o"))
    assert "--usd-per-unit" in line and "M EUR" in line


def _copy_zip(src: Path, dst: Path, edit) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for name in zin.namelist():
            text = edit(name, zin.read(name).decode())
            if text is not None:
                zout.writestr(name, text)
    return dst


def test_malformed_exiobase(tmp_path):
    garbage = tmp_path / "a" / IXI.name
    garbage.parent.mkdir()
    garbage.write_text("not a zip")
    assert "not a zip archive" in _fails(
        "exiobase3", str(garbage), "--year", "2011", "--out", str(tmp_path / "o"), *EUR
    )
    no_y = _copy_zip(IXI, tmp_path / "b" / IXI.name, lambda n, t: None if n.endswith("/Y.txt") else t)
    line = _fails("exiobase3", str(no_y), "--year", "2011", "--out", str(tmp_path / "o"), *EUR)
    assert IXI.name in line and "Y.txt" in line
    cut = _copy_zip(
        IXI, tmp_path / "c" / IXI.name, lambda n, t: t.replace("\t1", "\tx", 3) if n.endswith("/Z.txt") else t
    )
    line = _fails("exiobase3", str(cut), "--year", "2011", "--out", str(tmp_path / "o"), *EUR)
    assert IXI.name in line and "non-numeric" in line
    both = tmp_path / "d"
    both.mkdir()
    for f in (IXI, PXP):
        shutil.copy(f, both / f.name.replace("2019", "2011"))
    assert "several EXIOBASE tables" in _fails(
        "exiobase3", str(both), "--year", "2011", "--out", str(tmp_path / "o"), *EUR
    )


def test_malformed_eora(tmp_path):
    no_labels = _copy_zip(EORA, tmp_path / "a" / EORA.name, lambda n, t: None if n == "labels_T.txt" else t)
    line = _fails("eora26", str(no_labels), "--year", "2015", "--out", str(tmp_path / "o"))
    assert EORA.name in line and "labels_T.txt" in line
    short = _copy_zip(
        EORA, tmp_path / "b" / EORA.name, lambda n, t: "\n".join(t.splitlines()[:-2]) if n.endswith("_T.txt") else t
    )
    line = _fails("eora26", str(short), "--year", "2015", "--out", str(tmp_path / "o"))
    assert EORA.name in line
    empty = tmp_path / "c"
    empty.mkdir()
    assert "no Eora26_2015_bp.zip" in _fails("eora26", str(empty), "--year", "2015", "--out", str(tmp_path / "o"))


def test_download_of_eora_and_figaro_says_where_to_get_them(tmp_path):
    for db, where in (("eora26", "worldmrio.com"), ("figaro", "ec.europa.eu/eurostat")):
        r = runner.invoke(app, ["datasets", "download", db, str(tmp_path), "--year", "2015", "--yes"])
        assert r.exit_code == 2 and where in r.output, r.output


def test_malformed_figaro(tmp_path):
    text = FIGARO.read_text().splitlines()

    def write(name: str, lines: list[str]) -> str:
        p = tmp_path / name / FIGARO.name
        p.parent.mkdir()
        p.write_text("\n".join(lines) + "\n")
        return str(p)

    args = ["--year", "2021", "--out", str(tmp_path / "o"), *EUR]
    bad_value = text[:]
    bad_value[7] = bad_value[7].rsplit(",", 1)[0] + ",12.5x"
    line = _fails("figaro", write("a", bad_value), *args)
    assert f"{FIGARO.name}:8" in line and "obsValue" in line
    line = _fails("figaro", write("b", [text[0].replace("obsValue", "value"), *text[1:]]), *args)
    assert ":1" in line and "obsValue" in line
    line = _fails("figaro", write("c", [*text, text[5]]), *args)
    assert f":{len(text) + 1}" in line and "given twice" in line
    line = _fails("figaro", write("d", [*text, "XX,C26,DE,A01,1.0"]), *args)
    assert "unknown row XX_C26" in line
