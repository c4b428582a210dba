"""Fixtures for the browser tests: Debian's headless Chromium driven by Selenium (chromium and
chromium-driver are installed by `dev/stack up`, selenium by dev/requirements-dev.txt) against real
projection-ingest and projection-query processes on fresh databases.

Run after `swift build` with the dev stack up (dev/test.sh does both):
    BROWSER_BIN_DIR="$(swift build --show-bin-path)" .dev/venv/bin/python -m pytest Tests/BrowserTests -q
BROWSER_SCREENSHOT_DIR=docs also writes the pages' screenshots there (docs/console.png, docs/explorer.png).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

REPO = Path(__file__).resolve().parents[2]
BIN_DIR = Path(os.environ.get("BROWSER_BIN_DIR", REPO / ".build" / "debug"))
SCREENSHOT_DIR = os.environ.get("BROWSER_SCREENSHOT_DIR")

# The Connect client tests' fixtures fill fresh databases and start projection-query; they are loaded
# under another module name (both files are called conftest).
_spec = importlib.util.spec_from_file_location("connect_fixtures", REPO / "Tests" / "ConnectClientTests" / "conftest.py")
connect_fixtures = importlib.util.module_from_spec(_spec)
sys.modules["connect_fixtures"] = connect_fixtures
_spec.loader.exec_module(connect_fixtures)
connect_fixtures.BIN_DIR = BIN_DIR
# One projection-query per (projection, store) for the session, on freshly filled tables.
servers = connect_fixtures.servers


def http(method: str, url: str, body=None, headers=None, timeout: float = 30):
    """(status, parsed JSON or text) of one request; HTTP errors are answers, not exceptions."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, raw, kind = r.status, r.read(), r.headers.get("Content-Type", "")
    except urllib.error.HTTPError as e:
        status, raw, kind = e.code, e.read(), e.headers.get("Content-Type", "")
    text = raw.decode()
    return status, (json.loads(text) if "json" in kind and text else text)


@pytest.fixture(scope="session")
def browser():
    chromium = shutil.which("chromium")
    driver_path = shutil.which("chromedriver")
    assert chromium and driver_path, "chromium and chromium-driver are missing: run dev/stack up (as root) to install them"
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900",
                "--disable-extensions", "--no-first-run", "--disable-background-networking"):
        options.add_argument(arg)
    # The browser's console (errors, failed loads) is read back through the log API.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def console_errors(driver) -> list[dict]:
    """The browser console's errors since the last call (the log is drained when read)."""
    return [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def screenshot(driver, name: str, tmp_path: Path) -> Path:
    """A PNG of the page: into BROWSER_SCREENSHOT_DIR when set (the committed docs/ pictures), else tmp."""
    target = Path(SCREENSHOT_DIR) if SCREENSHOT_DIR else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    path = target / name
    assert driver.save_screenshot(str(path)), f"screenshot {name} failed"
    return path
