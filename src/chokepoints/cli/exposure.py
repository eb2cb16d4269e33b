"""``chokepoints exposure REGION``: static exposure of a region (no simulation)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from ._common import console, report_input_error


def _table(df, title: str) -> Table:
    t = Table(title=title, header_style="bold")
    for c in df.columns:
        t.add_column(str(c), justify="right" if df[c].dtype.kind in "fi" else "left", overflow="fold")
    for row in df.itertuples(index=False):
        t.add_row(*[f"{v:,.4g}" if isinstance(v, float) else str(v) for v in row])
    return t


def _read_governance(path: Path) -> dict[str, float]:
    import pandas as pd

    from ..errors import InputError, Problem

    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(Problem(str(path), f"cannot read CSV: {exc}")) from None
    for col in ("region", "wgi_scaled"):
        if col not in df.columns:
            raise InputError(Problem(str(path), "missing column (expected region, wgi_scaled)", line=1, field=col))
    out = {}
    for i, (r, v) in enumerate(zip(df["region"], df["wgi_scaled"], strict=True)):
        try:
            out[r] = float(v)
        except ValueError:
            raise InputError(
                Problem(str(path), f"expected a number, got {v!r}", row=i + 1, field="wgi_scaled")
            ) from None
    return out


def exposure(
    region: str = typer.Argument(..., help="Region id, e.g. USA"),
    product: str | None = typer.Option(None, "--product", help="Only this product"),
    world: str = typer.Option("rare-earths-2025", "--world", help="Bundled dataset or folder of World tables"),
    governance: Path | None = typer.Option(
        None, "--governance", help="CSV region,wgi_scaled (0-10) for the EU supply-risk weighting"
    ),
    eol_rir: float = typer.Option(0.0, "--eol-rir", help="End-of-life recycling input rate (0-1)"),
    substitution_index: float = typer.Option(1.0, "--substitution-index", help="SI_SR (0-1)"),
) -> None:
    """Concentration (HHI), import reliance and EU supply risk of REGION (no simulation)."""
    from ..errors import InputError, Problem
    from ..indicators.exposure import concentration, import_reliance, supply_risk
    from ..world import load_world

    try:
        w = load_world(world)
        if region not in set(w.regions["region"]):
            raise InputError(
                Problem("REGION", f"unknown region {region!r}; the world has " + ", ".join(w.regions["region"]))
            )
        if product is not None and product not in set(w.products["product"]):
            raise InputError(Problem("--product", f"unknown product {product!r}"))
        gov = _read_governance(governance) if governance else None
        conc = concentration(w)
        ir = import_reliance(w, region=region, product=product)
        sr = supply_risk(w, region, gov, eol_rir, substitution_index)
    except InputError as exc:
        report_input_error(exc)
    if product is not None:
        conc = conc[conc["product"] == product]
        sr = sr[sr["product"] == product]
    console.print(_table(conc, f"Concentration of world supply ({w.name}): HHI = sum of squared regional shares"))
    console.print(
        _table(
            ir.drop(columns=["consumption_per_day", "production_per_day"]),
            f"Import reliance of {region} (gross share and USGS net reliance)",
        )
    )
    console.print(_table(sr, f"EU supply risk of {region} (European Commission 2017 methodology)"))
