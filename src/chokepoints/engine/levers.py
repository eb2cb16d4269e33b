"""Compile the coercion levers beyond export controls into plain arrays.

Each function reads the scenario's events through the compiler (``c``: the World's
index maps, per-run values of uncertain event fields, located errors) and returns
data the step function reads: streams of stock added to holders (stockpiles,
recycling), capacity added per producer over time, and rationing classes by end use.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..scenario.events import (
    CapacityChange,
    ExtraterritorialRule,
    Priority,
    Recycling,
    StockpileRelease,
    Substitution,
)
from ..world import CompiledWorld


@dataclass
class Release:
    """Stock added to the holders of product ``p``: ``rate * ramp(t)`` per day while ``amount``
    lasts, split by ``weights`` (n,). ``on_shortfall``: only on days a holder is below target."""

    start: int
    end: int
    weights: np.ndarray  # (n,)
    amount: np.ndarray  # (R,), inf for recycling
    rate: np.ndarray  # (R,) units per day at full ramp
    p: int
    ramp: np.ndarray  # (R,) days to full rate (0: at once)
    on_shortfall: bool = False

    def rate_at(self, t: int) -> np.ndarray:
        """Rate (R,) on day t: rate * clip((t - start + 1) / ramp, 0, 1) within [start, end)."""
        if not self.start <= t < self.end:
            return np.zeros_like(self.rate)
        frac = np.where(self.ramp > 0, np.clip((t - self.start + 1) / np.maximum(self.ramp, 1e-12), 0, 1), 1.0)
        return self.rate * frac


@dataclass
class CapacityAdd:
    """Capacity ``added`` (R,) in product units per day, split over producers by ``weights``,
    ramping linearly over ``ramp`` (R,) days from ``start`` until ``end``."""

    start: int
    end: int
    weights: np.ndarray  # (n,)
    added: np.ndarray  # (R,)
    ramp: np.ndarray  # (R,)


@dataclass
class Switch:
    """On day ``day``, producer-buyers ``buyers`` of product ``p`` may buy up to ``share`` from
    ``supplier``: its share of their purchases becomes max(current, share), the others scale
    so that each buyer's shares still sum to 1."""

    day: int
    p: int
    supplier: int
    buyers: np.ndarray  # (k,) producer indices
    share: float


@dataclass
class PriorityRule:
    """Rationing classes: ``rank[b]`` is buyer b's class (0 served first; len(order) for
    end uses not listed) for suppliers in ``suppliers`` (n,) bool, within [start, end)."""

    start: int
    end: int
    suppliers: np.ndarray  # (n,) bool
    rank: np.ndarray  # (n + m,) int
    classes: int


def check_refs(c, i: int, e) -> None:
    """Located errors for unknown regions, products, producers and end uses in lever events."""
    base = ("events", i)

    def region(field_name: str, value: str | None) -> None:
        if value is not None and value not in c.ridx:
            c.err((*base, field_name), f"unknown region {value!r}; the world has {', '.join(c.cw.regions)}")

    def product(path: tuple, value: str) -> None:
        if value not in c.pidx:
            c.err((*base, *path), f"unknown product {value!r} in world {c.world.name!r}")

    def producer(field_name: str, value: str | None) -> None:
        if value is not None and value not in c.fidx:
            c.err((*base, field_name), f"unknown producer {value!r}")

    def end_use(path: tuple, value: str | None) -> None:
        if value is not None and value not in c.end_uses:
            c.err((*base, *path), f"unknown end use {value!r}; the world has "
                  + ", ".join(sorted(u for u in c.end_uses if u)))

    if isinstance(e, ExtraterritorialRule):
        region("exporter", e.exporter)
        for j, p in enumerate(e.products):
            product(("products", j), p)
        if e.destinations != "all":
            for j, d in enumerate(e.destinations):
                if d not in c.ridx:
                    c.err((*base, "destinations", j), f"unknown region {d!r}")
        for key in ("exempt_end_uses", "excluded_end_uses"):
            for j, u in enumerate(getattr(e, key)):
                end_use((key, j), u)
        uv = c.cw.unit_value
        if not np.isfinite(uv).all():
            missing = [c.cw.products[k] for k in np.flatnonzero(~np.isfinite(uv))]
            c.err(base, "the extraterritorial rule traces content by value and needs unit values for every "
                  f"product; missing for {', '.join(missing[:5])}")
    elif isinstance(e, CapacityChange):
        region("region", e.region)
        if e.product is not None:
            product(("product",), e.product)
        producer("producer", e.producer)
    elif isinstance(e, Recycling):
        region("region", e.region)
        product(("product",), e.product)
    elif isinstance(e, Priority):
        region("region", e.region)
        for j, p in enumerate(e.products or []):
            product(("products", j), p)
        for j, u in enumerate(e.order):
            end_use(("order", j), u)
    elif isinstance(e, Substitution):
        region("region", e.region)
        product(("product",), e.product)
        producer("supplier", e.supplier)
        end_use(("end_use",), e.end_use)
        if e.supplier in c.fidx and e.product in c.pidx and \
                c.cw.prod_product[c.fidx[e.supplier]] != c.pidx[e.product]:
            c.err((*base, "supplier"), f"{e.supplier!r} does not make {e.product!r}")


