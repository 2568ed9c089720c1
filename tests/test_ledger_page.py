"""The ledger of claims reads as mathematics (no browser needed):

- the tables that ``landscape.book.ledger.markdown_table`` makes from ``book/claims.yml`` and the
  chapters' ``[ledger]`` lines name each statement by the paper's name and number ("Paper A,
  Lemma 2: ...") and leave no ASCII mathematics (``d0``, ``XX^T``, ``1e-8``, ``<=``) outside
  MyST ``$...$`` spans (``landscape.book.ledger.ascii_math``);
- on the built page (book/appendix/ledger.html, from the executed ledger notebook) every
  table row names its paper and no ASCII mathematics is left outside the typeset math.
  This part needs the ledger notebook executed with the current library (`make execute`).
"""
from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from landscape.book import ledger
from test_links import HTML, ROOT


def test_ledger_tables_name_the_papers_and_typeset_their_math():
    book = ledger.build(ROOT)
    for paper in ("A", "B"):
        table = ledger.markdown_table(book, paper, "book/appendix/ledger")
        assert not ledger.ascii_math(table), f"paper {paper}: ASCII math {ledger.ascii_math(table)}"
        rows = table.splitlines()[2:]
        assert rows and all(r.startswith(f"| Paper {paper}, ") for r in rows), rows[:3]
        assert table.count("$") % 2 == 0


def test_built_ledger_page_has_typeset_math():
    page = HTML / "book" / "appendix" / "ledger.html"
    if not page.is_file():
        pytest.skip(f"no built book at {HTML} (run `make book` first)")
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    rows = [tr for table in soup.select("article table") for tr in table.select("tbody tr")]
    assert len(rows) == len(ledger.build(ROOT).claims), "one row per statement of claims.yml"
    for tr in rows:
        first = tr.find("td").get_text(" ", strip=True)
        assert re.match(r"Paper [AB], ", first), first
        for math in tr.select(".math"):
            math.decompose()                 # typeset by MathJax: \(...\) spans
        left = ledger.ascii_math(tr.get_text(" "))
        assert not left, f"ASCII math on the ledger page (re-execute the ledger?): {left} in {first!r}"
