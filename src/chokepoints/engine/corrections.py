"""Corrections to a step for the few (product, buyer) pairs that are not served pro rata.

Export controls and priority rules touch a handful of supply routes; rather than give every
(product, run, buyer) value a branch, :func:`chokepoints.engine.simulate._run_chunk` applies
the plain update of :mod:`chokepoints.engine.tile` and corrects those pairs with the functions
here: deliveries served by priority class instead of in proportion, orders that count
what is waiting in a licence pipeline as stock on order, and orders towards a raised (or
lowered) inventory target (:class:`RaisedTargets`).
"""

from __future__ import annotations

import numpy as np

from ..effects import StockTarget
from .kernel import add_at_columns, safe_div
from .plan import Plan
from .static import StaticArrays


def orders_net_of_pending(
    qq: np.ndarray,
    dd: np.ndarray,
    G: np.ndarray,
    pl: np.ndarray,
    bl: np.ndarray,
    pend: np.ndarray,
    x_a: np.ndarray,
    x_opt: np.ndarray,
    inv_s: np.ndarray,
    tau: np.ndarray,
    Rc: int,
    alt: bool,
    masked: bool,
    scale: np.ndarray | None = None,
) -> None:
    """Redo the order update of the (product, buyer) pairs ``(pl, bl)`` of a tile with the
    quantity already approved and in the licence pipeline counted as stock on order:
    gap = max(scale x_opt - d' - pending, 0), then q_hat' as in :mod:`chokepoints.engine.tile`.
    ``scale`` (Rc,) multiplies the inventory target the pairs order towards (1 when None)."""
    c = x_a[:, bl].T * inv_s[pl, :, bl]  # (pairs, Rc)
    goal = x_opt[:, bl].T if scale is None else x_opt[:, bl].T * scale[None, :]
    gap = np.maximum(goal - dd[pl, :, bl] - pend, 0.0)
    if alt:
        den = G[pl, Rc:, bl]
        with np.errstate(divide="ignore", invalid="ignore"):
            val = (gap + tau[None, :] * c) / den
        if masked:
            val = np.where(den > 0, val, qq[pl, :, bl])
    else:
        val = gap / tau[None, :] + c
    qq[pl, :, bl] = val


def priority_rationing(
    plan: Plan,
    st: StaticArrays,
    t: int,
    rs: slice,
    qh: np.ndarray,
    sA3: np.ndarray,
    rho: np.ndarray | None,
    y: np.ndarray,
    x_a: np.ndarray,
    fill: np.ndarray,
    arrive: np.ndarray | None,
    corr_u: np.ndarray,
    fd_received: np.ndarray,
) -> None:
    """Serve claims on suppliers under a priority rule class by class instead of pro rata.

    For supplier f with output x_a_f and class demands D_f,k (k = 0 first):
      served_f,k = min(D_f,k, x_a_f - sum_{j<k} served_f,j),   fill_f,k = served_f,k / D_f,k,
    and every claim of a class-k buyer receives claim * fill_f,k. The difference to the
    proportional delivery claim * x_a_f / D_f is added to the buyers' receipts.
    """
    rules = [r for r in plan.priorities if r.start <= t < r.end]
    if not rules:
        return
    n = plan.world.n
    sup, buy, w, pr_ctl, pr_inv = st.pr_sup, st.pr_buy, st.pr_w, st.pr_ctl, st.pr_inv
    # run_plan fills every pr_* array whenever the plan has priority rules
    assert sup is not None and buy is not None and w is not None and pr_ctl is not None and pr_inv is not None
    rank = np.full(sup.size, -1, dtype=np.intp)
    classes = 1
    for rule in sorted(rules, key=lambda r: r.start):  # the latest rule on a supplier governs it
        sel = rule.suppliers[sup]
        rank[sel] = rule.rank[buy[sel]]
        classes = max(classes, rule.classes)
    act = rank >= 0
    Rc = x_a.shape[0]
    claim = np.zeros((Rc, sup.size), dtype=x_a.dtype)
    is_prod = buy < n
    pe = np.flatnonzero(is_prod & act)
    if pe.size:
        p = plan.world.prod_product[sup[pe]]
        c = (qh[p, :, buy[pe]] * sA3[p, :, buy[pe]]).T * w[pe]
        claim[:, pe] = c * rho[:, sup[pe]] if rho is not None else c
    fe = np.flatnonzero(~is_prod & act)
    if fe.size:
        claim[:, fe] = y[:, buy[fe] - n] * w[fe]
    if arrive is not None:  # a controlled route claims what its licences let through
        ce = np.flatnonzero((pr_ctl >= 0) & act)
        claim[:, ce] = arrive[:, pr_ctl[ce]]
    remaining = x_a.copy()
    fill_k = np.zeros((classes, Rc, n), dtype=x_a.dtype)
    for k in range(classes):
        sel = np.flatnonzero(act & (rank == k))
        if not sel.size:
            continue
        Dk = np.zeros((Rc, n), dtype=x_a.dtype)
        add_at_columns(Dk, sup[sel], claim[:, sel])
        served = np.minimum(Dk, remaining)
        remaining -= served
        fill_k[k] = safe_div(served, Dk)
    ea = np.flatnonzero(act)
    new_fill = fill_k[rank[ea], :, sup[ea]].T  # (Rc, |ea|)
    corr = claim[:, ea] * (new_fill - fill[:, sup[ea]])
    prod_sel = is_prod[ea]
    if prod_sel.any():
        # entries of producer buyers map to their (product, buyer) pair
        pos = np.searchsorted(np.flatnonzero(is_prod), ea[prod_sel])
        np.add.at(corr_u, pr_inv[pos], corr[:, prod_sel].T)
    if (~prod_sel).any():
        add_at_columns(fd_received, buy[ea[~prod_sel]] - n, corr[:, ~prod_sel])


class RaisedTargets:
    """The stock-target effects (:class:`~chokepoints.effects.StockTarget`) of one chunk of runs.

    After a tile's plain update, the orders of every (product, holder) pair under an active
    target are recomputed with goal factor * x_opt; pairs that are also controlled keep their
    pending licences netted out (:func:`orders_net_of_pending` with ``scale``).
    """

    def __init__(self, targets: list[StockTarget], up: np.ndarray, ub: np.ndarray, inputs: np.ndarray, rs: slice, dt):
        pair_of = {(int(p), int(b)): k for k, (p, b) in enumerate(zip(up, ub, strict=True))}
        self.items = []
        for e in targets:
            cols = np.flatnonzero(e.mask & inputs[e.p].any(axis=0))  # holders that stock the product
            if cols.size:
                pair = np.array([pair_of.get((e.p, int(b)), -1) for b in cols], dtype=np.intp)
                self.items.append((e, cols, pair, e.factor[rs].astype(dt)))

    def apply(self, t, ps, pe, qq, dd, G, pend_u, x_a, x_opt, inv_s, tau, Rc, alt, masked) -> None:
        """Recompute the orders of the tile ``ps:pe``'s pairs under a target active on day ``t``."""
        for e, cols, pair, factor in self.items:
            if not (ps <= e.p < pe and e.start <= t < e.end):
                continue
            pend = np.zeros((cols.size, Rc), dtype=qq.dtype)
            on_licence = pair >= 0
            pend[on_licence] = pend_u[pair[on_licence]]
            pl = np.full(cols.size, e.p - ps, dtype=np.intp)
            orders_net_of_pending(qq, dd, G, pl, cols, pend, x_a, x_opt, inv_s, tau, Rc, alt, masked, scale=factor)
