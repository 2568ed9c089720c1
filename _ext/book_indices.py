"""Sphinx extension of the book: indices that read as the papers' statements.

sphinx-proof's own index (``prf-prf.html``) lists each statement by its internal label
(``def-critical``, ``thm-zhu-theorem2``), grouped under one heading per label. This
extension replaces it by an index of statements that names each one as the papers do,
with the book's own number and chapter next to it::

    Paper A (Zhu, Soudry, Eldar and Wakin 2020)
      Paper A, Definition 1: Critical point   (Definition 1.1)   Landscapes ...
      Paper A, Theorem 2                      (Theorem 2.1)      Theorem 2 ...

The paper and its number come from ``book/claims.yml`` (the list the ledger of claims is
built from: ``paper``, ``number`` and ``label`` of each statement), the title from the
statement's directive in the book. A statement no claim lists keeps its title, under
"This book".

The same names go into the general index (``genindex.html``, which otherwise lists only
the library reference), as entries "Paper A" > "Definition 1: Critical point".

It also gives the proof index a reference label, ``prf-prf``, like Sphinx's own
``genindex``, so that a page can link both with ``{ref}`` (book/appendix/indices.md).
"""
from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes

PAPERS = {
    "A": "Paper A (Zhu, Soudry, Eldar and Wakin 2020)",
    "B": "Paper B (Zhang 2019)",
}
BOOK_GROUP = "This book"
_PART = re.compile(r"\s*\([ivx]+\)$")          # "Theorem 2(i)" -> "Theorem 2"


def _claims(app) -> dict:
    """label -> (paper letter, number) from book/claims.yml (first claim of a label)."""
    import yaml

    path = Path(app.srcdir) / "book" / "claims.yml"
    out = {}
    for entry in yaml.safe_load(path.read_text()) or []:
        label = entry.get("label")
        if label and label not in out:
            out[label] = (str(entry["paper"]), _PART.sub("", str(entry["number"])))
    return out


def statement_name(title: str, paper: str | None, number: str | None) -> str:
    """The index name of a statement: the paper's name and number, then the book's title.

    >>> statement_name("Critical point", "A", "Definition 1")
    'Paper A, Definition 1: Critical point'
    >>> statement_name("Theorem 3 of paper A (Kawaguchi)", "A", "Theorem 3")
    'Paper A, Theorem 3 (Kawaguchi)'
    >>> statement_name("Section IV-A of paper A, on Figures 1-2", "A", "Section IV-A")
    'Paper A, Section IV-A, on Figures 1-2'
    >>> statement_name("Paper A, Sections I and IV", "A", "Section III / IV")
    'Paper A, Sections I and IV'
    """
    title = title.strip()
    if not paper:
        return title
    head = f"Paper {paper}"
    if title.lower().startswith(head.lower()):
        return head + title[len(head):]
    own = f"{number} of paper {paper}"
    if number and title.lower().startswith(own.lower()):
        return f"{head}, {number}{title[len(own):]}"
    return f"{head}, {number}: {title}" if number else f"{head}: {title}"


def _title_text(app, node) -> str:
    """The directive's own title (proof_title_format, " (%t)" by default, undone)."""
    title = next(iter(node.findall(nodes.title)), None)
    text = title.astext() if title is not None else ""
    before, _, after = app.config.proof_title_format.partition("%t")
    if before and text.startswith(before):
        text = text[len(before):]
    if after and text.endswith(after):
        text = text[: -len(after)]
    return text.strip()


def _is_statement(node) -> bool:
    return isinstance(node, nodes.Element) and "realtype" in node.attributes and "label" in node.attributes


def _doctree_read(app, doctree):
    env = app.env
    claims = _claims(app)
    stored = env.__dict__.setdefault("book_statements", {})
    index_entries = env.get_domain("index").entries.setdefault(env.docname, [])
    for node in doctree.findall(_is_statement):
        label = node["label"]
        if not label or label not in node["ids"]:
            continue
        paper, number = claims.get(label, (None, None))
        title = _title_text(app, node)
        name = statement_name(title, paper, number)
        stored[label] = {"docname": env.docname, "name": name, "paper": paper,
                         "realtype": node["realtype"], "countertype": node["countertype"],
                         "nonumber": "nonumber" in node.get("classes", []) or not node.get("countertype")}
        if paper:
            sub = name[len(f"Paper {paper}, "):] if name.startswith(f"Paper {paper}, ") else name
            index_entries.append(("single", f"Paper {paper}; {sub}", label, "", None))
        else:
            index_entries.append(("single", name, label, "", None))


def _purge(app, env, docname):
    stored = env.__dict__.get("book_statements", {})
    for label in [k for k, v in stored.items() if v["docname"] == docname]:
        del stored[label]


def _merge(app, env, docnames, other):
    env.__dict__.setdefault("book_statements", {}).update(
        {k: v for k, v in other.__dict__.get("book_statements", {}).items() if v["docname"] in docnames})


def _book_number(env, info, label) -> tuple:
    """The statement's number in the book, e.g. (9, 2), or () when it has none."""
    try:
        return tuple(env.toc_fignumbers[info["docname"]][info["countertype"]][label])
    except (KeyError, AttributeError, TypeError):
        return ()


def _make_index_class(base):
    class StatementIndex(base):
        """The index of statements (replaces sphinx-proof's index of labels)."""

        book_statements = True
        localname = "Index of statements"
        shortname = "statements"

        def generate(self, docnames=None):
            env = self.domain.env
            stored = env.__dict__.get("book_statements", {})
            groups = {}
            for label, info in stored.items():
                if docnames and info["docname"] not in docnames:
                    continue
                group = PAPERS.get(info["paper"], BOOK_GROUP)
                chapter = env.titles.get(info["docname"])
                number = _book_number(env, info, label)
                extra = info["realtype"].title() + (" " + ".".join(map(str, number)) if number else "")
                groups.setdefault(group, []).append((number, (
                    info["name"], 0, info["docname"], label, f"{extra} in this book", "",
                    chapter.astext() if chapter is not None else "")))
            order = list(PAPERS.values()) + [BOOK_GROUP]
            # in the order the book states them
            content = [(g, [e for _, e in sorted(groups[g], key=lambda x: (x[0], x[1][0]))])
                       for g in order if g in groups]
            return content, False

    return StatementIndex


def _builder_inited(app):
    try:
        domain = app.env.get_domain("prf")
    except Exception:                           # sphinx-proof not loaded
        return
    base = next((i for i in domain.indices if i.name == "prf"), None)
    if base is not None and not getattr(base, "book_statements", False):
        # The domain instance holds its own list of index classes (Domain.__init__ copies it).
        domain.indices = [_make_index_class(base) if i is base else i for i in domain.indices]
    std = app.env.get_domain("std")
    std.labels.setdefault("prf-prf", ("prf-prf", "", "Index of statements"))
    std.anonlabels.setdefault("prf-prf", ("prf-prf", ""))


def setup(app):
    app.connect("builder-inited", _builder_inited)
    app.connect("doctree-read", _doctree_read)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
