"""Report sections for a simulation Result: shortfall table, inventories, end-use
output, controlled shipments, the scenario and the data sources."""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd

from ..engine.result import Result
from .charts import band_figure
from .html import Section


def key_users(result: Result) -> list[tuple[str, str]]:
    """Key users: the scenario's, else the dataset's (both kept in the attr ``key_users``), else
    every (region, end use)."""
    return result.data.cp.key_users or result.data.cp.groups()


def summary_table(result: Result) -> pd.DataFrame:
    """The run summary: days to first shortfall and output lost per (region, end use)."""
    df = result.indicators.summary(key_users(result))
    return df.rename(
        columns={
            "median": "shortfall_day_median",
            "p05": "shortfall_day_p05",
            "p95": "shortfall_day_p95",
            "share_of_runs": "share_of_runs_short",
        }
    )


def engine_sections(result: Result, scenario_text: str | None = None) -> list[Section]:
    d = result.data
    x = pd.to_datetime(d.date.values)
    keys = key_users(result)
    ind = result.indicators
    sections: list[Section] = []

    intro = (
        f"<p>{html.escape(result.scenario.description if result.scenario else '')}</p>"
        f"<p class='meta'>{d.sizes['run']} runs × {d.sizes['day']} days. Shortfall: output below "
        f"{(1 - ind.tol) * 100:.1f} % of the demand on the group's producers (or final demand unmet). "
        "Days are counted from the scenario start; '—' means no shortfall within the horizon. "
        "Ranges are 5th–95th percentiles across runs.</p>"
    )
    sections.append(
        Section(
            "Time to shortfall and output lost",
            intro,
            tables=[("Per region and end use (key users first)", summary_table(result))],
        )
    )

    figs = []
    for region, end_use in keys:
        sel = (d.inventory_region.values == region) & (d.inventory_end_use.values == end_use)
        if not sel.any():
            continue
        inv = d.inventory_days.isel(inventory=np.flatnonzero(sel))
        series = {
            f"{h}: {p}": inv.isel(inventory=i).values
            for i, (h, p) in enumerate(zip(inv.inventory_holder.values, inv.inventory_product.values, strict=True))
        }
        figs.append(
            band_figure(x, series, f"Inventories of {region} {end_use} (days of baseline use)", "days of cover")
        )
    sections.append(Section("Inventories of key users", "", figures=figs))

    series = {f"{r} {u}": ind.output_ratio(r, u).values * 100 for r, u in keys}
    sections.append(
        Section(
            "End-use output against baseline",
            "",
            figures=[
                band_figure(
                    x, series, "Output of key users (% of baseline, value-weighted)", "% of baseline", baseline=100.0
                )
            ],
        )
    )

    if d.sizes["route"]:
        figs = []
        for exporter in sorted(set(d.route_exporter.values)):
            for importer in [r for r, _ in keys if r != exporter][:1] or sorted(set(d.route_importer.values)):
                sel = (d.route_exporter.values == exporter) & (d.route_importer.values == importer)
                if not sel.any():
                    continue
                sub = d.isel(route=np.flatnonzero(sel))
                products = sorted(set(sub.route_product.values))
                ser = {}
                for p in products:
                    m = np.flatnonzero(sub.route_product.values == p)
                    base = float(sub.baseline_shipments.isel(route=m).sum())
                    if base <= 0:
                        continue
                    ser[p] = sub.shipments.isel(route=m).sum("route").values / base * 100
                if ser:
                    figs.append(
                        band_figure(
                            x,
                            ser,
                            f"Shipments of controlled products {exporter}→{importer} (% of baseline)",
                            "% of baseline",
                            baseline=100.0,
                        )
                    )
        sections.append(
            Section(
                "Shipments of controlled products",
                "<p>Deliveries on routes touched by an export control, relative to the undisturbed baseline.</p>",
                figures=figs,
            )
        )

    if "baseline_value_added" in d.variables and "production" in d.variables:
        sections.append(value_added_section(result))

    if result.scenario is not None:
        sc = result.scenario
        ev = pd.DataFrame(
            [{k: str(v) for k, v in e.model_dump(mode="json").items() if v not in (None, [], "")} for e in sc.events],
            dtype=object,
        ).fillna("")
        un = pd.DataFrame([u.model_dump(mode="json", exclude_none=True) for u in sc.uncertain])
        tables = [("Events", ev.astype(str))] if len(ev) else []
        if len(un):
            tables.append(("Declared uncertain parameters (Latin hypercube)", un.astype(str)))
        text = f"<pre>{html.escape(scenario_text)}</pre>" if scenario_text else ""
        sections.append(Section("The scenario", text, tables=tables))

    world = result.world
    if world is not None and len(world.tables["sources"]):
        sections.append(
            Section(
                "Data sources",
                f"<p>Dataset {html.escape(world.name)} v{world.version} "
                f"(content hash {world.content_hash}). Every number in the dataset cites one of "
                "these rows; 'assumption' rows give the reason for the value.</p>",
                tables=[("Sources", world.tables["sources"])],
            )
        )
    return sections


def scenario_text_of(path: str | None) -> str | None:
    if path and Path(path).is_file():
        return Path(path).read_text(encoding="utf-8")
    return None


def value_added_section(result: Result, top: int = 15) -> Section:
    """Value added lost by region (bar chart with the 5-95 % band) and by region and sector (table)."""
    import plotly.graph_objects as go

    by_region = result.data.cp.value_added_lost()
    by_sector = result.data.cp.value_added_lost(by="sector")
    head = by_region.head(top)
    fig = go.Figure(
        go.Bar(
            x=list(head["region"]),
            y=list(head["usd_median"] / 1e6),
            error_y={
                "type": "data",
                "symmetric": False,
                "array": list((head["usd_p95"] - head["usd_median"]) / 1e6),
                "arrayminus": list((head["usd_median"] - head["usd_p05"]) / 1e6),
            },
            name="median, 5-95 %",
        )
    )
    fig.update_layout(
        title=f"Value added lost over the horizon, largest {len(head)} regions (million USD)",
        yaxis_title="million USD",
        template="plotly_white",
    )
    text = (
        "<p>Value added lost = sum over days of v_f (x0_f - x_f(t)) in USD, with v_f the producer's "
        "value-added share of output in the baseline table (fixed coefficients). Bars: median across "
        "runs; whiskers: 5th-95th percentiles.</p>"
    )
    return Section(
        "Value added lost by region and sector",
        text,
        figures=[fig],
        tables=[
            ("By region (USD)", by_region),
            (f"By region and sector, largest {min(len(by_sector), 40)} (USD)", by_sector.head(40)),
        ],
    )
