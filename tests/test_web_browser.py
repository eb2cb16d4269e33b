"""The page of ``chokepoints serve`` in a real browser: Playwright driving Debian's chromium.

The server runs in a subprocess on 127.0.0.1 and a free port. Skipped, with the reason, when
Playwright or /usr/bin/chromium is missing (``.ci/run`` installs chromium with apt).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path(os.environ.get("CHOKEPOINTS_CHROMIUM", "/usr/bin/chromium"))
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} not found (apt-get install chromium)", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[1]
# the README's screenshot is refreshed only on request (a test run never rewrites a committed file)
SCREENSHOT = ROOT / "docs" / "img" / "serve.png"
UPDATE_SCREENSHOT = os.environ.get("CHOKEPOINTS_UPDATE_SCREENSHOT") == "1"
RARE = "cn-rare-earth-licensing-2025-04"
TIMEOUT_MS = 30_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = _free_port()
    data = tmp_path_factory.mktemp("browser-data")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "chokepoints", "serve", "--port", str(port), "--data", str(data), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    end = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/api/v1/health", timeout=1).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > end:
                proc.kill()
                raise AssertionError("server did not start: " + proc.stdout.read().decode()) from None
            time.sleep(0.2)
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def page(server):
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        pg.set_default_timeout(TIMEOUT_MS)
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.goto(server + "/")
        pg.wait_for_selector(f"#scenario option[value='{RARE}']", state="attached")
        yield pg
        browser.close()
        assert not errors, errors


def _run(page, label: str) -> None:
    page.fill("#label", label)
    page.click("#run")
    page.wait_for_selector("#progress[data-done]", state="attached", timeout=TIMEOUT_MS)
    page.wait_for_selector("#run:not([disabled])")
    page.wait_for_selector("#chart-output path.js-line", state="attached")


def _cell(page, region: str, end_use: str, key: str) -> str:
    row = page.locator("#summary tbody tr", has=page.locator("td[data-key='region']", has_text=region)).filter(
        has=page.locator("td[data-key='end_use']", has_text=end_use)
    )
    return row.first.locator(f"td[data-key='{key}']").inner_text()


def test_pick_change_run_compare(page, tmp_path):
    page.select_option("#scenario", RARE)
    page.wait_for_selector("input[data-key='events.apr_licensing.approval_rate']")
    page.fill("#runs", "6")
    _run(page, "as bundled")
    assert "done" in page.inner_text("#progress-text")
    paths = page.eval_on_selector_all("#chart-output path.js-line", "els => els.map(e => e.getAttribute('d') || '')")
    assert len([d for d in paths if len(d) > 20]) >= 4  # a drawn median line per key user (bands add more)
    assert page.locator("#chart-inventories .main-svg").count() > 0
    before = _cell(page, "USA", "automotive", "usd_median")
    assert "," in before and "e+" not in page.inner_text("#summary")  # thousands separators, no scientific notation
    headers = page.locator("#summary th").all_inner_texts()
    assert "Region" in headers and not any("_" in h for h in headers)

    page.fill("input[data-key='events.apr_licensing.approval_rate']", "0.9")
    _run(page, "approval 0.9")
    after = _cell(page, "USA", "automotive", "usd_median")
    assert after != before
    assert float(after.replace(",", "")) < float(before.replace(",", ""))

    page.wait_for_selector("#cmp-a option:nth-child(2)", state="attached")
    page.click("#compare")
    page.wait_for_selector("#compare-table tbody tr")
    delta = page.locator("#compare-table td.num[data-key='usd_median']").first.inner_text()
    assert delta.startswith("-")  # B (approval 0.9) loses less than A (as bundled)
    page.wait_for_selector("#compare-chart path.js-line", state="attached")
    page.evaluate("window.scrollTo(0, 0)")
    shot = SCREENSHOT if UPDATE_SCREENSHOT else tmp_path / "serve.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000  # a rendered page, not a blank one


def test_broken_upload_shows_error_at_its_line(page, tmp_path):
    from chokepoints.scenario.library import scenario_path

    text = scenario_path(RARE).read_text(encoding="utf-8").replace("approval_rate: 0.25", "approval_rate: 2.5")
    line = next(i for i, x in enumerate(text.splitlines(), 1) if "approval_rate: 2.5" in x)
    f = tmp_path / "broken.yaml"
    f.write_text(text, encoding="utf-8")
    page.set_input_files("#upload", str(f))
    page.wait_for_selector("#errors li")
    item = page.locator("#errors li").first
    assert item.get_attribute("data-line") == str(line)
    assert f"line {line}" in item.inner_text() and "events[0].approval_rate" in item.inner_text()
    assert page.locator(f"#gutter span.err[data-line='{line}']").count() == 1
