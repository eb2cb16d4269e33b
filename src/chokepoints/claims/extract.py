"""Find the article body, date the article and extract its numeric claims (rules, no model).

Body: page furniture is dropped line by line (site header, share counter, disclaimers), and the text
stops at the first marker of the page's tail (``特别声明``, ``Notice:``, ``相关推荐``, ``Related``...).
A ``参考资料`` / ``References`` block is kept apart: its dates date the article, its headlines are not
claims.

Date, first that applies: ``--date``; an HTML ``article:published_time``/``<time datetime>``; a
``发布于``/``Published`` line; the latest date in the references (the article is not older); the last
timestamp of the page (the author card of the page); else the latest full date in the body.

Claims: each match of a rule in :data:`RULES` (dates, amounts with currency and scale words,
percentages, tonnages, durations, counts, streaks, "lowest since", technology nodes) plus the phrase
rules of the registry (comparisons without a number). Every claim records its rule, so each match is
explained. Figures inside quotation marks, model names (F-35, A100) and the numeral 一 alone are not claims.
"""

from __future__ import annotations

import datetime as dt
import html as html_mod
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from ..errors import InputError, Problem
from .numerals import parse_number

__all__ = ["Article", "Claim", "read_article", "extract_claims", "SCALES"]

CN_NUM = r"[零〇一二两三四五六七八九十百千]+"
AR_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
NUM = rf"(?:{AR_NUM}|{CN_NUM})"
SCALES = {
    "万亿": 1e12,
    "亿": 1e8,
    "万": 1e4,
    "tn": 1e12,
    "trillion": 1e12,
    "bn": 1e9,
    "billion": 1e9,
    "million": 1e6,
    "m": 1e6,
}
CN_SCALE = r"(?:万亿|亿|万)"
EN_SCALE = r"(?:tn|trillion|bn|billion|million)\b"
MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    )
}
EN_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"

TAIL_MARKERS = (
    "特别声明",
    "Notice:",
    "相关推荐",
    "热点推荐",
    "声明:取材网络",
    "声明：",
    "Related articles",
    "Related stories",
    "Read more",
    "Disclaimer:",
)
REF_MARKERS = ("参考资料", "References", "Sources:")
FURNITURE = re.compile(
    r"^(?:(?:发布于|发布时间|Published:?|Posted:?)\s.{0,40}|网易首页.*|.*申请入驻|分享至|\d{1,6}|Share|Advertisement|Subscribe.*|Home\s*>.*)$"
)


@dataclass
class Claim:
    """One numeric claim of the article: where it is, what it says, which rule found it."""

    text: str
    start: int
    end: int
    kind: str  # date, amount, percent, tonnage, duration, count, streak, since, spec, comparison
    value: float | None
    unit: str
    bound: str = "="  # =, >, <, ~
    rule: str = ""
    sentence: str = ""
    clause: str = ""
    date: dt.date | None = None  # for date claims
    resolution: str = ""  # day, month, year for date claims
    extra: dict[str, object] = field(default_factory=dict)


@dataclass
class Article:
    path: str
    title: str
    body: str
    references: list[str]
    date: dt.date
    date_basis: str
    lang: str


class _Text(HTMLParser):
    BLOCK = {"p", "div", "br", "h1", "h2", "h3", "h4", "li", "tr", "section", "article", "header", "footer", "title"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.meta_date: str | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("script", "style", "nav"):
            self._skip += 1
        if tag == "meta" and a.get("property", a.get("name", "")) in ("article:published_time", "pubdate", "date"):
            self.meta_date = self.meta_date or a.get("content")
        if tag == "time" and a.get("datetime"):
            self.meta_date = self.meta_date or a.get("datetime")
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "nav") and self._skip:
            self._skip -= 1
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


_FULL_DATE = re.compile(r"(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})")


