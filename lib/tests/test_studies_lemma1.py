"""The Lemma 1 chapter's survey (landscape.studies.lemma1); named apart from test_lemma1.py, which tests landscape.theory.paper_a.lemma1."""

import numpy as np
import pytest
from landscape.models.shallow import ShallowProblem
from landscape.theory.paper_a.lemma1 import critical_points, problem_with_spectrum
from landscape.studies.lemma1 import survey


def test_survey_summary_and_instances():
    from landscape.theory.paper_a.lemma1 import lemma1_instances
    from landscape.studies.lemma1 import support_label, survey, survey_summary

    inst = lemma1_instances(0.125)
    assert list(inst) == ["r > d1", "r = d1", "d1 > d0, d2 > d0", "rank-deficient Y",
                          "tie at the cut", "tie at the top"]
    assert [(p.d0, p.d1, p.d2, p.rank_Y) for p in inst.values()][3] == (4, 3, 4, 2)
    assert support_label((0, 2)) == "{0,2}" and support_label(()) == "{}"
    assert support_label("not in C") == "not in C"
    sv = survey(inst["r > d1"], np.random.default_rng(0), n_starts=12)
    s = survey_summary(sv)
    assert s["n_starts"] == 12 and s["n_converged"] == sv.n_converged
    assert sum(s["supports"].values()) == sv.n_converged and s["n_in_C"] == sv.n_in_C
    assert 0 <= s["worst_residual"] <= max(sv.rtol)
    keys = list(s["supports"])
    assert keys == sorted(keys, key=lambda k: (k == "not in C", len(k), k))


# ------------------------------------------------ survey under rescaling of X and Y (issue 17)
@pytest.mark.parametrize("sx,sy", [(1.0, 1.0), (100.0, 1.0), (1.0, 100.0), (0.01, 0.01), (1e3, 1e-3)])
@pytest.mark.parametrize("shape,mu", [((2, 3, 4), 0.1), ((5, 5, 5), 0.1), ((4, 3, 2), 1.0)])
def test_survey_judges_the_same_under_rescaling(shape, mu, sx, sy):
    """Every converged end point is an element of C at any scale of X and Y (with X = 100
    N(0, 1) the search failed to converge or its points were called "not in C"), and the
    snapped points are critical to roundoff relative to the scale of the gradient."""
    from landscape.studies.lemma1 import survey

    d0, d1, d2 = shape
    rng = np.random.default_rng(0)
    X = sx * rng.standard_normal((d0, 2 * d0))
    Y = sy * rng.standard_normal((d2, 2 * d0))
    p = ShallowProblem(X, Y, d1, mu)
    sv = survey(p, np.random.default_rng(1), n_starts=12)
    assert sv.n_converged >= 11
    assert sv.n_in_C == sv.n_converged
    for pat in sv.patterns:
        if pat is None:
            continue
        g = np.sqrt(sum(np.sum(a * a) for a in p.gradient(pat.W1, pat.W2)))
        g_ref = np.sqrt(sum(np.sum(a * a) for a in p.gradient(1.1 * pat.W1, pat.W2)))
        assert g <= 1e-10 * g_ref


def test_survey_is_exactly_equivariant_under_powers_of_two():
    """Far from unit scale, rescaling X by 2^10 and Y by 4^5 maps the survey's points
    exactly (both are searched on the same data of unit scale)."""
    from landscape.studies.lemma1 import survey

    rng = np.random.default_rng(3)
    X, Y = 2.0**-10 * rng.standard_normal((3, 7)), 4.0**6 * rng.standard_normal((3, 7))
    a = survey(ShallowProblem(X, Y, 2, 0.5), np.random.default_rng(1), n_starts=9)
    b = survey(ShallowProblem(2.0**20 * X, 4.0**-12 * Y, 2, 0.5), np.random.default_rng(1), n_starts=9)
    assert a.counts() == b.counts() and a.n_in_C == a.n_converged >= 8
    np.testing.assert_allclose(b.search.W1, a.search.W1 * 2.0 ** (-12 - 20), rtol=1e-12, atol=0)
    np.testing.assert_allclose(b.search.W2, a.search.W2 * 2.0**-12, rtol=1e-12, atol=0)


# ------------------------------------------------------------------ search
def test_search_finds_only_elements_of_C():
    p = problem_with_spectrum([3.0, 2.0, 1.0], 3, 2, 4, 0.125, np.random.default_rng(3))
    sv = survey(p, np.random.default_rng(4), n_starts=60)
    assert sv.n_starts == 60 and sv.n_converged >= 50
    assert sv.n_in_C == sv.n_converged
    found = set(sv.counts())
    assert "not in C" not in found and len(found) >= 4
    assert found <= {c.support for c in critical_points(p)}
    assert np.all(sv.search.grad_norm[sv.search.converged] <= sv.search.gtol)
    assert sv.residuals().size == sv.n_converged


def test_search_on_f_ends_mostly_outside_C():
    p = problem_with_spectrum([3.0, 2.0, 1.0], 3, 2, 4, 0.0, np.random.default_rng(3))
    sv = survey(p, np.random.default_rng(4), n_starts=30)
    assert sv.n_converged >= 25 and sv.n_in_C < sv.n_converged / 2
