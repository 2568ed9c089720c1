"""Cross-cutting: every bad input to ShallowProblem raises an error that says what was wrong
(the checks of landscape._checks as the model uses them)."""

import numpy as np
import pytest

from landscape.models.shallow import ShallowProblem

rng = np.random.default_rng(0)
X = rng.standard_normal((3, 8))
Y = rng.standard_normal((2, 8))


@pytest.mark.parametrize(
    "kwargs,exc,message",
    [
        (dict(X=X[0], Y=Y, hidden=2), ValueError, r"X must be a 2-D array; got ndim = 1"),
        (dict(X=X, Y=Y[None], hidden=2), ValueError, r"Y must be a 2-D array; got ndim = 3"),
        (dict(X=X, Y=Y[:, :7], hidden=2), ValueError, r"same number of samples.*N = 8 columns, Y has 7"),
        (dict(X=np.where(X > 1, np.nan, X), Y=Y, hidden=2), ValueError, r"X must be finite; it has \d+ NaN"),
        (dict(X=X, Y=np.full((2, 8), np.inf), hidden=2), ValueError, r"Y must be finite; it has 16 NaN"),
        (dict(X=X.astype(complex), Y=Y, hidden=2), TypeError, r"X must hold real numbers.*complex128"),
        (dict(X=X > 0, Y=Y, hidden=2), TypeError, r"X must hold real numbers.*bool"),
        (dict(X=[["a", "b"], ["c", "d"]], Y=Y, hidden=2), TypeError, r"X must hold real numbers"),
        (dict(X=X, Y=Y, hidden=0), ValueError, r"hidden must be >= 1; got 0"),
        (dict(X=X, Y=Y, hidden=2.0), TypeError, r"hidden must be an integer >= 1; got 2.0"),
        (dict(X=X, Y=Y, hidden=True), TypeError, r"hidden must be an integer"),
        (dict(X=X, Y=Y, hidden=2, mu=-0.1), ValueError, r"mu must be >= 0; got -0.1"),
        (dict(X=X, Y=Y, hidden=2, mu=np.nan), ValueError, r"mu must be finite"),
        (dict(X=X, Y=Y, hidden=2, mu="1"), TypeError, r"mu must be a real number"),
        (dict(X=X[:, :2], Y=Y[:, :2], hidden=2), ValueError, r"full row rank .* N = 2 columns < d0 = 3"),
        (
            dict(X=np.vstack([X[:2], X[0] + X[1]]), Y=Y, hidden=2),
            ValueError,
            r"X must have full row rank \(Theorem 2 assumes it\); rank 2 < d0 = 3",
        ),
        (dict(X=np.zeros((3, 0)), Y=np.zeros((2, 0)), hidden=1), ValueError, r"X must not be empty"),
    ],
)
def test_problem_inputs(kwargs, exc, message):
    with pytest.raises(exc, match=message):
        ShallowProblem(**kwargs)


def test_ill_conditioned_but_full_rank_x_is_accepted():
    Xc = np.diag([1.0, 1e-6, 1e-9]) @ rng.standard_normal((3, 8))
    p = ShallowProblem(Xc, Y, 2)
    assert p.sigma[-1] > 0 and np.isfinite(p.global_minimum())


@pytest.mark.parametrize(
    "W1,W2,message",
    [
        (np.zeros((3, 2)), np.zeros((2, 2)), r"W1 must have shape \(2, 3\) = \(d1, d0\); got \(3, 2\)"),
        (np.zeros((2, 3)), np.zeros((2, 3)), r"W2 must have shape \(2, 2\) = \(d2, d1\); got \(2, 3\)"),
        (np.zeros((4, 2, 3)), np.zeros((5, 2, 2)), r"same batch shape"),
        (np.full((2, 3), np.nan), np.zeros((2, 2)), r"W1 must be finite"),
        (np.zeros(6), np.zeros((2, 2)), r"W1 must be an array with at least 2 dimensions; got ndim = 1"),
    ],
)
def test_weight_shapes(W1, W2, message):
    p = ShallowProblem(X, Y, 2, 0.5)
    with pytest.raises(ValueError, match=message):
        p.value(W1, W2)


