"""What a worker process does with one job, and the files it leaves.

:func:`run_job` runs in a worker of the server's process pool (never in a request). It claims
the job in the store (so a job handed to the pool twice runs once), re-validates the scenario
text it was given, runs it, and writes into ``<data>/jobs/<id>/``:

* ``result.json`` -- ``{"kind", "columns", "rows", "charts", "provenance"}``: the summary table
  with named columns and units, and chart series as median and 5th/95th percentile bands
  (:mod:`.payload`);
* ``summary.csv`` and ``summary.parquet`` (when ``pyarrow`` is installed) -- the same table;
* ``result.nc`` -- the full result Dataset (reopen with :func:`chokepoints.open_result`), for
  every kind but ``claims``, which makes no Dataset.

Kinds: ``run`` (the engine ensemble, :func:`chokepoints.engine.simulate`), ``tariffs``
(:func:`chokepoints.trade.analysis.analyse`), ``finance`` (:func:`chokepoints.finance.simulate_finance`),
``negotiate`` (:func:`chokepoints.negotiation.analysis.analyse` on a bundled scenario and its spec),
``backtest`` (:mod:`.backtest_job`: ``chokepoints backtest``) and ``claims`` (:mod:`.claims_job`:
``chokepoints check`` on a posted article).
The HTML report is written on first request by :func:`write_report_for` (it embeds Plotly, 3.5 MB,
so it is not written for every job).
"""

from __future__ import annotations

import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from . import backtest_job, claims_job, store
from .payload import bands, clean, table_payload, write_outputs
from .uploads import check_scenario

KINDS = ("run", "tariffs", "finance")

# Engine summary: column -> (label, unit). Labels are what the page and the CSV show.
ENGINE_COLUMNS: dict[str, tuple[str, str]] = {
    "region": ("Region", ""),
    "end_use": ("End use", ""),
    "shortfall_day_median": ("First shortfall, day (median)", "day"),
    "shortfall_day_p05": ("First shortfall, day (5 %)", "day"),
    "shortfall_day_p95": ("First shortfall, day (95 %)", "day"),
    "share_of_runs_short": ("Runs short", "%"),
    "units_median": ("Output lost (median)", "product units"),
    "unit": ("Unit", ""),
    "usd_median": ("Output lost, USD million (median)", "USD million"),
    "usd_p05": ("Output lost, USD million (5 %)", "USD million"),
    "usd_p95": ("Output lost, USD million (95 %)", "USD million"),
}


def engine_payload(res: Any) -> dict[str, Any]:
    """``result.json`` of an engine run: summary table and charts (output, inventories, shipments)."""
    from ..report.engine_sections import key_users, summary_table

    d = res.data
    df = summary_table(res)
    df["share_of_runs_short"] = df["share_of_runs_short"] * 100
    for c in ("usd_median", "usd_p05", "usd_p95"):
        df[c] = df[c] / 1e6
    cols = [c for c in ENGINE_COLUMNS if c in df.columns]
    dates = [str(x)[:10] for x in d.date.values]
    keys = key_users(res)
    ind = res.indicators
    charts: list[dict[str, Any]] = [
        {
            "id": "output",
            "title": "Output of key users (% of baseline, value-weighted)",
            "yaxis": "% of baseline",
            "baseline": 100.0,
            "series": [{"name": f"{r} {u}", **bands(ind.output_ratio(r, u).values * 100)} for r, u in keys],
        }
    ]
    inv_series = []
    for region, end_use in keys:
        sel = np.flatnonzero((d.inventory_region.values == region) & (d.inventory_end_use.values == end_use))
        for i in sel[:3]:
            name = f"{d.inventory_holder.values[i]}: {d.inventory_product.values[i]}"
            inv_series.append({"name": name, **bands(d.inventory_days.isel(inventory=i).values)})
    charts.append(
        {
            "id": "inventories",
            "title": "Inventories of key users (days of baseline use)",
            "yaxis": "days of cover",
            "series": inv_series,
        }
    )
    if d.sizes.get("route"):
        ship = []
        for p in sorted(set(d.route_product.values)):
            m = np.flatnonzero(d.route_product.values == p)
            base = float(d.baseline_shipments.isel(route=m).sum())
            if base > 0:
                ship.append({"name": str(p), **bands(d.shipments.isel(route=m).sum("route").values / base * 100)})
        charts.append(
            {
                "id": "shipments",
                "title": "Shipments of controlled products, all routes (% of baseline)",
                "yaxis": "% of baseline",
                "baseline": 100.0,
                "series": ship,
            }
        )
    return {
        "kind": "run",
        "dates": dates,
        "columns": [{"key": c, "label": ENGINE_COLUMNS[c][0], "unit": ENGINE_COLUMNS[c][1]} for c in cols],
        "rows": [{c: clean(v) for c, v in zip(cols, r, strict=True)} for r in df[cols].itertuples(index=False)],
        "key_columns": ["region", "end_use"],
        "charts": charts,
        "provenance": {k: clean(v) for k, v in res.provenance.items()},
    }


