"""Arrays of a run that every chunk of runs shares (built once by ``simulate.run_plan``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import Network


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
