"""Plotly chart builders shared by report sections."""

from __future__ import annotations

import numpy as np

from .components import PALETTE, line_style, style_layout

__all__ = ["PALETTE", "band_figure"]


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def band_figure(x, series: dict[str, np.ndarray], title: str, yaxis: str, baseline: float | None = None):
    """Median line with a shaded 5-95 % band per series; ``series`` values are (runs, len(x)).

    Each median line has its own colour, dash and width (:func:`components.line_style`, widest first),
    so series with equal values (EV and ICE both at 100 % of baseline) stay visible."""
    import plotly.graph_objects as go

    fig = go.Figure()
    n = len(series)
    for i, (name, values) in enumerate(series.items()):
        color = PALETTE[i % len(PALETTE)]
        v = np.asarray(values, float)
        med = np.nanmedian(v, axis=0)
        if v.shape[0] > 1:
            lo, hi = np.nanquantile(v, 0.05, axis=0), np.nanquantile(v, 0.95, axis=0)
            fig.add_trace(
                go.Scatter(x=x, y=hi, line={"width": 0}, showlegend=False, hoverinfo="skip", legendgroup=name)
            )
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=lo,
                    fill="tonexty",
                    fillcolor=_rgba(color, 0.18),
                    line={"width": 0},
                    name=f"{name} 5-95 %",
                    legendgroup=name,
                    hoverinfo="skip",
                    showlegend=False,
                )
            )
        fig.add_trace(go.Scatter(x=x, y=med, name=name, line=line_style(i, n, color), legendgroup=name))
    if baseline is not None:
        fig.add_hline(y=baseline, line={"dash": "dot", "color": "#555"}, annotation_text="baseline")
    return style_layout(fig, title=title, yaxis_title=yaxis, height=420)
