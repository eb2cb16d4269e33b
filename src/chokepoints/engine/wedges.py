"""Price wedges (tariffs, export taxes) in the engine: Armington re-weighting of origins.

For each day on which some wedge starts or ends, every producer-buyer b of product p in an
importing region gets shares from its baseline ones:
    w1_f = w0_f tau_f^-sigma / sum_k w0_k tau_k^-sigma,   tau_f = 1 + max(t_f(day), 0)
where t_f is the sum of the rates of the wedges in force on supplier f's region (negative
rates suspend part of others); sigma is the wedges' substitution elasticity between
origins (Armington 1969; WITS-SMART's default 1.5 unless the scenario sets one).
"""

from __future__ import annotations

import numpy as np

from ..effects import PriceWedge, ShareRewrite
from ..world import CompiledWorld


def armington_rewrites(cw: CompiledWorld, sup: np.ndarray, wedges: list[PriceWedge], T: int) -> list[ShareRewrite]:
    """Share rewrites (mode ``set``) for every (importer, product) that a wedge touches, sorted by day.

    ``sup`` (S, K): each product's supplier slots (producer index, n for an empty slot).
    """
    from ..trade import armington_share_change

    if not wedges:
        return []
    K = sup.shape[1]
    n = cw.n
    W = np.asarray(cw.W)[:, :n]
    days = sorted({w.start for w in wedges} | {w.end for w in wedges if w.end is not None})
    out = []
    importers = np.flatnonzero(np.logical_or.reduce([w.importers for w in wedges]))
    for r_imp in importers:
        for p in range(cw.S):
            relevant = [w for w in wedges if w.importers[r_imp] and w.products[p]]
            if not relevant:
                continue
            buyers = np.flatnonzero((cw.prod_region == r_imp) & (cw.A[p] > 0))
            slots = sup[p]
            real = slots < n
            if not buyers.size or not real.any():
                continue
            sigma = relevant[0].sigma
            base = np.zeros((K, buyers.size))
            base[real] = W[np.ix_(slots[real], buyers)]
            sup_region = np.where(real, cw.prod_region[np.minimum(slots, n - 1)], -1)
            for day in days:
                if not 0 <= day < T:
                    continue
                rate = np.zeros(K)
                for w in relevant:
                    if not (w.start <= day and (w.end is None or day < w.end)):
                        continue
                    hit = real & w.exporters[np.maximum(sup_region, 0)]
                    rate += np.where(hit, w.rate, 0.0)
                tau = 1.0 + np.maximum(rate, 0.0)
                block = np.where(
                    base.sum(axis=0, keepdims=True) > 0, armington_share_change(base.T, tau[None, :], sigma).T, 0.0
                )
                out.append(ShareRewrite(day, p, buyers, "set", block=block))
    return sorted(out, key=lambda r: r.day)
