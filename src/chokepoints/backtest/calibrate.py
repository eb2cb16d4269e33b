"""Calibrate a scenario's declared uncertain parameters to observed series (``chokepoints calibrate``).

Method: ABC rejection (Pritchard et al. 1999; Beaumont, Zhang & Balding 2002). Draw R parameter
vectors theta_r from the prior (the scenario's declared distributions, Latin hypercube), simulate
each, and compute the distance
    d_r = max over observations i of the fitted series of |ln(model_ri / observed_i)|.
Accept the runs with d_r <= epsilon (the stated tolerance). If fewer than ``min_accept`` runs pass,
the ``min_accept`` runs of smallest distance are accepted and the tolerance actually used,
epsilon' = their largest d_r, is reported beside the stated one. The accepted theta_r are the
posterior sample; held-out series are scored with the accepted runs (the posterior predictive).

ABC-SMC (population Monte Carlo; Beaumont, Cornuet, Marin & Robert 2009, "Adaptive approximate
Bayesian computation", Biometrika 96(4); Toni et al. 2009), in the prior's probability space
u = F(theta) (each parameter through its own CDF, so the prior is uniform on [0, 1]^P):
    generation 0: the prior ensemble above, weights w_i = 1;
    generation g: tolerance eps_g = max(epsilon, the q-quantile of generation g-1's accepted
      distances); propose R particles u* = u_i + N(0, 2 Sigma), i drawn with probability w_i,
      Sigma the weighted covariance of generation g-1 (proposals outside [0, 1]^P are drawn again);
      simulate them as one ensemble; accept those with d <= eps_g, with weights
          w* proportional to 1 / sum_j w_j phi(u*; u_j, 2 Sigma)   (uniform prior in u);
    stop when eps_g = epsilon with at least ``min_accept`` accepted, or after ``generations``.
The posterior is the last generation's accepted particles, resampled by weight to an equally
weighted sample (systematic resampling), with its effective sample size 1 / sum w_i^2 reported.
If a generation accepts fewer than ``min_accept``, its ``min_accept`` closest particles are kept
and the tolerance actually reached is reported, as for rejection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from .core import Confrontation


@dataclass
class Calibration:
    """An ABC rejection posterior: ``accepted`` run indices of the prior ensemble."""

    labels: list[str]
    prior: np.ndarray  # (R, P)
    distance: np.ndarray  # (R,)
    accepted: np.ndarray  # indices
    tolerance: float
    tolerance_used: float
    fit: list[str]
    hold_out: list[str]
    method: str = "rejection"
    samples: np.ndarray | None = None  # the last generation's draws (SMC); None: the prior's
    confrontation: Confrontation | None = None  # the last generation's (SMC); None: the prior's
    generations: list[dict] = field(default_factory=list)  # per SMC generation: tolerance, accepted, ESS

    @property
    def posterior(self) -> np.ndarray:
        return (self.prior if self.samples is None else self.samples)[self.accepted]

    def describe(self) -> str:
        """One line: method, runs accepted, tolerance reached against the stated one."""
        if self.method == "rejection":
            return (
                f"ABC rejection: {len(self.accepted)} of {len(self.distance)} prior runs accepted at tolerance "
                f"{self.tolerance_used:.3g} (stated {self.tolerance:.3g}) on max |log error| of {', '.join(self.fit)}"
            )
        last = self.generations[-1]
        sims = sum(g["simulated"] for g in self.generations)
        return (
            f"ABC-SMC: {len(self.generations) - 1} generations after the prior, {sims} runs simulated; the last "
            f"accepted {last['accepted']} of {last['simulated']} at tolerance {self.tolerance_used:.3g} (stated "
            f"{self.tolerance:.3g}; effective sample size {last['ess']:.0f}) on max |log error| of "
            f"{', '.join(self.fit)}"
        )

    def parameter_table(self) -> pd.DataFrame:
        """Per parameter: prior and posterior 5 %, median and 95 %."""
        rows = []
        for j, label in enumerate(self.labels):
            pr, po = self.prior[:, j], self.posterior[:, j]
            rows.append(
                {
                    "parameter": label,
                    "prior_p05": float(np.quantile(pr, 0.05)),
                    "prior_median": float(np.median(pr)),
                    "prior_p95": float(np.quantile(pr, 0.95)),
                    "posterior_p05": float(np.quantile(po, 0.05)),
                    "posterior_median": float(np.median(po)),
                    "posterior_p95": float(np.quantile(po, 0.95)),
                }
            )
        return pd.DataFrame(rows)


def abc_rejection(
    conf: Confrontation,
    samples: np.ndarray,
    labels: list[str],
    fit: list[str],
    hold_out: list[str],
    tolerance: float,
    min_accept: int = 10,
) -> Calibration:
    """ABC rejection on a prior ensemble already confronted with the observations (see module doc)."""
    if samples.shape[1] == 0:
        raise InputError(Problem("<calibrate>", "the scenario declares no uncertain parameter to calibrate"))
    if not fit:
        raise InputError(Problem("<calibrate>", "name at least one series to fit (--fit)"))
    d = conf.distance(fit)
    acc = np.flatnonzero(d <= tolerance)
    used = tolerance
    if len(acc) < min(min_accept, len(d)):
        acc = np.argsort(d, kind="stable")[: min(min_accept, len(d))]
        used = float(d[acc].max())
    return Calibration(list(labels), samples, d, np.sort(acc), tolerance, used, list(fit), list(hold_out))


def _systematic(weights: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Indices drawn by systematic resampling (n equally weighted draws from ``weights``)."""
    c = np.cumsum(weights / weights.sum())
    c[-1] = 1.0
    return np.searchsorted(c, (rng.random() + np.arange(n)) / n)


