"""The results of a negotiation analysis: per round (RoundResult), per escalation step
(EscalationResult), and for the whole spec (NegotiationResult), with the faction and
normalisation records they keep. Computed by :mod:`.analysis`, which re-exports them.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr

from ..scenario import Scenario
from .batch import SimulationCache
from .domain import (
    Package,
    RoundContext,
    describe,
    package_from_values,
)
from .protocol import ProtocolResult
from .solutions import RubinsteinPoint
from .spec import Spec, Term


@dataclass(frozen=True)
class FactionInfo:
    party: str
    name: str
    label: str
    weight: float
    terms: tuple[Term, ...]


@dataclass
class Normaliser:
    lo: np.ndarray
    hi: np.ndarray

    @classmethod
    def fit(cls, raw: np.ndarray) -> Normaliser:
        return cls(raw.min(axis=0), raw.max(axis=0))

    def __call__(self, raw: np.ndarray) -> np.ndarray:
        span = self.hi - self.lo
        flat = span <= 1e-9 * np.maximum(1.0, np.abs(self.hi))
        return np.where(flat[None, :], 0.5, (raw - self.lo[None, :]) / np.where(flat, 1.0, span)[None, :])


@dataclass
class AgendaComparison:
    """The round's solutions with ``excluded`` issues kept off the table."""

    excluded: list[str]
    mask: np.ndarray  # candidates left on the restricted agenda
    nash: int | None
    ks: int | None
    pareto: np.ndarray  # over the restricted candidates, in full indices
    zopa_size: int
    frontier_ok: bool  # restricted frontier weakly dominated by the full one (always, by construction)


@dataclass
class Commitment:
    """A deal simulated through its truce, extensions and snapback."""

    label: str
    package: Package
    timeline: list[tuple[dt.date, str]]
    total_days: int
    utilities: np.ndarray  # party utilities of the final path
    raw: np.ndarray


@dataclass
class RoundResult:
    ctx: RoundContext
    packages: list[Package]
    factions: list[FactionInfo]
    raw: np.ndarray
    fu: np.ndarray
    U: np.ndarray
    no_deal_row: int
    actual_row: int | None
    pareto: np.ndarray
    zopa: np.ndarray
    nash: int | None
    ks: int | None
    deltas: tuple[float, float] | None
    rates: tuple[float, float] | None
    delayed_U: np.ndarray | None
    rubinstein: RubinsteinPoint | None
    rubinstein_index: int | None
    protocol: ProtocolResult | None
    agenda: AgendaComparison | None = None
    commitments: list[Commitment] = field(default_factory=list)
    norm: Normaliser | None = None
    negmas: int | None = None  # NegMAS SAO agreement (package index), when asked and installed
    negmas_ran: bool = False

    @property
    def name(self) -> str:
        return self.ctx.round.name

    @property
    def n(self) -> int:
        return len(self.packages)

    @property
    def d(self) -> np.ndarray:
        return self.U[self.no_deal_row]

    @property
    def actual_package(self) -> Package | None:
        r = self.ctx.round
        return package_from_values(self.ctx.spec, r.actual) if r.actual is not None else None

    def label(self, i: int | None) -> str:
        if i is None:
            return "no agreement"
        if i == self.no_deal_row:
            return "no deal"
        if self.actual_row is not None and i == self.actual_row:
            return describe(self.ctx.spec, self.actual_package)
        return describe(self.ctx.spec, self.packages[i])


@dataclass
class EscalationResult:
    """An escalation step: what its threats cost each faction if no deal follows."""

    ctx: RoundContext
    factions: list[FactionInfo]
    raw_before: np.ndarray  # (F,) status quo without the threats
    raw_after: np.ndarray  # (F,) with the threats

    @property
    def name(self) -> str:
        return self.ctx.round.name


