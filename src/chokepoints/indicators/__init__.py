"""Indicators of a result: time to shortfall, output lost, summaries (and static exposure).

Importing this package registers the xarray accessor ``ds.cp``
(:class:`~chokepoints.indicators.accessor.ResultAccessor`), which computes every
indicator from the Dataset alone, so a result reopened from NetCDF gives the same
numbers as the one in memory. The definitions (shortfall, output lost) are in
:mod:`chokepoints.indicators.accessor`. ``result.indicators`` (:class:`Indicators`)
is the same methods on a :class:`~chokepoints.engine.result.Result`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import xarray as xr

from .accessor import ResultAccessor, netcdf_attrs, open_result, summarise, write_netcdf


class Indicators:
    """``result.indicators``: the engine methods of ``result.data.cp`` under their old names.

    Shared keywords ``region=`` and ``end_use=``; every method returns a labelled pandas or
    xarray object (``output_lost``: a Dataset with ``units`` and ``usd`` over run).
    """

    def __init__(self, result: Any):
        self.result = result
        self.data: xr.Dataset = result if isinstance(result, xr.Dataset) else result.data
        self.cp: ResultAccessor = self.data.cp

    @property
    def tol(self) -> float:
        """The shortfall tolerance (attr ``shortfall_tolerance`` of the Dataset)."""
        return self.cp.shortfall_tolerance

    def groups(self) -> list[tuple[str, str]]:
        return self.cp.groups()

    def output_ratio(self, region: str, end_use: str) -> xr.DataArray:
        return self.cp.output_ratio(region, end_use)

    def shortfall_days(self, region: str, end_use: str) -> xr.DataArray:
        return self.cp.shortfall_days(region, end_use)

    def output_lost(self, region: str, end_use: str) -> xr.Dataset:
        return self.cp.output_lost(region, end_use)

    def time_to_shortfall(self, region: str | None = None, end_use: str | None = None) -> pd.DataFrame:
        return self.cp.time_to_shortfall(region=region, end_use=end_use)

    def output_loss(self, region: str | None = None, end_use: str | None = None) -> pd.DataFrame:
        return self.cp.output_loss(region=region, end_use=end_use)

    def summary(self, key_users: list[tuple[str, str]] | None = None) -> pd.DataFrame:
        return self.cp.summary(key_users)


__all__ = ["Indicators", "ResultAccessor", "summarise", "open_result", "write_netcdf", "netcdf_attrs"]

for _name in ("groups", "output_ratio", "shortfall_days", "output_lost", "time_to_shortfall", "output_loss", "summary"):
    getattr(Indicators, _name).__doc__ = getattr(ResultAccessor, _name).__doc__
del _name
