"""Scenario events of the tariff module (chokepoints.trade)."""

from __future__ import annotations

from .base import _Event

TRADE_EVENTS: tuple[type[_Event], ...] = ()
