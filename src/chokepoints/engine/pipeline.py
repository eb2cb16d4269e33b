"""Orders under licence review: what is granted on a day reaches the supplier after its review.

Per run r and controlled route e, the granted share g(t) = approval x order of the order placed on
day t arrives
    all on day t + delay                                         when spread n = 1 (one review time),
    g(t) / n on each of the days t + delay - n + 1, ..., t + delay  when n > 1,
the second case being review times spread evenly over [review_days_min, review_days] (an export
control's ``review_days_min``): some requests are decided early, some take the longest time.
The spread part is held as a difference array (the rate g/n added on the first day of arrival and
taken off the day after the last) and a running flow, so that a day costs O(routes) for any n;
the flow is clipped to what is still pending, so rounding never delivers more than was granted.
With no spread anywhere only the one-review buffer is used, exactly as before spreads existed.
"""

from __future__ import annotations

import numpy as np


class ReviewPipeline:
    """Granted orders in review for ``Rc`` runs x ``E`` routes, reviews of at most ``max_delay`` days."""

    def __init__(self, Rc: int, E: int, max_delay: int, spread: bool, dtype) -> None:
        self.L = int(max_delay) + 2  # a slot for day t + delay + 1 that is never today's
        self.fixed = np.zeros((Rc, self.L, E), dtype=dtype)
        self.spread = spread
        self._runs = np.broadcast_to(np.arange(Rc)[:, None], (Rc, E))
        self._routes = np.broadcast_to(np.arange(E)[None, :], (Rc, E))
        if spread:
            self.delta = np.zeros((Rc, self.L, E), dtype=dtype)
            self.flow = np.zeros((Rc, E), dtype=dtype)
            self.pending_spread = np.zeros((Rc, E), dtype=dtype)

    def add(self, t: int, granted: np.ndarray, delay: np.ndarray, n: np.ndarray | None = None) -> None:
        """Put today's granted orders (Rc, E) in review for ``delay`` days, spread over ``n`` days."""
        L, r, e = self.L, self._runs, self._routes
        if not self.spread or n is None:
            np.add.at(self.fixed, (r, (t + delay) % L, e), granted)
            return
        multi = n > 1
        np.add.at(self.fixed, (r, (t + delay) % L, e), np.where(multi, 0.0, granted))
        rate = np.where(multi, granted / np.maximum(n, 1), 0.0)
        np.add.at(self.delta, (r, (t + delay - n + 1) % L, e), rate)
        np.add.at(self.delta, (r, (t + delay + 1) % L, e), -rate)
        self.pending_spread += np.where(multi, granted, 0.0)

    def take(self, t: int) -> np.ndarray:
        """What arrives at the suppliers on day ``t`` (Rc, E); it leaves the pipeline."""
        slot = t % self.L
        arrive = self.fixed[:, slot, :].copy()
        self.fixed[:, slot, :] = 0.0
        if self.spread:
            self.flow += self.delta[:, slot, :]
            self.delta[:, slot, :] = 0.0
            spread_today = np.clip(self.flow, 0.0, self.pending_spread)
            self.pending_spread -= spread_today
            arrive += spread_today
        return arrive

    def waiting(self) -> np.ndarray:
        """Granted orders still in review (Rc, E)."""
        out = self.fixed.sum(axis=1)
        return out + self.pending_spread if self.spread else out
