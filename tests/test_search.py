"""The search page shows the pages' mathematics as text, not as TeX source, in headless
Chromium: for a few queries whose hits sit next to math, every result (its title and its
excerpt) is free of TeX (``\\lambda``, ``\\(``, ``$``), and the math is there as text
(``μ``, ``∇``). _ext/static/book-search.js does the conversion; without it the excerpts read
``\\(\\tfrac{\\mu}{4}\\rho\\)``.
"""
from __future__ import annotations

import re

import pytest

from test_browser import HTML, settle, unavailable, watched  # noqa: F401 (the fixture)

TEX = re.compile(r"\\[A-Za-z]+|\\[()\[\]{}]|\$")
# query -> characters that its results must show (the math, converted)
QUERIES = {"balanced": "μρ", "weight": "μ", "differentiable": "∇ℝ"}


def search(watched, base_url, query):
    page = watched.page
    page.goto(f"{base_url}/search.html?q={query}")
    settle(page)
    page.wait_for_function(
        "() => /Search finished|did not match/.test(document.querySelector('#search-results')?.innerText || '')",
        timeout=30_000)
    page.wait_for_timeout(500)                 # the last excerpts are fetched after the status
    return page.eval_on_selector_all("#search-results ul.search > li", "els => els.map(e => e.innerText)")


@pytest.mark.parametrize("query", sorted(QUERIES))
def test_search_results_show_math_as_text(query, base_url, watched):
    if not (HTML / "search.html").is_file():
        unavailable(f"no search page under {HTML} (run `make book` first)")
    results = search(watched, base_url, query)
    assert results, f"no result for {query!r}"
    raw = [r for r in results if TEX.search(r)]
    assert not raw, f"{len(raw)} results show TeX source, e.g. {raw[0][:300]!r}"
    text = "\n".join(results)
    missing = [c for c in QUERIES[query] if c not in text]
    assert not missing, f"the results of {query!r} do not show {missing} (math left out?)"
    watched.assert_clean()


def test_tex_to_text(base_url, watched):
    if not (HTML / "search.html").is_file():
        unavailable(f"no search page under {HTML} (run `make book` first)")
    watched.page.goto(f"{base_url}/search.html")
    settle(watched.page)
    convert = lambda tex: watched.page.evaluate("t => window.bookTexToText(t)", tex)
    assert convert(r"\(\lambda_{\min}(\nabla^2 h)\)") == "λ_min(∇² h)"
    assert convert(r"\(XX^\top \in \mathbb{R}^{d_0\times d_0}\)") == "XXᵀ ∈ ℝ^(d_0× d_0)"
    assert convert(r"\(\tfrac{\mu}{4}\|W\|_F^2\)") == "μ/4‖W‖_F²"
    assert convert(r"\(\min\{a, b\}\)") == "min{a, b}"
    watched.assert_clean()
