"""The block readers and writers that carry 9,800-sector tables (datasets/mrio_formats/tsv_matrix.py,
mrio_import's cell writer and reader): each against the plain pandas / NumPy operation it replaces."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chokepoints.datasets.mrio_formats.tsv_matrix import read_matrix
from chokepoints.datasets.mrio_import import _categorical, _nonzero_cells, _read_cells, _write_columns
from chokepoints.errors import InputError


def _tsv(df: pd.DataFrame) -> bytes:
    return df.to_csv(sep="\t", float_format="%.12g", lineterminator="\n").encode()


def _table(n_regions: int = 3, n_sectors: int = 4, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    idx = pd.MultiIndex.from_product(
        [[f"R{i}" for i in range(n_regions)], [f"sector {j}" for j in range(n_sectors)]], names=["region", "sector"]
    )
    values = np.round(rng.uniform(-5, 60, (len(idx), len(idx))), 4) * (rng.random((len(idx), len(idx))) > 0.3)
    return pd.DataFrame(values, index=idx, columns=idx)


def test_read_matrix_equals_pandas_read_csv(monkeypatch):
    df = _table(6, 10)  # 60 rows of about 500 bytes: several blocks of 16 rows' length
    data = _tsv(df)
    monkeypatch.setattr("chokepoints.datasets.mrio_formats.tsv_matrix.BLOCK_BYTES", 64)  # many blocks
    values, rows, cols = read_matrix(lambda: io.BytesIO(data), "x.zip", "Z.txt")
    expected = pd.read_csv(io.BytesIO(data), sep="\t", index_col=[0, 1], header=[0, 1])
    np.testing.assert_array_equal(values, expected.to_numpy())
    assert rows.equals(expected.index) and list(rows.names) == ["region", "sector"]
    assert cols.equals(expected.columns) and list(cols.names) == ["region", "sector"]


def test_read_matrix_rectangular_and_without_index_names():
    df = _table(2, 3).iloc[:, :4]
    df.index.names = [None, None]
    text = _tsv(df)
    values, rows, cols = read_matrix(lambda: io.BytesIO(text), "f", "Y.txt")
    np.testing.assert_array_equal(values, df.to_numpy())
    assert len(rows) == 6 and len(cols) == 4


@pytest.mark.parametrize(
    "cell, message",
    [("x", "non-numeric or malformed cell"), ("", "line 6: empty or non-numeric cell")],
)
def test_read_matrix_names_the_bad_cell(cell, message):
    lines = _tsv(_table(1, 3)).decode().splitlines()
    cells = lines[5].split("\t")  # 3 header lines, then the third row of data
    cells[3] = cell
    lines[5] = "\t".join(cells)
    text = ("\n".join(lines) + "\n").encode()
    with pytest.raises(InputError) as err:
        read_matrix(lambda: io.BytesIO(text), "IOT_2011_ixi.zip", "Z.txt")
    assert message in str(err.value) and "IOT_2011_ixi.zip" in str(err.value) and "Z.txt" in str(err.value)


def test_read_matrix_uneven_header_is_an_error():
    lines = _tsv(_table(1, 3)).decode().splitlines()
    lines[1] += "\textra"
    text = ("\n".join(lines) + "\n").encode()
    with pytest.raises(InputError, match="header rows have different numbers of cells"):
        read_matrix(lambda: io.BytesIO(text), "f", "Z.txt")


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 40),
    density=st.sampled_from([0.0, 0.2, 0.9, 1.0]),
    block=st.integers(1, 7),
    seed=st.integers(0, 2**16),
)
def test_nonzero_cells_equals_np_nonzero(n, density, block, seed):
    rng = np.random.default_rng(seed)
    Z = rng.uniform(0.1, 9, (n, n)) * (rng.random((n, n)) < density)
    r, c, v = _nonzero_cells(Z, "float32", block=block)
    er, ec = np.nonzero(Z)
    np.testing.assert_array_equal(r, er)
    np.testing.assert_array_equal(c, ec)
    np.testing.assert_array_equal(v, Z[er, ec].astype("float32"))
    assert r.dtype == np.int32 and c.dtype == np.int32 and v.dtype == np.float32


@pytest.mark.parametrize("density, shuffle", [(1.0, False), (0.4, False), (0.4, True), (0.0, False)])
def test_cells_round_trip_through_parquet(tmp_path, density, shuffle):
    rng = np.random.default_rng(3)
    n = 37
    Z = rng.uniform(0.1, 9, (n, n)) * (rng.random((n, n)) < density)
    r, c, v = _nonzero_cells(Z, "float64")
    if shuffle:  # any order of cells is read right, not only the writer's
        p = rng.permutation(len(r))
        r, c, v = r[p], c[p], v[p]
    _write_columns(tmp_path / "Z.parquet", {"row": r, "col": c, "value": v})
    np.testing.assert_array_equal(_read_cells(tmp_path / "Z.parquet", n), Z)


def test_write_columns_is_pandas_to_parquet_byte_for_byte(tmp_path):
    cols = {"row": np.arange(5, dtype=np.int32), "col": np.arange(5, dtype=np.int32)[::-1].copy(), "value": np.ones(5)}
    _write_columns(tmp_path / "a.parquet", cols)
    pd.DataFrame(cols).to_parquet(tmp_path / "b.parquet", index=False, compression="zstd")
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()


def test_read_cells_refuses_cells_outside_the_index(tmp_path):
    _write_columns(
        tmp_path / "Z.parquet",
        {"row": np.array([0, 3], np.int32), "col": np.array([0, 1], np.int32), "value": np.ones(2)},
    )
    with pytest.raises(InputError, match="outside 0..2"):
        _read_cells(tmp_path / "Z.parquet", 3)


def test_categorical_equals_pandas_categorical():
    labels = pd.Index(["US", "CN", "DE", "CN", "JP"])
    take = np.array([1, 1, 0, 3, 2, 0])
    got = _categorical(labels, take)
    want = pd.Categorical([str(v) for v in labels[take]])
    assert list(got.categories) == list(want.categories) and np.array_equal(got.codes, want.codes)
