"""Compile a World and a Scenario into the Plan the step loop reads.

Levers are data: each event is compiled by its lever module (:mod:`chokepoints.levers`)
into effects (:mod:`chokepoints.effects`), and this module assembles the effects into the
Plan's arrays and schedules; the step function sees only arrays and knows no lever by
name. Uncertain parameters are sampled here (Latin hypercube, seeded) and written into
the per-run arrays before the levers compile, so a lever reads its uncertain fields as
per-run values (``ctx.per_run``).
"""

from __future__ import annotations

import fnmatch

import numpy as np

from ..effects import (
    CapacityAddition,
    CapacityLoss,
    DemandChange,
    PriceWedge,
    RationingRank,
    RouteRegime,
    ShareRewrite,
    StockInflow,
    StockTarget,
)
from ..errors import InputError
from ..levers import check_events, compile_events
from ..levers.base import LeverContext, choices
from ..scenario import Scenario
from ..scenario.assumptions import resolve_assumptions
from ..scenario.params import event_targets, unknown_event_refs
from ..scenario.sampling import sample
from ..world import World
from .plan import ControlPlan, Plan
from .wedges import armington_rewrites

__all__ = ["ControlPlan", "Plan", "compile_plan"]


def _match(pattern_or_list: str | list[str], value: str) -> bool:
    pats = [pattern_or_list] if isinstance(pattern_or_list, str) else pattern_or_list
    return any(fnmatch.fnmatchcase(value, p) for p in pats)


