"""Report sections and terminal tables for a negotiation analysis."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..report import Section, write_report
from ..report.components import marker_style
from .analysis import EscalationResult, NegotiationResult, RoundResult
from .domain import describe

METHOD_TEXT = """
Each package becomes scenario events (deal copies of the targeted events from the round date
until the truce expires, then the earlier regime snaps back) and lever paths; the engine
simulates it and each faction's value is the sum of its terms (coef × indicator, summed from
the round date). Faction utilities are normalised over the round's packages (0 worst, 1 best on
the table); a party's utility is the weighted sum of its factions' (weights sum to 1), or capped
at its BATNA when a veto faction is left worse off. No deal is simulated too: the BATNA. Nash
(1950) maximises (u1 - d1)(u2 - d2) over the packages both prefer to no deal; Kalai–Smorodinsky
(1975) maximises the smaller share of each side's ideal gain; Rubinstein (1982): first mover's
share of a unit pie (1 - d2) / (1 - d1 d2), solved on the frontier. Discount factors: the Nash
package agreed one period late keeps the share delta of each side's surplus (its expiry date is
fixed, so the delay is time spent without a deal); loss rate r = -ln(delta) / period. Utilities
are comparable within a round, not across rounds.
"""

COLORS = {
    "Nash": "#d62728",
    "Kalai–Smorodinsky": "#9467bd",
    "Rubinstein": "#ff7f0e",
    "protocol": "#2ca02c",
    "NegMAS": "#17becf",
    "actual": "#000000",
    "no deal": "#7f7f7f",
}


def solution_rows(r: RoundResult) -> list[tuple[str, int | None]]:
    rows: list[tuple[str, int | None]] = [
        ("Nash", r.nash),
        ("Kalai–Smorodinsky", r.ks),
        ("Rubinstein", r.rubinstein_index),
        ("protocol", r.protocol.agreement if r.protocol else None),
    ]
    if r.negmas_ran:
        rows.append(("NegMAS", r.negmas))
    if r.actual_row is not None:
        rows.append(("actual", r.actual_row))
    rows.append(("no deal", r.no_deal_row))
    return rows


def _pct(v: float) -> str:
    return "—" if v != v else f"{v * 100:.2f} %"


def summary_frame(res: NegotiationResult) -> pd.DataFrame:
    """One row per round of talks: BATNAs, predicted (Nash) deal, actual outcome, utilities."""
    a, b = res.spec.party_names
    rows = []
    for r in res.talks:
        pred = r.nash
        row: dict[str, Any] = {
            "round": r.ctx.round.label or r.name,
            "date": str(r.ctx.round.date),
            f"BATNA {a}": r.d[0],
            f"BATNA {b}": r.d[1],
            "predicted deal (Nash)": r.label(pred),
            f"{a} (Nash)": np.nan if pred is None else r.U[pred, 0],
            f"{b} (Nash)": np.nan if pred is None else r.U[pred, 1],
            "actual outcome": r.label(r.actual_row) if r.actual_row is not None else "—",
            f"{a} (actual)": np.nan if r.actual_row is None else r.U[r.actual_row, 0],
            f"{b} (actual)": np.nan if r.actual_row is None else r.U[r.actual_row, 1],
        }
        rows.append(row)
    return pd.DataFrame(rows)


def who_concedes(r: RoundResult) -> str:
    """Plain words: who gets the larger share of its possible gain in the prediction, and why."""
    spec = r.ctx.spec
    a, b = spec.party_names
    if r.nash is None:
        return "No package leaves both sides better off than no deal: talks should break down."
    from .solutions import ideal_point

    ideal = ideal_point(r.U[: r.n], r.d)
    share = (r.U[r.nash] - r.d) / np.maximum(ideal - r.d, 1e-12)
    lines = [
        f"At the Nash solution {a} gets {share[0] * 100:.0f} % and {b} "
        f"{share[1] * 100:.0f} % of the best gain the table offers each."
    ]
    if r.rates is not None:
        fast = int(np.argmax(r.rates))
        slow = 1 - fast
        names = (a, b)
        kept = r.deltas or (1.0, 1.0)
        lines.append(
            f"Delay costs {names[fast]} more: a period's slip keeps {kept[fast] * 100:.1f} % of "
            f"its surplus against {kept[slow] * 100:.1f} % for {names[slow]} (loss rates "
            f"{_pct(r.rates[fast])} and {_pct(r.rates[slow])} of the surplus per day), so in "
            f"alternating offers {names[fast]} concedes more."
        )
    if r.actual_row is not None:
        act = r.U[r.actual_row]
        gap = act - (r.U[r.nash])
        better = a if gap[0] - gap[1] > 0 else b
        lines.append(
            f"The actual outcome gave {a} {act[0]:.3f} (Nash {r.U[r.nash, 0]:.3f}) and {b} "
            f"{act[1]:.3f} (Nash {r.U[r.nash, 1]:.3f}): relative to the prediction it favoured "
            f"{better}."
        )
    return " ".join(lines)


def agenda_frame(res: NegotiationResult) -> pd.DataFrame:
    """Per round and party: predicted utilities with the full agenda and without the excluded
    issues."""
    rows = []
    for r in res.talks:
        ag = r.agenda
        if ag is None:
            continue
        for p_i, p in enumerate(res.spec.party_names):
            full = np.nan if r.nash is None else r.U[r.nash, p_i]
            rest = np.nan if ag.nash is None else r.U[ag.nash, p_i]
            ks_full = np.nan if r.ks is None else r.U[r.ks, p_i]
            ks_rest = np.nan if ag.ks is None else r.U[ag.ks, p_i]
            rows.append(
                {
                    "round": r.name,
                    "party": p,
                    "BATNA": r.d[p_i],
                    "Nash, full agenda": full,
                    "Nash, without": rest,
                    "change (Nash)": rest - full,
                    "KS, full agenda": ks_full,
                    "KS, without": ks_rest,
                    "change (KS)": ks_rest - ks_full,
                    "best on table, full": float(r.U[: r.n, p_i][r.zopa].max()) if r.zopa.any() else np.nan,
                    "best on table, without": float(r.U[: r.n, p_i][r.zopa & ag.mask].max())
                    if (r.zopa & ag.mask).any()
                    else np.nan,
                }
            )
    return pd.DataFrame(rows)


def agenda_packages(res: NegotiationResult) -> pd.DataFrame:
    rows = []
    for r in res.talks:
        ag = r.agenda
        if ag is None:
            continue
        rows.append(
            {
                "round": r.name,
                "excluded": ", ".join(ag.excluded),
                "packages (full / without)": f"{r.n} / {int(ag.mask.sum())}",
                "ZOPA (full / without)": f"{int(r.zopa.sum())} / {ag.zopa_size}",
                "frontier points (full / without)": f"{int(r.pareto.sum())} / {len(ag.pareto)}",
                "Nash, full agenda": r.label(r.nash),
                "Nash, without": r.label(ag.nash),
                "restricted frontier inside full": "yes" if ag.frontier_ok else "NO",
            }
        )
    return pd.DataFrame(rows)


def _frontier_figure(r: RoundResult):
    import plotly.graph_objects as go

    a, b = r.ctx.spec.party_names
    U = r.U[: r.n]
    labels = [describe(r.ctx.spec, p) for p in r.packages]
    fig = go.Figure()
    other = ~r.zopa
    fig.add_trace(
        go.Scattergl(
            x=U[other, 0],
            y=U[other, 1],
            mode="markers",
            name="outside the ZOPA",
            marker={"color": "#d0d0d0", "size": 5},
            text=np.asarray(labels)[other],
            hovertemplate="%{text}<br>" + a + " %{x:.3f}, " + b + " %{y:.3f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scattergl(
            x=U[r.zopa, 0],
            y=U[r.zopa, 1],
            mode="markers",
            name="ZOPA (both gain)",
            marker={"color": "#9ecae1", "size": 6},
            text=np.asarray(labels)[r.zopa],
            hovertemplate="%{text}<br>" + a + " %{x:.3f}, " + b + " %{y:.3f}<extra></extra>",
        )
    )
    idx = np.flatnonzero(r.pareto)
    idx = idx[np.argsort(U[idx, 0])]
    fig.add_trace(
        go.Scatter(
            x=U[idx, 0],
            y=U[idx, 1],
            mode="lines+markers",
            name="Pareto frontier",
            line={"color": "#1f77b4"},
            marker={"size": 6},
            text=np.asarray(labels)[idx],
            hovertemplate="%{text}<extra>frontier</extra>",
        )
    )
    if r.agenda is not None and len(r.agenda.pareto):
        j = r.agenda.pareto[np.argsort(U[r.agenda.pareto, 0])]
        fig.add_trace(
            go.Scatter(
                x=U[j, 0],
                y=U[j, 1],
                mode="lines",
                name="frontier without " + ", ".join(r.agenda.excluded),
                line={"color": "#1f77b4", "dash": "dash"},
            )
        )
    shown = [(name, i) for name, i in solution_rows(r) if i is not None]
    for k, (name, i) in enumerate(shown):
        # sizes fall in legend order, so Nash stays visible as a ring round Kalai-Smorodinsky
        # (and both round Rubinstein) when they pick the same package
        sym = {"no deal": "x", "actual": "star", "Nash": "circle", "Kalai–Smorodinsky": "diamond"}.get(name, "square")
        fig.add_trace(
            go.Scatter(
                x=[r.U[i, 0]],
                y=[r.U[i, 1]],
                mode="markers",
                name=name,
                marker=marker_style(k, len(shown), color=COLORS[name], symbol=sym),
                text=[r.label(i)],
                hovertemplate="%{text}<extra>" + name + "</extra>",
            )
        )
    fig.update_layout(
        title=f"{r.ctx.round.label or r.name}: packages in utility space",
        template="plotly_white",
        xaxis_title=f"utility of {a}",
        yaxis_title=f"utility of {b}",
        height=520,
        legend={"orientation": "h", "y": -0.18},
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
    )
    return fig


def _protocol_figure(r: RoundResult):
    import plotly.graph_objects as go

    a, b = r.ctx.spec.party_names
    fig = go.Figure()
    offers = r.protocol.offers if r.protocol else []
    for p_i, name in enumerate((a, b)):
        mine = [o for o in offers if o.proposer == p_i]
        for k, whose in enumerate((a, b)):
            fig.add_trace(
                go.Scatter(
                    x=[o.step for o in mine],
                    y=[o.utilities[k] for o in mine],
                    mode="lines+markers",
                    name=f"{name}'s offers: utility of {whose}",
                    line={"dash": "solid" if p_i == 0 else "dot"},
                )
            )
    fig.add_hline(y=r.d[0], line={"dash": "dot", "color": "#1f77b4"}, annotation_text=f"BATNA {a}")
    fig.add_hline(y=r.d[1], line={"dash": "dot", "color": "#d62728"}, annotation_text=f"BATNA {b}")
    fig.update_layout(
        title="Alternating offers: the path of offers",
        template="plotly_white",
        height=400,
        xaxis_title=f"step ({r.ctx.spec.period_days:g} days each)",
        yaxis_title="utility",
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
    )
    return fig


def solutions_frame(r: RoundResult) -> pd.DataFrame:
    a, b = r.ctx.spec.party_names
    rows = []
    for name, i in solution_rows(r):
        if i is None:
            rows.append({"solution": name, "package": "no agreement", f"U {a}": np.nan, f"U {b}": np.nan})
            continue
        row = {"solution": name, "package": r.label(i), f"U {a}": r.U[i, 0], f"U {b}": r.U[i, 1]}
        for j, f in enumerate(r.factions):
            row[f"{f.party}:{f.name}"] = r.fu[i, j]
        rows.append(row)
    return pd.DataFrame(rows)


def raw_frame(r: RoundResult) -> pd.DataFrame:
    """Each faction's raw value relative to no deal, USD bn (days for shortfall terms)."""
    rows = []
    for name, i in solution_rows(r):
        if i is None or name == "no deal":
            continue
        row = {"solution": name}
        for j, f in enumerate(r.factions):
            row[f"{f.party}:{f.name}"] = (r.raw[i, j] - r.raw[r.no_deal_row, j]) / 1e9
        rows.append(row)
    return pd.DataFrame(rows)


