"""A ``backtest`` job: what ``chokepoints backtest`` does, in a worker, for a scenario with a
``backtest:`` block (e.g. the bundled ``cn-rare-earth-history-2025``) and its observations table.

The ensemble is simulated recording only output and controlled shipments
(:func:`chokepoints.backtest.simulate_for_backtest`), then confronted with the observed series
(:func:`chokepoints.backtest.confront`). Its files:

* ``result.json``: ``rows`` one per scored observation (observed value, model median and 5-95 %
  band over runs, log error = ln(model median / observed), inside the band), ``tables`` the scores
  per series (share inside the band, max and RMS |log error|), ``charts`` one per series (observed
  points against the model's median and band, by period), ``skipped`` what could not be scored;
* ``result.nc``: the model value of every run for every observation (``model``, dims run x
  observation) beside the observed values and scores; the report is rebuilt from it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .payload import clean, columns_of, rounded, rows_of

RECORD = ("production", "shipments")  # what simulate_for_backtest records (memory estimate)

OBSERVATION_COLUMNS: dict[str, tuple[str, str]] = {
    "series": ("Series", ""),
    "role": ("Role", ""),
    "geography": ("Geography", ""),
    "period": ("Period", ""),
    "unit": ("Unit", ""),
    "observed": ("Observed (in the row's unit)", ""),
    "model_median": ("Model median (in the row's unit)", ""),
    "model_p05": ("Model 5 % (in the row's unit)", ""),
    "model_p95": ("Model 95 % (in the row's unit)", ""),
    "log_error": ("Log error, ln(model median / observed)", "log points"),
    "inside": ("Inside the model's 5-95 % band", ""),
    "days": ("Days in the period", "day"),
    "source": ("Source", ""),
}
SCORE_COLUMNS: dict[str, tuple[str, str]] = {
    "series": ("Series", ""),
    "role": ("Role", ""),
    "observations": ("Observations", ""),
    "inside_band": ("Inside the 5-95 % band", "%"),
    "max_abs_log_error": ("Max |log error|", "log points"),
    "rms_log_error": ("RMS log error", "log points"),
}
_ROW_FIELDS = ("series", "geography", "period", "unit", "observed", "role", "days", "source")


def run(job: dict[str, Any], checked: Any, progress: Any, max_memory: int) -> tuple[dict[str, Any], Any]:
    """Simulate, confront and score; return ``(payload, Dataset)``."""
    from ..backtest import backtest_spec_of, confront, simulate_for_backtest, summary
    from ..datasets.observations import load_observations
    from ..provenance import provenance
    from .uploads import SOURCE

    sc, world = checked.scenario, checked.world
    spec = backtest_spec_of(sc)
    obs = load_observations(spec.observed)
    res = simulate_for_backtest(world, sc, runs=job["runs"], seed=job["seed"], progress=progress, max_memory=max_memory)
    conf = confront(res.data, spec, sc.start, obs, where=SOURCE)
    table = conf.table()
    runs = int(res.data.sizes["run"])
    prov = provenance("backtest", scenario=sc, world=world, seed=res.provenance.get("seed"), runs=runs)
    prov["observed"] = obs.name
    return payload(table, summary(table), conf.skipped, prov), dataset(conf, table, prov)


def payload(table: pd.DataFrame, scores: pd.DataFrame, skipped: list[str], prov: dict[str, Any]) -> dict[str, Any]:
    """``result.json`` of a back-test: observations with their scores, scores per series, charts."""
    obs = table.copy()
    obs["inside"] = obs["inside"].map({True: "yes", False: "no"})
    scores = scores.copy()
    scores["inside_band"] = scores["inside_band"] * 100
    keys = list(OBSERVATION_COLUMNS)
    charts = []
    for i, (name, g) in enumerate(table.groupby("series", sort=False)):
        charts.append(
            {
                "id": f"series-{i}",
                "title": f"{name} ({g['role'].iloc[0]}): observed against the model's median and 5-95 % band",
                "yaxis": str(g["unit"].iloc[0]),
                "x": [str(p) for p in g["period"]],
                "series": [
                    {
                        "name": "model",
                        "median": rounded(g["model_median"]),
                        "p05": rounded(g["model_p05"]),
                        "p95": rounded(g["model_p95"]),
                    },
                    {"name": "observed", "values": rounded(g["observed"]), "mode": "markers"},
                ],
            }
        )
    return {
        "kind": "backtest",
        "dates": [],
        "columns": columns_of(OBSERVATION_COLUMNS, keys),
        "rows": rows_of(obs, keys),
        "key_columns": ["series", "geography", "period"],
        "tables": [
            {
                "id": "scores",
                "title": "Scores per series",
                "columns": columns_of(SCORE_COLUMNS, list(SCORE_COLUMNS)),
                "rows": rows_of(scores, list(SCORE_COLUMNS)),
                "key_columns": ["series"],
            }
        ],
        "charts": charts,
        "skipped": list(skipped),
        "provenance": {k: clean(v) for k, v in prov.items()},
    }


def dataset(conf: Any, table: pd.DataFrame, prov: dict[str, Any]) -> Any:
    """The confrontation as a Dataset: ``model`` (run, observation) and the observation's fields."""
    import xarray as xr

    n = len(table)
    coords: dict[str, Any] = {"run": np.arange(conf.M.shape[0], dtype=np.int32), "observation": np.arange(n)}
    for c in ("series", "geography", "period", "unit", "role", "source"):
        coords[c] = ("observation", table[c].astype(str).to_numpy(object))
    data = {
        "model": (("run", "observation"), np.asarray(conf.M, float)),
        "observed": ("observation", table["observed"].to_numpy(float)),
        "days": ("observation", table["days"].to_numpy(np.int32)),
        "model_median": ("observation", table["model_median"].to_numpy(float)),
        "model_p05": ("observation", table["model_p05"].to_numpy(float)),
        "model_p95": ("observation", table["model_p95"].to_numpy(float)),
        "log_error": ("observation", table["log_error"].to_numpy(float)),
        "inside": ("observation", table["inside"].to_numpy(np.int8)),
    }
    attrs = {**prov, "skipped": json.dumps(list(conf.skipped))}
    return xr.Dataset(data, coords=coords, attrs=attrs)


