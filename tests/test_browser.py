"""Browser checks of the built HTML book (_build/html), in headless Debian Chromium.

Every HTML page of the book is opened from a local http.server (127.0.0.1) and must:

- raise no JavaScript error and log no console error, except the known harmless messages
  in ``ALLOWED_PAGE_ERRORS`` and ``ALLOWED_CONSOLE_ERRORS``;
- request nothing from any host other than 127.0.0.1 (``data:`` URLs are fine), and get no
  HTTP error status for anything it requests;
- when it contains math: typeset it with the vendored MathJax 3 (``mjx-container`` > 0,
  no ``mjx-merror``);
- show every ``<img>`` loaded (``naturalWidth > 0``);
- for the book's pages: offer the page's source (.ipynb / .md) through the download button.

Every page with saved widget state is also driven: moving each exploration's slider (and
clicking its toggle buttons) must change what it shows, compared by screenshots, and
switching the toggle buttons must keep the slider's value.

Python Playwright drives the Debian ``chromium`` binary (``executable_path``); never run
``playwright install``. When chromium or playwright is missing, or the book was not built,
the tests are skipped with the reason, unless REQUIRE_BROWSER=1, which turns that into a
failure (CI sets it). BOOK_HTML overrides the folder of the built book.
"""
from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from urllib.parse import urljoin

import pytest

ROOT = Path(__file__).resolve().parent.parent
HTML = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html")).resolve()
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
    "--no-first-run", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]

# Known harmless page errors, by exact message text.
ALLOWED_PAGE_ERRORS = {
    # sphinx-thebe 0.3.1 puts its inline `const THEBE_JS_URL = ...` script into each page
    # twice; the second copy throws. Thebe itself is only loaded on a click, and the book
    # has no launch buttons.
    "Identifier 'THEBE_JS_URL' has already been declared",
}

# Known harmless console errors (console.error), by exact message text.
ALLOWED_CONSOLE_ERRORS = {
    # pydata-sphinx-theme 0.17.1 on a fresh browser profile (no theme stored yet) logs
    # this and falls back to the automatic light/dark mode.
    "Got invalid theme mode: . Resetting to auto.",
}

# Folders of the build that hold assets rather than pages.
NON_PAGE_DIRS = {"_static", "_sources", "_images", "_downloads", "reports", "jupyter_execute"}


def book_pages() -> list[str]:
    if not HTML.is_dir():
        return []
    pages = []
    for path in sorted(HTML.rglob("*.html")):
        rel = path.relative_to(HTML)
        if rel.parts[0] in NON_PAGE_DIRS or rel.parts[0].startswith("."):
            continue
        pages.append(rel.as_posix())
    return pages


PAGES = book_pages()


def unavailable(reason: str):
    """Skip the test, or fail it when REQUIRE_BROWSER=1."""
    if REQUIRE_BROWSER:
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    print(f"\nbrowser test skipped: {reason}", file=sys.stderr)
    pytest.skip(reason)


# The session fixtures base_url (a local http.server on the built book) and browser
# (headless Debian Chromium) are in conftest.py, shared by every test module.


class Watched:
    """A page with its JavaScript errors, external requests and failed requests recorded."""

    def __init__(self, context):
        self.page = context.new_page()
        self.errors: list[str] = []
        self.console_errors: list[str] = []
        self.external: list[str] = []
        self.failed: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(exc.message))
        self.page.on("console", self._console)
        self.page.on("request", self._request)
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        self.page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.url} (HTTP {r.status})"))

    def _console(self, message):
        if message.type != "error" or message.text in ALLOWED_CONSOLE_ERRORS:
            return
        url = (message.location or {}).get("url", "")
        if message.text.startswith("Failed to load resource") and url.endswith("/favicon.ico"):
            # Chromium asks for /favicon.ico on pages without an icon link: the root
            # index.html, which only redirects to book/intro.html. The book's pages have one.
            return
        self.console_errors.append(f"{message.text} ({url})" if url else message.text)

    def _request(self, request):
        if not request.url.startswith(("http://127.0.0.1:", "data:", "blob:", "about:")):
            self.external.append(request.url)

    def assert_clean(self):
        problems = {
            "JavaScript errors": [e for e in self.errors if e not in ALLOWED_PAGE_ERRORS],
            "errors logged to the console": self.console_errors,
            "requests to hosts other than 127.0.0.1": self.external,
            "failed requests": self.failed,
        }
        found = {kind: items for kind, items in problems.items() if items}
        assert not found, "; ".join(f"{kind}: {items}" for kind, items in found.items())


@pytest.fixture
def watched(browser):
    w = Watched(browser)
    yield w
    w.page.close()


