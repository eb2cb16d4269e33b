"""Static input-output analysis of any World: Leontief and Ghosh multipliers, hypothetical extraction.

Notation and functions as pymrio (``pymrio.tools.iomath``), per day of the World's baseline:

* Z[f, b] = W[f, b] * A^S[p(f), b] * x0_b: producer f's sales to producer b (A^S the World's
  product-by-producer coefficients, W the market shares); y_f = final-demand purchases from f.
* x = Z summed over columns + y; A = Z / x (column-wise, ``calc_A``); L = (I - A)^-1 (``calc_L``).
* Value added v_f = va_f / x_f with va = x - Z summed over rows (or the World's own value added).
* Ghosh: B = Z / x (row-wise, ``calc_B``), G = (I - B)^-1 (``calc_G``).
* Output multiplier of f: sum over rows of L[:, f]; value-added multiplier: sum_i v_i L[i, f];
  Ghosh (forward) multiplier: sum over columns of G[f, :].
* Hypothetical extraction (Miller and Blair 2009, section 12.2; Dietzenbacher and Lahr 2013) of the
  sales of one exporter's product (rows f*) to a set of destination regions D:
  backward (Leontief, demand-driven): A* = A with A[f*, b] = 0 for buyers b in D, y* = y less f*'s
  final sales to D; x* = (I - A*)^-1 y*; x - x* is the output of the exporter and its suppliers that
  depends on those sales.
  forward (Ghosh, supply-driven): B* = B with B[f*, b] = 0 for b in D; x*' = va' (I - B*)^-1;
  x - x* is the output of the buyers downstream that the supply carries (Ghosh keeps no fixed
  proportions, so it is a lower bound for a buyer that cannot do without the input).
  Value added at risk = v * (x - x*), summed by region.

Amounts are in the World's product units (money for MRIO worlds: ``usd`` columns multiply by USD per
unit). For a table world with physical units the sums over producers of different products are not
meaningful; use it on monetary (MRIO or hybrid) Worlds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ..world import World


@dataclass(frozen=True)
class IOTable:
    """The baseline per day as an input-output table (see the module docstring)."""

    producers: tuple[str, ...]
    region: np.ndarray  # (n,) region label of each producer
    product: np.ndarray  # (n,) product label
    Z: np.ndarray  # (n, n)
    y: np.ndarray  # (n,) total final sales of f
    y_by_region: np.ndarray  # (n, R) final sales of f to each consuming region
    regions: tuple[str, ...]
    x: np.ndarray
    va: np.ndarray
    usd_per_unit: np.ndarray  # (n,)


def io_table(world: World) -> IOTable:
    """Z, y, x and value added of ``world``'s baseline, per day."""
    cw = world.compile()
    n = cw.n
    W = np.asarray(cw.W)
    need = cw.A[cw.prod_product, :] * cw.x0[None, :]  # (n, n): f's product needed by b
    Z = W[:, :n] * need
    Yc = W[:, n:] * cw.y0[None, :]  # (n, m)
    R = len(cw.regions)
    y_by_region = np.zeros((n, R))
    for r in range(R):
        y_by_region[:, r] = Yc[:, cw.fd_region == r].sum(axis=1)
    y = Yc.sum(axis=1)
    x = cw.x0.astype(float)
    va = cw.value_added if cw.value_added is not None else x - Z.sum(axis=0)
    uv = cw.unit_value[cw.prod_product]
    return IOTable(
        producers=cw.producers,
        region=np.asarray(cw.regions)[cw.prod_region],
        product=np.asarray(cw.products)[cw.prod_product],
        Z=Z,
        y=y,
        y_by_region=y_by_region,
        regions=cw.regions,
        x=x,
        va=np.asarray(va, float),
        usd_per_unit=np.where(np.isfinite(uv), uv, np.nan),
    )


def _iomath():
    try:
        from pymrio.tools import iomath
    except ImportError:  # pragma: no cover - depends on the environment
        raise InputError(
            Problem("<world>", "static multipliers need pymrio: pip install 'chokepoints[mrio]'")
        ) from None
    return iomath


