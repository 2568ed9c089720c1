"""Shared fixtures and helpers of the library's tests.

Hypothesis runs derandomized by default (profile ``ci``): every run draws the same examples,
so a test that passes once passes in CI too; ``HYPOTHESIS_PROFILE=explore`` draws new
examples on every run, to look for failures on purpose.
"""

import os

import numpy as np
import pytest
from hypothesis import settings
from hypothesis import strategies as st

settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

from landscape.models.shallow import ShallowProblem
from landscape.theory.paper_a.lemma1 import problem_with_spectrum
from landscape.models.shallow import ProblemStack


def make_problem(d0, d1, d2, extra, mu, seed):
    """A random problem with Gaussian X (full row rank almost surely) and Y."""
    rng = np.random.default_rng(seed)
    N = d0 + extra
    X = rng.standard_normal((d0, N))
    Y = rng.standard_normal((d2, N))
    return ShallowProblem(X, Y, d1, mu), rng


@st.composite
def problems(draw, max_dim=5, mu=None):
    """Hypothesis strategy: (problem, rng) over random shapes, including d1 > d0, d2 > d0, d1 = 1."""
    d0 = draw(st.integers(1, max_dim))
    d1 = draw(st.integers(1, max_dim))
    d2 = draw(st.integers(1, max_dim))
    extra = draw(st.integers(0, 4))
    if mu is None:
        mu = draw(st.sampled_from([0.0, 0.125, 1.0]) | st.floats(0.0, 3.0))
    seed = draw(st.integers(0, 2**32 - 1))
    return make_problem(d0, d1, d2, extra, mu, seed)


def flat(pair):
    return np.concatenate([a.ravel() for a in pair])


def central_differences(fun, theta, h=1e-6):
    """Jacobian of ``fun`` (scalar- or vector-valued) at ``theta`` by central differences;
    column k is the derivative along the k-th coordinate."""
    cols = []
    for k in range(theta.size):
        e = np.zeros_like(theta)
        e[k] = h
        cols.append((np.asarray(fun(theta + e)) - np.asarray(fun(theta - e))) / (2 * h))
    return np.array(cols).T


def assert_matches_differences(actual, fun, theta, rtol=1e-5, scaled_atol=1e-6):
    """``actual`` (a derivative at ``theta``) against the central differences of ``fun``:
    relative tolerance ``rtol``, absolute tolerance ``scaled_atol`` times the largest
    difference (at least 1)."""
    fd = central_differences(fun, theta)
    np.testing.assert_allclose(actual, fd, rtol=rtol, atol=scaled_atol * max(1.0, np.abs(fd).max()))


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


def spectrum_problem(lam, d0, d2, d1, mu, seed, x_scale=1.0, extra=3):
    """A problem whose Ytilde = Y V has prescribed singular values ``lam``."""
    rng = np.random.default_rng(seed)
    N = d0 + extra
    X = x_scale * rng.standard_normal((d0, N))
    _, _, Vt = np.linalg.svd(X, full_matrices=False)
    P, _ = np.linalg.qr(rng.standard_normal((d2, d2)))
    Q, _ = np.linalg.qr(rng.standard_normal((d0, d0)))
    S = np.zeros((d2, d0))
    S[: len(lam), : len(lam)] = np.diag(lam)
    Yt = P @ S @ Q.T
    return ShallowProblem(X, Yt @ Vt, d1, mu)


@st.composite
def spectra(draw, max_dim=4):
    """Problems with prescribed singular values of YV, often with ties."""
    d0 = draw(st.integers(1, max_dim))
    d2 = draw(st.integers(1, max_dim))
    d1 = draw(st.integers(1, max_dim))
    r = draw(st.integers(1, min(d0, d2)))
    values = draw(st.lists(st.sampled_from([0.5, 1.0, 2.0, 3.0]), min_size=r, max_size=r))
    mu = draw(st.sampled_from([0.05, 0.125, 1.0]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    return problem_with_spectrum(values, d0, d1, d2, mu, rng, X=None), rng


def stack_of(d0, d1, d2, mu, seeds, extra=6):
    ps = [make_problem(d0, d1, d2, extra + s % 3, mu, s)[0] for s in seeds]
    return ProblemStack(ps), ps