def _accept(d: np.ndarray, eps: float, min_accept: int) -> tuple[np.ndarray, float]:
    acc = np.flatnonzero(d <= eps)
    if len(acc) < min(min_accept, len(d)):
        acc = np.sort(np.argsort(d, kind="stable")[: min(min_accept, len(d))])
        return acc, float(d[acc].max())
    return acc, eps


def abc_smc(
    conf0: Confrontation,
    samples0: np.ndarray,
    labels: list[str],
    params: list,
    simulate: Callable[[np.ndarray], Confrontation],
    fit: list[str],
    hold_out: list[str],
    tolerance: float,
    *,
    min_accept: int = 10,
    generations: int = 8,
    quantile: float = 0.5,
    seed: int = 0,
) -> Calibration:
    """ABC-SMC (see module doc) from the prior ensemble (``conf0``, ``samples0``: its draws of
    ``params``, the scenario's UncertainParameter list, named ``labels``); ``simulate(theta)`` runs an ensemble of the
    (runs x P) parameter values and confronts it with the observations."""
    if samples0.shape[1] == 0:
        raise InputError(Problem("<calibrate>", "the scenario declares no uncertain parameter to calibrate"))
    if not fit:
        raise InputError(Problem("<calibrate>", "name at least one series to fit (--fit)"))
    rng = np.random.default_rng(seed)
    R, P = samples0.shape
    to_u = lambda th: np.column_stack([p.cdf(th[:, j]) for j, p in enumerate(params)])  # noqa: E731
    to_theta = lambda u: np.column_stack([p.ppf(u[:, j]) for j, p in enumerate(params)])  # noqa: E731
    d = conf0.distance(fit)
    finite = d[np.isfinite(d)]
    eps = max(tolerance, float(np.quantile(finite, quantile))) if finite.size else np.inf
    acc, used = _accept(d, eps, min_accept)
    u, w = to_u(samples0)[acc], np.ones(len(acc))
    theta, conf, dist = samples0, conf0, d
    history = [{"generation": 0, "tolerance": used, "simulated": R, "accepted": len(acc), "ess": float(len(acc))}]
    for g in range(1, generations + 1):
        if used <= tolerance and len(acc) >= min_accept:
            break
        wn = w / w.sum()
        cov = 2.0 * np.atleast_2d(np.cov(u, rowvar=False, aweights=wn)) + 1e-10 * np.eye(P)
        chol = np.linalg.cholesky(cov)
        prop = np.empty((0, P))
        for _ in range(1000):  # redraw the proposals that leave [0, 1]^P
            k = rng.choice(len(u), size=R, p=wn)
            cand = u[k] + rng.standard_normal((R, P)) @ chol.T
            prop = np.vstack([prop, cand[((cand > 0) & (cand < 1)).all(axis=1)]])
            if len(prop) >= R:
                break
        prop = prop[:R]
        theta_g = to_theta(prop)
        conf_g = simulate(theta_g)
        d_g = conf_g.distance(fit)
        fin = d[acc][np.isfinite(d[acc])]
        eps = max(tolerance, float(np.quantile(fin, quantile))) if fin.size else used
        acc_g, used_g = _accept(d_g, eps, min_accept)
        diff = prop[acc_g][:, None, :] - u[None, :, :]  # (accepted, previous, P)
        z = np.linalg.solve(chol, diff.reshape(-1, P).T).T.reshape(diff.shape)
        kern = np.exp(-0.5 * (z**2).sum(axis=2))  # phi up to a constant, the same for every particle
        w_g = 1.0 / (kern @ wn)
        ess = float(w_g.sum() ** 2 / (w_g**2).sum())
        history.append({"generation": g, "tolerance": used_g, "simulated": R, "accepted": len(acc_g), "ess": ess})
        u, w, acc, used, d = prop[acc_g], w_g, acc_g, used_g, d_g
        theta, conf, dist = theta_g, conf_g, d_g
    keep = acc[_systematic(w, len(acc), rng)] if len(history) > 1 else acc
    return Calibration(
        list(labels),
        samples0,
        dist,
        np.sort(keep),
        tolerance,
        used,
        list(fit),
        list(hold_out),
        method="smc",
        samples=theta,
        confrontation=conf,
        generations=history,
    )


