"""Every page of the book fits its column at desktop width (1280 px), in headless Chromium:
no display equation, code line, text output (e.g. the ``[ledger]`` lines), table or figure
is wider than the article's column, is cut, or scrolls inside its own box. The check is
the one of test_reference_layout.py (``OVERFLOW_JS``), run on every page; the library
reference is also checked at phone width there.

``KNOWN_OVERFLOWS`` lists, per page, the overflows that are known and waiting for a fix
in a notebook being edited elsewhere; an overflow is allowed when its message contains one
of the page's strings. The list is meant to be emptied: an entry that no longer matches
anything fails the test, so a fixed overflow cannot stay allowed.
"""
from __future__ import annotations

import pytest

from test_browser import HTML, PAGES, unavailable
from test_reference_layout import overflows

WIDTH = 1280

# page -> substrings of allowed overflow messages (see the module docstring).
KNOWN_OVERFLOWS: dict[str, list[str]] = {}


@pytest.mark.parametrize("page_path", PAGES or [None])
def test_page_fits_its_column(page_path, base_url, browser):
    if page_path is None:
        unavailable(f"no HTML page found under {HTML} (run `make book` first)")
    if 'http-equiv="Refresh"' in (HTML / page_path).read_text(encoding="utf-8")[:300]:
        return                               # a redirect (index.html): no content of its own
    problems = overflows(browser, f"{base_url}/{page_path}", WIDTH)
    if problems == ["no article.bd-article on the page"]:
        return                               # genindex, search: no article column
    allowed = KNOWN_OVERFLOWS.get(page_path, [])
    unexpected = [p for p in problems if not any(a in p for a in allowed)]
    stale = [a for a in allowed if not any(a in p for p in problems)]
    assert not unexpected, (f"{page_path} at {WIDTH} px: {len(unexpected)} overflows: "
                            + "; ".join(unexpected[:8]))
    assert not stale, f"{page_path}: KNOWN_OVERFLOWS entries that no longer overflow: {stale}"