def _leontief(t: IOTable) -> tuple[np.ndarray, np.ndarray]:
    im = _iomath()
    A = np.asarray(im.calc_A(t.Z, t.x))
    return A, np.asarray(im.calc_L(A))


def multipliers(world: World) -> pd.DataFrame:
    """Output, value-added and Ghosh multipliers of every producer (see the module docstring)."""
    t = io_table(world)
    im = _iomath()
    _, L = _leontief(t)
    v = np.divide(t.va, t.x, out=np.zeros_like(t.x), where=t.x > 0)
    B = np.asarray(im.calc_B(t.Z, t.x))
    G = np.asarray(im.calc_G(B))
    return pd.DataFrame(
        {
            "producer": list(t.producers),
            "region": t.region,
            "product": t.product,
            "output_multiplier": L.sum(axis=0),
            "value_added_multiplier": v @ L,
            "ghosh_multiplier": G.sum(axis=1),
        }
    )


def hypothetical_extraction(
    world: World, exporter: str, product: str, destinations: list[str] | None = None
) -> pd.DataFrame:
    """Output and value added per region that depend on ``exporter``'s sales of ``product`` to
    ``destinations`` (default: every other region), per year, by hypothetical extraction."""
    t = io_table(world)
    regions = list(t.regions)
    if exporter not in regions:
        raise InputError(Problem("exporter", f"unknown region {exporter!r}", field="exporter"))
    dest = [r for r in regions if r != exporter] if destinations is None else list(destinations)
    for r in dest:
        if r not in regions:
            raise InputError(Problem("destinations", f"unknown region {r!r}", field="destinations"))
    rows = np.flatnonzero((t.region == exporter) & (t.product == product))
    if rows.size == 0:
        raise InputError(Problem("product", f"{exporter} makes no {product!r}", field="product"))
    im = _iomath()
    A, L = _leontief(t)
    x_base = L @ t.y
    cut = np.ix_(rows, np.flatnonzero(np.isin(t.region, dest)))
    A_star = A.copy()
    A_star[cut] = 0.0
    y_star = t.y.copy()
    d_idx = np.array([regions.index(r) for r in dest], dtype=np.intp)
    y_star[rows] -= t.y_by_region[np.ix_(rows, d_idx)].sum(axis=1)
    dx_back = (x_base - np.asarray(im.calc_L(A_star)) @ y_star) * 365.0
    B = np.asarray(im.calc_B(t.Z, t.x))
    B_star = B.copy()
    B_star[cut] = 0.0
    dx_fwd = (t.va @ np.asarray(im.calc_G(B)) - t.va @ np.asarray(im.calc_G(B_star))) * 365.0
    v = np.divide(t.va, t.x, out=np.zeros_like(t.x), where=t.x > 0)
    uv = np.where(np.isfinite(t.usd_per_unit), t.usd_per_unit, np.nan)
    frame = pd.DataFrame(
        {
            "region": t.region,
            "output_at_risk_backward": dx_back,
            "output_at_risk_forward": dx_fwd,
            "value_added": t.va * 365.0,
            "value_added_at_risk_backward": v * dx_back,
            "value_added_at_risk_forward": v * dx_fwd,
            "usd_value_added_at_risk_backward": v * dx_back * uv,
            "usd_value_added_at_risk_forward": v * dx_fwd * uv,
        }
    )
    out = frame.groupby("region", sort=False).sum().reset_index()
    for side in ("backward", "forward"):
        out[f"share_of_value_added_{side}"] = np.divide(
            out[f"value_added_at_risk_{side}"],
            out["value_added"],
            out=np.zeros(len(out)),
            where=out["value_added"] > 0,
        )
    out.insert(1, "exporter", exporter)
    out.insert(2, "product", product)
    key = "usd_value_added_at_risk_forward"
    return out.sort_values(key, ascending=False, kind="stable").reset_index(drop=True)
