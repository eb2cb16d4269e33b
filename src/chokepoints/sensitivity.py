"""Global sensitivity (Sobol) of an indicator to a scenario's declared uncertain parameters.

Saltelli's scheme (Saltelli 2002; Saltelli et al. 2010) via SALib: N base samples give
N * (D + 2) runs for D parameters; first-order indices
    S1_i = V[E(Y | X_i)] / V(Y)
and total-order indices
    ST_i = E[V(Y | X_~i)] / V(Y)
are estimated with bootstrap confidence intervals (95 %). Sampling happens on the unit
hypercube and each column is mapped through its parameter's inverse CDF, so the
indices refer to the declared distributions (a bijective map leaves them unchanged).
All runs of the design are simulated as one vectorised ensemble, or, with
:func:`sobol_sweep`, in chunks through the sweep runner (catalogued, resumable).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import InputError, Problem
from .scenario import Scenario
from .scenario.assumptions import resolve_assumptions
from .scenario.sampling import sample_labels
from .world import World

INDICATORS = ("shortfall_day", "output_lost_units", "output_lost_usd")


@dataclass
class SobolResult:
    indicator: str
    region: str
    end_use: str
    runs: int
    table: pd.DataFrame  # parameter, S1, S1_conf, ST, ST_conf (sorted by ST)
    values: np.ndarray  # indicator per run


def indicator_values(result, indicator: str, region: str, end_use: str, horizon: int) -> np.ndarray:
    """One number per run. Days to shortfall are censored at horizon + 1 when there is none."""
    ind = result.indicators
    if indicator == "shortfall_day":
        v = ind.shortfall_days(region, end_use).values
        return np.where(np.isfinite(v), v, horizon + 1.0)
    lost = ind.output_lost(region, end_use)
    return (lost.units if indicator == "output_lost_units" else lost.usd).values


def sobol(
    world: World,
    sc: Scenario,
    *,
    base_samples: int = 64,
    indicator: str = "shortfall_day",
    region: str | None = None,
    end_use: str | None = None,
    seed: int | None = None,
    progress=None,
) -> SobolResult:
    """Sobol indices of ``indicator`` for (region, end use) — default: the scenario's first key user."""
    from .engine import simulate

    _check(sc, indicator, base_samples)
    region, end_use = default_group(world, sc, region, end_use)
    seed = sc.seed if seed is None else seed
    problem, values = saltelli_sample(world, sc, base_samples, seed)
    sc = resolve_assumptions(sc, world.assumptions, world.name)
    res = simulate(world, sc, runs=len(values), seed=seed, samples=values, progress=progress)
    y = indicator_values(res, indicator, region, end_use, sc.horizon_days)
    return SobolResult(indicator, region, end_use, len(values), analyse(problem, y, seed), y)


def _check(sc: Scenario, indicator: str, base_samples: int) -> None:
    src = sc.source_path or "<scenario>"
    if len(sc.uncertain) < 2:
        line, col = sc.locate(("uncertain",))
        raise InputError(
            Problem(
                src, "a Sobol analysis needs at least two declared uncertain parameters", line, col, field="uncertain"
            )
        )
    if indicator not in INDICATORS:
        raise InputError(Problem("--indicator", f"expected one of {', '.join(INDICATORS)}, got {indicator!r}"))
    if base_samples < 2 or base_samples & (base_samples - 1):
        raise InputError(Problem("--samples", f"must be a power of two >= 2, got {base_samples}"))


def default_group(world: World, sc: Scenario, region: str | None, end_use: str | None) -> tuple[str, str]:
    """(region, end use): the given ones, else the scenario's (or the World's) first key user."""
    if region is None or end_use is None:
        keys = [(k.region, k.end_use) for k in sc.key_users] or [
            (k["region"], k["end_use"]) for k in world.metadata.get("key_users", [])
        ]
        if not keys:
            raise InputError(
                Problem(sc.source_path or "<scenario>", "no key user: give --region and --end-use", field="key_users")
            )
        region, end_use = region or keys[0][0], end_use or keys[0][1]
    return region, end_use


def saltelli_sample(world: World, sc: Scenario, base_samples: int, seed: int) -> tuple[dict, np.ndarray]:
    """SALib's problem and Saltelli's sample of the declared unknowns: N (D + 2) rows, one per run,
    each column mapped from the unit interval through its parameter's inverse CDF."""
    from SALib.sample import sobol as sobol_sample

    sc = resolve_assumptions(sc, world.assumptions, world.name)  # bounds from the World's assumptions table
    names = sample_labels(sc)  # the labels of the shared draw (chokepoints.scenario.sampling)
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    u = sobol_sample.sample(problem, base_samples, calc_second_order=False, seed=seed)
    u = np.clip(u, 1e-9, 1 - 1e-9)  # the inverse CDFs of unbounded distributions need (0, 1)
    return problem, np.column_stack([p.ppf(u[:, j]) for j, p in enumerate(sc.uncertain)])


