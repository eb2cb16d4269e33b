"""Extract the Section 301 product exclusions of HTSUS chapter 99, US note 20(ttt)-(www), into a CSV.

    python scripts/extract_s301_exclusions.py PATH/chapter99_2026_rev_6.txt [--out data/tariffs/budget-lab/...]

Input: the text of HTSUS 2026 Revision 6, chapter 99 (USITC; a US government work), as copied in the Yale Budget
Lab tracker (Budget-Lab-Yale/tariff-rate-tracker, data/us_notes/chapter99_2026_rev_6.txt, commit 8315fff, MIT
collection). Note 20 keeps the text of expired exclusion subdivisions; the ones that bear on 2024 and later are:

  (ttt) heading 9903.88.67  the 352 reinstated exclusions (to 2024-06-14)
  (uuu) heading 9903.88.68  the 77 COVID-related exclusions (to 2024-06-14)
  (vvv) heading 9903.88.69  the 164 exclusions extended from 2024-06-15
  (www) heading 9903.88.70  the 14 solar-manufacturing-equipment exclusions (from 2024-01-01)

Each subdivision has parts (i)-(iv), one per Section 301 list (1, 2, 3, 4A); (www) has one part (list 2).
Each numbered item is either a bare statistical reporting number (the whole HTS-10 line is excluded) or a
product description "(described in statistical reporting number ...)" (only that product within the line).
Output columns: subdivision, heading, list, item, hts10, whole_line (true for a bare number), description
(the item's first 120 characters). An item naming several numbers (before and after an HTS revision) gives one
row per number; numbers that no longer exist simply match no 2024 line. (The text numbers two items of
(ttt)(iii) "(180)" and none "(181)"; both are kept.)
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "tariffs" / "budget-lab" / "us_note_20_s301_exclusions_2026_rev6.csv"
SUBDIVISIONS = {"ttt": "9903.88.67", "uuu": "9903.88.68", "vvv": "9903.88.69", "www": "9903.88.70"}
PARTS = {"i": "1", "ii": "2", "iii": "3", "iv": "4A"}
CODE = re.compile(r"\b(\d{4})\.(\d{2})\.(\d{4})\b")
HEAD = re.compile(r"^\((sss|ttt|uuu|vvv|www)\)\s*(?:\((i|ii|iii|iv)\))?\s*The U\.S\. Trade Representative")
PART = re.compile(r"^\s*\((i|ii|iii|iv)\)\s*The U\.S\. Trade Representative")
ITEM = re.compile(r"^\s*\((\d+)\)\s+(.*)$")
END = re.compile(r"^\(21\)\s*\(a\)")
PAGE = ("Harmonized Tariff Schedule", "Annotated for Statistical", "XXII", "99 - III -", "U.S. Notes (con.)")


def extract(text: str) -> list[dict[str, str]]:
    """Rows (subdivision, heading, list, item, hts10, whole_line, description) of note 20(ttt)-(www)."""
    rows: list[dict[str, str]] = []
    sub: str | None = None
    part = ""
    item: list[str] = []
    num = ""

    def flush() -> None:
        if sub in SUBDIVISIONS and num:
            body = " ".join(item).strip()
            codes = ["".join(m.groups()) for m in CODE.finditer(body)]
            bare = CODE.sub("", body).strip(" ;,.") == ""
            for c in dict.fromkeys(codes):
                rows.append({"subdivision": sub, "heading": SUBDIVISIONS[sub], "list": part, "item": num,
                             "hts10": c, "whole_line": "true" if bare else "false",
                             "description": re.sub(r"\s+", " ", body)[:120]})  # fmt: skip

    for line in text.splitlines():
        if END.match(line) and sub is not None:
            break
        h = HEAD.match(line)
        p = PART.match(line)
        if h or p:
            flush()
            item, num = [], ""
            if h:
                sub = h.group(1)
                part = PARTS[h.group(2)] if h.group(2) else "2"  # (www) has no parts: it is list 2
            else:
                part = PARTS[p.group(1)]  # type: ignore[union-attr]
            continue
        if sub is None or line.strip().startswith(PAGE):
            continue
        m = ITEM.match(line)
        if m:
            flush()
            num, item = m.group(1), [m.group(2)]
        elif num:
            item.append(line.strip())
    flush()
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("chapter99", type=Path, help="chapter99_2026_rev_6.txt (HTSUS 2026 rev 6, chapter 99)")
    ap.add_argument("--out", type=Path, default=OUT)
    a = ap.parse_args(argv)
    if not a.chapter99.is_file():
        print(f"error: {a.chapter99}: no such file (expected the HTSUS chapter 99 text)", file=sys.stderr)
        return 2
    rows = extract(a.chapter99.read_text(encoding="utf-8", errors="replace"))
    if not rows:
        print(f"error: {a.chapter99}: no note 20(ttt)-(www) exclusion items found", file=sys.stderr)
        return 2
    cols = ["subdivision", "heading", "list", "item", "hts10", "whole_line", "description"]
    head = (
        "# HTSUS 2026 Revision 6, chapter 99, U.S. note 20(ttt)-(www): Section 301 product exclusions (headings\n"
        "# 9903.88.67-.70), one row per item and statistical reporting number. Extracted by\n"
        "# scripts/extract_s301_exclusions.py from the tracker's copy of the text,\n"
        "# data/us_notes/chapter99_2026_rev_6.txt (Budget-Lab-Yale/tariff-rate-tracker, commit 8315fff).\n"
    )
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(head + buf.getvalue(), encoding="utf-8")
    n = {
        s: len({(r["list"], r["item"], r["description"]) for r in rows if r["subdivision"] == s}) for s in SUBDIVISIONS
    }
    print(f"wrote {a.out}: {len(rows)} rows; items by subdivision {n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
