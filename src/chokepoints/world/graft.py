"""Hybrid Worlds: a physical critical-material chain grafted into a monetary MRIO.

``graft(mrio_world, chain_world, links, region_map)`` returns one World whose producers are the MRIO's
industries (unit: the MRIO's money, e.g. "M USD") followed by the chain's producers (unit: the chain's,
e.g. "t"), with the chain's output of each linked product (e.g. ``ndfeb_magnet``) an input of the MRIO
industries named in ``links``.

Tables
------
``links`` (one row per linked product, MRIO sector and region): ``chain_product``, ``sector`` (an MRIO
sector), ``region`` (an MRIO region, or ``*`` for every region), ``intensity`` (chain unit per MRIO unit
of output, e.g. t of magnet per M USD), ``replaces`` (the MRIO sectors, ``;``-separated, whose purchases the
chain's product is taken out of), ``inventory_days`` (stock of the product held by the buyer, days of use) and
``source`` (source or assumption ids). ``region_map``: ``chain_region``, ``mrio_region``, ``source``;
every chain region must be mapped.

The rule (notation of :mod:`chokepoints.world.mrio`; per day; P a linked product, q = replaces, g an
MRIO industry, u the USD value of one MRIO unit, v_P the USD value of one unit of P)
------------------------------------------------------------------------------------------------------
1. End users of the chain are replaced: every chain producer with an end use (the chain's own downstream
   industries) and every chain final-demand cell of a linked product or of a dropped producer's product
   is dropped (set D). Each chain product sold to D must be linked. The chain's sales of P to D are
   M_P = sum over suppliers f of P, over b in D of W[f, b] * need_b (need_b = A[P, b] x0_b or y0_b).
2. Intensities are calibrated to the chain: raw MRIO need T_P = sum_g i_P[g] x0_g, calibration
   c_P = M_P / T_P, applied intensity a_P[g] = c_P i_P[g] (so the chain keeps its own tonnages and the
   sourced intensities set how its output is spread over sectors and regions; c_P is reported in
   ``metadata['graft']['calibration']``; c_P near 1 means the sources agree with the chain's total).
3. MRIO buyers of P buy from the chain's suppliers of P in the shares of the sales to D:
   W'[f, g] = (sum over b in D of W[f, b] need_b) / M_P (the same for every buyer g), so each
   chain supplier sells exactly what it sold to D and the chain stays balanced.
2'-3'. ``sourced_regions`` (optional, MRIO regions): for a region r named there where the chain's end
   users (D_r: those in chain regions mapped to r) buy P, r's MRIO buyers keep the chain's own tonnage
   and suppliers: c_P,r = M_P,r / T_P,r with M_P,r the sales of P to D_r and T_P,r = sum over g in r of
   i_P[g] x0_g, and W'[f, g in r] = (sales of f to D_r) / M_P,r. The other regions share the rest,
   M_P - sum_r M_P,r, by rules 2 and 3 over D less the D_r (c_P of the rest; ``calibration`` holds it
   under P and the region's under ``P@r``). Each supplier still sells exactly what it sold to D.
4. The value of P is taken out of g's purchases of the sectors Q = replaces, in proportion to them:
   A'[q, g] = A[q, g] - (a_P[g] v_P / u) A[q, g] / (sum over q' in Q of A[q', g]) (an error if g buys
   less of Q than that). The removed purchases, dZ[(k, q), g] = W[(k, q), g] (A[q, g] - A'[q, g]) x0_g,
   become a fixed final-demand cell ``fd.graft.<region of g>.<q>`` with the same supplier shares, so every MRIO
   row still sums to its output: x' = Z' summed over columns + Y' summed over columns = x, and value added
   va'_g = x_g - sum over rows of Z'[:, g] - v_P a_P[g] x_g / u = va_g (unchanged).
5. The chain's value added is left in the MRIO sectors of its regions (the chain producers' value added
   is 0 in the hybrid, no double counting); the chain's losses are reported in its own units and USD.

Units stay explicit per product: MRIO sectors in the MRIO's money, chain products in the chain's units;
``A[P, g]`` is in chain units per MRIO unit (e.g. t per M USD).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from .core import CompiledWorld, World
from .mrio import MrioWorld, _guard, _LazyTables

LINK_COLUMNS = ("chain_product", "sector", "region", "intensity", "replaces", "inventory_days", "source")
MAP_COLUMNS = ("chain_region", "mrio_region", "source")


@dataclass(repr=False)
class HybridWorld(MrioWorld):
    """A World made by :func:`graft`: an MRIO with a physical chain; arrays plus small tables."""

    @cached_property
    def content_hash(self) -> str:
        cw = self.compile()
        h = hashlib.sha256()
        for t in ("regions", "products", "producers", "final_demand"):
            h.update(self.tables[t].to_csv(index=False).encode())
        for a in (cw.x0, cw.capacity, cw.A, np.asarray(cw.W), cw.y0, cw.target_days, cw.initial_days, cw.binding):
            h.update(np.ascontiguousarray(a).tobytes())
        return h.hexdigest()[:16]


def _frame(df: pd.DataFrame | None, columns: tuple[str, ...], label: str) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise InputError(Problem(label, "expected a table (DataFrame)"))
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(Problem(label, "missing column", field=missing[0]))
    return df.reset_index(drop=True)


def _num(value: Any, label: str, row: int, field: str, low: float = 0.0) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = float("nan")
    if not np.isfinite(v) or v < low:
        raise InputError(Problem(label, f"expected a finite number >= {low:g}, got {value!r}", row=row, field=field))
    return v


# long: the five steps of the rule in the module docstring, on arrays, in one pass
def graft(
    mrio_world: World,
    chain_world: World,
    links: pd.DataFrame,
    region_map: pd.DataFrame,
    *,
    name: str = "hybrid",
    version: str = "unversioned",
    links_file: str = "<links>",
    region_map_file: str = "<region_map>",
    assumptions: pd.DataFrame | None = None,
    sources: pd.DataFrame | None = None,
    sourced_regions: Sequence[str] = (),
) -> HybridWorld:
    """Graft ``chain_world`` into ``mrio_world`` along ``links`` (see the module docstring for the rule;
    ``sourced_regions``: rule 2'-3').

    >>> hw = graft(load_world("wiod-2011"), load_world("rare-earths-2025"), links, region_map)  # doctest: +SKIP
    """
    mw, cwd = mrio_world.compile(), chain_world.compile()
    links = _frame(links, LINK_COLUMNS, links_file)
    region_map = _frame(region_map, MAP_COLUMNS, region_map_file)
    m_regions = list(mw.regions)
    m_products = list(mw.products)
    mpi = {p: i for i, p in enumerate(m_products)}
    mri = {r: i for i, r in enumerate(m_regions)}
    cpi = {p: i for i, p in enumerate(cwd.products)}
    u_m = float(np.nanmax(mw.unit_value)) if np.isfinite(mw.unit_value).any() else 1.0

    # region map
    rmap: dict[str, str] = {}
    for i, r in enumerate(region_map.itertuples(index=False)):
        if str(r.mrio_region) not in mri:
            raise InputError(
                Problem(region_map_file, f"unknown MRIO region {r.mrio_region!r}", row=i + 1, field="mrio_region")
            )
        rmap[str(r.chain_region)] = str(r.mrio_region)
    unmapped = [r for r in cwd.regions if r not in rmap]
    if unmapped:
        raise InputError(Problem(region_map_file, f"chain region {unmapped[0]!r} is not mapped", field="chain_region"))

    # links -> raw intensities i_P[g], replaced sector, inventory days
    n_m, n_c = mw.n, cwd.n
    linked: dict[str, dict[str, Any]] = {}
    for i, r in enumerate(links.itertuples(index=False)):
        row = i + 1
        p, s, reg, q = str(r.chain_product), str(r.sector), str(r.region), str(r.replaces)
        if p not in cpi:
            raise InputError(Problem(links_file, f"unknown chain product {p!r}", row=row, field="chain_product"))
        qs = [v.strip() for v in q.split(";") if v.strip()]
        for field, val in [("sector", s)] + [("replaces", v) for v in qs or [""]]:
            if val not in mpi:
                raise InputError(Problem(links_file, f"unknown MRIO sector {val!r}", row=row, field=field))
        if reg != "*" and reg not in mri:
            raise InputError(Problem(links_file, f"unknown MRIO region {reg!r}", row=row, field="region"))
        inten = _num(r.intensity, links_file, row, "intensity")
        days = _num(r.inventory_days, links_file, row, "inventory_days", low=2.0)
        d = linked.setdefault(p, {"i": np.zeros(n_m), "q": {}, "days": np.zeros(n_m), "rows": {}})
        sel = (mw.prod_product == mpi[s]) & ((mw.prod_region == mri[reg]) if reg != "*" else True)
        for g in np.flatnonzero(sel):
            if d["i"][g] > 0 and d["rows"].get(int(g)) != row:
                raise InputError(
                    Problem(links_file, f"{mw.producers[g]} is linked to {p!r} twice", row=row, field="sector")
                )
            d["i"][g], d["q"][int(g)], d["days"][g], d["rows"][int(g)] = inten, [mpi[v] for v in qs], days, row

    # 1. drop the chain's end users
    dropped_f = np.array([bool(e) for e in cwd.prod_end_use])
    dropped_products = {int(p) for p in cwd.prod_product[dropped_f]}
    linked_idx = {cpi[p] for p in linked}
    dropped_c = np.array([int(p) in linked_idx or int(p) in dropped_products for p in cwd.fd_product], dtype=bool)
    Wc = np.asarray(cwd.W)
    need = np.concatenate([np.zeros(n_c), cwd.y0])  # need_b of buyer b for the product of each supplier row
    sales_D = np.zeros(n_c)
    # sales to the end users in each sourced region (rule 2'-3'): group k of every chain buyer, -1 for the rest
    sourced = _sourced(sourced_regions, mri, region_map_file)
    b_region = [rmap[cwd.regions[r]] for r in np.concatenate([cwd.prod_region, cwd.fd_region])]
    b_group = np.array([sourced.index(r) if r in sourced else -1 for r in b_region], dtype=np.intp)
    sales_DG = np.zeros((n_c, len(sourced)))
    for f in range(n_c):
        p = cwd.prod_product[f]
        need[:n_c] = cwd.A[p] * cwd.x0
        dmask = np.concatenate([dropped_f, dropped_c])
        contrib = Wc[f] * need * dmask
        sales_D[f] = float(contrib.sum())
        for k in range(len(sourced)):
            sales_DG[f, k] = float(contrib[b_group == k].sum())
    for f in (int(v) for v in np.flatnonzero(sales_D > 0)):
        p = cwd.products[cwd.prod_product[f]]
        if cpi[p] not in linked_idx and cwd.prod_product[f] not in dropped_products:
            raise InputError(
                Problem(
                    links_file,
                    f"chain product {p!r} is sold to the chain's end users but has no link",
                    field="chain_product",
                )
            )
    keep_f = ~dropped_f
    keep_c = ~dropped_c
    keep_p = np.array([i not in dropped_products for i in range(cwd.S)])
    c_prod_new = np.cumsum(keep_p) - 1  # chain product index -> index among kept chain products
    c_f_new = np.cumsum(keep_f) - 1

    # new index spaces
    S_m, S_c = mw.S, int(keep_p.sum())
    S = S_m + S_c
    nf_c = int(keep_f.sum())
    n = n_m + nf_c
    kept_f = np.flatnonzero(keep_f)
    kept_c = np.flatnonzero(keep_c)
    # offset cells: one per (buyer region, replaced sector) that loses purchases
    offsets: dict[tuple[int, int], int] = {}
    for d in linked.values():
        for g, qs_g in d["q"].items():
            for q in qs_g:
                if d["i"][g] > 0 and mw.A[q, g] > 0:
                    offsets.setdefault((int(mw.prod_region[g]), int(q)), len(offsets))
    m = mw.m + len(kept_c) + len(offsets)

    A = np.zeros((S, n))
    A[:S_m, :n_m] = mw.A
    A[S_m:, n_m:] = cwd.A[np.ix_(keep_p, keep_f)]
    W = np.zeros((n, n + m))
    Wm = np.asarray(mw.W)
    W[:n_m, :n_m] = Wm[:, :n_m]
    W[:n_m, n : n + mw.m] = Wm[:, n_m:]
    W[n_m:, n_m:n] = Wc[np.ix_(keep_f, np.flatnonzero(keep_f))]
    W[n_m:, n + mw.m : n + mw.m + len(kept_c)] = Wc[np.ix_(keep_f, n_c + kept_c)]
    target = np.zeros((S, n))
    initial = np.zeros((S, n))
    target[:S_m, :n_m], initial[:S_m, :n_m] = mw.target_days, mw.initial_days
    target[S_m:, n_m:] = cwd.target_days[np.ix_(keep_p, keep_f)]
    initial[S_m:, n_m:] = cwd.initial_days[np.ix_(keep_p, keep_f)]
    binding = np.zeros((S, n), bool)
    binding[:S_m, :n_m] = mw.binding if mw.binding is not None else mw.A > 0
    binding[S_m:, n_m:] = cwd.A[np.ix_(keep_p, keep_f)] > 0
    y_off = np.zeros(len(offsets))
    calibration: dict[str, float] = {}

    # 2.-4. per linked product
    for p, d in linked.items():
        pc = cpi[p]
        sup = np.flatnonzero(cwd.prod_product == pc)
        M_P = float(sales_D[sup].sum())
        T_P = float((d["i"] * mw.x0).sum())
        if M_P <= 0 or T_P <= 0:
            raise InputError(
                Problem(
                    links_file,
                    f"{p!r}: the chain sells none to its end users or the links select no output",
                    field="chain_product",
                )
            )
        a = np.zeros(n_m)
        for key, mask, sold in _groups(p, sales_D[sup], sales_DG[sup], sourced, mri, mw.prod_region):
            T_G = float((d["i"] * mw.x0 * mask).sum())
            if T_G <= 0:
                where = f"in {key.split('@')[1]}" if "@" in key else "outside the sourced regions"
                raise InputError(
                    Problem(links_file, f"{p!r}: the chain's end users buy it but the links select no output {where}")
                )
            c_G = float(sold.sum()) / T_G
            calibration[key] = c_G
            a[mask] = c_G * d["i"][mask]
            W[n_m + c_f_new[sup][:, None], np.flatnonzero(mask & (a > 0))[None, :]] = (sold / sold.sum())[:, None]
        row = S_m + int(c_prod_new[pc])
        A[row, :n_m] = a
        target[row, :n_m] = np.where(a > 0, d["days"], 0.0)
        initial[row, :n_m] = target[row, :n_m]
        binding[row, :n_m] = a > 0
        v_P = float(cwd.unit_value[pc])
        if not np.isfinite(v_P):
            raise InputError(
                Problem(links_file, f"chain product {p!r} has no unit value (USD per unit)", field="chain_product")
            )
        for g, qs_g in d["q"].items():
            if a[g] <= 0:
                continue
            dA = a[g] * v_P / u_m
            base = A[qs_g, g].copy()
            if base.sum() - dA < -1e-12 or base.sum() <= 0:
                raise InputError(
                    Problem(
                        links_file,
                        f"{mw.producers[g]} buys {base.sum():.4g} of {';'.join(m_products[q] for q in qs_g)} per unit "
                        f"of output, less than the {dA:.4g} worth of {p} linked to it",
                        row=d["rows"][g],
                        field="intensity",
                    )
                )
            for q, bq in zip(qs_g, base, strict=True):
                if bq <= 0:
                    continue
                take = dA * bq / base.sum()
                A[q, g] = max(A[q, g] - take, 0.0)
                j = offsets[(int(mw.prod_region[g]), int(q))]
                flow = take * mw.x0[g]
                y_off[j] += flow
                W[:n_m, n + mw.m + len(kept_c) + j] += Wm[:n_m, g] * flow * (mw.prod_product == q)
    for j in range(len(offsets)):
        col = n + mw.m + len(kept_c) + j
        if y_off[j] > 0:
            W[:n_m, col] /= y_off[j]

    # arrays -> compiled world
    c_regions_new = np.array([mri[rmap[cwd.regions[r]]] for r in cwd.prod_region[keep_f]], dtype=np.intp)
    fd_regions_new = np.array([mri[rmap[cwd.regions[r]]] for r in cwd.fd_region[keep_c]], dtype=np.intp)
    off_keys = sorted(offsets, key=offsets.__getitem__)
    c_products = [cwd.products[i] for i in np.flatnonzero(keep_p)]
    producers = list(mw.producers) + [cwd.producers[f] for f in kept_f]
    demands = (
        list(mw.demands)
        + [cwd.demands[c] for c in kept_c]
        + [f"fd.graft.{m_regions[r]}.{m_products[q]}" for r, q in off_keys]
    )
    va = np.concatenate([mw.value_added if mw.value_added is not None else np.zeros(n_m), np.zeros(nf_c)])
    hw = CompiledWorld(
        producers=tuple(producers),
        products=tuple(m_products + c_products),
        regions=tuple(m_regions),
        demands=tuple(demands),
        prod_product=np.concatenate([mw.prod_product, S_m + c_prod_new[cwd.prod_product[keep_f]]]).astype(np.intp),
        prod_region=np.concatenate([mw.prod_region, c_regions_new]).astype(np.intp),
        prod_end_use=tuple(mw.prod_end_use) + ("",) * nf_c,
        fd_product=np.concatenate(
            [mw.fd_product, S_m + c_prod_new[cwd.fd_product[keep_c]], np.array([q for _, q in off_keys], dtype=np.intp)]
        ).astype(np.intp),
        fd_region=np.concatenate(
            [mw.fd_region, fd_regions_new, np.array([r for r, _ in off_keys], dtype=np.intp)]
        ).astype(np.intp),
        fd_end_use=tuple(mw.fd_end_use) + tuple(cwd.fd_end_use[c] for c in kept_c) + ("graft_offset",) * len(off_keys),
        x0=np.concatenate([mw.x0, cwd.x0[keep_f]]),
        capacity=np.concatenate([mw.capacity, cwd.capacity[keep_f]]),
        A=A,
        W=W,
        y0=np.concatenate([mw.y0, cwd.y0[keep_c], y_off]),
        target_days=target,
        initial_days=initial,
        unit_value=np.concatenate([mw.unit_value, cwd.unit_value[keep_p]]),
        product_unit=tuple(mw.product_unit) + tuple(cwd.product_unit[i] for i in np.flatnonzero(keep_p)),
        binding=binding,
        value_added=va,
    )
    tables = _tables(mrio_world, chain_world, hw, keep_p, keep_f, keep_c, rmap, off_keys, sources)
    lazy = _lazy(tables, hw)
    metadata = {
        **{k: v for k, v in mrio_world.metadata.items() if k in ("monetary_unit", "usd_per_unit", "days_per_year")},
        "name": name,
        "source": "graft",
        "default_target_days": mrio_world.default_target_days,
        "graft": {
            "mrio": mrio_world.name,
            "chain": chain_world.name,
            "linked_products": sorted(linked),
            "calibration": {p: float(f"{c:.6g}") for p, c in sorted(calibration.items())},
            **({"sourced_regions": list(sourced)} if sourced else {}),
            "dropped_chain_producers": [cwd.producers[f] for f in np.flatnonzero(dropped_f)],
            "dropped_chain_demands": [cwd.demands[c] for c in np.flatnonzero(dropped_c)],
        },
    }
    parts = [a for a in (chain_world.assumptions, assumptions) if a is not None and len(a)]
    assum = pd.concat(parts, ignore_index=True) if parts else None
    return HybridWorld(lazy, name=name, version=version, metadata=metadata, compiled=hw, assumptions=assum)


def _sourced(regions: Sequence[str], mri: dict[str, int], label: str) -> list[str]:
    """The sourced MRIO regions (rule 2'-3'), checked."""
    out: list[str] = []
    for r in regions:
        if str(r) not in mri:
            raise InputError(Problem(label, f"unknown MRIO region {r!r} in sourced_regions", field="sourced_regions"))
        if str(r) not in out:
            out.append(str(r))
    return out


def _groups(
    product: str,
    sales: np.ndarray,
    sales_by_region: np.ndarray,
    sourced: list[str],
    mri: dict[str, int],
    prod_region: np.ndarray,
) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(calibration key, MRIO producers of the group, sales of each supplier of P to the group's end users):
    one group per sourced region whose end users buy ``product``, then the rest (rules 2-3 and 2'-3')."""
    out = []
    rest = np.ones(len(prod_region), bool)
    left = sales.copy()
    for k, r in enumerate(sourced):
        sold = sales_by_region[:, k]
        if sold.sum() <= 0:
            continue
        mask = prod_region == mri[r]
        out.append((f"{product}@{r}", mask, sold))
        rest &= ~mask
        left -= sold
    left = np.maximum(left, 0.0)
    if left.sum() > 1e-12 * sales.sum():  # not all sales went to sourced regions (round-off aside)
        out.append((product, rest, left))
    return out


