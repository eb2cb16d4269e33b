"""Parity with BoARIO 0.7.2 (second layer of truth: an independent implementation).

Both models run the same MRIO for 365 days: pymrio's test system (48 region-sectors)
and a synthetic dense MRIO of 2,000 region-sectors, each under

(a) a 50 % capacity loss of one region-sector on day 10, kept 90 days, then linear
    recovery over 90 days: chokepoints ``capacity_loss`` (duration_days 90) and a BoARIO
    ``EventKapitalRecover`` destroying half the industry's capital with duration 89
    (BoARIO applies each recovery step one day late, see docs/engine.md);
(b) a 30 % fall of one region's final demand for one product from day 20 to day 200:
    chokepoints ``final_demand_change``; BoARIO has no such event, so the test
    overwrites ``model.final_demand`` before each ``sim.next_step()``,

for both order types. Production, total and per region-sector, must agree within
0.1 % at every step. The world reproduces BoARIO's input threshold
(``threshold_not_input=1e-5/365``, docs/engine.md).

The pymrio test system cases (about 2 s) run in the default suite when boario and pymrio are
installed (``pip install -e '.[dev,parity]'``, as CI does) and are skipped, saying so, when they
are not; the 2,000-sector cases are marked slow: ``pytest -m slow``.
"""

from __future__ import annotations

import datetime as dt
import logging
import warnings

import numpy as np
import pandas as pd
import pytest

import chokepoints as cp

RTOL = 1e-3
START = dt.date(2025, 1, 1)
T = 365
SHOCK_ON, SHOCK_DAYS, RECOVERY_DAYS = 10, 90, 90
FD_ON, FD_UNTIL, FD_SHARE = 20, 200, -0.3


def _iosystems():
    pytest.importorskip("pymrio", reason="the parity tests need pymrio: pip install -e '.[dev,parity]'")
    from chokepoints.datasets.mrio import load_mrio_iosystem_test, synthetic_mrio

    return {
        "pymrio-test": (load_mrio_iosystem_test, ("reg2", "manufactoring"), ("reg3", "construction")),
        "synthetic-2000": (lambda: synthetic_mrio(40, 50, seed=0), ("r001", "s003"), ("r002", "s005")),
    }


def run_boario(io, order_type: str, case: str, shocked: tuple[str, str], fd_cell: tuple[str, str]) -> pd.DataFrame:
    """BoARIO 0.7.2's production (day x 'region.sector') for one case."""
    from boario import logger
    from boario.event import from_series
    from boario.extended_models import ARIOPsiModel
    from boario.simulation import Simulation

    logger.setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ARIOPsiModel(
            io,
            order_type=order_type,
            alpha_base=1.0,
            alpha_max=1.25,
            alpha_tau=365,
            main_inv_dur=90,
            psi_param=0.8,
            inventory_restoration_tau=60,
        )
        sim = Simulation(model, n_temporal_units_to_sim=T)
        if case == "capacity":
            k = pd.Series(model.productive_capital, index=model.industries)
            impact = pd.Series({shocked: 0.5 * k[shocked]})
            sim.add_event(
                from_series(
                    impact,
                    event_type="recovery",
                    occurrence=SHOCK_ON,
                    duration=SHOCK_DAYS - 1,
                    recovery_tau=RECOVERY_DAYS,
                    event_monetary_factor=model.monetary_factor,
                )
            )
        y0 = model.final_demand.copy()
        rows = np.flatnonzero(model.industries.get_level_values(1) == fd_cell[1])
        cols = np.flatnonzero(model.all_regions_fd.get_level_values(0) == fd_cell[0])
        out = np.empty((T, model.n_industries))
        for t in range(T):
            if case == "final_demand":
                y = y0.copy()
                if FD_ON <= t < FD_UNTIL:
                    y[np.ix_(rows, cols)] *= 1.0 + FD_SHARE
                model.final_demand = y
            sim.next_step()
            out[t] = model.production
    return pd.DataFrame(out, columns=[f"{r}.{s}" for r, s in model.industries])


def run_chokepoints(io, order_type: str, case: str, shocked, fd_cell) -> pd.DataFrame:
    world = cp.World.from_mrio(io, threshold_not_input=1e-5 / 365)
    day = lambda k: (START + dt.timedelta(days=k)).isoformat()  # noqa: E731
    if case == "capacity":
        events = [
            {
                "type": "capacity_loss",
                "on": day(SHOCK_ON),
                "region": shocked[0],
                "product": shocked[1],
                "share": 0.5,
                "duration_days": SHOCK_DAYS,
                "recovery_days": RECOVERY_DAYS,
            }
        ]
    else:
        events = [
            {
                "type": "final_demand_change",
                "on": day(FD_ON),
                "until": day(FD_UNTIL),
                "region": fd_cell[0],
                "product": fd_cell[1],
                "share": FD_SHARE,
            }
        ]
    sc = cp.Scenario.from_dict(
        {
            "name": f"parity-{case}",
            "start": START.isoformat(),
            "horizon_days": T,
            "engine": {
                "order_type": order_type,
                "psi_param": 0.8,
                "inventory_restoration_tau": 60,
                "alpha_base": 1.0,
                "alpha_tau": 365,
            },
            "events": events,
        }
    )
    res = cp.simulate(world, sc, record=["production"])
    return res.data.production.isel(run=0).to_pandas()


@pytest.mark.parametrize("order_type", ["alt", "noalt"])
@pytest.mark.parametrize("case", ["capacity", "final_demand"])
@pytest.mark.parametrize("mrio", ["pymrio-test", pytest.param("synthetic-2000", marks=pytest.mark.slow)])
def test_production_matches_boario(mrio, case, order_type):
    pytest.importorskip("boario", reason="the parity tests need boario==0.7.2: pip install -e '.[dev,parity]'")
    make, shocked, fd_cell = _iosystems()[mrio]
    io = make()
    ours = run_chokepoints(io, order_type, case, shocked, fd_cell)
    ref = run_boario(io, order_type, case, shocked, fd_cell)[ours.columns]
    o, b = ours.to_numpy(), ref.to_numpy()
    assert o.shape == (T, len(ours.columns))
    # the shock must bite, or the comparison says nothing
    assert (np.abs(b / b[0] - 1.0) > 0.005).any()
    rel = np.abs(o - b) / np.abs(b)
    worst = np.unravel_index(rel.argmax(), rel.shape)
    assert rel.max() <= RTOL, f"day {worst[0]}, {ours.columns[worst[1]]}: {o[worst]:.9g} vs BoARIO {b[worst]:.9g}"
    total = np.abs(o.sum(axis=1) - b.sum(axis=1)) / b.sum(axis=1)
    assert total.max() <= RTOL