def bargaining_frame(r: RoundResult) -> pd.DataFrame:
    spec = r.ctx.spec
    rows = []
    for p_i, p in enumerate(spec.party_names):
        party = spec.parties[p]
        rows.append(
            {
                "party": p,
                "BATNA (no deal)": r.d[p_i],
                "surplus kept after a period's delay (delta)": np.nan if r.deltas is None else r.deltas[p_i],
                "loss rate per day": np.nan if r.rates is None else r.rates[p_i],
                "Rubinstein share (equilibrium gain)": np.nan if r.rubinstein is None else r.rubinstein.gains[p_i],
                "strategy": f"{party.strategy}" + (f" e={party.exponent:g}" if party.exponent else ""),
                "moves first": "yes" if (spec.first_mover or spec.party_names[0]) == p else "no",
            }
        )
    return pd.DataFrame(rows)


def round_section(r: RoundResult) -> Section:
    spec = r.ctx.spec
    rd = r.ctx.round
    parts = [
        f"<p><b>{html.escape(rd.label or rd.name)}</b>, {rd.date}. {len(r.packages):,} packages "
        f"on the agenda ({html.escape(', '.join(r.ctx.agenda))}); {int(r.zopa.sum()):,} in the "
        f"zone of possible agreement, {int(r.pareto.sum())} on the Pareto frontier.</p>",
        f"<p>{html.escape(who_concedes(r))}</p>",
    ]
    if r.ctx.threat_notes:
        parts.append(
            "<p>No deal includes the threats of: "
            + html.escape(", ".join(r.ctx.threat_notes))
            + " (suspended while a deal is in force, applied when it expires).</p>"
        )
    if rd.actual_note or rd.sources:
        parts.append(
            "<p class='meta'>Actual outcome: "
            + html.escape(rd.actual_note)
            + " Sources: "
            + html.escape("; ".join(rd.sources))
            + "</p>"
        )
    tables = [
        (
            "Solutions: packages, party utilities and normalised faction utilities",
            solutions_frame(r),
        ),
        (
            "Each faction's value relative to no deal (USD bn; shortfall terms in days / 1e9)",
            raw_frame(r),
        ),
        ("Disagreement points, impatience and Rubinstein shares", bargaining_frame(r)),
    ]
    figures = [_frontier_figure(r)]
    if r.protocol is not None:
        figures.append(_protocol_figure(r))
        path = pd.DataFrame(
            [
                {
                    "step": o.step,
                    "proposer": spec.party_names[o.proposer],
                    "offer": r.label(o.package),
                    f"U {spec.party_names[0]}": o.utilities[0],
                    f"U {spec.party_names[1]}": o.utilities[1],
                    "accepted": "yes" if o.accepted else "",
                }
                for o in r.protocol.offers
            ]
        )
        outcome = (
            "breakdown at the deadline"
            if r.protocol.broke_down
            else f"agreement at step {r.protocol.step}: {r.label(r.protocol.agreement)}"
        )
        tables.append((f"Protocol ({outcome})", path))
    for c in r.commitments:
        tl = pd.DataFrame([{"date": str(d), "what": w} for d, w in c.timeline])
        tables.append(
            (
                f"Truce over time, {c.label}: {describe(spec, c.package)} "
                f"(utilities {c.utilities[0]:.3f} / {c.utilities[1]:.3f})",
                tl,
            )
        )
    return Section(f"Round: {rd.label or rd.name}", "".join(parts), figures=figures, tables=tables)


