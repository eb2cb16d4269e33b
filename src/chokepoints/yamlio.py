"""YAML loading that remembers where every value came from.

PyYAML's composer keeps line and column marks on every node; we build plain Python
objects from the node tree and keep a map ``path tuple -> (line, column)`` so that a
validation error on ``events[2].approval_rate`` can point at ``file.yaml:14:20``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .errors import InputError, Problem

if TYPE_CHECKING:
    from pydantic import ValidationError

Location = tuple[int, int]
PathKey = tuple[str | int, ...]


def _construct(node: yaml.Node, path: PathKey, marks: dict[PathKey, Location], source: str) -> Any:
    marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if not isinstance(key_node, yaml.ScalarNode):
                raise InputError(Problem(source, "mapping keys must be plain names", *_mark(key_node)))
            if key in out:
                raise InputError(Problem(source, f"duplicate key '{key}'", *_mark(key_node), field=key))
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


def validation_problems(
    exc: ValidationError,
    marks: dict[PathKey, Location],
    source: str,
    *,
    clean_loc: Callable[[PathKey], PathKey] | None = None,
    union_noun: str | None = None,
) -> list[Problem]:
    """Pydantic's validation errors as located Problems (``file:line:column: field 'a[2].b': message``).

    Each error's location drops pydantic's validator and literal markers (``function-after[...]``,
    ``literal[...]``), then goes through ``clean_loc`` (e.g. to drop a discriminated union's tag),
    and is looked up in ``marks``; "Value error, " is cut from messages, an extra field reads
    "unknown field" and the offending scalar is appended as "(got ...)". With ``union_noun`` (e.g.
    "event"), a discriminated union's errors read "unknown event type; expected one of ..." and
    "every event needs a 'type'".
    """
    out = []
    for err in exc.errors(include_url=False):
        loc: PathKey = tuple(
            p for p in err["loc"] if not (isinstance(p, str) and p.startswith(("function-", "literal[")))
        )
        if clean_loc is not None:
            loc = clean_loc(loc)
        line, col = locate(marks, loc)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        elif union_noun and err["type"] == "union_tag_invalid":
            msg = f"unknown {union_noun} type; expected one of {err.get('ctx', {}).get('expected_tags', '')}"
        elif union_noun and err["type"] == "union_tag_not_found":
            msg = f"every {union_noun} needs a 'type'"
        if (
            "input" in err
            and err["type"] not in ("missing", "extra_forbidden")
            and not isinstance(err["input"], dict | list)
        ):
            msg += f" (got {err['input']!r})"
        out.append(Problem(source, msg, line, col, field=format_path(loc) or None))
    return out