def _tables(
    mrio_world: World,
    chain_world: World,
    hw: CompiledWorld,
    keep_p: np.ndarray,
    keep_f: np.ndarray,
    keep_c: np.ndarray,
    rmap: dict[str, str],
    off_keys: list[tuple[int, int]],
    sources: pd.DataFrame | None,
) -> dict[str, pd.DataFrame]:
    mt, ct = mrio_world.tables, chain_world.tables
    cprod = ct["producers"][keep_f].copy()
    cprod["region"] = [rmap[r] for r in cprod["region"]]
    cfd = ct["final_demand"][keep_c].copy()
    cfd["region"] = [rmap[r] for r in cfd["region"]]
    off = pd.DataFrame(
        {
            "demand": list(hw.demands[len(hw.demands) - len(off_keys) :]),
            "region": [hw.regions[r] for r, _ in off_keys],
            "product": [hw.products[q] for _, q in off_keys],
            "end_use": "graft_offset",
            "amount_per_day": hw.y0[len(hw.y0) - len(off_keys) :],
            "source": "graft",
        }
    )
    cols = list(mt["final_demand"].columns)
    kept_products = [p for p, k in zip(ct["products"]["product"], keep_p, strict=True) if k]
    srcs = [mt["sources"], ct["sources"]] + ([sources] if sources is not None else [])
    return {
        "regions": mt["regions"].copy(),
        "products": pd.concat(
            [mt["products"], ct["products"][ct["products"]["product"].isin(kept_products)]], ignore_index=True
        ),
        "producers": pd.concat([mt["producers"], cprod[list(mt["producers"].columns)]], ignore_index=True),
        "final_demand": pd.concat([mt["final_demand"], cfd[cols], off[cols]], ignore_index=True),
        "unit_values": pd.concat(
            [mt["unit_values"], ct["unit_values"][ct["unit_values"]["product"].isin(kept_products)]], ignore_index=True
        ),
        "sources": pd.concat(srcs, ignore_index=True).drop_duplicates("source_id"),
    }


