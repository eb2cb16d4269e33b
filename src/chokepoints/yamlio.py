"""YAML loading that remembers where every value came from.

PyYAML's composer keeps line and column marks on every node; we build plain Python
objects from the node tree and keep a map ``path tuple -> (line, column)`` so that a
validation error on ``events[2].approval_rate`` can point at ``file.yaml:14:20``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import InputError, Problem

Location = tuple[int, int]
PathKey = tuple[str | int, ...]


def _construct(node: yaml.Node, path: PathKey, marks: dict[PathKey, Location], source: str) -> Any:
    marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if not isinstance(key_node, yaml.ScalarNode):
                raise InputError(
                    Problem(source, "mapping keys must be plain names", *_mark(key_node))
                )
            if key in out:
                raise InputError(
                    Problem(source, f"duplicate key '{key}'", *_mark(key_node), field=key)
                )
            out[key] = _construct(value_node, (*path, key), marks, source)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(v, (*path, i), marks, source) for i, v in enumerate(node.value)]
    # Scalars: let the safe constructor resolve ints, floats, bools, dates, nulls.
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        field = format_path(path) or None
        raise InputError(
            Problem(source, f"cannot read value {node.value!r}: {exc}", *_mark(node), field=field)
        ) from None
    finally:
        loader.dispose()


def _mark(node: yaml.Node) -> Location:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def load_yaml_with_marks(text: str, source: str = "<string>") -> tuple[Any, dict[PathKey, Location]]:
    """Parse YAML text; return (data, marks) or raise InputError with the line of a syntax error."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        what = (exc.problem or str(exc)).strip()
        raise InputError(Problem(source, f"YAML syntax error: {what}", line, col)) from None
    except yaml.YAMLError as exc:
        raise InputError(Problem(source, f"YAML error: {exc}")) from None
    if node is None:
        raise InputError(Problem(source, "the file is empty; expected a YAML mapping"))
    marks: dict[PathKey, Location] = {}
    data = _construct(node, (), marks, source)
    return data, marks


def read_yaml_file(path: str | Path) -> tuple[Any, dict[PathKey, Location], str]:
    """Read a YAML file; errors name the file. Returns (data, marks, text)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(Problem(str(path), "file not found")) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(Problem(str(path), f"cannot read file: {exc}")) from None
    data, marks = load_yaml_with_marks(text, str(path))
    return data, marks, text


def format_path(path: PathKey) -> str:
    """``('events', 2, 'on')`` -> ``events[2].on``."""
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def locate(marks: dict[PathKey, Location], path: PathKey) -> Location | tuple[None, None]:
    """The closest known location for ``path``: itself, else its nearest parent."""
    p = tuple(path)
    while True:
        if p in marks:
            return marks[p]
        if not p:
            return (None, None)
        p = p[:-1]