CAPTIONS = {
    "run": "Per region and end use (key users first). Days from the scenario start; '—': no shortfall.",
    "tariffs": "Totals by date and importer (USD million a year, base-year flows)",
    "finance": "Key numbers",
    "negotiate": "One row per round of talks: BATNAs, the predicted (Nash) deal, the actual outcome, utilities",
    "backtest": "One row per observation: observed value, model median and 5-95 % band, log error, inside the band",
    "claims": "One row per figure of the article: its verdict against the bundled data, the data's figure, the source",
}


def payload_table_html(payload: dict[str, Any]) -> str:
    """The summary table of ``result.json`` as HTML, by the shared table component (the report's)."""
    from ..report.components import table_html

    keys = [c["key"] for c in payload["columns"]]
    df = pd.DataFrame(payload["rows"], columns=keys)
    labels = {c["key"]: (c["label"], c["unit"]) for c in payload["columns"]}
    return table_html(df, CAPTIONS.get(payload["kind"], "Summary"), labels=labels)


def _progress_writer(con: Any, job_id: str, total: int):
    last = [0.0, -1.0]

    def cb(t: int) -> None:
        frac = (t + 1) / max(total, 1)
        now = time.monotonic()
        if frac - last[1] >= 0.05 or now - last[0] > 0.5:
            last[0], last[1] = now, frac
            store.set_progress(con, job_id, min(frac, 0.99), f"day {t + 1} of {total}")

    return cb


def run_job(data_dir: str, job_id: str, max_job_memory: int) -> str:
    """Worker entry point: claim, run and record one job; return its final status."""
    from ..indicators.accessor import write_netcdf

    root = Path(data_dir)
    con = store.connect(root)
    try:
        if not store.claim(con, job_id):
            return "skipped"
        job = store.get(con, job_id)
        text = store.scenario_text(con, job_id)
        assert job is not None and text is not None
        out = store.job_dir(root, job_id)
        out.mkdir(parents=True, exist_ok=True)
        try:
            payload, ds = _compute(con, job, text, max_job_memory)
            write_outputs(out, payload, ds, write_netcdf)
            store.finish(con, job_id)
            return "done"
        except InputError as exc:
            store.finish(con, job_id, error="; ".join(str(p) for p in exc.problems))
            return "failed"
        except Exception as exc:  # a worker must record every failure, never lose the job
            store.finish(con, job_id, error=f"{type(exc).__name__}: {exc}")
            (out / "traceback.txt").write_text(traceback.format_exc(), encoding="utf-8")
            return "failed"
    finally:
        con.close()


