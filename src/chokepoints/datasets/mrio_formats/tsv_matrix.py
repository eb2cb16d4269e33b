"""A large labelled matrix written as pymrio writes a table (tab-separated, index columns, header
rows), read in blocks with pyarrow into one preallocated float64 array.

Why not ``pandas.read_csv(header=[0, 1], index_col=[0, 1])``, which ``pymrio.load_all`` uses: on an
EXIOBASE-sized Z (9,800 x 9,800 cells, 1.3 GB of text) that import took 88 s at a peak of 6.2 GiB on
a 2-core machine (benchmarks/bench_mrio_import.py), against the 60 s and 4 GiB targets of issue
#15; pyarrow's multi-threaded CSV reader, streamed block by block into the result, reads the same
file in about 16 s at a peak of 1.5 GiB. The small tables (Y, x, unit) are still read by pymrio.

Layout (``nr_index_col`` = k, ``nr_header`` = h in ``file_parameters.json``): h header rows whose
first k cells hold the column-level names and whose other cells hold the column labels, level by
level; then, as pandas writes a MultiIndex, an optional row of the k index names with the rest
empty; then one row per matrix row: k label cells and the values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO

import numpy as np
import pandas as pd

from ...errors import InputError, Problem
from . import need

BLOCK_BYTES = 1 << 25  # 32 MiB of text per block: a few hundred rows of a 9,800-column table


def _header(fh: IO[bytes], k: int, h: int, where: str, table: str) -> tuple[pd.Index, list[str], int, int]:
    """(column labels, index names, number of lines before the data, longest line's bytes) of ``fh``."""
    levels: list[list[str]] = []
    level_names: list[str] = []
    longest = 0
    for line_no in range(1, h + 1):
        raw = fh.readline()
        longest = max(longest, len(raw))
        cells = raw.decode("utf-8").rstrip("\r\n").split("\t")
        if len(cells) <= k:
            raise InputError(Problem(where, f"{table} line {line_no}: expected {k} label cells and column labels"))
        levels.append(cells[k:])
        level_names.append(cells[0])
    widths = {len(level) for level in levels}
    if len(widths) != 1:
        raise InputError(Problem(where, f"{table}: the {h} header rows have different numbers of cells"))
    columns = (
        pd.MultiIndex.from_arrays(levels, names=level_names) if h > 1 else pd.Index(levels[0], name=level_names[0])
    )
    raw = fh.readline()
    longest = max(longest, len(raw), len(fh.readline()))  # and the first data row
    cells = raw.decode("utf-8").rstrip("\r\n").split("\t")
    if all(c == "" for c in cells[k:]) and any(c != "" for c in cells[:k]):
        return columns, cells[:k], h + 1, longest  # pandas' row of index names
    return columns, [""] * k, h, longest


def read_matrix(
    open_binary: Callable[[], IO[bytes]], where: str, table: str, n_index: int = 2, n_header: int = 2
) -> tuple[np.ndarray, pd.Index, pd.Index]:
    """The table ``table`` (e.g. "Z.txt"): (float64 values, row labels, column labels), the labels
    a MultiIndex where there are several index columns / header rows.

    ``open_binary``: opens the file (in a folder or a zip archive) for reading bytes; it is opened
    twice (once for the header, once for the data; a zip member cannot seek back). ``where``: the
    path named in errors. A cell that is empty or not a number is a one-line error naming the
    line and the cell's row and column labels.
    """
    pa = need("pyarrow")
    import pyarrow.csv as pcsv

    with open_binary() as fh:
        columns, index_names, skip, longest = _header(fh, n_index, n_header, where, table)
    n_cols = len(columns)
    names = [f"c{i}" for i in range(n_index + n_cols)]
    # pyarrow needs the skipped lines and each row inside one block
    block = max(BLOCK_BYTES, 4 * (skip + 1) * longest)
    read = pcsv.ReadOptions(skip_rows=skip, column_names=names, block_size=block, use_threads=True)
    parse = pcsv.ParseOptions(delimiter="\t", quote_char=False)
    convert = pcsv.ConvertOptions(
        column_types={nm: (pa.string() if i < n_index else pa.float64()) for i, nm in enumerate(names)},
        strings_can_be_null=False,
    )
    values = np.empty((max(n_cols, 1), n_cols))  # square tables first; grown if there are more rows
    labels: list[list[str]] = [[] for _ in range(n_index)]
    done = 0
    try:
        with open_binary() as fh:
            reader = pcsv.open_csv(fh, read_options=read, parse_options=parse, convert_options=convert)
            for batch in reader:
                k = batch.num_rows
                if done + k > len(values):
                    values = np.concatenate([values, np.empty((done + k - len(values), n_cols))])
                for i in range(n_index):
                    labels[i].extend(batch.column(i).to_pylist())
                for j in range(n_cols):
                    values[done : done + k, j] = batch.column(n_index + j).to_numpy(zero_copy_only=False)
                done += k
    except pa.ArrowInvalid as exc:
        text = str(exc).splitlines()[0]
        raise InputError(Problem(where, f"{table}: non-numeric or malformed cell ({text})", field=table)) from None
    values = values[:done]
    bad = np.argwhere(~np.isfinite(values))
    if len(bad):
        i, j = (int(v) for v in bad[0])
        raise InputError(
            Problem(
                where,
                f"{table} line {skip + i + 1}: empty or non-numeric cell (row "
                f"{tuple(lab[i] for lab in labels)}, column {columns[j]})",
                field=table,
            )
        )
    index = pd.MultiIndex.from_arrays(labels, names=index_names) if n_index > 1 else pd.Index(labels[0])
    return values, index, columns