def _first_date(s: str) -> dt.date | None:
    m = _FULL_DATE.search(s)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def read_article(path: str, text: str, date: dt.date | None = None, lang: str | None = None) -> Article:
    """The body, references and date of a saved page or plain-text article."""
    meta_date = None
    if re.search(r"<(?:html|body|p|div)\b", text, re.I):
        parser = _Text()
        parser.feed(text)
        text = html_mod.unescape("".join(parser.parts))
        meta_date = parser.meta_date
    lines = [ln.strip() for ln in text.replace("\r\n", "\n").split("\n")]
    body_lines: list[str] = []
    refs: list[str] = []
    tail: list[str] = []
    mode = "body"
    for ln in lines:
        if mode != "tail" and any(ln.startswith(m) for m in TAIL_MARKERS):
            mode = "tail"
        elif mode == "body" and any(ln.startswith(m) for m in REF_MARKERS):
            mode = "refs"
            continue
        if mode == "tail":
            tail.append(ln)
        elif mode == "refs":
            if ln:
                refs.append(ln)
        elif ln and not FURNITURE.match(ln):
            body_lines.append(ln)
    if not body_lines:
        raise InputError(Problem(path, "no article text found"))
    title = body_lines[0]
    body = "\n\n".join(body_lines)
    if lang is None:
        cjk = len(re.findall(r"[\u4e00-\u9fff]", body))
        lang = "zh" if cjk > len(body) * 0.2 else "en"
    basis = ""
    if date is not None:
        basis = "--date"
    elif meta_date and (d := _first_date(meta_date)):
        date, basis = d, "page metadata (published time)"
    elif m := re.search(r"^(?:发布于|发布时间|Published:?|Posted:?)\s*(\S.{0,30})", text, re.M):
        if d := _first_date(m[1]) or _en_date(m[1]):
            date, basis = d, "publication line"
    if date is None:
        ref_dates = [d for r in refs if (d := _first_date(r))]
        if ref_dates:
            date, basis = max(ref_dates), "latest date in the article's references"
    if date is None:
        stamps = [
            d for ln in tail if re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?", ln) if (d := _first_date(ln))
        ]
        if stamps:
            date, basis = stamps[-1], "last timestamp of the page (author card)"
    if date is None:
        found = [d for d in (_first_date(m[0]) for m in _FULL_DATE.finditer(body)) if d]
        if found:
            date, basis = max(found), "latest full date in the text"
    if date is None:
        raise InputError(Problem(path, "cannot date the article: no date in the page; pass --date YYYY-MM-DD"))
    return Article(path, title, body, refs, date, basis, lang)


def _en_date(s: str) -> dt.date | None:
    m = re.search(rf"({EN_MONTH})\s+(\d{{1,2}}),?\s+(\d{{4}})|(\d{{1,2}})\s+({EN_MONTH})\s+(\d{{4}})", s)
    if not m:
        return None
    if m[1]:
        return dt.date(int(m[3]), MONTHS[m[1].lower()], int(m[2]))
    return dt.date(int(m[6]), MONTHS[m[5].lower()], int(m[4]))


def _num(s: str) -> float:
    return parse_number(s.replace(",", ""))


BOUND_CUES = [
    (r"(?:超过了?|突破了?|逾|超|多于|高于|above|over|more than|exceeds?|exceeding|surpass(?:ed)?)\s*$", ">"),
    (r"(?:跌破了?|低于|不足|不到|少于|below|under|less than|fewer than)\s*$", "<"),
    (r"(?:接近|约|近|大约|左右|nearly|about|around|roughly|almost|some)\s*$", "~"),
]


def _bound(before: str) -> str:
    for pat, op in BOUND_CUES:
        if re.search(pat, before[-12:], re.I):
            return op
    return "="


