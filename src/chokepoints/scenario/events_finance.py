"""Scenario events of the financial-lever module (chokepoints.finance)."""

from __future__ import annotations

from .base import _Event

FINANCE_EVENTS: tuple[type[_Event], ...] = ()
