"""The ledger: record lines, collection from a small fake book, completeness problems."""

import json

import pytest

from landscape.book import ledger


def test_record_prints_one_line(capsys):
    ledger.record("A.thm2.i")
    ledger.record("A.exp.b", "not reproduced", "slower on g")
    assert capsys.readouterr().out.splitlines() == [
        "[ledger] A.thm2.i: verified", "[ledger] A.exp.b: not reproduced -- slower on g"]


@pytest.mark.parametrize("args,message", [
    (("A thm",), "without spaces"), (("A.x", "true"), "verdict must be one of"),
    (("A.x", "not reproduced"), "needs a note"), (("A.x", "not reproduced", "a\nb"), "one line")])
def test_record_refuses_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        ledger.record(*args)


def _notebook(cells):
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def _md(text):
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _code(out):
    return {"cell_type": "code", "metadata": {}, "source": "x", "execution_count": 1,
            "outputs": [{"output_type": "stream", "name": "stdout", "text": out}]}


def test_build_collects_records_labels_and_problems(tmp_path):
    pytest.importorskip("yaml", reason="ledger.build reads claims.yml with PyYAML (pip install ./lib[book])")
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "claims.yml").write_text(
        "- {id: A.t1, paper: A, kind: theorem, number: 'Theorem 1', title: T, label: thm-one}\n"
        "- {id: A.t2, paper: A, kind: theorem, number: 'Theorem 2', title: U, label: thm-two,"
        " reason: cited only}\n"
        "- {id: A.t3, paper: A, kind: lemma, number: 'Lemma 3', title: V, label: lem-three}\n")
    (tmp_path / "book" / "ch.ipynb").write_text(_notebook([
        _md("# Chapter\n\n```{prf:theorem} One\n:label: thm-one\nText.\n```\n\n"
            "```{prf:lemma} Extra\n:label: lem-extra\nText.\n```"),
        _code("checked\n[ledger] A.t1: verified\n[ledger] A.zz: verified\n"),
        _md("## Later section"),
        _code("[ledger] A.t1: not reproduced -- differs at scale 10\n"),
    ]))
    book = ledger.build(tmp_path)
    assert [(r.claim, r.cell, r.section) for r in book.records] == [
        ("A.t1", 1, "Chapter"), ("A.zz", 1, "Chapter"), ("A.t1", 3, "Later section")]
    assert book.verdict(book.claims[0]) == "verified with a stated condition"   # mixed evidence
    assert book.verdict(book.claims[1]) == "not checked"
    problems = "\n".join(book.problems)
    assert "unknown claim id 'A.zz'" in problems
    assert "A.t3 (Lemma 3) has no check cell and no stated reason" in problems
    assert "label 'lem-three' is stated nowhere" in problems
    assert "statement {prf:lemma} 'lem-extra' is not listed" in problems
    assert "A.t2" not in problems
    table = ledger.markdown_table(book, "A", "book/appendix/ledger")
    assert '<a href="../ch.html#cell-1">ch, cell 1</a>' in table
    assert "{prf:ref}`thm-one`" in table and "not stated" in table
    assert "| Paper A, Theorem 1: T |" in table                 # the paper's name and number


@pytest.mark.parametrize("note,tex", [
    ("median T_f/T_g = 0.015 (GD), 0.16 (L-BFGS)", "median $T_f/T_g = 0.015$ (GD), 0.16 (L-BFGS)"),
    ("with XX^T = I, where h = g and the set C; r_c read as rank(W2 W1)",
     r"with $XX^\top = I$, where $h = g$ and the set $C$; $r_c$ read as $\operatorname{rank}(W_2 W_1)$"),
    ("conditions (d0, d1, d2) = (4, 2, 3), at", "conditions $(d_0, d_1, d_2) = (4, 2, 3)$, at"),
    ("(17) needs lambda_{d1} > lambda_{d1+1} (it fails",
     r"(17) needs $\lambda_{d_1} \gt \lambda_{d_1+1}$ (it fails"),
    ("stops within 7e-04 of it; 1e4 steps", r"stops within $7 \cdot 10^{-4}$ of it; $10^{4}$ steps"),
    ("|grad f| < 1e-8 |YX^T| wherever", r"$\lVert\nabla f\rVert \lt 10^{-8} \lVert YX^\top\rVert$ wherever"),
    ("read as d1 >= min(d0, d2) (Table I), not in paper B", r"read as $d_1 \ge \min(d_0, d_2)$ (Table I), not in paper B"),
    ("on f and g (g much faster); f's symmetries", "on $f$ and $g$ ($g$ much faster); $f$'s symmetries"),
    ("36 minima from training; the proof on one point", "36 minima from training; the proof on one point"),
    ("already $x$ TeX", "already $x$ TeX"),
])
def test_tex_note_typesets_the_ascii_notation(note, tex):
    assert ledger.tex_note(note) == tex
    assert ledger.ascii_math(ledger.tex_note(note)) == []


def test_ascii_math_finds_what_is_left():
    assert ledger.ascii_math("at $d_0$, d1 <= 1e-8 and XX^T, lambda_{d1}") == ["d1", "<=", "1e-8", "^T", "lambda", "d1"]
    with pytest.raises(TypeError):
        ledger.ascii_math(None)
    with pytest.raises(TypeError):
        ledger.tex_note(3)
