"""The canonical choices of landscape.canonical do not depend on the basis LAPACK returns."""

import numpy as np
import pytest

from landscape import _perturb, canonical


def _rotate_blocks(U, s, rng, rtol=1e-9):
    """Another valid set of singular vectors: random signs and rotations inside ties."""
    U = U.copy()
    for J in canonical.blocks(s, rtol):
        Q = canonical.orthonormal(rng.standard_normal((J.size, J.size)))
        U[:, J] = U[:, J] @ (Q * rng.choice([-1.0, 1.0], J.size))
    return U


@pytest.mark.parametrize("seed", range(5))
def test_basis_depends_only_on_the_subspace(seed):
    rng = np.random.default_rng(seed)
    B = canonical.orthonormal(rng.standard_normal((6, 3)))
    G = canonical.orthonormal(rng.standard_normal((3, 3))) * np.array([1.0, -1.0, 1.0])
    W1, W2 = canonical.basis(B), canonical.basis(B @ G)
    np.testing.assert_allclose(W1, W2, atol=1e-13)
    np.testing.assert_allclose(W1.T @ W1, np.eye(3), atol=1e-13)
    np.testing.assert_allclose(W1 @ W1.T, B @ B.T, atol=1e-13)        # same subspace
    top = np.argmax(np.abs(W1), axis=0)
    assert np.all(W1[top, np.arange(3)] > 0)                          # the sign rule


@pytest.mark.parametrize("spectrum", [[3.0, 2.0, 2.0, 1.0], [2.0, 2.0, 2.0, 0.5], [4.0, 1.0, 0.0, 0.0]])
def test_svd_is_canonical_under_ties_and_zero_blocks(spectrum):
    rng = np.random.default_rng(1)
    P = canonical.orthonormal(rng.standard_normal((5, 4)))
    Q = canonical.orthonormal(rng.standard_normal((4, 4)))
    M = (P * spectrum) @ Q.T
    U, s, Vt = canonical.svd(M)
    np.testing.assert_allclose((U * s) @ Vt, M, atol=1e-13)
    # the same matrix, given by another orthonormal factorization of its tied blocks
    U2 = _rotate_blocks(P, np.array(spectrum), rng)
    V2 = M.T @ U2 / np.where(np.array(spectrum) > 0, spectrum, 1.0)
    M2 = (U2 * spectrum) @ V2.T
    np.testing.assert_allclose(canonical.svd(M2)[0], U, atol=1e-12)


def test_svd_under_the_perturbed_mode_is_unchanged(monkeypatch):
    """The perturbed mode's LAPACK returns other signs and tied bases; canonical.svd does not."""
    M = np.diag([3.0, 2.0, 2.0]) + 0.0
    before = canonical.svd(M)
    monkeypatch.setattr(_perturb, "_state", {"rng": np.random.default_rng(7)})
    monkeypatch.setitem(_perturb._orig, "qr", np.linalg.qr)
    monkeypatch.setitem(_perturb._orig, "svd", np.linalg.svd)
    monkeypatch.setattr(np.linalg, "svd", _perturb._svd)
    U, s, Vt = np.linalg.svd(M)
    np.testing.assert_allclose((U * s) @ Vt, M, atol=1e-14)         # still a valid SVD
    after = canonical.svd(M)
    for a, b in zip(before, after):
        np.testing.assert_allclose(a, b, atol=1e-14)


def test_eigh_is_canonical():
    rng = np.random.default_rng(2)
    Q = canonical.orthonormal(rng.standard_normal((4, 4)))
    S = (Q * [1.0, 1.0, 1.0, 5.0]) @ Q.T
    w, V = canonical.eigh(S)
    np.testing.assert_allclose((V * w) @ V.T, S, atol=1e-13)
    Q2 = Q.copy()
    Q2[:, :3] = Q[:, :3] @ canonical.orthonormal(rng.standard_normal((3, 3)))
    S2 = (Q2 * [1.0, 1.0, 1.0, 5.0]) @ Q2.T
    np.testing.assert_allclose(canonical.eigh(S2)[1], V, atol=1e-12)


def test_perturbed_mode_refuses_a_bad_seed(monkeypatch):
    monkeypatch.setenv(_perturb.ENV, "minus one")
    with pytest.raises(ValueError, match=_perturb.ENV):
        _perturb.install_from_environment()
