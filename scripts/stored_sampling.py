"""Regenerate tests/stored_sampling/*.csv: the draws and results that must not change when sampling moves.

Run from the repository root: ``PYTHONPATH=src python scripts/stored_sampling.py``. The files were first
written at commit 5c26688 (before the shared sampler, chokepoints.scenario.sampling), from the code of that
commit: the engine's own Latin hypercube draw (compile_plan), the finance model and the tariff analysis.
Values are written as float.hex so that tests/test_sampling.py can compare bit for bit.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "stored_sampling"
RUNS = 20

# the trade scenario with uncertain elasticities and rates of tests/test_trade_analysis.py
TRADE_UNCERTAIN = """\
name: unc
start: 2025-01-01
horizon_days: 365
runs: 16
seed: 11
uncertain:
  - parameter: events.setup.sigma
    distribution: triangular
    low: 1.5
    mode: 3.8
    high: 6.0
  - parameter: events.threat.rate
    distribution: uniform
    low: 50
    high: 100
events:
  - type: trade_setup
    id: setup
    on: 2025-01-01
  - type: tariff
    id: threat
    importer: USA
    exporter: CHN
    layer: ieepa_reciprocal
    rate: 100
    on: 2025-11-01
"""


def _rows(name: str, labels: dict[str, np.ndarray], values: np.ndarray) -> pd.DataFrame:
    flat = {k: np.broadcast_to(v, values.shape).ravel() for k, v in labels.items()}
    return pd.DataFrame({"case": name, **flat, "value": [float(x).hex() for x in values.ravel()]})


def engine_draws() -> pd.DataFrame:
    import chokepoints as cp
    from chokepoints.engine import compile_plan

    out = []
    for stem in ("cn-rare-earth-licensing-2025-04", "us-rare-earth-response-2025"):
        sc = cp.Scenario.from_yaml(ROOT / "scenarios" / f"{stem}.yaml")
        plan = compile_plan(cp.load_world(sc.world_ref()), sc, runs=RUNS)
        s = np.asarray(plan.samples)
        run, par = np.meshgrid(np.arange(s.shape[0]), np.asarray(plan.sample_names, dtype=object), indexing="ij")
        out.append(_rows(stem, {"run": run, "key": par}, s))
    return pd.concat(out)


def finance() -> pd.DataFrame:
    import chokepoints as cp
    from chokepoints.finance import simulate_finance

    sc = cp.Scenario.from_yaml(ROOT / "scenarios" / "cn-treasury-sale-hypothetical.yaml")
    ds = simulate_finance(sc, runs=RUNS)
    s = ds["samples"].values
    run, par = np.meshgrid(ds.run.values, ds.parameter.values.astype(object), indexing="ij")
    cum = ds["cum_extra_interest_bn"].isel(month=-1).transpose("run", "estimate", "end")
    r, e, n = np.meshgrid(
        cum.run.values, cum.estimate.values.astype(object), cum.end.values.astype(object), indexing="ij"
    )
    key = np.char.add(np.char.add(e.astype(str), "/"), n.astype(str)).astype(object)
    gold = ds["gold_added_moz"].sum(("month", "holder")).values
    return pd.concat(
        [
            _rows("finance:samples", {"run": run, "key": par}, s),
            _rows("finance:cum_extra_interest_bn", {"run": r, "key": key}, cum.values),
            _rows("finance:gold_added_moz", {"run": np.arange(len(gold)), "key": "total"}, gold),
        ]
    )


def trade() -> pd.DataFrame:
    import chokepoints as cp
    import chokepoints.trade as tr

    out = []
    sc = cp.Scenario.from_yaml(ROOT / "scenarios" / "us-china-tariffs-2025.yaml")
    ds = tr.analyse(sc)
    tot = ds["imports_new"].sum(("line", "partner")).transpose("run", "date")
    r, d = np.meshgrid(tot.run.values, [str(x)[:10] for x in tot.date.values], indexing="ij")
    out.append(_rows("trade:us-china-tariffs-2025", {"run": r, "key": d.astype(object)}, tot.values))
    sc = cp.Scenario.from_yaml_text(TRADE_UNCERTAIN, "unc.yaml")
    ds = tr.analyse(sc, dates=[dt.date(2025, 11, 1)])
    tot = ds["imports_new"].sum(("line", "partner")).isel(date=0).values
    sig = ds["sigma"].isel(line=0).values
    rate = ds["rate"].sel(line="USA:telephones", partner="CHN").isel(date=0).values
    n = np.arange(len(tot))
    out += [
        _rows("trade:uncertain:imports_new", {"run": n, "key": "total"}, tot),
        _rows("trade:uncertain:sigma", {"run": n, "key": "line0"}, sig),
        _rows("trade:uncertain:rate", {"run": n, "key": "USA:telephones/CHN"}, rate),
    ]
    return pd.concat(out)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    engine_draws().to_csv(OUT / "engine_draws.csv", index=False)
    finance().to_csv(OUT / "finance.csv", index=False)
    trade().to_csv(OUT / "trade.csv", index=False)
    print(f"wrote {', '.join(p.name for p in sorted(OUT.glob('*.csv')))} in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