def test_hessian_refuses_batches():
    p = ShallowProblem(X, Y, 2, 0.5)
    with pytest.raises(ValueError, match="W1 must be a 2-D array"):
        p.hessian(np.zeros((4, 2, 3)), np.zeros((4, 2, 2)))


def test_unpack_length_and_rng_type():
    p = ShallowProblem(X, Y, 2)
    with pytest.raises(ValueError, match=r"n_params = d1 d0 \+ d2 d1 = 10 entries"):
        p.unpack(np.zeros(9))
    with pytest.raises(TypeError, match="Generator"):
        p.random_weights(0)


# ------------------------------------- wrong answers instead of errors (issue 17)
def test_classify_refuses_nan_eigenvalues():
    """A NaN eigenvalue was classified "inconclusive (PSD)" (NaN < -tol and NaN > tol are
    both False)."""
    from landscape.optim.curvature import classify

    with pytest.raises(ValueError, match="hessian_eigenvalues"):
        classify([np.nan, 1.0])
    with pytest.raises(ValueError, match="hessian_eigenvalues"):
        classify([])
    with pytest.raises(ValueError, match="tol"):
        classify([1.0], tol=-1.0)
    assert classify([-1.0, 1.0]) == "strict saddle"
    assert classify([0.0, 1.0]) == "inconclusive (PSD)"
    assert classify([1.0, 2.0]) == "local minimum"


def test_non_integer_supports_indices_and_step_counts_are_refused():
    """support=[0.5] was read as [0], n_steps=2.5 as 2, k=1.5 as 1."""
    from landscape.theory.paper_a.lemma1 import critical_point, is_global_support
    from landscape.theory.paper_a.lemma2 import negative_curvature_direction
    from landscape.models.deep import DeepLinearNetwork
    from landscape.models.losses import Quadratic
    from landscape.models.toy2d import STRICT_SADDLE
    from landscape.studies.conjecture import escapes
    from landscape.optim.descent import gradient_descent

    rng = np.random.default_rng(0)
    p = ShallowProblem(rng.standard_normal((3, 6)), rng.standard_normal((3, 6)), 2, 0.5)
    for bad in ([0.5], [1.0], [True]):
        with pytest.raises(TypeError, match="support"):
            critical_point(p, bad)
        with pytest.raises(TypeError, match="support"):
            is_global_support(p, bad + [0])
    assert critical_point(p, [np.int64(0)]).support == (0,)
    saddle = critical_point(p, [1])
    with pytest.raises(TypeError, match="k must be an integer"):
        negative_curvature_direction(p, saddle.W1, saddle.W2, k=0.5)
    W1, W2 = p.random_weights(rng)
    with pytest.raises(TypeError, match="n_steps"):
        gradient_descent(p, (W1, W2), 1e-3, 2.5)
    with pytest.raises(TypeError, match="record_every"):
        gradient_descent(p, (W1, W2), 1e-3, 10, record_every=2.0)
    with pytest.raises(ValueError, match="n_steps"):
        gradient_descent(p, (W1, W2), 1e-3, -1)
    assert gradient_descent(p, (W1, W2), 1e-3, np.int64(3)).steps[-1] == 3
    net = DeepLinearNetwork((3, 2, 3), Quadratic(rng.standard_normal((3, 6)), rng.standard_normal((3, 6))))
    with pytest.raises(TypeError, match="n_steps"):
        gradient_descent(net, net.random_weights(rng), 1e-3, 2.5)
    with pytest.raises(TypeError, match="n_steps"):
        gradient_descent(STRICT_SADDLE, [np.zeros(2)], 0.1, 2.5)
    with pytest.raises(TypeError, match="n_steps"):
        escapes(p, W1, W2, rng, n_steps=2.5)
    with pytest.raises(TypeError, match="n_tries"):
        escapes(p, W1, W2, rng, n_tries=2.5)