def escalation_section(e: EscalationResult) -> Section:
    rd = e.ctx.round
    df = pd.DataFrame(
        [
            {
                "party": f.party,
                "faction": f.label,
                "change if no deal follows (USD bn)": (e.raw_after[j] - e.raw_before[j]) / 1e9,
            }
            for j, f in enumerate(e.factions)
        ]
    )
    ev = pd.DataFrame([{k: str(v) for k, v in t.items()} for t in rd.threats.events]) if rd.threats.events else None
    lev = pd.DataFrame([t.model_dump(mode="json") for t in rd.threats.levers]) if rd.threats.levers else None
    tables = [("What the threats cost each faction (simulated, from the escalation date)", df)]
    if ev is not None:
        tables.append(("Threatened events", ev.astype(str)))
    if lev is not None:
        tables.append(("Threatened lever moves", lev.astype(str)))
    text = (
        "<p>An escalation negotiates nothing: its threats become the no-deal outcome of the "
        "next talks (and what snaps back when their truce expires).</p><p class='meta'>Sources: "
        + html.escape("; ".join(rd.sources))
        + "</p>"
    )
    return Section(f"Escalation: {rd.label or rd.name}", text, tables=tables)


def method_section(res: NegotiationResult, spec_text: str | None) -> Section:
    spec = res.spec
    fac = pd.DataFrame(
        [
            {
                "party": p,
                "faction": f,
                "label": fc.label,
                "weight": fc.weight,
                "terms": "; ".join(t.describe() for t in fc.terms),
                "combine": spec.parties[p].combine
                + (f" (veto: {spec.parties[p].veto})" if spec.parties[p].veto else ""),
            }
            for p, party in spec.parties.items()
            for f, fc in party.factions.items()
        ]
    )
    issues = pd.DataFrame(
        [
            {
                "issue": i.name,
                "label": i.label,
                "values": ", ".join(map(str, i.options())),
                "topics": ", ".join(i.topics),
                "maps to": "; ".join(f"event {t.event}.{t.field}" if t.event else f"lever {t.lever}" for t in i.targets)
                or "deal length",
            }
            for i in spec.issues
        ]
    )
    sims = res.provenance.get("simulations", 0)
    batches = res.provenance.get("simulation_batches", 0)
    text = (
        "<p>"
        + " ".join(METHOD_TEXT.split())
        + "</p>"
        + (
            f"<p class='meta'>Tariff model: {html.escape(res.provenance.get('tariff_model', ''))}. "
            f"{sims} distinct simulations in {batches} batches (cached by scenario hash).</p>"
        )
    )
    if spec_text:
        text += f"<details><summary>Negotiation spec</summary><pre>{html.escape(spec_text)}</pre></details>"
    return Section("Method, issues and factions", text, tables=[("Issues", issues), ("Factions", fac)])


