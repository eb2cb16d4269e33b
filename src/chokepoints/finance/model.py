"""Compile a scenario's finance events into arrays, run the kernel, label the result.

The chain, month by month from the scenario's start month:

1. sale path: each ``treasury_sale`` sells amount / months per month (clipped per run so
   a holder never sells more than it holds);
2. net supply to private investors: sales minus the shares absorbed by other buyers and
   the Federal Reserve, in reference-mix dollars (scaled by the duration sold), summed
   (or decaying with ``impact_half_life_months``);
3. yield change by tenor: dy = k * S / 100 * shape(tenor), for every published impact
   estimate k (bp per $100bn at 5 years) at its low, central and high value;
4. US interest cost: marketable debt rolls over through calibrated ladders and new
   borrowing is issued at the higher yields (:func:`kernel.ladder_extra_interest`);
5. the seller: mark-to-market loss on what it still holds (duration x shift x holdings)
   and the price concession on what it sells; ``reserve_shift`` moves dollars into gold
   (ounces at the bundled gold price) or other assets.

Everything after step 2 is linear in k, so the model is run once per run with k = 1 and
scaled by each estimate. Runs differ only by the declared uncertain event fields, drawn
by Latin hypercube from the scenario's seed (the same draw the engine makes).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from ..errors import InputError, Problem
from ..provenance import provenance
from ..scenario import Scenario
from ..scenario.events_finance import FINANCE_EVENTS, ReserveShift, TreasurySale
from ..scenario.params import event_targets, unknown_event_refs
from ..scenario.sampling import sample
from ..yamlio import format_path
from . import kernel
from .data import REFERENCE_TENOR, TENORS, FinanceData, load_finance_data

ENDS = ("low", "central", "high")
ASSETS = ("treasuries", "usd_cash", "other_fx", "gold")
MONTH = 365.25 / 12.0

SALE_NUMERIC = (
    "amount_bn",
    "months",
    "holdings_bn",
    "other_buyers_share",
    "fed_purchase_share",
    "impact_half_life_months",
    "rollover_scale",
    "new_borrowing_bn_per_year",
)
SHIFT_NUMERIC = ("amount_bn", "months", "gold_price_usd_per_oz")


@dataclass
class _Sale:
    index: int
    event: TreasurySale
    start: int
    mix: np.ndarray
    duration_ratio: float
    sales: np.ndarray  # (R, H)


def _month_index(start: dt.date, d: dt.date) -> int:
    return (d.year - start.year) * 12 + d.month - start.month


def _month_label(start: dt.date, i: int) -> str:
    y, m = divmod(start.year * 12 + start.month - 1 + i, 12)
    return f"{y:04d}-{m + 1:02d}"


# long: checks, draws, sale paths, market response and labels share ~30 locals; not yet split in stages
def simulate_finance(
    sc: Scenario,
    *,
    runs: int | None = None,
    seed: int | None = None,
    data: FinanceData | None = None,
) -> xr.Dataset:
    """Run the financial lever of ``sc``; return an xarray Dataset with provenance attrs.

    attrs: ``kind="finance"``, package version, scenario hash, dataset version, seed,
    created, ...; ``ds.cp`` gives ``headline()``, ``flows()``, ``history()``,
    ``threat_value()`` and ``to_netcdf(path)`` (reopen with :func:`chokepoints.open_result`).

    Dims: run, estimate (published impact estimates), end (low, central, high), month
    (with a ``date`` coordinate), tenor, holder, asset. Raises InputError (located in
    the scenario file) for an unknown holder, a sale larger than the holdings, a sale
    running past the horizon, or an unknown impact estimate.
    """
    fd = data or load_finance_data()
    R = int(runs if runs is not None else sc.runs)
    seed = int(sc.seed if seed is None else seed)
    src = sc.source_path or "<scenario>"
    problems: list[Problem] = []

    def err(path: tuple, msg: str) -> None:
        line, col = sc.locate(path)
        problems.append(Problem(src, msg, line, col, field=format_path(path)))

    sales_ev = [(i, e) for i, e in enumerate(sc.events) if isinstance(e, TreasurySale)]
    shifts_ev = [(i, e) for i, e in enumerate(sc.events) if isinstance(e, ReserveShift)]
    if not sales_ev and not shifts_ev:
        line, col = sc.locate(("events",)) if sc.events else sc.locate(())
        raise InputError(
            Problem(
                src,
                "no treasury_sale or reserve_shift event: nothing for the financial lever to compute",
                line,
                col,
                field="events",
            )
        )

    start = sc.start.replace(day=1)
    H = max(1, int(round(sc.horizon_days / MONTH)))
    last_label = _month_label(start, H - 1)
    tenors = fd.tenors.set_index("tenor").loc[list(TENORS)]
    durations = tenors["duration_years"].to_numpy(float)
    shape = tenors["yield_shape"].to_numpy(float)
    official = tenors["official_mix"].to_numpy(float)
    ref_duration = float(official @ durations)
    roll = fd.rollover.set_index("ladder").loc[list(TENORS)]
    ladder_w = roll["weight"].to_numpy(float)
    ladder_m = roll["ladder_months"].to_numpy(float)
    debt = fd.fiscal_value("marketable_debt")
    default_borrowing = fd.fiscal_value("deficit", "FY2025")
    default_gold_price = fd.fiscal_value("gold_price")

    # -- checks that need the data ------------------------------------------------------
    holdings0: dict[str, tuple[float, str, str]] = {}  # holder -> (bn, date, source)
    sold_base: dict[str, float] = {}
    chosen: list[str] | None = None
    first_choice: int | None = None
    convertible = fd.convertible_estimates()
    for i, e in sales_ev:
        m0 = _month_index(start, e.on)
        if e.holder not in fd.holders:
            err(
                ("events", i, "holder"),
                f"unknown holder {e.holder!r}; the bundled Treasury holdings cover " + ", ".join(fd.holders),
            )
            continue
        if m0 < 0:
            err(
                ("events", i, "on"),
                f"a sale must not start before the scenario's start month ({start:%Y-%m})",
            )
        elif m0 + e.months > H:
            err(
                ("events", i, "months"),
                f"the sale runs to {_month_label(start, m0 + e.months - 1)}, past the "
                f"scenario horizon ({last_label}); lengthen horizon_days or shorten months",
            )
        if e.holder not in holdings0:
            if e.holdings_bn is not None:
                holdings0[e.holder] = (float(e.holdings_bn), "scenario", "holdings_bn")
            else:
                row = fd.holdings_at(e.holder, f"{e.on:%Y-%m}")
                if row is None:
                    err(
                        ("events", i, "holder"),
                        f"no bundled holdings figure for {e.holder} on or before {e.on:%Y-%m}; give holdings_bn",
                    )
                    continue
                holdings0[e.holder] = (float(row["usd_bn"]), row["date"], row["source"])
        sold_base[e.holder] = sold_base.get(e.holder, 0.0) + e.amount_bn
        h0, when, source = holdings0[e.holder]
        if sold_base[e.holder] > h0 + 1e-9:
            err(
                ("events", i, "amount_bn"),
                f"sales of {sold_base[e.holder]:g}bn exceed {e.holder}'s holdings of "
                f"{h0:g}bn ({when}, {source}); give holdings_bn for a custody-adjusted figure",
            )
        ids = e.impact_estimates
        for j, k in enumerate(ids or []):
            if k not in convertible:
                err(
                    ("events", i, "impact_estimates", j),
                    f"unknown impact estimate {k!r}; expected one of " + ", ".join(convertible),
                )
        if first_choice is None:
            chosen, first_choice = ids, i
        elif ids != chosen:
            err(
                ("events", i, "impact_estimates"),
                "all treasury_sale events must use the same impact_estimates "
                f"(events[{first_choice}] uses {chosen or 'the default band'})",
            )
    proceeds_base: dict[str, float] = {}
    for i, shift in shifts_ev:
        if shift.holder not in fd.known_holders:
            err(
                ("events", i, "holder"),
                f"unknown holder {shift.holder!r}; expected one of " + ", ".join(fd.known_holders),
            )
        m0 = _month_index(start, shift.on)
        if m0 < 0:
            err(
                ("events", i, "on"),
                f"a reserve shift must not start before the scenario's start month ({start:%Y-%m})",
            )
        elif m0 + shift.months > H:
            err(("events", i, "months"), f"the shift runs past the scenario horizon ({last_label})")
        if shift.from_ == "treasuries":
            proceeds_base[shift.holder] = proceeds_base.get(shift.holder, 0.0) + shift.amount_bn
            if proceeds_base[shift.holder] > sold_base.get(shift.holder, 0.0) + 1e-9:
                err(
                    ("events", i, "amount_bn"),
                    f"moves {proceeds_base[shift.holder]:g}bn of sale proceeds but "
                    f"{shift.holder} sells {sold_base.get(shift.holder, 0.0):g}bn of Treasuries in this "
                    "scenario; add a treasury_sale or move from usd_cash or other_fx",
                )
    unknown = set(unknown_event_refs(sc))
    targets = [(j, i, ref) for j, i, ref in event_targets(sc) if isinstance(sc.events[i], FINANCE_EVENTS)]
    by_j = {j: (i, ref) for j, i, ref in targets}
    for j, u in enumerate(sc.uncertain):
        if j in unknown:
            err(("uncertain", j, "parameter"), f"no event with id {u.ref.event!r}")
            continue
        if j not in by_j:
            continue
        i, ref = by_j[j]
        allowed = SALE_NUMERIC if isinstance(sc.events[i], TreasurySale) else SHIFT_NUMERIC
        if ref.field not in allowed:
            err(
                ("uncertain", j, "parameter"),
                f"event {ref.event!r} has no uncertain numeric field "
                f"{ref.field!r}; expected one of {', '.join(allowed)}",
            )
    if problems:
        raise InputError(problems)

    # -- per-run values of the event fields (columns of the draw shared with the engine) ----
    draw = sample(sc, R, seed)
    samples = draw.values
    drawn: dict[tuple[int, str], np.ndarray] = {(i, str(ref.field)): samples[:, j] for j, i, ref in targets}

    def val(i: int, e: Any, name: str, default: float | None) -> np.ndarray:
        if (i, name) in drawn:
            return np.asarray(drawn[(i, name)], dtype=float)
        v = getattr(e, name)
        v = default if v is None else v
        return np.full(R, np.nan if v is None else float(v))

    est = fd.estimates(chosen)
    k = est[[f"k5_{end}" for end in ENDS]].to_numpy(float)  # (S, 3)

    # -- sale paths, clipped so no holder sells more than it holds ---------------------------
    sales: list[_Sale] = []
    for i, e in sales_ev:
        m0 = _month_index(start, e.on)
        amount = np.maximum(val(i, e, "amount_bn", None), 0.0)
        months = np.clip(np.rint(val(i, e, "months", None)), 1, H - m0)
        if e.maturity_mix is None:
            mix = official
        else:
            shares: dict[str, float] = dict(e.maturity_mix.items())
            mix = np.array([shares.get(t, 0.0) for t in TENORS])
        sales.append(
            _Sale(
                i,
                e,
                m0,
                mix,
                float(mix @ durations) / ref_duration,
                kernel.sale_schedule(amount, months, m0, H),
            )
        )
    holders = sorted({e.holder for _, e in sales_ev} | {e.holder for _, e in shifts_ev})
    h0_run: dict[str, np.ndarray] = {}
    for h in holders:
        mine = [s for s in sales if s.event.holder == h]
        if not mine:
            continue
        first = mine[0]
        held = val(first.index, first.event, "holdings_bn", holdings0[h][0])
        h0_run[h] = held
        total = sum(s.sales for s in mine)
        cum = np.cumsum(total, axis=1)
        sellable = np.diff(np.minimum(cum, held[:, None]), axis=1, prepend=0.0)
        ratio = np.divide(sellable, total, out=np.zeros_like(total), where=total > 0)
        for s in mine:
            s.sales = s.sales * ratio

    # -- market response, US interest, per unit of k ----------------------------------------
    unit_dy = np.zeros((R, H, len(TENORS)))
    unit_interest = np.zeros((R, H))
    supply_total = np.zeros((R, H))
    fed_bought = np.zeros((R, H))
    others_bought = np.zeros((R, H))
    for s in sales:
        i, e = s.index, s.event
        other = np.clip(val(i, e, "other_buyers_share", None), 0, 1)
        fed = np.clip(val(i, e, "fed_purchase_share", None), 0, 1)
        absorbed = np.minimum(other + fed, 1.0)
        half = val(i, e, "impact_half_life_months", None)
        half_arg = None if np.isnan(half).all() else np.where(np.isnan(half) | (half <= 0), np.inf, half)
        supply = kernel.net_supply(s.sales, absorbed, s.duration_ratio, half_arg)
        dy = kernel.yield_change_bp(supply, 1.0, shape)
        scale = np.maximum(val(i, e, "rollover_scale", None), 1e-6)
        borrow = np.maximum(val(i, e, "new_borrowing_bn_per_year", default_borrowing), 0.0)
        for r in range(R):
            unit_interest[r] += kernel.ladder_extra_interest(
                dy[r], debt, ladder_w, ladder_m * scale[r], borrow[r] / 12.0
            )
        unit_dy += dy
        supply_total += supply
        cum_sales = np.cumsum(s.sales, axis=1)
        fed_bought += np.minimum(fed, absorbed)[:, None] * cum_sales
        others_bought += np.minimum(other, absorbed - np.minimum(fed, absorbed))[:, None] * cum_sales

    # -- holders: holdings, losses, reserve shifts --------------------------------------------
    nh = len(holders)
    holdings = np.full((R, H, nh), np.nan)
    sold = np.zeros((R, H, nh))
    unit_mtm = np.zeros((R, H, nh))
    unit_conc = np.zeros((R, H, nh))
    flows = np.zeros((R, H, nh, len(ASSETS)))
    gold_moz = np.zeros((R, H, nh))
    for hi, h in enumerate(holders):
        mine = [s for s in sales if s.event.holder == h]
        if mine:
            sold[:, :, hi] = sum(s.sales for s in mine)
            holdings[:, :, hi] = h0_run[h][:, None] - np.cumsum(sold[:, :, hi], axis=1)
            unit_mtm[:, :, hi] = kernel.valuation_loss(holdings[:, :, hi], durations, official, unit_dy)
            unit_conc[:, :, hi] = sum(kernel.sale_concession(s.sales, durations, s.mix, unit_dy) for s in mine)
        else:
            row = fd.holdings_at(h, f"{sc.start:%Y-%m}")
            if row is not None:
                holdings[:, :, hi] = float(row["usd_bn"])
    for i, shift in shifts_ev:
        hi = holders.index(shift.holder)
        m0 = _month_index(start, shift.on)
        amount = np.maximum(val(i, shift, "amount_bn", None), 0.0)
        months = np.clip(np.rint(val(i, shift, "months", None)), 1, H - m0)
        step = kernel.sale_schedule(amount, months, m0, H)
        if shift.from_ == "treasuries":  # never more than the proceeds sold so far in this run
            used = flows[:, :, hi, 0] * -1.0
            step = np.minimum(np.cumsum(step, axis=1), np.cumsum(sold[:, :, hi], axis=1) - used)
            step = np.diff(np.maximum(step, 0.0), axis=1, prepend=0.0)
        cum = np.cumsum(step, axis=1)
        flows[:, :, hi, ASSETS.index(shift.from_)] -= cum
        flows[:, :, hi, ASSETS.index(shift.to)] += cum
        if shift.to == "gold":
            price = val(i, shift, "gold_price_usd_per_oz", default_gold_price)
            gold_moz[:, :, hi] += kernel.gold_ounces_moz(cum, price[:, None])

    # -- scale by the impact estimates and label -------------------------------------------
    kk = k[None, :, :, None]  # (1, S, 3, 1)
    yield_change = kk[..., None] * unit_dy[:, None, None, :, :]
    extra = kk * unit_interest[:, None, None, :]
    mtm = kk[..., None] * unit_mtm[:, None, None, :, :]
    conc = kk[..., None] * unit_conc[:, None, None, :, :]

    dates = pd.date_range(pd.Timestamp(start), periods=H, freq="MS")
    hist_dates = sorted(set(fd.holdings[fd.holdings["holder"].isin(holders)]["date"]))
    hist = np.full((nh, len(hist_dates)), np.nan)
    for hi, h in enumerate(holders):
        ser = fd.holdings_series(h).set_index("date")["usd_bn"]
        for di, d in enumerate(hist_dates):
            if d in ser.index:
                hist[hi, di] = float(ser[d])
    gold_tab = fd.gold[fd.gold["holder"].isin(holders)]
    gold_dates = sorted(set(gold_tab["date"]))
    gold_hist = np.full((nh, len(gold_dates)), np.nan)
    for hi, h in enumerate(holders):
        g = fd.gold_series(h).set_index("date")["moz"]
        for di, d in enumerate(gold_dates):
            if d in g.index:
                gold_hist[hi, di] = float(g[d])

    last_sale = max((s.start + s.event.months - 1 for s in sales), default=0)
    prov = provenance(
        "finance",
        scenario=sc,
        world=fd,
        seed=seed,
        runs=R,
        model="chokepoints.finance",
        dataset="finance",
        source_path=sc.source_path or "",
        marketable_debt_bn=debt,
        net_interest_fy2025_bn=fd.fiscal_value("net_interest", "FY2025"),
        defense_outlays_fy2024_bn=fd.fiscal_value("defense_outlays", "FY2024"),
        reference_tenor=REFERENCE_TENOR,
        reference_duration_years=ref_duration,
        last_sale_month=int(last_sale),
        holdings_start=json.dumps({h: list(v) for h, v in holdings0.items()}),
        events=json.dumps(
            [e.model_dump(mode="json", by_alias=True) for e in sc.events if isinstance(e, FINANCE_EVENTS)]
        ),
        default_impact_band=int(chosen is None),
    )
    ds = xr.Dataset(
        data_vars={
            "sales_bn": (("run", "month", "holder"), sold),
            "holdings_bn": (("run", "month", "holder"), holdings),
            "net_supply_bn": (("run", "month"), supply_total),
            "fed_purchases_bn": (("run", "month"), fed_bought),
            "other_buyers_bn": (("run", "month"), others_bought),
            "yield_change_bp": (("run", "estimate", "end", "month", "tenor"), yield_change),
            "extra_interest_bn": (("run", "estimate", "end", "month"), extra),
            "cum_extra_interest_bn": (
                ("run", "estimate", "end", "month"),
                np.cumsum(extra, axis=-1),
            ),
            "valuation_loss_bn": (("run", "estimate", "end", "month", "holder"), mtm),
            "sale_concession_bn": (("run", "estimate", "end", "month", "holder"), conc),
            "reserve_flow_bn": (("run", "month", "holder", "asset"), flows),
            "gold_added_moz": (("run", "month", "holder"), gold_moz),
            "k_bp_per_100bn": (("estimate", "end"), k),
            "history_usd_bn": (("holder", "history_date"), hist),
            "gold_history_moz": (("holder", "gold_date"), gold_hist),
            "samples": (("run", "parameter"), samples),
        },
        coords={
            "run": np.arange(R),
            "estimate": list(est["estimate_id"]),
            "estimate_study": ("estimate", list(est["study"])),
            "estimate_flow": ("estimate", list(est["flow"])),
            "estimate_tenor": ("estimate", list(est["tenor"])),
            "estimate_horizon": ("estimate", list(est["horizon"])),
            "estimate_source": ("estimate", list(est["source"])),
            "end": list(ENDS),
            "month": np.arange(H),
            "date": ("month", dates),
            "month_label": ("month", [_month_label(start, i) for i in range(H)]),
            "tenor": list(TENORS),
            "tenor_duration": ("tenor", durations),
            "tenor_shape": ("tenor", shape),
            "official_mix": ("tenor", official),
            "holder": holders,
            "asset": list(ASSETS),
            "history_date": hist_dates,
            "gold_date": gold_dates,
            "parameter": draw["parameter"].values,
        },
        attrs=prov,
    )
    return ds
