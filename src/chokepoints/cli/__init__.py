"""The ``chokepoints`` command line (Typer + Rich).

One module per command group (``run``, ``datasets``, ``exposure``, ``cutoff``, ``sensitivity``, ``finance``,
``tariffs``, ``negotiate``, ``scenarios``, ``sweep`` with ``results`` and ``compare``); what they share
(consoles, one-line errors, ``--debug``, common options) lives in :mod:`._common`, which the command
modules import instead of this package.

Errors for people: bad input prints one line naming the file, the place and what was expected,
and exits with code 2; ``--debug`` shows the traceback instead. Heavy imports (engine, plotting,
xarray) happen inside commands so ``--help`` stays fast.
"""

from __future__ import annotations

import sys

import typer
from rich.markup import escape

from ..errors import InputError
from . import (
    backtest,
    check,
    cutoff,
    datasets,
    exposure,
    finance,
    levers,
    negotiate,
    run,
    scenarios,
    sensitivity,
    serve,
    sweep,
    tariffs,
)
from ._common import console, err_console, fail, missing_extra_line, report_input_error, state

__all__ = ["app", "main", "console", "err_console", "fail", "report_input_error"]

app = typer.Typer(
    name="chokepoints",
    help="Model economic coercion: export controls, tariffs, financial levers and bargaining.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from .. import __version__

        console.print(f"chokepoints {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks instead of one-line errors."),
    version: bool = typer.Option(
        False, "--version", help="Print the version and exit.", is_eager=True, callback=_print_version
    ),
) -> None:
    state["debug"] = debug


app.command("validate")(run.validate)
app.command("run")(run.run)
app.add_typer(datasets.datasets_app, name="datasets")
app.command("exposure")(exposure.exposure)
app.command("cutoff")(cutoff.cutoff)
app.command("sensitivity")(sensitivity.sensitivity)
app.command("finance")(finance.finance)
app.command("tariffs")(tariffs.tariffs)
app.command("negotiate")(negotiate.negotiate)
app.add_typer(scenarios.scenarios_app, name="scenarios")
app.command("levers")(levers.levers)
app.command("check")(check.check)
app.command("sweep")(sweep.sweep)
app.add_typer(sweep.results_app, name="results")
app.command("compare")(sweep.compare)
app.command("backtest")(backtest.backtest)
app.command("calibrate")(backtest.calibrate)
app.command("serve")(serve.serve)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except InputError as exc:  # raised outside a command's own handler
        if "--debug" in sys.argv:
            raise
        for problem in exc.problems:
            err_console.print(f"[bold red]error:[/] {escape(str(problem))}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except ModuleNotFoundError as exc:  # an optional extra that is not installed
        line = missing_extra_line(exc)
        if line is None or "--debug" in sys.argv:
            raise
        err_console.print(f"[bold red]error:[/] {escape(line)}", highlight=False, soft_wrap=True)
        sys.exit(2)
