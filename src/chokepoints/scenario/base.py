"""The base class of every scenario event (shared by the engine, trade and finance modules)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(None, description="Optional name, used to address fields as uncertain parameters")
    on: dt.date = Field(description="Date the event takes effect")
    note: str = Field("", description="Free text, e.g. the source of the event")
