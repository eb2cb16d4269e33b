"""Financial-lever events (kept for compatibility; they live in :mod:`chokepoints.levers.finance`)."""

from ..levers.finance import FINANCE_EVENTS, Asset, ReserveShift, Tenor, TreasurySale

__all__ = ["FINANCE_EVENTS", "Asset", "ReserveShift", "Tenor", "TreasurySale"]
