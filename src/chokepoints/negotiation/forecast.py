"""Stakeholder forecasts of each round, with bands, Sobol ranking and scores against outcomes.

From a :class:`~.analysis.NegotiationResult` (the simulations are done; nothing here
simulates again, the terms are read from the same cached, stacked ensemble):

1. **Stakeholders from the simulations.** Every faction is a stakeholder. On issue k of a
   round's agenda its marginal utility of option v is m_fk(v) = mean of u_f(x) over the
   packages x with x_k = v (u_f the faction's normalised utility of :mod:`.analysis`). Its
   position is the option with the largest m_fk, its raw salience the spread
   max_v m_fk - min_v m_fk, scaled so its most important issue has salience 1 (times an
   optional salience factor), and its capability is c_f = capability(party) x w_f.
   Options sit on the issue's scale: the value written to its first target (a tariff
   rate, an approval share, $bn, days), with ``keep`` at the target's current value;
   issues whose values are not numbers use their order. Scales are mapped to [0, 1].
2. **Models** (:mod:`.stakeholders`): ``compromise`` (the baseline), ``median`` (weighted
   median), ``challenge`` (Bueno de Mesquita/Scholz), ``exchange`` (Stokman), each per
   issue and snapped to the nearest option, and ``nash`` (the two-party Nash solution
   of :mod:`.analysis` with the same preferences).
3. **Ensemble.** The spec's ``uncertain`` preferences (faction weights, capabilities,
   salience factors, term coefficients) are drawn by Latin hypercube (``draws`` rows,
   the spec's seed), each draw re-weights the same simulated term values, and every
   model's prediction becomes a distribution: the probability of each package, the
   median and 5-95 % of each issue, and the 90 % set (the most probable packages
   that together reach 0.9).
4. **Sobol** (SALib, Saltelli sampling): first-order and total indices of each
   uncertain preference for a scalar summary of each cheap model's last-round
   prediction (the mean position over the agenda, on the [0, 1] scales).
5. **Score.** The error of a prediction against the actual package is the mean over the
   agenda of |predicted - actual| on the [0, 1] scale; hit = the actual package is the
   prediction (point) or lies in the 90 % set (ensemble). Out of sample: the one
   tuned number, the US share of capability theta = c_USA / (c_USA + c_CHN), is chosen
   on a grid to minimise the error on the other rounds, then the held-out round is
   predicted (leave-one-round-out).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .analysis import Evaluator, FactionInfo, NegotiationResult, party_utilities
from .domain import RoundContext, build_policy
from .solutions import nash_solution
from .spec import KEEP, Spec
from .stakeholders import challenge_batch, compromise, exchange_forecast, weighted_median

MODELS = ("compromise", "median", "challenge", "exchange", "nash")
BASELINE = "compromise"
THETA_GRID = tuple(np.round(np.linspace(0.2, 0.8, 13), 3))


# ----------------------------------------------------------------------------------------
# What a round gives the stakeholder layer
# ----------------------------------------------------------------------------------------
@dataclass
class RoundTable:
    name: str
    label: str
    date: dt.date
    agenda: list[str]
    options: list[list[Any]]  # per agenda issue
    scales: list[np.ndarray]  # option positions on [0, 1]
    units: list[np.ndarray]  # option positions in the issue's units
    codes: np.ndarray  # (P, K) option index of each package per agenda issue
    terms: np.ndarray  # (P + 1 [+ 1], M) term values: packages, no deal, actual
    term_owner: np.ndarray  # (M,) faction index of each term
    term_path: list[tuple[str, str, int]]  # (party, faction, k)
    no_deal_row: int
    actual: np.ndarray | None  # (K,) option index of the actual package
    restricted: np.ndarray | None = None  # (P,) packages left when the excluded issues stay off the table
    excluded: tuple[str, ...] = ()

    @property
    def P(self) -> int:
        return self.codes.shape[0]


def _current_value(ctx: RoundContext, issue: Any) -> float | None:
    t = issue.targets[0]
    if t.lever is not None:
        return float(ctx.lever_base[t.lever][max(ctx.t0, 0)])
    for ev in reversed(ctx.baseline_events):
        if getattr(ev, "id", None) == t.event:
            v = getattr(ev, t.field, None)
            return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None
    return None


def option_positions(ctx: RoundContext, issue: Any) -> np.ndarray:
    """Positions of the issue's options (``keep`` first) in the target's units (order when not numbers)."""
    opts = issue.options()
    if issue.kind == "truce":
        return np.array([float(v) for v in opts])
    vals: list[float | None] = []
    for v in opts:
        if v == KEEP:
            vals.append(_current_value(ctx, issue))
            continue
        w = issue.targets[0].write(v)
        vals.append(float(w) if isinstance(w, int | float) and not isinstance(w, bool) else None)
    if any(v is None for v in vals):
        return np.arange(len(opts), dtype=float)
    return np.array(vals, float)


def round_tables(res: NegotiationResult, world: Any) -> list[RoundTable]:
    """A :class:`RoundTable` for every round of talks (term values read from the simulation cache)."""
    spec = res.spec
    ev = Evaluator(spec, world, res.cache)
    out = []
    for r in res.talks:
        ctx = r.ctx
        policies = [build_policy(ctx, p) for p in r.packages]
        policies.append(build_policy(ctx, None))
        if r.actual_row is not None:
            policies.append(build_policy(ctx, r.actual_package))
        views = ev.views(policies)
        cols, owner, paths = [], [], []
        for j, f in enumerate(ev.factions):
            for k, t in enumerate(f.terms):
                cols.append(ev.term_values(policies, views, t))
                owner.append(j)
                paths.append((f.party, f.name, k))
        agenda = [a for a in ctx.agenda]
        idx = [[i.name for i in spec.issues].index(a) for a in agenda]
        options = [spec.issues[i].options() for i in idx]
        units = [option_positions(ctx, spec.issues[i]) for i in idx]
        scales = []
        for u in units:
            span = u.max() - u.min()
            scales.append((u - u.min()) / span if span > 0 else np.zeros_like(u))
        codes = np.array([[options[k].index(p[i]) for k, i in enumerate(idx)] for p in r.packages], int)
        actual = None
        if r.actual_row is not None:
            ap = r.actual_package
            assert ap is not None
            actual = np.array([options[k].index(ap[i]) for k, i in enumerate(idx)], dtype=int)
        out.append(
            RoundTable(
                r.name,
                ctx.round.label or r.name,
                ctx.round.date,
                agenda,
                options,
                scales,
                units,
                codes,
                np.column_stack(cols),
                np.array(owner),
                paths,
                r.no_deal_row,
                actual,
                None if r.agenda is None else np.asarray(r.agenda.mask, bool),
                () if r.agenda is None else tuple(r.agenda.excluded),
            )
        )
    return out


# ----------------------------------------------------------------------------------------
# Preferences: the point values and the draws
# ----------------------------------------------------------------------------------------
@dataclass
class Preferences:
    """Capabilities per party, weights and salience factors per faction, coefficients per term."""

    capability: dict[str, float]
    weight: dict[tuple[str, str], float]
    salience: dict[tuple[str, str], float]
    coef: dict[tuple[str, str, int], float]

    @classmethod
    def of(cls, spec: Spec) -> Preferences:
        return cls(
            {p: party.capability for p, party in spec.parties.items()},
            {(p, f): fac.weight for p, party in spec.parties.items() for f, fac in party.factions.items()},
            {(p, f): 1.0 for p, party in spec.parties.items() for f in party.factions},
            {
                (p, f, k): t.sign
                for p, party in spec.parties.items()
                for f, fac in party.factions.items()
                for k, t in enumerate(fac.terms)
            },
        )

    def set(self, path: str, value: float) -> None:
        parts = path.split(".")
        if parts[2] == "capability":
            self.capability[parts[1]] = value
        elif parts[4] == "weight":
            self.weight[(parts[1], parts[3])] = value
        elif parts[4] == "salience":
            self.salience[(parts[1], parts[3])] = value
        else:
            self.coef[(parts[1], parts[3], int(parts[5]))] = value

    def with_theta(self, theta: float, parties: list[str]) -> Preferences:
        """A copy with capabilities theta (first party) and 1 - theta (second)."""
        out = Preferences(dict(self.capability), dict(self.weight), dict(self.salience), dict(self.coef))
        out.capability[parties[0]], out.capability[parties[1]] = theta, 1.0 - theta
        return out

    def weights_normalised(self) -> dict[tuple[str, str], float]:
        tot: dict[str, float] = {}
        for (p, _), w in self.weight.items():
            tot[p] = tot.get(p, 0.0) + max(w, 0.0)
        return {k: max(w, 0.0) / tot[k[0]] if tot[k[0]] > 0 else 0.0 for k, w in self.weight.items()}


def draw_preferences(spec: Spec, draws: int | None = None, seed: int | None = None) -> tuple[np.ndarray, list[str]]:
    """(draws x parameters) Latin hypercube values of the spec's uncertain preferences, and their paths."""
    from scipy.stats import qmc

    n = int(spec.draws if draws is None else draws)
    paths = [u.parameter for u in spec.uncertain]
    if not paths:
        return np.empty((n, 0)), paths
    u = qmc.LatinHypercube(d=len(paths), rng=np.random.default_rng(spec.seed if seed is None else seed)).random(n)
    return np.column_stack([p.ppf(u[:, j]) for j, p in enumerate(spec.uncertain)]), paths


