"""Shared set-up for the tests that drive Debian's Chromium with Playwright.

Used by tests/test_browser.py (JupyterLab explorers) and tests/test_site_browser.py (the static
course site). Playwright's own browser download is impossible in this project's environment, so
the tests launch the system Chromium with container-friendly flags (see ENVIRONMENT.md,
"Browser tests"). Locally a missing browser skips; in CI (``CI=true``) it fails, because a
browser test that silently skips proves nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CLIPQ_CHROMIUM", "/usr/bin/chromium")
#: Flags for Debian's Chromium in a container (no sandbox as root, no GPU, no background traffic).
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def unavailable(reason: str) -> None:
    """Skip locally, fail in CI."""
    if IN_CI:
        pytest.fail(f"browser test cannot run in CI: {reason}")
    pytest.skip(reason)


def sync_playwright_or_skip():
    """Playwright's ``sync_playwright`` after checking that Chromium is installed."""
    if not Path(CHROMIUM).exists():
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium, or make browser-deps)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        unavailable(f"the playwright package is missing: {exc}")
    return sync_playwright


def launch_chromium(pw):
    """Start headless Debian Chromium through a running Playwright; skip/fail if it cannot."""
    try:
        return pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception as exc:  # noqa: BLE001 - any launch failure means no browser
        unavailable(f"Chromium did not start: {exc}")