def negotiation_sections(res: NegotiationResult, spec_text: str | None = None) -> list[Section]:
    intro = (
        "<p>" + html.escape(res.spec.description or res.scenario.description) + "</p>"
        "<p>Predicted deals (Nash) and the actual outcome of each round, with each side's "
        "utility and BATNA (utilities normalised within the round: 0 = the worst, 1 = the best "
        "the table offers).</p>"
    )
    secs = [Section("Predicted deals and actual outcomes", intro, tables=[("Rounds", summary_frame(res))])]
    if any(r.agenda is not None for r in res.talks):
        excl = ", ".join(res.exclude)
        secs.append(
            Section(
                f"Agenda: keeping {excl} off the table",
                "<p>The same packages with the excluded issues left unchanged (a subset of the "
                "full agenda, so the frontier can only shrink). Positive change: the party "
                "gains from keeping the issues off the table.</p>",
                tables=[
                    ("Predicted utilities", agenda_frame(res)),
                    ("Packages and predictions", agenda_packages(res)),
                ],
            )
        )
    for r in res.rounds:
        secs.append(round_section(r) if isinstance(r, RoundResult) else escalation_section(r))
    secs.append(method_section(res, spec_text))
    return secs


def _agenda_band_figure(ens: Any):
    """Each party's change of Nash utility from keeping the excluded issues off the table:
    median and 5-95 % over the draws, one group per round."""
    import plotly.graph_objects as go

    fig = go.Figure()
    parties = ens.spec.party_names
    rounds = [rf for rf in ens.rounds if rf.agenda_gain is not None]
    for p_i, p in enumerate(parties):
        med, lo, hi = [], [], []
        for rf in rounds:
            q = np.percentile(rf.agenda_gain[:, 2, p_i], [50, 5, 95])
            med.append(q[0])
            lo.append(q[0] - q[1])
            hi.append(q[2] - q[0])
        fig.add_trace(
            go.Bar(
                x=[rf.table.label for rf in rounds],
                y=med,
                name=p,
                error_y={"type": "data", "symmetric": False, "array": hi, "arrayminus": lo},
            )
        )
    fig.update_layout(
        barmode="group",
        yaxis_title="change of Nash utility, restricted - full agenda",
        title="What keeping the excluded issues off the table gains (+) or costs (-) each side: median, 5-95 %",
    )
    return fig


