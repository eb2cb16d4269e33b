"""Back-test and calibration: unit conversions, series mapping by hand, ABC recovery on a synthetic case."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from conftest import chain_world

import chokepoints as cp
from chokepoints.backtest import abc_rejection, confront, convert, simulate_for_backtest, summary
from chokepoints.datasets.observations import load_observations, parse_period
from chokepoints.errors import InputError


def test_unit_conversions_by_hand() -> None:
    assert convert(5000.0, "t", "kt") == pytest.approx(5.0)
    assert convert(1_237_000.0, "vehicles", "million units") == pytest.approx(1.237)
    assert convert(25.0, "%", "share") == pytest.approx(0.25)
    assert convert(2.0, "kg", "t") == pytest.approx(0.002)
    with pytest.raises(InputError, match="cannot convert 't'"):
        convert(1.0, "t", "units")
    with pytest.raises(InputError, match="unknown unit"):
        convert(1.0, "furlongs", "t")


def test_periods() -> None:
    assert parse_period("2025-05") == (dt.date(2025, 5, 1), dt.date(2025, 6, 1))
    assert parse_period("2025-H1") == (dt.date(2025, 1, 1), dt.date(2025, 7, 1))
    assert parse_period("2025-04/2025-06") == (dt.date(2025, 4, 1), dt.date(2025, 7, 1))
    assert parse_period("2024") == (dt.date(2024, 1, 1), dt.date(2025, 1, 1))
    with pytest.raises(ValueError):
        parse_period("May 2025")


def _table(folder: Path, rows: list[tuple[str, str, float, str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["series,period,value,unit,geography,source"] + [
        f"{s},{p},{v},{u},CHN -> USA,S.test" for s, p, v, u in rows
    ]
    (folder / "observations.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "sources.csv").write_text("source_id,kind,title,url,date,note\nS.test,source,test,,,made up for a test\n")
    return folder


def _scenario(folder: Path, approval, uncertain=None, runs=1, tolerance=0.3) -> cp.Scenario:
    return cp.Scenario.from_dict(
        {
            "name": "bt",
            "world": "chain",
            "start": "2025-04-04",
            "horizon_days": 120,
            "runs": runs,
            "seed": 7,
            "engine": {"psi_param": 0.5},
            "events": [
                {
                    "type": "export_control",
                    "id": "lic",
                    "on": "2025-04-04",
                    "exporter": "CHN",
                    "products": ["ore"],
                    "mode": "licence",
                    "review_days": 0,
                    "approval_rate": approval,
                }
            ],
            "uncertain": uncertain or [],
            "backtest": {
                "observed": str(folder),
                "fit": ["ore.usa"],
                "tolerance": tolerance,
                "series": {
                    "ore.usa": {"quantity": "shipments", "exporter": "CHN", "products": ["ore"], "aggregate": "sum"}
                },
            },
        }
    )


def test_series_mapping_by_hand(tmp_path: Path) -> None:
    # Steady state (stock at target, every licence granted at once): CHN ships 100 t/day to the
    # maker, so May (31 days) is 3,100 t = 3.1 kt, and the 2025-05 observation of 3.1 kt scores 0.
    folder = _table(tmp_path / "obs", [("ore.usa", "2025-05", 3.1, "kt"), ("ore.usa", "2025-06", 1.5, "kt")])
    world = chain_world(stock_days=2.0, target_days=2.0)
    sc = _scenario(folder, 1.0)
    res = simulate_for_backtest(world, sc)
    conf = confront(res.data, sc.backtest, sc.start, load_observations(folder))
    table = conf.table()
    may, june = table.iloc[0], table.iloc[1]
    assert may["model_median"] == pytest.approx(3.1, rel=1e-9)
    assert may["log_error"] == pytest.approx(0.0, abs=1e-9)
    assert bool(may["inside"])
    assert june["model_median"] == pytest.approx(3.0, rel=1e-9)  # 30 days x 100 t
    assert june["log_error"] == pytest.approx(np.log(3.0 / 1.5))
    assert not bool(june["inside"])
    s = summary(table)
    assert s.loc[0, "inside_band"] == pytest.approx(0.5)


def _granted_scenario(folder: Path, approval: float, review: int, count_from: str | None = None) -> cp.Scenario:
    sc = _scenario(folder, approval)
    data = sc.model_dump(mode="json", exclude_none=True)
    data["events"][0]["review_days"] = review
    m = {"quantity": "granted_share", "exporter": "CHN", "products": ["ore"]}
    if count_from:
        m["count_from"] = count_from
    data["backtest"]["series"] = {"granted": m}
    data["backtest"]["fit"] = ["granted"]
    return cp.Scenario.from_dict(data)


def test_granted_share_by_hand(tmp_path: Path) -> None:
    world = chain_world(stock_days=2.0, target_days=2.0)
    # every request reviewed at once: half granted
    folder = _table(tmp_path / "now", [("granted", "2025-05", 0.5, "share")])
    sc = _granted_scenario(folder, 0.5, 0)
    conf = confront(simulate_for_backtest(world, sc).data, sc.backtest, sc.start, load_observations(folder))
    assert conf.table().loc[0, "model_median"] == pytest.approx(0.5, rel=1e-9)
    # a 10-day review, all granted: by the end of a 30-day period from the first request, the
    # requests of the first 20 days are granted, those of the last 10 are still under review
    folder = _table(tmp_path / "later", [("granted", "2025-04-04/2025-05-03", 0.6, "share")])
    sc = _granted_scenario(folder, 1.0, 10)
    res = simulate_for_backtest(world, sc)
    orders = res.data["orders"].values[0].sum(axis=1)
    conf = confront(res.data, sc.backtest, sc.start, load_observations(folder))
    assert conf.table().loc[0, "model_median"] == pytest.approx(orders[:20].sum() / orders[:30].sum(), rel=1e-9)
    # counting requests from day 10 only: granted are still those of days 0-19
    sc = _granted_scenario(folder, 1.0, 10, count_from="2025-04-14")
    conf = confront(simulate_for_backtest(world, sc).data, sc.backtest, sc.start, load_observations(folder))
    assert conf.table().loc[0, "model_median"] == pytest.approx(orders[:20].sum() / orders[10:30].sum(), rel=1e-9)


def test_count_from_needs_granted_share() -> None:
    from pydantic import ValidationError

    from chokepoints.scenario.backtest_spec import SeriesMap

    with pytest.raises(ValidationError, match="count_from"):
        SeriesMap(quantity="shipments", exporter="CHN", products=["ore"], count_from=dt.date(2025, 4, 1))


def test_predictive_band_with_the_abc_error_by_hand() -> None:
    import pandas as pd

    from chokepoints.backtest import Confrontation

    rows = pd.DataFrame([{"series": "s", "geography": "g", "period": "2025-05", "unit": "t", "observed": 1.05,
                          "role": "fitted", "days": 31, "source": "S"}])  # fmt: skip
    conf = Confrontation(rows, np.ones((4, 1)))
    assert not bool(conf.table().loc[0, "inside"])  # every run says 1.0
    wide = conf.table(error=0.1)  # u uniform on [-0.1, 0.1]: the 95 % point is u = 0.09
    assert wide.loc[0, "pred_p95"] == pytest.approx(np.exp(0.09), rel=1e-12)
    assert wide.loc[0, "pred_p05"] == pytest.approx(np.exp(-0.09), rel=1e-12)
    assert bool(wide.loc[0, "inside_pred"])  # 1.05 < exp(0.09) = 1.094
    assert not bool(conf.table(error=0.04).loc[0, "inside_pred"])  # exp(0.036) = 1.037 < 1.05
    assert summary(wide).loc[0, "inside_predictive"] == 1.0


def test_observation_errors_are_located(tmp_path: Path) -> None:
    folder = _table(tmp_path / "bad", [("ore.usa", "May", 3.1, "kt")])
    with pytest.raises(InputError, match="row 1.*period"):
        load_observations(folder)


def test_abc_recovers_true_approval_share(tmp_path: Path) -> None:
    """Observed series generated with approval 0.4; ABC (tolerance 0.15) on a uniform(0.05, 0.95) prior recovers it."""
    world = chain_world(stock_days=2.0, target_days=2.0)
    true = 0.4
    prior = [
        {"parameter": "events.lic.approval_rate", "distribution": "uniform", "low": 0.05, "high": 0.95},
    ]
    truth = simulate_for_backtest(world, _scenario(tmp_path, true))
    q = truth.data["shipments"].values[0].sum(axis=1)  # t/day, one route
    start = dt.date(2025, 4, 4)
    rows = []
    for month in (5, 6, 7):
        a, b = (dt.date(2025, month, 1) - start).days, (dt.date(2025, month + 1, 1) - start).days
        rows.append(("ore.usa", f"2025-{month:02d}", float(q[a:b].sum()), "t"))
    folder = _table(tmp_path / "obs", rows)
    sc = _scenario(folder, true, uncertain=prior, runs=200, tolerance=0.15)
    res = simulate_for_backtest(world, sc)
    conf = confront(res.data, sc.backtest, sc.start, load_observations(folder))
    cal = abc_rejection(conf, res.data["samples"].values, res.data["parameter"].values.tolist(), ["ore.usa"], [], 0.15)
    post = cal.posterior[:, 0]
    lo, hi = np.quantile(post, [0.05, 0.95])
    assert lo <= true <= hi
    assert hi - lo < 0.25 * (0.95 - 0.05)  # the data narrow the prior
    assert len(cal.accepted) >= 10 and cal.tolerance_used == pytest.approx(0.15)


def test_abc_smc_recovers_two_parameters_where_rejection_cannot(tmp_path: Path) -> None:
    """Truth: approval 0.4 with a 12-day review. 60 prior draws leave no run within tolerance 0.05;
    ABC-SMC reaches it and its posterior holds the truth, narrower than the prior."""
    from chokepoints.backtest import abc_smc

    world = chain_world(stock_days=2.0, target_days=2.0)
    truth_sc = _scenario(tmp_path, 0.4)
    data = truth_sc.model_dump(mode="json", exclude_none=True)
    data["events"][0]["review_days"] = 12
    truth = simulate_for_backtest(world, cp.Scenario.from_dict(data))
    q = truth.data["shipments"].values[0].sum(axis=1)
    start = dt.date(2025, 4, 4)
    rows = []
    for month in (4, 5, 6, 7):
        a = max(0, (dt.date(2025, month, 1) - start).days)
        b = (dt.date(2025, month + 1, 1) - start).days
        rows.append(("ore.usa", f"2025-{month:02d}", float(q[a:b].sum()), "t"))
    folder = _table(tmp_path / "obs", rows)
    prior = [
        {"parameter": "events.lic.approval_rate", "distribution": "uniform", "low": 0.05, "high": 0.95},
        {"parameter": "events.lic.review_days", "distribution": "uniform", "low": 0, "high": 30},
    ]
    sc = _scenario(folder, 0.4, uncertain=prior, runs=60, tolerance=0.05)
    obs = load_observations(folder)
    res = simulate_for_backtest(world, sc)
    conf = confront(res.data, sc.backtest, sc.start, obs)
    labels = res.data["parameter"].values.tolist()
    assert conf.distance(["ore.usa"]).min() > 0.05  # rejection on the prior would accept nothing

    def simulate(theta):
        return confront(simulate_for_backtest(world, sc, samples=theta).data, sc.backtest, sc.start, obs)

    cal = abc_smc(conf, res.data["samples"].values, labels, list(sc.uncertain), simulate, ["ore.usa"], [], 0.05, seed=3)
    assert cal.tolerance_used == pytest.approx(0.05) and len(cal.generations) > 1
    assert cal.method == "smc" and "ABC-SMC" in cal.describe()
    post = cal.posterior
    for j, (true, width) in enumerate(((0.4, 0.9), (12.0, 30.0))):
        lo, hi = np.quantile(post[:, j], [0.05, 0.95])
        assert lo <= true <= hi
        assert hi - lo < 0.5 * width
    assert (cal.confrontation.distance(["ore.usa"])[cal.accepted] <= 0.05 + 1e-12).all()


def test_backtest_cli_csv(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from chokepoints.cli import app

    r = CliRunner().invoke(app, ["backtest", "cn-rare-earth-history-2025", "--runs", "8", "--format", "csv"])
    assert r.exit_code == 0, r.output
    header = r.output.splitlines()[0]
    assert header == "series,geography,period,unit,observed,model_median,model_p05,model_p95,fitted"
    assert "cn_magnet_exports.world,China -> world,2025-05,t,1238.0" in r.output


def test_calibrate_cli_writes_scenario(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from chokepoints.cli import app

    out = tmp_path / "cal.yaml"
    r = CliRunner().invoke(
        app,
        [
            "calibrate",
            "cn-rare-earth-history-2025",
            "--runs",
            "12",
            "--fit",
            "cn_magnet_exports.world",
            "--hold-out",
            "cn_magnet_exports.usa",
            "--min-accept",
            "3",
            "--generations",
            "2",
            "--write",
            str(out),
            "--out",
            str(tmp_path),
        ],
    )
    assert r.exit_code == 0, r.output
    assert "ABC-SMC: 2 generations after the prior, 36 runs simulated" in r.output
    cal = cp.Scenario.from_yaml(out)
    assert cal.name == "cn-rare-earth-history-2025-calibrated"
    assert all(p.distribution == "triangular" for p in cal.uncertain)
    assert all("ABC-SMC" in p.note for p in cal.uncertain)
    assert (tmp_path / "calibrate.html").is_file()
    rej = ["calibrate", "cn-rare-earth-history-2025", "--runs", "12", "--min-accept", "3", "--out", str(tmp_path)]
    r = CliRunner().invoke(app, [*rej, "--method", "rejection"])
    assert r.exit_code == 0, r.output
    assert "ABC rejection: 3 of 12 prior runs accepted" in r.output
    r = CliRunner().invoke(app, [*rej, "--method", "mcmc"])
    assert r.exit_code == 2 and "--method: expected smc or rejection" in r.output


def test_backtest_without_block_is_one_line_error() -> None:
    from typer.testing import CliRunner

    from chokepoints.cli import app

    r = CliRunner().invoke(app, ["backtest", "cn-rare-earth-licensing-2025-04", "--runs", "2"])
    assert r.exit_code == 2
    assert "backtest" in r.output


@pytest.mark.parametrize(
    "dist",
    [
        {"distribution": "uniform", "low": 1, "high": 3},
        {"distribution": "triangular", "low": 0, "mode": 1, "high": 4},
        {"distribution": "normal", "mean": 0, "sd": 1, "low": -1},
        {"distribution": "lognormal", "median": 2, "sigma": 0.5},
        {"distribution": "beta", "a": 2, "b": 3},
        {"distribution": "choice", "values": [1, 2, 5], "weights": [1, 2, 1]},
    ],
)
def test_cdf_inverts_ppf(dist) -> None:
    """ABC-SMC moves particles in u = F(theta): F must send every drawn value back where it came from."""
    from chokepoints.scenario.uncertainty import UncertainParameter

    p = UncertainParameter(parameter="engine.psi_param", **dist)
    x = p.ppf(np.random.default_rng(0).random(200))
    u = p.cdf(x)
    assert ((u >= 0) & (u <= 1)).all()
    np.testing.assert_allclose(p.ppf(u), x, rtol=1e-9, atol=1e-12)
