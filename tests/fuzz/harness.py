"""A mutation harness over every bundled scenario and World, with the oracle of issue #12.

Each case takes one bundled input (a scenario of any kind, a negotiation spec, or a World
folder), applies one structured mutation chosen by a seeded RNG (so case ``k`` is the same
case on every machine), and checks it with :func:`chokepoints.validate.validate`, the checks
behind ``chokepoints validate``. The oracle:

* ``ok``: the mutated input is valid (it validates), or
* ``located``: an :class:`~chokepoints.errors.InputError` whose every problem names a file
  and a line or row (the one-line CLI message is then ``file:line:col, field '...': ...``);
* anything else is a failure: ``unlocated`` (a problem naming no line/row), ``traceback`` (any
  other exception), ``hang`` (past the time bound).

Mutations of scenarios (on the parsed YAML, dumped again): deleted keys, wrong types,
NaN/inf/huge/tiny/negative numbers, bad dates, unknown names (typos, empty, control
characters), and on the text: duplicate keys, deep nesting, alias bombs, other encodings,
binary garbage, truncation, huge files. Mutations of Worlds: deleted/duplicated rows, bad
cells (NaN, inf, 0, 1e300, -1, text, empty), dropped/added columns, header-only or empty
tables, garbage bytes, bad ``dataset.yaml`` fields.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
import shutil
import signal
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from chokepoints.datasets import bundled_path, list_bundled
from chokepoints.errors import InputError
from chokepoints.scenario.library import _bundled_files

HANG_SECONDS = 30.0


@dataclass
class Outcome:
    case: int
    target: str
    mutation: str
    cls: str  # ok | located | unlocated | traceback | hang
    detail: str = ""
    seconds: float = 0.0


@dataclass
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def by_class(self) -> Counter:
        return Counter(o.cls for o in self.outcomes)

    @property
    def by_mutation(self) -> Counter:
        return Counter(o.mutation for o in self.outcomes)

    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.cls not in ("ok", "located")]

    def text(self) -> str:
        cls = ", ".join(f"{k} {v}" for k, v in sorted(self.by_class.items()))
        slowest = max(self.outcomes, key=lambda o: o.seconds) if self.outcomes else None
        lines = [
            f"{len(self.outcomes)} cases in {self.seconds:.1f} s: {cls}",
            "by mutation: " + ", ".join(f"{k} {v}" for k, v in sorted(self.by_mutation.items())),
        ]
        if slowest is not None:
            lines.append(f"slowest case: {slowest.seconds:.2f} s ({slowest.target}, {slowest.mutation})")
        for o in self.failures()[:20]:
            lines.append(f"FAIL case {o.case} {o.cls} {o.target} {o.mutation}: {o.detail}")
        return "\n".join(lines)


# -- targets ------------------------------------------------------------------------------------


def scenario_targets() -> list[Path]:
    return list(_bundled_files().values())


def world_targets() -> list[str]:
    """The bundled Worlds kept as CSV tables (the table mutations below are CSV edits; the MRIO
    Worlds stored as Parquet and the hybrid recipe are read by other loaders)."""
    from chokepoints.datasets import bundled_path

    return [name for name in list_bundled() if (bundled_path(name) / "producers.csv").is_file()]


# -- values ---------------------------------------------------------------------------------


BAD_NUMBERS: list[Any] = [
    float("nan"),
    float("inf"),
    float("-inf"),
    1e308,
    -1e308,
    1e-320,
    -1,
    0,
    10**20,
    -(10**20),
    True,
    False,
    0.5,
    1e9,
]
BAD_DATES: list[Any] = [
    dt.date(9999, 12, 31),
    dt.date(1, 1, 1),
    dt.date(1899, 12, 31),
    dt.date(2201, 1, 1),
    "2025-13-45",
    "abc",
    "",
    20250404,
]
WRONG_TYPES: list[Any] = [None, "", "x", [], {}, [1, 2], {"a": 1}, True, 3, 2.5, "all"]


def typo(rng: random.Random, s: str) -> str:
    choices = [
        lambda: s[:-1],
        lambda: s + "X",
        lambda: s.upper() if s != s.upper() else s.lower(),
        lambda: "NOPE",
        lambda: "",
        lambda: s[:1] + "\x00" + s[1:],
        lambda: " " + s,
        lambda: s * 40,
        lambda: "é" + s,
    ]
    return rng.choice(choices)()


def paths_of(data: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(data, dict):
        for k, v in data.items():
            out.extend(paths_of(v, (*prefix, k)))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out.extend(paths_of(v, (*prefix, i)))
    return out


def get(data: Any, path: tuple) -> Any:
    for p in path:
        data = data[p]
    return data


def put(data: Any, path: tuple, value: Any) -> None:
    get(data, path[:-1])[path[-1]] = value


# -- scenario mutations --------------------------------------------------------------------


def _data_mutation(rng: random.Random, data: Any) -> tuple[str, Any]:
    data = copy.deepcopy(data)
    paths = [p for p in paths_of(data) if p]
    if not paths:
        return "none", data
    path = rng.choice(paths)
    value = get(data, path)
    kind = rng.choice(["delete", "wrong_type", "number", "date", "name", "nest", "extra_key", "duplicate_item"])
    if kind == "delete":
        parent = get(data, path[:-1])
        del parent[path[-1]]
    elif kind == "wrong_type":
        put(data, path, rng.choice(WRONG_TYPES))
    elif kind == "number":
        nums = [p for p in paths if isinstance(get(data, p), int | float)]
        path = rng.choice(nums) if nums else path
        put(data, path, rng.choice(BAD_NUMBERS))
    elif kind == "date":
        dates = [p for p in paths if isinstance(get(data, p), dt.date)]
        path = rng.choice(dates) if dates else path
        put(data, path, rng.choice(BAD_DATES))
    elif kind == "name":
        names = [p for p in paths if isinstance(get(data, p), str)]
        path = rng.choice(names) if names else path
        v = get(data, path)
        put(data, path, typo(rng, v if isinstance(v, str) else "x"))
    elif kind == "nest":
        deep: Any = 1
        for _ in range(rng.choice([10, 70, 200])):
            deep = [deep]
        put(data, path, deep)
    elif kind == "extra_key":
        target = get(data, path[:-1]) if not isinstance(value, dict) else value
        if isinstance(target, dict):
            target[rng.choice(["unknown_field", "Runs", "typ", "on ", "x" * 300])] = rng.choice(WRONG_TYPES)
    elif kind == "duplicate_item":
        parent = get(data, path[:-1])
        if isinstance(parent, list):
            parent.append(copy.deepcopy(parent[path[-1]]))
    return kind, data


def _bomb(depth: int) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, depth):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _text_mutation(rng: random.Random, text: str, huge: bool) -> tuple[str, bytes]:
    raw = text.encode("utf-8")
    lines = text.splitlines(keepends=True)
    kinds = [
        "duplicate_key",
        "delete_line",
        "truncate",
        "garbage",
        "encoding",
        "bad_utf8",
        "alias_bomb",
        "recursive_alias",
        "deep_text",
        "tag",
        "indent",
        "nul",
    ]
    if huge:
        kinds.append("huge")
    kind = rng.choice(kinds)
    if kind == "duplicate_key":
        top = [i for i, ln in enumerate(lines) if ln[:1].isalpha() and ":" in ln]
        i = rng.choice(top) if top else 0
        out = "".join(lines[: i + 1] + [lines[i]] + lines[i + 1 :]).encode()
    elif kind == "delete_line":
        i = rng.randrange(len(lines))
        out = "".join(lines[:i] + lines[i + 1 :]).encode()
    elif kind == "truncate":
        out = raw[: rng.randrange(len(raw))]
    elif kind == "garbage":
        i = rng.randrange(len(raw))
        out = raw[:i] + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64))) + raw[i:]
    elif kind == "encoding":
        out = text.encode(rng.choice(["utf-16", "utf-32", "latin-1", "cp1252"]), errors="replace")
    elif kind == "bad_utf8":
        i = rng.randrange(len(raw))
        out = raw[:i] + rng.choice([b"\xff", b"\xc3", b"\xe9", b"\xed\xa0\x80"]) + raw[i:]
    elif kind == "alias_bomb":
        out = (text + "\n" + _bomb(rng.choice([4, 6, 9]))).encode()
    elif kind == "recursive_alias":
        out = (text + "\njunk: &r [*r]\n").encode()
    elif kind == "deep_text":
        n = rng.choice([50, 1000, 5000])
        out = (text + "\ndeep: " + "[" * n + "]" * n + "\n").encode()
    elif kind == "tag":
        tag = rng.choice(["!!bool maybe", "!!timestamp abc", "!!float ''", "!!int x", "!!binary ###", "!foo 1"])
        tag += rng.choice(["", " "])
        top = [i for i, ln in enumerate(lines) if ln[:1].isalpha() and ": " in ln]
        i = rng.choice(top) if top else 0
        key = lines[i].split(":", 1)[0]
        lines[i] = f"{key}: {tag}\n"
        out = "".join(lines).encode()
    elif kind == "indent":
        i = rng.randrange(len(lines))
        lines[i] = rng.choice(["\t", "   ", " - "]) + lines[i]
        out = "".join(lines).encode()
    elif kind == "nul":
        i = rng.randrange(len(raw))
        out = raw[:i] + b"\x00" + raw[i:]
    else:  # huge: many small items, past the size limit or just under it
        n = rng.choice([200_000, 800_000])
        out = (text + "\nbig: [" + "1, " * n + "]\n").encode()
    return kind, out


# -- World mutations -----------------------------------------------------------------------


def _world_mutation(rng: random.Random, folder: Path) -> str:
    csvs = sorted(folder.glob("*.csv"))
    kind = rng.choice(
        [
            "delete_row",
            "duplicate_row",
            "bad_cell",
            "drop_column",
            "add_column",
            "header_only",
            "empty_file",
            "garbage",
            "bad_utf8",
            "extra_field",
            "dataset_yaml",
            "delete_table",
        ]
    )
    path = rng.choice(csvs)
    lines = path.read_text(encoding="utf-8").splitlines()
    if kind == "dataset_yaml":
        meta = folder / "dataset.yaml"
        value = rng.choice(["abc", "-1", ".inf", ".nan", "true", "[1]", "{a: 1}", "''", "1e400", "0"])
        key = rng.choice(["default_target_days", "name", "version", "key_users"])
        with meta.open("a", encoding="utf-8") as fh:
            fh.write(f"\n{key}: {value}\n")
        return f"{kind}:{key}"
    if kind == "delete_table":
        path.unlink()
        return f"{kind}:{path.name}"
    if len(lines) < 2 and kind in ("delete_row", "duplicate_row", "bad_cell", "extra_field"):
        kind = "header_only"
    if kind == "delete_row":
        del lines[rng.randrange(1, len(lines))]
    elif kind == "duplicate_row":
        lines.append(lines[rng.randrange(1, len(lines))])
    elif kind == "bad_cell":
        i = rng.randrange(1, len(lines))
        cells = lines[i].split(",")
        j = rng.randrange(len(cells))
        cells[j] = rng.choice(["nan", "inf", "-inf", "0", "1e300", "1.8e308", "-1", "abc", "", "1e-320", '"', "NOPE"])
        lines[i] = ",".join(cells)
    elif kind == "drop_column":
        j = rng.randrange(len(lines[0].split(",")))
        lines = [",".join(c for k, c in enumerate(ln.split(",")) if k != j) for ln in lines]
    elif kind == "add_column":
        lines = [lines[0] + ",extra"] + [ln + ",1" for ln in lines[1:]]
    elif kind == "header_only":
        lines = lines[:1]
    elif kind == "empty_file":
        lines = []
    elif kind == "extra_field":
        i = rng.randrange(1, len(lines))
        lines[i] += ",1,2"
    if kind in ("garbage", "bad_utf8"):
        raw = path.read_bytes()
        i = rng.randrange(max(1, len(raw)))
        junk = bytes(rng.randrange(256) for _ in range(16)) if kind == "garbage" else b"\xff\xfe"
        path.write_bytes(raw[:i] + junk + raw[i:])
    else:
        path.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
    return f"{kind}:{path.name}"


# -- oracle ----------------------------------------------------------------------------------


def located(p: Any) -> bool:
    """A problem names its file and a line or row; a problem about a whole file that is absent
    (a missing table) is located by the file's name alone."""
    if not p.source:
        return False
    if p.line is not None or p.row is not None:
        return True
    return not Path(p.source).exists() and ("/" in p.source or Path(p.source).suffix != "")


