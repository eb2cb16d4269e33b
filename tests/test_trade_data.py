"""Trade data: BACI and UN Comtrade loaders on small files in their exact formats, and the
bundled tables' sources (every row cites an existing source)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import chokepoints as cp
import chokepoints.trade as tr
from chokepoints.errors import InputError
from chokepoints.trade.data import data_dir

# -- BACI ---------------------------------------------------------------------------------------

BACI = """t,i,j,k,v,q
2023,156,842,851712,50085.0,1200.5
2023,704,842,851712,3475.2,80.0
2023,484,842,851712,12870.6,           NA
2023,156,842,10121,125.0,3.0
2023,842,156,120190,12800.0,27000000.0
2023,76,156,120190,51200.0,105000000.0
2022,156,842,851712,40000.0,1000.0
"""
CODES_NEW = """country_code,country_name,country_iso2,country_iso3
76,Brazil,BR,BRA
156,China,CN,CHN
484,Mexico,MX,MEX
704,Viet Nam,VN,VNM
842,USA,US,USA
"""
CODES_OLD = """\
country_code,country_name_abbreviation,country_name_full,iso_2digit_alpha,iso_3digit_alpha
76,Brazil,Brazil,BR,BRA
156,China,China,CN,CHN
484,Mexico,Mexico,MX,MEX
704,Viet Nam,Viet Nam,VN,VNM
842,USA,United States of America,US,USA
"""


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("codes_text", [CODES_NEW, CODES_OLD])
def test_read_baci(tmp_path, codes_text):
    f = _write(tmp_path / "BACI_HS17_Y2023_V202401.csv", BACI)
    codes = _write(tmp_path / "country_codes_V202401.csv", codes_text)
    df = tr.read_baci(f, codes, year=2023)
    assert list(df.columns) == [
        "year",
        "importer",
        "exporter",
        "product",
        "value_usd_m",
        "quantity",
    ]
    assert len(df) == 6
    first = df.iloc[0]
    assert (first.importer, first.exporter, first["product"]) == ("USA", "CHN", "851712")
    assert first.value_usd_m == pytest.approx(50.085)  # v is in thousand USD
    assert df.loc[3, "product"] == "010121"  # leading zero restored
    assert np.isnan(df.loc[2, "quantity"])  # 'NA' quantity
    assert set(tr.read_baci(f, codes, importers=["CHN"])["importer"]) == {"CHN"}


def test_baci_errors_name_file_row_and_column(tmp_path):
    codes = _write(tmp_path / "codes.csv", CODES_NEW)
    with pytest.raises(InputError) as exc:
        tr.read_baci(_write(tmp_path / "a.csv", "t,i,j,k,v\n2023,156,842,851712,1.0\n"), codes)
    assert exc.value.problems[0].field == "q" and "t, i, j, k, v, q" in str(exc.value)
    with pytest.raises(InputError) as exc:
        tr.read_baci(_write(tmp_path / "b.csv", "t,i,j,k,v,q\n2023,999,842,851712,1.0,2\n"), codes)
    p = exc.value.problems[0]
    assert (p.row, p.field) == (1, "i") and "999" in p.message
    with pytest.raises(InputError) as exc:
        tr.read_baci(_write(tmp_path / "c.csv", "t,i,j,k,v,q\n2023,156,842,851712,-1.0,2\n"), codes)
    assert exc.value.problems[0].field == "v"


# -- UN Comtrade ----------------------------------------------------------------------------------

COMTRADE_HEADER = (
    "typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,reporterISO,reporterDesc,flowCode,"
    "flowDesc,partnerCode,partnerISO,partnerDesc,partner2Code,partner2ISO,partner2Desc,classificationCode,"
    "classificationSearchCode,isOriginalClassification,cmdCode,cmdDesc,aggrLevel,isLeaf,customsCode,customsDesc,"
    "mosCode,motCode,motDesc,qtyUnitCode,qtyUnitAbbr,qty,isQtyEstimated,altQtyUnitCode,altQtyUnitAbbr,altQty,"
    "isAltQtyEstimated,netWgt,isNetWgtEstimated,grossWgt,isGrossWgtEstimated,cifvalue,fobvalue,primaryValue,"
    "legacyEstimationFlag,isReported,isAggregate"
)


def _ct_row(
    flow: str,
    partner_code: str,
    partner: str,
    cmd: str,
    value: str,
    partner2: str = "0",
    mot: str = "0",
) -> str:
    fields = [
        "C",
        "A",
        "20240101",
        "2024",
        "52",
        "2024",
        "842",
        "USA",
        "USA",
        flow,
        "Import" if flow == "M" else "Export",
        partner_code,
        partner,
        partner,
        partner2,
        "W00",
        "World",
        "H6",
        "HS",
        "true",
        cmd,
        "desc",
        "6",
        "true",
        "C00",
        "TOTAL CPC",
        "0",
        mot,
        "TOTAL MOT",
        "-1",
        "N/A",
        "",
        "false",
        "-1",
        "N/A",
        "",
        "false",
        "",
        "false",
        "",
        "false",
        value,
        "",
        value,
        "0",
        "true",
        "false",
    ]
    return ",".join(f'"{x}"' if x != "" else "" for x in fields)


def test_read_comtrade_bulk(tmp_path):
    lines = [
        COMTRADE_HEADER,
        _ct_row("M", "156", "CHN", "851712", "50085000000"),
        _ct_row("M", "704", "VNM", "851712", "3475200000"),
        _ct_row("X", "156", "CHN", "120190", "12800000000"),  # an export: dropped
        _ct_row("M", "0", "W00", "851712", "119000000000"),  # the world: dropped
        _ct_row("M", "156", "CHN", "851712", "1", mot="2100"),  # a mode-of-transport breakdown: dropped
    ]
    f = _write(tmp_path / "TradeData.csv", "\n".join(lines) + "\n")
    df = tr.read_comtrade(f)
    assert df[["importer", "exporter", "product"]].values.tolist() == [
        ["USA", "CHN", "851712"],
        ["USA", "VNM", "851712"],
    ]
    assert df.value_usd_m.tolist() == pytest.approx([50085.0, 3475.2])


def test_read_comtrade_legacy_layout(tmp_path):
    text = (
        "Classification,Year,Period,Period Desc.,Aggregate Level,Is Leaf Code,Trade Flow Code,"
        "Trade Flow,"
        "Reporter Code,Reporter,Reporter ISO,Partner Code,Partner,Partner ISO,Commodity Code,"
        "Commodity,"
        "Trade Value (US$)\n"
        "H5,2019,2019,2019,6,1,1,Import,842,USA,USA,156,China,CHN,851712,Phones,59400000000\n"
        "H5,2019,2019,2019,6,1,2,Export,842,USA,USA,156,China,CHN,120190,Soybeans,8000000000\n"
    )
    df = tr.read_comtrade(_write(tmp_path / "legacy.csv", text))
    assert len(df) == 1 and df.value_usd_m.iloc[0] == pytest.approx(59400.0)
    with pytest.raises(InputError, match="UN Comtrade"):
        tr.read_comtrade(_write(tmp_path / "x.csv", "a,b\n1,2\n"))


def test_scenario_on_baci_data(tmp_path):
    _write(tmp_path / "baci.csv", BACI)
    _write(tmp_path / "codes.csv", CODES_NEW)
    _write(
        tmp_path / "sc.yaml",
        """\
