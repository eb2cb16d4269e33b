"""Verdicts: each claim held against the sourced observations by its registry template.

Verdicts: ``consistent`` (the data at the article's date agree within tolerance), ``outdated`` (the
figure was right at an earlier date; ``stopped`` is the date it stopped being right), ``inconsistent``
(with the value the data give), ``unverifiable`` (no data; ``needs`` says what would be needed).
Only observations available by the article's date count. Tolerance: the template's rel/abs plus half
a unit of the claim's last stated digit.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from ..errors import InputError, Problem
from .data import Obs, series
from .extract import Article, Claim

__all__ = ["Verdict", "Template", "load_registry", "check_claim", "phrase_rules"]

CHECKS = {
    "level",
    "milestone",
    "peak",
    "fall_from_peak",
    "since",
    "streak",
    "share",
    "compare",
    "event_date",
    "event_value",
    "years_since",
    "estimate",
    "horizon",
    "none",
}


@dataclass
class Verdict:
    verdict: str
    arithmetic: str
    sources: list[dict[str, str]] = field(default_factory=list)
    data_value: float | None = None
    stopped: str | None = None
    needs: str | None = None
    template: str | None = None
    alternatives: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Template:
    id: str
    kinds: tuple[str, ...]
    check: str
    topic: str = ""
    cue: str = ""
    exclude: str = ""
    phrase: str = ""
    series: str = ""
    other: str = ""
    stated: str = ""
    expected: float | None = None
    needs: str = ""
    vintage: str = ""
    tol_rel: float = 0.0
    tol_abs: float = 0.0
    alternatives: tuple[Any, ...] = ()

    def applies(self, c: Claim) -> bool:
        if c.kind not in self.kinds:
            return False
        if c.kind == "comparison":
            return c.rule == f"phrase:{self.id}"
        if self.topic and not re.search(self.topic, c.sentence, re.I):
            return False
        if self.exclude and re.search(self.exclude, c.sentence, re.I):
            return False
        return not self.cue or bool(re.search(self.cue, c.clause, re.I))


@lru_cache(maxsize=1)
def load_registry() -> tuple[Template, ...]:
    """The templates of ``registry.yaml``, validated (one located line per problem)."""
    src = "claims/registry.yaml"
    raw = yaml.safe_load(resources.files("chokepoints.claims").joinpath("registry.yaml").read_text("utf-8"))
    out = []
    for i, t in enumerate(raw.get("templates", []), start=1):
        where = f"templates[{i}]"
        if t.get("check") not in CHECKS:
            raise InputError(Problem(src, f"unknown check {t.get('check')!r}", field=f"{where}.check"))
        if t["check"] != "none" and not t.get("series"):
            raise InputError(Problem(src, "a template needs a series", field=f"{where}.series"))
        if t["check"] == "none" and not t.get("needs"):
            raise InputError(Problem(src, "an unverifiable template must say what it needs", field=f"{where}.needs"))
        tol = t.get("tolerance", {}) or {}
        out.append(
            Template(
                id=t["id"],
                kinds=tuple(t["kinds"]),
                check=t["check"],
                topic=t.get("topic", ""),
                cue=t.get("cue", ""),
                exclude=t.get("exclude", ""),
                phrase=t.get("phrase", ""),
                series=t.get("series", ""),
                other=t.get("other", ""),
                stated=t.get("stated", ""),
                expected=t.get("expected"),
                needs=t.get("needs", ""),
                vintage=t.get("vintage", ""),
                tol_rel=float(tol.get("rel", 0.0)),
                tol_abs=float(tol.get("abs", 0.0)),
                alternatives=tuple(t.get("alternatives", ())),
            )
        )
    return tuple(out)


def phrase_rules() -> list[tuple[str, re.Pattern[str]]]:
    """Extraction rules for claims without a number (comparisons), from the registry."""
    return [(f"phrase:{t.id}", re.compile(t.phrase, re.I)) for t in load_registry() if t.phrase]


def _precision(text: str, value: float) -> float:
    """Half a unit of the last stated digit, in the claim's unit (e.g. 1.3万亿 -> 0.05 万亿 = 50 bn)."""
    m = re.search(r"\d+(?:\.(\d+))?", text.replace(",", ""))
    if not m:
        return 0.0
    stated = float(m.group(0))
    if stated == 0:
        return 0.0
    unit_of_value = value / stated  # what one stated unit is worth in the claim's unit
    decimals = len(m.group(1) or "")
    if not m.group(1):
        digits = m.group(0)
        trailing = len(digits) - len(digits.rstrip("0"))
        return 0.5 * unit_of_value * 10 ** min(trailing, 1)
    return 0.5 * unit_of_value * 10**-decimals


