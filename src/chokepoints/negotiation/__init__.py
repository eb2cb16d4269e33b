"""Negotiation: issues, parties and factions, utilities from simulations, bargaining solutions.

    import chokepoints as cp
    from chokepoints.negotiation import load_negotiation, analyse
    spec, scenario, world = load_negotiation("scenarios/us-china-talks-2025.yaml")
    res = analyse(spec, scenario, world, exclude=["export_controls"])
    busan = res.talks[-1]
    busan.label(busan.nash), busan.U[busan.nash], busan.d     # package, utilities, BATNAs

Each candidate agreement becomes scenario events and lever paths, is simulated by the
engine (cached by scenario hash, batched as one ensemble) and turned into each
faction's utility; no deal is simulated too and gives each side's BATNA. Solutions:
Pareto frontier, zone of possible agreement, Nash (1950), Kalai–Smorodinsky (1975),
Rubinstein (1982) with discount factors derived from how fast each side's surplus
shrinks with delay, and an alternating-offers protocol with a deadline. See
docs/negotiation.md.
"""

from __future__ import annotations

from .analysis import NegotiationResult, RoundResult, analyse
from .batch import SimulationCache
from .domain import build_policy, enumerate_packages, round_context
from .loader import load_negotiation, spec_path_for
from .protocol import Strategy, alternating_offers
from .solutions import (
    delta_from_rate,
    kalai_smorodinsky,
    nash_solution,
    pareto_mask,
    rubinstein_point,
    rubinstein_shares,
    zopa_mask,
)
from .spec import Spec, load_spec, spec_from_data

__all__ = [
    "Spec",
    "load_spec",
    "spec_from_data",
    "load_negotiation",
    "spec_path_for",
    "analyse",
    "NegotiationResult",
    "RoundResult",
    "SimulationCache",
    "build_policy",
    "enumerate_packages",
    "round_context",
    "Strategy",
    "alternating_offers",
    "pareto_mask",
    "zopa_mask",
    "nash_solution",
    "kalai_smorodinsky",
    "rubinstein_shares",
    "rubinstein_point",
    "delta_from_rate",
]