name: baci-test
start: 2025-01-01
horizon_days: 365
events:
  - type: trade_setup
    on: 2025-01-01
    data: baci.csv
    format: baci
    country_codes: codes.csv
    year: 2023
    importers: [USA]
""",
    )
    sc = cp.Scenario.from_yaml(tmp_path / "sc.yaml")
    ds = tr.analyse(sc, dates=[dt.date(2025, 4, 10)])
    assert set(ds.line_importer.values) == {"USA"}
    assert set(ds.line_section.values) == {"XVI", "I"}
    phones = ds.sel(line="USA:851712", partner="CHN")
    assert float(phones.rate.isel(run=0, date=0)) == 145.0
    assert float(phones.imports_new.isel(run=0, date=0)) < float(phones.imports_base) * 0.5
    assert float(ds.sel(line="USA:851712", partner="MEX").imports_new.isel(run=0, date=0)) > 12.8706


# -- bundled tables -------------------------------------------------------------------------------

TABLES = [
    "flows.csv",
    "products.csv",
    "tariff_layers.csv",
    "stacking_rules.csv",
    "elasticities.csv",
]


def test_every_bundled_row_cites_an_existing_source():
    src = tr.load_sources()
    ids = set(src["source_id"])
    assert len(ids) == len(src), "duplicate source ids"
    assert set(src["kind"]) <= {"source", "derived", "assumption"}
    assert (src.loc[src["kind"] == "source", "url"].str.startswith("http")).all()
    assert (src["note"].str.len() > 10).all() and (src["title"].str.len() > 3).all()
    for name in TABLES:
        with open(data_dir() / name, newline="", encoding="utf-8") as fh:
            for n, row in enumerate(csv.DictReader(fh), start=1):
                cited = [s.strip() for s in row["source"].split(";") if s.strip()]
                assert cited, f"{name} row {n} cites no source"
                assert set(cited) <= ids, f"{name} row {n}: unknown source {set(cited) - ids}"
    assert not (data_dir() / "dataset.yaml").exists()  # not a World dataset


def test_bundled_flows_match_the_sourced_totals():
    td = tr.load_bundled()
    f = td.flows
    us = f[f.importer == "USA"].groupby("exporter")["value_usd_m"].sum()
    assert us["CHN"] == pytest.approx(438900.0, abs=0.1)  # Census 2024 (dmr_ft_2024)
    assert us["VNM"] == pytest.approx(136600.0, abs=0.5)
    assert us["MEX"] == pytest.approx(505900.0, abs=0.5)
    phones = f[(f.importer == "USA") & (f["product"] == "telephones")].set_index("exporter")["value_usd_m"]
    assert phones["CHN"] / phones.sum() == pytest.approx(0.42, abs=1e-4)  # China's share in the source
    cn = f[f.importer == "CHN"].groupby("exporter")["value_usd_m"].sum()
    assert cn["USA"] == pytest.approx(143545.7, abs=0.1)
    assert set(td.products["section"]) - {""} <= set(tr.HS_SECTIONS)


def test_elasticity_table_validation(tmp_path):
    table = tr.load_elasticity_table()
    assert set(table["parameter"]) == {"eta", "sigma", "epsilon"}
    bad = _write(
        tmp_path / "e.csv",
        "importer,exporter,products,parameter,value,source\n*,*,*,sigma,-1.5,x\n",
    )
    with pytest.raises(InputError, match="sigma .* must be positive") as exc:
        tr.load_elasticity_table(bad)
    assert (exc.value.problems[0].row, exc.value.problems[0].field) == (1, "value")
    bad = _write(tmp_path / "f.csv", "importer,exporter,products,parameter,value,source\n*,*,*,eta,1.5,x\n")
    with pytest.raises(InputError, match="eta .* must be negative"):
        tr.load_elasticity_table(bad)


def test_elasticities_most_specific_row_wins(tmp_path):
    from chokepoints.trade.analysis import build_market, resolve_elasticities

    td = tr.load_bundled()
    market = build_market(td)
    table = pd.DataFrame(
        {
            "importer": ["*", "*", "*", "USA", "*", "*"],
            "exporter": ["*", "*", "*", "*", "*", "CHN"],
            "products": ["*", "*", "*", "section:XVI", "telephones", "*"],
            "parameter": ["eta", "sigma", "epsilon", "eta", "eta", "epsilon"],
            "value": [-1.5, 1.5, 99.0, -2.0, -3.0, 4.0],
            "source": ["a"] * 6,
        }
    )
    eta, sigma, eps, _ = resolve_elasticities(table, market)
    lid = list(market.line_id)
    assert eta[lid.index("USA:telephones")] == -3.0
    assert eta[lid.index("USA:computers")] == -2.0
    assert eta[lid.index("USA:other_toys")] == -1.5
    j = list(market.partners).index("CHN")
    assert eps[lid.index("USA:computers"), j] == 4.0 and eps[lid.index("USA:computers"), j - 1 if j else 1] == 99.0


def test_tidy_data_and_missing_files_are_located(tmp_path):
    _write(
        tmp_path / "flows.csv",
        "importer,exporter,product,hs,value_usd_m\n"
        "USA,CHN,widgets,8501,100\nUSA,VNM,widgets,8501,50\nUSA,CHN,gadgets,9503,20\n",
    )
    _write(
        tmp_path / "sc.yaml",
        """\
