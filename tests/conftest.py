"""Session fixtures shared by the test modules of the built book: one local http.server on
the built book (``base_url``) and one headless Debian Chromium (``browser``). They must be
defined once: Playwright's sync API cannot start a second browser session in the same
thread, so a module that imported them would start its own and fail.
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time

import pytest

from test_browser import CHROMIUM_ARGS, HTML, unavailable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def base_url():
    if not (HTML / "index.html").is_file():
        unavailable(f"no built book at {HTML} (run `make book` first)")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(HTML)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"http.server did not start on 127.0.0.1:{port}", pytrace=False)
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        unavailable(f"Python playwright is not installed ({exc})")
    chromium = shutil.which("chromium")
    if chromium is None:
        unavailable("no `chromium` on PATH (apt-get install chromium chromium-driver)")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 1400})
        context.set_default_timeout(30_000)
        yield context
        context.close()
