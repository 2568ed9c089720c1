"""landscape.optim.curvature: dense and matrix-free Hessian spectra agree, classify, Hessian
reports (independent of the scale of the data)."""

import numpy as np
import pytest

from landscape.theory.paper_a.lemma1 import critical_point
from landscape.optim.curvature import hessian_operator, smallest_eigenvalue

from conftest import make_problem


@pytest.mark.parametrize("where", ["random", "saddle"])
def test_lanczos_agrees_with_dense(where):
    p, rng = make_problem(6, 5, 7, 10, 0.125, 11)
    if where == "random":
        W1, W2 = p.random_weights(rng)
    else:
        c = critical_point(p, (1, 2, 3))
        assert not c.is_global
        W1, W2 = c.W1, c.W2
    dense = smallest_eigenvalue(p, W1, W2, method="dense")
    lanczos = smallest_eigenvalue(p, W1, W2, method="lanczos")
    assert lanczos == pytest.approx(dense, rel=1e-8)
    if where == "saddle":
        assert dense < 0


def test_operator_is_the_hessian():
    p, rng = make_problem(3, 4, 2, 3, 0.5, 1)
    W1, W2 = p.random_weights(rng)
    op = hessian_operator(p, W1, W2)
    np.testing.assert_allclose(op @ np.eye(p.n_params), p.hessian(W1, W2), atol=1e-12)


def test_unknown_method():
    p, rng = make_problem(2, 2, 2, 1, 0.0, 1)
    with pytest.raises(ValueError, match="method must be"):
        smallest_eigenvalue(p, *p.random_weights(rng), method="qr")


def test_batched_hessians_match_the_closed_form():
    from landscape.optim.curvature import (hessian_vector_products, hessians,
        smallest_eigenvalues)

    for mu in (0.0, 0.7):
        p, rng = make_problem(3, 4, 2, 3, mu, 2)
        W1, W2 = p.random_weights(rng, batch=(5,))
        H = hessians(p, W1, W2)
        assert H.shape == (5, p.n_params, p.n_params)
        for k in range(5):
            np.testing.assert_allclose(H[k], p.hessian(W1[k], W2[k]), atol=1e-12 * np.abs(H[k]).max())
        lm = smallest_eigenvalues(p, W1, W2)
        np.testing.assert_allclose(lm, [np.linalg.eigvalsh(p.hessian(a, b))[0] for a, b in zip(W1, W2)],
                                   atol=1e-10 * np.abs(H).max())
        # unbatched: one Hessian
        np.testing.assert_allclose(hessians(p, W1[0], W2[0]), H[0])
        # batched Hessian-vector products against the per-point ones, and finite differences
        V1, V2 = p.random_weights(rng, batch=(5,))
        H1, H2 = hessian_vector_products(p, W1, W2, V1, V2)
        for k in range(5):
            a, b = p.hessian_vector_product(W1[k], W2[k], V1[k], V2[k])
            np.testing.assert_allclose(H1[k], a, atol=1e-12 * max(1, np.abs(a).max()))
            np.testing.assert_allclose(H2[k], b, atol=1e-12 * max(1, np.abs(b).max()))
            h = 1e-6
            g_plus = p.gradient(W1[k] + h * V1[k], W2[k] + h * V2[k])
            g_minus = p.gradient(W1[k] - h * V1[k], W2[k] - h * V2[k])
            fd1 = (g_plus[0] - g_minus[0]) / (2 * h)
            np.testing.assert_allclose(H1[k], fd1, rtol=1e-5, atol=1e-5 * max(1, np.abs(fd1).max()))


