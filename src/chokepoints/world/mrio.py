"""Monetary ARIO worlds from multi-regional input-output tables (pymrio ``IOSystem``).

Notation as pymrio and BoARIO (Hallegatte 2008, 2014; BoARIO 0.7.2), for R regions
and S sectors, n = R * S industries f = (r, s), ordered region-major:

* Z (n x n) intermediate flows per year, Y (n x R*C) final demand per year by
  consuming region and category, x = Z summed over columns + Y summed over columns
  (gross output; the table must be balanced).
* Per day: x0 = x / 365, Z / 365, Y / 365 (``days_per_year``).
* Z^S = I_sum Z (S x n): purchases of product p from all regions by buyer f, where
  I_sum = tile(eye(S), R) sums the rows of the same sector.
* A^S = Z^S / x (column-wise): product p needed per unit of f's output
  (the World's ``A``; a recipe row per positive entry).
* Market shares W[(k, p), b] = Z[(k, p), b] / Z^S[p, b]: the share of buyer b's
  purchases of p coming from region k (BoARIO's ``Z_distrib``); the same for final
  demand (``Y_distrib``).
* Inventories per (input product, buyer), pooled over supplier regions:
  target = initial = s_p days of use, s_p = ``main_inv_dur`` (default 90) unless
  ``inventory_dict`` says otherwise; ``infinite_inventories_sect`` makes p never
  binding (s_p = inf); durations <= 1 day are raised to 2 (as BoARIO).
* threshold_not_input: p can limit f's output only when A^S[p, f] > threshold
  (``threshold_not_input``, default 1e-5). BoARIO 0.7.2 compares the *yearly*
  Z^S[p, f] with the *daily* x_f * 1e-5, which is A^S > 1e-5 / 365; pass
  ``threshold_not_input=1e-5 / 365`` to reproduce it (docs/engine.md).
* Capacity = alpha_max * x0 (BoARIO ``alpha_max``, default 1.25).

Units: products carry the table's monetary unit, normalised ("Mill USD", "Million USD"
-> "M USD"; "M EUR"; ``World.metadata['monetary_unit']``), amounts per day. The
``unit_values`` table gives USD per unit (1e6 for "M USD"; for other currencies pass
``usd_per_unit``, the exchange rate times the multiplier), so losses come out in USD.
A table without a unit keeps the legacy unit "USD" at 1 USD per unit.
Value added per producer (the primary inputs: value added plus net taxes on products),
per day: va_f = (x_f - sum over rows of Z[:, f]) / days_per_year
(``CompiledWorld.value_added``); its coefficient v_f = va_f / x0_f.
Large MRIOs are kept as arrays: the tidy ``recipes``, ``supply_links`` and
``inventories`` tables are built only when asked for (and refused beyond
``MAX_TABLE_ROWS`` rows); the engine never needs them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..errors import ConsistencyError, InputError, Problem
from .core import CompiledWorld, World
from .schema import TABLES, attributes

MAX_TABLE_ROWS = 2_000_000
DENSE_W_LIMIT = 4_000_000  # n * (n + m) entries up to which CompiledWorld.W is a plain array
TECHNOLOGY_THRESHOLD = 1e-5  # BoARIO's threshold_not_input


class _LazyTables(dict):
    """A dict of World tables; some are built on first access (large MRIOs)."""

    def __init__(self, data: dict[str, pd.DataFrame], factories: dict[str, Callable[[], pd.DataFrame]]):
        super().__init__(data)
        self._factories = dict(factories)
        for k in factories:
            super().__setitem__(k, None)

    def __getitem__(self, key: str) -> pd.DataFrame:
        if key in self._factories:
            super().__setitem__(key, self._factories.pop(key)())
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default

    def items(self):
        return [(k, self[k]) for k in self.keys()]

    def values(self):
        return [self[k] for k in self.keys()]


class FactoredShares:
    """The share matrix W (n x (n + m)) of a large MRIO world, without storing it densely.

    Supports ``shape``, pairwise fancy indexing ``W[f_idx, b_idx]`` and
    ``np.asarray(W)`` (which builds the dense matrix).
    """

    ndim = 2

    def __init__(self, shares3: np.ndarray, suppliers3: np.ndarray, fd_links: tuple, n: int, m: int):
        self.shares3, self.suppliers3, self.fd_links = shares3, suppliers3, fd_links
        self.n, self.m = n, m
        S, K = suppliers3.shape
        self._slot = np.full(n, -1, dtype=np.intp)  # position k of producer f in its product block
        self._prod = np.full(n, -1, dtype=np.intp)
        for p in range(S):
            for k in range(K):
                f = suppliers3[p, k]
                if f >= 0:
                    self._slot[f], self._prod[f] = k, p
        sup, cell, share = fd_links
        self._fd = {(int(a), int(b)): float(v) for a, b, v in zip(sup, cell, share, strict=True)} if m else {}

    @property
    def shape(self) -> tuple[int, int]:
        return (self.n, self.n + self.m)

    @property
    def dtype(self) -> np.dtype:
        return self.shares3.dtype

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        W = np.zeros(self.shape, dtype=dtype or self.dtype)
        S, K = self.suppliers3.shape
        for p in range(S):
            for k in range(K):
                f = self.suppliers3[p, k]
                if f >= 0:
                    W[f, : self.n] = self.shares3[p, k]
        sup, cell, share = self.fd_links
        W[sup, self.n + cell] = share
        return W

    def __getitem__(self, key: Any) -> Any:
        if (
            isinstance(key, tuple)
            and len(key) == 2
            and all(np.ndim(k) >= 1 or isinstance(k, int | np.integer) for k in key)
        ):
            f = np.asarray(key[0], dtype=np.intp)
            b = np.asarray(key[1], dtype=np.intp)
            f, b = np.broadcast_arrays(f, b)
            out = np.zeros(f.shape, dtype=self.dtype)
            prod = b < self.n
            fp, bp = f[prod], b[prod]
            out[prod] = self.shares3[self._prod[fp], self._slot[fp], bp]
            fd_idx = np.flatnonzero(~prod.ravel())
            flat = out.reshape(-1)
            for i in fd_idx:
                flat[i] = self._fd.get((int(f.ravel()[i]), int(b.ravel()[i]) - self.n), 0.0)
            return out if out.ndim else out.item()
        return np.asarray(self)[key]

    def nonzero(self) -> tuple[np.ndarray, ...]:
        return np.nonzero(np.asarray(self))


@dataclass(repr=False)
class MrioWorld(World):
    """A World built from an MRIO: small tables plus the compiled arrays.

    ``regions``, ``products``, ``producers``, ``final_demand`` and ``sources`` are
    ordinary tables; ``recipes``, ``supply_links`` and ``inventories`` are built on
    first access. Consistency is checked on the arrays in :func:`from_mrio`.
    """

    compiled: CompiledWorld | None = None

    def __post_init__(self) -> None:
        for t in TABLES:
            if t not in self.tables:
                cols = [a.name for a in attributes(t)]
                self.tables[t] = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})

    def compile(self) -> CompiledWorld:
        assert self.compiled is not None
        return self.compiled

    @cached_property
    def content_hash(self) -> str:
        """SHA-256 over the compiled arrays and the small tables."""
        cw = self.compile()
        h = hashlib.sha256()
        for t in ("regions", "products", "producers", "final_demand"):
            h.update(self.tables[t].to_csv(index=False).encode())
        for a in (
            cw.x0,
            cw.capacity,
            cw.A,
            cw.y0,
            cw.target_days,
            cw.initial_days,
            cw.binding,
            cw.shares3,
            *(cw.fd_links or ()),
        ):
            h.update(np.ascontiguousarray(a).tobytes())
        return h.hexdigest()[:16]

    def to_tables(self) -> dict[str, pd.DataFrame]:
        """Every World table as a DataFrame (``World.from_tables(**w.to_tables())`` rebuilds it)."""
        return {t: self.tables[t].copy() for t in TABLES}


def _frame(io: Any, attr: str) -> pd.DataFrame:
    df = getattr(io, attr, None)
    if df is None:
        raise InputError(Problem("<mrio>", f"the MRIO has no {attr!r}; run calc_all() or give Z, Y and x", field=attr))
    if not isinstance(df, pd.DataFrame):
        raise InputError(Problem("<mrio>", f"expected a pandas DataFrame, got {type(df).__name__}", field=attr))
    return df


def _inventory_days(
    sectors: list[str], main_inv_dur: float, inventory_dict: Mapping[str, Any] | None, infinite: Iterable[str] | None
) -> np.ndarray:
    """s_p per product: main_inv_dur, or inventory_dict[p]; inf for infinite ones; <= 1 raised to 2."""
    infinite = set(infinite or [])
    unknown = (set(inventory_dict or {}) | infinite) - set(sectors)
    if unknown:
        raise InputError(
            Problem("<mrio>", f"unknown sector(s) {', '.join(sorted(map(str, unknown)))}", field="inventory_dict")
        )
    s = np.empty(len(sectors))
    for i, p in enumerate(sectors):
        v = (inventory_dict or {}).get(p, main_inv_dur)
        if isinstance(v, str) and v.lower() in ("inf", "infinity"):
            v = np.inf
        s[i] = np.inf if p in infinite else float(v)
    s[s <= 1] = 2.0  # as BoARIO: one day's use must fit in the stock
    return s


# long: validation and conversion of an MRIO into the World tables in one pass; not yet split in stages
def from_mrio(
    io: Any,
    *,
    name: str | None = None,
    version: str | None = None,
    main_inv_dur: float = 90.0,
    inventory_dict: Mapping[str, Any] | None = None,
    infinite_inventories_sect: Iterable[str] | None = None,
    alpha_max: float = 1.25,
    threshold_not_input: float = TECHNOLOGY_THRESHOLD,
    final_demand: Literal["region", "category"] = "region",
    days_per_year: float = 365.0,
    negative_final_demand: Literal["error", "clip"] = "error",
    balance_rtol: float = 1e-6,
    monetary_unit: str | None = None,
    usd_per_unit: float | None = None,
) -> MrioWorld:
    """Build a monetary ARIO :class:`World` from a balanced MRIO (see the module docstring).

    ``io`` has ``Z`` and ``Y`` DataFrames indexed by (region, sector) (columns of Y
    by (region, category)) and optionally ``x``. ``final_demand="region"`` makes one
    final-demand cell per (consuming region, product), summing the categories
    (end use ``final_demand``); ``"category"`` one per (region, category, product),
    with the category as end use. A negative final-demand cell is an error, or set
    to 0 with ``negative_final_demand="clip"`` (x is then recomputed). ``monetary_unit``
    overrides the unit read from ``io.unit``; ``usd_per_unit`` the USD value of one unit.
    """
    money, usd_value = monetary_units(io, monetary_unit, usd_per_unit)
    unit_df = getattr(io, "unit", None)
    unit_as_given = str(unit_df.iloc[0, 0]) if isinstance(unit_df, pd.DataFrame) and unit_df.size else ""
    Z, Y = _frame(io, "Z"), _frame(io, "Y")
    src = name or str(getattr(getattr(io, "meta", None), "name", None) or getattr(io, "name", "mrio"))
    if Z.index.nlevels != 2 or Y.columns.nlevels != 2:
        raise InputError(
            Problem("<mrio>", "Z rows/columns must be (region, sector) and Y columns (region, category)", field="Z")
        )
    regions = list(dict.fromkeys(str(r) for r in Z.index.get_level_values(0)))
    sectors = list(dict.fromkeys(str(s) for s in Z.index.get_level_values(1)))
    R, S = len(regions), len(sectors)
    n = R * S
    full = pd.MultiIndex.from_product([regions, sectors])
    Z = Z.copy(deep=False)
    Z.index = pd.MultiIndex.from_arrays(
        [Z.index.get_level_values(0).astype(str), Z.index.get_level_values(1).astype(str)]
    )
    Z.columns = pd.MultiIndex.from_arrays(
        [Z.columns.get_level_values(0).astype(str), Z.columns.get_level_values(1).astype(str)]
    )
    if len(Z.index) != n or not Z.index.equals(full) or not Z.columns.equals(full):
        if len(Z.index) != n or Z.index.has_duplicates or set(Z.index) != set(full) or set(Z.columns) != set(full):
            raise InputError(
                Problem("<mrio>", "Z must have every (region, sector) pair once, as rows and columns", field="Z")
            )
        Z = Z.reindex(index=full, columns=full)
    Y = Y.copy(deep=False)
    Y.index = pd.MultiIndex.from_arrays(
        [Y.index.get_level_values(0).astype(str), Y.index.get_level_values(1).astype(str)]
    )
    if not Y.index.equals(full):
        if set(Y.index) != set(full) or len(Y.index) != n:
            raise InputError(Problem("<mrio>", "Y rows must be the (region, sector) pairs of Z", field="Y"))
        Y = Y.reindex(index=full)
    y_regions = [str(r) for r in Y.columns.get_level_values(0)]
    y_cats = [str(c) for c in Y.columns.get_level_values(1)]
    if set(y_regions) - set(regions):
        raise InputError(Problem("<mrio>", "Y has consuming regions that are not rows of Z", field="Y"))
    Zv = np.asarray(Z.to_numpy(), dtype=float)
    Yv = np.asarray(Y.to_numpy(), dtype=float)
    if (Zv < 0).any():
        f = int(np.argwhere(Zv < 0)[0][0])
        raise ConsistencyError(
            Problem("<mrio>", f"negative intermediate flow (row {regions[f // S]}.{sectors[f % S]})", field="Z")
        )

    # final-demand cells: per (consuming region, product) or per (region, category, product)
    categories = list(dict.fromkeys(y_cats))
    groups: list[tuple[str, str | None]]
    if final_demand == "region":
        groups = [(r, None) for r in regions]
    elif final_demand == "category":
        groups = [(r, c) for r in regions for c in categories]
    else:
        raise InputError(Problem("<mrio>", "expected 'region' or 'category'", field="final_demand"))
    col_group = {key: i for i, key in enumerate(groups)}
    G = np.zeros((n, len(groups)))
    for j, (r, c) in enumerate(zip(y_regions, y_cats, strict=True)):
        G[:, col_group[(r, None) if final_demand == "region" else (r, c)]] += Yv[:, j]
    if (G < 0).any():
        if negative_final_demand == "clip":
            G = np.maximum(G, 0.0)
        else:
            f, g = np.argwhere(G < 0)[0]
            raise ConsistencyError(
                Problem(
                    "<mrio>",
                    f"negative final demand of {groups[g][0]} for "
                    f"{regions[f // S]}.{sectors[f % S]} ({G[f, g]:.6g}); pass "
                    "negative_final_demand='clip' to set such cells to 0",
                    field="Y",
                )
            )
    x_calc = Zv.sum(axis=1) + G.sum(axis=1)
    x_in = getattr(io, "x", None)
    if x_in is not None and negative_final_demand != "clip":
        xs = pd.DataFrame(x_in).iloc[:, 0]
        xs.index = pd.MultiIndex.from_arrays(
            [xs.index.get_level_values(0).astype(str), xs.index.get_level_values(1).astype(str)]
        )
        x = xs.reindex(full).to_numpy(float)
        scale = max(float(np.abs(x).max()), 1e-300)
        bad = np.abs(x - x_calc) > balance_rtol * np.maximum(np.abs(x), 1e-9 * scale)
        if bad.any():
            f = int(np.flatnonzero(bad)[0])
            raise ConsistencyError(
                Problem(
                    "<mrio>",
                    f"not balanced: x of {regions[f // S]}.{sectors[f % S]} is "
                    f"{x[f]:.6g} but Z and Y rows sum to {x_calc[f]:.6g}",
                    field="x",
                )
            )
    else:
        x = x_calc
    va_year = x - Zv.sum(axis=0)

    # daily flows, technical coefficients by product, market shares
    day = 1.0 / days_per_year
    x0 = x * day
    Z3 = Zv.reshape(R, S, n)
    ZS = Z3.sum(axis=0)  # (S, n)
    A = np.zeros((S, n))
    np.divide(ZS, x[None, :], out=A, where=x[None, :] > 0)
    shares3 = np.zeros((S, R, n))
    np.divide(Z3.transpose(1, 0, 2), ZS[:, None, :], out=shares3, where=ZS[:, None, :] > 0)
    suppliers3 = (np.arange(R)[None, :] * S + np.arange(S)[:, None]).astype(np.intp)  # (S, R)

    G3 = G.reshape(R, S, len(groups))
    GS = G3.sum(axis=0)  # (S, groups): amount of product p bought by cell group g
    m = S * len(groups)
    y0 = (GS.T.reshape(-1)) * day  # cell index c = g * S + p
    kk, pp, gg = np.nonzero(G3)
    fd_sup = (kk * S + pp).astype(np.intp)
    fd_cell = (gg * S + pp).astype(np.intp)
    fd_share = G3[kk, pp, gg] / GS[pp, gg]
    fd_links = (fd_sup, fd_cell, fd_share)

    s = _inventory_days(sectors, main_inv_dur, inventory_dict, infinite_inventories_sect)
    is_input = A > 0
    target = np.where(is_input, s[:, None], 0.0)
    binding = is_input & (A > threshold_not_input) & np.isfinite(target)
    capacity = float(alpha_max) * x0
    if alpha_max < 1:
        raise InputError(Problem("<mrio>", f"alpha_max must be >= 1, got {alpha_max}", field="alpha_max"))

    producers = [f"{r}.{p}" for r in regions for p in sectors]
    demands = [f"fd.{g[0]}.{p}" if g[1] is None else f"fd.{g[0]}.{g[1]}.{p}" for g in groups for p in sectors]
    fd_end_use = [("final_demand" if g[1] is None else g[1]) for g in groups for _ in sectors]
    if n * (n + m) <= DENSE_W_LIMIT:
        W: Any = np.zeros((n, n + m))
        W[:, :n] = shares3.transpose(1, 0, 2).reshape(n, n)  # row (k, p) = shares3[p, k]
        W[fd_sup, n + fd_cell] = fd_share
    else:
        W = FactoredShares(shares3, suppliers3, fd_links, n, m)
    cw = CompiledWorld(
        producers=tuple(producers),
        products=tuple(sectors),
        regions=tuple(regions),
        demands=tuple(demands),
        prod_product=np.tile(np.arange(S), R).astype(np.intp),
        prod_region=np.repeat(np.arange(R), S).astype(np.intp),
        prod_end_use=("",) * n,
        fd_product=np.tile(np.arange(S), len(groups)).astype(np.intp),
        fd_region=np.repeat([regions.index(g[0]) for g in groups], S).astype(np.intp),
        fd_end_use=tuple(fd_end_use),
        x0=x0,
        capacity=capacity,
        A=A,
        W=W,
        y0=y0,
        target_days=target,
        initial_days=target.copy(),
        unit_value=np.full(S, usd_value),
        product_unit=(money,) * S,
        shares3=shares3,
        suppliers3=suppliers3,
        fd_links=fd_links,
        binding=binding,
        value_added=va_year * day,
    )

    meta = getattr(io, "meta", None)
    srow = {
        "source_id": "mrio",
        "kind": "derived",
        "title": src,
        "url": "",
        "date": "",
        "note": f"ARIO world derived from MRIO {src!r}: yearly flows / {days_per_year:g}; amounts in "
        f"{money} per day (1 {money} = {usd_value:g} USD); inventories {main_inv_dur:g} days; alpha_max {alpha_max:g}",
    }
    tables: dict[str, pd.DataFrame] = {
        "regions": pd.DataFrame({"region": regions, "name": regions, "source": "mrio"}),
        "products": pd.DataFrame(
            {"product": sectors, "name": sectors, "unit": money, "stage": "sector", "source": "mrio"}
        ),
        "producers": pd.DataFrame(
            {
                "producer": producers,
                "region": np.repeat(regions, S),
                "product": np.tile(sectors, R),
                "capacity_per_day": capacity,
                "output_per_day": x0,
                "end_use": "",
                "source": "mrio",
            }
        ),
        "final_demand": pd.DataFrame(
            {
                "demand": demands,
                "region": [g[0] for g in groups for _ in sectors],
                "product": np.tile(sectors, len(groups)),
                "end_use": fd_end_use,
                "amount_per_day": y0,
                "source": "mrio",
            }
        ),
        "unit_values": pd.DataFrame(
            {"product": sectors, "usd_per_unit": usd_value, "unit": f"USD per {money}", "source": "mrio"}
        ),
        "sources": pd.DataFrame([srow]),
    }
    ip, jf = np.nonzero(is_input)
    n_links = int((shares3 > 0).sum()) + len(fd_share)

    def recipes() -> pd.DataFrame:
        _guard(len(ip), "recipes")
        return pd.DataFrame(
            {
                "producer": np.asarray(producers)[jf],
                "input_product": np.asarray(sectors)[ip],
                "amount_per_unit": A[ip, jf],
                "unit": f"{money} per {money}",
                "source": "mrio",
            }
        )

    def inventories() -> pd.DataFrame:
        _guard(len(ip), "inventories")
        return pd.DataFrame(
            {
                "holder": np.asarray(producers)[jf],
                "product": np.asarray(sectors)[ip],
                "days_of_cover": target[ip, jf],
                "target_days": target[ip, jf],
                "source": "mrio",
            }
        )

    def supply_links() -> pd.DataFrame:
        _guard(n_links, "supply_links")
        p_, k_, b_ = np.nonzero(shares3)
        prod_arr, sec_arr, dem_arr = np.asarray(producers), np.asarray(sectors), np.asarray(demands)
        inter = pd.DataFrame(
            {
                "buyer": prod_arr[b_],
                "product": sec_arr[p_],
                "supplier": prod_arr[suppliers3[p_, k_]],
                "share": shares3[p_, k_, b_],
            }
        )
        fd = pd.DataFrame(
            {
                "buyer": dem_arr[fd_cell],
                "product": sec_arr[fd_cell % S],
                "supplier": prod_arr[fd_sup],
                "share": fd_share,
            }
        )
        out = pd.concat([inter, fd], ignore_index=True)
        out["source"] = "mrio"
        return out

    lazy = _LazyTables(tables, {"recipes": recipes, "supply_links": supply_links, "inventories": inventories})
    metadata = {
        "name": src,
        "source": "mrio",
        "monetary_unit": money,
        "usd_per_unit": usd_value,
        "monetary_unit_as_given": monetary_unit or unit_as_given,
        "days_per_year": days_per_year,
        "main_inv_dur": main_inv_dur,
        "alpha_max": alpha_max,
        "threshold_not_input": threshold_not_input,
        "final_demand": final_demand,
        "default_target_days": main_inv_dur,
        "description": str(getattr(meta, "description", "") or ""),
    }
    return MrioWorld(
        lazy,
        name=src,
        version=str(version or getattr(meta, "version", None) or "unversioned"),
        metadata=metadata,
        compiled=cw,
    )


def _guard(rows: int, table: str) -> None:
    if rows > MAX_TABLE_ROWS:
        raise InputError(
            Problem(
                "<mrio>",
                f"the {table!r} table would have {rows:,} rows (limit "
                f"{MAX_TABLE_ROWS:,}); use world.compile() for the arrays",
                field=table,
            )
        )


_MILLION = re.compile(r"^(millions|million|mill|mio|mn|m)\b\.?\s*(of\s+)?", re.IGNORECASE)
_CURRENCY = {"usd": "USD", "us dollars": "USD", "dollars": "USD", "us$": "USD", "$": "USD", "eur": "EUR", "euro": "EUR"}


def monetary_units(io: Any, monetary_unit: str | None, usd_per_unit: float | None) -> tuple[str, float]:
    """(unit label, USD per unit) of an MRIO's monetary values.

    The label is ``monetary_unit`` or the first entry of ``io.unit``, normalised to
    "M <CUR>" for millions ("Mill USD", "Million USD", "M.USD" -> "M USD"). USD per unit is
    ``usd_per_unit``, else 1e6 for "M USD" and 1 for "USD"; any other currency needs
    ``usd_per_unit`` (an exchange rate is a choice the caller makes and records).
    A table with no unit at all is "USD" at 1 USD per unit (the legacy behaviour).
    """
    raw = monetary_unit
    if raw is None:
        unit = getattr(io, "unit", None)
        raw = str(unit.iloc[0, 0]) if isinstance(unit, pd.DataFrame) and unit.size else None
    if raw is None:
        label, factor = "USD", 1.0
    else:
        text = str(raw).strip()
        m = _MILLION.match(text)
        cur_text = text[m.end() :].strip() if m else text
        cur = _CURRENCY.get(cur_text.lower(), cur_text.upper())
        label = f"M {cur}" if m else cur
        factor = (1e6 if m else 1.0) if cur == "USD" else float("nan")
    if usd_per_unit is not None:
        factor = float(usd_per_unit)
    if not np.isfinite(factor) or factor <= 0:
        raise InputError(
            Problem(
                "<mrio>",
                f"values are in {label}: give usd_per_unit (USD per {label}, an exchange rate you choose and record)",
                field="usd_per_unit",
            )
        )
    return label, factor
