"""Calibrate a scenario's declared uncertain parameters to observed series (``chokepoints calibrate``).

Method: ABC rejection (Pritchard et al. 1999; Beaumont, Zhang & Balding 2002). Draw R parameter
vectors theta_r from the prior (the scenario's declared distributions, Latin hypercube), simulate
each, and compute the distance
    d_r = max over observations i of the fitted series of |ln(model_ri / observed_i)|.
Accept the runs with d_r <= epsilon (the stated tolerance). If fewer than ``min_accept`` runs pass,
the ``min_accept`` runs of smallest distance are accepted and the tolerance actually used,
epsilon' = their largest d_r, is reported beside the stated one. The accepted theta_r are the
posterior sample; held-out series are scored with the accepted runs (the posterior predictive).
"""

from __future__ import annotations

from dataclasses import dataclass
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

    @property
    def posterior(self) -> np.ndarray:
        return self.prior[self.accepted]

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
            f"calibrated (ABC rejection, tolerance {cal.tolerance_used:.3g} on {', '.join(cal.fit)}, "
            f"{len(cal.accepted)} of {len(cal.distance)} runs accepted); was: {entry.get('note', '')}"
        ).strip()
    data["name"] = f"{data.get('name', 'scenario')}-calibrated"
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return out