class _Compiler(LeverContext):
    """The compile context of one (World, Scenario, runs, seed): the levers' context plus
    sampling and the assembly of effects into a Plan."""

    sc: Scenario  # the full Scenario (the levers see it through ScenarioView)

    def __init__(self, world: World, sc: Scenario, runs: int, seed: int):
        super().__init__(world, sc, runs)
        self.seed = seed

    def check_refs(self) -> None:
        check_events(self)
        for j, ku in enumerate(self.sc.key_users):
            if ku.region not in self.ridx:
                self.err(
                    ("key_users", j, "region"), f"unknown region {ku.region!r}{choices(ku.region, self.cw.regions)}"
                )
            if ku.end_use not in self.end_uses:
                names = sorted(u for u in self.end_uses if u)
                self.err(("key_users", j, "end_use"), f"unknown end use {ku.end_use!r}{choices(ku.end_use, names)}")

    # -- uncertainty --------------------------------------------------------------------
    def check_uncertain(self) -> None:
        """Located errors for uncertain parameters that name nothing in this World or Scenario."""
        events = {e.id: e for e in self.sc.events if e.id}
        for j in unknown_event_refs(self.sc):
            self.err(("uncertain", j, "parameter"), f"no event with id {self.sc.uncertain[j].ref.event!r}")
        for j, u in enumerate(self.sc.uncertain):
            ref = u.ref
            if ref.kind == "event" and ref.event in events:
                val = getattr(events[ref.event], ref.field or "", None)
                numeric = isinstance(val, int | float) and not isinstance(val, bool)
                if ref.field in ("on", "until", "type", "id") or not numeric:
                    self.err(("uncertain", j, "parameter"), f"event {ref.event!r} has no numeric field {ref.field!r}")
            elif ref.kind == "world":
                table = self.world.tables[ref.table or ""]
                for k in u.where:
                    if k not in table.columns:
                        self.err(("uncertain", j, "where", k), f"table {ref.table!r} has no column {k!r}")

    def apply_samples(self, samples: np.ndarray) -> dict[str, np.ndarray]:
        cw, R = self.cw, self.R
        # per-run inventory arrays only when an uncertain parameter samples them (memory: R x S x n)
        per_run_inv = any(u.ref.kind == "world" and u.ref.table == "inventories" for u in self.sc.uncertain)
        shape = (R if per_run_inv else 1, *cw.initial_days.shape)
        initial = np.broadcast_to(cw.initial_days, shape).copy()
        target = np.broadcast_to(cw.target_days, shape).copy()
        capacity = np.broadcast_to(cw.capacity, (R, cw.n)).copy()
        unit_value = np.broadcast_to(cw.unit_value, (R, cw.S)).copy()
        eng = self.sc.engine
        engine = {
            k: np.full(R, float(getattr(eng, k)))
            for k in ("psi_param", "inventory_restoration_tau", "alpha_base", "alpha_tau")
        }
        engine["alpha_max"] = np.full(R, 1.0 if eng.alpha_max is None else float(eng.alpha_max))
        for j, i, ref in event_targets(self.sc):
            self.event_values.setdefault(i, {})[ref.field or ""] = samples[:, j]
        t = self.world.tables
        for j, u in enumerate(self.sc.uncertain):
            vals, ref = samples[:, j], u.ref
            if ref.kind == "engine":
                engine[ref.name or ""] = vals
            elif ref.kind == "world":
                table, column = ref.table or "", ref.column
                df = t[table]
                mask = np.ones(len(df), bool)
                for k, pat in u.where.items():
                    if k in df.columns:
                        mask &= np.array([_match(pat, str(v)) for v in df[k]], dtype=bool)
                if not mask.any():
                    self.err(("uncertain", j, "where"), f"selects no row of table {table!r}")
                    continue
                rows = df[mask]
                if table == "inventories":
                    arr = initial if column == "days_of_cover" else target
                    # as BoARIO, a target below 2 days is raised to 2 (one day's use must fit)
                    v = np.maximum(vals, 2.0) if column == "target_days" else np.maximum(vals, 0.0)
                    for r in rows.itertuples():
                        arr[:, self.pidx[r.product], self.fidx[r.holder]] = v
                        # a holder that starts at its target (as the data says) keeps doing so
                        # when the target is uncertain, unless days_of_cover is drawn too
                        if (
                            column == "target_days"
                            and r.days_of_cover == r.target_days
                            and not any(
                                q.ref.table == "inventories" and q.ref.column == "days_of_cover"
                                for q in self.sc.uncertain
                            )
                        ):
                            initial[:, self.pidx[r.product], self.fidx[r.holder]] = v
                elif table == "producers":
                    for r in rows.itertuples():
                        f = self.fidx[r.producer]
                        capacity[:, f] = np.maximum(vals, cw.x0[f])
                elif table == "unit_values":
                    for r in rows.itertuples():
                        unit_value[:, self.pidx[r.product]] = vals
        alpha_max = np.where(cw.x0 > 0, capacity / np.where(cw.x0 > 0, cw.x0, 1.0), 1.0)
        floor = engine.pop("alpha_max")  # the scenario's overproduction maximum, a floor on the World's
        if (floor > 1.0).any():
            alpha_max = np.maximum(alpha_max, floor[:, None])
        return dict(initial=initial, target=target, alpha_max=alpha_max, unit_value=unit_value, **engine)

    # -- effects -> plan -----------------------------------------------------------------
    def controls(self, regimes: list[RouteRegime]) -> ControlPlan:
        """Route regimes -> the controlled routes and their regime per day and run.

        The routes are the supply entries (W > 0) that some regime names; regimes apply in
        their order, each from its start, a later one replacing an earlier one.
        """
        cw, R, T = self.cw, self.R, self.T
        approval = [np.ones(R)]
        delay = [np.zeros(R, dtype=np.int64)]
        spread = [np.ones(R, dtype=np.int64)]
        opened = [np.ones(R)]
        labels = ["uncontrolled"]
        quota = [np.full(R, np.nan)]
        period = [1]
        qstart = [0]
        regimes = sorted(regimes, key=lambda g: g.order)
        if not any(g.candidate for g in regimes):  # no routes
            empty = np.zeros(0, dtype=np.intp)
            return ControlPlan(
                empty,
                empty,
                empty,
                np.zeros((T, R, 0), dtype=np.int16),
                np.column_stack(approval),
                np.column_stack(delay),
                np.column_stack(opened),
                labels,
            )
        buyer_region = cw.buyer_region

        def routes(g: RouteRegime, sup: np.ndarray, buy: np.ndarray) -> np.ndarray:
            mask = g.suppliers[sup] & g.buyers[buy]
            if g.cross_border:
                mask &= buyer_region[buy] != cw.prod_region[sup]
            return mask

        sup_idx, buy_idx = np.nonzero(np.asarray(cw.W))
        candidate = np.zeros(sup_idx.size, bool)
        for g in regimes:
            if g.candidate:
                candidate |= routes(g, sup_idx, buy_idx)
        E_sup, E_buy = sup_idx[candidate], buy_idx[candidate]
        regime = np.zeros((T, R, E_sup.size), dtype=np.int16)
        t_axis = np.arange(T)[:, None]

        def add(
            label: str,
            appr: np.ndarray,
            dl: np.ndarray,
            op: np.ndarray,
            start: int,
            q: np.ndarray | None = None,
            per: int = 1,
            sp: np.ndarray | None = None,
        ) -> int:
            approval.append(appr)
            delay.append(dl)
            spread.append(np.ones(R, dtype=np.int64) if sp is None else sp)
            opened.append(op)
            labels.append(label)
            quota.append(np.full(R, np.nan) if q is None else q)
            period.append(per)
            qstart.append(start)
            return len(approval) - 1

        for g in regimes:
            route = routes(g, E_sup, E_buy)
            if g.kind == "lift":
                regime[g.start :, :, route] = 0
                continue
            if g.applies is not None:
                route &= g.applies[E_buy]
            excluded = route & (g.excluded[E_buy] if g.excluded is not None else False)
            normal = route & ~excluded
            span = (t_axis >= g.start) & (t_axis < g.end) & np.ones((1, R), bool)
            zeros_i, ones = np.zeros(R, np.int64), np.ones(R)
            # the levers fill the per-run arrays each kind uses (levers/export_control.py)
            if g.kind == "quota":  # shipments approved in order until the period's quota is used
                assert g.delay is not None
                k = add(g.label, ones, g.delay, ones, g.start, q=g.quota, per=g.period)
                active = span
            elif g.kind == "ban":
                k = add(g.label, np.zeros(R), zeros_i, np.zeros(R), g.start)
                active = span
            elif g.kind == "licence":  # per-shipment licences
                assert g.approval is not None and g.delay is not None
                k = add(g.label, g.approval.copy(), g.delay, ones, g.start, sp=g.spread)
                active = span
            else:  # licences valid for `validity` days once granted after review
                assert g.approval is not None and g.delay is not None
                k = add(g.label, g.approval.copy(), zeros_i, ones, g.start)
                granted = g.start + g.delay[None, :]
                stop = g.end if g.renewal else np.minimum(g.end, granted + g.validity)
                active = (t_axis >= granted) & (t_axis < stop)
            regime[:, :, normal] = np.where(active[:, :, None], k, regime[:, :, normal])
            if excluded.any():
                kx = add(f"{g.label} (excluded end uses)", np.zeros(R), np.zeros(R, np.int64), np.zeros(R), g.start)
                regime[:, :, excluded] = np.where(span[:, :, None], kx, regime[:, :, excluded])
        return ControlPlan(
            E_sup,
            E_buy,
            cw.prod_product[E_sup],
            regime,
            np.column_stack(approval),
            np.column_stack(delay),
            np.column_stack(opened),
            labels,
            quota=np.column_stack(quota),
            period=np.array(period),
            quota_start=np.array(qstart),
            spread=np.column_stack(spread),
        )


