"""Static exposure indicators: hand-worked HHI, import reliance and EU supply risk."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import chain_world
from typer.testing import CliRunner

import chokepoints as cp
from chokepoints.cli import app
from chokepoints.errors import InputError
from chokepoints.indicators.exposure import concentration, import_reliance, supply_risk


def test_hhi_and_import_reliance_by_hand():
    w = chain_world(second_supplier=True)  # ore: CHN 50/day, AUS 50/day, all bought by the USA maker
    conc = concentration(w).set_index("product")
    assert conc.loc["ore", "hhi"] == pytest.approx(0.5**2 + 0.5**2)
    ir = import_reliance(w, region="USA").set_index("product")
    assert ir.loc["ore", "gross_import_share"] == pytest.approx(1.0)
    assert ir.loc["ore", "net_import_reliance"] == pytest.approx(1.0)
    assert ir.loc["widget", "net_import_reliance"] == pytest.approx(0.0)


def test_eu_supply_risk_formula_by_hand():
    w = chain_world(second_supplier=True)
    gov = {"CHN": 6.0, "AUS": 2.0, "USA": 1.0}  # every producing region needs a score (USA makes the widget)
    sr = supply_risk(w, "USA", gov, eol_rir=0.1, substitution_index=0.9).set_index("product")
    hhi = 0.25 * 6 + 0.25 * 2  # global supply and US sourcing coincide here
    ir = 1.0
    expected = (hhi * ir / 2 + hhi * (1 - ir / 2)) * (1 - 0.1) * 0.9
    assert sr.loc["ore", "supply_risk"] == pytest.approx(expected)
    assert sr.loc["ore", "weighting"].startswith("WGI")


def test_exposure_cli():
    r = CliRunner().invoke(app, ["exposure", "USA", "--product", "ndfeb_magnet"])
    assert r.exit_code == 0, r.output
    assert "ndfeb_magnet" in r.output and "CHN" in r.output
    r = CliRunner().invoke(app, ["exposure", "ATLANTIS"])
    assert r.exit_code == 2 and "unknown region" in r.output
    r = CliRunner().invoke(app, ["exposure", "USA", "--eol-rir", "2"])
    assert r.exit_code == 2 and "--eol-rir" in r.output


def three_regions() -> cp.World:
    """B (poor governance) exports m to A and C; C makes half of what it uses; B uses none."""
    return cp.World.from_tables(
        name="three",
        version="test",
        regions=pd.DataFrame({"region": ["A", "B", "C"], "name": ["A", "B", "C"]}),
        products=pd.DataFrame({"product": ["m"], "name": ["magnet"], "unit": ["t"], "stage": ["magnet"]}),
        producers=pd.DataFrame(
            [("B.m", "B", "m", 30.0, 20.0, ""), ("C.m", "C", "m", 15.0, 10.0, "")],
            columns=["producer", "region", "product", "capacity_per_day", "output_per_day", "end_use"],
        ),
        recipes=pd.DataFrame(columns=["producer", "input_product", "amount_per_unit", "unit"]),
        supply_links=pd.DataFrame(
            [("fd.A.m", "m", "B.m", 1.0), ("fd.C.m", "m", "B.m", 0.5), ("fd.C.m", "m", "C.m", 0.5)],
            columns=["buyer", "product", "supplier", "share"],
        ),
        final_demand=pd.DataFrame(
            [("fd.A.m", "A", "m", "users", 10.0), ("fd.C.m", "C", "m", "users", 20.0)],
            columns=["demand", "region", "product", "end_use", "amount_per_day"],
        ),
    )


def test_three_region_supply_risk_by_hand():
    w = three_regions()
    gov = {"A": 2.0, "B": 6.0, "C": 2.0}
    # world supply: B 20, C 10 -> HHI_WGI,GS = (2/3)^2 * 6 + (1/3)^2 * 2 = 26/9
    hhi_gs = 26 / 9
    sr = pd.concat([supply_risk(w, r, gov) for r in ("A", "C")]).set_index("region")
    # A: all imported from B (IR 1, sourcing HHI_WGI = 6); C: IR (20 - 10) / 20 = 0.5, half from B, half own
    assert sr.loc["A", "import_reliance"] == pytest.approx(1.0)
    assert sr.loc["C", "import_reliance"] == pytest.approx(0.5)
    assert sr.loc["A", "supply_risk"] == pytest.approx(hhi_gs / 2 + 6 / 2)
    assert sr.loc["C", "supply_risk"] == pytest.approx(hhi_gs * 0.25 + (0.25 * 6 + 0.25 * 2) * 0.75)
    assert sr.loc["A", "supply_risk"] > sr.loc["C", "supply_risk"]  # more reliant and more concentrated
    assert supply_risk(w, "B", gov).empty  # B buys none


def test_governance_required_and_complete():
    w = three_regions()
    with pytest.raises(InputError, match="required"):
        supply_risk(w, "A", None)
    with pytest.raises(InputError, match="no governance score for B"):
        supply_risk(w, "A", {"A": 2.0, "C": 2.0})


def test_exposure_all_regions_cli(tmp_path):
    r = CliRunner().invoke(app, ["exposure", "--all-regions", "--product", "ndfeb_magnet"])
    assert r.exit_code == 0, r.output
    table = r.output.split("Import reliance")[1]
    for region in ("CHN", "EU", "JPN", "ROW", "USA"):
        assert f"│ {region} " in table
    assert "needs governance scores" in r.output
    r = CliRunner().invoke(app, ["exposure", "USA", "--all-regions"])
    assert r.exit_code == 2 and "one REGION or --all-regions" in r.output
    gov = tmp_path / "gov.csv"
    gov.write_text("region,wgi_scaled\nCHN,6\n")
    r = CliRunner().invoke(app, ["exposure", "--all-regions", "--product", "ndfeb_magnet", "--governance", str(gov)])
    assert r.exit_code == 2 and "no governance score for" in r.output