def _end(c, e) -> int:
    until = getattr(e, "until", None)
    return c.T if until is None else min(c.day(until), c.T)


def releases(c) -> list[Release]:
    """Stockpile releases and recycling streams."""
    cw: CompiledWorld = c.cw
    out: list[Release] = []
    for i, e in enumerate(c.sc.events):
        if isinstance(e, StockpileRelease) and e.product in c.pidx:
            p = c.pidx[e.product]
            use = cw.A[p] * cw.x0
            if e.holder in c.fidx:
                weights = np.zeros(cw.n)
                weights[c.fidx[e.holder]] = 1.0
            elif e.holder in c.ridx:
                sel = (cw.prod_region == c.ridx[e.holder]) & (use > 0)
                if e.end_use is not None:
                    sel &= np.array([u == e.end_use for u in cw.prod_end_use], bool)
                weights = np.where(sel, use, 0.0)
                if weights.sum() <= 0:
                    c.err(("events", i, "holder"), f"no producer in {e.holder!r} uses {e.product!r}")
                    continue
                weights = weights / weights.sum()
            else:
                continue
            if cw.A[p][weights > 0].min() <= 0:
                c.err(("events", i, "product"), f"holder {e.holder!r} does not use {e.product!r}")
                continue
            out.append(Release(max(c.day(e.on), 0), c.T, weights, c.per_run(e.amount, i, "amount"),
                               c.per_run(e.rate, i, "rate"), p, np.zeros(c.R), e.rule == "on_shortfall"))
        elif isinstance(e, Recycling) and e.product in c.pidx and e.region in c.ridx:
            p = c.pidx[e.product]
            use = np.where(cw.prod_region == c.ridx[e.region], cw.A[p] * cw.x0, 0.0)
            if use.sum() <= 0:
                c.err(("events", i, "product"), f"no producer in {e.region!r} uses {e.product!r}")
                continue
            share = c.per_run(e.share, i, "share")
            out.append(Release(max(c.day(e.on), 0), _end(c, e), use / use.sum(), np.full(c.R, np.inf),
                               share * use.sum(), p, c.per_run(e.ramp_days, i, "ramp_days")))
    return out


def capacity_changes(c) -> list[CapacityAdd]:
    cw: CompiledWorld = c.cw
    out = []
    for i, e in enumerate(c.sc.events):
        if not isinstance(e, CapacityChange) or e.region not in c.ridx:
            continue
        mask = cw.prod_region == c.ridx[e.region]
        if e.product is not None:
            mask &= cw.prod_product == c.pidx.get(e.product, -1)
        if e.producer is not None:
            mask &= np.arange(cw.n) == c.fidx.get(e.producer, -1)
        mask &= cw.x0 > 0
        if not mask.any():
            c.err(("events", i), "matches no producer with baseline output; add the plant to the World's "
                  "producers (a small output) so buyers have a supply link to it")
            continue
        w = np.where(mask, cw.x0, 0.0)
        out.append(CapacityAdd(max(c.day(e.on), 0), _end(c, e), w / w.sum(),
                               c.per_run(e.capacity_per_day, i, "capacity_per_day"),
                               c.per_run(e.ramp_days, i, "ramp_days")))
    return out


