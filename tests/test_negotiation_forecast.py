"""Stakeholder forecasts on the bundled talks: scales, models, ensemble, Sobol, leave-one-round-out scores."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from chokepoints.cli import app
from chokepoints.errors import InputError
from chokepoints.negotiation import forecast as fc
from chokepoints.negotiation import scoring
from chokepoints.negotiation.analysis import analyse
from chokepoints.negotiation.loader import load_negotiation
from chokepoints.negotiation.spec import spec_from_data
from chokepoints.negotiation.stakeholders import compromise, weighted_median


@pytest.fixture(scope="module")
def talks():
    spec, sc, world = load_negotiation("us-china-talks-2025")
    res = analyse(spec, sc, world)
    return spec, res, world, fc.round_tables(res, world)


def test_round_tables_scales_and_actuals(talks):
    spec, res, _, tables = talks
    assert [t.name for t in tables] == ["geneva", "london", "busan"]
    geneva = tables[0]
    k = geneva.agenda.index("tariffs")
    # keep = the US additional tariff in force before Geneva: 20 (fentanyl) + 125 (reciprocal) = 145 %
    assert geneva.units[k][0] == pytest.approx(145)
    assert list(geneva.units[k][1:]) == [80, 54, 30, 20, 10]
    assert geneva.scales[k].min() == 0 and geneva.scales[k].max() == 1
    # the actual package of Geneva: tariffs 30, truce 90, the rest unchanged
    act = {geneva.agenda[j]: geneva.options[j][c] for j, c in enumerate(geneva.actual)}
    assert act["tariffs"] == 30 and act["truce"] == 90 and act["licence_approval"] == "keep"
    # the term values come from the cache: no simulation was added
    assert res.cache.stats.simulated == res.provenance["simulations"]


def test_point_models_follow_their_formulas(talks):
    spec, res, _, tables = talks
    t = tables[-1]
    prefs = fc.Preferences.of(spec)
    factions = res.talks[-1].factions
    pred = fc.predict(t, spec, factions, prefs)
    fu, U = fc.utilities(t, spec, factions, prefs)
    # the party utilities equal those of the analysis (same normalisation, same weights)
    assert U == pytest.approx(res.talks[-1].U)
    X, S, c = fc.stakeholders_of(t, spec, prefs, fu)
    for k in range(len(t.agenda)):
        assert pred.positions["compromise"][k] == pytest.approx(compromise(X[:, k], c, S[:, k]))
        assert pred.positions["median"][k] == pytest.approx(weighted_median(X[:, k], c * S[:, k]))
        # snapping picks the nearest option
        assert pred.codes["compromise"][k] == np.argmin(np.abs(t.scales[k] - pred.positions["compromise"][k]))
    # Nash is the analysis' Nash package
    assert tuple(pred.codes["nash"]) == tuple(t.codes[res.talks[-1].nash])


def test_ensemble_bands_are_distributions_and_seeded(talks):
    _, res, world, tables = talks
    a = fc.ensemble(res, world, draws=40, tables=tables, seed=3)
    b = fc.ensemble(res, world, draws=40, tables=tables, seed=3)
    c = fc.ensemble(res, world, draws=40, tables=tables, seed=4)
    for ra, rb in zip(a.rounds, b.rounds, strict=True):
        for m in fc.MODELS:
            assert ra.bands[m].packages == rb.bands[m].packages
    assert any(
        ra.bands[m].packages != rc.bands[m].packages
        for ra, rc in zip(a.rounds, c.rounds, strict=True)
        for m in fc.MODELS
    )
    for rf in a.rounds:
        for band in rf.bands.values():
            assert sum(p for _, p in band.packages) == pytest.approx(1.0)
            assert sum(band.probability(k) for k in band.set90) >= 0.9 - 1e-12
            assert (band.p05 <= band.median + 1e-12).all() and (band.median <= band.p95 + 1e-12).all()
        assert rf.agenda_gain is not None and rf.agenda_gain.shape == (40, 3, 2)
        assert rf.agenda_gain[:, 2] == pytest.approx(rf.agenda_gain[:, 1] - rf.agenda_gain[:, 0])


def test_sobol_capability_does_not_move_nash(talks):
    _, res, world, tables = talks
    s = fc.sobol_ranking(res, world, n=16, tables=tables)
    assert set(s) == {"compromise", "median", "nash"}
    # capability enters the stakeholder models only, not the two-party Nash solution
    assert s["nash"]["parties.USA.capability"][1] == pytest.approx(0.0, abs=1e-12)
    assert s["compromise"]["parties.USA.capability"][1] > 0.05


def test_score_is_leave_one_round_out(talks):
    spec, res, world, tables = talks
    sc = scoring.score(res, world, tables=tables)
    parties = spec.party_names
    base = fc.Preferences.of(spec)
    factions = res.talks[0].factions

    def err(th, m, t):
        return fc.error(t, fc.predict(t, spec, factions, base.with_theta(th, parties), (m,)).codes[m])

    for row in sc.rows:
        if row.model not in ("compromise", "nash"):
            continue
        held = next(t for t in tables if t.name == row.round)
        others = [t for t in tables if t.name != row.round]
        losses = {th: np.mean([err(th, row.model, t) for t in others]) for th in fc.THETA_GRID}
        assert losses[row.theta] == pytest.approx(min(losses.values()))
        assert row.error == pytest.approx(err(row.theta, row.model, held))
    assert sc.best() in fc.MODELS
    assert sc.overall("compromise") == pytest.approx(np.mean([r.error for r in sc.rows if r.model == "compromise"]))


def test_cli_score_prints_errors_per_round_and_overall(tmp_path):
    result = CliRunner().invoke(
        app, ["negotiate", "us-china-talks-2025", "--draws", "30", "--score", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output[-2000:]
    out = result.output
    assert "Out-of-sample error per round" in out and "Best out of sample:" in out
    for name in ("geneva", "london", "busan", "compromise (baseline)", "challenge", "exchange", "nash"):
        assert name in out
    assert "Sobol" in out and "parties.USA.capability" in out
    html = (tmp_path / "negotiation.html").read_text(encoding="utf-8")
    assert "Stakeholder forecasts with bands" in html


def test_unknown_uncertain_preference_is_located():
    spec, _, _ = load_negotiation("us-china-talks-2025")
    data = spec.model_dump(mode="json", exclude={"source_path"})
    data["uncertain"] = [
        {"parameter": "parties.USA.factions.nobody.weight", "distribution": "uniform", "low": 0, "high": 1}
    ]
    with pytest.raises(InputError, match="unknown faction 'nobody'"):
        spec_from_data(data)
    data["uncertain"] = [
        {"parameter": "parties.USA.factions.farm.terms.9.coef", "distribution": "uniform", "low": 0, "high": 1}
    ]
    with pytest.raises(InputError, match="has 2 terms"):
        spec_from_data(data)


def test_past_rounds_are_sourced_and_match_the_scored_rounds(talks):
    spec, _, _, tables = talks
    past = scoring.past_rounds()
    assert {"s301_list1", "phase_one", "geneva", "london", "october", "busan"} <= set(past["round"])
    assert (past["source_url"].str.startswith("http")).all() and (past["facts_key"] != "").all()
    scored = set(past.loc[past["scored_by"] == "us-china-talks-2025", "round"])
    assert scored == {t.name for t in tables if t.actual is not None}
    # the bundled talks agree with the table on the dates of the scored rounds
    for r in spec.rounds:
        if r.name in scored:
            assert str(r.date) == past.loc[past["round"] == r.name, "date"].item()


def test_cli_beijing_prints_full_versus_restricted_with_bands_and_charts_it(tmp_path):
    result = CliRunner().invoke(app, ["negotiate", "us-china-beijing-2026", "--draws", "40", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output[-2000:]
    out = result.output
    assert "without chip_controls, licence_approval on the table (Nash), median [5-95 %]" in " ".join(out.split())
    for col in ("full agenda", "restricted", "change", "P(change > 0)"):
        assert col in out
    html = (tmp_path / "negotiation.html").read_text(encoding="utf-8")
    assert "What keeping the excluded issues off the table gains" in html
    assert "Full versus restricted agenda (Nash), over the draws" in html
