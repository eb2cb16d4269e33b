"""Static price-and-quantity mode for a cut-off: what an exporter's ban on products costs its buyers.

``price_quantity_cutoff(world, exporter, products, destinations)`` answers questions such as "what
would a full Chinese ban on gallium cost the US economy?" without simulating days: a partial-
equilibrium supply shock in the market of each cut product, priced with an explicit demand
elasticity and passed through the World's input-output structure (value terms, per year, as
:mod:`chokepoints.indicators.io_static`). The timing of a shortage (stocks, orders, rationing) is
the dynamic engine's job (``chokepoints run``).

Notation (all flows in USD per year at the World's unit values: Z[f, b] = producer f's sales to
producer b, y[f, r] = f's sales to final users of region r, x = output, va = value added, capacity
K; D = the destination regions; P = the cut products; S_p = the producers of p, E_p those of the
exporter, O_p = S_p less E_p the other suppliers; "b in D" = a producer located in D):

1. Market of p in D (baseline). Purchases Q_p = sum over f in S_p of sales_D[f], with
   sales_D[f] = sum over b in D of Z[f, b] + sum over r in D of y[f, r]. Withheld supply
   C_p = share x sum over f in E_p of sales_D[f] (share = 1 for a full ban); gross share C_p / Q_p.
2. Substitution. Replaceable volume cap_p = sum over f in O_p of (max(K_f - x_f, 0) + f's sales to
   buyers outside D), i.e. spare capacity plus sales the exporter can backfill (trade diversion);
   replaced R_p = phi x min(C_p, cap_p) with phi the substitution share. Net shortfall share
   s_p = (C_p - R_p) / Q_p, the same for every buyer in D (proportional rationing).
3. Price. Linear inverse demand through the baseline with point elasticity epsilon (the welfare
   triangle of Harberger 1964; Just, Hueth and Schmitz 2004, ch. 2): p1 / p0 - 1 = s / epsilon,
   so the price reaches the choke price p0 (1 + 1 / epsilon) when nothing is left (s = 1). The
   first-order form of the constant-elasticity demand d ln p = -(1 / epsilon) d ln q.
4. Quantity through the structure, downstream (Ghosh supply-driven model, Miller and Blair 2009,
   section 12.1: dx' = delta' G, G = (I - B)^-1, B = Z / x by rows), for two bounds on how a buyer
   copes with a missing input:
   substitutable (low): delta_b = sum over p of s_p Z_p[b], the value of the input b loses
   (Z_p[b] = sum over f in S_p of Z[f, b] for b in D, 0 elsewhere; at most the complementary
   delta_b, which it exceeds only for a producer whose inputs are worth more than its output);
   complementary (high): delta_b = max over the p that b buys of s_p x x_b (fixed proportions: b's
   output falls with its scarcest input, the Leontief production function).
   Output lost dx = min(delta' G, x); value added lost = v dx with v = clip(va / x, 0, 1). The
   substitutable bound is the first-order form of the hypothetical extraction in io_static
   (x - x* = x' dB G); Ghosh keeps no fixed proportions, hence the complementary bound beside it.
5. Price through the structure (Leontief price model, Miller and Blair 2009, section 2.6:
   dp' = dc' (I - A_np)^-1): the cost of b in D rises by dc_b = sum over p of
   (p1 / p0 - 1) (1 - s_p) Z_p[b] / x_b; A_np = Z / x by columns with the rows of the producers of
   cut products set to 0 (their price is the market's, step 3). cost_push_b = dp_b (a share).
   Import cost (terms of trade) of region r in D: sum over p of (p1 / p0 - 1) x
   max((1 - s_p) Q_p,r - Dom_p,r, 0), with Q_p,r r's purchases of p and Dom_p,r those from r's
   own producers: the extra paid abroad for what is still bought.
6. Upstream of the exporter (Leontief demand-driven, dx = L dd, L = (I - A)^-1): the exporter's
   producers lose their withheld sales (dd_f = -share x sales_D[f], f in E_p) and the other
   suppliers gain what they redirect (dd_f = R_p cap_f / cap_p, f in O_p).

Every USD figure is the annual rate x days / 365 (days = the length of the cut-off). The
elasticity epsilon, the substitution share phi and the days are uncertain parameters, drawn by
the project's one sampler (:func:`chokepoints.scenario.sampling.sample`, Latin hypercube from a
seed) from the bundled assumption table ``datasets/data/cutoff/assumptions.csv`` unless given;
the 5 / 50 / 95 % bands are over the runs (:mod:`chokepoints.indicators.cutoff_tables`).
Losses of the destinations (value added lost + import cost) are a cost to them; gains of other
suppliers' regions from higher prices are not counted.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from pydantic import ValidationError

from ..errors import InputError, Problem
from ..scenario.uncertainty import UncertainParameter
from ..world import World
from .io_static import io_table

PARAMETERS = ("elasticity", "substitution", "days")
"""The uncertain parameters of the mode, in draw order."""

LIMITS: dict[str, tuple[float, float, bool]] = {
    "elasticity": (0.0, float("inf"), False),  # (low, high, low inclusive)
    "substitution": (0.0, 1.0, True),
    "days": (0.0, 36500.0, False),
}

ParameterSpec = float | str | UncertainParameter | Mapping[str, Any] | None
"""None (the bundled assumption), a number (fixed), ``"LOW:HIGH"`` (uniform), ``"LOW:MODE:HIGH"``
(triangular), an :class:`UncertainParameter` or its fields as a mapping."""


def assumptions_path() -> Path:
    """The bundled table of the mode's uncertain parameters (``id, value, unit, low, high, reason``)."""
    return Path(str(resources.files("chokepoints.datasets").joinpath("data", "cutoff", "assumptions.csv")))


