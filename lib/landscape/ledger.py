"""Recording what a check cell verified, for the book's ledger of claims.

A check cell of the book ends, after its ``assert``s, with a call such as::

    ledger.record("A.thm2.i")                                  # verified
    ledger.record("A.exp.b", "not reproduced", "GD on g is slower at d0 = 20 under ...")

which prints one line, ``[ledger] A.thm2.i: verified``. The line is part of the cell's stored
output, so it exists only if the asserts before it passed when the notebook was executed,
and nbval checks it on every test run. The appendix page *Ledger of claims* collects these
lines from all notebooks and matches them with the list of the papers' statements in
``book/claims.yml``.
"""

from __future__ import annotations

__all__ = ["VERDICTS", "record"]

#: The verdicts a check can record (``"not checked"`` is given in ``book/claims.yml`` instead).
VERDICTS = ("verified", "verified with a stated condition", "not reproduced")


def record(claim: str, verdict: str = "verified", note: str = "") -> None:
    """Print the ledger line for ``claim`` (an id of ``book/claims.yml``).

    ``note`` is required for ``"verified with a stated condition"`` (the condition) and for
    ``"not reproduced"`` (what was found instead).
    """
    if not isinstance(claim, str) or not claim or any(c.isspace() for c in claim):
        raise ValueError(f"claim must be an id without spaces, like 'A.thm2.i'; got {claim!r}")
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}; got {verdict!r}")
    if verdict != "verified" and not note.strip():
        raise ValueError(f"a {verdict!r} verdict needs a note saying the condition or the finding")
    if "\n" in note:
        raise ValueError("note must be one line")
    print(f"[ledger] {claim}: {verdict}" + (f" -- {note.strip()}" if note.strip() else ""))