def _ok(c: Claim, data: float, t: Template) -> bool:
    v = c.value if c.value is not None else float("nan")
    tol = max(t.tol_rel * abs(data), t.tol_abs) + _precision(c.text, v)
    if c.bound == ">":
        return data > v - (tol if t.check == "level" else 0)
    if c.bound == "<":
        return data < v
    return abs(data - v) <= tol


def _fmt(v: float) -> str:
    return f"{v:,.1f}" if abs(v) < 1e5 else f"{v:,.0f}"


def _history(c: Claim, obs: list[Obs], t: Template, at: dt.date) -> Verdict:
    """Consistent / outdated / inconsistent for a claim about the latest value of a series."""
    latest = obs[-1]
    if _ok(c, latest.value, t):
        return Verdict(
            "consistent",
            f"data {_fmt(latest.value)} {latest.unit} ({latest.as_of}) vs claim {c.bound}{_fmt(c.value or 0)}",
            [latest.source()],
            latest.value,
        )
    for i in range(len(obs) - 2, -1, -1):
        if _ok(c, obs[i].value, t):
            nxt = obs[i + 1]
            return Verdict(
                "outdated",
                f"claim {c.bound}{_fmt(c.value or 0)} matched {_fmt(obs[i].value)} "
                f"({obs[i].as_of}); at {at} the data give {_fmt(latest.value)} ({latest.as_of})",
                [obs[i].source(), latest.source()],
                latest.value,
                stopped=nxt.available.isoformat(),
            )
    return Verdict(
        "inconsistent",
        f"data {_fmt(latest.value)} {latest.unit} ({latest.as_of}) vs claim {c.bound}{_fmt(c.value or 0)}",
        [latest.source()],
        latest.value,
    )


def _need(name: str, at: dt.date) -> list[Obs]:
    obs = series(name, by=at)
    if not obs:
        raise LookupError(f"no observation of {name} available by {at}")
    return obs


def check_claim(c: Claim, art: Article) -> Verdict:  # noqa: C901 - one branch per formula
    """The verdict for one claim at the article's date."""
    at = art.date
    t = next((t for t in load_registry() if t.applies(c)), None)
    if t is None:
        return Verdict(
            "unverifiable",
            "no template of the registry covers this claim",
            needs=(f"a sourced series for: {c.clause or c.sentence}"),
        )
    alts = [a if isinstance(a, str) else a["label"] for a in t.alternatives]
    try:
        v = _run(t, c, art, at)
    except LookupError as exc:
        v = Verdict("unverifiable", str(exc), needs=f"data for {t.series} before {at}")
    v.template, v.alternatives = t.id, alts + v.alternatives
    return v


def _check_none(t: Template, c: Claim, art: Article, at: dt.date) -> Verdict:
    return Verdict("unverifiable", "the bundled data hold no series for this", needs=t.needs)


def _check_level(t: Template, c: Claim, art: Article, at: dt.date) -> Verdict:
    return _history(c, _need(t.series, at), t, at)


def _check_peak(t: Template, c: Claim, art: Article, at: dt.date) -> Verdict:
    obs = _need(t.series, at)
    top = max(obs, key=lambda o: o.value)
    ok = _ok(c, top.value, t)
    return Verdict(
        "consistent" if ok else "inconsistent",
        f"peak = max of {len(obs)} observations = {_fmt(top.value)} ({top.as_of}) vs claim {_fmt(c.value or 0)}",
        [top.source()],
        top.value,
    )


def _check_fall_from_peak(t: Template, c: Claim, art: Article, at: dt.date) -> Verdict:
    obs = _need(t.series, at)
    top, last = max(obs, key=lambda o: o.value), obs[-1]
    fall = top.value - last.value
    ok = _ok(c, fall, t)
    return Verdict(
        "consistent" if ok else "inconsistent",
        f"{_fmt(top.value)} ({top.as_of}) - {_fmt(last.value)} "
        f"({last.as_of}) = {_fmt(fall)} vs claim {c.bound}{_fmt(c.value or 0)}",
        [top.source(), last.source()],
        fall,
    )


