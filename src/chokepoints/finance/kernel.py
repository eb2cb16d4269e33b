"""Pure arithmetic of the financial lever: NumPy in, NumPy out, no labels, no data files.

Units: amounts in USD bn, yields in basis points (bp), time in months. Leading axes are
free (runs, estimates); the last axes are named in each docstring.
"""

from __future__ import annotations

import numpy as np

BP = 1e-4  # one basis point as a decimal


def sale_schedule(amount_bn: np.ndarray, months: np.ndarray, start: int, n_months: int) -> np.ndarray:
    """Monthly sales (R, H): amount / months in each month start .. start + months - 1.

    amount_bn, months: (R,) per run; start: month index of the first tranche.
    """
    amount = np.asarray(amount_bn, dtype=float).reshape(-1)
    n = np.maximum(np.rint(np.asarray(months, dtype=float)).astype(int).reshape(-1), 1)
    t = np.arange(n_months)[None, :]
    active = (t >= start) & (t < start + n[:, None])
    return np.where(active, (amount / n)[:, None], 0.0)


def net_supply(
    sales_bn: np.ndarray,
    absorbed_share: np.ndarray | float,
    duration_ratio: float,
    half_life_months: np.ndarray | float | None = None,
) -> np.ndarray:
    """Cumulative net supply to private investors in reference-mix dollars (R, H).

    net(t) = sales(t) * (1 - absorbed) * duration_ratio, where absorbed is the share taken
    by other buyers and the Federal Reserve and duration_ratio = duration(sale mix) /
    duration(reference mix). Persistent (no half-life): S(t) = sum of net(s) for s <= t.
    With half-life h months: S(t) = S(t-1) * 0.5 ** (1 / h) + net(t).
    """
    sales = np.atleast_2d(np.asarray(sales_bn, dtype=float))
    absorbed = np.asarray(absorbed_share, dtype=float).reshape(-1, 1) if np.ndim(absorbed_share) else absorbed_share
    net = sales * (1.0 - absorbed) * duration_ratio
    if half_life_months is None:
        return np.cumsum(net, axis=-1)
    h = np.broadcast_to(np.asarray(half_life_months, dtype=float).reshape(-1), (sales.shape[0],))
    decay = np.where(np.isfinite(h), 0.5 ** (1.0 / np.where(np.isfinite(h), h, 1.0)), 1.0)
    out = np.empty_like(net)
    acc = np.zeros(sales.shape[0])
    for t in range(net.shape[-1]):
        acc = acc * decay + net[:, t]
        out[:, t] = acc
    return out


def yield_change_bp(supply_bn: np.ndarray, k_bp_per_100bn: np.ndarray | float, shape: np.ndarray) -> np.ndarray:
    """Yield change by tenor (..., H, tenor): dy = k * S(t) / 100 * shape(tenor).

    k: the impact estimate at the reference tenor in bp per $100bn; shape: relative
    response of each tenor (1 at the reference tenor).
    """
    s = np.asarray(supply_bn, dtype=float)
    return np.asarray(k_bp_per_100bn)[..., None, None] * (s / 100.0)[..., None] * np.asarray(shape)


def repriced_share(weights: np.ndarray, ladder_months: np.ndarray, n_months: int) -> np.ndarray:
    """C(t) (H,): share of today's debt that has matured and been refinanced by the end of month t.

    Each ladder b (weight w_b, original maturity M_b months) retires 1 / M_b of itself per
    month: C(t) = sum_b w_b * min((t + 1) / M_b, 1), t = 0 .. H - 1.
    """
    t = np.arange(1, n_months + 1)[:, None]
    return (np.asarray(weights)[None, :] * np.minimum(t / np.asarray(ladder_months, dtype=float)[None, :], 1.0)).sum(1)


def parallel_shift_interest(
    debt_bn: float, weights: np.ndarray, ladder_months: np.ndarray, shift_bp: float, n_months: int
) -> np.ndarray:
    """Extra interest per month (H,) for a parallel shift held from month 0: debt * C(t) * d / 12.

    Hand-checkable: $1,200bn in one 12-month ladder and +100 bp: $100bn reprices each month,
    so month t costs t x 100 x 1 % / 12 = t / 12 bn ($6.5bn in year 1), then $1bn a month.
    """
    return debt_bn * repriced_share(weights, ladder_months, n_months) * shift_bp * BP / 12.0