def capacity_added_at(changes: list[CapacityAdd], t: int, n: int, runs: slice) -> np.ndarray | None:
    """Capacity added (R, n) on day t, or None when no change applies."""
    out = None
    for ch in changes:
        if not ch.start <= t < ch.end:
            continue
        ramp = ch.ramp[runs]
        frac = np.where(ramp > 0, np.clip((t - ch.start + 1) / np.maximum(ramp, 1e-12), 0, 1), 1.0)
        add = (ch.added[runs] * frac)[:, None] * ch.weights[None, :]
        out = add if out is None else out + add
    return out


def priority_rules(c) -> list[PriorityRule]:
    cw: CompiledWorld = c.cw
    out = []
    uses = np.asarray(cw.buyer_end_use, dtype=object)
    for e in c.sc.events:
        if not isinstance(e, Priority):
            continue
        sup = np.ones(cw.n, bool)
        if e.region is not None:
            sup &= cw.prod_region == c.ridx.get(e.region, -1)
        if e.products is not None:
            sup &= np.isin(cw.prod_product, [c.pidx[p] for p in e.products if p in c.pidx])
        rank = np.full(cw.n + cw.m, len(e.order), dtype=np.intp)
        for k, u in enumerate(e.order):
            rank[uses == u] = k
        out.append(PriorityRule(max(c.day(e.on), 0), _end(c, e), sup, rank, len(e.order) + 1))
    return out


def content_shares(cw: CompiledWorld, exporter: int, products: list[int], iterations: int = 200) -> np.ndarray:
    """Share of each producer's output value that is controlled content from ``exporter``.

    c_f = sum_p A[p, f] v_p / v_p(f) * sum_s W[s, f] * k_s,p with k = 1 when s is in the
    exporter and p is controlled, k = c_s when s is outside the exporter, 0 otherwise;
    iterated to a fixed point (the network is acyclic in practice; the iteration count
    bounds it otherwise). Producers in the exporter are not counted (their goods are
    controlled by the export control itself).
    """
    n = cw.n
    v = cw.unit_value
    vf = v[cw.prod_product]
    W = np.asarray(cw.W)[:, :n]
    in_exp = cw.prod_region == exporter
    controlled = np.isin(cw.prod_product, products)
    direct = (in_exp & controlled).astype(float)  # (n,) supplier-side indicator
    # value share of input p in f's output: A[p, f] v_p / v_p(f)
    val = cw.A * v[:, None] / np.where(vf > 0, vf, np.inf)[None, :]
    c = np.zeros(n)
    for _ in range(iterations):
        k = np.where(in_exp, direct, c)  # (n,) what a unit bought from supplier s carries
        per_product = np.zeros_like(cw.A)  # (S, n): share of f's purchases of p that carry content
        np.add.at(per_product, cw.prod_product, W * k[:, None])
        new = np.where(in_exp, 0.0, (val * per_product).sum(axis=0))
        if np.allclose(new, c, rtol=0, atol=1e-15):
            c = new
            break
        c = new
    return np.clip(c, 0.0, 1.0)


def substitutions(c) -> list[Switch]:
    cw: CompiledWorld = c.cw
    out = []
    for i, e in enumerate(c.sc.events):
        if not isinstance(e, Substitution) or e.product not in c.pidx or e.supplier not in c.fidx \
                or e.region not in c.ridx:
            continue
        if any(u.parameter in (f"events.{e.id}.delay_days", f"events.{e.id}.max_share") for u in c.sc.uncertain):
            c.err(("events", i), "a substitution's delay_days and max_share cannot vary per run (the supply "
                  "network is shared by the runs of an ensemble)")
            continue
        p = c.pidx[e.product]
        buyers = (cw.prod_region == c.ridx[e.region]) & (cw.A[p] > 0)
        if e.end_use is not None:
            buyers &= np.array([u == e.end_use for u in cw.prod_end_use], bool)
        if not buyers.any():
            c.err(("events", i), f"no producer in {e.region!r} buys {e.product!r}")
            continue
        out.append(Switch(max(c.day(e.on), 0) + int(round(e.delay_days)), p, c.fidx[e.supplier],
                          np.flatnonzero(buyers), e.max_share))
    return out


@dataclass
class Reweight:
    """On day ``day`` the shares of product ``p`` for producer-buyers ``buyers`` become ``block``
    ((K, k), in the product's supplier slots): the Armington response to a tariff change."""

    day: int
    p: int
    buyers: np.ndarray
    block: np.ndarray


