"""chokepoints check: numerals (property tests), body finder, the four verdicts worked by hand, CLI."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from chokepoints.claims import check_file, check_text
from chokepoints.claims.numerals import parse_number, to_chinese
from chokepoints.cli import app

DATA = Path(__file__).parent / "data" / "articles"
# CI keeps a copy of shared/ beside the repository (../shared); CHOKEPOINTS_SHARED overrides
SHARED = Path(os.environ.get("CHOKEPOINTS_SHARED", Path(__file__).resolve().parents[1].parent / "shared")) / "articles"


@given(st.integers(min_value=0, max_value=2**53 - 1))
def test_chinese_numerals_round_trip(n: int) -> None:
    assert parse_number(to_chinese(n)) == n


@given(st.integers(min_value=1, max_value=99999), st.sampled_from([("亿", 1e8), ("万亿", 1e12), ("万", 1e4)]))
def test_mixed_numerals(n: int, scale: tuple[str, float]) -> None:
    word, factor = scale
    assert parse_number(f"{n / 10:g}{word}") == pytest.approx(n / 10 * factor)


def test_numerals_by_hand() -> None:
    assert parse_number("1.3万亿") == 1.3e12
    assert parse_number("一百零五") == 105
    assert parse_number("两千") == 2000
    assert to_chinese(100010000) == "一亿零一万"


def _one(text: str, date: str) -> dict:
    _, cs = check_text(text, date=dt.date.fromisoformat(date))
    assert len(cs) == 1, [c.claim.text for c in cs]
    return cs[0].to_dict()


def test_consistent_by_hand() -> None:
    # Nov 2025 TIC level 682.6 (available 2026-01-18); claim 683.0, tolerance 1% of 682.6 + 0.5 precision
    d = _one("China's holdings of US Treasuries fell to $683bn.", "2026-01-25")
    assert d["verdict"] == "consistent" and d["data_value"] == pytest.approx(682.6)
    assert d["sources"][0]["url"].startswith("https://")


def test_outdated_by_hand_gives_the_date() -> None:
    # debt passed 35tn in 2024-07 and 36tn in 2024-11: '35tn' stopped being the current figure in 2024-11
    d = _one("US gross debt has passed $35tn.", "2026-01-25")
    assert d["verdict"] == "outdated" and d["stopped"] == "2024-11-30"
    # before 2024-11 the same sentence is consistent
    assert _one("US gross debt has passed $35tn.", "2024-09-01")["verdict"] == "consistent"


def test_outdated_share_by_vintage() -> None:
    # MCS 2024: 44 / 115.4 = 38.1% (within 1.5 pp of 37); MCS 2025 (2025-01-31): 44 / 90 = 48.9%
    d = _one("China controls 37% of the world's rare earth reserves.", "2025-06-10")
    assert d["verdict"] == "outdated" and d["stopped"] == "2025-01-31"
    assert d["data_value"] == pytest.approx(100 * 44 / 90)


def test_inconsistent_by_hand_gives_the_data_value() -> None:
    # Tax Foundation (May/June 2025): tariffs raise $2,028.5bn over 10 years -> debt lower, not +$4.6tn
    d = _one("The Tax Foundation says the tariffs add $4.6tn to US debt.", "2025-06-10")
    assert d["verdict"] == "inconsistent" and d["data_value"] == pytest.approx(-2028.53)


def test_unverifiable_by_hand_says_what_is_needed() -> None:
    d = _one("The Pentagon's stockpile lasts three months.", "2025-06-10")
    assert d["verdict"] == "unverifiable" and d["needs"] and not d["sources"]


def test_streak_becomes_outdated_when_the_next_month_is_out() -> None:
    text = "The central bank has bought gold for 14 months in a row."
    assert _one(text, "2026-01-25")["verdict"] == "consistent"
    late = _one(text, "2026-02-10")  # the 15th month was published on 2026-02-07
    assert late["verdict"] == "outdated" and late["stopped"] == "2026-02-07"


def test_body_finder_drops_related_headlines_and_dates_from_page() -> None:
    art, cs = check_file(DATA / "en-treasuries-2026.txt")
    assert art.date == dt.date(2026, 1, 28) and art.date_basis == "publication line"
    texts = [c.claim.text for c in cs]
    assert "$50bn" not in texts and "January 28, 2026" not in texts
    assert {c.verdict.verdict for c in cs} == {"consistent", "outdated"}


def test_english_article_all_four_kinds() -> None:
    _, cs = check_file(DATA / "en-rare-earths-2025.txt")
    assert {c.verdict.verdict for c in cs} == {"consistent", "outdated", "inconsistent", "unverifiable"}


def test_cli_json_and_html(tmp_path: Path) -> None:
    res = CliRunner().invoke(
        app, ["check", str(DATA / "en-rare-earths-2025.txt"), "--format", "json", "--out", str(tmp_path)]
    )
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert all({"text", "value", "unit", "verdict", "sources"} <= set(r) for r in rows)
    page = (tmp_path / "en-rare-earths-2025.claims.html").read_text()
    assert "#ffc4c4" in page and "$4.6tn" in page


def test_cli_bad_date_is_one_line(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["check", str(DATA / "en-rare-earths-2025.txt"), "--date", "June"])
    assert res.exit_code == 2 and "--date" in res.output


@pytest.mark.skipif(not SHARED.exists(), reason="shared articles not present")
@pytest.mark.parametrize("name", ["netease-2026-01-treasuries-agenda.txt", "netease-2025-06-london-talks.txt"])
def test_shared_articles(name: str) -> None:
    art, cs = check_file(SHARED / name)  # its time is measured in benchmarks/bench_claims.py, not here
    texts = [c.claim.text for c in cs]
    assert "45%" not in texts and "10万头" not in "".join(texts)  # reference and related headlines
    assert all(c.verdict.verdict != "unverifiable" or c.verdict.needs for c in cs)
    assert all(c.verdict.sources for c in cs if c.verdict.verdict != "unverifiable")
    assert len(cs) >= 13