def _lazy(tables: dict[str, pd.DataFrame], hw: CompiledWorld) -> _LazyTables:
    prods, secs, dems = np.asarray(hw.producers), np.asarray(hw.products), np.asarray(hw.demands)
    ip, jf = np.nonzero(hw.A > 0)
    units = np.asarray(hw.product_unit)

    def recipes() -> pd.DataFrame:
        _guard(len(ip), "recipes")
        unit = [f"{units[p]} per {units[hw.prod_product[f]]}" for p, f in zip(ip, jf, strict=True)]
        return pd.DataFrame(
            {
                "producer": prods[jf],
                "input_product": secs[ip],
                "amount_per_unit": hw.A[ip, jf],
                "unit": unit,
                "source": "graft",
            }
        )

    def inventories() -> pd.DataFrame:
        _guard(len(ip), "inventories")
        return pd.DataFrame(
            {
                "holder": prods[jf],
                "product": secs[ip],
                "days_of_cover": hw.initial_days[ip, jf],
                "target_days": hw.target_days[ip, jf],
                "source": "graft",
            }
        )

    def supply_links() -> pd.DataFrame:
        W = np.asarray(hw.W)
        f, b = np.nonzero(W)
        _guard(len(f), "supply_links")
        buyers = np.concatenate([prods, dems])
        return pd.DataFrame(
            {
                "buyer": buyers[b],
                "product": secs[hw.prod_product[f]],
                "supplier": prods[f],
                "share": W[f, b],
                "source": "graft",
            }
        )

    return _LazyTables(tables, {"recipes": recipes, "supply_links": supply_links, "inventories": inventories})


