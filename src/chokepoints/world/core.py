"""The World: regions, products, producers, recipes, supply links, final demand,
inventories and unit values as tidy tables, validated on construction, and compiled
into the arrays the engine reads.

Notation (ARIO, Hallegatte 2008; as in BoARIO):

* n producers f, each making one product p(f); S products; m final-demand cells c.
* x0_f   baseline output per day; cap_f capacity per day (so alpha_max_f = cap_f / x0_f).
* A[p, f] input of product p per unit of f's output (technical coefficients, S x n).
* W[f, b] baseline share of buyer b's purchases of p(f) that come from supplier f;
  buyers b are the n producers followed by the m final-demand cells (n x (n + m)).
  For each buyer and product the shares over suppliers sum to 1.
* y0_c    baseline final demand per day of cell c.
* s[p, f] inventory target in days of use; omega0[p, f] stock at the start in days.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ConsistencyError, InputError, Problem
from .checks import check_world
from .io import read_assumptions, read_table
from .schema import TABLES, attributes

DEFAULT_TARGET_DAYS = 90.0  # BoARIO's main_inv_dur


@dataclass(frozen=True)
class CompiledWorld:
    """Plain arrays of a World, positional (no labels inside the engine)."""

    producers: tuple[str, ...]
    products: tuple[str, ...]
    regions: tuple[str, ...]
    demands: tuple[str, ...]
    prod_product: np.ndarray  # (n,) product index of each producer
    prod_region: np.ndarray  # (n,) region index
    prod_end_use: tuple[str, ...]
    fd_product: np.ndarray  # (m,)
    fd_region: np.ndarray  # (m,)
    fd_end_use: tuple[str, ...]
    x0: np.ndarray  # (n,)
    capacity: np.ndarray  # (n,)
    A: np.ndarray  # (S, n)
    W: np.ndarray  # (n, n + m)
    y0: np.ndarray  # (m,)
    target_days: np.ndarray  # (S, n); 0 where p is not an input of f
    initial_days: np.ndarray  # (S, n)
    unit_value: np.ndarray  # (S,) USD per unit; nan where unknown
    product_unit: tuple[str, ...]
    # Optional, set by World.from_mrio (None for table worlds). The engine uses them
    # instead of the dense W when present:
    #   shares3[p, k, b] = W[suppliers3[p, k], b], the share of producer-buyer b's
    #   purchases of product p from its k-th supplier (suppliers3 is -1 on padding);
    #   fd_links = (supplier, cell, share) triplets of the final-demand part W[:, n:];
    #   binding[p, f]: input p can limit f's output (BoARIO's threshold_not_input rule).
    shares3: np.ndarray | None = None  # (S, K, n)
    suppliers3: np.ndarray | None = None  # (S, K)
    fd_links: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    binding: np.ndarray | None = None  # (S, n) bool
    # value added per day of each producer, in its product's unit (MRIO worlds: x - Z summed over rows)
    value_added: np.ndarray | None = None  # (n,)

    @property
    def n(self) -> int:
        return len(self.producers)

    @property
    def m(self) -> int:
        return len(self.demands)

    @property
    def S(self) -> int:
        return len(self.products)

    @property
    def buyer_region(self) -> np.ndarray:
        return np.concatenate([self.prod_region, self.fd_region])

    @property
    def buyer_end_use(self) -> tuple[str, ...]:
        return self.prod_end_use + self.fd_end_use


@dataclass
class World:
    """A validated set of World tables.

    Build one with :func:`load_world` (a bundled dataset name or a folder of CSV
    files), :meth:`World.from_tables` (DataFrames) or :meth:`World.from_mrio`.
    Construction runs every ``check_*`` in :mod:`chokepoints.world.checks` and raises
    :class:`~chokepoints.errors.ConsistencyError` naming file, row and column.
    """

    tables: dict[str, pd.DataFrame]
    name: str = "custom"
    version: str = "unversioned"
    metadata: dict[str, Any] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    require_sources: bool = False
    #: the dataset's ``assumptions.csv`` (id, value, unit, low, high, reason); empty if it has none
    assumptions: pd.DataFrame | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        for t in TABLES:
            if t not in self.tables:
                cols = [a.name for a in attributes(t)]
                self.tables[t] = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
        problems = check_world(self, sources=self.require_sources or len(self.tables["sources"]) > 0)
        if problems:
            raise ConsistencyError(problems)

    # -- construction -------------------------------------------------------------------
    @classmethod
    def from_folder(cls, folder: str | Path, require_sources: bool = False) -> World:
        """Read every table ``<table>.csv`` (and optional ``dataset.yaml``) from ``folder``."""
        folder = Path(folder)
        if not folder.is_dir():
            raise InputError(Problem(str(folder), "not a folder of World tables (or a bundled dataset name)"))
        meta: dict[str, Any] = {}
        meta_path = folder / "dataset.yaml"
        if meta_path.exists():
            meta = _read_metadata(meta_path)
        tables: dict[str, pd.DataFrame] = {}
        problems: list[Problem] = []
        optional = {"unit_values", "inventories", "sources"}
        for t in TABLES:
            df, found = read_table(folder / f"{t}.csv", t, required=t not in optional)
            tables[t] = df
            problems.extend(found)
        if (folder / "sources.csv").exists() and not found_rows(tables["sources"]):
            problems.append(
                Problem(
                    str(folder / "sources.csv"),
                    "sources.csv has no rows: every row of the other tables must cite a source here",
                    line=2,
                )
            )
        assumptions, found = read_assumptions(folder)
        problems.extend(found)
        if problems:
            raise ConsistencyError(problems)
        files = {t: str(folder / f"{t}.csv") for t in TABLES}
        return cls(
            tables,
            name=str(meta.get("name", folder.name)),
            version=str(meta.get("version", "unversioned")),
            metadata=meta,
            files=files,
            require_sources=require_sources,
            assumptions=assumptions,
        )

    @classmethod
    def from_tables(
        cls,
        name: str = "custom",
        version: str = "unversioned",
        metadata: dict[str, Any] | None = None,
        **tables: pd.DataFrame,
    ) -> World:
        """Build from DataFrames keyed by table name; missing optional columns take defaults."""
        unknown = set(tables) - set(TABLES)
        if unknown:
            raise InputError(f"unknown World table(s): {', '.join(sorted(unknown))}")
        prepared: dict[str, pd.DataFrame] = {}
        for t, df in tables.items():
            df = df.copy()
            for a in attributes(t):
                if a.name not in df.columns:
                    if a.type == "float" and a.default and a.default in df.columns:
                        df[a.name] = df[a.default]
                    elif a.type == "float" and a.default:
                        df[a.name] = float(a.default)
                    elif a.type == "float":
                        raise InputError(Problem(f"<{t}>", "missing column", field=a.name))
                    else:
                        df[a.name] = ""
                df[a.name] = df[a.name].astype(float) if a.type == "float" else df[a.name].fillna("").astype(str)
            prepared[t] = df[[a.name for a in attributes(t)]].reset_index(drop=True)
        return cls(prepared, name=name, version=version, metadata=dict(metadata or {}))

    @classmethod
    def from_mrio(cls, iosystem: Any, **options: Any) -> World:
        """A monetary ARIO World from a balanced MRIO (``pymrio.IOSystem``: Z, Y, x).

        Products are the MRIO sectors (unit USD), producers the (region, sector)
        pairs. See :func:`chokepoints.world.mrio.from_mrio` for the options
        (``main_inv_dur``, ``alpha_max``, ``threshold_not_input``, ``final_demand``...).
        """
        from .mrio import from_mrio

        return from_mrio(iosystem, **options)

    # -- access -------------------------------------------------------------------------
    def file_of(self, table: str) -> str:
        return self.files.get(table, f"<{self.name}:{table}>")

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    def __repr__(self) -> str:
        t = self.tables
        version = self.version if str(self.version).startswith("v") else f"v{self.version}"
        return (
            f"<World {self.name!r} {version}: {len(t['regions'])} regions, "
            f"{len(t['products'])} products, {len(t['producers'])} producers, "
            f"{len(t['supply_links'])} supply links, {len(t['final_demand'])} final-demand cells>"
        )

    @cached_property
    def content_hash(self) -> str:
        """SHA-256 over every table's CSV text: identifies the exact data a run used."""
        h = hashlib.sha256()
        for t in TABLES:
            h.update(t.encode())
            h.update(self.tables[t].to_csv(index=False).encode())
        return h.hexdigest()[:16]

    @property
    def default_target_days(self) -> float:
        return float(self.metadata.get("default_target_days", DEFAULT_TARGET_DAYS))

    def compile(self) -> CompiledWorld:
        """Positional arrays for the engine (see the module docstring for notation)."""
        return _compile(self)