def write_calibrated(scenario_path: str | Path, cal: Calibration, out: str | Path) -> Path:
    """Write the scenario with each uncertain parameter replaced by its posterior, as a triangular
    distribution (low = posterior 5 %, mode = median, high = 95 %); everything else unchanged."""
    import yaml

    from ..yamlio import read_yaml_file

    data, _, _ = read_yaml_file(scenario_path)
    table = cal.parameter_table()
    uncertain = data.get("uncertain") or []
    if len(uncertain) != len(table):
        raise InputError(Problem(str(scenario_path), "uncertain parameters changed since the calibration ran"))
    for entry, row in zip(uncertain, table.itertuples(index=False), strict=True):
        lo, mode, hi = float(row.posterior_p05), float(row.posterior_median), float(row.posterior_p95)
        if hi - lo <= 1e-9 * max(1.0, abs(mode)):
            lo, hi = mode - 1e-6 * max(1.0, abs(mode)), mode + 1e-6 * max(1.0, abs(mode))
        for key in ("mean", "sd", "sigma", "mu", "alpha", "beta", "values", "weights"):
            entry.pop(key, None)
        entry.update({"distribution": "triangular", "low": lo, "mode": mode, "high": hi})
        entry["note"] = (
            f"calibrated ({'ABC-SMC' if cal.method == 'smc' else 'ABC rejection'}, tolerance "
            f"{cal.tolerance_used:.3g} on {', '.join(cal.fit)}, {len(np.unique(cal.accepted))} of "
            f"{len(cal.distance)} runs accepted); was: {entry.get('note', '')}"
        ).strip()
    data["name"] = f"{data.get('name', 'scenario')}-calibrated"
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return out
