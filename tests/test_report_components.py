"""The shared table and chart components (report/components.py) in every bundled report kind.

Each report kind is written by its CLI command on a bundled scenario (small runs): ``run``,
``tariffs``, ``finance`` and ``negotiate``. Checked: no number in scientific notation in any table,
headers are labels (never raw code names), charts have no series hidden behind another, and in
headless chromium no table is wider than the viewport at 1,400 and 2,400 px.
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from chokepoints.cli import app
from chokepoints.report import components as C
from chokepoints.report.charts import band_figure

runner = CliRunner()
ENV = {"COLUMNS": "200"}
SCI = C.SCIENTIFIC

REPORTS = {
    "run": (["run", "cn-rare-earth-licensing-2025-04", "--runs", "6"], "report.html"),
    "tariffs": (["tariffs", "us-china-tariffs-2025"], "tariffs.html"),
    "finance": (["finance", "cn-treasury-sale-hypothetical", "--runs", "20"], "finance.html"),
    "negotiate": (["negotiate", "us-china-talks-2025", "--runs", "4", "--draws", "0"], "negotiation.html"),
}


class _Tables(HTMLParser):
    """Header texts (with their data-key) and cell texts of every table, links left out."""

    def __init__(self) -> None:
        super().__init__()
        self.headers: list[tuple[str | None, str]] = []
        self.cells: list[str] = []
        self._in: str | None = None
        self._key: str | None = None
        self._buf: list[str] = []
        self._in_link = False
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        if tag in ("th", "td"):
            self._in, self._key, self._buf = tag, dict(attrs).get("data-key"), []
        if tag == "a":
            self._in_link = True

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        if tag == "a":
            self._in_link = False
        if tag in ("th", "td") and self._in == tag:
            text = "".join(self._buf).strip()
            (self.headers.append((self._key, text)) if tag == "th" else self.cells.append(text))
            self._in = None

    def handle_data(self, data):
        if self._in and not self._in_link and not self._skip:
            self._buf.append(data)


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    out = {}
    for kind, (args, name) in REPORTS.items():
        folder = tmp_path_factory.mktemp(kind)
        res = runner.invoke(app, [*args, "--out", str(folder)], env=ENV)
        assert res.exit_code == 0, res.output
        out[kind] = folder / name
        assert out[kind].is_file()
    return out


def _tables(path: Path) -> _Tables:
    p = _Tables()
    p.feed(path.read_text(encoding="utf-8"))
    return p


@pytest.mark.parametrize("kind", list(REPORTS))
def test_tables_have_no_scientific_notation_and_labelled_headers(reports, kind):
    t = _tables(reports[kind])
    assert len(t.cells) > 50 and t.headers
    sci = [c for c in t.cells if SCI.search(c)]
    assert not sci, sci[:5]
    raw = [h for _, h in t.headers if C.is_code_name(h)]
    assert not raw, raw
    for key, text in t.headers:  # a column in the shared map shows its label and unit
        if key in C.COLUMN_LABELS:
            assert text == C.header_text(key)
    # numbers of 10,000 and over carry thousands separators
    big = [c for c in t.cells if re.fullmatch(r"[-−]?\d{5,}(\.\d+)?( %)?", c)]
    assert not big, big[:5]


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (1234567.891, "", "1,234,568"),
        (19470.0, "", "19,470"),
        (12.3456, "", "12.35"),
        (0.002743, "", "0.002743"),
        (0.0002743, "", "0.000274"),  # at most 6 decimals
        (2.743e-07, "", "< 0.000001"),
        (1e-9, "", "< 0.000001"),
        (-5.084e4, "", "-50,840"),
        (12345, "", "12,345"),
        (float("nan"), "", "—"),
        (None, "", "—"),
        (42.0, "%", "42 %"),
        (0.0, "", "0"),
    ],
)
def test_format_number(value, unit, text):
    assert C.format_number(value, unit) == text
    assert not SCI.search(C.format_number(value, unit))


def test_column_labels_and_text_cells():
    assert C.header_text("usd_median") == "Output lost (median) (USD)"
    assert C.header_text("imports_change_pct") == "Change in imports (%)"
    assert C.column_label("change_CHN") == ("Change, CHN", "USD m/yr")
    assert not C.is_code_name(C.column_label("some_new_column")[0])
    assert C.column_label("BATNA (no deal)") == ("BATNA (no deal)", "")
    # numbers written into text by str() are formatted like numbers; a hash in an address is left alone
    assert C.format_cell("2.743e-05") == ("0.000027", True)
    assert C.format_cell("unit value = 2.86e9/58,152")[0] == "unit value = 2,860,000,000/58,152"
    assert "5e128590" in C.format_cell("https://x.org/a2f19c5e128590c4/f.txt")[0]


def test_band_figure_keeps_equal_series_visible():
    """EV and ICE at 100 % of baseline: the later line must not hide the earlier one."""
    x = pd.date_range("2025-04-04", periods=30)
    flat = np.full((5, 30), 100.0)
    fig = band_figure(x, {"USA EV": flat, "USA ICE": flat.copy(), "USA wind": flat * 0.9}, "t", "%")
    assert C.overlapping_pairs(fig) == []
    lines = [t for t in fig.data if t.showlegend is not False]
    assert [t.name for t in lines] == ["USA EV", "USA ICE", "USA wind"]  # legend order = data order
    widths = [t.line.width for t in lines]
    assert widths == sorted(widths, reverse=True) and len(set(widths)) == 3
    assert len({t.line.dash for t in lines}) == 3


def test_separate_overlaps_on_coinciding_markers_and_lines():
    """Nash under Kalai-Smorodinsky: same package, same point; after separation Nash is a ring round KS."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for name in ("Nash", "Kalai–Smorodinsky"):
        fig.add_trace(go.Scatter(x=[0.4], y=[0.6], mode="markers", name=name, marker={"size": 13}))
    for name in ("a", "b"):
        fig.add_trace(go.Scatter(x=[1, 2, 3], y=[5.0, 5.0, 5.0], mode="lines", name=name, line={"width": 2}))
    assert C.overlapping_pairs(fig) == [(0, 1), (2, 3)]
    C.separate_overlaps(fig)
    assert C.overlapping_pairs(fig) == []
    assert fig.data[0].marker.size > fig.data[1].marker.size
    assert fig.data[2].line.width > fig.data[3].line.width and fig.data[2].line.dash != fig.data[3].line.dash