@dataclass
class NegotiationResult:
    spec: Spec
    scenario: Scenario
    rounds: list[RoundResult | EscalationResult]
    exclude: list[str]
    provenance: dict[str, Any]
    cache: SimulationCache

    @property
    def talks(self) -> list[RoundResult]:
        return [r for r in self.rounds if isinstance(r, RoundResult)]

    def to_dataset(self) -> xr.Dataset:
        """The result as an xarray Dataset (attrs: ``kind="negotiation"`` and the provenance),
        written by ``ds.cp.to_netcdf(path)`` and reopened by :func:`chokepoints.open_result`.

        Dims: ``round`` (every round, talks and escalations), ``party``, ``faction``
        ("party:name") and ``option`` (every row a round of talks scored: its packages, then
        no deal, then the actual outcome when given; coordinates ``option_round``,
        ``option_label``, ``option_kind``). Per option: ``utility`` U_p (option, party),
        ``faction_utility`` u_f and ``faction_value`` v_f (option, faction), ``pareto`` and
        ``zopa`` (0/1). Per round: ``batna`` d_p, the labels of the ``nash``, ``ks``,
        ``rubinstein``, ``protocol`` and ``actual`` packages ("" where none, "no agreement"
        when a solution does not exist) with ``<solution>_utility`` (round, party),
        ``delta`` and ``loss_rate`` (round, party); for escalations ``value_before`` and
        ``value_after`` (round, faction). NaN where a quantity does not apply.
        """
        from ..indicators.accessor import netcdf_attrs

        parties = list(self.spec.party_names)
        factions = self.rounds[0].factions if self.rounds else []
        nR, nP, nF = len(self.rounds), len(parties), len(factions)
        sols = ("nash", "ks", "rubinstein", "protocol", "actual")
        labels = {s: [""] * nR for s in sols}
        sol_u = {s: np.full((nR, nP), np.nan) for s in sols}
        batna, delta, rate = (np.full((nR, nP), np.nan) for _ in range(3))
        before, after = np.full((nR, nF), np.nan), np.full((nR, nF), np.nan)
        o_round: list[str] = []
        o_label: list[str] = []
        o_kind: list[str] = []
        util, fu, raw, pareto, zopa = [], [], [], [], []
        for i, r in enumerate(self.rounds):
            if isinstance(r, EscalationResult):
                before[i], after[i] = r.raw_before, r.raw_after
                continue
            batna[i] = r.d
            if r.deltas is not None:
                delta[i] = r.deltas
            if r.rates is not None:
                rate[i] = r.rates
            chosen = {
                "nash": r.nash,
                "ks": r.ks,
                "rubinstein": r.rubinstein_index,
                "protocol": r.protocol.agreement if r.protocol else None,
                "actual": r.actual_row,
            }
            for s, k in chosen.items():
                if s == "actual" and k is None:
                    continue
                labels[s][i] = r.label(k)
                if k is not None:
                    sol_u[s][i] = r.U[k]
            rows = r.U.shape[0]
            o_round += [r.name] * rows
            o_label += [r.label(k) for k in range(rows)]
            o_kind += ["package" if k < r.n else "no deal" if k == r.no_deal_row else "actual" for k in range(rows)]
            util.append(r.U)
            fu.append(r.fu)
            raw.append(r.raw)
            pad = np.zeros(rows - r.n, np.int8)
            pareto.append(np.concatenate([np.asarray(r.pareto, np.int8), pad]))
            zopa.append(np.concatenate([np.asarray(r.zopa, np.int8), pad]))

        def stack(parts: list[np.ndarray], width: int) -> np.ndarray:
            return np.concatenate(parts) if parts else np.zeros((0, width))

        data: dict[str, Any] = {
            "utility": (("option", "party"), stack(util, nP)),
            "faction_utility": (("option", "faction"), stack(fu, nF)),
            "faction_value": (("option", "faction"), stack(raw, nF)),
            "pareto": (("option",), np.concatenate(pareto) if pareto else np.zeros(0, np.int8)),
            "zopa": (("option",), np.concatenate(zopa) if zopa else np.zeros(0, np.int8)),
            "batna": (("round", "party"), batna),
            "delta": (("round", "party"), delta),
            "loss_rate": (("round", "party"), rate),
            "value_before": (("round", "faction"), before),
            "value_after": (("round", "faction"), after),
        }
        for s in sols:
            data[s] = (("round",), np.array(labels[s], dtype=object))
            data[f"{s}_utility"] = (("round", "party"), sol_u[s])
        coords = {
            "round": np.arange(nR),
            "round_name": ("round", [r.name for r in self.rounds]),
            "round_label": ("round", [r.ctx.round.label or r.name for r in self.rounds]),
            "round_date": ("round", [str(r.ctx.round.date) for r in self.rounds]),
            "round_kind": (
                "round",
                ["escalation" if isinstance(r, EscalationResult) else "talks" for r in self.rounds],
            ),
            "party": parties,
            "faction": [f"{f.party}:{f.name}" for f in factions],
            "faction_party": ("faction", [f.party for f in factions]),
            "faction_label": ("faction", [f.label for f in factions]),
            "faction_weight": ("faction", [float(f.weight) for f in factions]),
            "option": np.arange(len(o_round)),
            "option_round": ("option", o_round),
            "option_label": ("option", o_label),
            "option_kind": ("option", o_kind),
        }
        attrs = netcdf_attrs(
            {
                "kind": "negotiation",
                **self.provenance,
                "spec_name": self.spec.name,
                "exclude": json.dumps(list(self.exclude)),
            }
        )
        return xr.Dataset(data, coords=coords, attrs=attrs)
