"""``chokepoints cutoff``: the documented example, the CSV tables, and one-line errors (exit 2) for bad flags."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from chokepoints.cli import app

GA_GE = "CHN:gallium_low_purity,gallium_refined,germanium"


def invoke(*args: str):
    return CliRunner().invoke(app, ["cutoff", *args])


def test_gallium_germanium_ban_to_the_us(tmp_path: Path):
    r = invoke(GA_GE, "--to", "USA", "--runs", "40", "--seed", "3", "--csv", str(tmp_path))
    assert r.exit_code == 0, r.output
    for title in (
        "Markets of the cut products",
        "Cost to USA over the cut-off",
        "By region",
        "Largest losses by producer",
    ):
        assert title in r.output
    assert re.search(r"germanium\s+│\s+63\s+│\s+12\.4\s+│\s+0\.197", r.output), r.output  # M USD per year, share
    assert re.search(r"│ complementary\s+│\s+[\d.]+", r.output)
    total = pd.read_csv(tmp_path / "cutoff_total.csv").set_index("bound")
    assert total.loc["complementary", "total_p50"] >= total.loc["substitutable", "total_p50"] > 0
    assert (total["total_p5"] <= total["total_p50"]).all() and (total["total_p50"] <= total["total_p95"]).all()
    markets = pd.read_csv(tmp_path / "cutoff_markets.csv")
    assert list(markets["product"]) == ["gallium_low_purity", "gallium_refined", "germanium"]
    producers = pd.read_csv(tmp_path / "cutoff_producers.csv")
    assert set(producers["region"]) == {"USA"}  # a US-only ban hits US buyers only downstream
    # same seed, same tables
    again = invoke(GA_GE, "--to", "USA", "--runs", "40", "--seed", "3")
    assert again.output.splitlines()[2:] == r.output.splitlines()[2:]


def test_parameters_from_flags_and_cost_to():
    r = invoke(
        "CHN:germanium",
        "--runs",
        "20",
        "--elasticity",
        "0.2:0.6",
        "--substitution",
        "0",
        "--days",
        "180:365",
        "--cost-to",
        "USA,EU",
        "--share",
        "0.5",
        "--top",
        "3",
    )
    assert r.exit_code == 0, r.output
    text = " ".join(r.output.split())
    assert "elasticity: uniform(0.2, 0.6); substitution: 0; days: uniform(180, 365)" in text
    assert "withholds 50%" in text and "Cost to USA, EU" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["CHN"], "CUTOFF: expected EXPORTER:PRODUCT"),
        (["CHN:"], "CUTOFF: expected EXPORTER:PRODUCT"),
        (["XXX:germanium"], "CUTOFF, field 'exporter': unknown region 'XXX'"),
        (["CHN:zinc"], "CUTOFF, field 'products': CHN makes no 'zinc'"),
        ([GA_GE, "--to", "USA,ATL"], "--to, field 'destinations': unknown region 'ATL'"),
        ([GA_GE, "--to", "CHN"], "--to, field 'destinations': the exporter CHN cannot be a destination"),
        ([GA_GE, "--to", ","], "--to: give at least one region"),
        ([GA_GE, "--share", "1.5"], "--share, field 'share': must be within [0, 1]"),
        ([GA_GE, "--elasticity", "x"], "--elasticity, field 'elasticity': expected VALUE, LOW:HIGH or LOW:MODE:HIGH"),
        ([GA_GE, "--elasticity", "-0.5:1"], "--elasticity, field 'elasticity': elasticity must stay within (0, inf]"),
        ([GA_GE, "--substitution", "0.9:0.1"], "--substitution, field 'substitution': bounds reversed"),
        ([GA_GE, "--days", "1:2:3:4"], "--days, field 'days': expected VALUE"),
        ([GA_GE, "--cost-to", "MARS"], "--cost-to: unknown region(s) MARS"),
        ([GA_GE, "--world", "no-such-world"], "no-such-world"),
    ],
)
def test_bad_flags_exit_2_with_one_line(args, message):
    r = invoke(*args, "--runs", "2")
    assert r.exit_code == 2, r.output
    err = r.stderr if r.stderr_bytes is not None else r.output
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), err
    assert message in lines[0], lines[0]
    assert "Traceback" not in r.output


def test_help_lists_the_command():
    r = CliRunner().invoke(app, ["--help"])
    assert r.exit_code == 0 and "cutoff" in r.output
    h = invoke("--help")
    assert h.exit_code == 0 and "EXPORTER:PRODUCT" in h.output


def test_comparison_script_prints_the_published_figures():
    """scripts/cutoff_comparison.py (the table of docs/cutoff.md) reads data/facts/published_estimates.csv."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run(
        [sys.executable, str(root / "scripts" / "cutoff_comparison.py"), "--runs", "8"],
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(root / "src"), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    rows = [ln for ln in proc.stdout.splitlines() if ln.startswith(("| Ga", "| Ge"))]
    assert len(rows) == 4
    assert rows[0].endswith("| 3,400 (1,700-9,000) |") and rows[2].endswith("| 400 (10-1,100) |")
