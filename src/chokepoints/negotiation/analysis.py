"""From simulations to predicted deals: utilities, BATNAs, solutions, protocol, agenda, truces.

For each round of talks:

1. Every package of the agenda becomes a policy (:mod:`.domain`); the engine simulates
   the distinct scenarios (cached, batched: :mod:`.batch`) and each faction's raw value
   is sum_terms coef x indicator (:mod:`.sources`). No deal is simulated too.
2. Faction utilities are normalised over the round's packages (and no deal):
   u_f(x) = (v_f(x) - min_y v_f(y)) / (max_y v_f(y) - min_y v_f(y)), so 0 is the worst
   and 1 the best the table offers that faction. A party's utility is
   U_p(x) = sum_f w_f u_f(x) (weights sum to 1); with a veto faction, a package that
   leaves the veto faction below its threshold is worth no more than no deal.
   The BATNA (disagreement point) d_p is U_p(no deal).
3. Pareto frontier, ZOPA, Nash and Kalai–Smorodinsky solutions (:mod:`.solutions`).
4. Discount factors from how fast losses accumulate: the Nash package agreed one
   bargaining period (``period_days``) late keeps, for party p, the share
   delta_p = (U_p(x* delayed) - d_p) / (U_p(x*) - d_p) of its surplus (the deal's
   expiry date is fixed, so the delay is time spent in no deal); the loss rate is
   r_p = -ln(delta_p) / period. Rubinstein's equilibrium on the frontier follows,
   and the alternating-offers protocol uses the same deltas.
5. Agenda: the same packages with the excluded issues kept off the table (a subset, so
   the frontier cannot grow); each party's change is reported.
6. Truces: a deal lasts its truce; with an extension rule it is extended while a
   simulated condition holds at expiry, else everything snaps back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import InputError, Problem
from ..provenance import provenance
from ..scenario import Scenario
from .batch import SimulationCache, SimView
from .domain import (
    Package,
    Policy,
    RoundContext,
    build_policy,
    enumerate_packages,
    package_from_values,
    restrict_mask,
    round_context,
    truce_days,
)
from .protocol import Strategy, alternating_offers
from .results import (
    AgendaComparison,
    Commitment,
    EscalationResult,
    FactionInfo,
    NegotiationResult,
    Normaliser,
    RoundResult,
)
from .solutions import (
    kalai_smorodinsky,
    nash_solution,
    nearest_package,
    pareto_mask,
    rate_from_delta,
    rubinstein_point,
    zopa_mask,
)
from .sources import ENGINE_SOURCES, LEVER_SOURCES, tariff_model
from .spec import Condition, Extension, Spec, Term

Progress = Callable[[str], None]


class Evaluator:
    """Raw faction values of policies: engine indicators from cached simulations, lever
    indicators from the lever paths."""

    def __init__(self, spec: Spec, world: Any, cache: SimulationCache):
        self.spec, self.world, self.cache = spec, world, cache
        self.factions = [
            FactionInfo(p, f, fac.label or f, fac.weight, tuple(fac.terms))
            for p, party in spec.parties.items()
            for f, fac in party.factions.items()
        ]
        self._lever_memo: dict[tuple, float] = {}

    def views(self, policies: list[Policy], progress: Progress | None = None) -> list[SimView | None]:
        if not any(t.indicator in ENGINE_SOURCES for f in self.factions for t in f.terms):
            return [None] * len(policies)
        return list(self.cache.simulate([p.scenario for p in policies], progress=progress))

    def term_values(self, policies: list[Policy], views: list[SimView | None], term: Term) -> np.ndarray:
        out = np.empty(len(policies))
        for i, (p, v) in enumerate(zip(policies, views, strict=True)):
            if term.indicator in ENGINE_SOURCES:
                assert v is not None
                fn = ENGINE_SOURCES[term.indicator]

                def of_result(res: Any, fn: Callable[[Any, Term, int], np.ndarray] = fn, t0: int = p.t0) -> np.ndarray:
                    return fn(res, term, t0)

                vals = self.cache.measure(v, (term.key(), p.t0), of_result)
                out[i] = float(np.mean(vals))
            else:
                assert term.lever is not None  # the Term validator requires a lever for a lever indicator
                lever = self.spec.levers[term.lever]
                path = p.levers[term.lever]
                key = (term.key(), p.t0, path.tobytes())
                if key not in self._lever_memo:
                    self._lever_memo[key] = LEVER_SOURCES[term.indicator](lever, path, p.t0, p.scenario.start, term)
                out[i] = self._lever_memo[key]
        return out

    def raw(self, policies: list[Policy], progress: Progress | None = None) -> np.ndarray:
        """(len(policies), factions) raw values: sum_terms coef x indicator."""
        views = self.views(policies, progress)
        raw = np.zeros((len(policies), len(self.factions)))
        memo: dict[tuple, np.ndarray] = {}
        for j, f in enumerate(self.factions):
            for t in f.terms:
                if t.key() not in memo:
                    memo[t.key()] = self.term_values(policies, views, t)
                raw[:, j] += t.sign * memo[t.key()]
        return raw


def party_utilities(spec: Spec, factions: list[FactionInfo], fu: np.ndarray, no_deal_row: int) -> np.ndarray:
    """U_p = sum_f w_f u_f; a veto faction below its threshold caps U_p at U_p(no deal)."""
    parties = spec.party_names
    U = np.zeros((fu.shape[0], len(parties)))
    for j, f in enumerate(factions):
        U[:, parties.index(f.party)] += f.weight * fu[:, j]
    for p_i, p in enumerate(parties):
        party = spec.parties[p]
        if party.combine == "veto":
            j = next(k for k, f in enumerate(factions) if f.party == p and f.name == party.veto)
            thr = party.veto_threshold if party.veto_threshold is not None else fu[no_deal_row, j]
            vetoed = fu[:, j] < thr - 1e-12
            U[:, p_i] = np.where(vetoed, np.minimum(U[:, p_i], U[no_deal_row, p_i]), U[:, p_i])
    return U


# ----------------------------------------------------------------------------------------
def analyse(
    spec: Spec,
    scenario: Scenario,
    world: Any,
    *,
    exclude: list[str] | None = None,
    runs: int | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
    cache: SimulationCache | None = None,
    negmas: bool = False,
) -> NegotiationResult:
    """Analyse every round of ``spec`` on ``scenario``; ``exclude`` (issue names or topics)
    adds the comparison without those issues; ``negmas`` also runs each round's utility
    table in NegMAS (optional package, see :mod:`.negmas_adapter`)."""
    runs = spec.runs if runs is None else runs
    seed = spec.seed if seed is None else seed
    cache = cache or SimulationCache(world, runs=runs, seed=seed)
    ev = Evaluator(spec, world, cache)
    excl = resolve_exclude(spec, exclude if exclude is not None else spec.compare_exclude)
    out: list[RoundResult | EscalationResult] = []
    for i, r in enumerate(spec.rounds):
        if progress:
            progress(f"round {r.name} ({r.date})")
        ctx = round_context(spec, scenario, i)
        if r.kind == "escalation":
            out.append(analyse_escalation(ev, ctx, progress))
        else:
            out.append(analyse_round(ev, ctx, excl, progress, negmas=negmas))
    prov = provenance(
        "negotiation",
        scenario=scenario,
        world=world,
        seed=seed,
        runs=runs,
        negotiation_spec_hash=spec_hash(spec),
        tariff_model=tariff_model(),
        simulations=cache.stats.simulated,
        simulation_batches=cache.stats.batches,
    )
    return NegotiationResult(spec, scenario, out, excl, prov, cache)


def spec_hash(spec: Spec) -> str:
    text = json.dumps(spec.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def resolve_exclude(spec: Spec, names: list[str]) -> list[str]:
    """Issue names for ``--exclude`` items (issue names or topics); unknown ones are errors."""
    try:
        out = spec.resolve_issues([n for n in names if n])
    except KeyError as exc:
        known = sorted({i.name for i in spec.issues} | {t for i in spec.issues for t in i.topics})
        raise InputError(
            Problem(
                "--exclude",
                f"unknown issue or topic {exc.args[0]!r}; expected one of " + ", ".join(known),
                field="exclude",
            )
        ) from None
    left = [i.name for i in spec.issues if i.name not in out and i.kind != "truce"]
    if out and not left:
        raise InputError(
            Problem(
                "--exclude",
                "excluding " + ", ".join(out) + " leaves the agenda empty",
                field="exclude",
            )
        )
    return out


def analyse_escalation(ev: Evaluator, ctx: RoundContext, progress: Progress | None = None) -> EscalationResult:
    quiet = RoundContext(
        ctx.spec,
        ctx.scenario,
        ctx.round,
        ctx.index,
        ctx.agenda,
        ctx.baseline_events,
        [],
        ctx.lever_base,
        {},
    )
    before = build_policy(quiet, None)
    after = build_policy(ctx, None)
    raw = ev.raw([before, after], progress)
    return EscalationResult(ctx, ev.factions, raw[0], raw[1])


def analyse_round(
    ev: Evaluator,
    ctx: RoundContext,
    exclude: list[str],
    progress: Progress | None = None,
    negmas: bool = False,
) -> RoundResult:
    spec = ctx.spec
    agenda = [a for a in ctx.agenda]
    if not [a for a in agenda if spec.issue(a).kind != "truce"]:
        line, col = spec.locate(("rounds", ctx.index, "agenda"))
        raise InputError(
            Problem(
                spec.source_path or "<spec>",
                f"round {ctx.round.name!r} has an empty agenda",
                line,
                col,
                field=f"rounds[{ctx.index}].agenda",
            )
        )
    packages = enumerate_packages(spec, agenda)
    policies = [build_policy(ctx, p) for p in packages]
    policies.append(build_policy(ctx, None))
    actual = package_from_values(spec, ctx.round.actual) if ctx.round.actual is not None else None
    if actual is not None:
        policies.append(build_policy(ctx, actual))
    raw = ev.raw(policies, progress)
    P = len(packages)
    norm = Normaliser.fit(raw)
    fu = norm(raw)
    U = party_utilities(spec, ev.factions, fu, P)
    d = U[P]
    Uc = U[:P]
    pareto = pareto_mask(Uc)
    zopa = zopa_mask(Uc, d)
    nash = nash_solution(Uc, d)
    ks = kalai_smorodinsky(Uc, d)
    deltas = rates = delayed_U = None
    rub = rub_i = proto = None
    first = spec.party_names.index(spec.first_mover) if spec.first_mover else 0
    if nash is not None:
        delay = int(round(spec.period_days))
        late = build_policy(ctx, packages[nash], delay=delay)
        raw_late = ev.raw([late], progress)
        U_late = party_utilities(spec, ev.factions, np.vstack([norm(raw_late), fu[P : P + 1]]), 1)[0]
        delayed_U = U_late
        gain = Uc[nash] - d
        kept = np.clip((U_late - d) / np.maximum(gain, 1e-12), 0.01, 0.9999)
        deltas = (float(kept[0]), float(kept[1]))
        rates = (rate_from_delta(deltas[0], delay), rate_from_delta(deltas[1], delay))
        rub = rubinstein_point(Uc, d, deltas, first)
        if rub is not None:
            rub_i = nearest_package(Uc, d, d + np.asarray(rub.gains), among=pareto & zopa)
        sa, sb = (Strategy(spec.parties[p].strategy, spec.parties[p].exponent) for p in spec.party_names)
        proto = alternating_offers(Uc, d, deltas, (sa, sb), spec.deadline_steps, first)
    res = RoundResult(
        ctx,
        packages,
        ev.factions,
        raw,
        fu,
        U,
        P,
        P + 1 if actual is not None else None,
        pareto,
        zopa,
        nash,
        ks,
        deltas,
        rates,
        delayed_U,
        rub,
        rub_i,
        proto,
        norm=norm,
    )
    if exclude:
        res.agenda = compare_agenda(res, exclude)
    if negmas and zopa.any():
        from .negmas_adapter import run_negmas

        name_a, name_b = spec.party_names  # a loaded spec has exactly two parties
        out = run_negmas(Uc, d, n_steps=max(2 * spec.deadline_steps, 10), names=(name_a, name_b))
        res.negmas, res.negmas_ran = out["agreement"], True
    if ctx.round.extension is not None:
        for label, pkg in (
            ("predicted (Nash)", packages[nash] if nash is not None else None),
            ("actual", actual),
        ):
            if pkg is not None:
                res.commitments.append(simulate_commitment(ev, ctx, res, pkg, ctx.round.extension, label, progress))
    return res


def compare_agenda(res: RoundResult, excluded: list[str]) -> AgendaComparison:
    """Solutions on the packages that keep ``excluded`` off the table (a subset of the full set)."""
    from .solutions import frontier_dominates

    mask = restrict_mask(res.ctx.spec, res.packages, excluded)
    idx = np.flatnonzero(mask)
    Uc, d = res.U[: res.n], res.d
    sub = Uc[idx]
    nash = nash_solution(sub, d)
    ks = kalai_smorodinsky(sub, d)
    par = pareto_mask(sub)
    ok = frontier_dominates(Uc[res.pareto], sub[par])
    return AgendaComparison(
        excluded,
        mask,
        None if nash is None else int(idx[nash]),
        None if ks is None else int(idx[ks]),
        idx[par],
        int(zopa_mask(sub, d).sum()),
        ok,
    )


# ----------------------------------------------------------------------------------------
# Truces, extensions and snapback over time
# ----------------------------------------------------------------------------------------
def condition_share(view: SimView, cond: Condition, end_day: int) -> float:
    """The condition's indicator over the ``window_days`` before ``end_day`` (share of baseline)."""
    d = view.result.data.isel(run=view.runs)
    s = max(end_day - cond.window_days, 0)
    uv_all = d.unit_value.values  # (run, product)
    prods = list(d["product"].values)
    if cond.indicator == "shipments_share":
        sel = d.route_exporter.values == cond.exporter
        if cond.importer is not None:
            sel &= d.route_importer.values == cond.importer
        if not sel.any():
            return 1.0
        uv = uv_all[:, [prods.index(p) for p in d.route_product.values[sel]]]
        uv = np.where(np.isfinite(uv), uv, 1.0)
        got = (d.shipments.values[:, s:end_day, sel].sum(1) * uv).sum(-1)
        base = (d.baseline_shipments.values[sel][None, :] * (end_day - s) * uv).sum(-1)
        return float(np.mean(got / np.where(base > 0, base, 1.0)))
    pm = (d.producer_region.values == cond.region) & (d.producer_end_use.values == cond.end_use)
    if pm.any():
        uv = uv_all[:, [prods.index(p) for p in d.producer_product.values[pm]]]
        uv = np.where(np.isfinite(uv), uv, 1.0)
        got = (d.production.values[:, s:end_day, pm].sum(1) * uv).sum(-1)
        base = (d.baseline_production.values[pm][None, :] * (end_day - s) * uv).sum(-1)
        return float(np.mean(got / np.where(base > 0, base, 1.0)))
    dm = (d.demand_region.values == cond.region) & (d.demand_end_use.values == cond.end_use)
    y = d.final_demand.values[:, s:end_day, dm].sum((1, 2))
    unmet = d.final_demand_unmet.values[:, s:end_day, dm].sum((1, 2))
    return float(np.mean(1 - unmet / np.where(y > 0, y, 1.0)))


