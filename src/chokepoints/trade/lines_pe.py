"""The Armington PE on tariff lines: every bundled US import line x every bundled partner.

The market (:func:`line_market`): US imports for consumption in 2024 by HTS-10 line and partner
(Census; the 14 bundled partners, EU as one), so m0 is an (L, N) array of about 18,400 lines x 14
partners. Rates (:func:`line_rates`): the line-level schedule of :mod:`.lines` on a date, summed over
its layers, for each partner:

    t_ln = sum_k rate_k(line l, partner n, date) / 100

with one change for the MFN layer: a partner's preferential rate (USMCA, KORUS, GSP, ...) is its own
2024 calculated duty over its imports on the line, capped at the MFN rate,

    mfn_ln = min(mfn_l, duty_ln / imports_ln)   (partners other than China; China pays the MFN rate)

(ASSUMPTION: the bundled MFN column is one rate per line; Census calculated duty is the only
partner-specific duty bundled. For China the calculated duty includes Section 301, so the MFN rate
is used.)

Elasticities by HS section (:func:`section_elasticities`): medians of Hauk (2012)'s US HS-6 estimates
(import demand eta, substitution between varieties sigma; source row ``hauk_2012``), bundled as
``elasticities_hs_section.csv`` by ``scripts/aggregate_hauk_elasticities.py``. Export supply is flat
(epsilon = inf: complete pass-through to duty-paid prices, as Amiti, Redding & Weinstein 2019 and
Fajgelbaum et al. 2020 measured for 2018).

The solve is :func:`chokepoints.trade.pe.solve_arrays` on the whole (L, N) array at once: per line,

    P^(1 - sigma) = sum_n w_ln tau_ln^(1 - sigma),  tau_ln = (1 + t1_ln) / (1 + t0_ln)
    q_ln = m_ln tau_ln^-sigma P^(sigma + eta)

and :func:`by_section` aggregates the results for display by HS section (sums over lines; percent
changes of the sums).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from .data import HS_SECTIONS, section_of_hs
from .lines import LINE_LAYERS, LineSchedule, lines_dir, us_weights
from .pe import PESolution, solve_arrays

ELASTICITIES_FILE = "elasticities_hs_section.csv"
SECTION_ORDER = (*HS_SECTIONS, "")


@dataclass
class LineMarket:
    """US imports by line (rows) and partner (columns), with per-partner MFN-layer rates."""

    codes: np.ndarray  # (L,) HTS-10
    partners: tuple[str, ...]  # (N,)
    imports: np.ndarray  # (L, N) USD, base year
    mfn: np.ndarray  # (L, N) percent: the MFN layer by partner (preferences from calculated duty)
    sections: np.ndarray  # (L,) HS section of each line ('' for none)
    year: str = "2024"

    @property
    def shape(self) -> tuple[int, int]:
        return self.imports.shape


def line_market(year: str = "2024") -> LineMarket:
    """All bundled US import lines x partners for ``year`` (see the module docstring)."""
    w = us_weights(year)
    lines = pd.read_csv(lines_dir() / "lines.csv.gz", dtype={"hts10": str}).set_index("hts10")["mfn_pct"]
    imports = w.pivot_table(index="hts10", columns="partner", values="imports_usd", aggfunc="sum", fill_value=0.0)
    duty = w.pivot_table(index="hts10", columns="partner", values="duty_usd", aggfunc="sum", fill_value=0.0)
    duty = duty.reindex_like(imports).fillna(0.0)
    codes = imports.index.to_numpy(dtype=str)
    m = imports.to_numpy(dtype=float)
    mfn_line = lines.reindex(codes).fillna(0.0).to_numpy()
    own = np.divide(100.0 * duty.to_numpy(dtype=float), m, out=np.zeros_like(m), where=m > 0)
    partners = tuple(str(p) for p in imports.columns)
    mfn = np.minimum(mfn_line[:, None], own)
    if "CHN" in partners:
        mfn[:, partners.index("CHN")] = mfn_line
    sections = np.array([section_of_hs(c) for c in codes], dtype=object)
    return LineMarket(codes, partners, m, mfn, sections, year)


def line_rates(schedule: LineSchedule, d: dt.date, market: LineMarket) -> np.ndarray:
    """Total tariff (percent) by line and partner on ``d``: (L, N).

    Partners that the same rows of the schedule apply to share one evaluation of the non-MFN layers.
    """
    L, N = market.shape
    out = np.empty((L, N))
    k_mfn = LINE_LAYERS.index("mfn")
    done: dict[tuple[str, ...], np.ndarray] = {}
    for n, p in enumerate(market.partners):
        key = tuple(r.id for r in schedule.rows if r.applies("USA", p))
        if key not in done:
            r = schedule.rates(d, "USA", p, market.codes, None)
            done[key] = np.delete(r, k_mfn, axis=0).sum(axis=0)
        out[:, n] = done[key] + market.mfn[:, n]
    return out


def section_elasticities(path: Path | str | None = None) -> pd.DataFrame:
    """eta and sigma by HS section (index: section; the row 'ALL' is the all-goods median)."""
    f = Path(path) if path is not None else Path(str(resources.files("chokepoints.datasets").joinpath(
        "data", "tariff_lines", ELASTICITIES_FILE)))  # fmt: skip
    try:
        df = pd.read_csv(f, dtype={"section": str})
    except (OSError, pd.errors.ParserError) as exc:
        raise InputError(Problem(str(f), f"cannot read the elasticity table: {exc}")) from None
    need = {"section", "eta", "sigma"}
    if not need <= set(df.columns):
        raise InputError(Problem(str(f), f"columns {sorted(need - set(df.columns))} missing"))
    bad = df[~((df["eta"] < 0) & (df["sigma"] > 0))]
    if len(bad):
        row = int(bad.index[0]) + 2
        raise InputError(Problem(f"{f}:{row}", "expected eta < 0 and sigma > 0"))
    if "ALL" not in set(df["section"]):
        raise InputError(Problem(str(f), "no 'ALL' row (the all-goods median used for lines without a section)"))
    return df.set_index("section")


@dataclass
class LinePE:
    """One line-level solve: the market, both dates' rates (percent) and the PE solution."""

    market: LineMarket
    base_date: dt.date
    date: dt.date
    rates_base: np.ndarray  # (L, N)
    rates_new: np.ndarray  # (L, N)
    eta: np.ndarray  # (L,)
    sigma: np.ndarray  # (L,)
    solution: PESolution


