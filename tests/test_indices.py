"""The book's indices (a static check of the built HTML, no browser needed):

- the index of statements (``prf-prf.html``, made by ``_ext/book_indices.py``) and the
  general index (``genindex.html``) are linked from the book: the table of contents reaches
  the page book/appendix/indices.html, which links both;
- the index of statements names every statement of ``book/claims.yml`` by the paper's name
  and number ("Paper A, Lemma 2"), with the book's number and chapter, and shows no internal
  label (``def-critical``) anywhere;
- the general index lists the same statements under "Paper A" and "Paper B".
"""
from __future__ import annotations

import re

import pytest
import yaml
from bs4 import BeautifulSoup

from test_links import HTML, ROOT

LABEL = re.compile(r"\b(?:def|thm|lem|cor|obs|conj|tab)-[a-z0-9-]+\b")


def soup_of(rel: str) -> BeautifulSoup:
    path = HTML / rel
    if not path.is_file():
        pytest.skip(f"no built book at {HTML} (run `make book` first)")
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def claims() -> dict:
    out = {}
    for c in yaml.safe_load((ROOT / "book" / "claims.yml").read_text()):
        if c.get("label") and not c["label"].startswith("tab-"):
            out.setdefault(c["label"], c)
    return out


def test_indices_are_linked_from_the_book():
    intro = soup_of("book/intro.html")
    toc = intro.select_one("nav.bd-docs-nav") or intro
    assert any(a["href"].endswith("appendix/indices.html") for a in toc.find_all("a", href=True)), \
        "the table of contents does not reach book/appendix/indices.html"
    page = soup_of("book/appendix/indices.html").select_one("article")
    hrefs = {a["href"] for a in page.find_all("a", href=True)}
    assert "../../prf-prf.html" in hrefs and "../../genindex.html" in hrefs, hrefs


def test_statement_index_names_the_papers_statements():
    article = soup_of("prf-prf.html").select_one("article") or soup_of("prf-prf.html")
    text = article.get_text(" ")
    assert not LABEL.findall(text), f"internal labels shown: {sorted(set(LABEL.findall(text)))}"
    rows = [tr for tr in article.select("table.modindextable tr") if tr.find("a", href=True)]
    by_label = {}
    for tr in rows:
        a = tr.find("a", href=True)
        by_label[a["href"].split("#", 1)[1]] = (a.get_text(" ", strip=True), tr.get_text(" ", strip=True))
    missing = sorted(set(claims()) - set(by_label))
    assert not missing, f"statements missing from the index of statements: {missing}"
    for label, claim in claims().items():
        name, row = by_label[label]
        number = re.sub(r"\s*\([ivx]+\)$", "", claim["number"])
        assert name.startswith(f"Paper {claim['paper']}, "), (label, name)
        if not number.startswith("Section"):
            assert f"Paper {claim['paper']}, {number}" in name, (label, name)
        assert re.search(r"\((?:[A-Z][a-z]+) \d+\.\d+ in this book\)", row), (label, row)


def test_general_index_lists_the_statements():
    text = soup_of("genindex.html").get_text(" ")
    for paper in ("A", "B"):
        assert re.search(rf"\bPaper {paper}\b", text), f"no 'Paper {paper}' entry in genindex"
    assert "Definition 1: Critical point" in text and "Theorem 3 (Laurent and von Brecht)" in text
    assert not LABEL.findall(text), f"internal labels in genindex: {sorted(set(LABEL.findall(text)))[:5]}"
