"""The base class of every scenario event (kept for compatibility: :class:`chokepoints.levers.LeverEvent`)."""

from ..levers.base import LeverEvent as _Event

__all__ = ["_Event"]
