"""Regression tests for every failure kind found by the hostile-user trial of issue #12.

Each test feeds one kind of malformed input and checks the oracle: exit code 2 (or an
InputError from the library), one ``error:`` line per problem naming the file and a line, row
or field, no traceback, no hang, nothing written outside ``--out``.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chokepoints.cli import app
from chokepoints.datasets import bundled_path
from chokepoints.errors import InputError
from chokepoints.scenario import Scenario
from chokepoints.scenario.library import scenario_path
from chokepoints.yamlio import load_yaml_with_marks, read_text_file

runner = CliRunner()
LICENSING = scenario_path("cn-rare-earth-licensing-2025-04")
TREASURY = scenario_path("cn-treasury-sale-hypothetical")
TARIFFS = scenario_path("us-china-tariffs-2025")
BAN = scenario_path("cn-rare-earth-ban-hypothetical")


def cli(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def assert_located(res, *needles: str) -> list[str]:
    """Exit 2, only ``error:`` lines, each naming a place (file:line, row, or field), no traceback."""
    out = res.output
    assert res.exit_code == 2, out
    assert "Traceback" not in out and res.exception is None or isinstance(res.exception, SystemExit), out
    lines = [ln for ln in out.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("error: ")]
    assert errors, out
    for ln in errors:
        assert re.search(r":\d+|row \d+|field '|column '", ln), f"unlocated: {ln}"
    for needle in needles:
        assert needle in out, out
    return errors


def yaml_error(text: str, *needles: str) -> InputError:
    t0 = time.perf_counter()
    with pytest.raises(InputError) as info:
        load_yaml_with_marks(text, "f.yaml")
    assert time.perf_counter() - t0 < 20
    msg = str(info.value)
    assert msg.startswith("f.yaml:"), msg  # located: a line
    for needle in needles:
        assert needle in msg, msg
    return info.value


def mutate(tmp_path: Path, source: Path, old: str, new: str, name: str = "sc.yaml") -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def world_copy(tmp_path: Path, name: str = "rare-earths-2025") -> Path:
    dest = tmp_path / "w"
    shutil.copytree(bundled_path(name), dest)
    return dest


# -- YAML ------------------------------------------------------------------------------------


def test_yaml_bool_tag_with_a_non_boolean():
    yaml_error("a: !!bool maybe", "'maybe'", "bool", "field 'a'")


def test_yaml_timestamp_tag_with_a_non_date():
    yaml_error("a: !!timestamp abc", "'abc'", "timestamp")


def test_yaml_float_tag_with_an_empty_string():
    yaml_error("a: !!float ''", "float")


def test_yaml_recursive_alias():
    yaml_error("junk: &r [*r]", "nested more than")


def test_yaml_nesting_1000_deep():
    yaml_error("a: " + "[" * 1000 + "]" * 1000, "nested more than")


def test_yaml_billion_laughs_alias_bomb():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, cur in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    yaml_error("\n".join(lines), "aliases expand")


def test_yaml_huge_file_of_many_small_items(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("a: [" + "1, " * 5_000_000 + "]\n", encoding="utf-8")  # ~15 MB
    res = cli("validate", path)
    assert_located(res, "too large")


def test_yaml_many_items_under_the_size_limit():
    yaml_error("a: [" + "1," * 60_000 + "]", "too many values")


def test_validate_dev_zero():
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    with pytest.raises(InputError, match="too large"):
        read_text_file("/dev/zero")


# -- dates --------------------------------------------------------------------------------------


def test_start_date_9999_12_31(tmp_path):
    assert_located(cli("validate", mutate(tmp_path, LICENSING, "start: 2025-04-04", "start: 9999-12-31")), "start")


def test_start_date_0001_01_01(tmp_path):
    assert_located(cli("validate", mutate(tmp_path, LICENSING, "start: 2025-04-04", "start: 0001-01-01")), "start")


# -- Worlds -------------------------------------------------------------------------------------


def test_dataset_yaml_default_target_days_not_a_number(tmp_path):
    w = world_copy(tmp_path)
    with (w / "dataset.yaml").open("a", encoding="utf-8") as fh:
        fh.write("default_target_days: abc\n")
    assert_located(cli("validate", w), "dataset.yaml", "default_target_days")


def test_inventories_with_only_a_header(tmp_path):
    w = world_copy(tmp_path)
    head = (w / "inventories.csv").read_text(encoding="utf-8").splitlines()[0]
    (w / "inventories.csv").write_text(head + "\n", encoding="utf-8")
    sc = mutate(tmp_path, LICENSING, "world: rare-earths-2025", f"world: {w}")
    assert_located(cli("validate", sc), "selects no row")


@pytest.mark.parametrize("table", ["inventories", "recipes", "unit_values"])
def test_duplicate_rows(tmp_path, table):
    w = world_copy(tmp_path)
    lines = (w / f"{table}.csv").read_text(encoding="utf-8").splitlines()
    (w / f"{table}.csv").write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    assert_located(cli("validate", w), "duplicate row", f"{table}.csv")


@pytest.mark.parametrize("value", ["0", "1e300"])
def test_unit_values_zero_or_huge(tmp_path, value):
    w = world_copy(tmp_path)
    path = w / "unit_values.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    cols = lines[0].split(",")
    cells = lines[1].split(",")
    cells[cols.index("usd_per_unit")] = value
    path.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n", encoding="utf-8")
    assert_located(cli("validate", w), "usd_per_unit", "row 1")


def test_recipe_amount_1_8e308(tmp_path):
    w = world_copy(tmp_path)
    path = w / "recipes.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    cols = lines[0].split(",")
    cells = lines[1].split(",")
    cells[cols.index("amount_per_unit")] = "1.7e308"  # finite, but far past any recipe (1.8e308 is inf)
    path.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n", encoding="utf-8")
    assert_located(cli("validate", w), "amount_per_unit")
    cells[cols.index("amount_per_unit")] = "1.8e308"
    path.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n", encoding="utf-8")
    assert_located(cli("validate", w), "amount_per_unit")


def test_sources_with_only_a_header(tmp_path):
    w = world_copy(tmp_path, "rare-earths-2010")
    head = (w / "sources.csv").read_text(encoding="utf-8").splitlines()[0]
    (w / "sources.csv").write_text(head + "\n", encoding="utf-8")
    assert_located(cli("validate", w), "sources.csv has no rows")


# -- sizes --------------------------------------------------------------------------------------


def test_runs_100000_refused_before_any_work(tmp_path):
    sc = mutate(tmp_path, LICENSING, "runs: ", "runs: 100000\n_old_runs: ")
    sc.write_text(re.sub(r"\n_old_runs: .*", "", sc.read_text(encoding="utf-8")), encoding="utf-8")
    t0 = time.perf_counter()
    errors = assert_located(cli("run", sc, "--out", tmp_path / "o"), "--runs", "--max-memory", "--record")
    assert len(errors) == 1 and time.perf_counter() - t0 < 30
    assert not (tmp_path / "o").exists()


def test_validate_refuses_runs_that_do_not_fit(tmp_path):
    sc = mutate(tmp_path, LICENSING, "runs: 200", "runs: 100000")
    errors = assert_located(cli("validate", sc), "--runs", "field 'runs'")
    assert len(errors) == 1


def test_runs_10_to_the_20():
    errors = assert_located(cli("run", LICENSING, "--runs", str(10**20)), "--runs")
    assert len(errors) == 1


def test_memory_message_names_the_file_and_the_flags(tmp_path):
    errors = assert_located(cli("run", BAN, "--runs", "4", "--max-memory", "1MB", "--out", tmp_path / "o"))
    assert len(errors) == 1
    assert str(BAN) in errors[0] and "--max-memory" in errors[0] and "field 'runs'" in errors[0]


def test_finance_with_many_runs(tmp_path):
    errors = assert_located(cli("finance", TREASURY, "--runs", "100000000", "--out", tmp_path / "o"), "--runs")
    assert len(errors) == 1 and not (tmp_path / "o").exists()


def test_negotiate_with_many_runs(tmp_path):
    errors = assert_located(cli("negotiate", "us-china-talks-2025", "--runs", "1000000", "--out", tmp_path / "o"))
    assert len(errors) == 1 and "--runs" in errors[0] and not (tmp_path / "o").exists()


# -- outputs ------------------------------------------------------------------------------------


def test_out_that_cannot_be_created_fails_before_simulating(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    t0 = time.perf_counter()
    assert_located(cli("run", BAN, "--runs", "2", "--out", blocker / "sub"), "--out")
    assert time.perf_counter() - t0 < 30


def test_finance_out_is_an_existing_file(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    assert_located(cli("finance", TREASURY, "--out", blocker), "--out")
    assert blocker.read_text(encoding="utf-8") == "x"


def test_failed_output_leaves_earlier_outputs_byte_identical(tmp_path):
    out = tmp_path / "o"
    assert cli("run", BAN, "--runs", "2", "--out", out, "--netcdf").exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / "result.nc").unlink()
    (out / "result.nc").mkdir()  # the NetCDF cannot replace a folder
    before.pop("result.nc")
    assert_located(cli("run", BAN, "--runs", "2", "--out", out, "--netcdf"), "result.nc")
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after == before
    assert not [p for p in out.iterdir() if p.name.endswith((".part", ".tmp"))]


def test_outputs_are_readable_as_the_umask_says(tmp_path):
    old = os.umask(0o022)
    try:
        out = tmp_path / "o"
        assert cli("finance", TREASURY, "--out", out, "--netcdf").exit_code == 0
        for name in ("finance.html", "finance.nc"):
            assert stat.S_IMODE((out / name).stat().st_mode) == 0o644
    finally:
        os.umask(old)


# -- bounds -------------------------------------------------------------------------------------


def _uncertain(tmp_path: Path, block: str) -> Path:
    text = LICENSING.read_text(encoding="utf-8")
    assert "\nuncertain:\n" in text
    path = tmp_path / "sc.yaml"
    path.write_text(text.replace("\nuncertain:\n", "\nuncertain:\n" + block, 1), encoding="utf-8")
    return path


def test_uncertain_bounds_beyond_the_field_limits(tmp_path):
    sc = _uncertain(
        tmp_path,
        "  - {parameter: engine.psi_param, distribution: uniform, low: 0.5, high: 1.0e9}\n"
        "  - {parameter: world.inventories.target_days, distribution: uniform, low: -1.0e9, high: 10}\n",
    )
    errors = assert_located(cli("validate", sc), "psi_param", "target_days")
    assert len(errors) == 2


def test_uncertain_low_of_minus_inf(tmp_path):
    sc = _uncertain(tmp_path, "  - {parameter: engine.psi_param, distribution: uniform, low: -.inf, high: 1}\n")
    assert_located(cli("validate", sc), "low")


def test_validity_days_inf_and_horizon_true(tmp_path):
    assert_located(cli("validate", mutate(tmp_path, LICENSING, "horizon_days: ", "horizon_days: true\n#")), "true")
    with pytest.raises(InputError, match="finite"):
        Scenario.from_yaml_text(
            "name: x\nstart: 2025-01-01\nevents:\n  - {type: stockpile_release, on: 2025-02-01, holder: USA,"
            " product: x, amount: .inf}\n",
            "s.yaml",
        )


def test_empty_end_use_and_string_excluded_end_uses(tmp_path):
    sc = mutate(tmp_path, BAN, "type: export_control", "type: export_control\n    excluded_end_uses: ''")
    assert_located(cli("validate", sc), "excluded_end_uses")


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        ("importer: USA", "importer: all", "importer"),
        ("importer: USA", 'importer: "e\\0x"', "importer"),
    ],
)
def test_tariff_events_validated(tmp_path, old, new, needle):
    text = TARIFFS.read_text(encoding="utf-8")
    if old not in text:
        pytest.skip("the bundled tariff scenario names no USA importer")
    assert_located(cli("validate", mutate(tmp_path, TARIFFS, old, new)), needle)


def test_tariff_sigma_denormal():
    with pytest.raises(InputError, match="sigma"):
        Scenario.from_yaml_text(
            "name: x\nstart: 2025-01-01\nevents:\n  - {type: trade_setup, on: 2025-01-01, sigma: 1.0e-320}\n", "s.yaml"
        )


def test_sensitivity_unknown_region():
    assert_located(cli("sensitivity", LICENSING, "--region", "NOPE", "--samples", "4"), "NOPE", "expected one of")


# -- validate -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["us-china-tariffs-2025", "cn-treasury-sale-hypothetical", "us-china-talks-2025"])
def test_validate_every_kind(name):
    res = cli("validate", name)
    assert res.exit_code == 0 and res.output.startswith("ok "), res.output


def test_validate_negotiation_spec():
    res = cli("validate", "us-china-talks-2025.negotiation")
    assert res.exit_code == 0 and "negotiation" in res.output, res.output


def test_unknown_names_list_choices_and_did_you_mean(tmp_path):
    text = BAN.read_text(encoding="utf-8")
    region = re.search(r"importers?: \[?([A-Z]{2,3})", text) or re.search(r"exporter: ([A-Z]{2,3})", text)
    assert region
    sc = mutate(tmp_path, BAN, region.group(0), region.group(0).replace(region.group(1), region.group(1) + "X"))
    assert_located(cli("validate", sc), "did you mean", "expected one of")


def test_undecodable_yaml_names_line_and_column(tmp_path):
    path = tmp_path / "sc.yaml"
    path.write_bytes(b"name: x\nstart: 2025-01-01\ndescription: caf\xe9\n")
    assert_located(cli("validate", path), f"{path}:3:17", "UTF-8")


def test_csv_parse_error_names_line(tmp_path):
    w = world_copy(tmp_path)
    with (w / "regions.csv").open("a", encoding="utf-8") as fh:
        fh.write("a,b,c,d,e,f,g\n")
    assert_located(cli("validate", w), "regions.csv:", "cannot parse CSV")


# -- CLI ------------------------------------------------------------------------------------


def test_version_alone():
    res = subprocess.run([sys.executable, "-m", "chokepoints", "--version"], capture_output=True, text=True)
    assert res.returncode == 0 and res.stdout.startswith("chokepoints ")


def test_missing_optional_extra_names_the_pip_extra():
    code = (
        "import sys; sys.modules['SALib'] = None; sys.modules['SALib.analyze'] = None;"
        "sys.modules['SALib.sample'] = None; from chokepoints.cli import main;"
        f"sys.argv = ['chokepoints', 'sensitivity', {str(LICENSING)!r}, '--samples', '4']; main()"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ})
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr and 'pip install "chokepoints[sensitivity]"' in res.stderr


def test_failure_while_writing_leaves_earlier_outputs_byte_identical(tmp_path, monkeypatch):
    from chokepoints.engine.result import Result
    from chokepoints.runner import run_scenario

    out = tmp_path / "o"
    run_scenario(BAN, out=out, runs=2, netcdf=True)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken(self, path):
        Path(path).write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(Result, "to_netcdf", broken)
    with pytest.raises(OSError, match="disk full"):
        run_scenario(BAN, out=out, runs=2, seed=99, netcdf=True)  # the report is written first, then this fails
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no temporary file left either


def test_result_with_a_zero_length_dimension_reads_back(tmp_path):
    import numpy as np
    import xarray as xr

    from chokepoints.indicators.accessor import open_result, write_netcdf

    ds = xr.Dataset(
        {"utility": (("round", "party"), np.ones((2, 2))), "excluded": (("issue",), np.zeros(0))},
        coords={"round": ["a", "b"], "party": ["USA", "CHN"], "issue": np.array([], dtype=object)},
        attrs={"kind": "negotiation"},
    )
    back = open_result(write_netcdf(ds, tmp_path / "negotiation.nc"))
    assert back.sizes["issue"] == 0 and back["utility"].shape == (2, 2)
    assert not [p for p in tmp_path.iterdir() if p.name != "negotiation.nc"]


def test_error_on_line_100_prints_the_location_not_an_emoji(tmp_path):
    """Rich reads ``:100:`` as an emoji code; the CLI must print ``file.yaml:100:...`` as written."""
    path = tmp_path / "sc.yaml"
    padding = "# padding\n" * 99
    path.write_text(padding + "no_such_field: 1\n" + LICENSING.read_text(encoding="utf-8"), encoding="utf-8")
    errors = assert_located(cli("validate", path))
    assert any("sc.yaml:100:" in ln for ln in errors), errors
    assert not any("\U0001f4af" in ln for ln in errors), errors
