"""Run a compiled Plan day by day: the ensemble loop around the pure kernel.

Runs are processed in chunks (``max_memory`` bounds the state of one chunk plus
the records of all runs); inside a chunk the per-element work of a step, on
(product, run, buyer) arrays, is done tile by tile over products so that each
tile's rationing, stock update, orders and next-day demand are computed while it is
in cache. See :mod:`chokepoints.engine.kernel` for the step and docs/engine.md.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from .compile import Plan
from .kernel import (
    inventory_limited_production,
    inventory_need,
    overproduction_update,
    safe_div,
    stock_limited_output,
)
from .network import Network, build_network

# Dataset variable -> recorded array
VARIABLES: dict[str, str] = {
    "production": "production",
    "demand": "demand",
    "capacity": "capacity",
    "inventory_days": "inventory_days",
    "final_demand": "fd_demand",
    "final_demand_unmet": "fd_unmet",
    "shipments": "controlled_shipments",
    "orders": "controlled_orders",
}
TOTALS = ("production_total", "final_demand_unmet_total")
DEFAULT_TILE_BYTES = 1 << 20  # per-array size of one tile of (products, runs, buyers)
DEFAULT_CHUNK_ELEMENTS = 1 << 17  # runs per chunk ~ this / n (cache-sized rows)


def parse_bytes(value: int | float | str | None) -> int | None:
    """'4GiB', '500MB', '2G', 1e9 -> bytes (None stays None)."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return int(value)
    mt = re.fullmatch(r"\s*([0-9.]+)\s*([KMGT]?)(i?)B?\s*", str(value), flags=re.IGNORECASE)
    if not mt:
        raise InputError(f"max_memory: expected bytes or e.g. '4GiB', '500MB', got {value!r}")
    num, unit, binary = float(mt.group(1)), mt.group(2).upper(), mt.group(3)
    base = 1024 if binary or unit == "" else 1000
    return int(num * base ** " KMGT".index(unit or " "))


