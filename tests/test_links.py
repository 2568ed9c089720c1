"""Every internal link of the built book points at a page that exists, and every link with
a fragment (#anchor) at an element with that id on the target page (a static check of the
HTML, no browser needed): cross-references, the ledger's links to check cells, the
table of contents, figure and equation references."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
HTML = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html")).resolve()
PDF = HTML / "downloads" / "landscape-book.pdf"
SKIP_DIRS = {"_static", "_sources", "_images", "_downloads", "jupyter_execute"}


def pages():
    if not HTML.is_dir():
        return []
    return [p for p in sorted(HTML.rglob("*.html")) if p.relative_to(HTML).parts[0] not in SKIP_DIRS]


@lru_cache(maxsize=None)
def ids_of(path: Path) -> frozenset:
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    return frozenset(el["id"] for el in soup.find_all(id=True)) | frozenset(
        el["name"] for el in soup.find_all("a", attrs={"name": True}))


@pytest.mark.parametrize("page", pages() or [None], ids=lambda p: str(p.relative_to(HTML)) if p else "none")
def test_internal_links_resolve(page):
    if page is None:
        pytest.skip(f"no built book at {HTML} (run `make book` first)")
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    broken = []
    for a in soup.find_all("a", href=True):
        url = urlsplit(a["href"])
        if url.scheme or url.netloc or a["href"].startswith(("mailto:", "javascript:")):
            continue
        target = page if not url.path else (page.parent / unquote(url.path)).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.exists():
            if target == PDF and os.environ.get("REQUIRE_PDF") != "1":
                continue        # built by `make pdf`, not by `make book` (tests/test_pdf.py)
            broken.append(f"{a['href']} (no such file)")
            continue
        if url.fragment and target.suffix == ".html" and unquote(url.fragment) not in ids_of(target):
            broken.append(f"{a['href']} (no id {url.fragment!r} on {target.relative_to(HTML)})")
    assert not broken, f"{len(broken)} broken internal links: {broken[:10]}"
