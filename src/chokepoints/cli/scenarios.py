"""``chokepoints scenarios list|show|copy``: the scenario library bundled with the package."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..errors import InputError, Problem
from ._common import console, report_input_error, resolve_scenario

scenarios_app = typer.Typer(help="List, print and copy the bundled scenarios.", no_args_is_help=True)

_NAME_HELP = "Bundled scenario name (see `chokepoints scenarios list`), or a scenario file"


@scenarios_app.command("list")
def list_() -> None:
    """List the bundled scenarios: name, episode and the command that runs each."""
    from ..scenario.library import list_scenarios

    table = Table(title="Bundled scenarios (chokepoints COMMAND NAME)", header_style="bold")
    table.add_column("name", no_wrap=True)
    table.add_column("episode", overflow="fold")
    table.add_column("command", no_wrap=True)
    for s in list_scenarios():
        table.add_row(s.name, s.episode, s.command)
    console.print(table)


@scenarios_app.command("show")
def show(name: Annotated[str, typer.Argument(help=_NAME_HELP)]) -> None:
    """Print a scenario's YAML (comments included)."""
    path = resolve_scenario(name)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        report_input_error(InputError(Problem(str(path), f"cannot read file: {exc}")))
    console.out(text, end="" if text.endswith("\n") else "\n", highlight=False)


@scenarios_app.command("copy")
def copy(
    name: Annotated[str, typer.Argument(help=_NAME_HELP)],
    folder: Annotated[Path, typer.Argument(help="Folder to copy into (created if missing)")],
) -> None:
    """Copy a scenario (and a negotiation scenario's .negotiation.yaml spec) into a folder to edit it.

    Never overwrites: if a file of the same name is already there, nothing is copied.
    """
    from ..negotiation.loader import SUFFIX, spec_path_for

    path = resolve_scenario(name)
    sources = [path]
    sibling = spec_path_for(path)
    if not path.name.endswith(SUFFIX) and sibling.is_file():
        sources.append(sibling)
    try:
        if folder.exists() and not folder.is_dir():
            raise InputError(Problem(str(folder), "expected a folder, but a file of that name exists"))
        for src in sources:
            target = folder / src.name
            if target.exists():
                raise InputError(Problem(str(target), "already exists; not overwritten (remove it or copy elsewhere)"))
        folder.mkdir(parents=True, exist_ok=True)
        copied = [Path(shutil.copyfile(src, folder / src.name)) for src in sources]
    except OSError as exc:
        report_input_error(InputError(Problem(str(folder), f"cannot copy: {exc}")))
    except InputError as exc:
        report_input_error(exc)
    for target in copied:
        console.print(f"copied {target}", highlight=False, soft_wrap=True)
