"""``chokepoints finance SCENARIO.yaml``: the financial lever (Treasury sales, yields, US interest
cost, the seller's losses, reserve shifts into gold). Prints Rich tables and writes
``out/<scenario stem>/finance.html``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ._common import (
    SCENARIO_HELP,
    console,
    max_memory_option,
    out_dir_for,
    out_option,
    report_input_error,
    resolve_scenario,
    runs_option,
    scenario_argument,
    seed_option,
)

_REPORT_KEYS = (
    "package_version",
    "scenario_name",
    "scenario_hash",
    "dataset",
    "dataset_version",
    "dataset_hash",
    "seed",
    "runs",
    "created",
)


def _num(v: float, digits: int = 1) -> str:
    return "—" if v != v else f"{v:,.{digits}f}"


def finance(
    scenario: Annotated[Path, scenario_argument(SCENARIO_HELP + ", with treasury_sale / reserve_shift events")],
    out: Annotated[Path | None, out_option()] = None,
    runs: Annotated[int | None, runs_option()] = None,
    seed: Annotated[int | None, seed_option()] = None,
    netcdf: Annotated[bool, typer.Option("--netcdf", help="Also write the full result as finance.nc")] = False,
    max_memory: Annotated[str | None, max_memory_option()] = None,
) -> None:
    """Treasury sale -> yields, US interest cost and the seller's losses; writes finance.html."""
    from ..engine.budget import check_finance_memory
    from ..errors import InputError
    from ..finance import (
        band_studies,
        finance_sections,
        flows_table,
        headline,
        history_table,
        simulate_finance,
    )
    from ..finance.summary import study_label, threat_value
    from ..outputs import OutputSet, check_out_dir
    from ..report import write_report
    from ..scenario import Scenario

    path_in = resolve_scenario(scenario)
    try:
        sc = Scenario.from_yaml(path_in)
        check_finance_memory(sc, runs, max_memory)
        folder = check_out_dir(out_dir_for(path_in, out), names=["finance.html"] + (["finance.nc"] if netcdf else []))
        ds = simulate_finance(sc, runs=runs, seed=seed)
    except InputError as exc:
        report_input_error(exc)

    console.print(
        f"[bold]{sc.name}[/]: {ds.sizes['run']} runs, seed {ds.attrs['seed']}, "
        f"{ds.sizes['month']} months from {ds['month_label'].values[0]}; finance data "
        f"v{ds.attrs['dataset_version']}"
    )
    hist = history_table(ds)
    if not hist.empty:
        t = Table(title="Treasury holdings, bundled series (TIC, custody-based)", header_style="bold")
        for c in ("holder", "from", "USD bn", "to", "USD bn ", "change bn", "change %", "sources"):
            t.add_column(c, justify="right" if "bn" in c or "%" in c else "left")
        for r in hist.itertuples(index=False):
            t.add_row(
                r.holder,
                r.start,
                _num(r.usd_bn_start),
                r.end,
                _num(r.usd_bn_end),
                _num(r.change_bn),
                _num(r.change_pct),
                r.sources,
            )
        console.print(t)

    studies = band_studies(ds)
    head = headline(ds)
    t = Table(
        title="Key numbers (band of published impact estimates; p05-p95 over runs)",
        header_style="bold",
    )
    for c in ("metric", "unit", "low", "central", "high", "p05", "p95"):
        t.add_column(c, justify="left" if c in ("metric", "unit") else "right", overflow="fold")
    for r in head.itertuples(index=False):
        t.add_row(
            r.metric,
            r.unit,
            _num(r.low, 2),
            _num(r.central, 2),
            _num(r.high, 2),
            _num(r.p05, 2),
            _num(r.p95, 2),
        )
    console.print(t)
    k = ds["k_bp_per_100bn"]
    console.print(
        f"band: low end {studies['low']} ({study_label(ds, studies['low'])}, "
        f"{float(k.sel(estimate=studies['low'], end='low')):.3g} bp per $100bn at 5y); high end "
        f"{studies['high']} ({study_label(ds, studies['high'])}, "
        f"{float(k.sel(estimate=studies['high'], end='high')):.3g}); central {studies['central']}",
        highlight=False,
        soft_wrap=True,
    )

    flows = flows_table(ds)
    t = Table(title="Sold, absorbed and moved (median over runs, at the horizon)", header_style="bold")
    for c in ("holder", "item", "USD bn", "detail"):
        t.add_column(c, justify="right" if c == "USD bn" else "left")
    for r in flows.itertuples(index=False):
        t.add_row(r.holder, r.item, _num(r.usd_bn), r.other)
    console.print(t)

    threat = threat_value(ds)
    costs = threat["cost_to"]
    tgt, thr = threat["target"], threat["threatener"]
    console.print(
        f"threat: cost to {tgt} {_num(costs[tgt]['central'])}bn "
        f"({_num(costs[tgt]['low'])}-{_num(costs[tgt]['high'])}) over the horizon; cost to {thr} "
        f"{_num(costs[thr]['central'])}bn ({_num(costs[thr]['low'])}-{_num(costs[thr]['high'])}); "
        f"ratio {threat['ratio_target_to_threatener']['central']:.3g}",
        highlight=False,
        soft_wrap=True,
    )

    prov = {key: ds.attrs[key] for key in _REPORT_KEYS if key in ds.attrs}
    try:
        with OutputSet(folder) as outs:
            write_report(outs.stage("finance.html"), f"{sc.name}: financial lever", finance_sections(ds), prov)
            if netcdf:
                ds.cp.to_netcdf(outs.stage("finance.nc"))
    except InputError as exc:
        report_input_error(exc)
    console.print(f"report: {outs.final('finance.html')}")
    if netcdf:
        console.print(f"result: {outs.final('finance.nc')}")