# ----------------------------------------------------------------------------------------
# One evaluation: preferences -> each model's prediction on one round
# ----------------------------------------------------------------------------------------
@dataclass
class Prediction:
    codes: dict[str, np.ndarray]  # model -> (K,) option index per agenda issue
    positions: dict[str, np.ndarray]  # model -> (K,) continuous position on [0, 1] before snapping


def _snap(scale: np.ndarray, y: float) -> int:
    return int(np.argmin(np.abs(scale - y)))


def stakeholders_of(
    table: RoundTable, spec: Spec, prefs: Preferences, fu: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions X (F, K) on [0, 1], saliences S (F, K) and capabilities c (F,) of the factions."""
    factions = [(p, f) for p, party in spec.parties.items() for f in party.factions]
    w = prefs.weights_normalised()
    F, K = len(factions), len(table.agenda)
    X, S = np.zeros((F, K)), np.zeros((F, K))
    for k in range(K):
        V = len(table.options[k])
        onehot = table.codes[:, k][:, None] == np.arange(V)[None, :]  # (P, V)
        count = onehot.sum(axis=0)
        m = (fu[: table.P].T @ onehot) / np.where(count > 0, count, 1)  # (F, V)
        m = np.where(count[None, :] > 0, m, -np.inf)
        best = m.argmax(axis=1)
        X[:, k] = table.scales[k][best]
        finite = np.where(np.isfinite(m), m, np.nan)
        S[:, k] = np.nanmax(finite, axis=1) - np.nanmin(finite, axis=1)
    top = S.max(axis=1, keepdims=True)
    S = np.where(top > 0, S / np.where(top > 0, top, 1.0), 0.0)
    S = np.clip(S * np.array([prefs.salience[f] for f in factions])[:, None], 0.0, 1.0)
    c = np.array([prefs.capability[p] * w[(p, f)] for p, f in factions])
    return X, S, c


def utilities(
    table: RoundTable, spec: Spec, factions: list[FactionInfo], prefs: Preferences
) -> tuple[np.ndarray, np.ndarray]:
    """Faction utilities fu (rows, F) and party utilities U (rows, 2) under ``prefs``.

    raw_f = sum over f's terms of coef x term value; fu = min-max normalised over the
    round's rows (packages, no deal, actual) as in :mod:`.analysis`; U_p = sum_f w_f fu_f.
    """
    coefs = np.array([prefs.coef[p] for p in table.term_path])
    raw = np.zeros((table.terms.shape[0], len(factions)))
    np.add.at(raw.T, table.term_owner, (table.terms * coefs[None, :]).T)
    lo, hi = raw.min(axis=0), raw.max(axis=0)
    span = hi - lo
    flat = span <= 1e-9 * np.maximum(1.0, np.abs(hi))
    fu = np.where(flat[None, :], 0.5, (raw - lo[None, :]) / np.where(flat, 1.0, span)[None, :])
    w = prefs.weights_normalised()
    fi = [FactionInfo(f.party, f.name, f.label, w[(f.party, f.name)], f.terms) for f in factions]
    return fu, party_utilities(spec, fi, fu, table.no_deal_row)


def predict(
    table: RoundTable,
    spec: Spec,
    factions: list[FactionInfo],
    prefs: Preferences,
    models: tuple[str, ...] = MODELS,
    challenge_rounds: int = 6,
) -> Prediction:
    """Each model's predicted package (option indices) for one round under ``prefs``."""
    fu, U = utilities(table, spec, factions, prefs)
    codes: dict[str, np.ndarray] = {}
    pos: dict[str, np.ndarray] = {}
    K = len(table.agenda)
    if "nash" in models:
        i = nash_solution(U[: table.P], U[table.no_deal_row])
        codes["nash"] = table.codes[i] if i is not None else np.zeros(K, int)
        pos["nash"] = np.array([table.scales[k][codes["nash"][k]] for k in range(K)])
    X, S, c = stakeholders_of(table, spec, prefs, fu)
    for m in models:
        if m == "nash":
            continue
        if m == "exchange":
            y = exchange_forecast(X, c, S, rounds=2 * K)
        elif m == "challenge":
            y = challenge_batch(X.T, c, S.T, rounds=challenge_rounds, R=1.0)
        else:
            y = np.empty(K)
            for k in range(K):
                if m == "compromise":
                    y[k] = compromise(X[:, k], c, S[:, k])
                elif m == "median":
                    y[k] = weighted_median(X[:, k], c * S[:, k])
        pos[m] = y
        codes[m] = np.array([_snap(table.scales[k], y[k]) for k in range(K)])
    return Prediction(codes, pos)


def error(table: RoundTable, codes: np.ndarray) -> float:
    """Mean over the agenda of |predicted - actual| on the [0, 1] scales."""
    assert table.actual is not None
    return float(
        np.mean([abs(table.scales[k][codes[k]] - table.scales[k][table.actual[k]]) for k in range(len(codes))])
    )


# ----------------------------------------------------------------------------------------
# Ensemble
# ----------------------------------------------------------------------------------------
@dataclass
class ModelBand:
    """One model's predicted package on one round as a distribution over the draws."""

    packages: list[tuple[tuple[int, ...], float]]  # (option indices, probability), most probable first
    median: np.ndarray  # (K,) per issue, in the issue's units
    p05: np.ndarray
    p95: np.ndarray
    set90: list[tuple[int, ...]]
    point: tuple[int, ...]  # at the spec's point values

    def probability(self, codes: tuple[int, ...]) -> float:
        return dict(self.packages).get(codes, 0.0)


@dataclass
class RoundForecast:
    table: RoundTable
    bands: dict[str, ModelBand]
    agenda_gain: np.ndarray | None = None  # (draws, 3, 2): full, restricted, change of each party's Nash utility
    agenda_gain_point: np.ndarray | None = None  # (3, 2) at the point values

    def describe(self, codes: tuple[int, ...] | np.ndarray) -> str:
        t = self.table
        parts = []
        for k, v in enumerate(codes):
            opt = t.options[k][int(v)]
            if opt != KEEP:
                parts.append(f"{t.agenda[k]}={opt}")
        return ", ".join(parts) or "no change"


@dataclass
class Ensemble:
    spec: Spec
    rounds: list[RoundForecast]
    draws: int
    paths: list[str]
    seconds: float = 0.0
    sobol: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)  # model -> path -> (S1, ST)