name: tidy
start: 2025-01-01
horizon_days: 365
events:
  - type: trade_setup
    id: setup
    on: 2025-01-01
    data: flows.csv
    format: tidy
    sigma: 3.0
  - type: tariff
    importer: USA
    exporter: CHN
    products: [section:XVI]
    layer: section_301
    rate: 25
    on: 2025-03-01
""",
    )
    ds = tr.analyse(cp.Scenario.from_yaml(tmp_path / "sc.yaml"))
    days = [str(d)[:10] for d in ds["date"].values]
    assert days[:3] == ["2025-02-04", "2025-03-01", "2025-03-04"] and "2025-11-10" in days
    r = ds.rate.isel(run=0)
    assert float(r.sel(date="2025-03-01", line="USA:widgets", partner="CHN")) == 35  # 25 + 10
    assert float(r.sel(date="2025-03-04", line="USA:widgets", partner="CHN")) == 45  # 25 + 20
    assert float(r.sel(date="2025-03-04", line="USA:gadgets", partner="CHN")) == 20  # section XX
    assert float(r.sel(date="2025-03-04", line="USA:widgets", partner="VNM")) == 0
    text = (tmp_path / "sc.yaml").read_text().replace("data: flows.csv", "data: nowhere.csv")
    _write(tmp_path / "sc2.yaml", text)
    with pytest.raises(InputError) as exc:
        tr.analyse(cp.Scenario.from_yaml(tmp_path / "sc2.yaml"))
    p = exc.value.problems[0]
    assert p.field == "events[0].data" and p.line == 8 and "file not found" in p.message


# -- SMART defaults ------------------------------------------------------------------------------


def test_smart_constants_are_the_sourced_rows():
    """SMART_SIGMA / SMART_EPSILON (the defaults of solve, solve_arrays, smart_linear and the negotiation
    levers) equal the bundled elasticity rows citing wits_smart_defaults, and that source exists."""
    import inspect

    from chokepoints.datasets.smart import SMART_EPSILON, SMART_SIGMA, SOURCE_ID, smart_defaults
    from chokepoints.negotiation.spec import Lever

    assert smart_defaults() == {"sigma": SMART_SIGMA, "epsilon": SMART_EPSILON}
    table = tr.load_elasticity_table()
    row = table[(table["parameter"] == "sigma") & (table["importer"] == "*")].iloc[0]
    assert float(row["value"]) == SMART_SIGMA and SOURCE_ID in row["source"]
    assert SOURCE_ID in set(tr.load_sources()["source_id"])
    for fn in (tr.solve, tr.solve_arrays, tr.smart_linear, tr.check_smart):
        params = inspect.signature(fn).parameters
        assert params["sigma"].default == SMART_SIGMA and params["epsilon"].default == SMART_EPSILON
    assert Lever.model_fields["sigma"].default == SMART_SIGMA
    assert Lever.model_fields["epsilon"].default == SMART_EPSILON
    assert tr.data.SMART_SIGMA is SMART_SIGMA


def test_smart_defaults_reads_a_given_table(tmp_path):
    from chokepoints.datasets.smart import smart_defaults

    path = tmp_path / "el.csv"
    path.write_text(
        "importer,exporter,products,parameter,value,source,note\n"
        "*,*,*,sigma,2.0,wits_smart_defaults,x\n*,*,*,epsilon,50,other,x\n"
        "USA,*,*,sigma,9,wits_smart_defaults,x\n",
        encoding="utf-8",
    )
    assert smart_defaults(path) == {"sigma": 2.0}
