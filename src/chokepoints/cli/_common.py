"""What every ``chokepoints`` command shares: the two consoles, one-line errors, ``--debug``, common options.

Command modules import this module only (never the package ``chokepoints.cli``), so the CLI has
no import cycle. Keep it light: it is imported by ``chokepoints --help``.

Piped output (files, CI logs, tests) gets a wide fixed width so that tables do not fold; a
terminal keeps its own width. Emoji codes are off: Rich would otherwise print a location such
as ``file.yaml:100:3`` as ``file.yaml💯3``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from ..errors import InputError

console = Console(width=None if sys.stdout.isatty() else 200, emoji=False)
"""The one stdout console of the CLI."""
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else 400, emoji=False)
"""The one stderr console of the CLI (errors)."""

state = {"debug": False}
"""Set by the root ``--debug`` option: show tracebacks instead of one-line errors."""

SCENARIO_HELP = "Scenario YAML file or bundled scenario name (see `chokepoints scenarios list`)"


def fail(message: str, code: int = 2) -> NoReturn:
    """Print one line on stderr and exit (used for bad input)."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


EXTRAS = {
    "SALib": "sensitivity",
    "pymrio": "mrio",
    "numba": "fast",
    "threadpoolctl": "fast",
    "negmas": "negotiation",
    "boario": "parity",
}
"""Optional packages -> the pip extra of chokepoints that installs them (pyproject.toml)."""


def missing_extra_line(exc: ModuleNotFoundError) -> str | None:
    """``needs the optional package X: pip install "chokepoints[extra]"`` for a missing optional package."""
    top = (exc.name or "").split(".")[0]
    if top not in EXTRAS:
        return None
    return f'this command needs the optional package {top}: pip install "chokepoints[{EXTRAS[top]}]"'


def report_input_error(exc: InputError) -> NoReturn:
    """One ``error:`` line per problem on stderr and exit 2; with ``--debug`` re-raise instead."""
    if state["debug"]:
        raise exc
    for problem in exc.problems:
        err_console.print(f"[bold red]error:[/] {escape(str(problem))}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def resolve_scenario(name_or_path: str | Path) -> Path:
    """The scenario file for a CLI argument (a path, or a bundled scenario's name); one-line error if neither."""
    from ..scenario.library import scenario_path

    try:
        return scenario_path(name_or_path)
    except InputError as exc:
        report_input_error(exc)


# Option factories: one definition of the options several commands share (a fresh Typer
# parameter object per use). Use as ``out: Annotated[Path | None, out_option()] = None``.


def scenario_argument(help: str = SCENARIO_HELP) -> Any:
    return typer.Argument(help=help)


def out_option(help: str = "Output folder (default out/<scenario file stem>)") -> Any:
    return typer.Option("--out", help=help)


def runs_option(help: str = "Override the scenario's number of runs") -> Any:
    return typer.Option("--runs", min=1, help=help)


def max_memory_option(
    help: str = "Memory limit for the ensemble, e.g. 4GiB (default: half the RAM, at most 8 GiB)",
) -> Any:
    return typer.Option("--max-memory", help=help)


def record_option(
    help: str = "Variables to keep per run and day, comma-separated (e.g. production,final_demand_unmet); default all",
) -> Any:
    return typer.Option("--record", help=help)


def seed_option(help: str = "Override the scenario's seed") -> Any:
    return typer.Option("--seed", min=0, help=help)


def out_dir_for(scenario: Path, out: Path | None) -> Path:
    """``--out`` if given, else ``out/<scenario file stem>``."""
    return Path(out) if out is not None else Path("out") / scenario.stem
