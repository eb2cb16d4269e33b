"""The bundled World wiod-2011 (WIOD 2013 release, 2011) against the figures its README gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import chokepoints as cp
from chokepoints.datasets import bundled_path, list_bundled

SHARED = Path(__file__).resolve().parents[3] / "shared" / "mrio" / "wiod-2013-release" / "wiot_2011.RData"


@pytest.fixture(scope="module")
def world():
    return cp.load_world("wiod-2011")


def test_bundled_and_small():
    assert "wiod-2011" in list_bundled()
    size = sum(p.stat().st_size for p in bundled_path("wiod-2011").iterdir())
    assert size < 3e6


def test_totals_match_the_release(world):
    # shared/mrio/README.md: US gross output about USD 26.9 tn, China 22.3 tn, world 141.8 tn (2011)
    cw = world.compile()
    x = cw.x0 * 365 / 1e6  # million USD per year -> trillion
    reg = np.asarray(cw.regions)[cw.prod_region]
    assert (len(cw.regions), cw.S) == (41, 35)
    assert x[reg == "USA"].sum() == pytest.approx(26.9, abs=0.05)
    assert x[reg == "CHN"].sum() == pytest.approx(22.3, abs=0.05)
    assert x.sum() == pytest.approx(141.8, abs=0.2)
    assert world.metadata["monetary_unit"] == "M USD" and "Timmer" in world.metadata["citation"]
    assert (cw.x0 == 0).sum() == 22


@pytest.mark.skipif(not SHARED.exists(), reason="the raw WIOD file is not on this machine")
def test_bundle_holds_the_raw_table_exactly(world):
    from chokepoints.datasets.mrio_import import parse

    raw = parse("wiod", SHARED, 2011)
    z = pd.read_parquet(bundled_path("wiod-2011") / "Z.parquet")
    Z = np.zeros(raw.Z.shape)
    Z[z["row"], z["col"]] = z["value"]
    np.testing.assert_array_equal(Z, raw.Z.to_numpy())


@pytest.mark.skipif(not SHARED.exists(), reason="the raw WIOD file is not on this machine")
def test_converter_rebuilds_the_bundle_byte_for_byte(tmp_path):
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[1] / "scripts" / "convert_wiod_2011.py"
    proc = subprocess.run(
        [sys.executable, str(script), str(SHARED), "--out", str(tmp_path / "w")], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    for p in bundled_path("wiod-2011").iterdir():
        assert (tmp_path / "w" / p.name).read_bytes() == p.read_bytes(), p.name