def default_parameters(path: str | Path | None = None) -> dict[str, UncertainParameter]:
    """The rows ``A.cutoff.<name>`` of the assumption table as uncertain parameters.

    triangular(low, value, high), or a single value (``choice``) where low = high; e.g. for the bundled
    table elasticity triangular(0.1, 0.35, 1.0), substitution triangular(0, 0.25, 0.75), days 365.
    """
    p = Path(path) if path is not None else assumptions_path()
    rows = {r["id"]: r for r in csv.DictReader(p.open(encoding="utf-8", newline=""))}
    out = {}
    for name in PARAMETERS:
        r = rows[f"A.cutoff.{name}"]
        value, lo, hi = float(r["value"]), float(r["low"]), float(r["high"])
        note = f"assumption A.cutoff.{name} ({p.name})"
        spec: dict[str, Any] = (
            {"distribution": "choice", "values": [value]}
            if lo == hi
            else {"distribution": "triangular", "low": lo, "mode": value, "high": hi}
        )
        out[name] = UncertainParameter.model_validate({"parameter": _path(name), "note": note, **spec})
    return out


def _path(name: str) -> str:
    return f"events.cutoff.{name}"


def parse_parameter(name: str, spec: ParameterSpec, where: str | None = None) -> UncertainParameter | None:
    """One parameter spec as an UncertainParameter (None for the default); located InputError if bad."""
    where = where or name
    if spec is None:
        return None
    try:
        if isinstance(spec, UncertainParameter):
            u = spec.model_copy(update={"parameter": _path(name)})
        elif isinstance(spec, Mapping):
            u = UncertainParameter.model_validate({**spec, "parameter": _path(name)})
        else:
            parts = [float(spec)] if isinstance(spec, int | float) else [float(v) for v in str(spec).split(":")]
            if len(parts) == 1:
                fields: dict[str, Any] = {"distribution": "choice", "values": parts}
            elif len(parts) == 2:
                fields = {"distribution": "uniform", "low": parts[0], "high": parts[1]}
            elif len(parts) == 3:
                fields = {"distribution": "triangular", "low": parts[0], "mode": parts[1], "high": parts[2]}
            else:
                raise ValueError("expected VALUE, LOW:HIGH or LOW:MODE:HIGH")
            u = UncertainParameter.model_validate({"parameter": _path(name), **fields})
    except ValidationError as exc:
        msg = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        raise InputError(Problem(where, msg, field=name)) from None
    except (ValueError, TypeError):
        msg = f"expected VALUE, LOW:HIGH or LOW:MODE:HIGH (numbers), got {spec!r}"
        raise InputError(Problem(where, msg, field=name)) from None
    return u


