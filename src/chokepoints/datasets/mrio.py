"""Multi-regional input-output (MRIO) systems for ARIO worlds.

``load_mrio_test()`` wraps pymrio's bundled test system (6 regions x 8 sectors,
7 final-demand categories, values in million USD per year). ``synthetic_mrio``
builds a dense, balanced MRIO of any size, used by the parity tests and the
benchmarks (``benchmarks/bench_vs_boario.py``). Both return a ``pymrio.IOSystem``
with ``Z``, ``Y``, ``x`` and ``A`` set (pymrio is the ``mrio`` extra).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def _pymrio() -> Any:
    try:
        import pymrio
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("MRIO support needs pymrio: pip install 'chokepoints[mrio]'") from exc
    return pymrio


def load_mrio_iosystem_test() -> Any:
    """pymrio's test MRIO with every account calculated (``pymrio.load_test().calc_all()``)."""
    return _pymrio().load_test().calc_all()


def load_mrio_test(**options: Any):
    """The pymrio test MRIO as a monetary ARIO :class:`~chokepoints.World`.

    6 regions (reg1..reg6) x 8 sectors (food, mining, manufactoring, electricity,
    construction, trade, transport, other) = 48 producers; final demand summed over
    pymrio's 7 categories into one cell per (region, product), 48 cells. Amounts are
    the table's million USD per year divided by 365 (per day). ``options`` go to
    :meth:`chokepoints.World.from_mrio` (e.g. ``main_inv_dur``, ``alpha_max``,
    ``final_demand="category"``).

    >>> w = load_mrio_test()            # doctest: +SKIP
    >>> w.compile().n, w.compile().S    # doctest: +SKIP
    (48, 8)
    """
    from ..world.mrio import from_mrio

    options.setdefault("name", "pymrio-test")
    return from_mrio(load_mrio_iosystem_test(), **options)


def synthetic_mrio(
    n_regions: int,
    n_sectors: int,
    *,
    n_categories: int = 1,
    seed: int = 0,
    domestic_bias: float = 4.0,
    as_iosystem: bool = True,
) -> Any:
    """A dense, balanced random MRIO with ``n_regions * n_sectors`` region-sectors.

    Every region-sector buys every sector from every region (a dense Z, as a
    worst case for the engine). Sector sizes are lognormal (sigma 0.5); a buyer's
    purchases from its own region are ``domestic_bias`` times larger; final demand
    per row is 0.6-1.4 times the row's intermediate sales, so gross output
    x = Z summed over columns + Y summed over columns, and value added
    x - Z summed over rows is positive. ``A = Z / x`` (column-wise). Deterministic
    for a given ``seed``.
    """
    rng = np.random.default_rng(seed)
    R, S = n_regions, n_sectors
    n = R * S
    size = np.exp(rng.normal(0.0, 0.5, S))
    s_all = np.tile(size, R)
    Z = rng.uniform(0.5, 1.5, (n, n))
    Z *= s_all[:, None]
    Z *= s_all[None, :]
    for r in range(R):
        Z[r * S : (r + 1) * S, r * S : (r + 1) * S] *= domestic_bias
    Z *= 1000.0 / Z.mean()
    C = n_categories
    fd_rows = Z.sum(axis=1) * rng.uniform(0.6, 1.4, n)
    w = rng.uniform(0.5, 1.5, (n, R * C))
    for r in range(R):
        w[r * S : (r + 1) * S, r * C : (r + 1) * C] *= domestic_bias
    Y = w * (fd_rows / w.sum(axis=1))[:, None]
    x = Z.sum(axis=1) + Y.sum(axis=1)
    if not as_iosystem:
        return Z, Y, x
    regions = [f"r{i:03d}" for i in range(R)]
    sectors = [f"s{j:03d}" for j in range(S)]
    cats = [f"fd{c}" for c in range(C)]
    idx = pd.MultiIndex.from_product([regions, sectors], names=["region", "sector"])
    cols = pd.MultiIndex.from_product([regions, cats], names=["region", "category"])
    Zdf = pd.DataFrame(Z, index=idx, columns=idx)
    Ydf = pd.DataFrame(Y, index=idx, columns=cols)
    xdf = pd.DataFrame(x, index=idx, columns=["indout"])
    A = pd.DataFrame(Z / x[None, :], index=idx, columns=idx)
    io = _pymrio().IOSystem(
        Z=Zdf,
        Y=Ydf,
        x=xdf,
        A=A,
        name=f"synthetic-{R}x{S}",
        description=f"synthetic dense MRIO, {R} regions x {S} sectors, seed {seed}",
    )
    return io
