"""Trade data for the tariff model: bundled US-China tables; loaders for BACI and UN Comtrade.

Every loader returns a tidy frame with one row per flow::

    importer  exporter  product  value_usd_m  [year, quantity]

``importer`` and ``exporter`` are ISO3 codes, ``product`` a product code (an HS6 code for BACI
and Comtrade, a named line in the bundled tables) and ``value_usd_m`` the value in USD million.
:func:`trade_data` turns such a frame into a :class:`TradeData` (flows plus a product catalogue
with HS codes and HS sections).

Bundled tables (``chokepoints/datasets/data/trade/``, read with ``importlib.resources``)::

    flows.csv          importer, exporter, product, year, value_usd_m, source
    products.csv       product, description, hs, section, source
    tariff_layers.csv  the dated tariff layers (see chokepoints.trade.schedule)
    stacking_rules.csv how layers combine
    elasticities.csv   importer, exporter, products, parameter (eta|sigma|epsilon), value, source
    sources.csv        source_id, kind (source|derived|assumption), title, url, date, note

Every row cites one or more ``source_id`` (separated by ``;``) of ``sources.csv``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ..datasets.smart import SMART_EPSILON as SMART_EPSILON  # the SMART defaults, re-exported
from ..datasets.smart import SMART_SIGMA as SMART_SIGMA
from ..datasets.smart import smart_defaults as smart_defaults
from ..errors import InputError, Problem

DATA_VERSION = "2025.1"
BUNDLED_NAME = "us-china-2024"
BUNDLED_TABLES = (
    "flows.csv",
    "products.csv",
    "tariff_layers.csv",
    "stacking_rules.csv",
    "elasticities.csv",
    "sources.csv",
)

# The 21 sections of the Harmonized System (WCO): section -> (first chapter, last chapter).
HS_SECTIONS: dict[str, tuple[int, int]] = {
    "I": (1, 5),
    "II": (6, 14),
    "III": (15, 15),
    "IV": (16, 24),
    "V": (25, 27),
    "VI": (28, 38),
    "VII": (39, 40),
    "VIII": (41, 43),
    "IX": (44, 46),
    "X": (47, 49),
    "XI": (50, 63),
    "XII": (64, 67),
    "XIII": (68, 70),
    "XIV": (71, 71),
    "XV": (72, 83),
    "XVI": (84, 85),
    "XVII": (86, 89),
    "XVIII": (90, 92),
    "XIX": (93, 93),
    "XX": (94, 96),
    "XXI": (97, 99),
}


def section_of_hs(hs: str) -> str:
    """HS section (Roman numeral) of an HS code of two or more digits; '' if unknown.

    >>> section_of_hs("851712"), section_of_hs("0101"), section_of_hs("")
    ('XVI', 'I', '')
    """
    hs = str(hs).strip()
    if len(hs) < 2 or not hs[:2].isdigit():
        return ""
    ch = int(hs[:2])
    for sec, (lo, hi) in HS_SECTIONS.items():
        if lo <= ch <= hi:
            return sec
    return ""


def data_dir() -> Path:
    """Folder of the bundled trade tables."""
    return Path(str(resources.files("chokepoints.datasets").joinpath("data", "trade")))


def _read_csv(path: Path | str, required: tuple[str, ...], what: str) -> pd.DataFrame:
    p = Path(path)
    try:
        df = pd.read_csv(p, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise InputError(Problem(str(path), "file not found")) from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(Problem(str(path), f"cannot read {what}: {str(exc).splitlines()[0]}")) from None
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise InputError(
            Problem(
                str(path),
                f"missing column(s) {', '.join(missing)}; {what} needs {', '.join(required)}",
                line=1,
                field=missing[0],
            )
        )
    return df


def _numbers(
    df: pd.DataFrame,
    col: str,
    path: str,
    *,
    scale: float = 1.0,
    allow_missing: bool = False,
    nonneg: bool = True,
) -> np.ndarray:
    raw = df[col].astype(str).str.strip()
    vals = pd.to_numeric(raw.where(~raw.isin(["", "NA", "NaN", "nan"]), None), errors="coerce")
    bad = vals.isna() & ~(raw.isin(["", "NA", "NaN", "nan"]) & allow_missing)
    if nonneg:
        bad |= vals < 0
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            Problem(
                path,
                f"expected a {'non-negative ' if nonneg else ''}number, got {raw.iloc[i]!r}",
                row=i + 1,
                field=col,
            )
        )
    return vals.to_numpy(dtype=float) * scale


@dataclass
class TradeData:
    """Flows (importer, exporter, product, value_usd_m) and a product catalogue (product, hs,
    section)."""

    flows: pd.DataFrame
    products: pd.DataFrame
    name: str
    version: str
    sources: pd.DataFrame | None = None
    content_hash: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def countries(self) -> list[str]:
        return sorted(set(self.flows["importer"]) | set(self.flows["exporter"]))


def _hash_files(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def load_sources(path: Path | str | None = None) -> pd.DataFrame:
    """The bundled sources table (source_id, kind, title, url, date, note)."""
    p = Path(path) if path is not None else data_dir() / "sources.csv"
    return _read_csv(p, ("source_id", "kind", "title", "url", "date", "note"), "a sources table")


def load_bundled() -> TradeData:
    """The bundled US-China trade lines (2024, USD million).

    US imports of 17 products from China (USITC DataWeb via the New York Times) with the other
    partners (Vietnam, Mexico, the rest) derived from China's share of each product and the 2024
    totals, a residual line of all other goods; China's imports of soybeans (US and other origins)
    and of other US goods. See ``sources.csv`` for every figure and assumption.
    """
    d = data_dir()
    flows = _read_csv(
        d / "flows.csv",
        ("importer", "exporter", "product", "value_usd_m", "source"),
        "a flows table",
    )
    flows = flows.assign(value_usd_m=_numbers(flows, "value_usd_m", str(d / "flows.csv")))
    products = _read_csv(
        d / "products.csv",
        ("product", "description", "hs", "section", "source"),
        "a products table",
    )
    return TradeData(
        flows=flows,
        products=products,
        name=BUNDLED_NAME,
        version=DATA_VERSION,
        sources=load_sources(),
        content_hash=_hash_files([d / t for t in BUNDLED_TABLES]),
    )


def trade_data(
    flows: pd.DataFrame,
    name: str,
    version: str = "",
    products: pd.DataFrame | None = None,
    content_hash: str = "",
) -> TradeData:
    """Wrap a tidy flows frame; without ``products`` the catalogue is built from HS codes."""
    flows = flows.copy()
    flows["product"] = flows["product"].astype(str)
    if products is None:
        codes = sorted(set(flows["product"]))
        products = pd.DataFrame(
            {
                "product": codes,
                "description": codes,
                "hs": [c if c.isdigit() else "" for c in codes],
                "section": [section_of_hs(c) if c.isdigit() else "" for c in codes],
            }
        )
    agg = flows.groupby(["importer", "exporter", "product"], as_index=False, sort=True)["value_usd_m"].sum()
    return TradeData(flows=agg, products=products, name=name, version=version, content_hash=content_hash)


def read_tidy(path: Path | str) -> pd.DataFrame:
    """A CSV with columns importer, exporter, product, value_usd_m (optional hs, section, year)."""
    p = str(path)
    df = _read_csv(path, ("importer", "exporter", "product", "value_usd_m"), "a trade-flows table")
    df = df.assign(value_usd_m=_numbers(df, "value_usd_m", p))
    for col in ("importer", "exporter", "product"):
        empty = df[col].str.strip() == ""
        if empty.any():
            raise InputError(Problem(p, "empty value", row=int(np.flatnonzero(empty)[0]) + 1, field=col))
        df[col] = df[col].str.strip()
    return df


# -- BACI (CEPII) ------------------------------------------------------------------------------

BACI_COLUMNS = ("t", "i", "j", "k", "v", "q")
_ISO3_COLUMNS = ("country_iso3", "iso_3digit_alpha", "iso3")


def read_baci_country_codes(path: Path | str) -> dict[int, str]:
    """BACI's country-codes file -> {numeric code: ISO3}.

    Accepts the current layout (``country_code, country_name, country_iso2, country_iso3``) and the
    older one (``country_code, country_name_abbreviation, country_name_full, iso_2digit_alpha,
    iso_3digit_alpha``).
    """
    p = str(path)
    df = _read_csv(path, ("country_code",), "a BACI country-codes file")
    iso_col = next((c for c in _ISO3_COLUMNS if c in df.columns), None)
    if iso_col is None:
        raise InputError(Problem(p, f"no ISO3 column; expected one of {', '.join(_ISO3_COLUMNS)}", line=1))
    codes = _numbers(df, "country_code", p)
    out: dict[int, str] = {}
    for i, (c, iso) in enumerate(zip(codes, df[iso_col].str.strip(), strict=True)):
        if not iso:
            raise InputError(Problem(p, "empty ISO3 code", row=i + 1, field=iso_col))
        out[int(c)] = iso
    return out


def read_baci(
    path: Path | str,
    country_codes: Path | str | dict[int, str],
    *,
    year: int | None = None,
    importers: list[str] | None = None,
) -> pd.DataFrame:
    """Read a BACI HS6 file (CSV with columns ``t,i,j,k,v,q``) into the tidy layout.

    ``t`` year, ``i`` exporter and ``j`` importer (numeric codes mapped to ISO3 with the
    ``country_codes`` file), ``k`` HS6 product (zero-padded to six digits), ``v`` value in thousand
    USD (converted to USD million), ``q`` quantity in metric tons (may be missing, ``NA``).
    ``year`` and ``importers`` filter rows.
    """
    p = str(path)
    codes = country_codes if isinstance(country_codes, dict) else read_baci_country_codes(country_codes)
    df = _read_csv(path, BACI_COLUMNS, "a BACI file")
    t = _numbers(df, "t", p)
    i = _numbers(df, "i", p)
    j = _numbers(df, "j", p)
    for col, arr in (("i", i), ("j", j)):
        unknown = ~np.isin(arr.astype(int), np.fromiter(codes, dtype=int, count=len(codes)))
        if unknown.any():
            r = int(np.flatnonzero(unknown)[0])
            raise InputError(
                Problem(
                    p,
                    f"country code {int(arr[r])} is not in the country-codes file",
                    row=r + 1,
                    field=col,
                )
            )
    k = df["k"].str.strip()
    bad_k = ~k.str.fullmatch(r"\d{1,6}")
    if bad_k.any():
        r = int(np.flatnonzero(bad_k)[0])
        raise InputError(Problem(p, f"expected an HS6 code of digits, got {k.iloc[r]!r}", row=r + 1, field="k"))
    out = pd.DataFrame(
        {
            "year": t.astype(int),
            "importer": [codes[int(c)] for c in j],
            "exporter": [codes[int(c)] for c in i],
            "product": k.str.zfill(6),
            "value_usd_m": _numbers(df, "v", p, scale=1e-3),
            "quantity": _numbers(df, "q", p, allow_missing=True),
        }
    )
    if year is not None:
        out = out[out["year"] == year]
    if importers is not None:
        out = out[out["importer"].isin(importers)]
    return out.reset_index(drop=True)


# -- UN Comtrade bulk CSV ----------------------------------------------------------------------

# Current bulk/API layout (comtradeplus) and the legacy bulk layout.
_COMTRADE_NEW = {
    "year": "refYear",
    "flow": "flowCode",
    "reporter": "reporterISO",
    "partner": "partnerISO",
    "product": "cmdCode",
    "value": "primaryValue",
}
_COMTRADE_LEGACY = {
    "year": "Year",
    "flow": "Trade Flow Code",
    "reporter": "Reporter ISO",
    "partner": "Partner ISO",
    "product": "Commodity Code",
    "value": "Trade Value (US$)",
}


def read_comtrade(path: Path | str, *, year: int | None = None, value: str | None = None) -> pd.DataFrame:
    """Read a UN Comtrade bulk CSV (imports as reported by the importer) into the tidy layout.

    Current layout: ``refYear, flowCode, reporterISO, partnerISO, cmdCode, primaryValue`` (and
    ``cifvalue``, ``fobvalue``, ``partner2Code``, ``motCode``, ``customsCode`` when present: only
    rows with second partner 0, all modes of transport 0 and customs procedure C00 are kept, so
    breakdowns are not double counted). Legacy layout: ``Year, Trade Flow Code (1 = import),
    Reporter ISO, Partner ISO, Commodity Code, Trade Value (US$)``. Import rows (flow ``M``) only;
    partner ``W00``/``WLD`` (world) dropped. Values in USD are converted to USD million. ``value``
    picks another value column (e.g. ``fobvalue``: the customs value for US imports).
    """
    p = str(path)
    head = _read_csv(path, (), "a Comtrade file")
    cols = _COMTRADE_NEW if "reporterISO" in head.columns else _COMTRADE_LEGACY
    if value is not None:
        cols = {**cols, "value": value}
    missing = [c for c in cols.values() if c not in head.columns]
    if missing:
        raise InputError(
            Problem(
                p,
                f"missing column(s) {', '.join(missing)}; expected a UN Comtrade bulk CSV ({', '.join(cols.values())})",
                line=1,
                field=missing[0],
            )
        )
    df = head
    keep = np.ones(len(df), dtype=bool)
    flow = df[cols["flow"]].str.strip()
    keep &= flow.isin(["M", "1"]).to_numpy()
    for col, ok in (("partner2Code", "0"), ("motCode", "0"), ("customsCode", "C00")):
        if col in df.columns:
            keep &= (df[col].str.strip().isin([ok, ""])).to_numpy()
    partner = df[cols["partner"]].str.strip()
    keep &= (~partner.isin(["W00", "WLD", "World"])).to_numpy()
    df = df[keep].reset_index(drop=True)
    out = pd.DataFrame(
        {
            "year": _numbers(df, cols["year"], p).astype(int) if len(df) else np.array([], dtype=int),
            "importer": df[cols["reporter"]].str.strip(),
            "exporter": df[cols["partner"]].str.strip(),
            "product": df[cols["product"]].str.strip(),
            "value_usd_m": _numbers(df, cols["value"], p, scale=1e-6),
        }
    )
    if year is not None:
        out = out[out["year"] == year]
    return out.reset_index(drop=True)


def load_elasticity_table(path: Path | str | None = None) -> pd.DataFrame:
    """Elasticities: importer, exporter, products, parameter (eta|sigma|epsilon), value, source.

    ``*`` matches anything; the most specific matching row wins (see
    :func:`chokepoints.trade.analysis.resolve_elasticities`). eta must be negative, sigma and
    epsilon positive (``inf`` allowed for epsilon).
    """
    p = Path(path) if path is not None else data_dir() / "elasticities.csv"
    df = _read_csv(p, ("importer", "exporter", "products", "parameter", "value"), "an elasticities table")
    vals = []
    for r, (par, raw) in enumerate(zip(df["parameter"].str.strip(), df["value"].str.strip(), strict=True)):
        if par not in ("eta", "sigma", "epsilon"):
            raise InputError(
                Problem(
                    str(p),
                    f"unknown parameter {par!r}; expected eta, sigma or epsilon",
                    row=r + 1,
                    field="parameter",
                )
            )
        try:
            v = float(raw)
        except ValueError:
            raise InputError(Problem(str(p), f"expected a number, got {raw!r}", row=r + 1, field="value")) from None
        if par == "eta" and not (v < 0 and np.isfinite(v)):
            raise InputError(
                Problem(
                    str(p),
                    f"eta (import-demand elasticity) must be negative, got {raw}",
                    row=r + 1,
                    field="value",
                )
            )
        if par == "sigma" and not (v > 0 and np.isfinite(v)):
            raise InputError(
                Problem(
                    str(p),
                    f"sigma (substitution elasticity) must be positive, got {raw}",
                    row=r + 1,
                    field="value",
                )
            )
        if par == "epsilon" and not v > 0:
            raise InputError(
                Problem(
                    str(p),
                    f"epsilon (export-supply elasticity) must be positive, got {raw}",
                    row=r + 1,
                    field="value",
                )
            )
        vals.append(v)
    df = df.assign(value=vals, parameter=df["parameter"].str.strip())
    if "source" not in df.columns:
        df["source"] = ""
    df.attrs["path"] = str(p)
    return df