def ladder_extra_interest(
    dy_bp: np.ndarray,
    debt_bn: float,
    weights: np.ndarray,
    ladder_months: np.ndarray,
    new_borrowing_bn_per_month: float = 0.0,
) -> np.ndarray:
    """Extra interest per month (H,) when debt rolls over at higher yields.

    dy_bp (H, B): yield change at each ladder's tenor in each month. Ladder b holds
    debt * w_b spread evenly over M_b monthly maturities. Amount issued in month s:
        A_b(s) = R_b(s) + w_b * n,   R_b(s) = debt * w_b / M_b for s < M_b, else A_b(s - M_b)
    (refinancing what matures plus new borrowing n). A security issued in month s pays the
    yield change of its issue month until it matures M_b months later, so
        E_b(t) = sum of A_b(s) * dy_b(s) over s = t - M_b + 1 .. t,
        extra interest(t) = sum_b E_b(t) * 1e-4 / 12.
    For a constant dy = d this is debt * C(t) * d / 12 (see :func:`parallel_shift_interest`).
    """
    dy = np.asarray(dy_bp, dtype=float)
    n_months, n_ladders = dy.shape
    m_all = np.maximum(np.rint(np.asarray(ladder_months, dtype=float)).astype(int), 1)
    total = np.zeros(n_months)
    for b in range(n_ladders):
        w, m = float(weights[b]), int(m_all[b])
        issued = np.empty(n_months)
        for s in range(n_months):
            rolled = debt_bn * w / m if s < m else issued[s - m]
            issued[s] = rolled + w * new_borrowing_bn_per_month
        p = np.cumsum(issued * dy[:, b])
        lagged = np.concatenate([np.zeros(min(m, n_months)), p[: max(n_months - m, 0)]])
        total += p - lagged
    return total * BP / 12.0


def valuation_loss(holdings_bn: np.ndarray, durations: np.ndarray, mix: np.ndarray, dy_bp: np.ndarray) -> np.ndarray:
    """Mark-to-market loss on holdings (...), first order: holdings * sum_k mix_k * D_k * dy_k.

    holdings_bn (...,); dy_bp (..., tenor); durations, mix (tenor,). A parallel shift d on a
    portfolio of duration D gives D * d * holdings (d in decimal).
    """
    dur = float(np.dot(np.asarray(mix), np.asarray(durations)))
    weighted = (np.asarray(dy_bp) * (np.asarray(mix) * np.asarray(durations))).sum(-1)
    return np.asarray(holdings_bn) * weighted * BP if dur > 0 else np.zeros_like(np.asarray(holdings_bn))


def sale_concession(sales_bn: np.ndarray, durations: np.ndarray, mix: np.ndarray, dy_bp: np.ndarray) -> np.ndarray:
    """Cumulative first-order price concession on the bonds sold (..., H).

    Each month's tranche q(t) is sold while yields move from dy(t-1) to dy(t):
    loss(t) = q(t) * sum_k mix_k * D_k * (dy_k(t-1) + dy_k(t)) / 2, cumulated over t.
    sales_bn (..., H); dy_bp (..., H, tenor).
    """
    dy = np.asarray(dy_bp, dtype=float)
    prev = np.concatenate([np.zeros_like(dy[..., :1, :]), dy[..., :-1, :]], axis=-2)
    mid = ((prev + dy) / 2.0 * (np.asarray(mix) * np.asarray(durations))).sum(-1)
    return np.cumsum(np.asarray(sales_bn) * mid * BP, axis=-1)


def gold_ounces_moz(usd_bn: np.ndarray, price_usd_per_oz: np.ndarray | float) -> np.ndarray:
    """Million troy ounces bought: usd_bn * 1e9 / price / 1e6 = usd_bn * 1000 / price."""
    return np.asarray(usd_bn) * 1000.0 / np.asarray(price_usd_per_oz)