def compile_plan(
    world: World, sc: Scenario, runs: int | None = None, seed: int | None = None, samples: np.ndarray | None = None
) -> Plan:
    """Validate cross-references between scenario and world, sample, and build the Plan.

    ``samples`` (runs x uncertain parameters), when given, replaces the Latin hypercube
    draw: each row is one run's values of ``sc.uncertain`` in order (used by Sobol designs).
    Uncertain parameters with ``assumption: <id>`` first take their omitted bounds from
    ``world.assumptions`` (:func:`~chokepoints.scenario.assumptions.resolve_assumptions`).
    """
    if samples is not None:
        samples = np.asarray(samples, dtype=float)
        runs = samples.shape[0] if samples.ndim == 2 else runs
    R = sc.runs if runs is None else runs
    seed = sc.seed if seed is None else seed
    sc = resolve_assumptions(sc, world.assumptions, world.name)
    c = _Compiler(world, sc, R, seed)
    c.check_refs()
    if c.problems:
        raise InputError(c.problems)
    c.check_uncertain()
    if c.problems:
        raise InputError(c.problems)
    draw = sample(sc, runs=R, seed=seed, samples=samples)
    samples, names = draw.values, [str(x) for x in draw["parameter"].values]
    vals = c.apply_samples(samples)
    effects = compile_events(c)
    if c.problems:
        raise InputError(c.problems)

    def of(kind: type) -> list:
        return [e for e in effects if isinstance(e, kind)]

    switches = of(ShareRewrite)
    wedges = of(PriceWedge)
    if wedges:
        from .network import supplier_slots

        switches += armington_rewrites(c.cw, supplier_slots(c.cw), wedges, c.T)
    return Plan(
        world=c.cw,
        T=c.T,
        R=R,
        samples=samples,
        sample_names=names,
        initial_days=vals["initial"],
        target_days=vals["target"],
        alpha_max=vals["alpha_max"],
        psi=vals["psi_param"],
        tau_inv=vals["inventory_restoration_tau"],
        alpha_base=vals["alpha_base"],
        alpha_tau=vals["alpha_tau"],
        unit_value=vals["unit_value"],
        order_type=sc.engine.order_type,
        capacity_loss=of(CapacityLoss),
        demand_change=of(DemandChange),
        releases=of(StockInflow),
        controls=c.controls(of(RouteRegime)),
        binding=c.cw.binding,
        capacity_add=of(CapacityAddition),
        priorities=of(RationingRank),
        switches=sorted(switches, key=lambda r: r.day),
        stock_targets=of(StockTarget),
    )