def ensemble_section(ens: Any) -> Section:
    """The stakeholder models' predicted packages with bands, and the agenda comparison with bands."""
    rows = []
    for rf in ens.rounds:
        for m, b in rf.bands.items():
            top, p = b.packages[0]
            rows.append(
                {
                    "round": rf.table.label,
                    "model": m,
                    "most probable package": rf.describe(top),
                    "probability": p,
                    "packages in 90 % set": len(b.set90),
                    **{
                        f"{k} median [5-95 %]": f"{b.median[j]:.3g} [{b.p05[j]:.3g}, {b.p95[j]:.3g}]"
                        for j, k in enumerate(rf.table.agenda)
                    },
                }
            )
    figures = []
    tables = [("Predicted package per model", pd.DataFrame(rows))]
    if any(rf.agenda_gain is not None for rf in ens.rounds):
        figures.append(_agenda_band_figure(ens))
        arows = []
        for rf in ens.rounds:
            if rf.agenda_gain is None:
                continue
            for p_i, p in enumerate(ens.spec.party_names):
                q = {
                    n: np.percentile(rf.agenda_gain[:, r, p_i], [50, 5, 95])
                    for r, n in enumerate(("full", "restricted", "change"))
                }
                arows.append(
                    {
                        "round": rf.table.label,
                        "party": p,
                        "without": ", ".join(rf.table.excluded),
                        **{f"{n} median": v[0] for n, v in q.items()},
                        **{f"{n} 5 %": v[1] for n, v in q.items()},
                        **{f"{n} 95 %": v[2] for n, v in q.items()},
                    }
                )
        tables.append(("Full versus restricted agenda (Nash), over the draws", pd.DataFrame(arows)))
    text = (
        f"<p>{ens.draws} Latin-hypercube draws of the uncertain preferences declared in the spec "
        "(faction weights, capabilities, salience factors, term coefficients); each draw re-weights the "
        "same simulated stakes. Models: compromise (capability x salience weighted mean, the baseline), "
        "weighted median, challenge (Bueno de Mesquita / Scholz et al. 2011), exchange (Stokman and "
        "van Oosten 1994) and the two-party Nash solution; see docs/negotiation.md.</p>"
    )
    return Section("Stakeholder forecasts with bands", text, figures=figures, tables=tables)


def write_negotiation_report(
    res: NegotiationResult, path: str | Path, spec_text: str | None = None, ensemble: Any = None
) -> Path:
    title = f"chokepoints negotiation: {res.spec.name or res.scenario.name}"
    secs = negotiation_sections(res, spec_text)
    if ensemble is not None:
        secs.insert(1, ensemble_section(ensemble))
    return write_report(path, title, secs, provenance=res.provenance)
