"""Headline results of every bundled scenario, pinned in ``tests/stored/<scenario>.json``.

The one place that computes them: ``scripts/store_results.py`` writes the files with these
functions and ``tests/test_stored_results.py`` recomputes and compares with them, so a
refactor of the public API needs adapting here only.

What is pinned, by the command that reads the scenario:

* engine (``chokepoints run``): per (region, end use) of the summary table, key users first:
  days to first shortfall (median, p05, p95), share of runs short, output lost in units and
  USD (median, p05, p95) and the unit label; from ``chokepoints.simulate`` and
  ``result.indicators.summary``.
* tariffs (``chokepoints tariffs``): the summary table on every date the rates change
  (imports, change by partner, average rate, revenue, buyer cost, deadweight loss, exporters'
  surplus) and the by-partner table on the date the report details.
* finance (``chokepoints finance``): the key-numbers table (yield changes, US extra interest,
  the seller's losses; low / central / high of the estimate band and p05 / p95 over runs),
  the flows table and the threat value (cost to each side and their ratio).
* negotiation (``chokepoints negotiate``; a ``<stem>.negotiation.yaml`` next to the scenario):
  per round the package and both parties' utilities of each solution concept (Nash,
  Kalai-Smorodinsky, Rubinstein, the alternating-offers protocol, the actual outcome, Nash
  and KS without the excluded issues), BATNAs, discount factors and loss rates, ZOPA size,
  the simulated commitments; per escalation step each faction's raw stake before and after;
  and the engine summary of the scenario itself (prefix ``run/``).

Tolerances (a value v_now matches v_stored when |v_now - v_stored| <= atol + rtol * |v_stored|;
NaN matches only NaN; text matches exactly):

* seeded continuous outputs: rtol 1e-6 (float noise of a reordered sum is ~1e-12);
* days to shortfall: atol 1e-6, rtol 0 (whole days, or a linear interpolation of two);
* output lost: rtol 1e-6 plus atol = 1e-9 x the group's baseline output over the horizon
  (in units, or in USD): groups that lose nothing show round-off of baseline - actual summed
  over days (1e-8 t where the baseline is 1e5 t), which is noise, not a result.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import chokepoints as cp

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
STORED = ROOT / "tests" / "stored"
NEGOTIATION_SUFFIX = ".negotiation.yaml"

RTOL = 1e-6  # seeded, deterministic continuous outputs
DAYS_ATOL = 1e-6  # days to shortfall
SHARE_ATOL = 1e-9  # share of runs short (a multiple of 1 / runs)
LOSS_SCALE_ATOL = 1e-9  # output lost: atol = this x the group's baseline output over the horizon
MONEY_ATOL = 1e-9  # finance, USD bn / bp / %: atol well below anything printed
TRADE_ATOL = 1e-6  # tariffs, USD million a year (1 USD) and percentages
UTILITY_ATOL = 1e-9  # negotiation utilities in [0, 1]
STAKE_ATOL = 1.0  # negotiation: a faction's raw stake, USD

TRUTH = (
    "the code at commit {commit} (the values were pinned there; the first set, before issue #11's "
    "architecture refactor, came from commit 4a9a23463517); regenerate "
    "(python scripts/store_results.py) only for an intended change of behaviour, and say why "
    "in the commit message"
)


@dataclass
class Value:
    """One pinned indicator: a number (None = NaN) or a text, with its tolerance."""

    name: str
    value: float | str | None
    rtol: float = 0.0
    atol: float = 0.0

    def to_json(self) -> dict[str, Any]:
        if isinstance(self.value, str):
            return {"name": self.name, "value": self.value, "match": "exact"}
        return {"name": self.name, "value": self.value, "rtol": self.rtol, "atol": self.atol}


def _num(v: Any) -> float | None:
    f = float(v)
    return None if math.isnan(f) else f


# ---------------------------------------------------------------------------------------------
# which command reads a scenario


def scenario_files() -> list[Path]:
    """Every bundled scenario (a negotiation spec is part of its scenario, not one itself)."""
    return sorted(p for p in SCENARIOS.glob("*.yaml") if not p.name.endswith(NEGOTIATION_SUFFIX))


def kind_of(path: Path) -> str:
    """'negotiation' (a spec sits next to it), 'tariffs' (a trade_setup event), 'finance'
    (treasury_sale / reserve_shift events) or 'engine'."""
    if path.with_name(path.name.removesuffix(".yaml") + NEGOTIATION_SUFFIX).exists():
        return "negotiation"
    types = {e.type for e in cp.Scenario.from_yaml(path).events}
    if "trade_setup" in types:
        return "tariffs"
    if types & {"treasury_sale", "reserve_shift"}:
        return "finance"
    return "engine"


# ---------------------------------------------------------------------------------------------
# engine: chokepoints run


def _group_baseline(res: Any, region: str, end_use: str) -> tuple[float, float]:
    """The group's undisturbed output over the horizon: (units, USD); final demand for groups
    without producers. Only sets the absolute tolerance of output lost."""
    d = res.data
    days = d.sizes["day"]
    pm = (d.producer_region.values == region) & (d.producer_end_use.values == end_use)
    if pm.any():
        base = d.baseline_production.values[pm]
        uv = d.unit_value.sel(product=list(d.producer_product.values[pm])).values[0]
    else:
        dm = (d.demand_region.values == region) & (d.demand_end_use.values == end_use)
        base = d.final_demand.values[0, 0, dm]
        uv = d.unit_value.sel(product=list(d.demand_product.values[dm])).values[0]
    uv = np.where(np.isfinite(uv), uv, 0.0)
    return float(base.sum() * days), float((base * uv).sum() * days)


def engine_values(res: Any, prefix: str = "") -> list[Value]:
    """The summary table of ``chokepoints run`` (runner.print_summary), one Value per cell."""
    from chokepoints.report.engine_sections import summary_table

    out: list[Value] = []
    for r in summary_table(res).itertuples(index=False):
        g = f"{prefix}{r.region}/{r.end_use}/"
        base_units, base_usd = _group_baseline(res, r.region, r.end_use)
        for col in ("shortfall_day_median", "shortfall_day_p05", "shortfall_day_p95"):
            out.append(Value(g + col, _num(getattr(r, col)), 0.0, DAYS_ATOL))
        out.append(Value(g + "share_of_runs_short", _num(r.share_of_runs_short), 0.0, SHARE_ATOL))
        out.append(Value(g + "unit", str(r.unit)))
        for col in ("units_median", "units_p05", "units_p95"):
            out.append(Value(g + col, _num(getattr(r, col)), RTOL, LOSS_SCALE_ATOL * base_units))
        for col in ("usd_median", "usd_p05", "usd_p95"):
            out.append(Value(g + col, _num(getattr(r, col)), RTOL, LOSS_SCALE_ATOL * base_usd))
    return out


def _simulate(path: Path, runs: int | None, seed: int | None) -> Any:
    from chokepoints.runner import load_inputs

    sc, world = load_inputs(path)
    return cp.simulate(world, sc, runs=runs, seed=seed)


def compute_engine(path: Path, runs: int | None = None, seed: int | None = None) -> dict[str, Any]:
    res = _simulate(path, runs, seed)
    prov = res.provenance
    return {
        "values": engine_values(res),
        "runs": int(prov["runs"]),
        "seed": int(prov["seed"]),
        "command": f"chokepoints run {path.relative_to(ROOT)} --runs {prov['runs']} --seed {prov['seed']}",
        "function": "chokepoints.simulate(world, scenario, runs=, seed=) -> "
        "report.engine_sections.summary_table(result) (result.indicators.summary, key users first)",
        "provenance": {
            k: prov[k] for k in ("scenario_hash", "dataset", "dataset_version", "dataset_hash", "backend", "dtype")
        },
    }


# ---------------------------------------------------------------------------------------------
# tariffs: chokepoints tariffs


def compute_tariffs(path: Path, runs: int | None = None, seed: int | None = None) -> dict[str, Any]:
    from chokepoints.trade.analysis import analyse, prepare
    from chokepoints.trade.report import report_date
    from chokepoints.trade.summary import by_partner, summary

    sc = cp.Scenario.from_yaml(path)
    ds = analyse(sc, runs=runs, seed=seed, prepared=prepare(sc))
    out: list[Value] = []
    for rec in summary(ds).to_dict("records"):
        g = f"{rec.pop('date')}/{rec.pop('importer')}/"
        out += [Value(g + k, _num(v), RTOL, TRADE_ATOL) for k, v in rec.items()]
    detail = report_date(ds, None).date()
    for rec in by_partner(ds, detail).to_dict("records"):
        g = f"by_partner/{rec.pop('date')}/{rec.pop('importer')}/{rec.pop('partner')}/"
        out += [Value(g + k, _num(v), RTOL, TRADE_ATOL) for k, v in rec.items()]
    out.append(Value("report_date", str(detail)))
    attrs = dict(ds.attrs)
    return {
        "values": out,
        "runs": int(ds.sizes["run"]),
        "seed": int(attrs.get("seed", sc.seed)),
        "command": f"chokepoints tariffs {path.relative_to(ROOT)}",
        "function": "chokepoints.trade.analysis.analyse(scenario, prepared=prepare(scenario)) -> "
        "trade.summary.summary(ds) and trade.summary.by_partner(ds, report_date(ds))",
        "provenance": {
            k: attrs[k] for k in ("scenario_hash", "dataset", "dataset_version", "dataset_hash") if k in attrs
        },
    }


# ---------------------------------------------------------------------------------------------
# finance: chokepoints finance


def compute_finance(path: Path, runs: int | None = None, seed: int | None = None) -> dict[str, Any]:
    from chokepoints.finance import flows_table, headline, simulate_finance
    from chokepoints.finance.summary import threat_value

    sc = cp.Scenario.from_yaml(path)
    ds = simulate_finance(sc, runs=runs, seed=seed)
    out: list[Value] = []
    for r in headline(ds).itertuples(index=False):
        out.append(Value(f"headline/{r.metric}/unit", str(r.unit)))
        for c in ("low", "central", "high", "p05", "p95"):
            out.append(Value(f"headline/{r.metric}/{c}", _num(getattr(r, c)), RTOL, MONEY_ATOL))
    for r in flows_table(ds).itertuples(index=False):
        out.append(Value(f"flows/{r.holder}/{r.item}/usd_bn", _num(r.usd_bn), RTOL, MONEY_ATOL))
    threat = threat_value(ds)
    for region, band in sorted(threat["cost_to"].items()):
        out += [Value(f"threat/cost_to/{region}/{e}", _num(band[e]), RTOL, MONEY_ATOL) for e in sorted(band)]
    ratio = threat["ratio_target_to_threatener"]
    out += [Value(f"threat/ratio_target_to_threatener/{e}", _num(ratio[e]), RTOL, 0.0) for e in sorted(ratio)]
    attrs = dict(ds.attrs)
    return {
        "values": out,
        "runs": int(ds.sizes["run"]),
        "seed": int(attrs["seed"]),
        "command": f"chokepoints finance {path.relative_to(ROOT)}",
        "function": "chokepoints.finance.simulate_finance(scenario, runs=, seed=) -> finance.headline(ds), "
        "finance.flows_table(ds), finance.summary.threat_value(ds)",
        "provenance": {
            k: attrs[k] for k in ("scenario_hash", "dataset", "dataset_version", "dataset_hash") if k in attrs
        },
    }


# ---------------------------------------------------------------------------------------------
# negotiation: chokepoints negotiate (its default agenda comparison, no NegMAS)


def _utility_values(r: Any, concept: str, idx: int | None, parties: list[str]) -> list[Value]:
    g = f"{r.name}/{concept}/"
    out = [Value(g + "package", r.label(idx))]
    for p_i, p in enumerate(parties):
        out.append(Value(g + f"utility/{p}", None if idx is None else _num(r.U[idx, p_i]), RTOL, UTILITY_ATOL))
    return out


def compute_negotiation(path: Path, runs: int | None = None, seed: int | None = None) -> dict[str, Any]:
    from chokepoints.negotiation.analysis import RoundResult, analyse
    from chokepoints.negotiation.loader import load_negotiation

    spec, sc, world = load_negotiation(path, None)
    res = analyse(spec, sc, world, runs=runs, seed=seed)
    parties = list(spec.party_names)
    out: list[Value] = []
    for r in res.rounds:
        if not isinstance(r, RoundResult):  # an escalation step: what its threats cost each faction
            for f_i, f in enumerate(r.factions):
                g = f"{r.name}/{f.party}.{f.name}/"
                out.append(Value(g + "raw_before", _num(r.raw_before[f_i]), RTOL, STAKE_ATOL))
                out.append(Value(g + "raw_after", _num(r.raw_after[f_i]), RTOL, STAKE_ATOL))
            continue
        for p_i, p in enumerate(parties):
            out.append(Value(f"{r.name}/BATNA/{p}", _num(r.d[p_i]), RTOL, UTILITY_ATOL))
            if r.deltas is not None:
                out.append(Value(f"{r.name}/delta/{p}", _num(r.deltas[p_i]), RTOL, 0.0))
            if r.rates is not None:
                out.append(Value(f"{r.name}/loss_rate_per_day/{p}", _num(r.rates[p_i]), RTOL, UTILITY_ATOL))
        out.append(Value(f"{r.name}/zopa_size", float(r.zopa.sum())))
        concepts = [
            ("nash", r.nash),
            ("kalai_smorodinsky", r.ks),
            ("rubinstein", r.rubinstein_index),
            ("protocol", None if r.protocol is None else r.protocol.agreement),
            ("actual", r.actual_row),
        ]
        if r.agenda is not None:
            without = "+".join(r.agenda.excluded)
            concepts += [
                (f"nash_without_{without}", r.agenda.nash),
                (f"kalai_smorodinsky_without_{without}", r.agenda.ks),
            ]
        for concept, idx in concepts:
            out += _utility_values(r, concept, idx, parties)
        for c in r.commitments:
            g = f"{r.name}/commitment/{c.label}/"
            out.append(Value(g + "total_days", float(c.total_days)))
            for p_i, p in enumerate(parties):
                out.append(Value(g + f"utility/{p}", _num(c.utilities[p_i]), RTOL, UTILITY_ATOL))
    # the scenario's own simulation, as `chokepoints run` prints it
    run = _simulate(path, None, None)
    out += engine_values(run, prefix="run/")
    prov = res.provenance
    return {
        "values": out,
        "runs": int(prov["runs"]),
        "seed": int(prov["seed"]),
        "command": f"chokepoints negotiate {path.relative_to(ROOT)} (and chokepoints run, prefix run/: "
        f"{run.provenance['runs']} runs, seed {run.provenance['seed']})",
        "function": "chokepoints.negotiation.analysis.analyse(*load_negotiation(path), runs=, seed=) -> "
        "RoundResult.U / d / nash / ks / rubinstein_index / protocol / agenda / commitments; "
        "EscalationResult.raw_before / raw_after; plus engine summary of chokepoints.simulate",
        "provenance": {
            k: prov[k] for k in ("scenario_hash", "negotiation_spec_hash", "dataset", "dataset_version", "dataset_hash")
        },
    }


COMPUTE = {
    "engine": compute_engine,
    "tariffs": compute_tariffs,
    "finance": compute_finance,
    "negotiation": compute_negotiation,
}


def compute(path: Path, runs: int | None = None, seed: int | None = None) -> dict[str, Any]:
    """Headline values of the scenario at ``path`` by the command that reads it."""
    kind = kind_of(path)
    out = COMPUTE[kind](path, runs=runs, seed=seed)
    out["kind"] = kind
    return out


# ---------------------------------------------------------------------------------------------
# files


def git_state() -> tuple[str, bool]:
    """(HEAD commit, whether src/ or scenarios/ differ from it)."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()

    return git("rev-parse", "HEAD"), bool(git("status", "--porcelain", "--", "src", "scenarios"))