def _check_milestone(t: Template, c: Claim, art: Article, at: dt.date) -> Verdict:
    obs = _need(t.series, at)
    last = obs[-1]
    if abs(last.value - (c.value or 0)) <= t.tol_rel * last.value:
        return Verdict(
            "consistent",
            f"latest milestone passed by {at}: {_fmt(last.value)} ({last.as_of})",
            [last.source()],
            last.value,
        )
    for i, o in enumerate(obs[:-1]):
        if abs(o.value - (c.value or 0)) <= t.tol_rel * o.value:
            nxt = obs[i + 1]
            return Verdict(
                "outdated",
                f"passed {_fmt(o.value)} on {o.as_of}; passed {_fmt(nxt.value)} on {nxt.as_of}; "
                f"by {at} it had passed {_fmt(last.value)} ({last.as_of})",
                [o.source(), nxt.source(), last.source()],
                last.value,
                stopped=nxt.available.isoformat(),
            )
    return Verdict(
        "inconsistent", f"latest milestone by {at}: {_fmt(last.value)} ({last.as_of})", [last.source()], last.value
    )


def _check_since(t: Template, c: Claim, art: Article, at: dt.date) -> Verdict:
    obs = _need(t.series, at)
    last, year = obs[-1], int(c.value or 0)
    later = [o for o in obs[:-1] if o.period_end.year > year]
    low = c.extra.get("extreme") in ("最低", "最小", "lowest", "smallest")
    beaten = [o for o in later if (o.value <= last.value if low else o.value >= last.value)]
    stated = [o for o in series(t.stated, by=at)] if t.stated else []
    src = [last.source()] + [o.source() for o in stated]
    if beaten:
        b = beaten[-1]
        return Verdict(
            "inconsistent",
            f"{_fmt(b.value)} ({b.as_of}) is {'lower' if low else 'higher'} than "
            f"{_fmt(last.value)} ({last.as_of}) and later than {year}",
            src + [b.source()],
            b.value,
        )
    say = f"; stated comparison year {int(stated[-1].value)}" if stated else ""
    ok = not stated or int(stated[-1].value) == year
    span = f"{later[0].as_of}..{later[-1].as_of}" if later else "no observations"
    return Verdict(
        "consistent" if ok else "inconsistent",
        f"{_fmt(last.value)} ({last.as_of}) is the "
        f"{'lowest' if low else 'highest'} of the bundled series after {year} ({span}){say}",
        src,
        last.value,
    )


def _check_streak(t: Template, c: Claim, art: Article, at: dt.date) -> Verdict:
    return _history(c, _need(t.series, at), t, at)


def _check_share(t: Template, c: Claim, art: Article, at: dt.date) -> Verdict:
    nums, dens = _need(t.series, at), _need(t.other, at)
    pairs = [(n, d) for n in nums for d in dens if n.available == d.available]
    shares = [(100 * n.value / d.value, n, d) for n, d in pairs]
    cur, n, d = shares[-1]
    alt_txt = []
    for a in t.alternatives:
        if isinstance(a, dict):
            an = series(a["series"], by=at)
            if an and a.get("other"):
                ad = series(a["other"], by=at)
                alt_txt.append(f"{a['label']}: {100 * an[-1].value / ad[-1].value:.1f}%")
            elif an:
                alt_txt.append(f"{a['label']}: {an[-1].value:g}%")
    tt = Template("x", (), "share", tol_abs=t.tol_abs)
    if _ok(c, cur, tt):
        v = Verdict(
            "consistent",
            f"100 x {_fmt(n.value)} / {_fmt(d.value)} = {cur:.1f}% ({n.as_of} vintage)",
            [n.source(), d.source()],
            cur,
        )
    else:
        older = [(s, on, od) for s, on, od in shares[:-1] if _ok(c, s, tt)]
        if older:
            s, on, od = older[-1]
            v = Verdict(
                "outdated",
                f"100 x {_fmt(on.value)} / {_fmt(od.value)} = {s:.1f}% ({on.as_of} vintage); "
                f"current vintage: 100 x {_fmt(n.value)} / {_fmt(d.value)} = {cur:.1f}%",
                [on.source(), od.source(), n.source(), d.source()],
                cur,
                stopped=n.available.isoformat(),
            )
        else:
            v = Verdict(
                "inconsistent",
                f"100 x {_fmt(n.value)} / {_fmt(d.value)} = {cur:.1f}% vs claim {c.value:g}%",
                [n.source(), d.source()],
                cur,
            )
    v.alternatives = alt_txt
    return v