def agenda_gain(table: RoundTable, spec: Spec, factions: list[FactionInfo], prefs: Preferences) -> np.ndarray:
    """(3, 2): each party's utility of the Nash package on the full agenda, on the restricted
    one (the excluded issues kept off the table), and the change (restricted - full)."""
    _, U = utilities(table, spec, factions, prefs)
    Uc, d = U[: table.P], U[table.no_deal_row]
    full = nash_solution(Uc, d)
    mask = table.restricted if table.restricted is not None else np.ones(table.P, bool)
    sub = np.flatnonzero(mask)
    rest = nash_solution(Uc[sub], d)
    uf = Uc[full] if full is not None else d
    ur = Uc[sub[rest]] if rest is not None else d
    return np.array([uf, ur, ur - uf])


def _band(table: RoundTable, preds: list[np.ndarray], point: np.ndarray) -> ModelBand:
    keys = [tuple(int(v) for v in p) for p in preds]
    uniq: dict[tuple[int, ...], int] = {}
    for k in keys:
        uniq[k] = uniq.get(k, 0) + 1
    probs = sorted(((k, n / len(keys)) for k, n in uniq.items()), key=lambda kv: (-kv[1], kv[0]))
    set90, acc = [], 0.0
    for k, p in probs:
        set90.append(k)
        acc += p
        if acc >= 0.9 - 1e-12:
            break
    arr = np.array(preds)
    vals = np.column_stack([table.units[k][arr[:, k]] for k in range(arr.shape[1])])
    return ModelBand(
        probs,
        np.median(vals, axis=0),
        np.percentile(vals, 5, axis=0),
        np.percentile(vals, 95, axis=0),
        set90,
        tuple(int(v) for v in point),
    )


