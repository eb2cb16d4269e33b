"""Compile a World and a Scenario into the arrays the step function reads.

Levers are data: each event becomes entries of per-run parameter arrays and of
schedules indexed by day. The step function sees only arrays; it knows no lever by
name. Uncertain parameters are sampled here (Latin hypercube, seeded) and written
into the per-run arrays.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError, Problem
from ..scenario import Scenario
from ..scenario.events import (
    CapacityLoss,
    ExportControl,
    ExtraterritorialRule,
    FinalDemandChange,
    LiftControl,
    StockpileRelease,
)
from ..scenario.uncertainty import latin_hypercube
from ..world import CompiledWorld, World
from . import levers


@dataclass
class ControlPlan:
    """Controlled supply entries (supplier f -> buyer b) and their regime per day and run.

    regime[t, r, e] indexes ``approval``/``delay``/``open`` (R x K); regime 0 is
    "uncontrolled": approval 1, delay 0, open. ``open`` is 0 on banned routes so
    buyers place no orders there.
    """

    supplier: np.ndarray  # (E,)
    buyer: np.ndarray  # (E,) 0..n+m-1
    product: np.ndarray  # (E,)
    regime: np.ndarray  # (T, R, E) int16
    approval: np.ndarray  # (R, K)
    delay: np.ndarray  # (R, K) int days
    open: np.ndarray  # (R, K) 0/1
    labels: list[str] = field(default_factory=list)
    quota: np.ndarray | None = None  # (R, K) units per period for quota regimes, nan elsewhere
    period: np.ndarray | None = None  # (K,) days per quota period
    quota_start: np.ndarray | None = None  # (K,) first day of the quota

    @property
    def E(self) -> int:
        return int(self.supplier.size)


@dataclass
class Plan:
    """Everything one ensemble needs, positional and per run."""

    world: CompiledWorld
    T: int
    R: int
    samples: np.ndarray  # (R, P) sampled uncertain values
    sample_names: list[str]
    initial_days: np.ndarray  # (R, S, n), or (1, S, n) when not sampled per run
    target_days: np.ndarray  # (R, S, n), or (1, S, n) when not sampled per run
    alpha_max: np.ndarray  # (R, n)
    psi: np.ndarray  # (R,)
    tau_inv: np.ndarray  # (R,)
    alpha_base: np.ndarray  # (R,)
    alpha_tau: np.ndarray  # (R,)
    unit_value: np.ndarray  # (R, S)
    order_type: str
    capacity_loss: list[tuple[np.ndarray, np.ndarray, int, np.ndarray, np.ndarray, bool]]
    demand_change: list[tuple[np.ndarray, np.ndarray, int, int]]
    releases: list[levers.Release]
    controls: ControlPlan
    binding: np.ndarray | None = None  # (S, n) inputs that can limit output; None: every input (A > 0)
    capacity_add: list[levers.CapacityAdd] = field(default_factory=list)
    priorities: list[levers.PriorityRule] = field(default_factory=list)
    switches: list[levers.Switch | levers.Reweight] = field(default_factory=list)


def _match(pattern_or_list: str | list[str], value: str) -> bool:
    pats = [pattern_or_list] if isinstance(pattern_or_list, str) else pattern_or_list
    return any(fnmatch.fnmatchcase(value, p) for p in pats)


class _Compiler:
    def __init__(self, world: World, sc: Scenario, runs: int, seed: int):
        self.world, self.sc, self.R, self.seed = world, sc, runs, seed
        self.cw = world.compile()
        self.T = sc.horizon_days
        self.src = sc.source_path or f"<scenario {sc.name}>"
        self.problems: list[Problem] = []
        self.pidx = {p: i for i, p in enumerate(self.cw.products)}
        self.ridx = {r: i for i, r in enumerate(self.cw.regions)}
        self.fidx = {f: i for i, f in enumerate(self.cw.producers)}
        self.end_uses = set(self.cw.prod_end_use) | set(self.cw.fd_end_use)
        # Per-event numeric overrides: event index -> field -> (R,) values
        self.event_values: dict[int, dict[str, np.ndarray]] = {}

    def err(self, path: tuple, msg: str) -> None:
        line, col = self.sc.locate(path)
        from ..yamlio import format_path

        self.problems.append(Problem(self.src, msg, line, col, field=format_path(path)))

    # -- references ---------------------------------------------------------------------
    def check_refs(self) -> None:
        for i, e in enumerate(self.sc.events):
            base = ("events", i)
            regions = []
            if isinstance(e, ExportControl | LiftControl):
                regions.append(("exporter", e.exporter))
                if e.destinations != "all":
                    regions += [(("destinations", j), d) for j, d in enumerate(e.destinations)]
                prods = [] if e.products == "all" else e.products
                for j, p in enumerate(prods):
                    if p not in self.pidx:
                        self.err((*base, "products", j), f"unknown product {p!r} in world {self.world.name!r}")
            if isinstance(e, ExportControl):
                for key in ("end_uses", "exempt_end_uses", "excluded_end_uses"):
                    for j, u in enumerate(getattr(e, key) or []):
                        if u not in self.end_uses:
                            self.err((*base, key, j), f"unknown end use {u!r}; the world has "
                                     + ", ".join(sorted(x for x in self.end_uses if x)))
            if isinstance(e, CapacityLoss | FinalDemandChange):
                regions.append(("region", e.region))
            if isinstance(e, CapacityLoss | FinalDemandChange) and e.product is not None and e.product not in self.pidx:
                self.err((*base, "product"), f"unknown product {e.product!r} in world {self.world.name!r}")
            if isinstance(e, CapacityLoss) and e.producer is not None and e.producer not in self.fidx:
                self.err((*base, "producer"), f"unknown producer {e.producer!r}")
            if isinstance(e, FinalDemandChange) and e.end_use is not None and e.end_use not in self.end_uses:
                self.err((*base, "end_use"), f"unknown end use {e.end_use!r}")
            if isinstance(e, StockpileRelease):
                if e.product not in self.pidx:
                    self.err((*base, "product"), f"unknown product {e.product!r}")
                if e.holder not in self.fidx and e.holder not in self.ridx:
                    self.err((*base, "holder"), f"unknown holder {e.holder!r}: expected a producer or region id")
            for key, r in regions:
                path = (*base, *(key if isinstance(key, tuple) else (key,)))
                if r not in self.ridx:
                    self.err(path, f"unknown region {r!r}; the world has {', '.join(self.cw.regions)}")
        for i, e in enumerate(self.sc.events):
            levers.check_refs(self, i, e)
        for j, ku in enumerate(self.sc.key_users):
            if ku.region not in self.ridx:
                self.err(("key_users", j, "region"), f"unknown region {ku.region!r}")
            if ku.end_use not in self.end_uses:
                self.err(("key_users", j, "end_use"), f"unknown end use {ku.end_use!r}")

    # -- uncertainty --------------------------------------------------------------------
    def sample(self) -> tuple[np.ndarray, list[str]]:
        params = self.sc.uncertain
        ids = {e.id: i for i, e in enumerate(self.sc.events) if e.id}
        for j, u in enumerate(params):
            parts = u.parameter.split(".")
            if parts[0] == "events":
                if parts[1] not in ids:
                    self.err(("uncertain", j, "parameter"), f"no event with id {parts[1]!r}")
                    continue
                ev = self.sc.events[ids[parts[1]]]
                val = getattr(ev, parts[2], None)
                numeric = isinstance(val, int | float) and not isinstance(val, bool)
                if parts[2] in ("on", "until", "type", "id") or not numeric:
                    self.err(("uncertain", j, "parameter"),
                             f"event {parts[1]!r} has no numeric field {parts[2]!r}")
            if parts[0] == "world":
                table = self.world.tables[parts[1]]
                for k in u.where:
                    if k not in table.columns:
                        self.err(("uncertain", j, "where", k), f"table {parts[1]!r} has no column {k!r}")
        samples = latin_hypercube(params, self.R, self.seed)
        return samples, [p.parameter + (f"{dict(p.where)}" if p.where else "") for p in params]

    def per_run(self, base: float, event_index: int, field_name: str) -> np.ndarray:
        vals = self.event_values.get(event_index, {}).get(field_name)
        return np.full(self.R, float(base)) if vals is None else vals

    def apply_samples(self, samples: np.ndarray) -> dict[str, np.ndarray]:
        cw, R = self.cw, self.R
        # per-run inventory arrays only when an uncertain parameter samples them (memory: R x S x n)
        per_run_inv = any(u.parameter.startswith("world.inventories.") for u in self.sc.uncertain)
        shape = (R if per_run_inv else 1, *cw.initial_days.shape)
        initial = np.broadcast_to(cw.initial_days, shape).copy()
        target = np.broadcast_to(cw.target_days, shape).copy()
        capacity = np.broadcast_to(cw.capacity, (R, cw.n)).copy()
        unit_value = np.broadcast_to(cw.unit_value, (R, cw.S)).copy()
        eng = self.sc.engine
        engine = {k: np.full(R, float(getattr(eng, k))) for k in
                  ("psi_param", "inventory_restoration_tau", "alpha_base", "alpha_tau")}
        ids = {e.id: i for i, e in enumerate(self.sc.events) if e.id}
        t = self.world.tables
        for j, u in enumerate(self.sc.uncertain):
            vals = samples[:, j]
            parts = u.parameter.split(".")
            if parts[0] == "events" and parts[1] in ids:
                self.event_values.setdefault(ids[parts[1]], {})[parts[2]] = vals
            elif parts[0] == "engine":
                engine[parts[1]] = vals
            elif parts[0] == "world":
                table, column = parts[1], parts[2]
                df = t[table]
                mask = np.ones(len(df), bool)
                for k, pat in u.where.items():
                    if k in df.columns:
                        mask &= np.array([_match(pat, str(v)) for v in df[k]])
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
                        if column == "target_days" and r.days_of_cover == r.target_days and not any(
                                q.parameter == "world.inventories.days_of_cover" for q in self.sc.uncertain):
                            initial[:, self.pidx[r.product], self.fidx[r.holder]] = v
                elif table == "producers":
                    for r in rows.itertuples():
                        f = self.fidx[r.producer]
                        capacity[:, f] = np.maximum(vals, cw.x0[f])
                elif table == "unit_values":
                    for r in rows.itertuples():
                        unit_value[:, self.pidx[r.product]] = vals
        alpha_max = np.where(cw.x0 > 0, capacity / np.where(cw.x0 > 0, cw.x0, 1.0), 1.0)
        return dict(initial=initial, target=target, alpha_max=alpha_max, unit_value=unit_value, **engine)

    # -- schedules ----------------------------------------------------------------------
    def day(self, date) -> int:
        return self.sc.day_of(date)

    def capacity_losses(self) -> list:
        cw, out = self.cw, []
        for i, e in enumerate(self.sc.events):
            if not isinstance(e, CapacityLoss):
                continue
            mask = cw.prod_region == self.ridx.get(e.region, -1)
            if e.product is not None:
                mask &= cw.prod_product == self.pidx.get(e.product, -1)
            if e.producer is not None:
                mask &= np.arange(cw.n) == self.fidx.get(e.producer, -1)
            if not mask.any():
                self.err(("events", i), "matches no producer (check region/product/producer)")
            out.append((mask, self.per_run(e.share, i, "share"), self.day(e.on),
                        self.per_run(e.duration_days, i, "duration_days"),
                        self.per_run(e.recovery_days, i, "recovery_days"), e.recovery == "linear"))
        return out

    def demand_changes(self) -> list:
        cw, out = self.cw, []
        for i, e in enumerate(self.sc.events):
            if not isinstance(e, FinalDemandChange):
                continue
            mask = cw.fd_region == self.ridx.get(e.region, -1)
            if e.product is not None:
                mask &= cw.fd_product == self.pidx.get(e.product, -1)
            if e.end_use is not None:
                mask &= np.array([u == e.end_use for u in cw.fd_end_use], bool)
            if not mask.any():
                self.err(("events", i), "matches no final-demand cell")
            end = self.T if e.until is None else self.day(e.until)
            out.append((mask, self.per_run(e.share, i, "share"), self.day(e.on), end))
        return out

    def controls(self) -> ControlPlan:
        cw, R, T = self.cw, self.R, self.T
        buyer_region = cw.buyer_region
        buyer_end_use = cw.buyer_end_use
        region_names = cw.regions
        approval = [np.ones(R)]
        delay = [np.zeros(R, dtype=np.int64)]
        opened = [np.ones(R)]
        labels = ["uncontrolled"]
        # Which W entries can be touched by some control: matched by exporter/product/destination
        events = sorted(((e.on, i, e) for i, e in enumerate(self.sc.events)
                         if isinstance(e, ExportControl | LiftControl | ExtraterritorialRule)),
                        key=lambda x: (x[0], x[1]))
        quota = [np.full(R, np.nan)]
        period = [1]
        qstart = [0]
        self._content = {}
        for _, _, e in events:
            if isinstance(e, ExtraterritorialRule) and e.exporter in self.ridx:
                key = (e.exporter, tuple(e.products))
                if key not in self._content:
                    self._content[key] = levers.content_shares(
                        cw, self.ridx[e.exporter], [self.pidx[p] for p in e.products if p in self.pidx])
        if not any(isinstance(e, ExportControl | ExtraterritorialRule) for _, _, e in events):  # no routes
            empty = np.zeros(0, dtype=np.intp)
            return ControlPlan(empty, empty, empty, np.zeros((T, R, 0), dtype=np.int16), np.column_stack(approval),
                               np.column_stack(delay), np.column_stack(opened), labels)
        sup_idx, buy_idx = np.nonzero(np.asarray(cw.W))
        candidate = np.zeros(sup_idx.size, bool)
        for _, _, e in events:
            if isinstance(e, ExportControl | ExtraterritorialRule):
                candidate |= self._route_mask(e, sup_idx, buy_idx, buyer_region, region_names)
        E_sup, E_buy = sup_idx[candidate], buy_idx[candidate]
        E = E_sup.size
        regime = np.zeros((T, R, E), dtype=np.int16)
        t_axis = np.arange(T)[:, None]
        for _, i, e in events:
            route = self._route_mask(e, E_sup, E_buy, buyer_region, region_names)
            start = max(self.day(e.on), 0)
            if isinstance(e, LiftControl):
                regime[start:, :, route] = 0
                continue
            end = T if e.until is None else min(self.day(e.until), T)
            uses = [buyer_end_use[b] for b in E_buy]
            if getattr(e, "end_uses", None) is not None:
                route &= np.array([u in e.end_uses for u in uses], bool)
            route &= ~np.array([u in e.exempt_end_uses for u in uses], bool)
            excluded = route & np.array([u in e.excluded_end_uses for u in uses], bool)
            normal = route & ~excluded
            review = self.per_run(e.review_days, i, "review_days")
            rate = self.per_run(e.approval_rate, i, "approval_rate")
            k = len(approval)
            quota.append(np.full(R, np.nan))
            period.append(1)
            qstart.append(start)
            if e.mode == "quota":  # shipments approved in order until the period's quota is used
                approval.append(np.ones(R))
                delay.append(np.rint(review).astype(np.int64))
                opened.append(np.ones(R))
                quota[-1] = self.per_run(e.quota, i, "quota")
                period[-1] = e.period_days
                active = (t_axis >= start) & (t_axis < end) & np.ones((1, R), bool)
            elif e.mode == "ban":
                approval.append(np.zeros(R))
                delay.append(np.zeros(R, np.int64))
                opened.append(np.zeros(R))
                active = (t_axis >= start) & (t_axis < end) & np.ones((1, R), bool)
            elif getattr(e, "validity_days", None) is None:  # per-shipment licences
                approval.append(rate.copy())
                delay.append(np.rint(review).astype(np.int64))
                opened.append(np.ones(R))
                active = (t_axis >= start) & (t_axis < end) & np.ones((1, R), bool)
            else:  # licences valid for validity_days once granted after review
                approval.append(rate.copy())
                delay.append(np.zeros(R, np.int64))
                opened.append(np.ones(R))
                granted = start + np.rint(review)[None, :]
                stop = end if e.renewal else np.minimum(end, granted + e.validity_days)
                active = (t_axis >= granted) & (t_axis < stop)
            labels.append(f"{e.id or e.type}@{e.on}")
            regime[:, :, normal] = np.where(active[:, :, None], k, regime[:, :, normal])
            if excluded.any():
                kx = len(approval)
                approval.append(np.zeros(R))
                delay.append(np.zeros(R, np.int64))
                opened.append(np.zeros(R))
                labels.append(f"{e.id or e.type}@{e.on} (excluded end uses)")
                quota.append(np.full(R, np.nan))
                period.append(1)
                qstart.append(start)
                span = (t_axis >= start) & (t_axis < end) & np.ones((1, R), bool)
                regime[:, :, excluded] = np.where(span[:, :, None], kx, regime[:, :, excluded])
        product_of = cw.prod_product[E_sup]
        return ControlPlan(E_sup, E_buy, product_of, regime, np.column_stack(approval),
                           np.column_stack(delay), np.column_stack(opened), labels,
                           quota=np.column_stack(quota), period=np.array(period), quota_start=np.array(qstart))

    def _route_mask(self, e, sup, buy, buyer_region, region_names) -> np.ndarray:
        cw = self.cw
        if isinstance(e, ExtraterritorialRule):  # goods made elsewhere with enough controlled content
            content = self._content.get((e.exporter, tuple(e.products)), np.zeros(cw.n))
            # exports only: a third country's sales at home are not caught
            mask = (content[sup] >= max(e.threshold, 1e-15)) & (cw.prod_region[sup] != self.ridx.get(e.exporter, -1))
            mask &= buyer_region[buy] != cw.prod_region[sup]
            if e.destinations != "all":
                mask &= np.isin(buyer_region[buy], [self.ridx[d] for d in e.destinations if d in self.ridx])
            return mask
        mask = cw.prod_region[sup] == self.ridx.get(e.exporter, -1)
        if e.products != "all":
            pids = [self.pidx[p] for p in e.products if p in self.pidx]
            mask &= np.isin(cw.prod_product[sup], pids)
        if e.destinations != "all":
            rids = [self.ridx[d] for d in e.destinations if d in self.ridx]
            mask &= np.isin(buyer_region[buy], rids)
        else:  # an export control never applies to the exporter's own buyers
            mask &= buyer_region[buy] != self.ridx.get(e.exporter, -1)
        return mask


def compile_plan(world: World, sc: Scenario, runs: int | None = None, seed: int | None = None,
                 samples: np.ndarray | None = None) -> Plan:
    """Validate cross-references between scenario and world, sample, and build the Plan.

    ``samples`` (runs x uncertain parameters), when given, replaces the Latin hypercube
    draw: each row is one run's values of ``sc.uncertain`` in order (used by Sobol designs).
    """
    if samples is not None:
        samples = np.asarray(samples, dtype=float)
        if samples.ndim != 2 or samples.shape[1] != len(sc.uncertain):
            raise InputError(f"samples: expected shape (runs, {len(sc.uncertain)}), got {samples.shape}")
        runs = samples.shape[0]
    R = sc.runs if runs is None else runs
    seed = sc.seed if seed is None else seed
    c = _Compiler(world, sc, R, seed)
    c.check_refs()
    if c.problems:
        raise InputError(c.problems)
    drawn, names = c.sample()
    if c.problems:
        raise InputError(c.problems)
    samples = drawn if samples is None else samples
    vals = c.apply_samples(samples)
    plan = Plan(
        world=c.cw, T=c.T, R=R, samples=samples, sample_names=names,
        initial_days=vals["initial"], target_days=vals["target"], alpha_max=vals["alpha_max"],
        psi=vals["psi_param"], tau_inv=vals["inventory_restoration_tau"], alpha_base=vals["alpha_base"],
        alpha_tau=vals["alpha_tau"], unit_value=vals["unit_value"], order_type=sc.engine.order_type,
        capacity_loss=c.capacity_losses(), demand_change=c.demand_changes(), releases=levers.releases(c),
        controls=c.controls(), binding=c.cw.binding, capacity_add=levers.capacity_changes(c),
        priorities=levers.priority_rules(c), switches=levers.substitutions(c),
    )
    if c.problems:
        raise InputError(c.problems)
    from .network import supplier_slots

    if any(type(e).__name__ == "Tariff" for e in sc.events):
        plan.switches = sorted(plan.switches + levers.tariff_reweights(c, supplier_slots(c.cw)),
                               key=lambda r: r.day)
    return plan
