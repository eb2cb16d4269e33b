"""``chokepoints levers``: the levers the registry found, one row per event type."""

from __future__ import annotations

from rich.table import Table

from ._common import console


def levers() -> None:
    """List every lever (scenario event type): its module, whether it acts in the engine, what it does."""
    from ..levers import describe

    table = Table(title="Levers (scenario event types; docs/adding-a-lever.md)", header_style="bold")
    for col in ("type", "lever module", "engine", "what it does"):
        table.add_column(col, overflow="fold", no_wrap=col != "what it does")
    for row in describe():
        table.add_row(row["type"], f"levers/{row['lever']}.py", row["engine"], row["summary"])
    console.print(table)
