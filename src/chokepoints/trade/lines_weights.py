"""Weights from a file: trade values by product code, spread over a direction's bundled tariff lines.

The bundled weights (``lines.us_weights``) are one base each: 2024 bilateral imports, 2017 chapters spread
over lines, 2024 US imports from the world. A published average is often weighted otherwise -- PIIE's by the
exporter's exports to the world in 2017 (Bown, Jung & Zhang 2019, Figure 1 note) -- and such data can seldom
be bundled. This module takes them from the analyst:

    importer,exporter,code,value_usd
    USA,CHN,8517,245000000000        # China's exports to the world of HS 8517 (USD), weights for US rates on China
    CHN,USA,1201,21500000000         # US exports to the world of HS 1201, weights for China's rates on the US

``code`` is a product code of 2 to 10 digits (HS-2 chapter ... HTS-10 line); within a direction no code may
contain another (no ``85`` beside ``8517``). Each code's value is spread over the direction's bundled lines
under it in proportion to the basis weights of those lines (``BASIS``; equal shares when they are all zero):

    w_l = V_c * b_l / sum_{k under c} b_k        (l under code c; lines under no code get w_l = 0)

The basis is an ASSUMPTION about the mix within a code (``asm_user_weights_basis`` in docs/tariffs.md): US
side, US imports from the world in 2024; China's side, China's 2017 imports from the US (its only bundled
lines with MFN rates by date). Codes with no bundled line under them are reported, not spread.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from .lines import DIRECTION_YEARS, LineBook, LineSchedule, line_book, series
from .lines_rows import _read

# The bundled book whose lines (and within-code shares) a file's values are spread over, by direction.
BASIS: dict[tuple[str, str], str] = {("USA", "CHN"): "world", ("CHN", "USA"): "2017"}
COLUMNS = ("importer", "exporter", "code", "value_usd")


def read_weights_file(path: Path | str) -> pd.DataFrame:
    """The file's rows (importer, exporter, code, value_usd), checked: a located error for each bad row."""
    path = Path(path)
    df = _read(path, COLUMNS, comment="#", skipinitialspace=True)
    problems: list[Problem] = []
    values = pd.to_numeric(df["value_usd"].str.strip(), errors="coerce")
    for i, r in enumerate(df.itertuples(index=False), start=1):
        key = (r.importer.strip(), r.exporter.strip())
        code = r.code.strip().replace(".", "")
        if key not in BASIS:
            directions = ", ".join(f"{a},{b}" for a, b in BASIS)
            problems.append(Problem(str(path), f"no bundled lines for {key[0]} <- {key[1]}; expected one of "
                                    f"{directions}", row=i, field="importer"))  # fmt: skip
        if not (code.isdigit() and 2 <= len(code) <= 10):
            problems.append(Problem(str(path), f"expected a product code of 2-10 digits, got {r.code!r}",
                                    row=i, field="code"))  # fmt: skip
        v = values.iloc[i - 1]
        if not (np.isfinite(v) and v >= 0):
            problems.append(Problem(str(path), f"expected a value in USD >= 0, got {r.value_usd!r}",
                                    row=i, field="value_usd"))  # fmt: skip
    if problems:
        raise InputError(problems)
    out = pd.DataFrame({
        "importer": df["importer"].str.strip(), "exporter": df["exporter"].str.strip(),
        "code": df["code"].str.strip().str.replace(".", "", regex=False), "value_usd": values.astype(float),
    })  # fmt: skip
    for _, g in out.groupby(["importer", "exporter"], sort=False):
        _check_codes(path, g)
    return out


def _check_codes(path: Path, g: pd.DataFrame) -> None:
    """Within a direction: no code twice, and no code under another (the split would be ambiguous)."""
    seen: dict[str, int] = {}
    for i, code in zip(g.index, g["code"], strict=True):
        if code in seen:
            raise InputError(Problem(str(path), f"code {code} appears twice (rows {seen[code] + 1} and {i + 1})",
                                     row=int(i) + 1, field="code"))  # fmt: skip
        seen[code] = int(i)
    codes = sorted(seen)
    for a, b in zip(codes, codes[1:], strict=False):
        if b.startswith(a):
            raise InputError(Problem(str(path), f"code {b} lies under code {a}; give one level per product",
                                     row=seen[b] + 1, field="code"))  # fmt: skip


def spread(values: pd.DataFrame, book: LineBook, label: str) -> tuple[LineBook, dict[str, float]]:
    """The book with its weights replaced by ``values`` (code, value_usd) spread over its lines by its weights.

    Returns the new book and a summary: value_usd (in the file), spread_usd (on lines), lost_usd (codes with no
    line), lost_codes (how many)."""
    codes = book.codes.astype(str)
    code_of = np.full(len(codes), "", dtype=object)
    for n in sorted(set(values["code"].str.len())):
        at = {c: c for c in values.loc[values["code"].str.len() == n, "code"]}
        hit = pd.Series(codes).str[:n].map(at)
        code_of = np.where(hit.notna() & (code_of == ""), hit.fillna("").to_numpy(), code_of)
    v = values.set_index("code")["value_usd"]
    basis = pd.Series(book.weights, dtype=float)
    key = pd.Series(code_of)
    total = basis.groupby(key).transform("sum").to_numpy()
    count = key.groupby(key).transform("size").to_numpy()
    share = np.where(total > 0, basis.to_numpy() / np.where(total > 0, total, 1.0), 1.0 / count)
    w = np.where(code_of != "", share * key.map(v).fillna(0.0).to_numpy(), 0.0)
    used = set(code_of[code_of != ""])
    lost = v[~v.index.isin(used)]
    summary = {"value_usd": float(v.sum()), "spread_usd": float(w.sum()), "lost_usd": float(lost.sum()),
               "lost_codes": float(len(lost))}  # fmt: skip
    if not w.sum() > 0:
        raise InputError(Problem(label, f"no value lands on a bundled line of {book.importer} <- {book.exporter}"))
    return dataclasses.replace(book, weights=w, duty=None, label=label), summary


def books_from_file(path: Path | str) -> tuple[dict[tuple[str, str], LineBook], dict[tuple[str, str], dict]]:
    """One book per direction in the file (its values spread over the direction's BASIS lines), and summaries."""
    path = Path(path)
    df = read_weights_file(path)
    books, summaries = {}, {}
    for (imp, exp), g in df.groupby(["importer", "exporter"], sort=False):
        basis = BASIS[(imp, exp)]
        assert basis in DIRECTION_YEARS[(imp, exp)]
        label = f"{path.name} (spread over the {basis} lines)"
        books[(imp, exp)], summaries[(imp, exp)] = spread(g, line_book(imp, exp, basis), label)
    return books, summaries


def series_on_file(
    path: Path | str, schedule: LineSchedule | None = None, dates: Sequence[dt.date] | None = None
) -> pd.DataFrame:
    """``lines.series`` for the file's directions, on the file's weights."""
    books, _ = books_from_file(path)
    return series(schedule, dates, books=books)
