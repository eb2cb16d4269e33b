"""Product selectors of tariff rows (``all``, HS prefixes, HS sections, product ids) and the
Catalog of products they match; used by :mod:`.schedule`, which re-exports them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .data import HS_SECTIONS


@dataclass(frozen=True)
class Selector:
    kind: str  # all | hs | section | id
    value: str = ""

    def __str__(self) -> str:
        return "*" if self.kind == "all" else self.value if self.kind == "id" else f"{self.kind}:{self.value}"


def parse_selector(text: str) -> Selector:
    """``*``/``all``: all products; ``hs:8517``: HS prefix; ``section:XVI``; else a product id."""
    s = str(text).strip()
    if s in ("*", "all"):
        return Selector("all")
    if s.startswith("hs:"):
        digits = s[3:].strip()
        if not digits.isdigit():
            raise ValueError(f"'hs:' must be followed by digits, got {s!r}")
        return Selector("hs", digits)
    if s.startswith("section:"):
        sec = s[8:].strip().upper()
        if sec not in HS_SECTIONS:
            raise ValueError(f"unknown HS section {sec!r}; expected I to XXI")
        return Selector("section", sec)
    if not s:
        raise ValueError("empty product selector")
    return Selector("id", s)


def _chapters(sel: Selector) -> set[int]:
    if sel.kind == "section":
        lo, hi = HS_SECTIONS[sel.value]
        return set(range(lo, hi + 1))
    if sel.kind == "hs":
        if len(sel.value) >= 2:
            return {int(sel.value[:2])}
        d = int(sel.value)
        return set(range(10 * d, 10 * d + 10))
    return set()


def selectors_may_overlap(a: Selector, b: Selector) -> bool:
    """True when two selectors share products whatever the catalogue (ids vs codes: False)."""
    if a.kind == "all" or b.kind == "all":
        return True
    if a.kind == b.kind == "hs":
        return a.value.startswith(b.value) or b.value.startswith(a.value)
    if a.kind == b.kind:
        return a.value == b.value
    if {a.kind, b.kind} == {"hs", "section"}:
        return bool(_chapters(a) & _chapters(b))
    return False


@dataclass
class Catalog:
    """Products the selectors are matched against: id, HS code ('' if none) and HS section."""

    product: np.ndarray
    hs: np.ndarray
    section: np.ndarray

    @classmethod
    def from_frame(cls, df: pd.DataFrame) -> Catalog:
        return cls(
            np.asarray(df["product"], dtype=str),
            np.asarray(df["hs"].fillna(""), dtype=str),
            np.asarray(df["section"].fillna(""), dtype=str),
        )

    def index(self) -> dict[str, int]:
        return {p: i for i, p in enumerate(self.product)}

    def match(self, sel: Selector) -> np.ndarray:
        if sel.kind == "all":
            return np.ones(len(self.product), dtype=bool)
        if sel.kind == "id":
            return self.product == sel.value
        if sel.kind == "section":
            return self.section == sel.value
        return np.char.startswith(self.hs, sel.value) & (self.hs != "")

    def match_any(self, sels: Iterable[Selector]) -> np.ndarray:
        out = np.zeros(len(self.product), dtype=bool)
        for s in sels:
            out |= self.match(s)
        return out
