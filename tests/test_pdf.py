"""The whole-book PDF of `make pdf` (scripts/build_pdf.py): it exists in the built site,
the intro page links it, and its page count has the book's order of magnitude.

`make book` alone does not build the PDF (the single-page build and the print take about
80 s), so without it these tests are skipped, unless REQUIRE_PDF=1, which fails them.
scripts/build_pdf.py itself fails when anything is wider than the printed column.
"""
from __future__ import annotations

import os
import sys

import pytest

from test_browser import HTML, ROOT

sys.path.insert(0, str(ROOT / "scripts"))
from build_pdf import PAGES_MAX, PAGES_MIN, count_pages  # noqa: E402

PDF = HTML / "downloads" / "landscape-book.pdf"


@pytest.fixture(scope="module")
def pdf_bytes():
    if not PDF.is_file():
        if os.environ.get("REQUIRE_PDF") == "1":
            pytest.fail(f"REQUIRE_PDF=1 but no {PDF} (run `make pdf`)", pytrace=False)
        pytest.skip(f"no {PDF} (`make pdf` builds it)")
    return PDF.read_bytes()


def test_pdf_is_a_whole_book(pdf_bytes):
    assert pdf_bytes.startswith(b"%PDF-"), "not a PDF"
    pages = count_pages(pdf_bytes)
    assert PAGES_MIN <= pages <= PAGES_MAX, f"{pages} pages, expected {PAGES_MIN} to {PAGES_MAX}"


def test_intro_links_the_pdf(pdf_bytes):
    intro = (HTML / "book" / "intro.html").read_text(encoding="utf-8")
    assert 'href="../downloads/landscape-book.pdf"' in intro, "the intro page does not link the PDF"
