"""Chinese and mixed Arabic/Chinese numerals.

``parse_number("1.3万亿") == 1.3e12``; ``parse_number("一百零五") == 105``; ``parse_number("6830亿") == 6.83e11``.

Rules (the standard reading of Chinese numerals):
- the big units multiply what stands to their left: value = left x 10^8 + right for the last 亿,
  then value = left x 10^4 + right for the last 万 (so 万亿 = 10^4 x 10^8 = 10^12);
- inside a section below 10^4: each of 十 百 千 multiplies the digit before it (1 if none), the digits add;
- 零/〇 only marks a gap; 两 is 2; Arabic digits (with a decimal point and thousands commas) may stand
  for any section value ("1.3万亿", "60万").

:func:`to_chinese` writes an integer the standard way; the two are inverse (property tested).
"""

from __future__ import annotations

import re

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
BIG_UNITS = {"万": 10**4, "亿": 10**8}
NUMERAL_CHARS = "".join(DIGITS) + "".join(SMALL_UNITS) + "".join(BIG_UNITS)
_ARABIC = re.compile(r"^\d+(?:\.\d+)?$")

__all__ = ["parse_number", "to_chinese", "NUMERAL_CHARS", "DIGITS"]


def _section(s: str) -> float:
    """A section below 10^4 (or an Arabic number of any size)."""
    if not s:
        return 0.0
    if _ARABIC.match(s):
        return float(s)
    if not any(c in SMALL_UNITS for c in s) and len(s) > 1 and all(c in DIGITS for c in s):
        return float("".join(str(DIGITS[c]) for c in s))  # a digit string such as 二〇二五
    total = 0.0
    cur: float | None = None
    for c in s:
        if c in DIGITS:
            cur = float(DIGITS[c])
        elif c in SMALL_UNITS:
            total += (1.0 if cur is None else cur) * SMALL_UNITS[c]
            cur = None
        else:
            raise ValueError(f"not a numeral: {s!r}")
    return total + (cur or 0.0)


def parse_number(text: str) -> float:
    """The value of a Chinese, Arabic or mixed numeral; ValueError if ``text`` is not one."""
    s = text.strip().replace(",", "").replace("，", "")
    if not s:
        raise ValueError("empty numeral")
    for unit in ("亿", "万"):
        i = s.rfind(unit)
        if i >= 0:
            left, right = s[:i], s[i + 1 :]
            mult = parse_number(left) if left else 1.0
            return mult * BIG_UNITS[unit] + (parse_number(right) if right else 0.0)
    return _section(s)


def _small(n: int) -> str:
    """0 < n < 10^4 in characters, with 零 for inner gaps."""
    out: list[str] = []
    gap = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, value)
        if d:
            if gap and out:
                out.append("零")
            out.append("一二三四五六七八九"[d - 1] + unit)
            gap = False
        else:
            gap = True
    return "".join(out)


def _below_yi(n: int, leading: bool) -> str:
    """0 < n < 10^8: 万 section and units section; ``leading`` if nothing is written before it."""
    hi, lo = divmod(n, 10**4)
    out = ""
    if hi:
        out = _small(hi) + "万"
        if lo:
            out += ("零" if lo < 1000 else "") + _small(lo)
    else:
        out = ("" if leading or lo >= 1000 else "零") + _small(lo)
    return out


def to_chinese(n: int) -> str:
    """An integer 0 <= n < 10^16 in standard Chinese numerals (十 for 10-19 at the start).

    Written as (n // 10^8) 亿, then 万 and units sections; a 零 marks a gap before a section
    that does not fill its four places (一亿零一万, 一万零一)."""
    if n < 0 or n >= 10**16:
        raise ValueError("to_chinese takes 0 <= n < 10^16")
    if n == 0:
        return "零"
    yi, rest = divmod(n, 10**8)
    if yi:
        s = _below_yi(yi, True) + "亿"
        if rest:
            s += ("零" if rest < 10**7 else "") + _below_yi(rest, True)
    else:
        s = _below_yi(rest, True)
    return "十" + s[2:] if s.startswith("一十") else s