def settle(page) -> None:
    """Wait until the page has made no request for 500 ms ("networkidle").

    On a loaded machine a page with a large widget state can take longer than the wait;
    then give it two more seconds and go on: the request listeners keep recording, so an
    external or failed request made by then still fails the test.
    """
    try:
        page.wait_for_load_state("networkidle", timeout=20_000)
    except Exception:  # playwright's TimeoutError
        page.wait_for_timeout(2_000)


def has_math(html: str) -> bool:
    return "\\(" in html or "\\[" in html or 'class="math' in html


@pytest.mark.parametrize("page_path", PAGES or [None])
def test_page(page_path, base_url, watched):
    if page_path is None:
        unavailable(f"no HTML page found under {HTML} (run `make book` first)")
    page = watched.page
    page.goto(f"{base_url}/{page_path}", wait_until="load")
    settle(page)
    html = (HTML / page_path).read_text(encoding="utf-8")

    if has_math(html):
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
        page.evaluate("() => MathJax.startup.promise")
        containers = page.locator("mjx-container").count()
        assert containers > 0, "page has math but MathJax typeset nothing"
        assert page.locator("mjx-merror").count() == 0, "MathJax reported a TeX error (mjx-merror)"

    if "application/vnd.jupyter.widget-view+json" in html:
        page.locator(".jupyter-widgets").first.wait_for(state="attached")
        settle(page)

    broken = page.evaluate("""async () => {
        const imgs = Array.from(document.images);
        await Promise.all(imgs.map(img => img.complete ? null :
            new Promise(resolve => { img.onload = img.onerror = resolve; })));
        return imgs.filter(img => img.naturalWidth === 0).map(img => img.currentSrc || img.src);
    }""")
    assert broken == [], f"images that did not load: {broken}"

    # Book pages offer their source (.ipynb or .md) through the download button.
    if page_path.startswith("book/"):
        source = page.locator("a.btn-download-source-button")
        assert source.count() == 1, "no 'Download source file' button"
        href = source.get_attribute("href")
        suffix = Path(page_path).with_suffix("").name
        assert href.endswith((f"{suffix}.ipynb", f"{suffix}.md")), href
        response = page.request.get(urljoin(page.url, href))
        assert response.ok, f"download of {href} gave HTTP {response.status}"
    watched.assert_clean()


WIDGET_PAGES = [p for p in PAGES if "jupyter-widgets" in (HTML / p).read_text(encoding="utf-8")
                and "widget-state+json" in (HTML / p).read_text(encoding="utf-8")]


def explorer_boxes(page):
    """The top-level widget boxes of a page (each a kernel-free exploration)."""
    return page.locator(".cell_output .jupyter-widgets.widget-vbox").filter(
        has=page.locator(".widget-slider"))


def shot(locator) -> str:
    return hashlib.sha1(locator.screenshot()).hexdigest()[:12]


@pytest.mark.parametrize("page_path", WIDGET_PAGES or [None])
def test_explorations_switch_offline(page_path, base_url, watched):
    """Every exploration on the page changes what it shows when its controls move
    (screenshots of the exploration compared before and after), with no kernel."""
    if page_path is None:
        unavailable("no page with saved widget state in the built book")
    page = watched.page
    page.goto(f"{base_url}/{page_path}", wait_until="load")
    page.locator(".widget-slider").first.wait_for(state="visible", timeout=30_000)
    page.wait_for_timeout(500)
    boxes = explorer_boxes(page)
    top = [boxes.nth(i) for i in range(boxes.count())
           if boxes.nth(i).evaluate("el => !el.parentElement.closest('.widget-vbox')")]
    assert top, "the page has widget state but no exploration rendered"
    for box in top:
        box.scroll_into_view_if_needed()
        handle = box.locator(".widget-slider .noUi-handle").locator("visible=true").first
        readout = box.locator(".widget-readout").locator("visible=true").first
        readout.wait_for(state="visible")
        before, value = shot(box), readout.inner_text()
        element = readout.element_handle()
        for attempt in range(3):          # a busy machine may not have wired the slider yet
            handle.focus()
            handle.press("ArrowRight")
            try:
                page.wait_for_function("([el, v]) => el.innerText !== v", arg=[element, value],
                                       timeout=10_000)
                break
            except Exception:
                if attempt == 2:
                    raise
        page.wait_for_timeout(300)
        assert shot(box) != before, "moving the slider did not change the exploration"
        moved = readout.inner_text()
        buttons = box.locator(".widget-toggle-buttons button")
        if buttons.count() > 1:
            before = shot(box)
            buttons.nth(1).click()
            page.wait_for_timeout(300)
            assert shot(box) != before, "the toggle buttons did not change the exploration"
            # switching the first parameter keeps the second (the sliders are linked)
            kept = box.locator(".widget-readout").locator("visible=true").first.inner_text()
            assert kept == moved, f"switching reset the slider: {moved!r} became {kept!r}"
    watched.assert_clean()
