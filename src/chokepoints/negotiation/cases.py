"""Published multi-stakeholder test cases: actors, their sources, and the published predictions.

A case is a folder (bundled ones under ``chokepoints/negotiation/data/cases/<name>/``) with

- ``case.yaml``: ``name``, ``title``, ``issue``, ``unit``, ``source`` (a source id),
  ``salience_scale`` and ``capability_scale`` (the table's numbers are divided by them, so the
  models get both on 0-1), and optionally ``outcome`` (``value``, ``note``, ``source``);
- ``actors.csv``: ``actor, capability, position, salience, source_id`` as printed;
- ``sources.csv``: ``source_id, kind, title, url, date, note``;
- ``published_predictions.csv`` (may hold no rows): ``model, quantity, value, rounding, source,
  address, where, reproduced, note``: one published number each, where it is printed and
  whether our implementation of the model reproduces it at the paper's rounding.

    from chokepoints.negotiation.cases import load_case, check_published
    case = load_case("ec-emission-standards")
    case.actors[:2], case.x[:2], case.c[:2], case.s[:2]  # ('Netherlands', 'Belgium'), [4, 7], [0.08, 0.08], [0.8, 0.4]
    [(p.quantity, p.value, got) for p, got, _ in check_published(case)]

Models and quantities of ``published_predictions.csv``:

- ``compromise`` / ``median``, quantity ``outcome``: sum c s x / sum c s, and the weighted
  median (votes c s), of the input positions (``stakeholders.compromise``, ``weighted_median``);
- ``scholz2011``: ``median_round_<t>`` / ``mean_round_<t>`` (the weighted median / the
  compromise of the positions after t rounds of ``bdm_scholz.scholz_model``), and
  ``challenge_sign:<A>:<B>`` / ``challenged_sign:<A>:<B>`` (sign of A's expected utility of
  challenging B, and of B challenging A as A sees it, in round 1: the x and y axes of BDM's
  expected-utility figures from A's view).

Roundings: ``truncate:<step>`` (cut to a multiple of step), ``round:<step>`` (half up),
``sign`` (-1, 0, +1).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError, Problem
from ..yamlio import read_text_file, read_yaml_file
from .bdm_scholz import ScholzResult, scholz_model
from .stakeholders import compromise, weighted_median

ACTOR_COLUMNS = ("actor", "capability", "position", "salience", "source_id")
SOURCE_COLUMNS = ("source_id", "kind", "title", "url", "date", "note")
PUBLISHED_COLUMNS = ("model", "quantity", "value", "rounding", "source", "address", "where", "reproduced", "note")
MODELS = ("compromise", "median", "scholz2011")


@dataclass(frozen=True)
class Published:
    model: str
    quantity: str
    value: float
    rounding: str
    source: str
    address: str
    where: str
    reproduced: bool
    note: str
    row: int


@dataclass(frozen=True, eq=False)
class StakeholderCase:
    name: str
    title: str
    issue: str
    unit: str
    actors: tuple[str, ...]
    x: np.ndarray  # positions
    c: np.ndarray  # capabilities, 0-1
    s: np.ndarray  # saliences, 0-1
    sources: dict[str, dict[str, str]]
    published: tuple[Published, ...]
    outcome: dict[str, Any] | None = None
    path: str = ""
    _cache: dict[int, ScholzResult] = field(default_factory=dict, compare=False, repr=False)

    def scholz(self, rounds: int) -> ScholzResult:
        """``scholz_model`` with its default readings on this case (cached by rounds)."""
        if rounds not in self._cache:
            self._cache[rounds] = scholz_model(self.x, self.c, self.s, rounds=rounds)
        return self._cache[rounds]


def _bundled_root() -> Path:
    return Path(str(resources.files("chokepoints.negotiation").joinpath("data", "cases")))


def list_cases() -> list[str]:
    """Names of the bundled cases."""
    return sorted(p.name for p in _bundled_root().iterdir() if (p / "case.yaml").is_file())


def _table(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    text = read_text_file(path)
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(Problem(str(path), f"missing column(s) {', '.join(missing)}; expected {', '.join(columns)}"))
    rows = []
    for k, row in enumerate(reader, start=1):
        if None in row or any(v is None for v in row.values()):
            raise InputError(Problem(str(path), "wrong number of fields", row=k))
        rows.append({key: (v or "").strip() for key, v in row.items()})
    return rows


def _number(path: Path, row: int, col: str, text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise InputError(Problem(str(path), f"expected a number, got {text!r}", row=row, field=col)) from None
    if not math.isfinite(v):
        raise InputError(Problem(str(path), f"expected a finite number, got {text!r}", row=row, field=col))
    return v


def _scale(meta: dict[str, Any], key: str, src: str) -> float:
    v = meta.get(key, 1)
    if isinstance(v, bool) or not isinstance(v, int | float) or not v > 0:
        raise InputError(Problem(src, f"{key} must be a number > 0, got {v!r}", field=key))
    return float(v)


def _actors(path: Path, sources: dict[str, dict[str, str]], cs: float, ss: float) -> tuple[tuple[str, ...], np.ndarray]:
    rows = _table(path, ACTOR_COLUMNS)
    if not rows:
        raise InputError(Problem(str(path), "no actors"))
    names: list[str] = []
    vals = []
    for k, row in enumerate(rows, start=1):
        name = row["actor"]
        if not name or name in names:
            raise InputError(Problem(str(path), f"actor names must be unique and non-empty, got {name!r}", row=k))
        cap = _number(path, k, "capability", row["capability"]) / cs
        pos = _number(path, k, "position", row["position"])
        sal = _number(path, k, "salience", row["salience"]) / ss
        if cap < 0:
            raise InputError(Problem(str(path), "capability must be >= 0", row=k, field="capability"))
        if not 0 <= sal <= 1:
            raise InputError(
                Problem(str(path), f"salience must be in [0, {ss:g}], got {row['salience']}", row=k, field="salience")
            )
        if row["source_id"] not in sources:
            raise InputError(Problem(str(path), f"unknown source {row['source_id']!r}", row=k, field="source_id"))
        names.append(name)
        vals.append((pos, cap, sal))
    return tuple(names), np.array(vals, float)


def _quantity_ok(model: str, q: str, actors: tuple[str, ...]) -> bool:
    if model in ("compromise", "median"):
        return q == "outcome"
    head, _, tail = q.rpartition("_round_")
    if head in ("median", "mean"):
        return tail.isdigit()
    parts = q.split(":")
    return (
        len(parts) == 3
        and parts[0] in ("challenge_sign", "challenged_sign")
        and parts[1] in actors
        and (parts[2] in actors and parts[2] != parts[1])
    )


def _rounding_ok(r: str) -> bool:
    if r == "sign":
        return True
    kind, _, step = r.partition(":")
    try:
        return kind in ("truncate", "round") and float(step) > 0
    except ValueError:
        return False


def _published(path: Path, sources: dict[str, dict[str, str]], actors: tuple[str, ...]) -> tuple[Published, ...]:
    out = []
    for k, row in enumerate(_table(path, PUBLISHED_COLUMNS), start=1):
        if row["model"] not in MODELS:
            raise InputError(
                Problem(str(path), f"unknown model; expected one of {', '.join(MODELS)}", row=k, field="model")
            )
        if not _quantity_ok(row["model"], row["quantity"], actors):
            raise InputError(Problem(str(path), f"unknown quantity {row['quantity']!r}", row=k, field="quantity"))
        if not _rounding_ok(row["rounding"]):
            raise InputError(
                Problem(str(path), "expected truncate:<step>, round:<step> or sign", row=k, field="rounding")
            )
        if row["source"] not in sources:
            raise InputError(Problem(str(path), f"unknown source {row['source']!r}", row=k, field="source"))
        if row["reproduced"] not in ("yes", "no"):
            raise InputError(Problem(str(path), "expected yes or no", row=k, field="reproduced"))
        value = _number(path, k, "value", row["value"])
        out.append(
            Published(
                row["model"], row["quantity"], value, row["rounding"], row["source"], row["address"], row["where"],
                row["reproduced"] == "yes", row["note"], k,
            )
        )  # fmt: skip
    return tuple(out)


def load_case(name_or_path: str | Path) -> StakeholderCase:
    """A bundled case by name, or a case folder by path. Bad files raise ``InputError``."""
    p = Path(name_or_path)
    if not (p / "case.yaml").is_file():
        bundled = _bundled_root() / str(name_or_path)
        if not (bundled / "case.yaml").is_file():
            known = ", ".join(list_cases())
            raise InputError(Problem(str(name_or_path), f"no such case (a folder with case.yaml); bundled: {known}"))
        p = bundled
    meta, _, _ = read_yaml_file(p / "case.yaml")
    src = str(p / "case.yaml")
    if not isinstance(meta, dict):
        raise InputError(Problem(src, "expected a mapping"))
    for key in ("name", "title", "issue", "unit"):
        if not isinstance(meta.get(key), str) or not meta[key]:
            raise InputError(Problem(src, "expected a non-empty text", field=key))
    srows = _table(p / "sources.csv", SOURCE_COLUMNS)
    sources = {r["source_id"]: r for r in srows}
    if meta.get("source") not in sources:
        raise InputError(Problem(src, f"unknown source {meta.get('source')!r}", field="source"))
    outcome = meta.get("outcome")
    if outcome is not None:
        if not isinstance(outcome, dict) or not isinstance(outcome.get("value"), int | float):
            raise InputError(Problem(src, "expected value, note and source", field="outcome"))
        if outcome.get("source") not in sources:
            raise InputError(Problem(src, f"unknown source {outcome.get('source')!r}", field="outcome.source"))
    cs, ss = _scale(meta, "capability_scale", src), _scale(meta, "salience_scale", src)
    actors, vals = _actors(p / "actors.csv", sources, cs, ss)
    pub_path = p / "published_predictions.csv"
    published = _published(pub_path, sources, actors) if pub_path.is_file() else ()
    return StakeholderCase(
        meta["name"], meta["title"], meta["issue"], meta["unit"], actors,
        vals[:, 0], vals[:, 1], vals[:, 2], sources, published, outcome, str(p),
    )  # fmt: skip


def apply_rounding(value: float, rounding: str) -> float:
    """``value`` as the paper prints it: ``truncate:0.1`` 9.962 -> 9.9, ``round:0.1`` -> 10.0, ``sign``."""
    if rounding == "sign":
        return float(np.sign(value)) if abs(value) > 1e-12 else 0.0
    kind, _, step_text = rounding.partition(":")
    step = float(step_text)
    q = value / step
    n = math.floor(q + 1e-9) if kind == "truncate" else math.floor(q + 0.5 + 1e-9)
    return round(n * step, 12)


def evaluate(case: StakeholderCase, pub: Published) -> float:
    """Our model's value of ``pub.quantity`` on ``case``, before rounding."""
    if pub.model == "compromise":
        return compromise(case.x, case.c, case.s)
    if pub.model == "median":
        return weighted_median(case.x, case.c * case.s)
    head, _, tail = pub.quantity.rpartition("_round_")
    if head in ("median", "mean"):
        res = case.scholz(max(int(tail), 1))
        return float((res.median if head == "median" else res.mean)[int(tail)])
    kind, a, b = pub.quantity.split(":")
    i, j = case.actors.index(a), case.actors.index(b)
    first = case.scholz(1).rounds[0]
    return float(first.eu[i, j] if kind == "challenge_sign" else first.eu_seen[i, j])


def check_published(case: StakeholderCase) -> list[tuple[Published, float, bool]]:
    """For every published number: (row, our value, whether it matches at the row's rounding)."""
    out = []
    for pub in case.published:
        got = evaluate(case, pub)
        out.append((pub, got, math.isclose(apply_rounding(got, pub.rounding), pub.value, abs_tol=1e-9)))
    return out
