"""The library reference (book/appendix/reference.html and one page per module under
book/appendix/reference/) fits its column at phone width (375 px) and at desktop width
(1280 px), in headless Chromium:

- the page does not scroll sideways;
- no element of the article reaches past the article's column;
- no code block, table, signature or display equation is cut or scrolls inside its own
  box (its content is wider than the box).

A display equation is checked as a whole (its mjx-container); MathJax's own parts inside
it (stretchy glyphs that it clips by design, the visually hidden MathML for screen
readers) are skipped. Long signatures are short by configuration (one parameter a line,
_config.yml), wide display equations are broken in the docstrings and shrunk to the column
on narrow screens (_ext/static/book-fit.js), docstring examples wrap
(_ext/static/book-screen.css).
"""
from __future__ import annotations

import pytest

from test_browser import HTML, PAGES, unavailable

REFERENCE_PAGES = [p for p in PAGES if p == "book/appendix/reference.html"
                   or p.startswith("book/appendix/reference/")]
WIDTHS = [375, 1280]

OVERFLOW_JS = """() => {
  const out = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth + 1)
    out.push(`the page scrolls sideways: ${doc.scrollWidth} px in a ${doc.clientWidth} px window`);
  const article = document.querySelector('article.bd-article');
  if (!article) return ['no article.bd-article on the page'];
  const right = article.getBoundingClientRect().right + 1;
  const clips = el => ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(el).overflowX);
  const name = el => {
    const near = el.closest('[id]');
    const text = (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 60);
    return `<${el.tagName.toLowerCase()}> near #${near ? near.id : '?'} ("${text}")`;
  };
  for (const el of article.querySelectorAll('*')) {
    const math = el.closest('mjx-container');
    if (math && math !== el) continue;   // MathJax's own parts (clipped stretchy glyphs, hidden MathML)
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (clips(el) && el.scrollWidth > el.clientWidth + 1) {
      out.push(`${name(el)} is cut or scrolls: ${el.scrollWidth} px of content in ${el.clientWidth} px`);
      continue;
    }
    if (r.right > right) {
      let p = el.parentElement, inside = false;
      while (p && p !== article) { if (clips(p)) { inside = true; break; } p = p.parentElement; }
      if (!inside) out.push(`${name(el)} reaches ${Math.round(r.right)} px, past the column (${Math.round(right)} px)`);
    }
  }
  return out;
}"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page_path", REFERENCE_PAGES or [None])
def test_reference_fits_its_column(page_path, width, base_url, browser):
    if page_path is None:
        unavailable(f"no library reference page under {HTML} (run `make book` first)")
    problems = overflows(browser, f"{base_url}/{page_path}", width)
    assert not problems, (f"{page_path} at {width} px: {len(problems)} overflows: "
                          + "; ".join(problems[:8]))


def overflows(browser, url: str, width: int) -> list[str]:
    """What overflows its column on the page at ``url`` in a window ``width`` px wide,
    once MathJax has typeset (``OVERFLOW_JS``)."""
    page = browser.new_page()
    try:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url, wait_until="load")
        page.evaluate("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
        page.wait_for_timeout(300)          # book-fit.js runs once MathJax has typeset
        return page.evaluate(OVERFLOW_JS)
    finally:
        page.close()
