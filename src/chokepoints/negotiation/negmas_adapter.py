"""Optional: run a round's domain in NegMAS (https://github.com/yasserfarouk/negmas).

NegMAS is AGPL-licensed and never required: install it yourself (``pip install negmas``)
to compare its agents with the built-in protocol. The adapter hands NegMAS the same
domain the built-in analysis uses: one outcome per package, each side's utility from
the simulations (``RoundResult.U``) and its BATNA as the reserved value.

    from chokepoints.negotiation.negmas_adapter import run_negmas
    out = run_negmas(round_result.U[:round_result.n], round_result.d, n_steps=50)
    round_result.label(out["agreement"])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InputError, Problem


def negmas_available() -> bool:
    try:
        import negmas  # noqa: F401
    except ImportError:
        return False
    return True


def run_negmas(
    U: np.ndarray,
    d: np.ndarray,
    n_steps: int = 50,
    negotiator: str = "TimeBasedConcedingNegotiator",
    names: tuple[str, str] = ("A", "B"),
) -> dict[str, Any]:
    """Stacked alternating offers (NegMAS ``SAOMechanism``) over the packages of ``U`` (n x 2).

    Returns ``{"agreement": package index or None, "step": int, "broken": bool, "timedout": bool}``.
    """
    try:
        import negmas
    except ImportError:
        raise InputError(
            Problem(
                "negmas",
                "the NegMAS adapter needs the optional package negmas "
                "(pip install negmas); the built-in protocol needs nothing",
            )
        ) from None
    U = np.asarray(U, float)
    d = np.asarray(d, float)
    session = negmas.SAOMechanism(outcomes=int(U.shape[0]), n_steps=n_steps)
    agent_cls = getattr(negmas, negotiator)
    for i in (0, 1):
        ufun = negmas.MappingUtilityFunction(
            lambda o, i=i: float(U[int(o[0]), i]) if o is not None else float(d[i]),
            outcome_space=session.outcome_space,
            reserved_value=float(d[i]),
        )
        agent = agent_cls(name=names[i])
        try:
            session.add(agent, ufun=ufun)
        except TypeError:  # older NegMAS: preferences=
            session.add(agent, preferences=ufun)
    state = session.run()
    agreement = None if state.agreement is None else int(state.agreement[0])
    return {
        "agreement": agreement,
        "step": int(state.step),
        "broken": bool(state.broken),
        "timedout": bool(state.timedout),
    }