def _rules() -> list[tuple[str, re.Pattern[str]]]:
    no_model = r"(?<![A-Za-z\-\d.])"
    return [
        (
            "since",
            re.compile(
                rf"自\s*(\d{{4}})\s*年[^,。,]{{0,12}}?以来的?(最低|最高|最大|最小)|"
                rf"(lowest|highest|largest|smallest) (?:level )?since (?:{EN_MONTH} )?(\d{{4}})"
            ),
        ),
        (
            "streak",
            re.compile(
                rf"连续\s*({NUM})\s*个月|({AR_NUM}) (?:consecutive|straight) months|"
                rf"({AR_NUM}) months in a row"
            ),
        ),
        ("date_ymd", re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")),
        ("date_en_mdy", re.compile(rf"({EN_MONTH}) (\d{{1,2}}),? (\d{{4}})|(\d{{1,2}}) ({EN_MONTH}) (\d{{4}})")),
        ("date_md", re.compile(r"(?<!\d)(\d{1,2})月(\d{1,2})日")),
        ("date_ym", re.compile(r"(\d{4})年(\d{1,2})月")),
        ("date_en_my", re.compile(rf"({EN_MONTH}) (\d{{4}})")),
        ("date_this_month", re.compile(rf"(今年|去年|明年)({NUM})月")),
        (
            "amount",
            re.compile(
                rf"{no_model}({NUM})\s*({CN_SCALE})?\s*(美元|人民币|元)|"
                rf"(?:US)?\$\s?({AR_NUM})\s*({EN_SCALE})?|({AR_NUM})\s*({EN_SCALE})\s*(?:dollars|USD)",
                re.I,
            ),
        ),
        ("percent", re.compile(rf"{no_model}({AR_NUM})\s*(?:%|％|per ?cent\b|percent\b)|百分之({NUM})")),
        ("tonnage", re.compile(rf"{no_model}({NUM})\s*(万)?\s*(吨|tonnes\b|tons\b|t\b)")),
        ("spec", re.compile(rf"{no_model}(\d+)\s*(nm)(?![A-Za-z])")),
        (
            "duration",
            re.compile(
                rf"{no_model}({NUM})\s*(个月|个小时|小时|天|周|(?<!\d\d\d)年(?=过去|内|里|间|来|中|前|后)|"
                rf"(?<=\d)年(?!\d))|{no_model}({AR_NUM}|one|two|three|four|five|six|seven|eight|nine|ten|"
                rf"twelve|fifteen|twenty)[ -](months?|years?|hours?|days?|weeks?)\b",
                re.I,
            ),
        ),
        (
            "date_year",
            re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年|(?<![\d$])(?:in|since|from|by|until|of) ((?:19|20)\d{2})\b"),
        ),
        (
            "count",
            re.compile(
                rf"{no_model}({NUM})\s*(万)?\s*(种|项|件|个|名|人|家|辆|枚|架|批|位|国)|"
                rf"{no_model}({AR_NUM}|two|three|four|five|six|seven|eight|nine|ten) "
                rf"(rare earths?|elements|topics|issues|exemptions|countries|people|officials|vehicles|cars)\b",
                re.I,
            ),
        ),
    ]


EN_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
}


def _val(s: str) -> float:
    return float(EN_WORDS[s.lower()]) if s.lower() in EN_WORDS else _num(s)


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"“[^”]*”|\"[^\"\n]*\"|「[^」]*」", text)]


def _sentence(text: str, start: int, end: int) -> tuple[str, str]:
    s0 = max(text.rfind(c, 0, start) for c in "。!?!?\n") + 1
    ends = [i for c in "。!?!?\n" if (i := text.find(c, end)) >= 0]
    s1 = min(ends) if ends else len(text)
    seps = (",", ",", ";", ";", ":", " and ")
    c0 = max(text.rfind(c, 0, start) + len(c) for c in seps)
    c0 = max(c0, s0)
    cends = [i for c in seps[:4] + (" and ",) if (i := text.find(c, end)) >= 0]
    c1 = min([s1, *cends])
    return text[s0:s1].strip(), text[c0:c1].strip()


def extract_claims(article: Article, phrase_rules: list[tuple[str, re.Pattern[str]]] | None = None) -> list[Claim]:
    """Every numeric claim of the body, in reading order (non-overlapping; earlier rules win)."""
    text = article.body
    taken: list[tuple[int, int]] = list(_quoted_spans(text))
    claims: list[Claim] = []

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken)

    for rule, rx in [*(phrase_rules or []), *_rules()]:
        for m in rx.finditer(text):
            a, b = m.span()
            if not free(a, b):
                continue
            c = _make(rule, m, article)
            if c is None:
                continue
            c.sentence, c.clause = _sentence(text, a, b)
            c.bound = _bound(text[max(0, a - 12) : a]) if c.bound == "=" else c.bound
            taken.append((a, b))
            claims.append(c)
    claims.sort(key=lambda c: c.start)
    return claims