def _check_compare(t: Template, c: Claim, art: Article, at: dt.date) -> Verdict:
    sa, sb = _need(t.series, at), _need(t.other, at)
    common = [(x, y) for x in sa for y in sb if x.as_of == y.as_of]
    if not common:
        raise LookupError(f"no common period of {t.series} and {t.other} by {at}")
    ok = all(x.value > y.value for x, y in common)
    arith = "; ".join(
        f"{x.as_of}: {_fmt(x.value)} {'>' if x.value > y.value else '<='} {_fmt(y.value)}" for x, y in common
    )
    return Verdict(
        "consistent" if ok else "inconsistent", arith, [s for x, y in common for s in (x.source(), y.source())]
    )


def _check_event_date(t: Template, c: Claim, art: Article, at: dt.date) -> Verdict:
    ev = series(t.series)  # events are dated; their date is known whenever they happened before the article
    ev = [e for e in ev if e.period_end <= max(at, e.period_end)]
    if not ev:
        raise LookupError(f"no event {t.series}")
    e = ev[0]
    if t.check == "years_since":
        diff = at.year - e.period_end.year
        ok = abs(diff - (c.value or 0)) <= 0.5
        return Verdict(
            "consistent" if ok else "inconsistent",
            f"{at.year} - {e.period_end.year} = {diff} years vs claim {c.value:g}",
            [e.source()],
            float(diff),
        )
    res = c.resolution
    same = (
        c.date is not None
        and c.date.year == e.period_end.year
        and (
            res == "year" or (c.date.month == e.period_end.month and (res == "month" or c.date.day == e.period_end.day))
        )
    )
    return Verdict(
        "consistent" if same else "inconsistent", f"event on {e.as_of}; claim {c.date} (to the {res})", [e.source()]
    )


def _check_event_value(t: Template, c: Claim, art: Article, at: dt.date) -> Verdict:
    held = [o for o in series(t.series) if o.period_end <= at]  # an event is a fact from the day it happens
    if not held:
        raise LookupError(f"no event {t.series} by {at}")
    e = held[-1]
    ok = abs(e.value - (c.value or 0)) < 1e-9
    return Verdict(
        "consistent" if ok else "inconsistent",
        f"source: {e.value:g} {e.unit} vs claim {c.value:g}",
        [e.source()],
        e.value,
    )


def _check_estimate(t: Template, c: Claim, art: Article, at: dt.date) -> Verdict:
    obs = _need(t.series, at)
    v = _history(c, obs, t, at)
    if v.verdict == "inconsistent":
        v.arithmetic = (
            f"latest estimate by {at}: {_fmt(obs[-1].value)} {obs[-1].unit} ({obs[-1].as_of}); all held: "
            + ", ".join(f"{_fmt(o.value)} ({o.as_of})" for o in obs)
            + f"; claim {_fmt(c.value or 0)}"
        )
        v.sources = [o.source() for o in obs]
    return v


def _check_horizon(t: Template, c: Claim, art: Article, at: dt.date) -> Verdict:
    obs = _need(t.series, at)
    ok = t.expected is not None and abs(t.expected - (c.value or 0)) < 1e-9
    return Verdict(
        "consistent" if ok else "inconsistent",
        f"the estimates cover {t.expected:g} years vs claim {c.value:g}",
        [obs[-1].source()],
        t.expected,
    )


_CHECKS: dict[str, Callable[[Template, Claim, Article, dt.date], Verdict]] = {
    "none": _check_none,
    "level": _check_level,
    "peak": _check_peak,
    "fall_from_peak": _check_fall_from_peak,
    "milestone": _check_milestone,
    "since": _check_since,
    "streak": _check_streak,
    "share": _check_share,
    "compare": _check_compare,
    "event_date": _check_event_date,
    "years_since": _check_event_date,
    "event_value": _check_event_value,
    "estimate": _check_estimate,
    "horizon": _check_horizon,
}


def _run(t: Template, c: Claim, art: Article, at: dt.date) -> Verdict:
    """The verdict of template ``t``'s check (its ``check`` names one of :data:`_CHECKS`)."""
    return _CHECKS[t.check](t, c, art, at)