def _compute(con: Any, job: dict[str, Any], text: str, max_job_memory: int) -> tuple[dict[str, Any], Any]:
    """The payload of one job and its Dataset (None for a kind that makes none)."""
    kind, job_id = job["kind"], job["id"]
    if kind == "negotiate":
        from ..negotiation.report import summary_frame

        store.set_progress(con, job_id, 0.1, "negotiation")
        res_n = negotiation_result(job)
        ds = res_n.to_dataset()
        return table_payload("negotiate", summary_frame(res_n), ["round"], ds), ds
    if kind == "claims":
        store.set_progress(con, job_id, 0.1, "checking the article's claims")
        return claims_job.run(text, job["options"])
    checked = check_scenario(text, job["overrides"], max_upload=1 << 30)
    sc = checked.scenario
    if kind == "backtest":
        progress = _progress_writer(con, job_id, sc.horizon_days)
        return backtest_job.run(job, checked, progress, max_job_memory)
    if kind == "run":
        from ..engine import simulate

        res = simulate(
            checked.world,
            sc,
            runs=job["runs"],
            seed=job["seed"],
            progress=_progress_writer(con, job_id, sc.horizon_days),
            max_memory=max_job_memory,
        )
        return engine_payload(res), res.data
    if kind == "tariffs":
        from ..trade.analysis import analyse, prepare
        from ..trade.summary import summary

        store.set_progress(con, job_id, 0.1, "tariff analysis")
        ds = analyse(sc, prepared=prepare(sc))
        return table_payload("tariffs", summary(ds), ["date", "importer"], ds), ds
    from ..finance import headline, simulate_finance

    store.set_progress(con, job_id, 0.1, "finance")
    ds = simulate_finance(sc, runs=job["runs"], seed=job["seed"])
    return table_payload("finance", headline(ds), ["metric"], ds), ds


def write_report_for(data_dir: Path, job: dict[str, Any], text: str) -> Path:
    """Write ``report.html`` of a finished job (from its ``result.nc`` and scenario text) and return it."""
    from ..indicators.accessor import open_result
    from ..report import write_report

    out = store.job_dir(data_dir, job["id"])
    path = out / "report.html"
    if path.is_file():
        return path
    if job["kind"] == "negotiate":  # the analysis is run again (same spec, runs and seed: the same result)
        from ..negotiation.report import write_negotiation_report

        res_n = negotiation_result(job)
        spec_file = res_n.spec.source_path
        spec_text = Path(spec_file).read_text(encoding="utf-8") if spec_file else None
        return write_negotiation_report(res_n, path, spec_text)
    if job["kind"] == "claims":  # checked again (same text, options and data: the same verdicts)
        return claims_job.write_report(path, text, job["options"])
    engine = job["kind"] in ("run", "backtest")
    checked = check_scenario(text, job["overrides"], max_upload=1 << 30, compile_engine=engine)
    sc = checked.scenario
    if job["kind"] == "backtest":
        return backtest_job.write_report(path, job, checked, _open_plain(out / "result.nc"))
    if job["kind"] == "run":
        from ..engine.result import Result
        from ..report.engine_sections import engine_sections

        res = Result(open_result(out / "result.nc"), scenario=sc, world=checked.world)
        sections = engine_sections(res, text)
        prov = res.provenance
    elif job["kind"] == "tariffs":
        from ..trade.analysis import prepare
        from ..trade.report import report_date, tariff_sections

        ds = _open_plain(out / "result.nc")
        sections = tariff_sections(ds, prepare(sc).schedule, report_date(ds).date())
        prov = dict(ds.attrs)
    else:
        from ..finance import finance_sections

        ds = _open_plain(out / "result.nc")
        sections = finance_sections(ds)
        prov = dict(ds.attrs)
    return write_report(path, f"chokepoints: {sc.name}", sections, provenance=prov)


def negotiation_result(job: dict[str, Any]) -> Any:
    """The talks analysis of a ``negotiate`` job: the bundled scenario it names, its spec beside it."""
    from ..negotiation.analysis import analyse
    from ..negotiation.loader import load_negotiation
    from ..scenario.library import scenario_path

    spec, sc, world = load_negotiation(scenario_path(job["scenario_name"]))
    return analyse(spec, sc, world, runs=job["runs"], seed=job["seed"])


def _open_plain(path: Path) -> Any:
    import xarray as xr

    with xr.open_dataset(path) as ds:
        return ds.load()
