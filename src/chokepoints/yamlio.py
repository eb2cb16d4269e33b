"""YAML loading that remembers where every value came from.

PyYAML's composer keeps line and column marks on every node; we build plain Python
objects from the node tree and keep a map ``path tuple -> (line, column)`` so that a
validation error on ``events[2].approval_rate`` can point at ``file.yaml:14:20``.

The loader is safe against hostile files: :data:`LIMITS` bounds the file size (checked
before the text is decoded), the nesting depth and the number of nodes (checked while
composing, before any object is built) and the number of values that aliases expand to
(checked while building, so a "billion laughs" file or a recursive alias stops at once).
Every constructor error (``!!bool maybe``, ``!!timestamp abc``, ``!!float ''``) becomes a
located :class:`~chokepoints.errors.InputError`, and so does a file that is not UTF-8
(with the line and column of the first bad byte).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .errors import InputError, Problem

if TYPE_CHECKING:
    from pydantic import ValidationError

Location = tuple[int, int]
PathKey = tuple[str | int, ...]


@dataclass
class Limits:
    """Bounds on what one YAML file may cost to read (defaults: every bundled file passes by far).

    ``max_bytes``: file size; ``max_depth``: nesting of mappings and sequences; ``max_nodes``:
    nodes in the file; ``max_values``: values built, counting every expansion of an alias.
    """

    max_bytes: int = 2 << 20
    max_depth: int = 64
    max_nodes: int = 50_000
    max_values: int = 100_000


LIMITS = Limits()
"""The limits in force; change the attributes to raise or lower them for a session."""


class _Budget:
    def __init__(self, source: str, limits: Limits):
        self.source, self.limits, self.values = source, limits, 0


def _construct(
    node: yaml.Node,
    path: PathKey,
    marks: dict[PathKey, Location],
    source: str,
    budget: _Budget | None = None,
    depth: int = 0,
) -> Any:
    budget = budget or _Budget(source, LIMITS)
    budget.values += 1
    if budget.values > budget.limits.max_values:
        raise InputError(
            Problem(
                source,
                f"too many values: aliases expand to more than {budget.limits.max_values:,} values",
                *_mark(node),
                field=format_path(path) or None,
            )
        )
    if depth > budget.limits.max_depth:
        raise InputError(
            Problem(
                source,
                f"nested more than {budget.limits.max_depth} levels deep (a recursive alias?)",
                *_mark(node),
                field=format_path(path) or None,
            )
        )
    if path not in marks:
        marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise InputError(Problem(source, "mapping keys must be plain names", *_mark(key_node)))
            key = key_node.value
            if key in out:
                raise InputError(Problem(source, f"duplicate key '{key}'", *_mark(key_node), field=key))
            out[key] = _construct(value_node, (*path, key), marks, source, budget, depth + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(v, (*path, i), marks, source, budget, depth + 1) for i, v in enumerate(node.value)]
    # Scalars: let the safe constructor resolve ints, floats, bools, dates, nulls. Any exception
    # of a constructor (KeyError for ``!!bool maybe``, AttributeError for ``!!timestamp abc``,
    # IndexError for ``!!float ''``, OverflowError for huge dates) is bad input.
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    except Exception as exc:  # noqa: BLE001 - every constructor failure is the file's fault
        field = format_path(path) or None
        kind = node.tag.rsplit(":", 1)[-1]
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        why = f": {text}" if isinstance(exc, ValueError | yaml.YAMLError) and text else ""
        raise InputError(
            Problem(source, f"cannot read value {node.value!r} as {kind}{why}", *_mark(node), field=field)
        ) from None
    finally:
        loader.dispose()


class _LimitedLoader(yaml.SafeLoader):
    """A SafeLoader whose composer counts nodes and nesting before any object is built."""

    limits: Limits = LIMITS
    source: str = "<string>"

    def __init__(self, stream: str):
        super().__init__(stream)
        self._nodes = 0
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._nodes += 1
        if self._nodes > self.limits.max_nodes:
            mark = self.peek_event().start_mark
            raise InputError(
                Problem(self.source, f"too many values (more than {self.limits.max_nodes:,})", *_mark_of(mark))
            )
        self._depth += 1
        try:
            if self._depth > self.limits.max_depth + 1:
                mark = self.peek_event().start_mark
                raise InputError(
                    Problem(self.source, f"nested more than {self.limits.max_depth} levels deep", *_mark_of(mark))
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _mark_of(mark: Any) -> Location:
    return (mark.line + 1, mark.column + 1)


def _mark(node: yaml.Node) -> Location:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def load_yaml_with_marks(text: str, source: str = "<string>") -> tuple[Any, dict[PathKey, Location]]:
    """Parse YAML text; return (data, marks) or raise InputError with the line of a syntax error."""
    limits = LIMITS
    size = len(text.encode("utf-8", errors="replace")) if len(text) * 4 > limits.max_bytes else len(text)
    if size > limits.max_bytes:
        raw = text.encode("utf-8", errors="replace")
        line, col = byte_location(raw, limits.max_bytes)
        raise InputError(
            Problem(source, f"the file is too large ({size:,} bytes; at most {limits.max_bytes:,})", line, col)
        )
    loader: _LimitedLoader | None = None
    try:
        loader = _LimitedLoader(text)  # the reader checks every character here
        loader.source, loader.limits = source, limits
        node = loader.get_single_node()
    except InputError:
        raise
    except RecursionError:
        raise InputError(Problem(source, "nested too deeply")) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, other controls)
        before = text[: exc.position]
        at = (before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1)
        raise InputError(
            Problem(source, f"YAML error: character {exc.character!r} is not allowed in YAML text", *at)
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = (exc.problem or str(exc)).strip()
        raise InputError(Problem(source, f"YAML syntax error: {what}", *where)) from None
    except yaml.YAMLError as exc:
        raise InputError(Problem(source, f"YAML error: {exc}", 1, 1)) from None
    finally:
        if loader is not None:
            loader.dispose()
    if node is None:
        raise InputError(Problem(source, "the file is empty; expected a YAML mapping", 1, 1))
    marks: dict[PathKey, Location] = {}
    try:
        data = _construct(node, (), marks, source, _Budget(source, limits))
    except RecursionError:
        raise InputError(Problem(source, "nested too deeply (a recursive alias?)")) from None
    return data, marks


def read_yaml_file(path: str | Path) -> tuple[Any, dict[PathKey, Location], str]:
    """Read a YAML file; errors name the file. Returns (data, marks, text)."""
    text = read_text_file(path)
    data, marks = load_yaml_with_marks(text, str(path))
    return data, marks, text


def read_text_file(path: str | Path, max_bytes: int | None = None) -> str:
    """A UTF-8 text file, read at most ``max_bytes`` (default ``LIMITS.max_bytes``) + 1 bytes.

    Errors name the file: not found, a folder, too large (``/dev/zero`` too), not UTF-8 (with
    the line and column of the first bad byte).
    """
    p = Path(path)
    limit = LIMITS.max_bytes if max_bytes is None else max_bytes
    try:
        with p.open("rb") as fh:
            raw = fh.read(limit + 1)
    except FileNotFoundError:
        raise InputError(Problem(str(path), "file not found")) from None
    except IsADirectoryError:
        raise InputError(Problem(str(path), "expected a file, got a folder")) from None
    except (OSError, MemoryError) as exc:
        raise InputError(Problem(str(path), f"cannot read file: {exc}")) from None
    if len(raw) > limit:
        line, col = byte_location(raw, limit)
        raise InputError(Problem(str(path), f"the file is too large: it passes {limit:,} bytes here", line, col))
    return decode_utf8(raw, str(path))


def decode_utf8(raw: bytes, source: str) -> str:
    """``raw`` decoded as UTF-8 (a BOM is dropped); a located error at the first bad byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, col = byte_location(raw, exc.start)
        raise InputError(
            Problem(source, f"not UTF-8 text: byte 0x{raw[exc.start]:02x} cannot be decoded", line, col)
        ) from None


def byte_location(raw: bytes, offset: int) -> Location:
    """1-based (line, column) of byte ``offset`` in ``raw`` (column counts characters decoded before it)."""
    start = raw.rfind(b"\n", 0, offset) + 1
    line = raw.count(b"\n", 0, offset) + 1
    col = len(raw[start:offset].decode("utf-8", errors="replace")) + 1
    return line, col


def format_path(path: PathKey, max_chars: int = 120) -> str:
    """``('events', 2, 'on')`` -> ``events[2].on`` (cut to ``max_chars`` with "...")."""
    out = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
    return out if len(out) <= max_chars else out[: max_chars - 3] + "..."


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
