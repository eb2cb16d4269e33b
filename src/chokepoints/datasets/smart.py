"""WITS-SMART's default elasticities, one constant each, sourced in the bundled trade tables.

``SMART_SIGMA`` (substitution elasticity between origins, 1.5) and ``SMART_EPSILON`` (export-supply
elasticity, 99 = flat supply) are the rows ``*,*,*,sigma`` and ``*,*,*,epsilon`` of
``datasets/data/trade/elasticities.csv``, source ``wits_smart_defaults`` in ``sources.csv`` (World
Bank WITS Online Help: SMART). They are the defaults of ``chokepoints.trade`` (``solve``,
``solve_arrays``, ``smart_linear``), of the negotiation spec's tariff levers and of the engine's
Armington reweighting. :func:`smart_defaults` reads the rows; the tests check the constants against
them. This module imports nothing heavy: the negotiation package uses it without ``chokepoints.trade``.
"""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

SMART_SIGMA = 1.5  # elasticities.csv *,*,*,sigma (wits_smart_defaults)
SMART_EPSILON = 99.0  # elasticities.csv *,*,*,epsilon (wits_smart_defaults)
SOURCE_ID = "wits_smart_defaults"


def smart_defaults(path: str | Path | None = None) -> dict[str, float]:
    """The SMART default rows of an elasticity table: ``{"sigma": 1.5, "epsilon": 99.0}`` for the bundled one.

    Rows for all importers, exporters and products (``*``) of parameter sigma or epsilon whose
    ``source`` cites ``wits_smart_defaults``.
    """
    p = (
        Path(path)
        if path is not None
        else Path(str(resources.files("chokepoints.datasets").joinpath("data", "trade", "elasticities.csv")))
    )
    out: dict[str, float] = {}
    with p.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            wild = row["importer"] == row["exporter"] == row["products"] == "*"
            cites = SOURCE_ID in [s.strip() for s in row.get("source", "").split(";")]
            if wild and cites and row["parameter"] in ("sigma", "epsilon"):
                out[row["parameter"]] = float(row["value"])
    return out


__all__ = ["SMART_SIGMA", "SMART_EPSILON", "SOURCE_ID", "smart_defaults"]