def analyse(problem: dict, y: np.ndarray, seed: int) -> pd.DataFrame:
    """S1, ST and their bootstrap 95 % half widths (SALib), sorted by ST."""
    from SALib.analyze import sobol as sobol_analyze

    si = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed, print_to_console=False)
    return (
        pd.DataFrame(
            {
                "parameter": problem["names"],
                "S1": si["S1"],
                "S1_conf": si["S1_conf"],
                "ST": si["ST"],
                "ST_conf": si["ST_conf"],
            }
        )
        .sort_values("ST", ascending=False)
        .reset_index(drop=True)
    )


WIDE = 0.1  # a 95 % half width above this is "wide" (the indices are shares of variance, in [0, 1])


def widest_interval(table: pd.DataFrame) -> float:
    """The largest 95 % half width of S1 and ST in ``table``."""
    return float(np.nanmax(table[["S1_conf", "ST_conf"]].to_numpy()))


def sobol_sweep(
    scenario_path: str,
    *,
    base_samples: int = 64,
    indicator: str = "shortfall_day",
    region: str | None = None,
    end_use: str | None = None,
    seed: int | None = None,
    out: str = "out/sweeps",
    workers: int | None = None,
    scheduler: str | None = None,
    max_memory: str = "256MiB",
    progress=None,
) -> tuple[SobolResult, str]:
    """:func:`sobol` with its runs done as a sweep (design ``sobol_indices``) in the catalogue ``out``.

    Chunks run on Dask like any sweep and are written as they finish; calling again with the same
    arguments resumes (only unfinished chunks run) or, when all are done, only re-analyses. The
    sample and the analysis are those of :func:`sobol`, so the same seed gives the same indices.
    Returns the result and the sweep id.
    """
    from .runner import load_inputs
    from .sweep.catalogue import connect
    from .sweep.execute import prepare, run_sweep
    from .sweep.model import SweepFile

    sc, world = load_inputs(scenario_path)
    _check(sc, indicator, base_samples)
    region, end_use = default_group(world, sc, region, end_use)
    seed = sc.seed if seed is None else seed
    spec = SweepFile.model_validate(
        {
            "name": f"sobol-{sc.name}"[:100],
            "scenarios": [str(scenario_path)],
            "design": {"type": "sobol_indices", "base_samples": base_samples},
            "seed": seed,
            "indicators": list(INDICATORS),
            "groups": [{"region": region, "end_use": end_use}],
            "series": False,
            "max_memory": max_memory,
        }
    )
    prepared = prepare(spec)
    run = run_sweep(spec, out, workers=workers, scheduler=scheduler, resume=True, prepared=prepared, progress=progress)
    with connect(out, read_only=True) as con:
        y = (
            con.execute(
                "select value from indicators where sweep_id = ? and indicator = ? and region = ? and end_use = ? "
                "order by run",
                [run.sweep_id, indicator, region, end_use],
            )
            .df()
            .value.to_numpy(float)
        )
    ex = prepared[0]
    if run.failed or len(y) != ex.runs_per_point:
        raise InputError(
            Problem(str(scenario_path), f"sweep {run.sweep_id}: {run.failed} chunks failed; run again to retry them")
        )
    if indicator == "shortfall_day":  # censored at horizon + 1 when there is none, as in indicator_values
        y = np.where(np.isfinite(y), y, sc.horizon_days + 1.0)
    problem, _ = saltelli_sample(world, sc, base_samples, seed)
    return SobolResult(indicator, region, end_use, len(y), analyse(problem, y, seed), y), run.sweep_id


def tornado_figure(result: SobolResult):
    """Horizontal bars of total and first-order indices with 95 % intervals."""
    import plotly.graph_objects as go

    t = result.table.iloc[::-1]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=t.parameter, x=t.ST, orientation="h", name="total order ST", error_x={"type": "data", "array": t.ST_conf}
        )
    )
    fig.add_trace(
        go.Bar(
            y=t.parameter, x=t.S1, orientation="h", name="first order S1", error_x={"type": "data", "array": t.S1_conf}
        )
    )
    fig.update_layout(
        barmode="group",
        template="plotly_white",
        height=160 + 60 * len(t),
        title=f"Sobol indices of {result.indicator} for {result.region} {result.end_use}",
        xaxis_title="share of variance",
        margin={"l": 320},
    )
    return fig
