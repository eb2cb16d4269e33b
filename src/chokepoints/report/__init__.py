"""Self-contained HTML reports (Plotly embedded, opens with no network) and terminal tables."""

from .html import Section, write_report

__all__ = ["Section", "write_report"]
