"""The bundled scenario library: `chokepoints scenarios list|show|copy`, names accepted by every command,
`--version` alone, and `scenario_path` / `list_scenarios` themselves."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import chokepoints as cp
from chokepoints.cli import app
from chokepoints.errors import InputError
from chokepoints.scenario.library import command_for, library_dir, list_scenarios, scenario_names, scenario_path

runner = CliRunner()
APRIL = "cn-rare-earth-licensing-2025-04"


def _one_line_error(result, *needles: str) -> str:
    assert result.exit_code == 2, result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ") and "Traceback" not in result.output
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


# --- the library -----------------------------------------------------------------------------


def test_library_holds_the_package_data_files():
    files = sorted(p.name for p in library_dir().glob("*.yaml"))
    listed = list_scenarios()
    assert [s.name for s in listed] == sorted(
        f.removesuffix(".yaml") for f in files if not f.endswith(".negotiation.yaml")
    )
    assert all(s.path.is_file() and s.path.parent == library_dir() for s in listed)
    assert all(s.episode and len(s.episode) <= 102 for s in listed)


def test_each_listed_command_follows_from_its_file():
    for s in list_scenarios():
        data = yaml.safe_load(s.path.read_text(encoding="utf-8"))
        types = {e["type"] for e in data.get("events", [])}
        spec = s.path.with_name(f"{s.name}.negotiation.yaml").is_file()
        if spec:
            assert s.command == "negotiate"
        elif types & {"treasury_sale", "reserve_shift"}:
            assert s.command == "finance"
        elif types & {"trade_setup", "tariff"} and not data.get("world"):
            assert s.command == "tariffs"
        else:
            assert s.command == "run" and data.get("world")
    assert {s.command for s in list_scenarios()} == {"run", "tariffs", "finance", "negotiate"}


@pytest.mark.parametrize(
    ("data", "spec", "expected"),
    [
        ({"world": "w", "events": [{"type": "export_control"}]}, False, "run"),
        ({"events": [{"type": "trade_setup"}, {"type": "tariff"}]}, False, "tariffs"),
        ({"world": "w", "events": [{"type": "tariff"}]}, False, "run"),  # tariffs inside a simulated world
        ({"events": [{"type": "treasury_sale"}]}, False, "finance"),
        ({"world": "w", "events": []}, True, "negotiate"),
    ],
)
def test_command_for(data, spec, expected):
    assert command_for(data, spec) == expected


def test_scenario_path_by_name_with_or_without_suffix():
    want = library_dir() / f"{APRIL}.yaml"
    assert scenario_path(APRIL) == want
    assert scenario_path(f"{APRIL}.yaml") == want
    assert cp.scenario_path(APRIL) == want
    spec = scenario_path("us-china-talks-2025.negotiation")
    assert spec.name == "us-china-talks-2025.negotiation.yaml" and spec.is_file()


def test_an_existing_path_wins_over_a_bundled_name(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path(f"{APRIL}.yaml").write_text("name: mine\n")
    assert scenario_path(f"{APRIL}.yaml") == Path(f"{APRIL}.yaml")
    assert scenario_path(APRIL) == library_dir() / f"{APRIL}.yaml"  # no file called exactly that
    other = tmp_path / "x.yaml"
    other.write_text("name: x\n")
    assert scenario_path(other) == other


def test_unknown_name_lists_the_bundled_ones_and_suggests_the_nearest():
    with pytest.raises(InputError) as err:
        scenario_path("cn-rare-earth-licensing-2025")
    msg = str(err.value)
    assert "did you mean 'cn-rare-earth-licensing-2025-04'" in msg
    assert all(name in msg for name in scenario_names())
    with pytest.raises(InputError) as err:
        scenario_path("zzzz")
    assert "did you mean" not in str(err.value) and "bundled:" in str(err.value)
    with pytest.raises(InputError):  # a path with a folder is never taken for a name
        scenario_path(f"nowhere/{APRIL}.yaml")


def test_loaders_take_names():
    from chokepoints.negotiation.loader import load_negotiation
    from chokepoints.runner import load_inputs

    sc, world = load_inputs(APRIL)
    assert sc.name == APRIL and world.name == "rare-earths-2025"
    spec, sc, _ = load_negotiation("us-china-talks-2025")
    assert Path(spec.source_path).parent == library_dir() and sc.name == "us-china-talks-2025"


# --- scenarios list / show / copy ----------------------------------------------------------


def test_scenarios_list():
    result = runner.invoke(app, ["scenarios", "list"])
    assert result.exit_code == 0, result.output
    for s in list_scenarios():
        row = next(ln for ln in result.output.splitlines() if f" {s.name} " in ln)
        assert f" {s.command} " in row
    assert "episode" in result.output and "command" in result.output


def test_scenarios_show_prints_the_file_verbatim():
    for name in (APRIL, f"{APRIL}.yaml"):
        result = runner.invoke(app, ["scenarios", "show", name])
        assert result.exit_code == 0, result.output
        assert result.output == (library_dir() / f"{APRIL}.yaml").read_text(encoding="utf-8")
    assert result.output.lstrip().startswith("#")  # comments kept


def test_scenarios_show_unknown():
    _one_line_error(
        runner.invoke(app, ["scenarios", "show", "us-china-tarifs-2025"]),
        "us-china-tarifs-2025",
        "did you mean 'us-china-tariffs-2025'",
    )


def test_scenarios_copy_plain_and_negotiation(tmp_path: Path):
    dest = tmp_path / "mine"
    result = runner.invoke(app, ["scenarios", "copy", APRIL, str(dest)])
    assert result.exit_code == 0, result.output
    assert (dest / f"{APRIL}.yaml").read_bytes() == (library_dir() / f"{APRIL}.yaml").read_bytes()
    assert sorted(p.name for p in dest.iterdir()) == [f"{APRIL}.yaml"]
    result = runner.invoke(app, ["scenarios", "copy", "us-china-talks-2025", str(dest)])
    assert result.exit_code == 0, result.output
    for name in ("us-china-talks-2025.yaml", "us-china-talks-2025.negotiation.yaml"):
        assert (dest / name).read_bytes() == (library_dir() / name).read_bytes()
        assert name in result.output
    # the copy runs as a file path: validate it there
    assert runner.invoke(app, ["validate", str(dest / f"{APRIL}.yaml")]).exit_code == 0


def test_scenarios_copy_never_overwrites(tmp_path: Path):
    (tmp_path / "us-china-talks-2025.negotiation.yaml").write_text("mine\n")
    result = runner.invoke(app, ["scenarios", "copy", "us-china-talks-2025", str(tmp_path)])
    _one_line_error(result, "us-china-talks-2025.negotiation.yaml", "already exists")
    assert (tmp_path / "us-china-talks-2025.negotiation.yaml").read_text() == "mine\n"
    assert not (tmp_path / "us-china-talks-2025.yaml").exists()  # nothing copied, not even the other file


def test_scenarios_copy_errors(tmp_path: Path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    _one_line_error(runner.invoke(app, ["scenarios", "copy", APRIL, str(afile)]), str(afile), "expected a folder")
    _one_line_error(runner.invoke(app, ["scenarios", "copy", "nope", str(tmp_path)]), "nope", "bundled:")


# --- every scenario command takes a name ----------------------------------------------------


def test_validate_and_run_by_name(tmp_path: Path):
    result = runner.invoke(app, ["validate", APRIL])
    assert result.exit_code == 0 and f"scenario '{APRIL}'" in result.output
    out = tmp_path / "o"
    result = runner.invoke(app, ["run", APRIL, "--runs", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 runs" in result.output and (out / "report.html").is_file()


def test_run_default_out_folder_is_the_name(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["run", "cn-rare-earth-ban-hypothetical", "--runs", "2"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "cn-rare-earth-ban-hypothetical" / "report.html").is_file()


def test_tariffs_and_finance_by_name(tmp_path: Path):
    result = runner.invoke(app, ["tariffs", "us-china-tariffs-2025", "--date", "2025-05-14", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "tariffs.html").is_file()
    result = runner.invoke(
        app, ["finance", "cn-treasury-sale-hypothetical.yaml", "--runs", "5", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "finance.html").is_file()


@pytest.mark.parametrize("command", ["run", "validate", "sensitivity", "tariffs", "finance", "negotiate"])
def test_every_scenario_command_names_a_near_miss(command: str):
    result = runner.invoke(app, [command, "us-china-talks-2026"])
    _one_line_error(result, "us-china-talks-2026", "did you mean 'us-china-talks-2025'", "bundled:")


# --- --version -----------------------------------------------------------------------------


def test_version_alone():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"chokepoints {cp.__version__}"


def test_no_command_is_still_an_error():
    assert runner.invoke(app, ["--debug"]).exit_code == 2