def stored_path(scenario: Path) -> Path:
    return STORED / f"{scenario.name.removesuffix('.yaml')}.json"


def record(path: Path, runs: int | None = None, seed: int | None = None) -> dict[str, Any]:
    """The JSON document pinning the scenario at ``path``."""
    got = compute(path, runs=runs, seed=seed)
    commit, dirty = git_state()
    doc = {
        "scenario": path.name.removesuffix(".yaml"),
        "scenario_file": str(path.relative_to(ROOT)),
        "kind": got["kind"],
        "command": got["command"],
        "function": got["function"],
        "runs": got["runs"],
        "seed": got["seed"],
        "package_version": cp.__version__,
        "git_commit": commit,
        "git_dirty": dirty,
        "created": dt.date.today().isoformat(),
        "truth": TRUTH.format(commit=commit[:12] + (" (with uncommitted changes)" if dirty else "")),
        "tolerance": "match when |now - stored| <= atol + rtol * |stored|; null (NaN) matches only NaN; "
        "text matches exactly (see tests/stored_results.py)",
        "provenance": got["provenance"],
        "values": [v.to_json() for v in got["values"]],
    }
    names = [v["name"] for v in doc["values"]]
    if len(names) != len(set(names)):
        raise ValueError(f"{path}: duplicate indicator names")
    return doc