def _check_range(name: str, u: UncertainParameter, values: np.ndarray, where: str) -> None:
    """The distribution's support (and every draw) within the parameter's limits; located InputError."""
    from ..scenario.model import support

    lo, hi, lo_inc = LIMITS[name]
    span = support(u)
    reach = np.asarray([] if span is None else span, float)
    for arr, what in ((reach, "this distribution reaches"), (np.asarray(values, float), "a run drew")):
        bad = np.isnan(arr) | (arr > hi) | ((arr < lo) if lo_inc else (arr <= lo))
        if what == "a run drew":
            bad |= ~np.isfinite(arr)
        if bad.any():
            left = "[" if lo_inc else "("
            raise InputError(
                Problem(
                    where, f"{name} must stay within {left}{lo:g}, {hi:g}]; {what} {float(arr[bad][0]):g}", field=name
                )
            )


@dataclass(frozen=True)
class ValueTable:
    """The baseline per year in USD (see the module docstring)."""

    producers: tuple[str, ...]
    regions: tuple[str, ...]
    region: np.ndarray  # (n,) region index
    product: np.ndarray  # (n,) product label
    Z: np.ndarray  # (n, n)
    y: np.ndarray  # (n, R) final sales to each region's final users
    x: np.ndarray
    va: np.ndarray
    spare: np.ndarray  # (n,) max(capacity - output, 0)


def value_table(world: World) -> ValueTable:
    """Z, y, x, va and spare capacity of ``world`` in USD per year (unit values from the World)."""
    t = io_table(world)
    uv = np.asarray(t.usd_per_unit, float)
    if not np.isfinite(uv).all():
        bad = [p for p, u in zip(t.producers, uv, strict=True) if not np.isfinite(u)][:3]
        raise InputError(
            Problem(
                world.file_of("unit_values"),
                "the cut-off mode works in USD and needs a unit value for every product; none for the product of "
                + ", ".join(bad),
                field="usd_per_unit",
            )
        )
    cap = np.asarray(world.compile().capacity, float)
    k = 365.0 * uv
    regions = tuple(t.regions)
    reg_index = {r: i for i, r in enumerate(regions)}
    return ValueTable(
        producers=tuple(t.producers),
        regions=regions,
        region=np.array([reg_index[r] for r in t.region], dtype=np.intp),
        product=np.asarray(t.product),
        Z=t.Z * k[:, None],
        y=t.y_by_region * k[:, None],
        x=t.x * k,
        va=t.va * k,
        spare=np.maximum(cap - t.x, 0.0) * k,
    )


def _solve_rows(M: np.ndarray, rhs: np.ndarray, what: str) -> np.ndarray:
    """Rows r of rhs times M^-1 (r' M^-1), for many runs at once."""
    try:
        return np.linalg.solve(M.T, rhs.T).T
    except np.linalg.LinAlgError:
        raise InputError(Problem("<world>", f"the {what} matrix is singular; the World is not productive")) from None


