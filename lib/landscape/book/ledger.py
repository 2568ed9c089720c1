"""Recording what a check cell verified, for the book's ledger of claims.

A check cell of the book ends, after its ``assert`` statements, with a call such as::

    ledger.record("A.thm2.i")                                  # verified
    ledger.record("A.exp.b", "not reproduced", "GD on g is slower at d0 = 20 under ...")

which prints one line, ``[ledger] A.thm2.i: verified``. The line is part of the cell's stored
output, so it exists only if the asserts before it passed when the notebook was executed,
and nbval checks it on every test run. The appendix page *Ledger of claims* collects these
lines from all notebooks and matches them with the list of the papers' statements in
``book/claims.yml``.

For example:

>>> record("A.thm2.i")
[ledger] A.thm2.i: verified
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["VERDICTS", "Claim", "Record", "Ledger", "ascii_math", "build", "record", "tex_note"]


#: The verdicts a check can record (``"not checked"`` is given in ``book/claims.yml`` instead).
VERDICTS = ("verified", "verified with a stated condition", "not reproduced")


def record(claim: str, verdict: str = "verified", note: str = "", *, glue=None,
           summary: str = "") -> None:
    """Print the ledger line for ``claim`` (an id of ``book/claims.yml``).

    ``note`` is required for ``"verified with a stated condition"`` (the condition) and for
    ``"not reproduced"`` (what was found instead).

    ``glue`` (a dict, optional) names the numbers the page quotes from this check: each
    ``key: value`` is glued first, in order, as ``myst_nb.glue(key, value, display=False)``
    would. ``summary`` (optional) is printed next, before the ledger line: one call in place
    of the glue calls, the ``print`` of what was checked and the record.

    >>> record("A.lem1", summary="checked: 3 instances")
    checked: 3 instances
    [ledger] A.lem1: verified

    Refuses a ``claim`` that is not an id without spaces, an unknown ``verdict``, a
    ``note`` that is not a one-line string (or is empty when the verdict needs one), a
    ``glue`` that is not a dict with non-empty string keys without spaces, and a
    ``summary`` that is not a string. Nothing is glued or printed when an argument is refused.
    """
    if not isinstance(claim, str) or not claim or any(c.isspace() for c in claim):
        raise ValueError(f"claim must be an id without spaces, like 'A.thm2.i'; got {claim!r}")
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}; got {verdict!r}")
    if not isinstance(note, str):
        raise TypeError(f"note must be a string; got {type(note).__name__}")
    if verdict != "verified" and not note.strip():
        raise ValueError(f"a {verdict!r} verdict needs a note saying the condition or the finding")
    if "\n" in note:
        raise ValueError("note must be one line")
    if glue is not None and not isinstance(glue, dict):
        raise TypeError(f"glue must be a dict of name -> value; got {type(glue).__name__}")
    for key in glue or {}:
        if not isinstance(key, str) or not key or any(c.isspace() for c in key):
            raise ValueError(f"glue keys must be names without spaces; got {key!r}")
    if not isinstance(summary, str):
        raise TypeError(f"summary must be a string; got {type(summary).__name__}")
    if glue:
        from myst_nb import glue as _glue   # the book's toolchain; imported only when gluing

        for key, value in glue.items():
            _glue(key, value, display=False)
    if summary:
        print(summary)
    print(f"[ledger] {claim}: {verdict}" + (f" -- {note.strip()}" if note.strip() else ""))


_LINE = re.compile(r"^\[ledger\] (\S+): (verified with a stated condition|verified|not reproduced)"
                   r"(?: -- (.*))?$")


_PRF = re.compile(r"^(`{3,}|:{3,})\{prf:(\w+)\}[^\n]*\n((?::[\w-]+:[^\n]*\n)*)", re.M)


_LABEL_OPT = re.compile(r"^:label:\s*(\S+)", re.M)


_TARGET = re.compile(r"^\(([\w.-]+)\)=\s*$", re.M)


_HEADING = re.compile(r"^(#{1,6})\s+(.*)$", re.M)


_STATEMENT_KINDS = {"theorem", "lemma", "corollary", "definition", "observation", "conjecture",
                    "proposition", "property", "axiom", "assumption", "criterion", "algorithm"}


@dataclass
class Claim:
    """One statement of a paper (an entry of ``book/claims.yml``)."""

    id: str
    paper: str
    kind: str
    number: str
    title: str
    label: str = ""
    reason: str = ""


@dataclass
class Record:
    """One ``[ledger]`` line found in a notebook's stored outputs."""

    claim: str
    verdict: str
    note: str
    doc: str          # the notebook's path relative to the book root, without suffix
    cell: int         # 0-based cell index (the HTML anchor is ``cell-<index>``)
    section: str      # title of the section the cell is in


