"""References name the papers' own numbers (a static check of the chapters' sources).

A bare ``{prf:ref}`lem-zhu-lemma2``` renders as the book's number ("Lemma 4.1") and
``{eq}`` as the book's equation number ("(5.1)"), while the papers call the same things
"Lemma 2" and "(4)". In the chapters of ``PAPER_NUMBERED`` every reference to a statement
of ``book/claims.yml`` must give its text and name the paper ("Lemma 2 of paper A"), and
no ``{eq}`` reference is used (the displays carry the paper's numbers with ``\\tag``).

``BARE_REFS_PENDING`` lists references known to break the rule in a notebook that another
branch is editing at the same time; an entry that no longer matches fails the test.
"""
from __future__ import annotations

import json
import re

import pytest
import yaml

from test_links import ROOT

PAPER_NUMBERED = ["book/shallow/table1.ipynb", "book/shallow/experiments.ipynb",
                  "book/shallow/conjecture.ipynb"]

# notebook -> labels still referred to bare there (book/shallow/conjecture.ipynb is being
# edited in another branch; give the references their text there, then drop the entry).
BARE_REFS_PENDING: dict[str, list[str]] = {}

PRF_REF = re.compile(r"\{prf:ref\}`([^`]*)`")
EQ_REF = re.compile(r"\{eq\}`([^`]*)`")


def markdown(path):
    nb = json.loads((ROOT / path).read_text())
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


@pytest.mark.parametrize("path", PAPER_NUMBERED)
def test_references_name_the_papers_numbers(path):
    papers = {c["label"]: c["paper"] for c in yaml.safe_load((ROOT / "book" / "claims.yml").read_text())
              if c.get("label")}
    text = markdown(path)
    bare, unnamed = [], []
    for ref in PRF_REF.findall(text):
        m = re.fullmatch(r"(.*\S)\s*<([^>]+)>", ref)
        label = m.group(2) if m else ref
        if label not in papers:
            continue
        if m is None:
            bare.append(label)
        elif f"paper {papers[label]}".lower() not in m.group(1).lower():
            unnamed.append(ref)
    pending = BARE_REFS_PENDING.get(path, [])
    assert not [b for b in bare if b not in pending], f"{path}: bare references {sorted(set(bare))}"
    assert not [p for p in pending if p not in bare], f"{path}: BARE_REFS_PENDING entries now fixed: {pending}"
    assert not unnamed, f"{path}: references that do not name the paper: {unnamed}"
    assert not EQ_REF.findall(text), f"{path}: {{eq}} references show the book's numbers: {EQ_REF.findall(text)}"