def cutoff_kernel(
    vt: ValueTable,
    suppliers: list[np.ndarray],
    exporter_rows: list[np.ndarray],
    dest: np.ndarray,
    share: float,
    elasticity: np.ndarray,
    substitution: np.ndarray,
    days: np.ndarray,
) -> dict[str, np.ndarray]:
    """The arrays of the module docstring for R runs (pure NumPy, positional).

    ``suppliers[k]`` / ``exporter_rows[k]``: producer indexes of S_p / E_p of cut product k;
    ``dest``: (R_regions,) bool mask of D; elasticity, substitution, days: (runs,) draws.
    """
    n, nR = vt.Z.shape[0], vt.y.shape[1]
    in_D = dest[vt.region]  # (n,) buyer producer in D
    x = vt.x
    v = np.clip(np.divide(vt.va, x, out=np.zeros(n), where=x > 0), 0.0, 1.0)
    v[np.abs(vt.va) <= 1e-9 * x] = 0.0  # rounding of a producer valued at its inputs
    sales_D = vt.Z[:, in_D].sum(axis=1) + vt.y[:, dest].sum(axis=1)  # (n,)
    sales_out = vt.Z[:, ~in_D].sum(axis=1) + vt.y[:, ~dest].sum(axis=1)
    P = len(suppliers)
    runs = len(elasticity)
    Q, C, cap = np.zeros(P), np.zeros(P), np.zeros(P)
    s, price, replaced = np.zeros((runs, P)), np.zeros((runs, P)), np.zeros((runs, P))
    Zp = np.zeros((P, n))  # value of p bought by each producer in D
    Qr = np.zeros((P, nR))  # purchases of p by each region (producers + final users)
    Dom = np.zeros((P, nR))  # ... from the region's own producers of p
    dd = np.zeros((runs, n))  # demand change for the suppliers (step 6)
    for k, (S_p, E_p) in enumerate(zip(suppliers, exporter_rows, strict=True)):
        O_p = np.setdiff1d(S_p, E_p)
        Q[k] = sales_D[S_p].sum()
        C[k] = share * sales_D[E_p].sum()
        cap_f = vt.spare[O_p] + sales_out[O_p]
        cap[k] = cap_f.sum()
        replaced[:, k] = substitution * min(C[k], cap[k])
        s[:, k] = np.divide(C[k] - replaced[:, k], Q[k], out=np.zeros(runs), where=Q[k] > 0)
        price[:, k] = s[:, k] / elasticity
        Zp[k] = np.where(in_D, vt.Z[S_p].sum(axis=0), 0.0)
        buy_by_region = np.zeros((len(S_p), nR))
        np.add.at(buy_by_region.T, vt.region, vt.Z[S_p].T)
        buy_by_region += vt.y[S_p]
        Qr[k] = buy_by_region.sum(axis=0)
        Dom[k] = [buy_by_region[vt.region[S_p] == r, r].sum() for r in range(nR)]
        dd[:, E_p] -= share * sales_D[E_p][None, :]
        if cap[k] > 0:
            dd[:, O_p] += replaced[:, k][:, None] * (cap_f / cap[k])[None, :]
    scale = days / 365.0  # (runs,)
    # step 4: Ghosh downstream, two bounds
    B = np.divide(vt.Z, x[:, None], out=np.zeros_like(vt.Z), where=x[:, None] > 0)
    I_B = np.eye(n) - B
    buys = Zp > 0  # (P, n)
    delta_high = (s[:, :, None] * buys[None, :, :]).max(axis=1, initial=0.0) * x[None, :]
    delta_low = np.minimum(s @ Zp, delta_high)  # inputs worth more than the output (va < 0): capped
    dx_low = np.minimum(_solve_rows(I_B, delta_low, "Ghosh"), x[None, :])
    dx_high = np.minimum(_solve_rows(I_B, delta_high, "Ghosh"), x[None, :])
    # step 5: Leontief price model and import cost
    A = np.divide(vt.Z, x[None, :], out=np.zeros_like(vt.Z), where=x[None, :] > 0)
    A_np = A.copy()
    for S_p in suppliers:
        A_np[S_p, :] = 0.0
    a_p = np.divide(Zp, x[None, :], out=np.zeros_like(Zp), where=x[None, :] > 0)
    dc = (price * (1.0 - s)) @ a_p
    cost_push = _solve_rows(np.eye(n) - A_np, dc, "Leontief price")
    remaining = (1.0 - s)[:, :, None] * Qr[None, :, :] - Dom[None, :, :]  # (runs, P, nR)
    import_cost = (price[:, :, None] * np.maximum(remaining, 0.0)).sum(axis=1) * dest[None, :]
    # step 6: Leontief upstream of the exporter and the other suppliers
    dx_back = np.linalg.solve(np.eye(n) - A, dd.T).T
    sc = scale[:, None]
    return {
        "purchases": Q,
        "withheld": C,
        "replaceable": cap,
        "replaced": replaced * sc,
        "shortfall_share": s,
        "price_rise": price,
        "output_lost_low": dx_low * sc,
        "output_lost_high": dx_high * sc,
        "value_added_lost_low": v * dx_low * sc,
        "value_added_lost_high": v * dx_high * sc,
        "cost_push": cost_push,
        "import_cost": import_cost * sc,
        "output_change_upstream": dx_back * sc,
        "value_added_change_upstream": v * dx_back * sc,
    }


