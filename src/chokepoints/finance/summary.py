"""Bands, headline tables and the threat value, read off a finance result (xarray Dataset).

The band of every quantity comes from the declared range of the published impact
estimates (dimension ``estimate`` x ``end``), after the median over runs:

    low     = the lowest ``low`` value over the estimates,
    high    = the highest ``high`` value over the estimates,
    central = the median over the estimates of their ``central`` values.

All outputs grow with the impact coefficient k, so the low end comes from the study with
the smallest k and the high end from the study with the largest; :func:`band_studies`
names them. With more than one run, ``p05``/``p95`` give the spread over runs of the
central value (the declared uncertain scenario fields).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from .data import load_finance_data


def band(da: xr.DataArray) -> xr.Dataset:
    """low / central / high (and p05 / p95 over runs) of a DataArray with dims run, estimate,
    end (see the module docstring)."""
    da = da.drop_vars([c for c in da.coords if c not in da.dims and c not in ("date", "month_label")])
    med = da.median("run")
    low = med.sel(end="low", drop=True).min("estimate")
    high = med.sel(end="high", drop=True).max("estimate")
    central = med.sel(end="central", drop=True).median("estimate")
    per_run = da.sel(end="central", drop=True).median("estimate")
    return xr.Dataset(
        {
            "low": low,
            "central": central,
            "high": high,
            "p05": per_run.quantile(0.05, "run").drop_vars("quantile"),
            "p95": per_run.quantile(0.95, "run").drop_vars("quantile"),
        }
    )


def band_studies(ds: xr.Dataset) -> dict[str, str]:
    """Which estimate gives which end of the band: {'low': id, 'high': id, 'central': text}."""
    k = ds["k_bp_per_100bn"]
    low = str(k.sel(end="low").idxmin("estimate").item())
    high = str(k.sel(end="high").idxmax("estimate").item())
    c = k.sel(end="central")
    order = c.sortby(c)
    n = order.sizes["estimate"]
    ids = [str(x) for x in order["estimate"].values]
    central = ids[n // 2] if n % 2 else f"median of {ids[n // 2 - 1]} and {ids[n // 2]}"
    return {"low": low, "high": high, "central": central}


def study_label(ds: xr.Dataset, estimate: str) -> str:
    if estimate not in set(ds["estimate"].values):
        return estimate
    return str(ds["estimate_study"].sel(estimate=estimate).item())


def sale_end_month(ds: xr.Dataset) -> int:
    return int(ds.attrs.get("last_sale_month", 0))


def headline(ds: xr.Dataset) -> pd.DataFrame:
    """The key numbers: metric, unit, low, central, high, p05, p95."""
    t_end = sale_end_month(ds)
    H = ds.sizes["month"]
    rows: list[tuple[str, str, xr.Dataset]] = []
    y10 = ds["yield_change_bp"].sel(tenor="10y")
    y5 = ds["yield_change_bp"].sel(tenor="5y")
    end_label = str(ds["month_label"].values[t_end])
    rows.append(
        (
            f"10-year yield change at the end of the sales ({end_label})",
            "bp",
            band(y10.isel(month=t_end)),
        )
    )
    rows.append(
        (
            f"5-year yield change at the end of the sales ({end_label})",
            "bp",
            band(y5.isel(month=t_end)),
        )
    )
    rows.append(("10-year yield change at the horizon", "bp", band(y10.isel(month=-1))))
    cum = ds["cum_extra_interest_bn"]
    first = int(np.argmax(ds["sales_bn"].sum(("run", "holder")).values > 0)) if ds["sales_bn"].sum() > 0 else 0
    y1 = min(first + 11, H - 1)
    base = cum.isel(month=first - 1) if first > 0 else 0.0
    rows.append(
        (
            "US extra interest, first 12 months of the sales",
            "USD bn",
            band(cum.isel(month=y1) - base),
        )
    )
    years = H / 12.0
    rows.append(
        (
            f"US extra interest, cumulative over the horizon ({years:.0f} years)",
            "USD bn",
            band(cum.isel(month=-1)),
        )
    )
    last12 = ds["extra_interest_bn"].isel(month=slice(max(H - 12, 0), H)).sum("month")
    ni = float(ds.attrs.get("net_interest_fy2025_bn", np.nan))
    rows.append(("US extra interest, last 12 months of the horizon", "USD bn", band(last12)))
    rows.append((f"  same, % of FY2025 net interest (${ni:,.0f}bn, CBO)", "%", band(100.0 * last12 / ni)))
    for h in [str(x) for x in ds["holder"].values]:
        if float(ds["sales_bn"].sel(holder=h).sum()) <= 0:
            continue
        mtm = ds["valuation_loss_bn"].sel(holder=h).isel(month=t_end)
        conc = ds["sale_concession_bn"].sel(holder=h).isel(month=t_end)
        rows.append(
            (
                f"{h}: mark-to-market loss on remaining holdings at the end of the sales",
                "USD bn",
                band(mtm),
            )
        )
        rows.append((f"{h}: price concession on the Treasuries sold", "USD bn", band(conc)))
    out = []
    for metric, unit, b in rows:
        out.append(
            {
                "metric": metric,
                "unit": unit,
                **{c: float(b[c]) for c in ("low", "central", "high", "p05", "p95")},
            }
        )
    return pd.DataFrame(out)


def flows_table(ds: xr.Dataset) -> pd.DataFrame:
    """Sold, absorbed, moved into other assets (medians over runs, at the horizon)."""
    rows = []
    H = ds.sizes["month"]
    for h in [str(x) for x in ds["holder"].values]:
        sold = float(ds["sales_bn"].sel(holder=h).sum("month").median("run"))
        hold = ds["holdings_bn"].sel(holder=h)
        if sold > 0:
            rows.append({"holder": h, "item": "Treasuries sold", "usd_bn": sold, "other": ""})
            rows.append(
                {
                    "holder": h,
                    "item": "holdings at the horizon",
                    "usd_bn": float(hold.isel(month=-1).median("run")),
                    "other": "",
                }
            )
        flows = ds["reserve_flow_bn"].sel(holder=h).isel(month=H - 1).median("run")
        for a in ["gold", "usd_cash", "other_fx"]:
            v = float(flows.sel(asset=a))
            if v > 0:
                other = ""
                if a == "gold":
                    moz = float(ds["gold_added_moz"].sel(holder=h).isel(month=-1).median("run"))
                    other = f"{moz:.2f} Moz = {moz * 31.1034768:,.0f} t"
                    g = ds["gold_history_moz"].sel(holder=h).dropna("gold_date")
                    if g.sizes["gold_date"]:
                        last = float(g.values[-1])
                        other += (
                            f"; gold holdings {last:.2f} Moz ({str(g['gold_date'].values[-1])}) -> {last + moz:.2f} Moz"
                        )
                rows.append({"holder": h, "item": f"moved into {a}", "usd_bn": v, "other": other})
    sup = float(ds["net_supply_bn"].isel(month=-1).median("run"))
    fed = float(ds["fed_purchases_bn"].isel(month=-1).median("run"))
    oth = float(ds["other_buyers_bn"].isel(month=-1).median("run"))
    rows.append({"holder": "market", "item": "bought by the Federal Reserve", "usd_bn": fed, "other": ""})
    rows.append(
        {
            "holder": "market",
            "item": "bought by other price-insensitive buyers",
            "usd_bn": oth,
            "other": "",
        }
    )
    rows.append(
        {
            "holder": "market",
            "item": "net supply to private investors (reference-mix $)",
            "usd_bn": sup,
            "other": "after decay, if any",
        }
    )
    return pd.DataFrame(rows)


def history_table(ds: xr.Dataset) -> pd.DataFrame:
    """Peak -> latest changes of each holder's Treasury holdings (bundled series, with sources)."""
    fd = load_finance_data()
    rows = []
    for h in [str(x) for x in ds["holder"].values]:
        for c in fd.history_summary(h):
            rows.append(
                {
                    "holder": h,
                    "start": c["start"],
                    "usd_bn_start": c["start_bn"],
                    "end": c["end"],
                    "usd_bn_end": c["end_bn"],
                    "change_bn": c["change_bn"],
                    "change_pct": c["change_pct"],
                    "sources": f"{c['start_source']}; {c['end_source']}",
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "holder",
            "start",
            "usd_bn_start",
            "end",
            "usd_bn_end",
            "change_bn",
            "change_pct",
            "sources",
        ],
    )