@dataclass
class Ledger:
    claims: list
    records: list
    labels: dict                       # label -> (doc, directive kind)
    problems: list = field(default_factory=list)

    def records_for(self, claim_id):
        """The records of one claim id (a string)."""
        if not isinstance(claim_id, str):
            raise TypeError(f"claim_id must be a string; got {type(claim_id).__name__}")
        return [r for r in self.records if r.claim == claim_id]

    def verdict(self, claim: Claim) -> str:
        """The claim's overall verdict.

        ``verified`` if some check verifies it and none fails to reproduce it; ``not
        reproduced`` if every check says so; ``verified with a stated condition`` when the
        checks only verify it under a condition, or disagree (it holds in some settings and
        not in others); ``not checked`` when no cell records it (claims.yml gives why).
        Refuses a ``claim`` that is not a :class:`Claim`.
        """
        if not isinstance(claim, Claim):
            raise TypeError(f"claim must be a Claim; got {type(claim).__name__}")
        verdicts = {r.verdict for r in self.records_for(claim.id)}
        if not verdicts:
            return "not checked"
        if "not reproduced" in verdicts:
            return "not reproduced" if verdicts == {"not reproduced"} else "verified with a stated condition"
        return "verified" if "verified" in verdicts else "verified with a stated condition"

    def counts(self) -> dict:
        out = {v: 0 for v in VERDICTS + ("not checked",)}
        for c in self.claims:
            out[self.verdict(c)] += 1
        return out


def _load_claims(path: Path) -> tuple[list, list]:
    import yaml  # PyYAML (installed with the book's toolchain); imported only here

    problems, claims, seen = [], [], set()
    for i, entry in enumerate(yaml.safe_load(path.read_text()) or []):
        missing = {"id", "paper", "kind", "number", "title"} - set(entry)
        if missing:
            problems.append(f"claims.yml entry {i} lacks {sorted(missing)}")
            continue
        if entry["id"] in seen:
            problems.append(f"claims.yml: duplicate id {entry['id']}")
        seen.add(entry["id"])
        claims.append(Claim(**{k: str(v) for k, v in entry.items()}))
    return claims, problems


def _cells(path: Path):
    """(index, cell) pairs of a notebook, or one markdown pseudo-cell for a .md page."""
    if path.suffix == ".md":
        return [(0, {"cell_type": "markdown", "source": path.read_text()})]
    nb = json.loads(path.read_text())
    out = []
    for i, cell in enumerate(nb["cells"]):
        src = cell.get("source", "")
        cell = dict(cell, source="".join(src) if isinstance(src, list) else src)
        out.append((i, cell))
    return out


def _output_text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            text = out.get("text", "")
            parts.append("".join(text) if isinstance(text, list) else text)
    return "".join(parts)


