"""The ``chokepoints`` command line (Typer + Rich).

Errors for people: bad input prints one line naming the file, the place and what
was expected, and exits with code 2; ``--debug`` shows the traceback instead.
Heavy imports (engine, plotting) happen inside commands so ``--help`` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from .consoles import stderr_console, stdout_console
from .errors import InputError

app = typer.Typer(
    name="chokepoints",
    help="Model economic coercion: export controls, tariffs, financial levers and bargaining.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = stdout_console()
err_console = stderr_console()
_state = {"debug": False}


def fail(message: str, code: int = 2) -> None:
    """Print one line on stderr and exit (used for bad input)."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def report_input_error(exc: InputError) -> None:
    if _state["debug"]:
        raise exc
    for problem in exc.problems:
        err_console.print(f"[bold red]error:[/] {problem}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks instead of one-line errors."),
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", is_eager=True),
) -> None:
    if version:
        from . import __version__

        console.print(f"chokepoints {__version__}")
        raise typer.Exit(0)
    _state["debug"] = debug


@app.command()
def validate(scenario: Path = typer.Argument(..., help="Scenario YAML file")) -> None:
    """Check a scenario file (and the World it names); report every problem."""
    from .runner import load_inputs

    try:
        sc, world = load_inputs(scenario)
    except InputError as exc:
        report_input_error(exc)
        return
    console.print(f"[green]ok[/] {scenario}: scenario {sc.name!r}, {len(sc.events)} events, "
                  f"{len(sc.uncertain)} uncertain parameters, world {world.name!r} v{world.version}")


@app.command()
def run(
    scenario: Path = typer.Argument(..., help="Scenario YAML file"),
    out: Path | None = typer.Option(None, "--out", help="Output folder (default out/<scenario file stem>)"),
    runs: int | None = typer.Option(None, "--runs", min=1, help="Override the scenario's number of runs"),
    seed: int | None = typer.Option(None, "--seed", min=0, help="Override the scenario's seed"),
    netcdf: bool = typer.Option(False, "--netcdf", help="Also write the full result as result.nc"),
) -> None:
    """Simulate a scenario, print a summary and write an HTML report."""
    from .runner import run_scenario

    try:
        run_scenario(scenario, out=out, runs=runs, seed=seed, netcdf=netcdf, console=console)
    except InputError as exc:
        report_input_error(exc)


def _register_subapps() -> None:
    from .cli_datasets import datasets_app

    app.add_typer(datasets_app, name="datasets")
    from .cli_exposure import exposure

    app.command("exposure")(exposure)
    from .cli_sensitivity import sensitivity

    app.command("sensitivity")(sensitivity)
    from .cli_finance import finance

    app.command("finance")(finance)
    from .cli_trade import tariffs

    app.command("tariffs")(tariffs)
    from .cli_negotiate import negotiate

    app.command("negotiate")(negotiate)


_register_subapps()


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except InputError as exc:  # raised outside a command's own handler
        if "--debug" in sys.argv:
            raise
        for problem in exc.problems:
            err_console.print(f"error: {problem}", highlight=False)
        sys.exit(2)
