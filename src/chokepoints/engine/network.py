"""The supply network as per-product blocks of shares, for matrix products over runs.

Every producer k makes one product p(k) and sits in one slot of its product's block:
``sup[p, j]`` is the producer in slot j (``n`` marks padding when products have
fewer suppliers than the widest one). ``W3[p, j, b]`` is the share of producer-buyer
b's purchases of p bought from ``sup[p, j]``. For an MRIO world every product has
one supplier per region, so the blocks are R x n with no padding
(``CompiledWorld.shares3``); a table world is padded from its dense W.

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
    K: int
    W3: np.ndarray  # (S, K, n) shares of producer buyers
    sup: np.ndarray  # (S, K) producer in each slot; n on padding
    fd: sparse.csr_matrix  # (n, m) final-demand shares W[:, n:]
    fdT: sparse.csr_matrix  # (m, n)
    den0: np.ndarray  # (S, n) sum of shares per (product, buyer): 1 where b buys p, else 0

    @property
    def nbytes(self) -> int:
        return int(self.W3.nbytes)

    def gather(self, v: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """v (R, n) -> (S, R, K): the values of each product's suppliers, slot by slot."""
        R = v.shape[0]
        vp = np.zeros((R, self.n + 1), dtype=self.W3.dtype)
        vp[:, : self.n] = v
        res = vp[:, self.sup]  # (R, S, K)
        if out is None:
            return np.ascontiguousarray(res.transpose(1, 0, 2))
        out[...] = res.transpose(1, 0, 2)
        return out


def build_network(cw: CompiledWorld, dtype: np.dtype | type = np.float64) -> Network:
    """Per-product blocks from ``cw.shares3`` (MRIO worlds) or from the dense W."""
    n, m, S = cw.n, cw.m, cw.S
    if cw.shares3 is not None and cw.suppliers3 is not None:
        W3 = np.ascontiguousarray(cw.shares3, dtype=dtype)
        sup = np.where(cw.suppliers3 < 0, n, cw.suppliers3).astype(np.intp)
        if cw.fd_links is not None:
            fs, fc, fv = cw.fd_links
            fd = sparse.csr_matrix((np.asarray(fv, dtype=dtype), (fs, fc)), shape=(n, m))
        else:
            fd = sparse.csr_matrix((n, m), dtype=dtype)
    else:
        W = np.asarray(cw.W)
        members = [np.flatnonzero(cw.prod_product == p) for p in range(S)]
        K = max([len(mb) for mb in members] + [1])
        W3 = np.zeros((S, K, n), dtype=dtype)
        sup = np.full((S, K), n, dtype=np.intp)
        for p, mb in enumerate(members):
            sup[p, : len(mb)] = mb
            W3[p, : len(mb)] = W[mb, :n]
        fd = sparse.csr_matrix(W[:, n:].astype(dtype))
    fd.sum_duplicates()
    den0 = W3.sum(axis=1)
    return Network(n=n, m=m, S=S, K=W3.shape[1], W3=W3, sup=sup, fd=fd, fdT=fd.T.tocsr(), den0=den0)