def confrontation_of(ds: Any) -> Any:
    """The :class:`~chokepoints.backtest.Confrontation` stored in ``result.nc`` (scores come out as
    they went in: :meth:`Confrontation.table` of the same values)."""
    from ..backtest import Confrontation

    rows = pd.DataFrame({c: ds[c].values for c in _ROW_FIELDS})
    for c in ("series", "geography", "period", "unit", "role", "source"):
        rows[c] = rows[c].astype(str)
    rows["observed"] = rows["observed"].astype(float)
    rows["days"] = rows["days"].astype(int)
    skipped = json.loads(str(ds.attrs.get("skipped") or "[]"))
    return Confrontation(rows, np.asarray(ds["model"].values, float), skipped)


def write_report(path: Path, job: dict[str, Any], checked: Any, ds: Any) -> Path:
    """``report.html`` of a finished back-test job, from its ``result.nc`` (as ``chokepoints backtest``
    writes it)."""
    from ..backtest import backtest_spec_of, summary
    from ..backtest.report import write_backtest_report
    from ..datasets.observations import load_observations

    sc = checked.scenario
    spec = backtest_spec_of(sc)
    obs = load_observations(spec.observed)
    conf = confrontation_of(ds)
    table = conf.table()
    return write_backtest_report(
        path,
        sc,
        checked.world,
        spec,
        obs,
        table,
        summary(table),
        conf.skipped,
        seed=ds.attrs.get("seed"),
        runs=int(ds.sizes["run"]),
    )
