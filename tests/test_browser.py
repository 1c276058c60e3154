"""Drive the monthly-cost calculator of notebook 02 in a real browser.

Starts JupyterLab on a free loopback port (no news, no update checks, no extension manager, temporary
config and runtime folders) serving a copy of notebooks/, opens notebook 02 in Debian's Chromium
through Playwright, runs all cells, moves the "Daily users" slider with the keyboard and checks that
the summary line and the chart change. A screenshot goes to test-artifacts/.

Skips when /usr/bin/chromium is missing, except with CI=true, where it fails instead.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
NOTEBOOK = "02_cost_calculation.ipynb"

SERVER_START_TIMEOUT_S = 90
SERVER_STOP_TIMEOUT_S = 30
PAGE_TIMEOUT_MS = 60_000
RUN_ALL_TIMEOUT_MS = 120_000
UPDATE_TIMEOUT_MS = 30_000

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
    # Resolve no host name except loopback, so the browser cannot reach the network by accident.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]

# JupyterLab options that keep it on loopback and off the network: no news feed, no update
# check, and an extension manager that never queries PyPI.
LAB_OPTIONS = [
    "--no-browser",
    "--allow-root",
    "--ServerApp.ip=127.0.0.1",
    "--ServerApp.port_retries=0",
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    "--LabApp.extension_manager=readonly",
    "--LabApp.expose_app_in_browser=True",
]


@dataclass
class LabServer:
    url: str
    token: str
    root: Path
    log: Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} not found; install Debian's chromium package to run the browser test"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true, so this test must run)")
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture
def lab_server(tmp_path: Path) -> Iterator[LabServer]:
    """Start JupyterLab on a copy of notebooks/ and data/texts/, and always stop it afterwards."""
    root = tmp_path / "workbook"
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    shutil.copytree(ROOT / "data" / "texts", root / "data" / "texts")  # notebooks read ../data/texts

    port = free_port()
    token = secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter-config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "jupyter-runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "lab-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "lab-workspaces"),
        "COSTKIT_OFFLINE": "1",
    }
    # The news plugin asks for consent in a toast even with news_url=None; keep it out of screenshots.
    labconfig = tmp_path / "jupyter-config" / "labconfig"
    labconfig.mkdir(parents=True)
    (labconfig / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )
    log = tmp_path / "jupyterlab.log"
    command = [
        sys.executable, "-m", "jupyterlab", *LAB_OPTIONS,
        f"--ServerApp.port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root / 'notebooks'}",
    ]
    with log.open("wb") as log_file:
        process = subprocess.Popen(command, env=env, stdout=log_file, stderr=subprocess.STDOUT, cwd=root)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_for_server(url, token, process, log)
            yield LabServer(url=url, token=token, root=root, log=log)
        finally:
            process.terminate()
            try:
                process.wait(timeout=SERVER_STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=SERVER_STOP_TIMEOUT_S)


def wait_for_server(url: str, token: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"JupyterLab exited with code {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5) as response:
                json.load(response)
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer within {SERVER_START_TIMEOUT_S} s:\n{log.read_text(errors='replace')[-3000:]}")


def test_calculator_slider_changes_cost(chromium_path: Path, lab_server: LabServer):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(PAGE_TIMEOUT_MS)
            page.goto(f"{lab_server.url}/lab/tree/{NOTEBOOK}?token={lab_server.token}")
            page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell")
            page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands")
            wait_for_kernel_idle(page)

            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
            summary = page.locator(".costkit-calculator-summary")
            summary.wait_for(state="attached", timeout=RUN_ALL_TIMEOUT_MS)
            page.wait_for_function(
                "() => (document.querySelector('.costkit-calculator-summary') || {}).innerText?.includes('Cheapest')",
                timeout=RUN_ALL_TIMEOUT_MS,
            )
            calculator = page.locator(".costkit-calculator")
            calculator.scroll_into_view_if_needed()
            chart = calculator.locator(".jp-OutputArea-output img, .widget-output img").first
            chart.wait_for(state="visible", timeout=UPDATE_TIMEOUT_MS)

            before_text = summary.inner_text()
            before_chart = chart.get_attribute("src")
            assert "$60.90" in before_text, before_text  # gpt-4o-mini at 1,000 users × 5 messages

            handle = calculator.locator(".widget-slider .noUi-handle").first
            handle.focus()
            for _ in range(5):
                handle.press("ArrowRight")  # +100 daily users per step
            # 1,500 daily users: gpt-4o-mini costs 1.5 × $60.90.
            page.wait_for_function(
                "() => document.querySelector('.costkit-calculator-summary').innerText.includes('$91.35')",
                timeout=UPDATE_TIMEOUT_MS,
            )
            page.wait_for_function(
                "(before) => { const img = document.querySelector('.costkit-calculator img');"
                " return img && img.getAttribute('src') !== before; }",
                arg=before_chart,
                timeout=UPDATE_TIMEOUT_MS,
            )
            after_text = summary.inner_text()
            calculator.screenshot(path=str(ARTIFACTS / "browser-02-calculator.png"))
            page.screenshot(path=str(ARTIFACTS / "browser-02-page.png"))
        finally:
            browser.close()

    assert after_text != before_text
    assert "$91.35" in after_text, after_text


def wait_for_kernel_idle(page) -> None:
    """Wait until the notebook's kernel reports idle in the toolbar or status bar."""
    page.wait_for_function(
        "() => { const app = window.jupyterapp; const widget = app.shell.currentWidget;"
        " const kernel = widget && widget.sessionContext && widget.sessionContext.session"
        "   && widget.sessionContext.session.kernel;"
        " return kernel && kernel.status === 'idle'; }",
        timeout=PAGE_TIMEOUT_MS,
    )
