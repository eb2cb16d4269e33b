"""Corrections to a step for the few (product, buyer) pairs that are not served pro rata.

Export controls and priority rules touch a handful of supply routes; rather than give every
(product, run, buyer) value a branch, :func:`chokepoints.engine.simulate._run_chunk` applies
the plain update of :mod:`chokepoints.engine.tile` and corrects those pairs with the functions
here: deliveries served by priority class instead of in proportion, and orders that count
what is waiting in a licence pipeline as stock on order.
"""

from __future__ import annotations

import numpy as np

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
) -> None:
    """Redo the order update of the (product, buyer) pairs ``(pl, bl)`` of a tile with the
    quantity already approved and in the licence pipeline counted as stock on order:
    gap = max(x_opt - d' - pending, 0), then q_hat' as in :mod:`chokepoints.engine.tile`."""
    c = x_a[:, bl].T * inv_s[pl, :, bl]  # (pairs, Rc)
    gap = np.maximum(x_opt[:, bl].T - dd[pl, :, bl] - pend, 0.0)
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
