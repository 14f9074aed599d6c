"""Drive the system's headless Chromium (Debian package `chromium`) from a test.

A test appends a driver ``<script>`` to a copy of a page; it clicks like a user (``element.click()``,
``details.open``), then writes what it saw as JSON into ``<pre id="test-result">``. Chromium's own
``--dump-dom`` returns the DOM after virtual time ran out, and ``--log-net-log`` records every request
the page made (requests whose network-isolation key is a ``file://`` page; the browser's own
background traffic is told apart by its key). No Playwright or browser download is needed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"  # gitignored: screenshots of the pages
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")
_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--disable-default-apps", "--disable-extensions", "--hide-scrollbars", "--mute-audio"]


def chromium() -> str:
    """The Chromium executable; fails the test (never skips it) with what to do when it is absent."""
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("headless Chromium not found (looked for " + ", ".join(CHROMIUM_NAMES) + "): run `make browser` "
                "(apt-get install -y chromium) or put a Chromium on PATH; the HTML viewer is tested in a real browser",
                pytrace=False)


def run_page(page: Path, driver_js: str, tmp: Path, *, budget_ms: int = 5000,
             screenshot: Path | None = None) -> tuple[dict[str, Any], list[str]]:
    """Open a copy of ``page`` with ``driver_js`` appended; return (the driver's JSON result, the
    URLs the page requested over the network)."""
    copy = page.parent / f"driven_{page.name}"  # beside the page, so its relative links resolve
    copy.write_text(page.read_text(encoding="utf-8").replace(
        "</body></html>", f"<script>{driver_js}</script></body></html>"), encoding="utf-8")
    netlog = tmp / "netlog.json"
    cmd = [chromium(), *_FLAGS, f"--user-data-dir={tmp / 'profile'}", f"--virtual-time-budget={budget_ms}",
           f"--log-net-log={netlog}", "--window-size=1280,1800"]
    proc = subprocess.run([*cmd, "--dump-dom", copy.as_uri()], capture_output=True, text=True, timeout=120)
    m = re.search(r'<pre id="test-result">(.*?)</pre>', proc.stdout, re.S)
    assert m, f"the driver wrote no result; chromium exit {proc.returncode}, stderr tail:\n{proc.stderr[-2000:]}"
    import html

    result = json.loads(html.unescape(m.group(1)))
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([*cmd[:-2], "--window-size=1280,1800", f"--screenshot={screenshot}", copy.as_uri()],
                       capture_output=True, timeout=120, cwd=tmp)
    return result, page_requests(netlog)


def page_requests(netlog: Path) -> list[str]:
    """URLs a page (a file:// document) asked the network for, from a Chromium net log."""
    data = json.loads(netlog.read_text(encoding="utf-8"))
    names = {v: k for k, v in data["constants"]["logEventTypes"].items()}
    urls = []
    for event in data.get("events", []):
        params = event.get("params") or {}
        if names.get(event["type"]) == "URL_REQUEST_START_JOB" and "file://" in str(
                params.get("network_isolation_key", "")):
            urls.append(params.get("url", "?"))
    return urls