class _Hang(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _Hang()


def judge(fn: Callable[[], Any], bound: float = HANG_SECONDS) -> tuple[str, str]:
    """Run ``fn`` under the oracle: (class, detail)."""
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, bound)
    try:
        fn()
    except _Hang:
        return "hang", f"past {bound:g} s"
    except InputError as exc:
        bad = [p for p in exc.problems if not located(p)]
        if bad:
            return "unlocated", str(bad[0])[:300]
        return "located", str(exc.problems[0])[:200]
    except RecursionError as exc:
        return "traceback", f"RecursionError: {exc}"
    except Exception as exc:  # noqa: BLE001 - the oracle records every other failure
        tb = traceback.extract_tb(exc.__traceback__)[-1]
        return "traceback", f"{type(exc).__name__}: {str(exc)[:200]} ({Path(tb.filename).name}:{tb.lineno})"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    return "ok", ""


# -- the run -------------------------------------------------------------------------------


def run_cases(n: int, workdir: Path, seed: int = 12, huge_every: int = 50) -> Summary:
    """Run ``n`` cases (case k uses ``random.Random(seed * 1_000_003 + k)``) in ``workdir``."""
    from chokepoints.validate import validate

    scenarios = scenario_targets()
    worlds = world_targets()
    parsed = {p: (p.read_text(encoding="utf-8"), yaml.safe_load(p.read_text(encoding="utf-8"))) for p in scenarios}
    summary = Summary()
    t_all = time.perf_counter()
    for k in range(n):
        rng = random.Random(seed * 1_000_003 + k)
        case_dir = workdir / f"c{k % 4}"
        if case_dir.exists():
            shutil.rmtree(case_dir)
        case_dir.mkdir(parents=True)
        if rng.random() < 0.25:
            name = rng.choice(worlds)
            folder = case_dir / name
            shutil.copytree(bundled_path(name), folder)
            mutation = "world." + _world_mutation(rng, folder).split(":")[0]
            target, arg = f"world {name}", str(folder)
        else:
            src = rng.choice(scenarios)
            text, data = parsed[src]
            # keep the scenario's neighbours (a negotiation spec names its scenario, and vice versa)
            for sib in src.parent.glob(src.name.split(".")[0] + "*.yaml"):
                shutil.copy(sib, case_dir / sib.name)
            dest = case_dir / src.name
            if rng.random() < 0.55:
                mutation, mutated = _data_mutation(rng, data)
                dest.write_text(yaml.safe_dump(mutated, sort_keys=False, allow_unicode=True), encoding="utf-8")
                mutation = "data." + mutation
            else:
                kind, raw = _text_mutation(rng, text, huge=(k % huge_every == 0))
                dest.write_bytes(raw)
                mutation = "text." + kind
            target, arg = src.name, str(dest)
        t0 = time.perf_counter()
        cls, detail = judge(lambda arg=arg: validate(arg))
        summary.outcomes.append(Outcome(k, target, mutation, cls, detail, time.perf_counter() - t0))
    summary.seconds = time.perf_counter() - t_all
    return summary
