"""The World's schema, read from the attribute tables in ``world/schema/*.csv``.

Schema as data (as PyPSA's ``component_attrs``): each World table has one CSV beside
it listing ``attribute, type, unit, default, description``. Loading, defaults,
validation and the docs table all come from that one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import pandas as pd

TABLES: tuple[str, ...] = (
    "regions",
    "products",
    "producers",
    "recipes",
    "supply_links",
    "final_demand",
    "inventories",
    "unit_values",
    "sources",
)

# Tables a dataset folder may carry beside the World tables; read with their own schema
# but not part of the World (``assumptions``: each assumption's value and plausible range).
AUX_TABLES: tuple[str, ...] = ("assumptions",)

PRODUCT_UNITS = ("t", "kg", "units", "USD", "M USD", "M EUR")


@dataclass(frozen=True)
class Attribute:
    name: str
    type: str  # "str" or "float"
    unit: str
    default: str
    description: str


@cache
def attributes(table: str) -> tuple[Attribute, ...]:
    """The attribute rows of ``table`` in file order."""
    if table not in TABLES + AUX_TABLES:
        raise KeyError(f"unknown World table {table!r}; expected one of {', '.join(TABLES + AUX_TABLES)}")
    ref = resources.files("chokepoints.world").joinpath("schema", f"{table}.csv")
    with ref.open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh, dtype=str, keep_default_na=False)
    return tuple(Attribute(r.attribute, r.type, r.unit, r.default, r.description) for r in df.itertuples())


def schema_table(table: str) -> pd.DataFrame:
    """The attribute table as a DataFrame (for docs and `datasets show --schema`)."""
    return pd.DataFrame([a.__dict__ for a in attributes(table)])
