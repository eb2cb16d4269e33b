"""Declared uncertain parameters and Latin hypercube sampling.

A scenario declares which numbers are not known and how they are distributed::

    uncertain:
      - parameter: events.apr_licence.approval_rate
        distribution: triangular
        low: 0.1
        mode: 0.25
        high: 0.5
      - parameter: world.inventories.days_of_cover
        where: {holder: "USA.*", product: ndfeb_magnet}
        distribution: uniform
        low: 20
        high: 90
      - parameter: world.inventories.target_days
        where: {holder: "JPN.*"}
        distribution: uniform
        assumption: A.jp_inventory   # low/high from the World's assumptions table

With ``assumption: <id>`` and distribution uniform or triangular, omitted ``low``/``high``
(and ``mode`` for triangular) are read from that row of the World's ``assumptions.csv``
(``low``, ``high``, ``mode`` = ``value``) at compile time by
:func:`chokepoints.scenario.assumptions.resolve_assumptions`; bounds that are given must lie
within the row's [low, high].

Samples are drawn by Latin hypercube (McKay, Beckman & Conover 1979) with
``scipy.stats.qmc.LatinHypercube(seed)``: each parameter's [0, 1) range is cut into
``runs`` equal strata, one draw per stratum, strata paired at random across
parameters; each uniform u is mapped to the distribution by its inverse CDF.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator
from scipy import stats
from scipy.stats import qmc

from .params import ENGINE_PARAMETERS, WORLD_PARAMETERS, ParameterRef

DISTRIBUTIONS = ("uniform", "triangular", "normal", "lognormal", "beta", "choice")

__all__ = [
    "DISTRIBUTIONS",
    "ENGINE_PARAMETERS",
    "WORLD_PARAMETERS",
    "ParameterRef",
    "UncertainParameter",
    "latin_hypercube",
]


def _given(v: float | None) -> float:
    """A bound the validator has already required for this distribution (never None here)."""
    assert v is not None
    return v


class UncertainParameter(BaseModel):
    """One uncertain number and its distribution.

    uniform(low, high); triangular(low, mode, high); normal(mean, sd) optionally
    clipped to [low, high]; lognormal(median, sigma): exp(N(log median, sigma));
    beta(a, b) scaled to [low, high] (default [0, 1]); choice(values, weights).
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    parameter: str = Field(description="events.<id>.<field>, world.<table>.<column> or engine.<name>")
    where: dict[str, str | list[str]] = Field(default_factory=dict)
    distribution: Literal["uniform", "triangular", "normal", "lognormal", "beta", "choice"]
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    mean: float | None = None
    sd: float | None = Field(default=None, gt=0)
    median: float | None = Field(default=None, gt=0)
    sigma: float | None = Field(default=None, gt=0)
    a: float | None = None
    b: float | None = None
    values: list[float] | None = None
    weights: list[float] | None = None
    assumption: str | None = Field(
        None,
        description="id of a row of the World's assumptions table; omitted uniform/triangular bounds come from it",
    )
    note: str = ""
    _ref: ParameterRef | None = PrivateAttr(default=None)

    @property
    def ref(self) -> ParameterRef:
        """The parsed ``parameter`` path (parsed once by the validator; again if the text was reassigned)."""
        if self._ref is None or self._ref.text != self.parameter:
            self._ref = ParameterRef.parse(self.parameter)
        return self._ref

    @model_validator(mode="after")
    def _check(self) -> UncertainParameter:
        d = self.distribution
        need = {
            "uniform": ("low", "high"),
            "triangular": ("low", "mode", "high"),
            "normal": ("mean", "sd"),
            "lognormal": ("median", "sigma"),
            "beta": ("a", "b"),
            "choice": ("values",),
        }[d]
        missing = [k for k in need if getattr(self, k) is None]
        from_table = self.assumption is not None and d in ("uniform", "triangular")
        if missing and not from_table:
            raise ValueError(f"{d} distribution needs {', '.join(missing)}")
        if self.assumption is not None and not self.assumption.strip():
            raise ValueError("assumption must be a non-empty id")
        if not missing and d in ("uniform", "triangular") and not _given(self.low) < _given(self.high):
            raise ValueError(f"bounds reversed or equal: low {self.low} must be below high {self.high}")
        if not missing and d == "triangular" and not _given(self.low) <= _given(self.mode) <= _given(self.high):
            raise ValueError(f"mode {self.mode} must lie within [low, high]")
        if d == "beta":
            if _given(self.a) <= 0 or _given(self.b) <= 0:
                raise ValueError(f"beta needs a > 0 and b > 0, got a={self.a}, b={self.b}")
            lo, hi = self.low if self.low is not None else 0.0, self.high if self.high is not None else 1.0
            if not lo < hi:
                raise ValueError(f"bounds reversed or equal: low {lo} must be below high {hi}")
        if d == "normal" and self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"bounds reversed or equal: low {self.low} must be below high {self.high}")
        if d == "choice":
            if not self.values:
                raise ValueError("choice needs a non-empty list of values")
            if self.weights is not None:
                if len(self.weights) != len(self.values):
                    raise ValueError("weights must have one entry per value")
                if any(w < 0 for w in self.weights) or sum(self.weights) <= 0:
                    raise ValueError("weights must be >= 0 and not all zero")
        self._ref = ParameterRef.parse(self.parameter)
        return self

    @property
    def resolved(self) -> bool:
        """Whether every number the distribution needs is known (False until an ``assumption``'s
        omitted bounds are read from the World's table)."""
        if self.distribution == "uniform":
            return self.low is not None and self.high is not None
        if self.distribution == "triangular":
            return self.low is not None and self.high is not None and self.mode is not None
        return True

    def _continuous(self) -> Any:
        """The scipy frozen distribution (None for listed values)."""
        d = self.distribution
        if d == "uniform":
            low, high = _given(self.low), _given(self.high)
            return stats.uniform(low, high - low)
        if d == "triangular":
            low, mode, high = _given(self.low), _given(self.mode), _given(self.high)
            width = high - low
            return stats.triang((mode - low) / width, low, width)
        if d == "normal":
            return stats.norm(self.mean, self.sd)
        if d == "lognormal":
            return stats.lognorm(self.sigma, scale=self.median)
        if d == "beta":
            lo = self.low if self.low is not None else 0.0
            hi = self.high if self.high is not None else 1.0
            return stats.beta(self.a, self.b, loc=lo, scale=hi - lo)
        return None

    def _steps(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Listed values, their probabilities and the cumulative probabilities."""
        vals = np.asarray(self.values, dtype=float)
        w = np.asarray(self.weights if self.weights is not None else np.ones(len(vals)), dtype=float)
        p = w / w.sum()
        return vals, p, np.cumsum(p)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Inverse CDF: map uniforms in [0, 1) to this distribution (a normal clipped to its bounds)."""
        dist = self._continuous()
        if dist is None:
            vals, _, cdf = self._steps()
            return vals[np.minimum(np.searchsorted(cdf, u, side="right"), len(vals) - 1)]
        x = dist.ppf(u)
        if self.distribution == "normal":
            x = np.clip(
                x, self.low if self.low is not None else -np.inf, self.high if self.high is not None else np.inf
            )
        return x

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """The CDF, inverse of :meth:`ppf` (for listed values: the middle of the value's step, so
        that ``ppf(cdf(v)) == v``)."""
        x = np.asarray(x, dtype=float)
        dist = self._continuous()
        if dist is not None:
            return dist.cdf(x)
        vals, p, cdf = self._steps()
        k = np.abs(vals[None, :] - x.reshape(-1, 1)).argmin(axis=1).reshape(x.shape)  # the nearest value
        return cdf[k] - p[k] / 2


def latin_hypercube(params: list[UncertainParameter], runs: int, seed: int) -> np.ndarray:
    """Sample ``runs`` x ``len(params)`` values; deterministic for a given seed."""
    if not params:
        return np.empty((runs, 0))
    u = qmc.LatinHypercube(d=len(params), rng=np.random.default_rng(seed)).random(runs)
    return np.column_stack([p.ppf(u[:, j]) for j, p in enumerate(params)])
