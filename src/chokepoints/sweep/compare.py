"""Compare scenarios and sweeps: indicators side by side, differences with bands, series overlaid.

Each source (a scenario simulated now, or a sweep in the catalogue, all its points pooled,
or one point as ``SWEEP@POINT``) gives per run and group (region, end use) the indicators of
:mod:`chokepoints.sweep.work`, and per day the mean output ratio. For each group and indicator
the table shows each source's median [5 %, 95 %] across runs and, for every source after the
first, the difference of medians B - A with a 90 % bootstrap band: the 5th and 95th percentiles
of median(B*) - median(A*) over 1,000 resamples (with replacement, seeded) of each source's runs.
Runs that never fall short count as +inf in the shortfall day (as in ``ds.cp.time_to_shortfall``);
a median or difference that is infinite prints as "never" / "—".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError, Problem

BOOTSTRAP = 1000


@dataclass
class Source:
    label: str
    indicators: pd.DataFrame  # region, end_use, indicator, value (one row per run)
    series: pd.DataFrame  # region, end_use, day, mean_output_ratio
    provenance: dict[str, Any]


def from_scenario(ref: str, runs: int | None = None, seed: int | None = None) -> Source:
    """Simulate a scenario (file or bundled name) and keep its key users' indicators and series."""
    from ..engine import simulate
    from ..runner import load_inputs
    from .design import RECORD
    from .work import tidy

    sc, world = load_inputs(ref)
    res = simulate(world, sc, runs=runs, seed=seed, record=list(RECORD))
    task = {
        "groups": "key_users",
        "indicators": ["shortfall_day", "output_lost_units", "output_lost_usd"],
        "series": True,
    }
    ind, ser = tidy(res.data, task, 0, 0)
    assert ser is not None
    ser = ser.assign(mean_output_ratio=ser.sum_output_ratio / ser.runs.where(ser.runs > 0))
    return Source(sc.name, ind, ser[["region", "end_use", "day", "mean_output_ratio"]], dict(res.provenance))


def from_sweep(con: Any, ref: str) -> Source:
    """A sweep of the catalogue (all points pooled), or one point of it as ``SWEEP@POINT``."""
    from .catalogue import resolve_sweep

    name, _, point = ref.partition("@")
    sid = resolve_sweep(con, name, source=ref)
    where = "sweep_id = ?"
    args: list[Any] = [sid]
    if point:
        if not point.isdigit():
            raise InputError(Problem(ref, f"expected SWEEP@POINT with a point number, got {point!r}"))
        where += " and point_id = ?"
        args.append(int(point))
    ind = con.execute(f"select region, end_use, indicator, value from indicators where {where}", args).df()
    if ind.empty:
        raise InputError(Problem(ref, f"sweep {sid} has no finished chunks{' for that point' if point else ''}"))
    ser = con.execute(
        f"select region, end_use, day, sum(sum_output_ratio) / nullif(sum(runs), 0) as mean_output_ratio "
        f"from series where {where} group by region, end_use, day order by region, end_use, day",
        args,
    ).df()
    prov = {"sweep_id": sid, **({"point": int(point)} if point else {})}
    return Source(ref if point else sid, ind, ser, prov)


def _filled(v: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(v), v, np.inf)


def _median(v: np.ndarray) -> float:
    return float(np.median(_filled(v))) if v.size else np.nan


