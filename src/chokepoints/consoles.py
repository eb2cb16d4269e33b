"""Rich consoles for the CLI: piped output (files, CI logs, tests) gets a wide fixed width
so that tables do not fold; a terminal keeps its own width."""

from __future__ import annotations

import sys

from rich.console import Console


def stdout_console() -> Console:
    return Console(width=None if sys.stdout.isatty() else 200)


def stderr_console() -> Console:
    return Console(stderr=True, width=None if sys.stderr.isatty() else 400)