def solve_lines(
    date: dt.date,
    base_date: dt.date = dt.date(2025, 1, 1),
    schedule: LineSchedule | None = None,
    market: LineMarket | None = None,
    elasticities: pd.DataFrame | None = None,
    epsilon: float = np.inf,
) -> LinePE:
    """Solve the PE for the change from the rates of ``base_date`` to those of ``date`` on every line."""
    sched = schedule or LineSchedule.bundled()
    mk = market or line_market()
    el = elasticities if elasticities is not None else section_elasticities()
    eta = el["eta"].reindex(mk.sections).fillna(el.loc["ALL", "eta"]).to_numpy(dtype=float)
    sigma = el["sigma"].reindex(mk.sections).fillna(el.loc["ALL", "sigma"]).to_numpy(dtype=float)
    r0 = line_rates(sched, base_date, mk)
    r1 = line_rates(sched, date, mk)
    sol = solve_arrays(mk.imports, r0 / 100.0, r1 / 100.0, eta, sigma, epsilon)
    return LinePE(mk, base_date, date, r0, r1, eta, sigma, sol)


def by_section(res: LinePE, focus: str = "CHN") -> pd.DataFrame:
    """Results by HS section (USD million a year) plus a total row.

    Columns: section, lines, imports_base, imports_new, change_pct, <focus>_base, <focus>_new,
    <focus>_change_pct, others_change (imports from the other partners, new - base), avg_rate_<focus>_base,
    avg_rate_<focus>_new (percent, weighted by base imports from ``focus``), revenue_change, buyer_cost,
    deadweight_loss.
    """
    mk, s = res.market, res.solution
    if focus not in mk.partners:
        raise InputError(Problem("focus", f"no bundled US imports from {focus!r}; partners: {', '.join(mk.partners)}"))
    j = mk.partners.index(focus)
    others = [n for n in range(len(mk.partners)) if n != j]
    per_line = pd.DataFrame(
        {
            "section": mk.sections,
            "lines": 1,
            "imports_base": s.imports_base.sum(axis=1),
            "imports_new": s.imports_new.sum(axis=1),
            f"{focus}_base": s.imports_base[:, j],
            f"{focus}_new": s.imports_new[:, j],
            "others_change": (s.imports_new[:, others] - s.imports_base[:, others]).sum(axis=1),
            "_r0": s.imports_base[:, j] * res.rates_base[:, j],
            "_r1": s.imports_base[:, j] * res.rates_new[:, j],
            "revenue_change": (s.revenue_new - s.revenue_base).sum(axis=1),
            "buyer_cost": s.buyer_cost,
            "deadweight_loss": s.deadweight_loss,
        }
    )
    g = per_line.groupby("section", sort=False).sum(numeric_only=True)
    g = g.reindex([x for x in SECTION_ORDER if x in g.index])
    g.loc["total"] = g.sum()
    money = ["imports_base", "imports_new", f"{focus}_base", f"{focus}_new", "others_change", "revenue_change",
             "buyer_cost", "deadweight_loss"]  # fmt: skip
    out = g[["lines", *money]].copy()
    out[money] = out[money] / 1e6
    out["change_pct"] = 100.0 * (g["imports_new"] / g["imports_base"] - 1.0)
    out[f"{focus}_change_pct"] = 100.0 * (g[f"{focus}_new"] / g[f"{focus}_base"].where(g[f"{focus}_base"] > 0) - 1.0)
    base = g[f"{focus}_base"].where(g[f"{focus}_base"] > 0)
    out[f"avg_rate_{focus}_base"] = g["_r0"] / base
    out[f"avg_rate_{focus}_new"] = g["_r1"] / base
    out.index = [x if x else "none" for x in out.index]
    return out.rename_axis("section").reset_index()


def smart_check(res: LinePE) -> dict[str, float]:
    """WITS-SMART's linear formulas on the same lines, rates and elasticities (:func:`.smart.smart_linear`).

    Counts the line x partner cells with trade that leave the linear range (linear new imports < 0) and
    their share of base imports; they are flagged, not summed. The two totals (USD million) compare the
    linear and the non-linear change in imports over the lines whose every cell stays in range.
    """
    from .smart import smart_linear

    s, m0 = res.solution, res.market.imports
    lin = smart_linear(m0, res.rates_base / 100.0, res.rates_new / 100.0, res.eta, res.sigma, np.inf)
    trade = m0 > 0
    bad = trade & ~lin.valid
    ok = ~bad.any(axis=1)
    return {
        "lines": int(len(m0)),
        "lines_in_range": int(ok.sum()),
        "cells": int(trade.sum()),
        "cells_outside": int(bad.sum()),
        "share_outside": float(m0[bad].sum() / m0.sum()) if m0.sum() > 0 else 0.0,
        "linear_change": float((lin.imports_new - m0)[ok].sum()) / 1e6,
        "nonlinear_change": float((s.imports_new - m0)[ok].sum()) / 1e6,
    }
