"""Static exposure indicators from a World's baseline flows (no simulation).

* Concentration of supply (Herfindahl–Hirschman index) per product and stage:
  HHI_p = sum_r s_rp^2, where s_rp is region r's share of world output of p
  (0..1; multiply by 10,000 for the antitrust convention).
* Import reliance of region R for product p, from the baseline purchases of every
  buyer located in R (producers' input needs and final demand):
  gross import share   = purchases from suppliers outside R / all purchases of p in R;
  net import reliance  = (consumption - production) / consumption, floored at 0 — the
  USGS Mineral Commodity Summaries definition (imports - exports, adjusted, as a share
  of apparent consumption).
* EU supply risk, European Commission (2017), "Methodology for establishing the EU list
  of critical raw materials" (the 2017 methodology, used for the 2017, 2020 and 2023 lists):
      SR = [HHI_WGI,GS * IR / 2 + HHI_WGI,SO * (1 - IR / 2)] * (1 - EoL_RIR) * SI_SR
  with HHI_WGI = sum_c s_c^2 * WGI_c over producing countries c (global supply GS, or the
  assessed region's actual sourcing SO), WGI_c the World Governance Indicator rescaled
  to 0..10 (higher = poorer governance), IR the import reliance, EoL_RIR the end-of-life
  recycling input rate and SI_SR the substitution index for supply risk. Shares are
  fractions, so HHI_WGI is on 0..10 and SR is comparable to the Commission's threshold of
  1. Governance scores are required and must cover every region that produces a product
  the assessed region buys (a missing region is an error, never a weight of 1).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ..world import World


def _flows(world: World) -> pd.DataFrame:
    """Baseline purchases per (buyer region, supplier region, product), units per day."""
    cw = world.compile()
    W = np.asarray(cw.W)
    f, b = np.nonzero(W)
    p = cw.prod_product[f]
    need = np.where(b < cw.n, cw.A[p, np.minimum(b, cw.n - 1)] * cw.x0[np.minimum(b, cw.n - 1)], 0.0)
    if cw.m:
        need = np.where(b >= cw.n, cw.y0[np.maximum(b - cw.n, 0)], need)
    regions, products = np.asarray(cw.regions), np.asarray(cw.products)
    df = pd.DataFrame(
        {
            "buyer_region": regions[cw.buyer_region[b]],
            "supplier_region": regions[cw.prod_region[f]],
            "product": products[p],
            "amount": W[f, b] * need,
        }
    )
    return df.groupby(["buyer_region", "supplier_region", "product"], sort=False, as_index=False)["amount"].sum()


def concentration(world: World) -> pd.DataFrame:
    """HHI of world output per product, with the largest producing region and its share."""
    prod = world.producers.merge(world.products[["product", "stage"]], on="product", how="left")
    by = prod.groupby(["stage", "product", "region"], sort=False)["output_per_day"].sum().reset_index()
    rows = []
    for (stage, product), g in by.groupby(["stage", "product"], sort=False):
        total = g["output_per_day"].sum()
        if total <= 0:
            continue
        s = g["output_per_day"] / total
        top = g.loc[s.idxmax()]
        rows.append(
            {
                "stage": stage,
                "product": product,
                "hhi": float((s**2).sum()),
                "top_region": top["region"],
                "top_share": float(s.max()),
                "producing_regions": int((s > 0).sum()),
            }
        )
    return pd.DataFrame(rows)


def import_reliance(world: World, region: str | None = None, product: str | None = None) -> pd.DataFrame:
    """Gross import share and USGS net import reliance per (region, product)."""
    flows = _flows(world)
    prod = world.producers.groupby(["region", "product"])["output_per_day"].sum()
    rows = []
    for (r, p), g in flows.groupby(["buyer_region", "product"]):
        if (region is not None and r != region) or (product is not None and p != product):
            continue
        consumption = g["amount"].sum()
        if consumption <= 0:
            continue
        imported = g.loc[g["supplier_region"] != r, "amount"].sum()
        production = float(prod.get((r, p), 0.0))
        top = g.groupby("supplier_region")["amount"].sum().sort_values(ascending=False)
        rows.append(
            {
                "region": r,
                "product": p,
                "consumption_per_day": consumption,
                "production_per_day": production,
                "gross_import_share": imported / consumption,
                "net_import_reliance": max(0.0, (consumption - production) / consumption),
                "main_source": top.index[0],
                "main_source_share": float(top.iloc[0] / consumption),
            }
        )
    cols = ["region", "product", "consumption_per_day", "production_per_day", "gross_import_share"]
    return pd.DataFrame(rows, columns=[*cols, "net_import_reliance", "main_source", "main_source_share"])


def supply_risk(
    world: World,
    region: str,
    governance: Mapping[str, float] | None,
    eol_rir: float = 0.0,
    substitution_index: float = 1.0,
) -> pd.DataFrame:
    """EU-methodology supply risk (EC 2017) of ``region`` for each product it buys.

    ``governance``: scaled WGI (0..10) per region, required for every producing region of a
    product the region buys (InputError naming the first missing one).
    """
    if not 0 <= eol_rir <= 1:
        raise InputError(Problem("--eol-rir", f"must be within [0, 1], got {eol_rir}"))
    if not 0 <= substitution_index <= 1:
        raise InputError(Problem("--substitution-index", f"must be within [0, 1], got {substitution_index}"))
    regions = set(world.regions["region"])
    if not governance:
        raise InputError(
            Problem("governance", "governance scores (region, wgi_scaled 0-10) are required for the supply risk")
        )
    gov = dict(governance)
    for r, v in gov.items():
        if r not in regions:
            raise InputError(Problem("governance", f"unknown region {r!r}", field=r))
        if not 0 <= v <= 10:
            raise InputError(Problem("governance", f"scaled WGI must be within [0, 10], got {v}", field=r))
    label = "WGI-weighted"
    out_by_region = world.producers.groupby(["product", "region"])["output_per_day"].sum()
    flows = _flows(world)
    ir = import_reliance(world, region=region).set_index("product")
    producing = {r for p in ir.index for r, v in out_by_region.loc[p].items() if v > 0}
    missing = sorted(producing - set(gov))
    if missing:
        raise InputError(
            Problem(
                "governance",
                f"no governance score for {', '.join(missing)} (every producing region needs one)",
                field=missing[0],
            )
        )
    weight = gov
    rows = []
    for p in ir.index:
        gs = out_by_region.loc[p]
        gs = gs / gs.sum()
        hhi_gs = float(sum(s**2 * weight[r] for r, s in gs.items() if s > 0))
        so = flows[(flows.buyer_region == region) & (flows["product"] == p)].groupby("supplier_region")["amount"].sum()
        so = so / so.sum()
        hhi_so = float(sum(s**2 * weight[r] for r, s in so.items() if s > 0))
        import_rel = float(ir.loc[p, "net_import_reliance"])
        sr = (hhi_gs * import_rel / 2 + hhi_so * (1 - import_rel / 2)) * (1 - eol_rir) * substitution_index
        rows.append(
            {
                "region": region,
                "product": p,
                "hhi_wgi_global": hhi_gs,
                "hhi_wgi_sourcing": hhi_so,
                "import_reliance": import_rel,
                "supply_risk": sr,
                "weighting": label,
            }
        )
    cols = ["region", "product", "hhi_wgi_global", "hhi_wgi_sourcing", "import_reliance", "supply_risk"]
    return pd.DataFrame(rows, columns=[*cols, "weighting"])