def build(book_root=".", claims_file="book/claims.yml", pages=None) -> Ledger:
    """Collect the ledger of a book.

    Refuses (``TypeError``) paths that are not strings or path-like and (``ValueError``) a
    ``book_root`` that is not a directory or a ``claims_file`` that does not exist there.

    Parameters
    ----------
    book_root : path
        The repository root (where ``_toc.yml`` is).
    claims_file : path
        The list of statements, relative to ``book_root`` (an existing file).
    pages : list of paths, optional
        The pages to scan (relative to ``book_root``); default: every ``book/**/*.ipynb``
        and ``book/**/*.md``.

    The result's ``problems`` lists everything that makes the ledger incomplete: a
    statement with neither a check nor a reason, a ``[ledger]`` line for an unknown id, a
    claim whose label is stated nowhere in the book, a statement directive in the book
    whose label no claim lists, or a claim that has both checks and a reason.
    """
    from .._checks import as_path

    root = as_path("book_root", book_root, "dir")
    if not isinstance(claims_file, (str, os.PathLike)):
        raise TypeError(f"claims_file must be a path (str or os.PathLike); got {type(claims_file).__name__}")
    if not (root / claims_file).is_file():
        raise ValueError(f"claims_file must be an existing file under book_root; got {str(claims_file)!r}")
    claims, problems = _load_claims(root / claims_file)
    if pages is None:
        pages = sorted(p.relative_to(root) for ext in ("ipynb", "md")
                       for p in (root / "book").rglob(f"*.{ext}") if ".ipynb_checkpoints" not in p.parts)
    records, labels = [], {}
    for page in pages:
        page = Path(page)
        doc = str(page.with_suffix("")).replace(os.sep, "/")
        section = ""
        for index, cell in _cells(root / page):
            if cell["cell_type"] == "markdown":
                for m in _PRF.finditer(cell["source"]):
                    lab = _LABEL_OPT.search(m.group(3))
                    if lab:
                        labels[lab.group(1)] = (doc, m.group(2))
                for m in _TARGET.finditer(cell["source"]):
                    labels.setdefault(m.group(1), (doc, "target"))
                heads = _HEADING.findall(cell["source"])
                if heads:
                    section = heads[-1][1].strip()
            elif cell["cell_type"] == "code":
                for line in _output_text(cell).splitlines():
                    m = _LINE.match(line.strip())
                    if m:
                        records.append(Record(m.group(1), m.group(2), m.group(3) or "", doc, index, section))
    known = {c.id for c in claims}
    claimed_labels = {c.label for c in claims if c.label}
    for r in records:
        if r.claim not in known:
            problems.append(f"{r.doc} cell {r.cell}: [ledger] line for unknown claim id {r.claim!r}")
    for c in claims:
        has = any(r.claim == c.id for r in records)
        if not has and not c.reason:
            problems.append(f"{c.id} ({c.number}) has no check cell and no stated reason")
        if has and c.reason:
            problems.append(f"{c.id} has check cells and also a 'reason' for not being checked")
        if c.label and c.label not in labels and not c.reason:
            problems.append(f"{c.id}: its label {c.label!r} is stated nowhere in the book")
    for label, (doc, kind) in sorted(labels.items()):
        if kind in _STATEMENT_KINDS and label not in claimed_labels:
            problems.append(f"{doc}: statement {{prf:{kind}}} {label!r} is not listed in claims.yml")
    return Ledger(claims, records, labels, problems)


def _html_link(from_doc: str, doc: str, cell: int, text: str) -> str:
    import posixpath

    href = posixpath.relpath(doc + ".html", start=posixpath.dirname(from_doc)) + f"#cell-{cell}"
    text = text.replace("<", "&lt;").replace(">", "&gt;").replace("|", "&#124;")
    return f'<a href="{href}">{text}</a>'


# ---------------------------------------------------------------------------------------
# The notes of [ledger] lines are plain text (they are printed in the check cells' outputs);
# the ledger page shows their mathematics typeset: tex_note turns the ASCII notation the
# notes use (d0, XX^T, T_f/T_g, lambda_{d1}, 1e-8, <=, |grad f|) into MyST $...$ spans.
# ---------------------------------------------------------------------------------------

_NORMS = [(re.compile(r"\|grad ([A-Za-z])\|"), "\u2016\u2207\\1\u2016"),     # |grad f| -> one token
          (re.compile(r"\|([A-Z]+\^T)\|"), "\u2016\\1\u2016")]
