"""Print the single-page HTML build of the book to one PDF (``make pdf``), offline.

    python scripts/build_pdf.py SINGLEHTML_DIR OUT.pdf

SINGLEHTML_DIR is the output of ``jupyter-book build . --builder singlehtml``. Its page is
written to book/intro.html but links its assets relative to the folder's root, so it is
copied to the root (landscape-book.html) and opened there. The page is served from 127.0.0.1, opened in the Debian Chromium driven
by Playwright (never ``playwright install``), and printed once its math is typeset, its
figures loaded and its saved widgets drawn. Before printing, in the print layout
(_ext/static/book-print.css and book-print.js), the script checks that no code block, text
output, table, display equation or image reaches past the page's text column, and fails
if one does. After printing it checks that the PDF has an expected number of pages
(PAGES_MIN to PAGES_MAX: the order of magnitude of the book) and prints the count.
"""
from __future__ import annotations

import functools
import http.server
import re
import shutil
import sys
import threading
import time
from pathlib import Path

from _page import READY_JS

PAGES_MIN, PAGES_MAX = 100, 1000
MARGIN_MM = 12
A4_WIDTH_MM = 210
SCALE = 0.8                       # the column of the PDF holds about 880 CSS px, as on screen
CSS_PX_PER_MM = 96 / 25.4

# Elements wider than the text column, in the print layout (after book-print.js fitted it).
OVERFLOW_JS = """() => {
  const article = document.querySelector('article.bd-article') || document.body;
  const right = article.getBoundingClientRect().right + 2;
  const sel = 'pre, table, mjx-container[display="true"], img, div.cell_output, .highlight';
  const out = [];
  for (const el of article.querySelectorAll(sel)) {
    const r = el.getBoundingClientRect();
    if (r.width === 0) continue;
    const cut = r.right > right || el.scrollWidth > el.clientWidth + 2 && getComputedStyle(el).overflowX !== 'visible';
    if (cut) {
      const sec = el.closest('section[id]');
      out.push(`${el.tagName.toLowerCase()} in #${sec ? sec.id : '?'}: ${Math.round(r.width)} px`
               + ` (scroll ${el.scrollWidth}), right edge ${Math.round(r.right)} > ${Math.round(right)}`);
    }
  }
  return out;
}"""


def count_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def serve(directory: Path):
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main(src: Path, out: Path) -> int:
    from playwright.sync_api import sync_playwright

    page_html = src / "book" / "intro.html"
    if not page_html.is_file():
        print(f"build_pdf: no {page_html} (build the singlehtml book first)", file=sys.stderr)
        return 2
    chromium = shutil.which("chromium")
    if chromium is None:
        print("build_pdf: no `chromium` on PATH (apt-get install chromium)", file=sys.stderr)
        return 2
    start = time.monotonic()
    shutil.copyfile(page_html, src / "landscape-book.html")
    server = serve(src)
    column_px = (A4_WIDTH_MM - 2 * MARGIN_MM) * CSS_PX_PER_MM / SCALE
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, headless=True,
                                        args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
            page = browser.new_page(viewport={"width": round(column_px), "height": 1200})
            failed = []
            page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.url} ({r.status})"))
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/landscape-book.html",
                      wait_until="load", timeout=120_000)
            images = page.evaluate(READY_JS, 60_000)["images"]
            page.emulate_media(media="print")
            page.wait_for_timeout(500)
            fitted = page.evaluate("() => window.bookFitForPrint ? window.bookFitForPrint() : -1")
            if fitted < 0:
                print("build_pdf: book-print.js is not on the page", file=sys.stderr)
                return 1
            cut = page.evaluate(OVERFLOW_JS)
            if cut or failed:
                print(f"build_pdf: {len(cut)} elements wider than the printed column "
                      f"({column_px:.0f} px):", *cut[:30], sep="\n  ", file=sys.stderr)
                if failed:
                    print("build_pdf: failed requests:", *failed, sep="\n  ", file=sys.stderr)
                return 1
            out.parent.mkdir(parents=True, exist_ok=True)
            page.pdf(path=str(out), format="A4", scale=SCALE, print_background=True,
                     margin={k: f"{MARGIN_MM}mm" for k in ("top", "bottom", "left", "right")},
                     display_header_footer=True, header_template="<span></span>",
                     footer_template='<div style="font-size:8px;width:100%;text-align:center">'
                                     '<span class="pageNumber"></span> / <span class="totalPages">'
                                     '</span></div>')
            browser.close()
    finally:
        server.shutdown()
    pages = count_pages(out.read_bytes())
    size = out.stat().st_size / 1e6
    print(f"build_pdf: {out} ({pages} pages, {size:.1f} MB, {images} images, {fitted} equations or "
          f"tables shrunk to the column) in {time.monotonic() - start:.0f} s")
    if not PAGES_MIN <= pages <= PAGES_MAX:
        print(f"build_pdf: {pages} pages, expected {PAGES_MIN} to {PAGES_MAX}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()))