def write(doc: dict[str, Any], out: Path) -> Path:
    """JSON with one line per value (small, and a regeneration diffs value by value)."""
    head = json.dumps({k: v for k, v in doc.items() if k != "values"}, indent=1, allow_nan=False)
    rows = ",\n  ".join(json.dumps(v, allow_nan=False) for v in doc["values"])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(f'{head[:-2]},\n "values": [\n  {rows}\n ]\n}}\n', encoding="utf-8")
    json.loads(out.read_text(encoding="utf-8"))  # still JSON
    return out


def compare(stored: dict[str, Any], now: list[Value]) -> list[str]:
    """One line per stored value that the recomputed ones miss or do not match."""
    got = {v.name: v.value for v in now}
    bad = []
    for s in stored["values"]:
        name, want = s["name"], s["value"]
        if name not in got:
            bad.append(f"{name}: stored {want!r}, now missing")
            continue
        have = got[name]
        if isinstance(want, str) or isinstance(have, str):
            if have != want:
                bad.append(f"{name}: stored {want!r}, now {have!r}")
            continue
        if want is None or have is None:
            if not (want is None and have is None):
                bad.append(f"{name}: stored {_show(want)}, now {_show(have)}")
            continue
        if abs(have - want) > s["atol"] + s["rtol"] * abs(want):
            rel = abs(have - want) / abs(want) if want else math.inf
            bad.append(
                f"{name}: stored {want!r}, now {have!r} (diff {have - want:.3g}, rel {rel:.3g}; "
                f"rtol {s['rtol']:g}, atol {s['atol']:.3g})"
            )
    return bad


def _show(v: float | None) -> str:
    return "NaN" if v is None else repr(v)