_ATOMS = [  # (pattern, TeX) applied inside a math span; a token with a match is math
    (re.compile(r"\u2016\u2207([A-Za-z])\u2016"), r"\\lVert\\nabla \1\\rVert"),
    (re.compile(r"\u2016([^\u2016]+)\u2016"), r"\\lVert \1\\rVert"),
    (re.compile(r"\blambda_\{([^}]*)\}"), r"\\lambda_{\1}"),
    (re.compile(r"\blambda_([A-Za-z]{2,})\b"), r"\\lambda_{\\text{\1}}"),
    (re.compile(r"\blambda_(\w)\b"), r"\\lambda_\1"),
    (re.compile(r"\b([A-Z]{1,2})\^T\b"), r"\1^\\top"),
    (re.compile(r"\bMSE_(\w)\b"), r"\\mathrm{MSE}_\1"),
    (re.compile(r"\b([dW])(\d)\b"), r"\1_\2"),
    (re.compile(r"\b([A-Za-z])_([A-Za-z0-9])\b"), r"\1_\2"),
    (re.compile(r"\b(\d+(?:\.\d+)?)e([+-]?)0*(\d+)\b"), None),          # 1e-8, 7e-04: see _sci
    (re.compile(r"\bsqrt\(([^()]*)\)"), r"\\sqrt{\1}"),
    (re.compile(r"\b(min|max)\b"), r"\\\1"),
    (re.compile(r"\brank\("), r"\\operatorname{rank}("),
    (re.compile(r"\bdelta\b"), r"\\delta"),
    (re.compile(r"\bN\(0, ?1\)"), r"N(0, 1)"),
    (re.compile(r"\b[XYVUWABMPQ]{2}\b"), None),                            # matrix products
]
_OPS = {"=": "=", "<": r"\lt", ">": r"\gt", "<=": r"\le", ">=": r"\ge", "-": "-", "+": "+",
        "/": "/", "!=": r"\ne"}
_NOT_AFTER = {"paper", "table", "section", "figure", "figures", "part", "appendix"}
_NUMBER = re.compile(r"^[(\[]*-?\d+(?:\.\d+)?%?[)\],;:.]*$")
_EDGE = "([,;:.)]"


def _sci(m) -> str:
    mant, sign, exp = m.group(1), m.group(2), m.group(3)
    power = "10^{" + ("-" if sign == "-" else "") + exp + "}"
    return power if mant == "1" else f"{mant} \\cdot {power}"


def _kind(token: str, previous: str) -> str:
    """'strong' (a math atom or variable), 'op', 'weak' (a number) or 'word'."""
    if token in _OPS:
        return "op"
    if any(p.search(token) for p, _ in _ATOMS):
        return "strong"
    if re.match(r"^\(?[A-Za-z]'s[,;:.)]*$", token):          # f's
        return "strong"
    core = token.strip("([])],;:.")
    if len(core) == 1 and core.isalpha() and core != "a" and previous.strip("([").lower() not in _NOT_AFTER:
        return "strong"
    if _NUMBER.match(token):
        return "weak"
    return "word"


def _to_tex(span: str) -> str:
    for pattern, tex in _ATOMS:
        if pattern.pattern.startswith(r"\b(\d"):
            span = pattern.sub(_sci, span)
        elif tex is not None:
            span = pattern.sub(tex, span)
    span = re.sub(r"(?<=\{)d(\d)", r"d_\1", span)                        # lambda_{d1} -> {d_1}
    return " ".join(_OPS.get(t, t) for t in span.split(" "))


_ASCII_MATH = re.compile(r"\b[dW]\d\b|\^T\b|\b[A-Za-z]_[\w{]|\blambda(?![a-z])|<=|>=|!=|\b\d+(?:\.\d+)?e[+-]?\d+\b"
                         r"|\bsqrt\(|\|grad\b|\bN\(0, ?1\)")