def _draw(
    specs: Mapping[str, ParameterSpec], runs: int, seed: int, where: Mapping[str, str]
) -> tuple[xr.DataArray, list[UncertainParameter]]:
    from ..scenario.model import Scenario
    from ..scenario.sampling import sample

    unknown = sorted(set(specs) - set(PARAMETERS))
    if unknown:
        raise InputError(Problem("parameters", f"unknown parameter(s) {', '.join(unknown)}; expected {PARAMETERS}"))
    defaults = default_parameters()
    chosen = []
    for name in PARAMETERS:
        u = parse_parameter(name, specs.get(name), where.get(name, name))
        chosen.append(defaults[name] if u is None else u)
    sc = Scenario.from_dict(
        {"name": "cutoff", "start": "2000-01-01", "runs": runs, "seed": seed, "uncertain": chosen}, "<cutoff>"
    )
    draw = sample(sc, runs=runs, seed=seed)
    draw = draw.assign_coords(parameter=list(PARAMETERS))
    for j, name in enumerate(PARAMETERS):
        _check_range(name, chosen[j], draw.values[:, j], where.get(name, name))
    return draw, chosen


def price_quantity_cutoff(
    world: World,
    exporter: str,
    products: str | Sequence[str],
    destinations: Sequence[str] | None = None,
    *,
    share: float = 1.0,
    runs: int = 200,
    seed: int = 0,
    elasticity: ParameterSpec = None,
    substitution: ParameterSpec = None,
    days: ParameterSpec = None,
    where: Mapping[str, str] | None = None,
) -> xr.Dataset:
    """Cost of ``exporter`` withholding ``share`` of its sales of ``products`` to ``destinations``.

    Method and formulas: the module docstring. ``destinations`` default to every other region.
    ``elasticity``, ``substitution`` and ``days``: see :data:`ParameterSpec` (default: the bundled
    assumptions). ``where`` names the input of each parameter in error messages (the CLI passes its
    flags). Returns an xarray Dataset with dims ``run``, ``product`` (the cut products), ``producer``
    (coords ``producer_region``, ``producer_product``), ``region`` and ``parameter``; USD over the
    cut-off's days (variables and units in ``attrs``). Summaries: :mod:`.cutoff_tables`.
    """
    where = dict(where or {})
    if isinstance(products, str):
        products = [products]
    products = list(dict.fromkeys(products))
    if not products:
        raise InputError(Problem(where.get("products", "products"), "give at least one product", field="products"))
    if not 0.0 <= float(share) <= 1.0:
        raise InputError(Problem(where.get("share", "share"), f"must be within [0, 1], got {share}", field="share"))
    if int(runs) < 1:
        raise InputError(Problem(where.get("runs", "runs"), f"must be at least 1, got {runs}", field="runs"))
    vt = value_table(world)
    regions = list(vt.regions)
    if exporter not in regions:
        raise InputError(
            Problem(
                where.get("exporter", "exporter"),
                f"unknown region {exporter!r}; the world has " + ", ".join(regions),
                field="exporter",
            )
        )
    dest_list = [r for r in regions if r != exporter] if destinations is None else list(dict.fromkeys(destinations))
    for r in dest_list:
        if r not in regions:
            raise InputError(
                Problem(where.get("destinations", "destinations"), f"unknown region {r!r}", field="destinations")
            )
    if exporter in dest_list:
        raise InputError(
            Problem(
                where.get("destinations", "destinations"),
                f"the exporter {exporter} cannot be a destination",
                field="destinations",
            )
        )
    if not dest_list:
        raise InputError(Problem(where.get("destinations", "destinations"), "no destination", field="destinations"))
    e = regions.index(exporter)
    suppliers, exporter_rows = [], []
    for p in products:
        S_p = np.flatnonzero(vt.product == p)
        E_p = S_p[vt.region[S_p] == e]
        if E_p.size == 0:
            raise InputError(Problem(where.get("products", "products"), f"{exporter} makes no {p!r}", field="products"))
        suppliers.append(S_p)
        exporter_rows.append(E_p)
    dest = np.isin(np.array(regions), dest_list)
    draw, chosen = _draw(
        {"elasticity": elasticity, "substitution": substitution, "days": days}, int(runs), int(seed), where
    )
    vals = draw.values
    out = cutoff_kernel(vt, suppliers, exporter_rows, dest, float(share), vals[:, 0], vals[:, 1], vals[:, 2])
    return _dataset(world, vt, out, draw, chosen, exporter, products, dest_list, float(share))


