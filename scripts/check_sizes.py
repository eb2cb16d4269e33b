"""Size limits on the modules of ``src/chokepoints``: files and functions that grew too long.

Usage: ``python scripts/check_sizes.py [SRC_DIR]`` prints every file over ``MAX_FILE_LINES``
lines and every function (or method, nested ones too) over ``MAX_FUNCTION_LINES`` lines, and
exits 1 if any of them is not excused, 0 otherwise.

A function is excused when a comment starting with ``# long:`` stands on its ``def`` line or on
the line above it (above its decorators, for a decorated function) and gives the reason. Files
have no excuse. Lengths are physical lines from the ``def`` line to the last line of the body
(docstring and comments included); a file's length is its number of lines. Read with
:mod:`ast`, nothing is imported.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 120
EXCUSE = "# long:"


@dataclass(frozen=True)
class Oversize:
    path: Path
    name: str  # "" for the file itself, else the function's dotted name inside the module
    line: int
    lines: int
    limit: int
    reason: str | None = None  # the text after "# long:" when excused

    def __str__(self) -> str:
        what = "file" if not self.name else f"function {self.name}"
        note = f" (excused: {self.reason})" if self.reason is not None else ""
        return f"{self.path}:{self.line}: {what} has {self.lines} lines > {self.limit}{note}"


def _excuse(lines: list[str], node: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """The reason given beside a function, or None."""
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    for lineno in (node.lineno, first - 1):
        if 1 <= lineno <= len(lines):
            text = lines[lineno - 1]
            at = text.find(EXCUSE)
            if at >= 0:
                return text[at + len(EXCUSE) :].strip() or "(no reason given)"
    return None


def _functions(tree: ast.AST) -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """(dotted name, node) of every function in the module, nested ones included."""
    out: list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]] = []

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = prefix + child.name
                out.append((name, child))
                walk(child, name + ".")
            elif isinstance(child, ast.ClassDef):
                walk(child, prefix + child.name + ".")
            else:
                walk(child, prefix)

    walk(tree, "")
    return out


def check_file(path: Path) -> list[Oversize]:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    found = []
    if len(lines) > MAX_FILE_LINES:
        found.append(Oversize(path, "", 1, len(lines), MAX_FILE_LINES))
    for name, node in _functions(ast.parse(text, filename=str(path))):
        n = (node.end_lineno or node.lineno) - node.lineno + 1
        if n > MAX_FUNCTION_LINES:
            found.append(Oversize(path, name, node.lineno, n, MAX_FUNCTION_LINES, _excuse(lines, node)))
    return found


def check_tree(src: Path) -> list[Oversize]:
    """Every oversize file and function under ``src/chokepoints``, excused or not."""
    out = []
    for path in sorted((src / "chokepoints").rglob("*.py")):
        out.extend(check_file(path))
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    src = Path(args[0]) if args else Path(__file__).resolve().parents[1] / "src"
    found = check_tree(src)
    for o in found:
        print(o)
    failing = [o for o in found if o.reason is None]
    print(f"{len(found)} over the limits, {len(failing)} not excused")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
