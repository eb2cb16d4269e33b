"""``chokepoints exposure REGION|--all-regions``: static exposure (no simulation)."""

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
    region: str | None = typer.Argument(None, help="Region id, e.g. USA (or --all-regions)"),
    all_regions: bool = typer.Option(False, "--all-regions", help="Every region of the World"),
    product: str | None = typer.Option(None, "--product", help="Only this product"),
    world: str = typer.Option("rare-earths-2025", "--world", help="Bundled dataset or folder of World tables"),
    governance: Path | None = typer.Option(
        None, "--governance", help="CSV region,wgi_scaled (0-10) for the EU supply risk; needed for that table"
    ),
    eol_rir: float = typer.Option(0.0, "--eol-rir", help="End-of-life recycling input rate (0-1)"),
    substitution_index: float = typer.Option(1.0, "--substitution-index", help="SI_SR (0-1)"),
    extract: str | None = typer.Option(
        None, "--extract", help="Exporter region: value added at risk by region from its sales of --product"
    ),
) -> None:
    """Concentration (HHI), import reliance and EU supply risk of REGION or of every region (no simulation)."""
    import pandas as pd

    from ..errors import InputError, Problem
    from ..indicators.exposure import concentration, import_reliance, supply_risk
    from ..world import load_world

    try:
        if eol_rir < 0 or eol_rir > 1:
            raise InputError(Problem("--eol-rir", f"must be within [0, 1], got {eol_rir}"))
        w = load_world(world)
        known = list(w.regions["region"])
        if all_regions == (region is not None):
            raise InputError(Problem("REGION", "give one REGION or --all-regions"))
        if region is not None and region not in set(known):
            raise InputError(Problem("REGION", f"unknown region {region!r}; the world has " + ", ".join(known)))
        if product is not None and product not in set(w.products["product"]):
            raise InputError(Problem("--product", f"unknown product {product!r}"))
        if extract is not None and product is None:
            raise InputError(Problem("--extract", "needs --product (the exporter's product to extract)"))
        targets = known if all_regions else [str(region)]
        gov = _read_governance(governance) if governance else None
        conc = concentration(w)
        ir = import_reliance(w, product=product)
        ir = ir[ir["region"].isin(targets)]
        sr = (
            pd.concat([supply_risk(w, r, gov, eol_rir, substitution_index) for r in targets], ignore_index=True)
            if gov is not None
            else None
        )
        hem = None
        if extract is not None:
            from ..indicators.io_static import hypothetical_extraction

            hem = hypothetical_extraction(w, extract, str(product))
    except InputError as exc:
        report_input_error(exc)
    who = "every region" if all_regions else str(region)
    if product is not None:
        conc = conc[conc["product"] == product]
        if sr is not None:
            sr = sr[sr["product"] == product]
    console.print(_table(conc, f"Concentration of world supply ({w.name}): HHI = sum of squared regional shares"))
    console.print(
        _table(
            ir.drop(columns=["consumption_per_day", "production_per_day"]),
            f"Import reliance of {who} (gross share and USGS net reliance)",
        )
    )
    if sr is not None:
        sr = sr.sort_values("supply_risk", ascending=False, kind="stable")
        console.print(_table(sr, f"EU supply risk of {who} (European Commission 2017 methodology)"))
    else:
        console.print("EU supply risk: needs governance scores for every producing region (--governance CSV).")
    if hem is not None:
        console.print(
            _table(hem, f"Value added at risk by region from {extract}'s sales of {product} (hypothetical extraction)")
        )