def ascii_math(text: str) -> list:
    """The pieces of ASCII mathematics (``d0``, ``XX^T``, ``T_f``, ``lambda``, ``<=``,
    ``1e-8``, ``sqrt(``, ``|grad``) left in ``text`` outside its ``$...$`` spans.

    >>> ascii_math("at $d_0 = 10$ and d1 <= 3")
    ['d1', '<=']
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string; got {type(text).__name__}")
    outside = re.sub(r"\$[^$]*\$", " ", text)
    return [m.group(0) for m in _ASCII_MATH.finditer(outside)]


def tex_note(note: str) -> str:
    """A ``[ledger]`` note with its ASCII mathematics as MyST ``$...$`` spans.

    >>> tex_note("median T_f/T_g = 0.015 (GD) at d0 = 20")
    'median $T_f/T_g = 0.015$ (GD) at $d_0 = 20$'
    >>> tex_note("on instances with XX^T = I, where h = g")
    'on instances with $XX^\\\\top = I$, where $h = g$'

    A note that already has a ``$`` is returned as it is. Refuses a non-string ``note``.
    """
    if not isinstance(note, str):
        raise TypeError(f"note must be a string; got {type(note).__name__}")
    if "$" in note:
        return note
    for pattern, repl in _NORMS:
        note = pattern.sub(repl, note)
    parts = re.split(r"(\s+)", note)
    tokens, spaces = parts[0::2], parts[1::2] + [""]
    kinds, prev = [], ""
    for tok in tokens:
        kinds.append(_kind(tok, prev) if tok else "word")
        prev = tok
    out, i = [], 0
    while i < len(tokens):
        if kinds[i] != "strong":
            out.append(tokens[i] + spaces[i])
            i += 1
            continue
        j = i        # extend over strong, op and weak tokens; ";" or ":" ends a span, and so
        while (j + 1 < len(tokens) and kinds[j + 1] != "word" and tokens[j][-1] not in ";:"
               and not (tokens[j + 1][0] == "(" and kinds[j] != "op")):   # does "g (g"
            j += 1
        k = max(m for m in range(i, j + 1) if kinds[m] == "strong")
        while k + 1 <= j and kinds[k + 1] == "op":      # keep "= 10", "= (4, 2, 3)" tails
            m = k + 1
            while m + 1 <= j and kinds[m + 1] != "op":
                m += 1
            if m == k + 1:
                break
            k = m
        span = "".join(tokens[m] + (spaces[m] if m < k else "") for m in range(i, k + 1))
        lead = ""
        while span and span[0] in "([" and span.count("(") + span.count("[") > span.count(")") + span.count("]"):
            lead, span = lead + span[0], span[1:]
        trail = ""
        if span.endswith("'s"):
            trail, span = "'s", span[:-2]
        while span and (span[-1] in ",;:." or (span[-1] in ")]" and
                        span.count(")") + span.count("]") > span.count("(") + span.count("["))):
            trail, span = span[-1] + trail, span[:-1]
        out.append(f"{lead}${_to_tex(span)}${trail}{spaces[k]}")
        i = k + 1
    return "".join(out).replace("\u2016", "|")


def markdown_table(ledger: Ledger, paper: str, from_doc: str) -> str:
    """A MyST Markdown table of one paper's claims, for the page ``from_doc`` (e.g.
    ``"book/appendix/ledger"``): statement, where the book states it, the check cells
    (linked to their anchors), and the verdict with the checks' notes."""
    rows = ["| statement | stated in the book | check cells | verdict |", "|---|---|---|---|"]
    for c in ledger.claims:
        if c.paper != paper:
            continue
        stated = f"{{prf:ref}}`{c.label}`" if ledger.labels.get(c.label, ("", ""))[1] not in ("", "target") \
            else (f"{{ref}}`{c.number} <{c.label}>`" if c.label in ledger.labels else "not stated")
        recs = ledger.records_for(c.id)
        checks = "<br>".join(_html_link(from_doc, r.doc, r.cell, f"{r.doc.split('/')[-1]}, cell {r.cell}")
                             for r in recs) or "none"
        overall = ledger.verdict(c)
        verdict = f"**{overall}**"
        notes = [r.note if r.verdict == overall else f"{r.verdict}: {r.note}" for r in recs if r.note]
        if not recs and c.reason:
            notes.append(c.reason)
        if notes:
            verdict += "<br>" + "<br>".join(tex_note(n).replace("|", "&#124;") for n in notes)
        statement = f"Paper {c.paper}, {c.number}: {c.title}"
        rows.append(f"| {statement.replace('|', '&#124;')} | {stated} | {checks} | {verdict} |")
    return "\n".join(rows)