def simulate_commitment(
    ev: Evaluator,
    ctx: RoundContext,
    res: RoundResult,
    package: Package,
    rule: Extension,
    label: str,
    progress: Progress | None = None,
) -> Commitment:
    """Run the deal to its expiry; extend by ``rule.days`` while the condition holds
    (at most ``rule.max_extensions`` times), else snap back to the no-deal path."""
    t0, T = ctx.t0, ctx.T
    total = truce_days(ctx.spec, package) or T
    timeline = [(ctx.round.date, f"deal in force for {total} days")]
    policy = build_policy(ctx, package, truce=total)
    for k in range(rule.max_extensions + 1):
        expiry = t0 + total
        if expiry >= T:
            timeline.append((ctx.date(T), "horizon reached with the deal in force"))
            break
        view = ev.cache.simulate([policy.scenario], progress=progress)[0]
        share = condition_share(view, rule.condition, expiry)
        cond = rule.condition
        what = f"{cond.indicator} {share:.2f} (needs {cond.at_least:g})"
        if share >= cond.at_least and k < rule.max_extensions:
            total += rule.days
            timeline.append((ctx.date(expiry), f"extended by {rule.days} days: {what}"))
            policy = build_policy(ctx, package, truce=total)
        else:
            why = "condition failed" if share < cond.at_least else "no extensions left"
            timeline.append((ctx.date(expiry), f"expired, snapback ({why}): {what}"))
            break
    raw = ev.raw([policy], progress)
    assert res.norm is not None
    fu = np.vstack([res.norm(raw), res.fu[res.no_deal_row : res.no_deal_row + 1]])
    U = party_utilities(ctx.spec, ev.factions, fu, 1)[0]
    return Commitment(label, package, timeline, total, U, raw[0])
