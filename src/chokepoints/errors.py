"""Errors for people: one line naming the file, the place and what was expected.

Every problem a user can cause (a scenario file, a data table, a CLI flag, an HTTP
request) is raised as :class:`InputError` or a subclass. The CLI turns it into a
single line on stderr and exit code 2; ``--debug`` shows the traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as we can."""

    source: str  # file name, or "<string>" / "request"
    message: str
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    field: str | None = None  # dotted path, or table column
    row: int | None = None  # 1-based data row of a table (header excluded)

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        parts = [where]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(f"field '{self.field}'" if self.row is None else f"column '{self.field}'")
        return ": ".join([", ".join(parts), self.message])


class InputError(ValueError):
    """Bad input: carries one or more located :class:`Problem` objects."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem("<input>", problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ConsistencyError(InputError):
    """A World whose tables contradict each other (raised by ``check_*`` functions)."""


class ScenarioError(InputError):
    """A scenario file that does not validate."""
