"""Arrays of a run that every chunk of runs shares (built once by ``simulate.run_plan``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .network import Network

if TYPE_CHECKING:
    from .plan import Plan


@dataclass
class StaticArrays:
    """Arrays shared by every chunk of runs (see ``run_plan``).

    The stock of input p held by b is kept in "days of target" units,
    d = omega / (s A) (so the inventory constraint is min_p d / psi and the goal is
    x_opt), and the orders as q_hat = OS / (s A den): the step then needs no
    per-(product, buyer) multiplications by A or s. Non-inputs hold d = inf.
    """

    net: Network
    dt: np.dtype
    x0: np.ndarray
    s_eff: np.ndarray  # (1|R, S, n) target days (1 where infinite or not an input)
    inv_s: np.ndarray  # (1|R, S, n) 1 / s_eff on inputs, 0 elsewhere
    sA: np.ndarray  # (1|R, S, n) s_eff * A (0 on non-inputs)
    finite_input: np.ndarray  # (1|R, S, n)
    off: np.ndarray | None  # (S, n) +inf on finite inputs that cannot bind (threshold rule), else 0
    s_uniform: float | None  # the one target of every input, when there is one
    inv_p: np.ndarray
    inv_f: np.ndarray
    ctl_w: np.ndarray
    up: np.ndarray  # unique (product, buyer) pairs of controlled producer routes, sorted by product
    ub: np.ndarray
    inv_pair: np.ndarray  # producer route -> pair
    e_prod: np.ndarray
    e_fd: np.ndarray
    # priority rationing: every supply entry (supplier f -> buyer b) of a supplier under a rule
    pr_sup: np.ndarray | None = None
    pr_buy: np.ndarray | None = None
    pr_w: np.ndarray | None = None
    pr_inv: np.ndarray | None = None  # producer-buyer entries -> (product, buyer) pair
    pr_ctl: np.ndarray | None = None  # controlled-entry index of each entry, -1 if none


def priority_entries(
    plan: Plan, pair: np.ndarray, dt: np.dtype
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """The ``pr_*`` fields of StaticArrays, the sorted unique (product, buyer) pairs, and the
    position in them of each controlled producer route's pair.

    pair: product * n + buyer of each controlled producer route. Rationing by class needs every
    supply entry of the suppliers under a priority rule, so their pairs join the unique set.
    """
    cw, ctl, n = plan.world, plan.controls, plan.world.n
    pr: dict[str, np.ndarray] = {}
    if plan.priorities:  # rationing by class needs every entry of the suppliers concerned
        covered = np.zeros(n, bool)
        for rule in plan.priorities:
            covered |= rule.suppliers
        Wd = np.asarray(cw.W)
        pr_sup, pr_buy = np.nonzero(Wd * covered[:, None])
        ctl_pos = {(int(f), int(b)): k for k, (f, b) in enumerate(zip(ctl.supplier, ctl.buyer, strict=True))}
        pr = {
            "pr_sup": pr_sup,
            "pr_buy": pr_buy,
            "pr_w": Wd[pr_sup, pr_buy].astype(dt),
            "pr_ctl": np.array(
                [ctl_pos.get((int(f), int(b)), -1) for f, b in zip(pr_sup, pr_buy, strict=True)], dtype=np.intp
            ),
        }
        pr_pair = cw.prod_product[pr_sup[pr_buy < n]] * n + pr_buy[pr_buy < n]
        uniq = np.unique(np.concatenate([pair, pr_pair]))
        inv_pair = np.searchsorted(uniq, pair)
        pr["pr_inv"] = np.searchsorted(uniq, pr_pair)
    else:
        uniq, inv_pair = np.unique(pair, return_inverse=True)
    return pr, uniq, inv_pair
