"""landscape.studies.walkthrough: the proofs of Lemmas 1 and 2 of paper A step by step."""

import numpy as np
import pytest

from landscape.theory.paper_a.lemma1 import (critical_point, critical_points,
    problem_with_spectrum)
from landscape.theory.paper_a.lemma2 import saddle_bound
from landscape.models.shallow import ShallowProblem
from landscape.optim.curvature import smallest_eigenvalue
from landscape.studies.walkthrough import (Walkthrough, identity24, identity34,
    lemma1_if, lemma1_only_if, lemma2_steps)


@pytest.fixture
def walk():
    return problem_with_spectrum([3.0, 2.0, 1.0], d0=3, d1=2, d2=3, mu=0.125,
                                 rng=np.random.default_rng(1))


def _rot(a):
    return np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])


def test_only_if_at_every_element(walk):
    for c in critical_points(walk, rng=np.random.default_rng(2)):
        w = lemma1_only_if(walk, c.W1, c.W2)
        assert w.largest_residual < 1e-10
        diag = sorted(w[f"diag23_{i + 1}"] for i in range(walk.d1))
        want = sorted([walk.lam[j] for j in c.support] + [0.0] * (walk.d1 - len(c.support)))
        assert np.allclose(diag, want, atol=1e-10)
        assert int(w["support"]) == int("".join(str(j + 1) for j in c.support) or 0)


def test_only_if_sees_a_non_critical_point(walk):
    W1, W2 = walk.random_weights(np.random.default_rng(3))
    w = lemma1_only_if(walk, W1, W2)
    assert w["grad1"] > 1e-3 and w["balance"] > 1e-3 and w.largest_residual > 1e-3


def test_only_if_with_a_tie_fails_the_multiple_step():
    tie = ShallowProblem(3 * np.eye(3), np.diag([3.0, 2, 2]), 2, 0.125)
    p = (tie.P[:, 1] + tie.P[:, 2]) / np.sqrt(2)
    q = (tie.Q[:, 1] + tie.Q[:, 2]) / np.sqrt(2)
    W2 = np.zeros((3, 2)); W2[:, 0] = np.sqrt(2) * p
    W1 = np.zeros((2, 3)); W1[0] = (np.sqrt(2) * q / tie.sigma) @ tie.U.T
    w = lemma1_only_if(tie, W1, W2)
    assert w.residual(exclude=".phi") < 1e-12
    assert abs(w["col1.phi"] - np.sqrt(8 - 4 * np.sqrt(2))) < 1e-12


def test_if_terms(walk):
    c = critical_point(walk, (0, 2), R=_rot(0.6))
    w = lemma1_if(walk, c.W1, c.W2)
    assert w.largest_residual < 1e-12
    assert abs(w["fit2a"] - np.sqrt(28.0)) < 1e-12 and abs(w["fit2b"] - np.sqrt(28.0)) < 1e-12
    W1, W2 = walk.random_weights(np.random.default_rng(4))
    assert lemma1_if(walk, W1, W2)["grad1"] > 1e-3


def test_identity34(walk):
    e = identity34(walk, *walk.random_weights(np.random.default_rng(6)), k=1)
    assert e["corrected"] < 1e-12 and e["printed"] > 1e-2


def test_identity24(walk):
    e = identity24(walk, *walk.random_weights(np.random.default_rng(5)))
    assert e["first"] < 1e-12 and e["second_corrected"] < 1e-12 and e["second_printed"] > 1e-2


@pytest.mark.parametrize("d1, support, case", [(2, (0, 2), 2), (3, (0, 2), 1), (2, (), 2), (3, (1,), 1)])
def test_lemma2_steps(d1, support, case):
    p = problem_with_spectrum([3.0, 2.0, 1.0], d0=3, d1=d1, d2=3, mu=0.125, rng=np.random.default_rng(1))
    c = critical_point(p, support, R=_rot(0.3) if d1 == 2 else None)
    w = lemma2_steps(p, c.W1, c.W2)
    assert int(w["case"]) == case
    k = int(w["k"]) - 1
    assert k not in support and (case == 1 or k < d1)
    assert w.largest_residual < 1e-10
    assert abs(w["cross"] + 2 * p.lam[k]) < 1e-10
    lam_alpha = 0.0 if len(support) < d1 else min(p.lam[list(support)])
    assert abs(w["form"] - 2 * (lam_alpha - p.lam[k])) < 1e-10
    assert abs(w["norm2"] - 1 - np.sum((p.Q[:, k] / p.sigma) ** 2)) < 1e-12
    assert w["lam_min"] <= w["quotient"] + 1e-12 and w["quotient"] <= w["bound"] + 1e-12
    assert abs(w["lam_min"] - smallest_eigenvalue(p, c.W1, c.W2)) < 1e-10
    assert abs(w["bound"] - saddle_bound(p)) < 1e-15
    if case == 2:
        assert w["residual_sign"] < 1e-10
        assert [r.key for r in w.misprints] == ["fit", "residual_sign"]


def test_lemma2_rejects_minimum_and_bad_k(walk):
    c = critical_point(walk, (0, 1))
    with pytest.raises(ValueError):
        lemma2_steps(walk, c.W1, c.W2)
    c = critical_point(walk, (0, 2))
    with pytest.raises(ValueError):
        lemma2_steps(walk, c.W1, c.W2, k=2)          # k must be <= d1 in case ii


def test_walkthrough_table():
    w = Walkthrough("t", floor=1e-12)
    w.add("a", "step a", "= 0", 1e-15, zero=True)
    w.add("b", "step b", "", 2.5, printed=0.0)
    text = w.table()
    assert "< 1e-12" in text and "(as printed: 0)" in text and "2.5" in text
    assert w.misprints[0].key == "b" and w["b"] == 2.5 and w.select("a").keys() == ["a"]
    with pytest.raises(KeyError):
        w["c"]