def estimates_table(ds: xr.Dataset | None = None) -> pd.DataFrame:
    """Every bundled impact estimate, in bp per $100bn at 5 years; 'used' marks the band."""
    fd = load_finance_data()
    df = fd.estimates(list(fd.impact_estimates["estimate_id"]))
    used = set(ds["estimate"].values) if ds is not None else set(fd.estimates()["estimate_id"])
    return pd.DataFrame(
        {
            "estimate": df["estimate_id"],
            "study": df["study"],
            "flow": df["flow"],
            "tenor": df["tenor"],
            "horizon": df["horizon"],
            "bp_low": df["bp_low"],
            "bp_central": df["bp_central"],
            "bp_high": df["bp_high"],
            "k5_low": df["k5_low"],
            "k5_central": df["k5_central"],
            "k5_high": df["k5_high"],
            "used": ["yes" if e in used else "no" for e in df["estimate_id"]],
            "source": df["source"],
            "note": df["note"],
        }
    )


_THREAT_MEMO: dict[str, dict[str, Any]] = {}


def threat_value(
    result: xr.Dataset | None = None,
    *,
    holder: str | None = None,
    target: str = "USA",
    amount_bn: float | None = None,
    months: int = 12,
    start: str | dt.date = "2026-01-01",
    horizon_years: float = 10,
    **sale_options: Any,
) -> dict[str, Any]:
    """Costs of a Treasury sale to each side, for the negotiation module.

    Give a result of :func:`simulate_finance`, or ``holder`` and ``amount_bn`` (and optionally
    ``months``, ``start``, ``horizon_years`` and any treasury_sale field) to simulate one sale
    (one run; repeated calls with the same arguments are memoised; amount 0 costs nothing).

    cost to the target (the US budget) = cumulative extra interest over the horizon;
    cost to the threatener = price concession on the bonds sold + mark-to-market loss on the
    holdings left at the end of the sales. Both in USD bn with low / central / high from the
    impact-estimate band (``cost_to_target``, ``cost_to_threatener``, and ``cost_to`` keyed by
    region); ratio = target cost / threatener cost (above 1: the sale costs the target more
    than the seller). The seller's loss is immediate and on paper; the target's accrues over
    years.
    """
    if result is None:
        if holder is None or amount_bn is None:
            raise TypeError("threat_value needs a result, or holder and amount_bn")
        key = json.dumps(
            [holder, target, amount_bn, months, str(start), horizon_years, sale_options],
            sort_keys=True,
            default=str,
        )
        if key in _THREAT_MEMO:
            return copy.deepcopy(_THREAT_MEMO[key])
        if amount_bn <= 0:
            zero = {e: 0.0 for e in ("low", "central", "high")}
            out = {
                "lever": "treasury_sale",
                "threatener": holder,
                "target": target,
                "amount_bn": 0.0,
                "horizon_months": int(round(horizon_years * 12)),
                "units": "USD bn",
                "cost_to": {target: dict(zero), holder: dict(zero)},
                "cost_to_target": dict(zero),
                "cost_to_threatener": dict(zero),
                "ratio_target_to_threatener": {e: float("nan") for e in zero},
                "band_studies": {},
                "events": [],
                "scenario_hash": "",
                "note": "no sale",
            }
            _THREAT_MEMO[key] = out
            return copy.deepcopy(out)
        from ..scenario import Scenario
        from .model import simulate_finance

        sc = Scenario.from_dict(
            {
                "name": f"{holder} sells {amount_bn:g}bn over {months} months",
                "start": start,
                "horizon_days": int(round(horizon_years * 365.25)),
                "events": [
                    {
                        "type": "treasury_sale",
                        "id": "sale",
                        "on": start,
                        "holder": holder,
                        "amount_bn": amount_bn,
                        "months": months,
                        **sale_options,
                    }
                ],
            }
        )
        out = threat_value(simulate_finance(sc, runs=1), holder=holder, target=target)
        if len(_THREAT_MEMO) > 512:
            _THREAT_MEMO.clear()
        _THREAT_MEMO[key] = out
        return copy.deepcopy(out)
    ds = result
    sellers = [str(h) for h in ds["holder"].values if float(ds["sales_bn"].sel(holder=h).sum()) > 0]
    threatener = holder or (sellers[0] if sellers else str(ds["holder"].values[0]))
    t_end = sale_end_month(ds)
    us = band(ds["cum_extra_interest_bn"].isel(month=-1))
    own = band(
        ds["sale_concession_bn"].sel(holder=threatener).isel(month=t_end)
        + ds["valuation_loss_bn"].sel(holder=threatener).isel(month=t_end)
    )
    ends = ("low", "central", "high")
    target_cost = {e: float(us[e]) for e in ends}
    own_cost = {e: float(own[e]) for e in ends}
    ratio = {e: (target_cost[e] / own_cost[e] if own_cost[e] > 0 else float("inf")) for e in ends}
    studies = band_studies(ds)
    sold = float(ds["sales_bn"].sel(holder=threatener).sum("month").median("run"))
    return {
        "lever": "treasury_sale",
        "threatener": threatener,
        "target": target,
        "amount_bn": sold,
        "horizon_months": int(ds.sizes["month"]),
        "units": "USD bn",
        "cost_to": {target: target_cost, threatener: own_cost},
        "cost_to_target": target_cost,
        "cost_to_threatener": own_cost,
        "ratio_target_to_threatener": ratio,
        "band_studies": studies,
        "events": json.loads(ds.attrs.get("events", "[]")),
        "scenario_hash": ds.attrs.get("scenario_hash", ""),
        "note": (
            "target cost: cumulative extra US interest over the horizon; threatener cost: "
            "price concession on bonds sold + mark-to-market loss on remaining holdings at "
            "the end of the sales (on paper, recovered by holding to maturity)."
        ),
    }
