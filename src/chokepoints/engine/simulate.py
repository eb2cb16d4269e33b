"""Run a compiled Plan day by day: the ensemble loop around the pure kernel.

Runs are processed in chunks (``max_memory`` bounds the state of one chunk plus
the records of all runs); inside a chunk the per-element work of a step, on
(product, run, buyer) arrays, is done tile by tile over products so that each
tile's rationing, stock update, orders and next-day demand are computed while it is
in cache. See :mod:`chokepoints.engine.kernel` for the step and docs/engine.md.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

import numpy as np

from ..errors import InputError
from .corrections import RaisedTargets, orders_net_of_pending, priority_rationing
from .kernel import add_at_columns, inventory_limited_production, overproduction_update, safe_div
from .network import build_network
from .pipeline import ReviewPipeline
from .plan import Plan
from .schedules import apply_share_rewrite, capacity_added_at, capacity_loss_at, final_demand_at
from .sizes import default_max_memory, parse_bytes, size_text
from .static import StaticArrays, priority_entries
from .tile import TileBuffers, resolve_backend, update_tile

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
DEFAULT_CHUNK_BYTES = 1 << 20  # runs per chunk ~ this / (n * itemsize): 65 float64 or 131 float32 runs at n = 2,000


@dataclass
class RunOptions:
    """How to run a Plan: what to record, memory budget, precision, threads."""

    record: tuple[str, ...]  # Dataset variables to record per day and run
    producers: np.ndarray | None  # producer subset for producer variables (None: all)
    max_memory: int
    dtype: np.dtype
    chunk_runs: int | None = None
    tile_bytes: int = DEFAULT_TILE_BYTES
    totals: tuple[str, ...] = ()  # (run, day) totals to record
    threads: int | None = None
    backend: str = "auto"  # element-wise update of a tile: "numpy", "numba" or "auto" (see engine/tile.py)


def make_options(
    plan: Plan,
    record: Iterable[str] | str | None = None,
    producers: Iterable[str] | None = None,
    max_memory: int | str | None = None,
    dtype: np.dtype | type | str = np.float64,
    chunk_runs: int | None = None,
    tile_bytes: int = DEFAULT_TILE_BYTES,
    threads: int | None = None,
    backend: str | None = "auto",
) -> RunOptions:
    """Validate the run options (``record`` names are Dataset variables)."""
    totals: tuple[str, ...] = ()
    if record is None or record == "all":
        names: tuple[str, ...] = tuple(VARIABLES)
    else:
        names = (record,) if isinstance(record, str) else tuple(record)
        unknown = [r for r in names if r not in VARIABLES and r not in TOTALS]
        if unknown:
            raise InputError(
                f"record: unknown variable(s) {', '.join(unknown)}; expected some of "
                + ", ".join((*VARIABLES, *TOTALS))
            )
        # totals named: exactly those; only variables named: both totals come with them
        totals = tuple(r for r in TOTALS if r in names) or TOTALS
        names = tuple(r for r in names if r in VARIABLES)
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
    if chunk_runs is not None and chunk_runs < 1:
        raise InputError(f"chunk_runs: expected a positive number of runs, got {chunk_runs}")
    mm = parse_bytes(max_memory)
    return RunOptions(
        record=names,
        producers=sel,
        max_memory=mm or default_max_memory(),
        dtype=dt,
        chunk_runs=chunk_runs,
        tile_bytes=tile_bytes,
        totals=totals,
        threads=threads,
        backend=resolve_backend(backend),
    )


def _record_sizes(plan: Plan, opts: RunOptions, n_inv: int) -> dict[str, int]:
    n = plan.world.n if opts.producers is None else opts.producers.size
    size = {
        "production": n,
        "demand": n,
        "capacity": n,
        "inventory_days": n_inv,
        "final_demand": plan.world.m,
        "final_demand_unmet": plan.world.m,
        "shipments": plan.controls.E,
        "orders": plan.controls.E,
    }
    return {k: size[k] for k in opts.record}


def _blas_limits(threads: int):
    """A context that limits BLAS to one thread while ``threads`` workers run (threadpoolctl)."""
    import contextlib

    if threads <= 1:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def _auto_threads(requested: int | None, n_chunks: int) -> int:
    if requested is not None:
        want = int(requested)
    else:
        want = os.cpu_count() or 1
    want = max(1, min(want, n_chunks))
    if want > 1:
        try:
            import threadpoolctl  # noqa: F401
        except ImportError:  # without it BLAS threads would oversubscribe the cores
            return 1
    return want


def run_plan(
    plan: Plan, progress: Callable[[int], None] | None = None, options: RunOptions | None = None, **kw
) -> dict[str, np.ndarray]:
    """Simulate every run of ``plan``; return the recorded arrays (leading axes T, R).

    Keyword options as :func:`make_options` (``record``, ``producers``, ``max_memory``,
    ``dtype``, ``chunk_runs``, ``threads``).
    """
    opts = options or make_options(plan, **kw)
    cw, R, T = plan.world, plan.R, plan.T
    n, m, S = cw.n, cw.m, cw.S
    dt = opts.dtype
    it = dt.itemsize
    net = build_network(cw, dt)
    A = cw.A
    inp = A > 0
    tgt = plan.target_days  # (1|R, S, n)
    fin = inp[None] & np.isfinite(tgt) & (tgt > 0)
    s_eff = np.where(fin, tgt, 1.0)
    with np.errstate(divide="ignore"):
        inv_s = np.where(inp[None], 1.0 / s_eff, 0.0)
    sA = s_eff * A[None]
    binding = inp if plan.binding is None else (plan.binding & inp)
    nb = fin & ~binding[None]
    off = np.where(nb[0], np.inf, 0.0) if nb.any() else None
    s_vals = np.unique(s_eff[np.broadcast_to(inp[None], s_eff.shape)])
    s_uniform = float(s_vals[0]) if (s_vals.size == 1 and tgt.shape[0] == 1 and fin.sum() == inp.sum()) else None
    use0 = A * cw.x0[None, :]
    inv_p, inv_f = np.nonzero(use0 > 0)
    ctl = plan.controls
    E = ctl.E
    is_prod = ctl.buyer < n
    e_prod, e_fd = np.flatnonzero(is_prod), np.flatnonzero(~is_prod)
    pair = ctl.product[e_prod] * n + ctl.buyer[e_prod]
    pr, uniq, inv_pair = priority_entries(plan, pair, dt)
    st = StaticArrays(
        net=net,
        dt=dt,
        x0=cw.x0.astype(dt),
        s_eff=s_eff,
        inv_s=inv_s,
        sA=sA,
        finite_input=fin,
        off=off,
        s_uniform=s_uniform,
        inv_p=inv_p,
        inv_f=inv_f,
        ctl_w=np.asarray(cw.W[ctl.supplier, ctl.buyer], dtype=dt).reshape(-1) if E else np.zeros(0, dt),
        up=(uniq // n).astype(np.intp),
        ub=(uniq % n).astype(np.intp),
        inv_pair=inv_pair.reshape(-1),
        e_prod=e_prod,
        e_fd=e_fd,
        **pr,
    )

    # -- memory plan: records of all runs + the state of the chunks in flight + the network -----------
    sizes = _record_sizes(plan, opts, inv_p.size)
    rec_bytes = T * R * it * (sum(sizes.values()) + len(opts.totals))
    static_bytes = 2 * net.nbytes + plan.R * n * 8 * 2 + 6 * S * n * 8
    per_inv = 4 if tgt.shape[0] > 1 else 0  # per-run s, 1/s, sA, finite
    per_run = it * ((2 + per_inv) * S * n + 40 * n + 8 * m + (int(ctl.delay.max(initial=0)) + 12) * E)
    buffers = min(8 * opts.tile_bytes, 8 * S * n * it * R)  # tile buffers (at most P = S products)
    budget = opts.max_memory - rec_bytes - static_bytes - buffers
    if budget < per_run:
        need = rec_bytes + static_bytes + buffers + per_run
        raise InputError(
            f"max_memory {size_text(opts.max_memory)} is too small: the records need {size_text(rec_bytes)} "
            f"and one run's state {size_text(per_run)} (at least {size_text(need)} in all); record fewer "
            "variables (--record / record=[...], producers=[...]) or raise --max-memory / max_memory"
        )
    auto = max(1, DEFAULT_CHUNK_BYTES // max(n * it, 1))
    Rc = int(max(1, min(R, opts.chunk_runs or auto, budget // per_run)))
    threads = _auto_threads(opts.threads, -(-R // Rc))
    if threads > 1:  # several chunks in flight: each gets its share of the budget
        Rc = int(max(1, min(Rc, budget // (per_run * threads), -(-R // threads))))
    opts = replace(opts, backend=resolve_backend(opts.backend, S * Rc * n))

    rec: dict[str, np.ndarray] = {VARIABLES[k]: np.empty((T, R, s), dtype=dt) for k, s in sizes.items()}
    for k in opts.totals:
        rec[k] = np.empty((T, R), dtype=dt)
    chunks = [slice(r0, min(R, r0 + Rc)) for r0 in range(0, R, Rc)]
    done = [0]
    last = [-1]
    import threading

    lock = threading.Lock()

    def report(k: int) -> None:  # k more run-steps done
        if progress is None:
            return
        with lock:
            done[0] += k
            day = min(T - 1, done[0] // R - 1)
            if day > last[0]:
                last[0] = day
                progress(day)

    if threads == 1:
        for rs in chunks:
            _run_chunk(plan, st, opts, rs, rec, report)
    else:
        from concurrent.futures import ThreadPoolExecutor

        with _blas_limits(threads), ThreadPoolExecutor(max_workers=threads) as pool:
            for f in [pool.submit(_run_chunk, plan, st, opts, rs, rec, report) for rs in chunks]:
                f.result()
    rec["inventory_index"] = np.column_stack([inv_p, inv_f])
    rec["chunk_runs"] = np.array(Rc)
    rec["threads"] = np.array(threads)
    rec["backend"] = np.array(opts.backend)
    if opts.producers is not None:
        rec["producer_index"] = opts.producers
    return rec


def _per_run(a: np.ndarray, rs: slice) -> np.ndarray:
    """(1|R, S, n) -> (S, 1|Rc, n) for the runs ``rs``."""
    sel = a[rs] if a.shape[0] > 1 else a
    return np.ascontiguousarray(sel.transpose(1, 0, 2))


# long: the engine's daily step loop (hot path): ~40 state arrays shared by every stage of a step
def _run_chunk(
    plan: Plan, st: StaticArrays, opts: RunOptions, rs: slice, rec: dict[str, np.ndarray], report: Callable[[int], None]
) -> None:
    """All T steps for the runs ``rs`` (see the kernel docstring for the step).

    In "days of target" units d = omega / (s A) and q_hat = OS / (s A den), per
    (product p, run, buyer b), one step's rationing, stocks and orders are
      d'     = max(d + q_hat * G_recv - x_a / s, 0)          G_recv = sum_k W rho_k fill_k
      q_hat' = (max(x_opt - d', 0) + tau x_a / s) / G_den    G_den  = tau sum_k W rho'_k
    and tomorrow's demand is rho' * sum_b (W s A) q_hat'. "noalt": rho = 1 and
    q_hat' = max(x_opt - d', 0) / tau + x_a / s (no denominator, as BoARIO).
    """
    cw, T = plan.world, plan.T
    net = st.net
    n, S, K = cw.n, cw.S, net.K
    dt = opts.dtype
    Rc = rs.stop - rs.start
    alt = plan.order_type == "alt"
    ctl = plan.controls
    E = ctl.E
    x0 = st.x0
    psel = opts.producers
    backend = opts.backend
    W3 = net.W3 if not plan.switches else net.W3.copy()  # substitutions rewrite shares: a chunk's own copy
    W3r = W3[:, :K]  # real slots
    kv = K + 1 if net.W3[:, K].any() else K  # the virtual slot only where some buyer buys nothing of a product
    ctl_w = st.ctl_w.copy() if plan.switches else st.ctl_w

    # per-run parameters
    psi = plan.psi[rs].astype(dt)[:, None]
    tau = plan.tau_inv[rs].astype(dt)  # (Rc,)
    amax = plan.alpha_max[rs].astype(dt)
    abase = plan.alpha_base[rs].astype(dt)[:, None]
    atau = plan.alpha_tau[rs].astype(dt)[:, None]
    inv_s3 = _per_run(st.inv_s, rs).astype(dt)  # (S, 1|Rc, n)
    sA3 = _per_run(st.sA, rs).astype(dt)
    s3 = _per_run(st.s_eff, rs)
    fin3 = _per_run(st.finite_input, rs)
    ini3 = _per_run(plan.initial_days, rs)
    x0f = cw.x0[None, None, :]
    s_u = st.s_uniform

    # state: d = omega / (s A) (inf on non-inputs and infinite inventories), q_hat
    d = np.empty((S, Rc, n), dtype=dt)
    d[...] = np.where(fin3, ini3 * x0f / s3, np.inf)
    qh = np.empty((S, Rc, n), dtype=dt)
    inp3 = inv_s3 > 0
    den0 = net.den0[:, None, :]
    qh[...] = np.where(inp3, safe_div(x0f * inv_s3, den0) if alt else x0f * inv_s3, 0.0)
    use_wh = Rc >= 8 and st.sA.shape[0] == 1  # fold s A into the demand weights
    WH = (W3r * st.sA[0][:, None, :]).astype(dt) if use_wh else None

    # tile plan: products per tile so that a tile's working set (its share blocks, state and
    # buffers, about n * (K + 7 Rc) values per product) is about tile_bytes
    P = int(max(1, min(S, opts.tile_bytes // max(1, n * (K + 7 * Rc) * dt.itemsize))))
    tiles = [(ps, min(S, ps + P)) for ps in range(0, S, P)]
    up, ub = st.up, st.ub
    tile_pairs = [(int(np.searchsorted(up, a)), int(np.searchsorted(up, b))) for a, b in tiles]
    # per tile: the offsets of inputs that cannot bind (None where every input can)
    off_t = [st.off[a:b].astype(dt) if st.off is not None and np.isinf(st.off[a:b]).any() else None for a, b in tiles]
    rows = 2 * Rc if alt else Rc
    Gbuf = np.empty((P, rows, n), dtype=dt)
    tbuf = TileBuffers(P, Rc, n, dt)
    Hbuf = np.empty((P, Rc, K), dtype=dt)
    Dn = np.zeros((Rc, n + 1), dtype=dt)  # intermediate demand for the next step (+ padding column)
    vsup = np.zeros((S, rows, K + 1), dtype=dt)  # per product: its suppliers' values, slot by slot
    if alt:
        vsup[:, Rc:, K] = 1.0  # the virtual supplier of pairs that buy no p: denominators never 0

    def demand_of(ps: int, pe: int, qq: np.ndarray) -> None:
        """Dn[:, suppliers of products ps:pe] = sum_b W s A q_hat (before rho)."""
        H = Hbuf[: pe - ps]
        if WH is not None:  # use_wh
            np.matmul(qq, WH[ps:pe].transpose(0, 2, 1), out=H)
        else:
            tmp = tbuf.T2[: pe - ps]
            np.multiply(qq, sA3[ps:pe], out=tmp)
            np.matmul(tmp, W3r[ps:pe].transpose(0, 2, 1), out=H)
        Dn[:, net.sup[ps:pe]] = H.transpose(1, 0, 2)

    m_lim = np.full((Rc, n), np.inf, dtype=dt)  # m_f = min over binding p of d (output the stocks allow)
    for (ps, pe), off in zip(tiles, off_t, strict=True):
        demand_of(ps, pe, qh[ps:pe])
        dd = d[ps:pe] if off is None else d[ps:pe] + off[:, None, :]
        np.minimum(m_lim, np.minimum.reduce(dd, axis=0), out=m_lim)
    alpha = np.broadcast_to(abase, (Rc, n)).astype(dt)
    rho_prev = np.ones((Rc, n), dtype=dt)
    x_prev = np.broadcast_to(x0, (Rc, n)).astype(dt)
    released = np.zeros((Rc, len(plan.releases)))

    if E:
        spread_c = ctl.spread[rs] if ctl.spread is not None and (ctl.spread > 1).any() else None
        pipeline = ReviewPipeline(Rc, E, int(ctl.delay.max()), spread_c is not None, dt)
        open_cur = np.ones((Rc, E), dtype=dt)
        approval_c, delay_c, open_c = ctl.approval[rs], ctl.delay[rs], ctl.open[rs].astype(dt)
        quota_c = ctl.quota[rs] if ctl.quota is not None else np.full((Rc, 1), np.nan)
        # a quota regime in some run (in a stacked plan the other scenarios never use its column)
        quota_regimes = [k for k in range(quota_c.shape[1]) if np.isfinite(quota_c[:, k]).any()]
        quota_left = np.where(np.isfinite(quota_c), quota_c, 0.0)
        ctl_f, ctl_b = ctl.supplier, ctl.buyer
        e_prod, e_fd = st.e_prod, st.e_fd
    U = up.size  # (product, buyer) pairs whose deliveries are corrected (controls, priority)
    sA_pair = sA3[up, :, ub]  # (U, 1|Rc); empty when no pair is corrected
    rec_inv = "inventory_days" in rec
    need_fd = "fd_unmet" in rec or "final_demand_unmet_total" in rec
    targets = RaisedTargets(plan.stock_targets, up, ub, inp3, rs, dt) if plan.stock_targets else None
    if rec_inv:
        inv_scale = (s3[st.inv_p, :, st.inv_f] / cw.x0[st.inv_f][:, None]).T.astype(dt)  # (1|Rc, n_inv)

    with np.errstate(invalid="ignore", divide="ignore"):
        for t in range(T):
            for sw in plan.switches:  # substitution and tariffs: shares of supply links change today
                if sw.day == t:
                    apply_share_rewrite(W3, net.sup, sw)
                    if use_wh:
                        WH = (W3[:, :K] * st.sA[0][:, None, :]).astype(dt)
                    if E:
                        prod_e = np.flatnonzero(ctl.buyer < n)
                        slots = np.array(
                            [
                                int(np.flatnonzero(net.sup[p] == f)[0])
                                for p, f in zip(ctl.product[prod_e], ctl.supplier[prod_e], strict=True)
                            ],
                            dtype=np.intp,
                        )
                        ctl_w[prod_e] = W3[ctl.product[prod_e], slots, ctl.buyer[prod_e]]
            # 1. exogenous schedules
            delta = capacity_loss_at(plan, t, rs).astype(dt)
            if plan.demand_change or t == 0:  # final demand is constant without demand events
                y = final_demand_at(plan, t, rs).astype(dt)
                fd_claims = np.asarray(net.fd @ y.T).T
            for j, rel in enumerate(plan.releases):
                rate = rel.rate_at(t)[rs]
                if rate.any():
                    p, weights = rel.p, rel.weights
                    cols = np.flatnonzero(weights)
                    if rel.on_shortfall:  # only runs where some holder is below its target
                        rate = np.where((d[p][:, cols] < x0[cols]).any(axis=1), rate, 0.0)
                    dose = np.minimum(rate, rel.amount[rs] - released[:, j])
                    released[:, j] += dose
                    d[p][:, cols] += (dose[:, None] * weights[None, cols] / sA3[p][:, cols]).astype(dt)
                    dc = d[:, :, cols] if st.off is None else d[:, :, cols] + st.off[:, None, cols]
                    m_lim[:, cols] = np.minimum.reduce(dc, axis=0)

            # 2. demand: yesterday's orders (already split) + today's final demand
            D = Dn[:, :n] + fd_claims
            if E:
                reg = ctl.regime[t][rs].astype(np.intp)
                qe = np.zeros((Rc, E), dtype=dt)
                if e_prod.size:
                    qe[:, e_prod] = (qh[up, :, ub] * sA_pair)[st.inv_pair].T
                qe[:, e_fd] = y[:, ctl_b[e_fd] - n]
                r_f = rho_prev[:, ctl_f] if alt else 1.0
                dense_e = np.where(ctl_b < n, qe * ctl_w * r_f, qe * ctl_w)
                order_e = dense_e * open_cur
                approval = np.take_along_axis(approval_c, reg, axis=1)
                delay = np.take_along_axis(delay_c, reg, axis=1)
                for k in quota_regimes:  # approve in proportion until the period's quota is used
                    sel = reg == k
                    if not sel.any():
                        continue
                    assert ctl.quota_start is not None and ctl.period is not None  # set with ctl.quota
                    if (t - int(ctl.quota_start[k])) % int(ctl.period[k]) == 0:
                        quota_left[:, k] = quota_c[:, k]
                    asked = np.where(sel, approval * order_e, 0.0).sum(axis=1)
                    scale = np.minimum(1.0, safe_div(quota_left[:, k], asked))
                    scale = np.where(asked > 0, scale, 1.0)
                    approval = np.where(sel, approval * scale[:, None], approval)
                    quota_left[:, k] -= np.minimum(asked, quota_left[:, k])
                spread = None if spread_c is None else np.take_along_axis(spread_c, reg, axis=1)
                pipeline.add(t, approval * order_e, delay, spread)
                arrive = pipeline.take(t)
                add_at_columns(D, ctl_f, arrive - dense_e)
                if "controlled_orders" in rec:
                    rec["controlled_orders"][t, rs] = order_e

            # 3-5. overproduction, capacity, optimal and actual production
            if t >= 1:
                alpha = overproduction_update(alpha, D, x_prev, amax, abase, atau)
            x_cap = np.minimum(alpha, amax) * (1.0 - delta) * x0
            added = capacity_added_at(plan.capacity_add, t, n, rs)
            if added is not None:  # new plants (or closures), hit by the same capacity losses
                x_cap = np.maximum(x_cap + (added * (1.0 - delta)).astype(dt), 0.0)
            x_opt = np.minimum(D, x_cap)
            x_a = inventory_limited_production(x_opt, m_lim, psi)
            fill = safe_div(x_a, D)
            if need_fd:  # what final demand received (only for the unmet records)
                fd_received = y * np.asarray(net.fdT @ fill.T).T
            else:
                fd_received = np.zeros_like(y)  # corrections below still add into it
            if alt:
                rho_new = np.where(x0 > 0, x_cap / np.where(x0 > 0, x0, 1.0), 1.0).astype(dt)
                net.gather(fill * rho_prev, out=vsup[:, :Rc, :K])
                net.gather(rho_new * tau[:, None], out=vsup[:, Rc:, :K])
                masked = bool(E) or bool((rho_new <= 0).any())
            else:
                net.gather(fill, out=vsup[:, :, :K])
                masked = False

            corr_u = np.zeros((U, Rc), dtype=dt)  # deliveries to correct, in received units for now
            pend_u = np.zeros((U, Rc), dtype=dt)  # (U may be 0: controls on final-demand routes only)
            adj_u = np.zeros((U, Rc), dtype=dt)
            if E:
                f_e = fill[:, ctl_f]
                delivered_e = arrive * f_e
                correction = delivered_e - dense_e * f_e
                np.add.at(corr_u, st.inv_pair, correction[:, e_prod].T)
                add_at_columns(fd_received, ctl_b[e_fd] - n, correction[:, e_fd])
                waiting = pipeline.waiting()
                np.add.at(pend_u, st.inv_pair, waiting[:, e_prod].T)
                pend_u /= sA_pair
                reg_next = ctl.regime[min(t + 1, T - 1)][rs].astype(np.intp)
                open_next = np.take_along_axis(open_c, reg_next, axis=1)
                if alt:
                    np.add.at(
                        adj_u, st.inv_pair, (ctl_w[e_prod] * rho_new[:, ctl_f[e_prod]] * (1.0 - open_next[:, e_prod])).T
                    )
                    adj_u *= tau[None, :]
                open_cur = open_next
                if "controlled_shipments" in rec:
                    rec["controlled_shipments"][t, rs] = delivered_e
            if st.pr_sup is not None:
                priority_rationing(
                    plan,
                    st,
                    t,
                    rs,
                    qh,
                    sA3,
                    rho_prev if alt else None,
                    y,
                    x_a,
                    fill,
                    arrive if E else None,
                    corr_u,
                    fd_received,
                )
            if U:
                corr_u /= sA_pair

            # 6-7. rationing, stocks, orders and tomorrow's demand, tile by tile over products
            if s_u is not None and backend == "numpy":
                c2 = x_a * dt.type(1.0 / s_u)  # inputs used / (s A) = x_a / s
                tc2 = c2 * tau[:, None]
                uniform_c = (c2, tc2, x_opt + tc2)
            else:
                uniform_c = None
            m_lim.fill(np.inf)
            Dn.fill(0.0)
            for i, ((ps, pe), (lo, hi)) in enumerate(zip(tiles, tile_pairs, strict=True)):
                k = pe - ps
                G = Gbuf[:k]
                np.matmul(vsup[ps:pe, :, :kv], W3[ps:pe, :kv], out=G)
                dd, qq = d[ps:pe], qh[ps:pe]
                fix = U > 0 and hi > lo
                if fix:  # controlled pairs: corrected deliveries, and denominators without closed routes
                    pl, bl = up[lo:hi] - ps, ub[lo:hi]
                    dd[pl, :, bl] += corr_u[lo:hi]
                    if alt:
                        G[pl, Rc:, bl] -= adj_u[lo:hi]
                update_tile(
                    backend, G, dd, qq, x_a, x_opt, inv_s3[ps:pe], tau, off_t[i], m_lim, alt, masked, uniform_c, tbuf
                )
                if fix:  # orders of those pairs also net out what is waiting for a licence
                    orders_net_of_pending(
                        qq, dd, G, pl, bl, pend_u[lo:hi], x_a, x_opt, inv_s3[ps:pe], tau, Rc, alt, masked
                    )
                if targets is not None:  # holders ordering towards a raised (or lowered) stock target
                    targets.apply(t, ps, pe, qq, dd, G, pend_u, x_a, x_opt, inv_s3[ps:pe], tau, Rc, alt, masked)
                demand_of(ps, pe, qq)
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
                rec["inventory_days"][t, rs] = d[st.inv_p, :, st.inv_f].T * inv_scale
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
            report(Rc)
