"""Static exposure indicators: hand-worked HHI, import reliance and EU supply risk."""

from __future__ import annotations

import pytest
from conftest import chain_world
from typer.testing import CliRunner

from chokepoints.cli import app
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
    gov = {"CHN": 6.0, "AUS": 2.0}
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