UNITS = {
    "purchases": "USD per year",
    "withheld": "USD per year",
    "replaceable": "USD per year",
    "replaced": "USD over the cut-off",
    "shortfall_share": "share of the destinations' purchases",
    "price_rise": "share of the baseline price",
    "cost_push": "share of the producer's baseline price",
}


def _dataset(
    world: World,
    vt: ValueTable,
    out: dict[str, np.ndarray],
    draw: xr.DataArray,
    chosen: list[UncertainParameter],
    exporter: str,
    products: list[str],
    dest: list[str],
    share: float,
) -> xr.Dataset:
    runs = draw.sizes["run"]
    by_product = {"purchases", "withheld", "replaceable"}
    run_product = {"replaced", "shortfall_share", "price_rise"}
    data: dict[str, Any] = {"parameters": draw.rename("parameters")}
    for k, arr in out.items():
        if k in by_product:
            data[k] = ("product", arr)
        elif k in run_product:
            data[k] = (("run", "product"), arr)
        elif k == "import_cost":
            data[k] = (("run", "region"), arr)
        else:
            data[k] = (("run", "producer"), arr)
    ds = xr.Dataset(
        data,
        coords={
            "run": np.arange(runs),
            "product": products,
            "producer": list(vt.producers),
            "producer_region": ("producer", [vt.regions[i] for i in vt.region]),
            "producer_product": ("producer", [str(p) for p in vt.product]),
            "region": list(vt.regions),
            "value_added": ("producer", vt.va),
        },
    )
    for var in ds.data_vars:
        ds[var].attrs["units"] = UNITS.get(str(var), "USD over the cut-off")
    ds.attrs.update(
        {
            "world": world.name,
            "exporter": exporter,
            "destinations": ",".join(dest),
            "share": share,
            "seed": int(draw.attrs["seed"]),
            "method": "chokepoints.indicators.cutoff (linear inverse demand; Ghosh and Leontief models)",
            "parameters": "; ".join(f"{n}: {_describe(u)}" for n, u in zip(PARAMETERS, chosen, strict=True)),
        }
    )
    return ds


def _describe(u: UncertainParameter) -> str:
    if u.distribution == "choice" and u.values and len(u.values) == 1:
        return f"{u.values[0]:g}"
    if u.distribution == "uniform":
        return f"uniform({u.low:g}, {u.high:g})"
    if u.distribution == "triangular":
        return f"triangular({u.low:g}, {u.mode:g}, {u.high:g})"
    return u.distribution


__all__ = [
    "PARAMETERS",
    "ParameterSpec",
    "ValueTable",
    "assumptions_path",
    "cutoff_kernel",
    "default_parameters",
    "parse_parameter",
    "price_quantity_cutoff",
    "value_table",
]
