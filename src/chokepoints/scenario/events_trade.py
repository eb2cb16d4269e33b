"""Tariff events (kept for compatibility; they live in :mod:`chokepoints.levers.tariff`)."""

from ..levers.tariff import TARIFF_LAYERS, TRADE_EVENTS, Tariff, TradeSetup

__all__ = ["TARIFF_LAYERS", "TRADE_EVENTS", "Tariff", "TradeSetup"]
