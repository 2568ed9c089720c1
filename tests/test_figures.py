"""Figures in headless Chromium: every figure of the book opens at full size, and every
chapter of Part III (book/deep/) shows at least one figure.

A click on a figure's image (``_ext/static/book-zoom.js``) must show it on a layer
over the page at its natural size (its displayed width and height, in CSS pixels, equal the
image's natural ones, whatever the column shrank it to), and Escape must close the layer.
An image with a file of its own must also sit in a link to that file (open in a new tab).
Images of widgets that are not shown (the other positions of an exploration) are checked
on the positions that are shown.
"""
from __future__ import annotations

import pytest

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:                           # the fixtures skip (or fail) without playwright
    PlaywrightTimeout = TimeoutError

from test_browser import HTML, PAGES, unavailable

PART_III = sorted(p for p in PAGES if p.startswith("book/deep/"))

#: The figures' images: notebook outputs (widgets included) and figure directives (the
#: same selector as book-zoom.js; icons of the index pages are not figures).
FIGURES = ", ".join(f"article.bd-article {c} img" for c in ("figure", ".cell_output", ".output",
                                                             ".jupyter-widgets"))

IMAGES_JS = """() => [...document.querySelectorAll('%s')].map((img, i) => {
  img.dataset.zoomIndex = i;
  const r = img.getBoundingClientRect(), a = img.closest('a');
  return {i, src: img.getAttribute('src') || '', w: img.naturalWidth, h: img.naturalHeight,
          shown: r.width > 0 && r.height > 0 && getComputedStyle(img).visibility !== 'hidden',
          link: a ? a.href : null, linkClass: a ? a.className : '', resolved: img.src,
          figure: !!img.closest('figure') && !!img.closest('figure').querySelector('figcaption')};
})""" % FIGURES

LAYER_JS = """() => {
  const big = document.querySelector('.book-zoom-layer img.book-zoom-image');
  if (!big) return null;
  const r = big.getBoundingClientRect();
  return {complete: big.complete, w: big.naturalWidth, h: big.naturalHeight,
          shownW: Math.round(r.width), shownH: Math.round(r.height)};
}"""


def _open(browser, url):
    page = browser.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url, wait_until="load")
    if page.locator(".jupyter-widgets").count() or "widget-state" in page.content():
        page.wait_for_load_state("networkidle", timeout=20_000)
        page.wait_for_timeout(1_000)         # widgets render their images after load
    return page


def _images(page):
    return page.evaluate(IMAGES_JS)


PAGES_WITH_IMAGES = [p for p in PAGES if "<img" in (HTML / p).read_text(encoding="utf-8")
                     or "image/png" in (HTML / p).read_text(encoding="utf-8")] if PAGES else []


@pytest.mark.parametrize("page_path", PAGES_WITH_IMAGES or [None])
def test_every_figure_opens_at_full_size(page_path, base_url, browser):
    if page_path is None:
        unavailable(f"no HTML page with an image under {HTML} (run `make book` first)")
    page = _open(browser, f"{base_url}/{page_path}")
    try:
        problems = []
        for img in _images(page):
            if not img["shown"] or img["w"] == 0:
                continue
            where = f"image {img['i']} ({img['src'][:60]})"
            if not img["src"].startswith("data:") and (img["link"] != img["resolved"]
                                                       or "book-figure-link" not in img["linkClass"]):
                problems.append(f"{where}: not in a link to its own file (link: {img['link']})")
            handle = page.locator(f'img[data-zoom-index="{img["i"]}"]')
            handle.scroll_into_view_if_needed()
            handle.click()
            try:
                page.wait_for_function("() => { const b = document.querySelector('.book-zoom-image');"
                                       " return b && b.complete; }", timeout=5_000)
            except PlaywrightTimeout:
                pass                              # no layer: reported below
            layer = page.evaluate(LAYER_JS)
            if layer is None:
                problems.append(f"{where}: a click shows no full-size layer")
                continue
            if (layer["w"], layer["h"]) != (img["w"], img["h"]) or \
                    (layer["shownW"], layer["shownH"]) != (img["w"], img["h"]):
                problems.append(f"{where}: natural {img['w']} x {img['h']} px, the layer shows"
                                f" {layer['shownW']} x {layer['shownH']}")
            page.keyboard.press("Escape")
            if page.locator(".book-zoom-layer").count():
                problems.append(f"{where}: Escape does not close the layer")
        assert not problems, f"{page_path}: " + "; ".join(problems[:8])
    finally:
        page.close()


@pytest.mark.parametrize("page_path", PART_III or [None])
def test_part_iii_chapters_show_a_figure(page_path, base_url, browser):
    if page_path is None:
        unavailable(f"no page of Part III under {HTML} (run `make book` first)")
    page = _open(browser, f"{base_url}/{page_path}")
    try:
        shown = [img for img in _images(page) if img["shown"] and img["w"] > 0]
        assert shown, f"{page_path}: no figure shown"
        # The chapters whose figures are notebook outputs say what they show: a numbered,
        # captioned figure (the explorers of the others are widgets with their own labels).
        if page.locator(".jupyter-widgets").count() == 0:
            assert any(img["figure"] for img in shown), f"{page_path}: no captioned figure"
    finally:
        page.close()
