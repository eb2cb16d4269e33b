"""Scores of the negotiation forecasts against the outcomes of past rounds, out of sample.

Leave-one-round-out: the one tuned parameter (the US share of capability, on ``THETA_GRID``)
is chosen on the other rounds only; each model's error on a round is the distance of its
predicted package from the actual one, as a share of each issue's range
(:func:`chokepoints.negotiation.forecast.error`). The table of past rounds
(``negotiation/data/us_china_rounds.csv``) carries each outcome with its source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .analysis import NegotiationResult
from .forecast import (
    MODELS,
    THETA_GRID,
    Ensemble,
    Preferences,
    RoundForecast,
    RoundTable,
    error,
    predict,
    round_tables,
)


@dataclass
class RoundScore:
    round: str
    model: str
    theta: float  # the US capability share tuned on the other rounds
    error: float  # out of sample
    hit: bool  # predicted package == actual
    in_set90: bool | None  # actual package inside the ensemble's 90 % set (declared, untuned preferences)
    predicted: str


@dataclass
class Score:
    rows: list[RoundScore]
    models: tuple[str, ...]

    def overall(self, model: str) -> float:
        return float(np.mean([r.error for r in self.rows if r.model == model]))

    def hits(self, model: str) -> tuple[int, int]:
        rr = [r for r in self.rows if r.model == model]
        return sum(r.hit for r in rr), len(rr)

    def set_hits(self, model: str) -> tuple[int, int]:
        rr = [r for r in self.rows if r.model == model and r.in_set90 is not None]
        return sum(bool(r.in_set90) for r in rr), len(rr)

    def best(self) -> str:
        return min(self.models, key=self.overall)


def score(
    res: NegotiationResult,
    world: Any,
    ens: Ensemble | None = None,
    models: tuple[str, ...] = MODELS,
    tables: list[RoundTable] | None = None,
) -> Score:
    """Leave-one-round-out errors of every model on every round with an actual outcome."""
    spec = res.spec
    tables = [t for t in (tables if tables is not None else round_tables(res, world)) if t.actual is not None]
    factions = res.talks[0].factions
    parties = spec.party_names
    base = Preferences.of(spec)
    # error of every model on every round for every theta of the grid
    grid: dict[float, dict[str, list[tuple[float, np.ndarray]]]] = {}
    for th in THETA_GRID:
        pr = base.with_theta(float(th), parties)
        grid[th] = {m: [] for m in models}
        for t in tables:
            pred = predict(t, spec, factions, pr, models)
            for m in models:
                grid[th][m].append((error(t, pred.codes[m]), pred.codes[m]))
    bands = {fc.table.name: fc.bands for fc in ens.rounds} if ens is not None else {}
    rows = []
    for i, t in enumerate(tables):
        for m in models:
            others = [j for j in range(len(tables)) if j != i]

            def loss(th: float, m: str = m, others: list[int] = others) -> float:
                return float(np.mean([grid[th][m][j][0] for j in others])) if others else 0.0

            best = min(THETA_GRID, key=lambda th: (loss(th), abs(th - 0.5)))
            err, codes = grid[best][m][i]
            actual = tuple(int(v) for v in t.actual)  # type: ignore[union-attr]
            band = bands.get(t.name, {}).get(m)
            rows.append(
                RoundScore(
                    t.name,
                    m,
                    float(best),
                    err,
                    tuple(int(v) for v in codes) == actual,
                    None if band is None else actual in band.set90,
                    RoundForecast(t, {}).describe(codes),
                )
            )
    return Score(rows, models)


def past_rounds() -> Any:
    """The sourced table of past US-China rounds with their actual outcomes (a pandas DataFrame).

    Columns: round, date, kind (deal | escalation), outcome, us_tariff_change_pct (points, headline
    rate), scored_by (the bundled scenario that simulates the round, empty when none does),
    facts_key (row of shared/facts), source_title, source_url. The 2018-2020 rounds are not
    simulated by any bundled scenario (its world is the 2025 rare-earth economy): they are the
    record, not yet scored.
    """
    from importlib.resources import files

    import pandas as pd

    with (files("chokepoints.negotiation") / "data" / "us_china_rounds.csv").open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh, dtype={"scored_by": str}, keep_default_na=False)
    return df
