"""``chokepoints cutoff EXPORTER:PRODUCT[,PRODUCT...] [--to REGIONS]``: static price-and-quantity cost of a cut-off.

The method is :mod:`chokepoints.indicators.cutoff` (no simulation); the tables are
:mod:`chokepoints.indicators.cutoff_tables`. USD figures are printed in million USD.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ._common import console, report_input_error, runs_option, seed_option

M = 1e6


def _split(text: str) -> list[str]:
    return [s.strip() for s in text.split(",") if s.strip()]


def parse_target(text: str) -> tuple[str, list[str]]:
    """``CHN:gallium_refined,germanium`` -> ("CHN", ["gallium_refined", "germanium"]); InputError if malformed."""
    from ..errors import InputError, Problem

    exporter, sep, rest = text.partition(":")
    products = _split(rest)
    if not sep or not exporter.strip() or not products:
        raise InputError(
            Problem("CUTOFF", f"expected EXPORTER:PRODUCT[,PRODUCT...], e.g. CHN:gallium_refined, got {text!r}")
        )
    return exporter.strip(), products


def _table(df, title: str, columns: dict[str, str], musd: set[str]) -> Table:
    t = Table(title=title, header_style="bold")
    for label in columns.values():
        t.add_column(label, justify="left" if label in ("product", "region", "producer", "bound") else "right")
    for row in df.itertuples(index=False):
        d = row._asdict()
        cells = []
        for col in columns:
            v = d[col]
            if isinstance(v, float):
                v = v / M if col in musd else v
                cells.append(f"{v:,.3g}" if abs(v) < 1000 else f"{v:,.0f}")
            else:
                cells.append(str(v))
        t.add_row(*cells)
    return t


def _band(name: str, label: str) -> dict[str, str]:
    return {f"{name}_p5": f"{label} p5", f"{name}_p50": f"{label} p50", f"{name}_p95": f"{label} p95"}


def cutoff(
    target: Annotated[
        str, typer.Argument(metavar="CUTOFF", help="EXPORTER:PRODUCT[,PRODUCT...], e.g. CHN:gallium_refined,germanium")
    ],
    to: Annotated[
        str | None, typer.Option("--to", help="Destination regions, comma-separated (default: every other region)")
    ] = None,
    world: Annotated[
        str, typer.Option("--world", help="Bundled dataset or folder of World tables")
    ] = "minor-metals-2024",
    share: Annotated[
        float, typer.Option("--share", help="Share of the exporter's sales withheld (1 = full ban)")
    ] = 1.0,
    elasticity: Annotated[
        str | None,
        typer.Option(
            "--elasticity",
            help="Price elasticity of demand: VALUE, LOW:HIGH or LOW:MODE:HIGH (default A.cutoff.elasticity)",
        ),
    ] = None,
    substitution: Annotated[
        str | None,
        typer.Option(
            "--substitution", help="Share of the replaceable volume redirected: VALUE, LOW:HIGH or LOW:MODE:HIGH"
        ),
    ] = None,
    days: Annotated[
        str | None, typer.Option("--days", help="Length of the cut-off in days: VALUE, LOW:HIGH or LOW:MODE:HIGH")
    ] = None,
    cost_to: Annotated[
        str | None, typer.Option("--cost-to", help="Regions whose cost is totalled (default: the destinations)")
    ] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Regions and producers listed, largest losses first")] = 12,
    runs: Annotated[int, runs_option("Runs drawn (Latin hypercube)")] = 200,
    seed: Annotated[int, seed_option("Seed of the draw")] = 0,
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Also write the four tables as CSV files into this folder")
    ] = None,
) -> None:
    """Cost of a cut-off: price rise, output and value added lost, import cost, with 5/50/95 % bands (no simulation)."""
    from ..errors import InputError, Problem
    from ..indicators.cutoff import price_quantity_cutoff
    from ..indicators.cutoff_tables import destination_total, market_table, region_table, sector_table
    from ..world import load_world

    where = {
        "exporter": "CUTOFF",
        "products": "CUTOFF",
        "destinations": "--to",
        "share": "--share",
        "runs": "--runs",
        "elasticity": "--elasticity",
        "substitution": "--substitution",
        "days": "--days",
    }
    try:
        exporter, products = parse_target(target)
        dest = _split(to) if to is not None else None
        if dest is not None and not dest:
            raise InputError(Problem("--to", "give at least one region"))
        w = load_world(world)
        ds = price_quantity_cutoff(
            w,
            exporter,
            products,
            dest,
            share=share,
            runs=runs,
            seed=seed,
            elasticity=elasticity,
            substitution=substitution,
            days=days,
            where=where,
        )
        payers = _split(cost_to) if cost_to is not None else None
        if payers is not None:
            unknown = [r for r in payers if r not in set(ds["region"].values)]
            if unknown or not payers:
                raise InputError(Problem("--cost-to", f"unknown region(s) {', '.join(unknown) or '(none given)'}"))
        markets = market_table(ds)
        total = destination_total(ds, payers)
        regions = region_table(ds)
        sectors = sector_table(ds, top)
        if csv is not None:
            try:
                csv.mkdir(parents=True, exist_ok=True)
                for name, df in (("markets", markets), ("total", total), ("regions", regions), ("producers", sectors)):
                    df.to_csv(csv / f"cutoff_{name}.csv", index=False)
            except OSError as exc:
                raise InputError(Problem(str(csv), f"cannot write the CSV files: {exc}", field="--csv")) from None
    except InputError as exc:
        report_input_error(exc)
    console.print(
        f"Cut-off: {exporter} withholds {share:.0%} of its sales of {', '.join(products)} to "
        f"{ds.attrs['destinations']} (world {w.name}, {runs} runs, seed {seed}); {ds.attrs['parameters']}"
    )
    _print_tables(markets, total, regions, sectors, ", ".join(payers) if payers else ds.attrs["destinations"], top)


def _print_tables(markets, total, regions, sectors, who: str, top: int) -> None:
    console.print(
        _table(
            markets,
            "Markets of the cut products in the destinations (M USD per year; shares and price rise as fractions)",
            {
                "product": "product",
                "purchases": "purchases",
                "withheld": "withheld",
                "gross_share": "gross share",
                "replaceable": "replaceable",
                **_band("shortfall_share", "shortfall"),
                **_band("price_rise", "price rise"),
            },
            {"purchases", "withheld", "replaceable"},
        )
    )
    bands_total = {
        **_band("value_added_lost", "VA lost"),
        **_band("import_cost", "import cost"),
        **_band("total", "total"),
    }
    console.print(
        _table(
            total,
            f"Cost to {who} over the cut-off (M USD): value added lost + extra paid for imports",
            {"bound": "bound", **bands_total},
            set(bands_total),
        )
    )
    reg_cols = {
        **_band("value_added_lost_low", "VA lost subst."),
        **_band("value_added_lost_high", "VA lost compl."),
        "import_cost_p50": "import cost p50",
        "value_added_change_upstream_p50": "upstream VA change p50",
    }
    console.print(
        _table(
            regions.head(top),
            f"By region (M USD over the cut-off; substitutable and complementary bounds; top {top})",
            {"region": "region", **reg_cols},
            set(reg_cols),
        )
    )
    sec_cols = {
        "value_added_lost_low_p50": "VA lost subst. p50",
        "value_added_lost_high_p50": "VA lost compl. p50",
        "output_lost_high_p50": "output lost compl. p50",
    }
    console.print(
        _table(
            sectors,
            f"Largest losses by producer (M USD over the cut-off; top {top}; cost push as a fraction)",
            {"producer": "producer", **sec_cols, "cost_push_p50": "cost push p50"},
            set(sec_cols),
        )
    )
