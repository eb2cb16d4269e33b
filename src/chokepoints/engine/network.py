"""The supply network as per-product blocks of shares, for matrix products over runs.

Every producer k makes one product p(k) and sits in one slot of its product's block:
``sup[p, j]`` is the producer in slot j (``n`` marks padding when products have
fewer suppliers than the widest one). ``W3[p, j, b]`` is the share of producer-buyer
b's purchases of p bought from ``sup[p, j]``. For an MRIO world every product has
one supplier per region, so the blocks are R x n with no padding
(``CompiledWorld.shares3``); a table world is padded from its dense W.

``W3`` has one extra slot K (a "virtual supplier") that is 1 exactly where b buys
no p at all (sum_j W3[p, j, b] = 0): with the value 1 in that slot, the order
denominator sum_j W3 rho_j is never 0 for such pairs, so no masked division is
needed in the step.

Final demand cells buy one product each; their shares are a sparse n x m matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from ..world import CompiledWorld


@dataclass
class Network:
    n: int
    m: int
    S: int
    K: int  # real supplier slots per product (W3 has K + 1)
    W3: np.ndarray  # (S, K + 1, n) shares of producer buyers; slot K: 1 where b buys no p
    sup: np.ndarray  # (S, K) producer in each slot; n on padding
    fd: sparse.csr_matrix  # (n, m) final-demand shares W[:, n:]
    fdT: sparse.csr_matrix  # (m, n)
    den0: np.ndarray  # (S, n) sum of real shares per (product, buyer): 1 where b buys p, else 0

    @property
    def nbytes(self) -> int:
        return int(self.W3.nbytes)

    @property
    def regular(self) -> bool:
        """Slot j of product p holds producer j * S + p (an MRIO's region-major order, no padding)."""
        j, p = np.meshgrid(np.arange(self.K), np.arange(self.S))
        return self.n == self.S * self.K and bool((self.sup == j * self.S + p).all())

    def gather(self, v: np.ndarray, out: np.ndarray) -> np.ndarray:
        """v (R, n) -> out (S, R, K): each product's suppliers' values, slot by slot (0 on padding).

        ``out`` may be a view (e.g. the real slots of a larger buffer). For an MRIO's
        region-major producers this is one strided copy of a reshaped view."""
        R = v.shape[0]
        if self._regular:
            out[...] = v.reshape(R, self.K, self.S).transpose(2, 0, 1)
        else:
            vp = np.zeros((R, self.n + 1), dtype=out.dtype)
            vp[:, : self.n] = v
            out[...] = vp[:, self.sup].transpose(1, 0, 2)
        return out

    def __post_init__(self) -> None:
        self._regular = self.regular


def supplier_slots(cw: CompiledWorld) -> np.ndarray:
    """(S, K) producer in each supplier slot of each product's block; ``n`` on padding."""
    n = cw.n
    if cw.shares3 is not None and cw.suppliers3 is not None:
        return np.where(cw.suppliers3 < 0, n, cw.suppliers3).astype(np.intp)
    members = [np.flatnonzero(cw.prod_product == p) for p in range(cw.S)]
    sup = np.full((cw.S, max([len(mb) for mb in members] + [1])), n, dtype=np.intp)
    for p, mb in enumerate(members):
        sup[p, : len(mb)] = mb
    return sup


def build_network(cw: CompiledWorld, dtype: np.dtype | type = np.float64) -> Network:
    """Per-product blocks from ``cw.shares3`` (MRIO worlds) or from the dense W."""
    n, m, S = cw.n, cw.m, cw.S
    sup = supplier_slots(cw)
    K = sup.shape[1]
    W3 = np.zeros((S, K + 1, n), dtype=dtype)
    if cw.shares3 is not None and cw.suppliers3 is not None:
        W3[:, :K] = cw.shares3
        if cw.fd_links is not None:
            fs, fc, fv = cw.fd_links
            fd = sparse.csr_matrix((np.asarray(fv, dtype=dtype), (fs, fc)), shape=(n, m))
        else:
            fd = sparse.csr_matrix((n, m), dtype=dtype)
    else:
        W = np.asarray(cw.W)
        for p in range(S):
            mb = sup[p][sup[p] < n]
            W3[p, : len(mb)] = W[mb, :n]
        fd = sparse.csr_matrix(W[:, n:].astype(dtype))
    fd.sum_duplicates()
    den0 = W3[:, :K].sum(axis=1)
    W3[:, K] = den0 == 0
    return Network(n=n, m=m, S=S, K=K, W3=W3, sup=sup, fd=fd, fdT=fd.T.tocsr(), den0=den0)