SMART_SIGMA = 1.5  # WITS-SMART default substitution elasticity between origins


def tariff_reweights(c, sup: np.ndarray) -> list[Reweight]:
    """Tariffs in the engine: buyers in the importer shift orders between origins by the Armington rule.

    For each day on which the tariff schedule of a World product changes, every buyer b of p in
    the importer region gets shares from the baseline ones:
        w1_f = w0_f tau_f^-sigma / sum_k w0_k tau_k^-sigma,   tau_f = 1 + t_f(day)
    where t_f is the sum of the 'add' layers in force on supplier f's region minus the 'suspend'
    ones (chokepoints.trade.armington_share_change). sigma comes from a trade_setup event, else
    SMART's 1.5. Tariff events naming HS lines or sections (for ``chokepoints tariffs``) do not
    touch the engine; events naming World products (or 'all') do.
    """
    from ..scenario.events_trade import Tariff, TradeSetup
    from ..trade import armington_share_change

    cw: CompiledWorld = c.cw
    tariffs = [(i, e) for i, e in enumerate(c.sc.events) if isinstance(e, Tariff) and e.importer in c.ridx
               and (e.products == "all" or all(p in c.pidx for p in e.products)) and e.action != "exclude"]
    if not tariffs:
        return []
    sigma = next((e.sigma for e in c.sc.events if isinstance(e, TradeSetup) and e.sigma), None) or SMART_SIGMA
    K = sup.shape[1]
    n = cw.n
    W = np.asarray(cw.W)[:, :n]
    days = sorted({max(c.day(e.on), 0) for _, e in tariffs} | {c.day(e.until) for _, e in tariffs if e.until})
    out = []
    for importer in sorted({e.importer for _, e in tariffs}):
        r_imp = c.ridx[importer]
        for p in range(cw.S):
            buyers = np.flatnonzero((cw.prod_region == r_imp) & (cw.A[p] > 0))
            slots = sup[p]
            real = slots < n
            if not buyers.size or not real.any():
                continue
            relevant = [(i, e) for i, e in tariffs if e.importer == importer
                        and (e.products == "all" or cw.products[p] in e.products)]
            if not relevant:
                continue
            base = np.zeros((K, buyers.size))
            base[real] = W[np.ix_(slots[real], buyers)]
            sup_region = np.where(real, cw.prod_region[np.minimum(slots, n - 1)], -1)
            for day in days:
                if not 0 <= day < c.T:
                    continue
                rate = np.zeros(K)
                for _, e in relevant:
                    if not (c.day(e.on) <= day and (e.until is None or day < c.day(e.until))):
                        continue
                    hit = (sup_region != r_imp) & real if e.exporter == "all" else np.isin(
                        sup_region, [c.ridx[x] for x in e.exporter if x in c.ridx])
                    rate += np.where(hit, e.rate if e.action == "add" else -e.rate, 0.0) / 100.0
                tau = 1.0 + np.maximum(rate, 0.0)
                block = np.where(base.sum(axis=0, keepdims=True) > 0,
                                 armington_share_change(base.T, tau[None, :], sigma).T, 0.0)
                out.append(Reweight(day, p, buyers, block))
    return sorted(out, key=lambda r: r.day)


def apply_reweight(W3: np.ndarray, rw: Reweight) -> None:
    K = rw.block.shape[0]
    W3[rw.p, :K, rw.buyers.reshape(-1)] = rw.block.T


def apply_switch(W3: np.ndarray, sup: np.ndarray, sw: Switch) -> None:
    """Rewrite the share block of product ``sw.p`` in place (W3: (S, K + 1, n); slot K is virtual)."""
    K = sup.shape[1]
    slot = int(np.flatnonzero(sup[sw.p] == sw.supplier)[0])
    block = W3[sw.p, :K][:, sw.buyers]  # (K, k)
    old = block[slot].copy()
    new = np.maximum(old, sw.share)
    rest = 1.0 - old
    scale = np.where(rest > 0, (1.0 - new) / np.where(rest > 0, rest, 1.0), 0.0)
    block *= scale[None, :]
    block[slot] = new
    W3[sw.p, :K, sw.buyers.reshape(-1)] = block.T