def compare_table(sources: list[Source], seed: int = 0) -> pd.DataFrame:
    """One row per (region, end use, indicator) present in every source (see the module docstring)."""
    rng = np.random.default_rng(seed)
    keys = None
    for s in sources:
        k = set(map(tuple, s.indicators[["region", "end_use", "indicator"]].drop_duplicates().to_numpy()))
        keys = k if keys is None else keys & k
    if not keys:
        raise InputError(Problem("compare", "the sources share no (region, end use, indicator)"))
    grouped = [
        {k: g.value.to_numpy(float) for k, g in s.indicators.groupby(["region", "end_use", "indicator"])}
        for s in sources
    ]
    rows = []
    for key in sorted(keys):
        row: dict[str, Any] = {"region": key[0], "end_use": key[1], "indicator": key[2]}
        base = grouped[0][key]
        for s, g in zip(sources, grouped, strict=True):
            v = _filled(g[key])
            q = np.quantile(v, [0.5, 0.05, 0.95])
            row[f"{s.label} median"] = q[0]
            row[f"{s.label} p05"] = q[1]
            row[f"{s.label} p95"] = q[2]
        fa = _filled(base)
        boot_a = np.median(fa[rng.integers(0, fa.size, (BOOTSTRAP, fa.size))], axis=1)
        for s, g in zip(sources[1:], grouped[1:], strict=True):
            fb = _filled(g[key])
            boot_b = np.median(fb[rng.integers(0, fb.size, (BOOTSTRAP, fb.size))], axis=1)
            with np.errstate(invalid="ignore"):
                d = boot_b - boot_a
                diff = _median(g[key]) - _median(base)
            d = d[np.isfinite(d)]
            row[f"{s.label} - {sources[0].label}"] = diff if np.isfinite(diff) else np.nan
            row["band p05" if len(sources) == 2 else f"{s.label} band p05"] = (
                float(np.quantile(d, 0.05)) if d.size else np.nan
            )
            row["band p95" if len(sources) == 2 else f"{s.label} band p95"] = (
                float(np.quantile(d, 0.95)) if d.size else np.nan
            )
        rows.append(row)
    df = pd.DataFrame(rows)
    num = df.select_dtypes("number").columns
    df[num] = df[num].replace([np.inf, -np.inf], np.nan)
    return df


def series_figures(sources: list[Source]) -> list[Any]:
    """One chart per group: each source's mean output ratio per day, overlaid."""
    import plotly.graph_objects as go

    from ..report.charts import PALETTE

    groups = (
        sorted(
            set.intersection(
                *[set(map(tuple, s.series[["region", "end_use"]].drop_duplicates().to_numpy())) for s in sources]
            )
        )
        if sources
        else []
    )
    figs = []
    for region, end_use in groups:
        fig = go.Figure()
        for i, s in enumerate(sources):
            g = s.series[(s.series.region == region) & (s.series.end_use == end_use)]
            fig.add_trace(
                go.Scatter(
                    x=g.day, y=g.mean_output_ratio, name=s.label, line={"color": PALETTE[i % len(PALETTE)], "width": 2}
                )
            )
        fig.add_hline(y=1.0, line={"dash": "dot", "color": "#555"}, annotation_text="baseline")
        fig.update_layout(
            title=f"{region} {end_use}: mean output ratio",
            xaxis_title="day",
            yaxis_title="share of baseline",
            template="plotly_white",
            height=380,
            legend={"orientation": "h", "y": -0.2},
        )
        figs.append(fig)
    return figs


def write_compare_report(path: Path, sources: list[Source], table: pd.DataFrame) -> Path:
    from ..provenance import provenance
    from ..report import Section, write_report
    from ..report.html import table_html

    text = (
        "<p>Median [5 %, 95 %] across runs per source; differences of medians with a 90 % bootstrap band "
        "(1,000 resamples). Shortfall day: days from the start; empty = never within the horizon.</p>"
    )
    sections = [
        Section("Indicators side by side", text + table_html(table)),
        Section("Output ratio over time (mean over runs)", figures=series_figures(sources)),
    ]
    prov = provenance(
        "compare",
        sources=[s.label for s in sources],
        source_provenance=[
            {k: s.provenance.get(k) for k in ("scenario_hash", "sweep_id", "seed", "runs") if k in s.provenance}
            for s in sources
        ],
    )
    return write_report(path, "chokepoints compare: " + " vs ".join(s.label for s in sources), sections, prov)
