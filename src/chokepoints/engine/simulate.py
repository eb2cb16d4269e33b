"""Run a compiled Plan day by day: the ensemble loop around the pure kernel."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .compile import Plan
from .kernel import build_blocks, inventory_limited_production, overproduction_update, safe_div


def capacity_loss_at(plan: Plan, t: int) -> np.ndarray:
    """Delta(t) (R, n): the largest loss of any capacity_loss event (as BoARIO, max not sum)."""
    delta = np.zeros((plan.R, plan.world.n))
    for mask, share, start, duration, recovery, linear in plan.capacity_loss:
        if t < start:
            continue
        elapsed = t - start - duration  # (R,)
        if linear:
            frac = np.where(elapsed <= 0, 1.0,
                            np.clip(1.0 - elapsed / np.maximum(recovery, 1e-12), 0.0, 1.0))
            frac = np.where((recovery <= 0) & (elapsed > 0), 0.0, frac)
        else:
            frac = np.ones(plan.R)
        delta = np.maximum(delta, (share * frac)[:, None] * mask[None, :])
    return delta


def final_demand_at(plan: Plan, t: int) -> np.ndarray:
    """y(t) (R, m) = y0 * (1 + sum of active changes)."""
    factor = np.ones((plan.R, plan.world.m))
    for mask, share, start, end in plan.demand_change:
        if start <= t < end:
            factor += share[:, None] * mask[None, :]
    return plan.world.y0[None, :] * np.maximum(factor, 0.0)


def run_plan(plan: Plan, progress: Callable[[int], None] | None = None) -> dict[str, np.ndarray]:
    """Simulate every run of ``plan``; return the recorded arrays (leading axes T, R)."""
    cw, R, T = plan.world, plan.R, plan.T
    n, m, S = cw.n, cw.m, cw.S
    ctl = plan.controls
    E = ctl.E
    A, x0, W = cw.A, cw.x0, cw.W
    blocks = build_blocks(W, cw.prod_product, n, S)
    W_fd = W[:, n:]  # (n, m)
    alt = plan.order_type == "alt"

    need_per_unit = plan.target_days * A[None]  # s * A, (R, S, n)
    use0 = A * x0[None, :]  # baseline daily use (S, n)
    omega = plan.initial_days * use0[None]  # (R, S, n)
    alpha = np.broadcast_to(plan.alpha_base[:, None], (R, n)).copy()
    OS = np.broadcast_to(use0, (R, S, n)).copy()  # orders placed "yesterday": the baseline
    rho = np.ones((R, n))
    open_prev = np.ones((R, E))
    released = np.zeros((R, len(plan.releases)))

    inv_p, inv_f = np.nonzero(use0 > 0)
    ctl_p, ctl_f, ctl_b = ctl.product, ctl.supplier, ctl.buyer
    ctl_is_prod = ctl_b < n
    ctl_w = W[ctl_f, ctl_b]
    max_delay = int(ctl.delay.max()) if E else 0
    L = max_delay + 2
    pipeline = np.zeros((R, L, E))  # approved claims waiting for their arrival step
    runs = np.arange(R)[:, None]

    rec = {
        "production": np.empty((T, R, n)),
        "capacity": np.empty((T, R, n)),
        "inventory_days": np.empty((T, R, inv_p.size)),
        "fd_demand": np.empty((T, R, m)),
        "fd_unmet": np.empty((T, R, m)),
        "controlled_shipments": np.empty((T, R, E)),
        "controlled_orders": np.empty((T, R, E)),
        "demand": np.empty((T, R, n)),
    }

    for t in range(T):
        # 1. exogenous schedules
        delta = capacity_loss_at(plan, t)
        y = final_demand_at(plan, t)
        for j, (start, weights, amount, rate, p) in enumerate(plan.releases):
            if t >= start:
                dose = np.minimum(rate, amount - released[:, j])
                released[:, j] += dose
                omega[:, p, :] += dose[:, None] * weights[None, :]
        if t > 0:
            alpha = overproduction_update(alpha, demand, x_a, plan.alpha_max, plan.alpha_base[:, None],
                                          plan.alpha_tau[:, None])
        x_cap = np.minimum(alpha, plan.alpha_max) * (1.0 - delta) * x0[None, :]

        # 2. demand: yesterday's orders split over suppliers, today's final demand
        regime = ctl.regime[t] if E else None
        demand = y @ W_fd.T
        dens, qs = [], []
        for blk in blocks:
            rho_s = rho[:, blk.suppliers] if alt else None
            den = rho_s @ blk.W if alt else np.ones((R, blk.buyers.size))
            dens.append(den)
        if E and alt:  # closed (banned) routes take no orders: remove them from the denominators
            closed = 1.0 - open_prev
            for bi, blk in enumerate(blocks):
                sel = np.flatnonzero(ctl_is_prod & (ctl_p == blk.product))
                if sel.size:
                    col = np.searchsorted(blk.buyers, ctl_b[sel])
                    r_f = rho[:, ctl_f[sel]] if alt else 1.0
                    np.add.at(dens[bi], (slice(None), col), -(ctl_w[sel] * r_f * closed[:, sel]))
        for bi, blk in enumerate(blocks):
            q = safe_div(OS[:, blk.product, blk.buyers], dens[bi])
            qs.append(q)
            contrib = q @ blk.W.T
            demand[:, blk.suppliers] += contrib * rho[:, blk.suppliers] if alt else contrib
        if E:
            # orders the dense step attributed to controlled entries (placed yesterday)
            r_f = rho[:, ctl_f] if alt else 1.0
            q_e = np.zeros((R, E))
            for bi, blk in enumerate(blocks):
                sel = np.flatnonzero(ctl_is_prod & (ctl_p == blk.product))
                if sel.size:
                    q_e[:, sel] = qs[bi][:, np.searchsorted(blk.buyers, ctl_b[sel])]
            fd_sel = ~ctl_is_prod
            q_e[:, fd_sel] = y[:, ctl_b[fd_sel] - n]
            dense_e = np.where(ctl_is_prod, q_e * ctl_w * r_f, q_e * ctl_w)
            order_e = dense_e * open_prev
            # licence decisions: approved share arrives after the review delay
            approval = np.take_along_axis(ctl.approval, regime.astype(np.intp), axis=1)
            delay = np.take_along_axis(ctl.delay, regime.astype(np.intp), axis=1)
            slot = (t + delay) % L
            np.add.at(pipeline, (np.broadcast_to(runs, (R, E)), slot, np.arange(E)[None, :].repeat(R, 0)),
                      approval * order_e)
            arrive = pipeline[:, t % L, :].copy()
            pipeline[:, t % L, :] = 0.0
            np.add.at(demand, (slice(None), ctl_f), arrive - dense_e)
            rec["controlled_orders"][t] = order_e

        # 3. production under capacity and inventories
        x_opt = np.minimum(demand, x_cap)
        x_a = inventory_limited_production(x_opt, omega, need_per_unit, plan.psi)
        fill = safe_div(x_a, demand)

        # 4. proportional rationing and inventory update
        received = np.zeros((R, S, n))
        for bi, blk in enumerate(blocks):
            f_s = fill[:, blk.suppliers] * rho[:, blk.suppliers] if alt else fill[:, blk.suppliers]
            received[:, blk.product, blk.buyers] += qs[bi] * (f_s @ blk.W)
        fd_received = y * (fill @ W_fd)
        if E:
            f_e = fill[:, ctl_f]
            delivered_e = arrive * f_e
            correction = delivered_e - dense_e * f_e
            pe, be = ctl_p[ctl_is_prod], ctl_b[ctl_is_prod]
            np.add.at(received, (slice(None), pe, be), correction[:, ctl_is_prod])
            np.add.at(fd_received, (slice(None), ctl_b[~ctl_is_prod] - n), correction[:, ~ctl_is_prod])
            rec["controlled_shipments"][t] = delivered_e
        omega = np.maximum(omega - A[None] * x_a[:, None, :] + received, 0.0)

        # 5. orders for tomorrow
        goal = need_per_unit * x_opt[:, None, :]
        pending = np.zeros((R, S, n))
        if E:
            waiting = pipeline.sum(axis=1)
            np.add.at(pending, (slice(None), ctl_p[ctl_is_prod], ctl_b[ctl_is_prod]), waiting[:, ctl_is_prod])
        gap = np.maximum(goal - omega - pending, 0.0)
        OS = gap / plan.tau_inv[:, None, None] + A[None] * x_a[:, None, :]
        rho = safe_div(x_cap, np.broadcast_to(x0, (R, n)))
        rho = np.where(x0[None, :] > 0, rho, 1.0)
        if E:
            regime_next = ctl.regime[min(t + 1, T - 1)].astype(np.intp)
            open_prev = np.take_along_axis(ctl.open, regime_next, axis=1)

        rec["production"][t] = x_a
        rec["demand"][t] = demand
        rec["capacity"][t] = x_cap
        rec["inventory_days"][t] = safe_div(omega[:, inv_p, inv_f], use0[inv_p, inv_f][None, :])
        rec["fd_demand"][t] = y
        rec["fd_unmet"][t] = np.maximum(y - fd_received, 0.0)
        if progress is not None:
            progress(t)
    rec["inventory_index"] = np.column_stack([inv_p, inv_f])
    return rec