def read_hybrid_folder(folder: Path, meta: dict[str, Any]) -> HybridWorld:
    """The hybrid World of a folder with ``dataset.yaml`` ``format: hybrid`` (``mrio``, ``chain``: World names
    or folders next to it; optional ``sourced_regions``, a list of MRIO regions, rule 2'-3') and ``links.csv``,
    ``region_map.csv``, optional ``assumptions.csv`` and ``sources.csv``."""
    from .io import read_assumptions
    from .load import load_world

    def part(key: str) -> World:
        ref = meta.get(key)
        if not ref:
            raise InputError(Problem(str(folder / "dataset.yaml"), "missing entry", field=key))
        local = folder.parent / str(ref)
        return load_world(local if local.is_dir() else str(ref))

    def csv(fname: str, required: bool = True) -> pd.DataFrame | None:
        path = folder / fname
        if not path.is_file():
            if required:
                raise InputError(Problem(str(path), "file not found"))
            return None
        try:
            return pd.read_csv(path, dtype=str, keep_default_na=False)
        except (OSError, ValueError) as exc:
            raise InputError(Problem(str(path), f"cannot read: {exc}")) from None

    assumptions, problems = read_assumptions(folder)
    if problems:
        raise InputError(problems)
    world = graft(
        part("mrio"),
        part("chain"),
        csv("links.csv"),
        csv("region_map.csv"),
        name=str(meta.get("name", folder.name)),
        version=str(meta.get("version", "unversioned")),
        links_file=str(folder / "links.csv"),
        region_map_file=str(folder / "region_map.csv"),
        assumptions=assumptions,
        sources=csv("sources.csv", required=False),
        sourced_regions=_region_list(meta.get("sourced_regions"), folder / "dataset.yaml"),
    )
    world.metadata.update({k: v for k, v in meta.items() if k not in ("format",)})
    world.files = {t: str(folder / f"{t}.csv") for t in ("links", "region_map", "assumptions", "sources")}
    return world


def _region_list(value: Any, path: Path) -> list[str]:
    """``sourced_regions`` of a dataset.yaml: absent, or a list of MRIO region codes."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(Problem(str(path), "expected a list of MRIO region codes", field="sourced_regions"))
    return value
