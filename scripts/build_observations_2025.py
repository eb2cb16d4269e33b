"""Build the bundled observations table ``observed/rare-earths-2025`` from ``data/facts/observed_2025.csv``.

Each numeric fact row whose ``as_of`` is a month (YYYY-MM), a half year (YYYY-H1) or a year (YYYY)
becomes one observation ``series, period, value, unit, geography, source``; the source id
``O.<series>.<period>`` has a row in ``sources.csv`` with the page's title, address and date, and
what was done to the figure. Two licence-approval facts are not single numbers in the fact table
and are converted here, explicitly (see DERIVED): "about 25 %" -> 0.25 (share of requests granted,
April to early June 2025) and "19 of 141" -> 19 / 141 = 0.135 (share of EU Chamber members'
applications approved by September 2025, pending ones counted as not approved).

Usage: python scripts/build_observations_2025.py [--facts DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import io
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FACTS = REPO / "data" / "facts"
OUT = REPO / "src" / "chokepoints" / "datasets" / "data" / "observed" / "rare-earths-2025"
PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]|H[12]))?$")

# key -> (series, period, value, unit, what was done), for facts that are not one plain number
DERIVED = {
    ("obs.licence_approvals.clepa", "2025-06-04"): (
        "licence_approval_share.clepa",
        "2025-04-04/2025-06-04",  # since the regime began (4 April) to the report (4 June)
        0.25,
        "share",
        "'about 25%' of licence requests granted since early April, read as 0.25 (a share)",
    ),
    ("obs.licence_approvals.eu_chamber", "2025-09"): (
        "licence_approval_share.eu_chamber",
        "2025-04/2025-09",
        round(19 / 141, 4),
        "share",
        "19 approved of 141 applications (1 rejected, 121 pending): 19 / 141 = 0.1348, pending counted as not granted",
    ),
    # Adamas gives April and March only as changes from the month after; the levels follow from May's 46.4 t
    # (the customs figure of obs.cn_magnet_exports.usa 2025-05), each rounded percentage compounding
    ("obs.cn_magnet_exports.usa", "2025-04"): (
        "cn_magnet_exports.usa",
        "2025-04",
        round(46.4 / (1 - 0.81), 1),
        "t",
        "May's 46.4 t was 81% below April: April = 46.4 / 0.19 = 244.2 t (derived; +-1 point on 81% moves it +-6%)",
    ),
    ("obs.cn_magnet_exports.usa", "2025-03"): (
        "cn_magnet_exports.usa",
        "2025-03",
        round(46.4 / (1 - 0.81) / (1 - 0.58), 1),
        "t",
        "April was 58% below March: March = 244.2 / 0.42 = 581.5 t (derived from two rounded percentages)",
    ),
    # September from October's level (656 t, Bloomberg) and the reported +56.1 % month on month
    ("obs.cn_magnet_exports.usa", "2025-09"): (
        "cn_magnet_exports.usa",
        "2025-09",
        round(656 / 1.561, 1),
        "t",
        "October's 656 t was 56.1% above September: September = 656 / 1.561 = 420.2 t (derived)",
    ),
}


def build(facts: Path) -> tuple[list[dict], list[dict]]:
    obs: list[dict] = []
    sources: list[dict] = []
    with open(facts / "observed_2025.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            key, as_of = row["key"], row["as_of"]
            derived = DERIVED.get((key, as_of))
            if derived is not None:
                series, period, value, unit, done = derived
            else:
                try:
                    value = float(row["value"])
                except ValueError:
                    continue
                if not PERIOD.match(as_of):
                    continue
                series, period, unit = key.removeprefix("obs."), as_of, row["unit"]
                done = "copied as given"
            sid = f"O.{series}.{period}"
            obs.append(
                {
                    "series": series,
                    "period": period,
                    "value": f"{value:.10g}",
                    "unit": unit,
                    "geography": row["geography"],
                    "source": sid,
                }
            )
            pub = row["note"].split(";")[0].removeprefix("pub: ").strip() if row["note"].startswith("pub:") else ""
            sources.append(
                {
                    "source_id": sid,
                    "kind": "source",
                    "title": row["source_title"],
                    "url": row["source_url"],
                    "date": pub,
                    "note": f"facts observed_2025.csv: key '{key}' [{row['geography']}, {as_of}] = {row['value']} "
                    f"{row['unit']}. Used: {done}. {row['note']}",
                }
            )
    return obs, sources


def write_csv(path: Path, rows: list[dict]) -> None:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--facts", type=Path, default=FACTS)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    obs, sources = build(args.facts)
    args.out.mkdir(parents=True, exist_ok=True)
    write_csv(args.out / "observations.csv", obs)
    write_csv(args.out / "sources.csv", sources)
    print(f"{len(obs)} observations -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