def _compile(w: World) -> CompiledWorld:
    t = w.tables
    products = tuple(t["products"]["product"])
    regions = tuple(t["regions"]["region"])
    producers = tuple(t["producers"]["producer"])
    demands = tuple(t["final_demand"]["demand"])
    pi = {p: i for i, p in enumerate(products)}
    ri = {r: i for i, r in enumerate(regions)}
    fi = {f: i for i, f in enumerate(producers)}
    n, m, S = len(producers), len(demands), len(products)
    bi = {**fi, **{d: n + j for j, d in enumerate(demands)}}
    prod = t["producers"]
    A = np.zeros((S, n))
    for r in t["recipes"].itertuples():
        A[pi[r.input_product], fi[r.producer]] += r.amount_per_unit
    W = np.zeros((n, n + m))
    for r in t["supply_links"].itertuples():
        W[fi[r.supplier], bi[r.buyer]] += r.share
    is_input = A > 0
    target = np.where(is_input, w.default_target_days, 0.0)
    initial = target.copy()
    for r in t["inventories"].itertuples():
        target[pi[r.product], fi[r.holder]] = r.target_days
        initial[pi[r.product], fi[r.holder]] = r.days_of_cover
    unit_value = np.full(S, np.nan)
    for r in t["unit_values"].itertuples():
        unit_value[pi[r.product]] = r.usd_per_unit
    fd = t["final_demand"]
    return CompiledWorld(
        producers=producers,
        products=products,
        regions=regions,
        demands=demands,
        prod_product=np.array([pi[p] for p in prod["product"]], dtype=np.intp),
        prod_region=np.array([ri[r] for r in prod["region"]], dtype=np.intp),
        prod_end_use=tuple(prod["end_use"]),
        fd_product=np.array([pi[p] for p in fd["product"]], dtype=np.intp),
        fd_region=np.array([ri[r] for r in fd["region"]], dtype=np.intp),
        fd_end_use=tuple(fd["end_use"]),
        x0=prod["output_per_day"].to_numpy(float),
        capacity=prod["capacity_per_day"].to_numpy(float),
        A=A,
        W=W,
        y0=fd["amount_per_day"].to_numpy(float),
        target_days=target,
        initial_days=initial,
        unit_value=unit_value,
        product_unit=tuple(t["products"]["unit"]),
    )


def _read_metadata(path: Path) -> dict[str, Any]:
    """``dataset.yaml``: a mapping; ``default_target_days`` (if given) a finite number of days > 0."""
    import math

    from ..yamlio import locate, read_yaml_file

    data, marks, _ = read_yaml_file(path)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(Problem(str(path), "expected a mapping of dataset fields", 1, 1))
    v = data.get("default_target_days")
    if "default_target_days" in data and (
        isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or not 0 < v <= 36500
    ):
        line, column = locate(marks, ("default_target_days",))
        raise InputError(
            Problem(
                str(path),
                f"expected a number of days in (0, 36500], got {v!r}",
                line,
                column,
                field="default_target_days",
            )
        )
    return data


def found_rows(df: pd.DataFrame) -> bool:
    return len(df) > 0
