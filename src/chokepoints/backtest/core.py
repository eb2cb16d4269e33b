"""Confront a scenario's ensemble with observed series (``chokepoints backtest``).

For every observation of a mapped series (``scenario.backtest.series``) the model value of each
run r is computed from the Result: the mapped daily quantity q_r(t) (shipments on routes, output
of producers, or a sampled parameter), aggregated over the observation's days [s, e) —
sum_t q_r(t) (``sum``), its mean (``mean``) or mean x 365 (``annual_rate``) — and converted to
the observation's unit; or, for ``granted_share``, the ratio of shipments to orders on the mapped
routes over the period's days (requests granted by its end). Scores per observation: the median
and the 5 and 95 % quantiles over runs (optionally over a subset of runs, e.g. an ABC posterior),
the log error ln(median / observed), and whether the observation lies inside [p05, p95].
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..datasets.observations import Observations, load_observations
from ..errors import InputError, Problem
from ..scenario.backtest_spec import BacktestSpec, SeriesMap
from .units import convert

CSV_COLUMNS = ["series", "geography", "period", "unit", "observed", "model_median", "model_p05", "model_p95", "fitted"]


@dataclass
class Confrontation:
    """Observations beside the model values of every run.

    ``rows``: one row per scored observation (series, geography, period, unit, observed, role);
    ``M``: (runs, rows) model values in the observation's unit; ``skipped``: observations of
    mapped series that could not be scored, with the reason.
    """

    rows: pd.DataFrame
    M: np.ndarray
    skipped: list[str] = field(default_factory=list)

    def table(self, runs: np.ndarray | None = None, error: float | None = None) -> pd.DataFrame:
        """Scores per observation over all runs, or over the runs in ``runs`` (indices).

        With ``error`` e (an ABC posterior's tolerance) the table also gives the posterior
        predictive band of the observation, ``pred_p05``/``pred_p95`` and ``inside_pred``: the
        model values times exp(u), u uniform on [-e, e], the error model that ABC with a uniform
        kernel of half-width e assumes (Wilkinson 2013, "Approximate Bayesian computation (ABC) gives
        exact results under the assumption of model error", Stat. Appl. Genet. Mol. Biol. 12(2));
        u is taken on 41 evenly spaced points, so the band is deterministic. For fitted series the
        band then holds the observation almost by construction; for held-out series it is a test.
        """
        M = self.M if runs is None else self.M[np.asarray(runs)]
        df = self.rows.copy()
        if M.shape[0] == 0:
            raise InputError(Problem("<backtest>", "no runs to score"))
        df["model_median"] = np.median(M, axis=0)
        df["model_p05"] = np.quantile(M, 0.05, axis=0)
        df["model_p95"] = np.quantile(M, 0.95, axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            le = np.log(df["model_median"].to_numpy() / df["observed"].to_numpy())
        df["log_error"] = np.where(np.isfinite(le), le, np.nan)
        df["inside"] = (df["observed"] >= df["model_p05"] - 1e-12) & (df["observed"] <= df["model_p95"] + 1e-12)
        df["fitted"] = df["role"] == "fitted"
        if error is not None:
            pooled = (M[:, None, :] * np.exp(np.linspace(-error, error, 41))[None, :, None]).reshape(-1, M.shape[1])
            df["pred_p05"] = np.quantile(pooled, 0.05, axis=0)
            df["pred_p95"] = np.quantile(pooled, 0.95, axis=0)
            df["inside_pred"] = (df["observed"] >= df["pred_p05"] - 1e-12) & (df["observed"] <= df["pred_p95"] + 1e-12)
        return df

    def distance(self, series: list[str]) -> np.ndarray:
        """Per run: max over the named series' observations of |ln(model_r / observed)| (inf when
        a model value is not positive)."""
        cols = self.rows["series"].isin(series).to_numpy()
        if not cols.any():
            raise InputError(Problem("<backtest>", f"no scored observation of {', '.join(series)}"))
        with np.errstate(divide="ignore", invalid="ignore"):
            err = np.abs(np.log(self.M[:, cols] / self.rows["observed"].to_numpy()[cols]))
        return np.where(np.isfinite(err), err, np.inf).max(axis=1)


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per series: role, observations, share inside the 5-95 % band (and the predictive band, when
    the table has one), max and RMS |log error|."""
    out = []
    for (series, role), g in table.groupby(["series", "role"], sort=False):
        le = g["log_error"].to_numpy(float)
        ok = np.isfinite(le)
        out.append(
            {
                "series": series,
                "role": role,
                "observations": len(g),
                "inside_band": float(g["inside"].mean()),
                **({"inside_predictive": float(g["inside_pred"].mean())} if "inside_pred" in g else {}),
                "max_abs_log_error": float(np.abs(le[ok]).max()) if ok.any() else float("nan"),
                "rms_log_error": float(np.sqrt(np.mean(le[ok] ** 2))) if ok.any() else float("nan"),
            }
        )
    return pd.DataFrame(out)


def _months_back(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 - months, 12)
    return dt.date(d.year + y, m + 1, d.day)


def _in_window(start: dt.date, window: tuple[str, str] | None) -> bool:
    if window is None:
        return True
    from ..datasets.observations import parse_period

    lo, _ = parse_period(window[0])
    _, hi = parse_period(window[1])
    return lo <= start < hi


def _routes(ds, m: SeriesMap, name: str, where: str, need: str = "shipments") -> np.ndarray:
    """Boolean mask of the controlled routes a shipments-like mapping selects."""
    if need not in ds:
        raise InputError(Problem(where, f"the result holds no {need} (no controlled routes)", field=f"{name}"))
    exp = ds["route_exporter"].values
    imp = ds["route_importer"].values
    prod = ds["route_product"].values
    sel = (exp == m.exporter) & np.isin(prod, m.products or []) & (imp != m.exporter)
    if m.importers != "all":
        sel &= np.isin(imp, m.importers)
    if not sel.any():
        raise InputError(
            Problem(
                where,
                f"no controlled route from {m.exporter} in {', '.join(m.products or [])}: the model records "
                "shipments only on routes some export_control event watches",
                field=f"backtest.series.{name}",
            )
        )
    return sel


def _granted_share(ds, m: SeriesMap, name: str, where: str, a: int, b: int, start: dt.date) -> np.ndarray:
    """Per run: shipments over orders on the mapped routes, days [max(a, count_from), b) after
    ``start`` (see SeriesMap)."""
    sel = _routes(ds, m, name, where)
    _routes(ds, m, name, where, need="orders")
    if m.count_from is not None:
        a = max(a, (m.count_from - start).days)
    if a >= b:
        raise InputError(Problem(where, "count_from is after the period's end", field=f"backtest.series.{name}"))
    shipped = ds["shipments"].values[:, a:b, sel].sum(axis=(1, 2))
    asked = ds["orders"].values[:, a:b, sel].sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(asked > 0, shipped / asked, np.nan)


def _daily(ds, m: SeriesMap, name: str, where: str) -> tuple[np.ndarray, np.ndarray, str]:
    """(runs, days) daily model quantity, its (days,) or scalar baseline per day, and its unit."""
    units = dict(zip(ds["product"].values.tolist(), ds["product_unit"].values.tolist(), strict=True))
    if m.quantity == "shipments":
        sel = _routes(ds, m, name, where)
        prod_units = {units[p] for p in m.products or []}
        if len(prod_units) != 1:
            raise InputError(Problem(where, f"products in different units {sorted(prod_units)}", field=name))
        q = ds["shipments"].values[:, :, sel].sum(axis=2)
        base = float(ds["baseline_shipments"].values[sel].sum())
        return q, np.full(q.shape[1], base), prod_units.pop()
    if m.quantity == "production":
        known = set(ds["producer"].values.tolist())
        missing = [p for p in m.producers or [] if p not in known]
        if missing:
            raise InputError(
                Problem(where, f"unknown producer(s) {', '.join(missing)}", field=f"backtest.series.{name}")
            )
        sel = np.isin(ds["producer"].values, m.producers or [])
        prod_units = {units[p] for p in ds["producer_product"].values[sel]}
        if len(prod_units) != 1:
            raise InputError(Problem(where, f"producers' products in different units {sorted(prod_units)}", field=name))
        q = ds["production"].values[:, :, sel].sum(axis=2)
        base = float(ds["baseline_production"].values[sel].sum())
        return q, np.full(q.shape[1], base), prod_units.pop()
    labels = ds["parameter"].values.tolist()
    if m.parameter not in labels:
        raise InputError(
            Problem(
                where,
                f"parameter {m.parameter!r} is not one of the scenario's uncertain parameters ({', '.join(labels)})",
                field=f"backtest.series.{name}.parameter",
            )
        )
    v = ds["samples"].values[:, labels.index(m.parameter)]
    T = ds.sizes["day"]
    return np.repeat(v[:, None], T, axis=1), np.ones(T), "share"


def confront(
    ds, spec: BacktestSpec, start: dt.date, observed: Observations | None = None, where: str = ""
) -> Confrontation:
    """Build the :class:`Confrontation` of a Result Dataset ``ds`` (dims run, day) with the
    observations that ``spec`` maps (``observed`` overrides ``spec.observed``)."""
    obs = observed or load_observations(spec.observed)
    T = ds.sizes["day"]
    rows, cols, skipped = [], [], []
    role = {**{s: "fitted" for s in spec.fit}, **{s: "held-out" for s in spec.hold_out}}
    for name, m in spec.series.items():
        data = obs.of(name)
        if data.empty:
            skipped.append(f"{name}: no observation in table {obs.name}")
            continue
        q, base, unit = _daily(ds, m, name, where) if m.quantity != "granted_share" else (None, None, "share")
        for r in data.itertuples(index=False):
            label = f"{name} {r.period}"
            if not _in_window(r.start, m.window):
                continue
            prev = None
            if m.compare == "year_on_year":
                prev = data[(data["start"] == _months_back(r.start, 12)) & (data["geography"] == r.geography)]
                if prev.empty:
                    continue  # the reference year itself, or a period without one
            a, b = (r.start - start).days, (r.end - start).days
            if a < 0 or b > T:
                skipped.append(f"{label}: outside the simulated days ({start} + {T} days)")
                continue
            days = b - a
            if m.quantity == "granted_share":
                v, vb = _granted_share(ds, m, name, where, a, b, start), 1.0
            elif m.quantity == "parameter":  # the same value on every day: its mean is the value
                assert q is not None
                v, vb = q[:, a:b].mean(axis=1), 1.0
            elif m.aggregate == "sum":
                assert q is not None and base is not None
                v, vb = q[:, a:b].sum(axis=1), base[a:b].sum()
            else:
                assert q is not None and base is not None
                v, vb = q[:, a:b].mean(axis=1), base[a:b].mean()
                if m.aggregate == "annual_rate":
                    v, vb = v * 365.0, vb * 365.0
            if prev is not None:
                observed_v, out_unit = r.value / float(prev["value"].iloc[0]), "ratio"
                v = v / vb if vb > 0 else np.full_like(v, np.nan)
            else:
                observed_v, out_unit = r.value, r.unit
                v = convert(v, unit, r.unit, where=f"{where} backtest.series.{name}")
            rows.append(
                {
                    "series": name,
                    "geography": r.geography,
                    "period": r.period,
                    "unit": out_unit,
                    "observed": float(observed_v),
                    "role": role.get(name, "unmapped split"),
                    "days": days,
                    "source": r.source,
                }
            )
            cols.append(np.asarray(v, float))
    for s in spec.fit + spec.hold_out:
        if not any(r["series"] == s for r in rows):
            skipped.append(f"{s}: in the split but no observation could be scored")
    R = ds.sizes["run"]
    M = np.column_stack(cols) if cols else np.zeros((R, 0))
    return Confrontation(pd.DataFrame(rows), M, skipped)


def backtest_spec_of(scenario) -> BacktestSpec:
    if scenario.backtest is None:
        raise InputError(
            Problem(
                scenario.source_path or "<scenario>",
                "this scenario declares no 'backtest:' block (observed series and how they map onto the model)",
                *scenario.locate(()),  # type: ignore[misc]  # (line, column), as Scenario.world_ref
                field="backtest",
            )
        )
    return scenario.backtest


def simulate_for_backtest(
    world, scenario, runs: int | None = None, seed: int | None = None, samples=None, progress=None, max_memory=None
):
    """Simulate recording only what back-tests read (output, controlled shipments and orders); ``max_memory``
    as :func:`chokepoints.simulate`'s."""
    from ..engine import simulate

    return simulate(
        world,
        scenario,
        runs=runs,
        seed=seed,
        samples=samples,
        record=["production", "shipments", "orders"],
        progress=progress,
        max_memory=max_memory,
    )