def test_batched_bad_arguments():
    from landscape.optim.curvature import hessians

    p, rng = make_problem(2, 2, 2, 1, 0.0, 1)
    with pytest.raises(TypeError, match="ShallowProblem"):
        hessians("p", np.zeros((2, 2)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="same batch shape"):
        W1, W2 = p.random_weights(rng, batch=(3,))
        hessians(p, W1, W2[:2])


# ------------------------------------------------ Lanczos: sizes, scales, points (issue 17)
import warnings  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from scipy.sparse.linalg import LinearOperator  # noqa: E402

from landscape.theory.paper_a.lemma1 import critical_points
from landscape.models.shallow import ShallowProblem
from landscape.optim.curvature import LANCZOS_MIN, extreme_eigenvalue
from landscape.optim.curvature import classify
from landscape.models.deep import DeepLinearNetwork
from landscape.theory.paper_b import rank_constrained_minimizer
from landscape.optim.curvature import hessian_report
from landscape.models.losses import Quadratic


def _scaled_problem(d0, d1, d2, sx, sy, mu, seed):
    rng = np.random.default_rng(seed)
    N = 2 * d0 + 1
    return ShallowProblem(sx * rng.standard_normal((d0, N)), sy * rng.standard_normal((d2, N)), d1, mu), rng


def _point(p, rng, kind):
    """A point of the kind the book judges: an element of C, the balanced minimizer, or a
    random point at the scale of the critical points."""
    if kind == "critical":
        cps = critical_points(p, rng=rng, max_points=1 << 16)
        c = cps[int(rng.integers(len(cps)))]
        return c.W1, c.W2
    if kind == "minimizer":
        return p.balanced_minimizer()
    lam1 = max(float(p.lam[0]), 1e-300)
    s1 = np.sqrt(lam1 / p.d0) / float(np.median(p.sigma))
    s2 = np.sqrt(lam1 / p.d2)
    return s1 * rng.standard_normal(p.shapes[0]), s2 * rng.standard_normal(p.shapes[1])


def _assert_close_to_dense(p, W1, W2, got, which="SA"):
    ev = np.linalg.eigvalsh(p.hessian(W1, W2))
    nu = float(np.abs(ev).max())
    want = ev[0] if which == "SA" else ev[-1]
    assert abs(got - want) <= 1e-8 * nu + 1e-300, (got, want, nu)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(d0=st.integers(1, 8), d1=st.integers(1, 8), d2=st.integers(1, 8),
       sx=st.sampled_from([1e-2, 1.0, 1e2]), sy=st.sampled_from([1e-2, 1.0, 1e2]),
       mu=st.sampled_from([0.0, 0.5]), kind=st.sampled_from(["critical", "minimizer", "random"]),
       seed=st.integers(0, 2**32 - 1))
def test_lanczos_matches_dense_over_sizes_scales_and_points(d0, d1, d2, sx, sy, mu, kind, seed):
    """method="lanczos" agrees with the dense answer to 1e-8 of the spectral radius at every
    size (also below LANCZOS_MIN, where it is the dense answer), data scale and kind of point:
    by Lanczos when its answer passes the residual check, by the dense fallback (with a
    RuntimeWarning) when it does not, which on data of scale 100 happens at some points."""
    p, rng = _scaled_problem(d0, d1, d2, sx, sy, mu, seed)
    W1, W2 = _point(p, rng, kind)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        got = smallest_eigenvalue(p, W1, W2, method="lanczos")
    _assert_close_to_dense(p, W1, W2, got)


@pytest.mark.parametrize("shape", [(1, 1, 2), (2, 1, 1)])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lanczos_at_tiny_sizes_is_not_an_interior_eigenvalue(shape, seed):
    """n = 3 at the minimizer: the Hessian's eigenvalues are 0 < a < b; ARPACK with two
    Lanczos vectors returned a (2.01 for 0 at seed 0)."""
    d0, d1, d2 = shape
    p, _ = _scaled_problem(d0, d1, d2, 1.0, 1.0, 0.0, seed)
    W1, W2 = p.balanced_minimizer()
    assert p.n_params == 3 < LANCZOS_MIN
    _assert_close_to_dense(p, W1, W2, smallest_eigenvalue(p, W1, W2, method="lanczos"))


@pytest.mark.parametrize("sx", [1.0, 100.0])
def test_lanczos_converges_on_scaled_data(sx):
    """Past LANCZOS_MIN, at a critical point of g (mu > 0) on data X of scale 100, where the
    smallest eigenvalue is small next to the spectral radius (Lanczos's stopping rule was
    relative to the eigenvalue itself, and the run did not converge)."""
    p, rng = _scaled_problem(6, 5, 7, sx, 1.0, 0.5, 3)
    assert p.n_params >= LANCZOS_MIN
    for c in critical_points(p, rng=rng)[:6]:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            got = smallest_eigenvalue(p, c.W1, c.W2, method="lanczos")
        _assert_close_to_dense(p, c.W1, c.W2, got)


@pytest.mark.parametrize("shape,seed", [((8, 6, 6), 1), ((8, 6, 6), 2), ((4, 7, 8), 0)])
def test_lanczos_is_never_silently_wrong_on_scaled_data(shape, seed):
    """X of scale 100, a random point of g (mu = 0.5): the Hessian's spectrum spans 11 orders
    of magnitude. The plain Lanczos run answered 4.79e8 for 13300 (shape (8, 6, 6), seed 1)
    or did not converge; now the answer is within 1e-8 of the spectral radius, from Lanczos
    or (with a RuntimeWarning) from the dense fallback."""
    d0, d1, d2 = shape
    rng = np.random.default_rng(seed)
    N = 2 * d0 + 1
    p = ShallowProblem(100 * rng.standard_normal((d0, N)), rng.standard_normal((d2, N)), d1, 0.5)
    W1, W2 = p.random_weights(rng)
    assert p.n_params >= LANCZOS_MIN
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        got = smallest_eigenvalue(p, W1, W2, method="lanczos")
    _assert_close_to_dense(p, W1, W2, got)


def _noisy_diagonal(d, noise, seed=0):
    """A "symmetric operator" whose products carry noise: no eigenpair passes the check."""
    rng = np.random.default_rng(seed)
    n = d.size

    def matvec(v):
        v = np.ravel(v)
        return d * v + noise * np.linalg.norm(v) * rng.standard_normal(n)

    return LinearOperator((n, n), matvec=matvec, rmatvec=matvec, dtype=np.float64)


def test_extreme_eigenvalue_checks_its_answer():
    """A Lanczos answer whose residual fails the check is replaced by the dense answer with a
    RuntimeWarning, or refused with a RuntimeError when no dense matrix is available."""
    d = np.linspace(-1.0, 5.0, 200)
    op = _noisy_diagonal(d, 1e-4)
    with pytest.warns(RuntimeWarning, match="Lanczos"):
        got = extreme_eigenvalue(op, "SA", dense=lambda: np.diag(d))
    assert got == -1.0
    with pytest.raises(RuntimeError, match="Lanczos"):
        extreme_eigenvalue(op, "LA")
    # a clean operator passes without a warning, for both ends and a spectrum of any scale
    for scale in (1e-6, 1.0, 1e6):
        clean = LinearOperator((200, 200), matvec=lambda v, s=scale: s * d * np.ravel(v), dtype=np.float64)
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            assert extreme_eigenvalue(clean, "SA") == pytest.approx(-scale, rel=1e-8)
            assert extreme_eigenvalue(clean, "LA") == pytest.approx(5 * scale, rel=1e-8)
    with pytest.raises(ValueError, match="which"):
        extreme_eigenvalue(op, "LM")


@pytest.mark.parametrize("sx", [1.0, 100.0])
def test_largest_eigenvalue_helpers_match_dense(sx):
    """largest_eigenvalue (dense at this size) and its Lanczos path (extreme_eigenvalue on
    Hessian-vector products, plain run first, as above DENSE_MAX) at points where the largest
    eigenvalue is small next to the spectral radius (a saddle of g on scaled data), and at
    the balanced minimizer (where it is the spectral radius); and the deep network's."""
    from landscape.models.deep import DeepLinearNetwork
    from landscape.models.losses import Quadratic
    from landscape.optim.curvature import extreme_eigenvalue, hessian_operator, largest_eigenvalue

    p, rng = _scaled_problem(6, 5, 7, sx, 1.0, 0.5, 4)
    pts = [p.balanced_minimizer()] + [(c.W1, c.W2) for c in critical_points(p, rng=rng)[:4]]
    pts.append(_point(p, rng, "random"))
    for W1, W2 in pts:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            got = largest_eigenvalue(p, (W1, W2))
            lanczos = extreme_eigenvalue(hessian_operator(p, W1, W2), "LA", tol=1e-8, seed=0,
                                         dense=lambda: p.hessian(W1, W2), min_n=16, unshifted_first=True)
        assert got == float(np.linalg.eigvalsh(p.hessian(W1, W2))[-1])
        _assert_close_to_dense(p, W1, W2, lanczos, which="LA")
    # the deep networks' (it was deep_largest_eigenvalue, dense up to 600 parameters)
    net = DeepLinearNetwork((3, 2, 4), Quadratic(sx * rng.standard_normal((3, 9)), rng.standard_normal((4, 9))))
    Ms = net.random_weights(rng)
    assert largest_eigenvalue(net, Ms) == float(np.linalg.eigvalsh(net.hessian(Ms))[-1])


def test_classify():
    assert classify([-1.0, 2.0]) == "strict saddle"
    assert classify([1.0, 2.0]) == "local minimum"
    assert classify([0.0, 2.0]) == "inconclusive (PSD)"
    # with a value: the value decides among second-order points, the eigenvalues first
    assert classify([0.0, 2.0], value_gap=1e-9, value_tol=1e-8) == "global minimum"
    assert classify([-1.0, 2.0], value_gap=0.0) == "strict saddle"
    assert classify([1.0, 2.0], value_gap=1.0, value_tol=1e-8) == "local minimum"
    assert classify([0.0, 2.0], value_gap=1.0, value_tol=1e-8) == "inconclusive (PSD)"
    # separate tolerances: eigenvalues within tol are zero, whatever value_tol is
    assert classify([-1e-9, 2.0], tol=1e-8, value_gap=1.0, value_tol=0.0) == "inconclusive (PSD)"


@pytest.mark.parametrize("scale", [1e-5, 1.0, 1e5])
def test_hessian_report_counts_do_not_depend_on_the_scale_of_the_data(scale):
    """The zero threshold is relative to the spectrum (it was relative to max(1, spectrum):
    on data of scale 1e-5 every eigenvalue counted as zero)."""
    rng = np.random.default_rng(7)
    X, Y = rng.standard_normal((3, 10)), rng.standard_normal((3, 10))
    counts = []
    for s in (1.0, scale):
        net = DeepLinearNetwork((3, 2, 3), Quadratic(s * X, s * Y))
        Ms = net.balanced(rank_constrained_minimizer(s * X, s * Y, 2))
        rep = hessian_report(net, Ms)
        counts.append((rep.n_negative, rep.n_zero, rep.n_positive))
    assert counts[0] == counts[1]
    assert counts[0][1] > 0 and counts[0][2] > 0