def _make(rule: str, m: re.Match[str], art: Article) -> Claim | None:  # noqa: C901 - one branch per rule
    g = m.groups()
    a, b, t = m.start(), m.end(), m.group(0)
    year = art.date.year
    if rule.startswith("phrase:"):
        return Claim(t, a, b, "comparison", None, "", rule=rule)
    if rule == "since":
        y = int(g[0] or g[3])
        return Claim(t, a, b, "since", float(y), "year", rule=rule, extra={"extreme": g[1] or g[2]})
    if rule == "streak":
        return Claim(t, a, b, "streak", _val(next(x for x in g if x)), "months", rule=rule)
    if rule == "date_ymd":
        d = _safe_date(int(g[0]), int(g[1]), int(g[2]))
        return Claim(t, a, b, "date", None, "date", rule=rule, date=d, resolution="day") if d else None
    if rule == "date_en_mdy":
        d = _en_date(t)
        return Claim(t, a, b, "date", None, "date", rule=rule, date=d, resolution="day") if d else None
    if rule == "date_md":
        d = _safe_date(year, int(g[0]), int(g[1]))
        return Claim(t, a, b, "date", None, "date", rule=rule, date=d, resolution="day") if d else None
    if rule == "date_ym":
        d = _safe_date(int(g[0]), int(g[1]), 1)
        return Claim(t, a, b, "date", None, "date", rule=rule, date=d, resolution="month") if d else None
    if rule == "date_en_my":
        return Claim(
            t,
            a,
            b,
            "date",
            None,
            "date",
            rule=rule,
            date=dt.date(int(g[1]), MONTHS[g[0].lower()], 1),
            resolution="month",
        )
    if rule == "date_this_month":
        y = year + {"今年": 0, "去年": -1, "明年": 1}[g[0]]
        d = _safe_date(y, int(_num(g[1])), 1)
        return Claim(t, a, b, "date", None, "date", rule=rule, date=d, resolution="month") if d else None
    if rule == "date_year":
        y = int(g[0] or g[1])
        return Claim(t, a, b, "date", None, "date", rule=rule, date=dt.date(y, 1, 1), resolution="year")
    if rule == "amount":
        if g[0] is not None:
            v = _num(g[0]) * SCALES.get(g[1] or "", 1.0)
            cur = "CNY" if g[2] in ("人民币", "元") else "USD"
        elif g[3] is not None:
            v, cur = _num(g[3]) * SCALES.get((g[4] or "").lower(), 1.0), "USD"
        else:
            v, cur = _num(g[5]) * SCALES[g[6].lower()], "USD"
        return Claim(t, a, b, "amount", v / 1e9, f"{cur} bn", rule=rule)
    if rule == "percent":
        return Claim(t, a, b, "percent", _num(g[0] or g[1]), "percent", rule=rule)
    if rule == "tonnage":
        if g[2] == "t" and not re.match(r"\d", t):
            return None
        return Claim(t, a, b, "tonnage", _num(g[0]) * (1e4 if g[1] else 1.0), "t", rule=rule)
    if rule == "spec":
        return Claim(t, a, b, "spec", float(g[0]), g[1], rule=rule)
    if rule == "duration":
        if g[0] is not None:
            unit = {"个月": "months", "个小时": "hours", "小时": "hours", "天": "days", "周": "weeks"}.get(
                g[1], "years"
            )
            if unit == "years" and _num(g[0]) >= 1000:
                return None  # a year such as 2010年 is a date
            return Claim(t, a, b, "duration", _num(g[0]), unit, rule=rule)
        unit = g[3].lower().rstrip("s") + "s"
        return Claim(t, a, b, "duration", _val(g[2]), unit, rule=rule)
    if rule == "count":
        if g[0] is not None:
            if g[0] in ("一", "1", "十", "百", "千", "零", "〇", "0"):
                return None
            return Claim(t, a, b, "count", _num(g[0]) * (1e4 if g[1] else 1.0), g[2], rule=rule)
        return Claim(t, a, b, "count", _val(g[3]), g[4].lower(), rule=rule)
    return None


def _safe_date(y: int, mo: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, mo, d)
    except ValueError:
        return None