def default_max_memory() -> int:
    """Half the machine's physical memory, at most 8 GiB."""
    try:
        phys = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        phys = 8 << 30
    return int(min(phys // 2, 8 << 30))


def capacity_loss_at(plan: Plan, t: int, runs: slice = slice(None)) -> np.ndarray:
    """Delta(t) (R, n): the largest loss of any capacity_loss event (as BoARIO, max not sum).

    Loss share(t) = share for on <= t <= on + duration, then
    share * (1 - (t - on - duration) / recovery_days) (linear), clipped to [0, share].
    """
    R = len(range(plan.R)[runs])
    delta = np.zeros((R, plan.world.n))
    for mask, share, start, duration, recovery, linear in plan.capacity_loss:
        if t < start:
            continue
        sh, du, rc = share[runs], duration[runs], recovery[runs]
        elapsed = t - start - du  # (R,)
        if linear:
            frac = np.where(elapsed <= 0, 1.0, np.clip(1.0 - elapsed / np.maximum(rc, 1e-12), 0.0, 1.0))
            frac = np.where((rc <= 0) & (elapsed > 0), 0.0, frac)
        else:
            frac = np.ones(R)
        np.maximum(delta, (sh * frac)[:, None] * mask[None, :], out=delta)
    return delta


def final_demand_at(plan: Plan, t: int, runs: slice = slice(None)) -> np.ndarray:
    """y(t) (R, m) = y0 * (1 + sum of active changes), floored at 0."""
    R = len(range(plan.R)[runs])
    factor = np.ones((R, plan.world.m))
    for mask, share, start, end in plan.demand_change:
        if start <= t < end:
            factor += share[runs][:, None] * mask[None, :]
    return plan.world.y0[None, :] * np.maximum(factor, 0.0)


@dataclass
class RunOptions:
    """How to run a Plan: what to record, memory budget, precision."""

    record: tuple[str, ...]  # Dataset variables to record per day and run
    producers: np.ndarray | None  # producer subset for producer variables (None: all)
    max_memory: int
    dtype: np.dtype
    chunk_runs: int | None = None
    tile_bytes: int = DEFAULT_TILE_BYTES
    totals: bool = False


def make_options(plan: Plan, record: Iterable[str] | str | None = None, producers: Iterable[str] | None = None,
                 max_memory: int | str | None = None, dtype: np.dtype | type | str = np.float64,
                 chunk_runs: int | None = None, tile_bytes: int = DEFAULT_TILE_BYTES) -> RunOptions:
    """Validate the run options (``record`` names are Dataset variables)."""
    if record is None or record == "all":
        names: tuple[str, ...] = tuple(VARIABLES)
        totals = False
    else:
        names = (record,) if isinstance(record, str) else tuple(record)
        unknown = [r for r in names if r not in VARIABLES and r not in TOTALS]
        if unknown:
            raise InputError(f"record: unknown variable(s) {', '.join(unknown)}; expected some of "
                             + ", ".join((*VARIABLES, *TOTALS)))
        names = tuple(r for r in names if r in VARIABLES)
        totals = True
    sel = None
    if producers is not None:
        idx = {p: i for i, p in enumerate(plan.world.producers)}
        missing = [p for p in producers if p not in idx]
        if missing:
            raise InputError(f"producers: unknown producer(s) {', '.join(missing[:5])}")
        sel = np.array([idx[p] for p in producers], dtype=np.intp)
    dt = np.dtype(dtype)
    if dt not in (np.dtype(np.float64), np.dtype(np.float32)):
        raise InputError(f"dtype: expected float64 or float32, got {dt}")
    mm = parse_bytes(max_memory)
    return RunOptions(record=names, producers=sel, max_memory=mm or default_max_memory(), dtype=dt,
                      chunk_runs=chunk_runs, tile_bytes=tile_bytes, totals=totals)


@dataclass
class _Static:
    """Arrays shared by every chunk."""

    net: Network
    x0: np.ndarray
    A: np.ndarray
    use0: np.ndarray  # (S, n) baseline daily use A * x0
    inv_p: np.ndarray
    inv_f: np.ndarray
    ctl_w: np.ndarray
    up: np.ndarray  # unique (product, buyer) pairs of controlled producer routes, sorted by product
    ub: np.ndarray
    inv_pair: np.ndarray  # producer route -> pair
    e_prod: np.ndarray
    e_fd: np.ndarray


def _record_sizes(plan: Plan, opts: RunOptions, n_inv: int) -> dict[str, int]:
    n = plan.world.n if opts.producers is None else opts.producers.size
    size = {"production": n, "demand": n, "capacity": n, "inventory_days": n_inv,
            "final_demand": plan.world.m, "final_demand_unmet": plan.world.m,
            "shipments": plan.controls.E, "orders": plan.controls.E}
    return {k: size[k] for k in opts.record}


def run_plan(plan: Plan, progress: Callable[[int], None] | None = None, options: RunOptions | None = None,
             **kw) -> dict[str, np.ndarray]:
    """Simulate every run of ``plan``; return the recorded arrays (leading axes T, R).

    Keyword options as :func:`make_options` (``record``, ``producers``, ``max_memory``,
    ``dtype``, ``chunk_runs``).
    """
    opts = options or make_options(plan, **kw)
    cw, R, T = plan.world, plan.R, plan.T
    n, m, S = cw.n, cw.m, cw.S
    dt = opts.dtype
    it = dt.itemsize
    net = build_network(cw, dt)
    use0 = cw.A * cw.x0[None, :]
    inv_p, inv_f = np.nonzero(use0 > 0)
    ctl = plan.controls
    E = ctl.E
    is_prod = ctl.buyer < n
    e_prod, e_fd = np.flatnonzero(is_prod), np.flatnonzero(~is_prod)
    pair = ctl.product[e_prod] * n + ctl.buyer[e_prod]
    uniq, inv_pair = np.unique(pair, return_inverse=True)
    st = _Static(net=net, x0=cw.x0.astype(dt), A=cw.A.astype(dt), use0=use0, inv_p=inv_p, inv_f=inv_f,
                 ctl_w=np.asarray(cw.W[ctl.supplier, ctl.buyer], dtype=dt).reshape(-1) if E else np.zeros(0, dt),
                 up=(uniq // n).astype(np.intp), ub=(uniq % n).astype(np.intp), inv_pair=inv_pair.reshape(-1),
                 e_prod=e_prod, e_fd=e_fd)

    # -- memory plan: records of all runs + one chunk's state + the network ---------------------
    sizes = _record_sizes(plan, opts, inv_p.size)
    rec_bytes = T * R * it * (sum(sizes.values()) + (len(TOTALS) if opts.totals else 0))
    static_bytes = net.nbytes + plan.R * n * 8 * 2
    per_inv = 3 if plan.target_days.shape[0] > 1 else 0  # per-run s, 1/(sA), sA
    per_run = it * ((2 + per_inv) * S * n + 40 * n + 8 * m + (plan.controls.delay.max(initial=0) + 12) * E)
    budget = opts.max_memory - rec_bytes - static_bytes - 6 * opts.tile_bytes
    if budget < per_run:
        need = rec_bytes + static_bytes + per_run
        raise InputError(f"max_memory {opts.max_memory / 2**30:.2f} GiB is too small: the records need "
                         f"{rec_bytes / 2**30:.2f} GiB and one run's state {per_run / 2**20:.1f} MiB "
                         f"(at least {need / 2**30:.2f} GiB); record fewer variables (record=[...], "
                         "producers=[...]) or raise max_memory")
    auto = max(1, DEFAULT_CHUNK_ELEMENTS // max(n, 1))
    Rc = int(max(1, min(R, budget // per_run, opts.chunk_runs or auto)))

    rec: dict[str, np.ndarray] = {VARIABLES[k]: np.empty((T, R, s), dtype=dt) for k, s in sizes.items()}
    if opts.totals:
        for k in TOTALS:
            rec[k] = np.empty((T, R), dtype=dt)
    total_steps = T * R
    done = 0
    for r0 in range(0, R, Rc):
        rs = slice(r0, min(R, r0 + Rc))
        cb = None
        if progress is not None:
            def cb(t: int, _r0: int = r0, _k: int = rs.stop - r0) -> None:
                progress(max(0, min(T - 1, int(((_r0 * T) + (t + 1) * _k) * T / total_steps) - 1)))
        _run_chunk(plan, st, opts, rs, rec, cb)
        done += (rs.stop - r0) * T
    rec["inventory_index"] = np.column_stack([inv_p, inv_f])
    if opts.producers is not None:
        rec["producer_index"] = opts.producers
    return rec


def _run_chunk(plan: Plan, st: _Static, opts: RunOptions, rs: slice, rec: dict[str, np.ndarray],
               progress: Callable[[int], None] | None) -> None:
    """All T steps for the runs ``rs`` (see the kernel docstring for the step)."""
    cw, T = plan.world, plan.T
    net = st.net
    n, m, S, K = cw.n, cw.m, cw.S, net.K
    dt = opts.dtype
    Rc = rs.stop - rs.start
    alt = plan.order_type == "alt"
    ctl = plan.controls
    E = ctl.E
    x0 = st.x0
    A3 = st.A[:, None, :]  # (S, 1, n)
    psel = opts.producers

    # per-run parameters
    psi = plan.psi[rs].astype(dt)[:, None]
    inv_tau = (1.0 / plan.tau_inv[rs]).astype(dt)[None, :, None]
    amax = plan.alpha_max[rs].astype(dt)
    abase = plan.alpha_base[rs].astype(dt)[:, None]
    atau = plan.alpha_tau[rs].astype(dt)[:, None]
    tgt = plan.target_days[rs] if plan.target_days.shape[0] > 1 else plan.target_days
    ini = plan.initial_days[rs] if plan.initial_days.shape[0] > 1 else plan.initial_days
    tgt3 = np.ascontiguousarray(tgt.transpose(1, 0, 2))  # (S, Rc|1, n)
    with np.errstate(invalid="ignore"):
        sA3 = np.where(np.isfinite(tgt3), tgt3 * cw.A[:, None, :], 0.0).astype(dt)  # goal per unit output
    binding = None if plan.binding is None else plan.binding[:, None, :]
    inv_need3 = inventory_need(cw.A[:, None, :], tgt3, binding).astype(dt)
    ini3 = ini.transpose(1, 0, 2)
    use0 = st.use0[:, None, :]
    with np.errstate(invalid="ignore"):
        omega0 = np.where(use0 > 0, ini3 * use0, 0.0)
    omega = np.empty((S, Rc, n), dtype=dt)
    omega[...] = omega0
    q = np.empty((S, Rc, n), dtype=dt)  # orders per (product, buyer) / den
    q[...] = (safe_div(use0, net.den0[:, None, :]) if alt else use0)

    # tile plan: products per tile so that a tile's working set (its share blocks, state and
    # buffers, about n * (K + 7 Rc) values per product) is about tile_bytes
    P = int(max(1, min(S, opts.tile_bytes // max(1, n * (K + 7 * Rc) * dt.itemsize))))
    tiles = [(ps, min(S, ps + P)) for ps in range(0, S, P)]
    up, ub = st.up, st.ub
    tile_pairs = [(int(np.searchsorted(up, a)), int(np.searchsorted(up, b))) for a, b in tiles]
    rows = 2 * Rc if alt else Rc
    Gbuf = np.empty((P, rows, n), dtype=dt)
    T1 = np.empty((P, Rc, n), dtype=dt)
    T2 = np.empty((P, Rc, n), dtype=dt)
    Hbuf = np.empty((P, Rc, K), dtype=dt)
    mask = np.empty((P, Rc, n), dtype=bool)
    Dn = np.zeros((Rc, n + 1), dtype=dt)  # intermediate demand for the next step (+ padding column)
    vsup = np.empty((S, rows, K), dtype=dt)

    # initial demand from the baseline orders
    for ps, pe in tiles:
        np.matmul(q[ps:pe], net.W3[ps:pe].transpose(0, 2, 1), out=Hbuf[: pe - ps])
        Dn[:, net.sup[ps:pe]] = Hbuf[: pe - ps].transpose(1, 0, 2)
    m_lim = stock_limited_output(omega, inv_need3)
    alpha = np.broadcast_to(abase, (Rc, n)).astype(dt)
    rho_prev = np.ones((Rc, n), dtype=dt)
    x_prev = np.broadcast_to(x0, (Rc, n)).astype(dt)
    released = np.zeros((Rc, len(plan.releases)))

    if E:
        L = int(ctl.delay.max()) + 2
        pipeline = np.zeros((Rc, L, E), dtype=dt)
        open_cur = np.ones((Rc, E), dtype=dt)
        approval_c, delay_c, open_c = ctl.approval[rs], ctl.delay[rs], ctl.open[rs].astype(dt)
        run_idx = np.broadcast_to(np.arange(Rc)[:, None], (Rc, E))
        e_idx = np.broadcast_to(np.arange(E)[None, :], (Rc, E))
        ctl_f, ctl_b = ctl.supplier, ctl.buyer
        e_prod, e_fd = st.e_prod, st.e_fd
        U = up.size
    rec_inv = "inventory_days" in rec
    inv_den = st.use0[st.inv_p, st.inv_f][None, :]

    with np.errstate(invalid="ignore", divide="ignore"):
        for t in range(T):
            # 1. exogenous schedules
            delta = capacity_loss_at(plan, t, rs).astype(dt)
            y = final_demand_at(plan, t, rs).astype(dt)
            for j, (start, weights, amount, rate, p) in enumerate(plan.releases):
                if t >= start:
                    dose = np.minimum(rate[rs], amount[rs] - released[:, j])
                    released[:, j] += dose
                    cols = np.flatnonzero(weights)
                    omega[p][:, cols] += (dose[:, None] * weights[None, cols]).astype(dt)
                    m_lim[:, cols] = stock_limited_output(omega[:, :, cols], inv_need3[:, :, cols])

            # 2. demand: yesterday's orders (already split) + today's final demand
            D = Dn[:, :n] + np.asarray(net.fd @ y.T).T
            if E:
                reg = ctl.regime[t][rs].astype(np.intp)
                qe = np.zeros((Rc, E), dtype=dt)
                if e_prod.size:
                    qe[:, e_prod] = q[up, :, ub][st.inv_pair].T
                qe[:, e_fd] = y[:, ctl_b[e_fd] - n]
                r_f = rho_prev[:, ctl_f] if alt else 1.0
                dense_e = np.where(ctl_b < n, qe * st.ctl_w * r_f, qe * st.ctl_w)
                order_e = dense_e * open_cur
                approval = np.take_along_axis(approval_c, reg, axis=1)
                delay = np.take_along_axis(delay_c, reg, axis=1)
                np.add.at(pipeline, (run_idx, (t + delay) % L, e_idx), approval * order_e)
                arrive = pipeline[:, t % L, :].copy()
                pipeline[:, t % L, :] = 0.0
                np.add.at(D, (slice(None), ctl_f), arrive - dense_e)
                if "controlled_orders" in rec:
                    rec["controlled_orders"][t, rs] = order_e

            # 3-5. overproduction, capacity, optimal and actual production
            if t >= 1:
                alpha = overproduction_update(alpha, D, x_prev, amax, abase, atau)
            x_cap = np.minimum(alpha, amax) * (1.0 - delta) * x0
            x_opt = np.minimum(D, x_cap)
            x_a = inventory_limited_production(x_opt, m_lim, psi)
            fill = safe_div(x_a, D)
            rho_new = np.where(x0 > 0, x_cap / np.where(x0 > 0, x0, 1.0), 1.0).astype(dt) if alt else None
            fd_received = y * np.asarray(net.fdT @ fill.T).T

            if E:
                f_e = fill[:, ctl_f]
                delivered_e = arrive * f_e
                correction = delivered_e - dense_e * f_e
                corr_u = np.zeros((U, Rc), dtype=dt)
                np.add.at(corr_u, st.inv_pair, correction[:, e_prod].T)
                np.add.at(fd_received, (slice(None), ctl_b[e_fd] - n), correction[:, e_fd])
                waiting = pipeline.sum(axis=1)
                pend_u = np.zeros((U, Rc), dtype=dt)
                np.add.at(pend_u, st.inv_pair, waiting[:, e_prod].T)
                reg_next = ctl.regime[min(t + 1, T - 1)][rs].astype(np.intp)
                open_next = np.take_along_axis(open_c, reg_next, axis=1)
                adj_u = np.zeros((U, Rc), dtype=dt)
                if alt:
                    np.add.at(adj_u, st.inv_pair, (st.ctl_w[e_prod] * rho_new[:, ctl_f[e_prod]]
                                                   * (1.0 - open_next[:, e_prod])).T)
                open_cur = open_next
                if "controlled_shipments" in rec:
                    rec["controlled_shipments"][t, rs] = delivered_e

            # 6-7. rationing, stocks, orders and tomorrow's demand, tile by tile over products
            if alt:
                net.gather(np.concatenate([fill * rho_prev, rho_new]), out=vsup)
            else:
                net.gather(fill, out=vsup)
            m_lim.fill(np.inf)
            Dn.fill(0.0)
            for (ps, pe), (lo, hi) in zip(tiles, tile_pairs, strict=True):
                k = pe - ps
                G = Gbuf[:k]
                np.matmul(vsup[ps:pe], net.W3[ps:pe], out=G)
                recv = G[:, :Rc]
                om, qq = omega[ps:pe], q[ps:pe]
                np.multiply(qq, recv, out=recv)  # received R[p, b] = q * sum_k W rho_k fill_k
                fix = E and hi > lo
                if fix:
                    pl, bl = up[lo:hi] - ps, ub[lo:hi]
                    recv[pl, :, bl] += corr_u[lo:hi]
                om += recv
                use = T1[:k]
                np.multiply(A3[ps:pe], x_a[None], out=use)  # inputs used A x_a
                om -= use
                np.maximum(om, 0.0, out=om)
                g = T2[:k]
                np.multiply(sA3[ps:pe], x_opt[None], out=g)  # goal s A x_opt
                g -= om
                if fix:
                    g[pl, :, bl] -= pend_u[lo:hi]
                np.maximum(g, 0.0, out=g)
                g *= inv_tau
                g += use  # OS = gap / tau_inv + A x_a
                if alt:
                    den = G[:, Rc:]
                    if fix:
                        den[pl, :, bl] -= adj_u[lo:hi]
                    msk = mask[:k]
                    np.greater(den, 0.0, out=msk)
                    np.divide(g, den, out=qq, where=msk)
                else:
                    qq[...] = g
                np.multiply(om, inv_need3[ps:pe], out=use)
                np.fmin(m_lim, np.fmin.reduce(use, axis=0), out=m_lim)
                H = Hbuf[:k]
                np.matmul(qq, net.W3[ps:pe].transpose(0, 2, 1), out=H)
                Dn[:, net.sup[ps:pe]] = H.transpose(1, 0, 2)
            if alt:
                Dn[:, :n] *= rho_new
                rho_prev = rho_new
            x_prev = x_a

            # records
            if "production" in rec:
                rec["production"][t, rs] = x_a if psel is None else x_a[:, psel]
            if "demand" in rec:
                rec["demand"][t, rs] = D if psel is None else D[:, psel]
            if "capacity" in rec:
                rec["capacity"][t, rs] = x_cap if psel is None else x_cap[:, psel]
            if rec_inv:
                rec["inventory_days"][t, rs] = omega[st.inv_p, :, st.inv_f].T / inv_den
            if "fd_demand" in rec:
                rec["fd_demand"][t, rs] = y
            if "fd_unmet" in rec or "final_demand_unmet_total" in rec:
                unmet = np.maximum(y - fd_received, 0.0)
                if "fd_unmet" in rec:
                    rec["fd_unmet"][t, rs] = unmet
                if "final_demand_unmet_total" in rec:
                    rec["final_demand_unmet_total"][t, rs] = unmet.sum(axis=1)
            if "production_total" in rec:
                rec["production_total"][t, rs] = x_a.sum(axis=1)
            if progress is not None:
                progress(t)