def ensemble(
    res: NegotiationResult,
    world: Any,
    draws: int | None = None,
    seed: int | None = None,
    models: tuple[str, ...] = MODELS,
    tables: list[RoundTable] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Ensemble:
    """Every model's prediction of every round over the draws of the uncertain preferences."""
    import time

    t0 = time.perf_counter()
    spec = res.spec
    tables = tables if tables is not None else round_tables(res, world)
    factions = res.talks[0].factions if res.talks else []
    values, paths = draw_preferences(spec, draws, seed)
    base = Preferences.of(spec)
    rows = []
    for d in range(values.shape[0]):
        pr = Preferences(dict(base.capability), dict(base.weight), dict(base.salience), dict(base.coef))
        for j, p in enumerate(paths):
            pr.set(p, float(values[d, j]))
        rows.append(pr)
    out = []
    for t in tables:
        if progress is not None:
            progress(f"ensemble {t.name}: {len(rows)} draws")
        point = predict(t, spec, factions, base, models)
        per: dict[str, list[np.ndarray]] = {m: [] for m in models}
        gains = []
        for pr in rows:
            pred = predict(t, spec, factions, pr, models)
            for m in models:
                per[m].append(pred.codes[m])
            if t.restricted is not None:
                gains.append(agenda_gain(t, spec, factions, pr))
        fc = RoundForecast(t, {m: _band(t, per[m], point.codes[m]) for m in models})
        if gains:
            fc.agenda_gain = np.array(gains)
            fc.agenda_gain_point = agenda_gain(t, spec, factions, base)
        out.append(fc)
    return Ensemble(spec, out, values.shape[0], paths, time.perf_counter() - t0)


def sobol_ranking(
    res: NegotiationResult,
    world: Any,
    n: int = 64,
    models: tuple[str, ...] = ("compromise", "median", "nash"),
    tables: list[RoundTable] | None = None,
    seed: int | None = None,
) -> dict[str, dict[str, tuple[float, float]]]:
    """Sobol S1 and ST of each uncertain preference for each model's last-round prediction.

    Output Y = the mean over the agenda of the predicted position on the [0, 1] scales
    (continuous for the compromise model, snapped for the others). Saltelli sampling of
    the unit cube with ``n`` base rows (n (2D + 2) evaluations), mapped through each
    preference's inverse CDF.
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    spec = res.spec
    if not spec.uncertain or not res.talks:
        return {}
    tables = tables if tables is not None else round_tables(res, world)
    table = tables[-1]
    paths = [u.parameter for u in spec.uncertain]
    problem = {"num_vars": len(paths), "names": paths, "bounds": [[0.0, 1.0]] * len(paths)}
    U = sobol_sample.sample(problem, n, calc_second_order=False, seed=spec.seed if seed is None else seed)
    U = np.clip(U, 1e-6, 1 - 1e-6)
    vals = np.column_stack([u.ppf(U[:, j]) for j, u in enumerate(spec.uncertain)])
    base = Preferences.of(spec)
    factions = res.talks[-1].factions
    Y = {m: np.empty(U.shape[0]) for m in models}
    for r in range(U.shape[0]):
        pr = Preferences(dict(base.capability), dict(base.weight), dict(base.salience), dict(base.coef))
        for j, p in enumerate(paths):
            pr.set(p, float(vals[r, j]))
        pred = predict(table, spec, factions, pr, models)
        for m in models:
            y = (
                pred.positions[m]
                if m == "compromise"
                else np.array([table.scales[k][pred.codes[m][k]] for k in range(len(table.agenda))])
            )
            Y[m][r] = float(np.mean(y))
    out: dict[str, dict[str, tuple[float, float]]] = {}
    for m in models:
        if np.ptp(Y[m]) <= 1e-12:
            out[m] = {p: (0.0, 0.0) for p in paths}
            continue
        Si = sobol_analyze.analyze(problem, Y[m], calc_second_order=False, seed=spec.seed)
        out[m] = {p: (float(Si["S1"][j]), float(Si["ST"][j])) for j, p in enumerate(paths)}
    return out


# ----------------------------------------------------------------------------------------
# Scores against actual outcomes (leave one round out)
# ----------------------------------------------------------------------------------------
def package_label(table: RoundTable, codes: tuple[int, ...] | np.ndarray) -> str:
    return RoundForecast(table, {}).describe(codes)
