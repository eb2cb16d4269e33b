"""Package layout: no import cycle, a lazy package top, a CLI whose --help imports nothing heavy."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
HEAVY = ("xarray", "plotly", "scipy")


def _check_imports():
    spec = importlib.util.spec_from_file_location("check_imports", ROOT / "scripts" / "check_imports.py")
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


def _fresh(code: str) -> str:
    """Run ``code`` in a new interpreter with this checkout first on the path; return its stdout."""
    env = {"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_no_import_cycle_among_module_level_imports():
    ci = _check_imports()
    graph = ci.import_graph(SRC)
    assert "chokepoints.cli._common" in graph and "chokepoints.cli.run" in graph
    assert "chokepoints.cli._common" in graph["chokepoints.cli.run"]  # the graph does see imports
    assert ci.find_cycles(graph) == []


def test_cycle_finder_sees_a_cycle(tmp_path: Path):
    pkg = tmp_path / "chokepoints"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from .sub import b\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "b.py").write_text("from .. import a\n\ndef f():\n    from .. import c\n")
    (pkg / "c.py").write_text("import chokepoints.sub.b\n")
    ci = _check_imports()
    assert ci.find_cycles(ci.import_graph(tmp_path)) == [["chokepoints.a", "chokepoints.sub.b"]]
    # b -> c sits inside a function: c joins the cycle only in the --all view
    every = ci.find_cycles(ci.import_graph(tmp_path, include_functions=True))
    assert every == [["chokepoints.a", "chokepoints.c", "chokepoints.sub.b"]]


def test_cli_command_modules_never_import_the_cli_package():
    graph = _check_imports().import_graph(SRC, include_functions=True)
    commands = [m for m in graph if m.startswith("chokepoints.cli.")]
    assert len(commands) >= 9
    for m in commands:
        assert "chokepoints.cli" not in graph[m], m
    assert not any(m.startswith("chokepoints.cli_") or m == "chokepoints.consoles" for m in graph)


def test_cli_app_imports_nothing_heavy():
    out = _fresh(
        "import sys\nfrom chokepoints.cli import app\n"
        f"print(sorted(m for m in {HEAVY!r} + ('chokepoints.engine', 'pandas') if m in sys.modules))"
    )
    assert out.strip() == "[]"


def test_help_imports_nothing_heavy():
    env = {"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "chokepoints", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert proc.returncode == 0 and "scenarios" in proc.stdout
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert "chokepoints.cli" in imported
    assert not {m for m in imported if m.split(".")[0] in HEAVY}


def test_import_chokepoints_is_lazy_and_dir_lists_the_api():
    out = _fresh(
        "import sys, chokepoints as cp\nprint(dir(cp))\n"
        f"print(sorted(m for m in {HEAVY!r} + ('numpy', 'pandas') if m in sys.modules))"
    )
    listed, heavy = out.strip().splitlines()
    names = eval(listed)  # a printed list of str
    for name in (
        "World",
        "load_world",
        "Scenario",
        "simulate",
        "Result",
        "InputError",
        "list_scenarios",
        "scenario_path",
        "__version__",
        "engine",
        "world",
        "scenario",
        "trade",
        "finance",
        "negotiation",
        "indicators",
        "report",
        "datasets",
        "sensitivity",
    ):
        assert name in names, name
    assert heavy == "[]"


def test_every_exported_name_resolves():
    import chokepoints as cp
    from chokepoints.engine.result import Result
    from chokepoints.errors import InputError
    from chokepoints.scenario.library import scenario_path

    for name in cp.__all__:
        assert getattr(cp, name) is not None, name
    assert cp.Result is Result and cp.InputError is InputError and cp.scenario_path is scenario_path
    assert sorted(cp.__all__) == sorted(dir(cp))
    with pytest.raises(AttributeError):
        cp.no_such_name  # noqa: B018


def test_stub_and_runtime_agree():
    """``__init__.pyi`` (for mypy) and the names lazy_loader reads from it are the same list."""
    import ast

    import chokepoints as cp

    tree = ast.parse((SRC / "chokepoints" / "__init__.pyi").read_text())
    stub = {a.asname or a.name for n in tree.body if isinstance(n, ast.ImportFrom) for a in n.names}
    assert stub | {"__version__"} == set(cp.__all__)


def test_python_dash_m_version():
    proc = subprocess.run(
        [sys.executable, "-m", "chokepoints", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
    )
    import chokepoints

    assert proc.returncode == 0 and proc.stdout.strip() == f"chokepoints {chokepoints.__version__}"


def test_root_scenarios_is_a_link_to_the_package_data():
    link = ROOT / "scenarios"
    assert link.is_symlink()
    assert link.resolve() == (SRC / "chokepoints" / "scenarios").resolve()
    assert (link / "cn-rare-earth-licensing-2025-04.yaml").is_file()