def test_negotiation_solutions_never_hidden():
    """Every round of the bundled talks: no solution marker hides another (where Nash and
    Kalai-Smorodinsky pick one package, the Nash marker is the larger, a ring round KS)."""
    from chokepoints.negotiation.analysis import analyse
    from chokepoints.negotiation.loader import load_negotiation
    from chokepoints.negotiation.report import _frontier_figure
    from chokepoints.scenario.library import scenario_path

    spec, sc, world = load_negotiation(scenario_path("us-china-talks-2025"), None)
    res = analyse(spec, sc, world, runs=4)
    assert res.talks
    for r in res.talks:
        fig = _frontier_figure(r)
        assert C.overlapping_pairs(fig) == []
        by_name = {t.name: t for t in fig.data}
        if r.nash is not None and r.nash == r.ks:
            assert by_name["Nash"].marker.size > by_name["Kalai–Smorodinsky"].marker.size


CHROMIUM = Path(os.environ.get("CHOKEPOINTS_CHROMIUM", "/usr/bin/chromium"))


@pytest.mark.parametrize("width", [1400, 2400])
def test_no_table_wider_than_the_viewport(reports, width, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found (apt-get install chromium)")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": width, "height": 1000})
        for kind, path in reports.items():
            page.goto(path.as_uri())
            page.wait_for_selector("table")
            m = page.evaluate(
                """() => ({body: [document.body.scrollWidth, document.body.clientWidth],
                          doc: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
                          tables: [...document.querySelectorAll('table')].map(t => [t.getBoundingClientRect().right,
                                   t.scrollWidth, t.parentElement.clientWidth]),
                          n: document.querySelectorAll('table').length})"""
            )
            assert m["n"] > 0
            assert m["body"][0] <= m["body"][1], (kind, m["body"])
            assert m["doc"][0] <= m["doc"][1], (kind, m["doc"])
            for right, sw, parent in m["tables"]:
                assert right <= width and sw <= parent, (kind, right, sw, parent)
            if kind == "tariffs" and width == 1400:
                shot = Path(os.environ.get("CHOKEPOINTS_REPORT_SCREENSHOT", tmp_path / "tariffs-1400.png"))
                page.screenshot(path=str(shot), full_page=False)
                assert shot.stat().st_size > 10_000
        browser.close()
