"""landscape.optim.certify: the certificate of a local minimum (certify_minimum), the symmetry
directions and flat directions at a minimum, and the multi-tower embedding and lifting it uses."""

import numpy as np

from conftest import spectrum_problem

from landscape.studies.corollary2 import SEARCH, search_losses
from landscape.models.deep import DeepLinearNetwork, MultiTowerNetwork
from landscape.optim.certify import certify_minimum, group_tangent, symmetry_tangent
from landscape.models.losses import loss_flat_directions
from landscape.optim.lbfgs import lbfgs
from landscape.models.losses import Huber, Quadratic
import pytest
from landscape.theory.paper_a.lemma1 import problem_with_spectrum
from landscape.optim.certify import symmetry_directions


def _two(loss_name="Huber delta=1", seed=2):
    return DeepLinearNetwork((5, 2, 4), search_losses(seed)[loss_name])


def _end(net, seed):
    return lbfgs(net, net.random_weights(np.random.default_rng(seed)), gtol=1e-9, maxiter=3000).Ms


def test_known_minimum_passes_and_is_a_minimum():
    net = _two()
    cert = certify_minimum(net, _end(net, 0))
    assert cert.certified, cert
    assert cert.symmetry_dim == cert.group_dim == 4 == cert.n_zero   # GL(2)
    assert cert.n_negative == 0 and cert.kink_distance > 1e-6
    assert cert.n_positive == net.n_params - 4 and cert.orbit_sine < 1e-8   # zero space = orbit
    # the loss does not go down along random directions nearby (evidence, independent of H)
    theta = net.pack(cert.Ms)
    rng = np.random.default_rng(1)
    for _ in range(200):
        u = rng.standard_normal(theta.size)
        assert net.value(net.unpack(theta + 1e-4 * u / np.linalg.norm(u))) >= cert.value - 1e-12


def test_saddle_fails():
    # the quadratic loss: a critical point built from the wrong singular pair is a saddle
    loss = search_losses(0)["quadratic"]
    net = DeepLinearNetwork((5, 1, 4), loss)
    X, Y = loss.X, loss.Y
    C = Y @ X.T @ np.linalg.inv(X @ X.T)                   # least squares, then whitened
    L = np.linalg.cholesky(X @ X.T)
    U, s, Vt = np.linalg.svd(C @ L)
    P = s[1] * np.outer(U[:, 1], Vt[1]) @ np.linalg.inv(L)  # the second pair: a saddle
    Ms = net.balanced(P)
    assert net.gradient_norm(Ms) < 1e-8
    cert = certify_minimum(net, Ms, polish_steps=0)
    assert not cert.certified and "margin" in cert.failed and cert.n_negative > 0


def test_non_critical_point_fails():
    net = _two()
    cert = certify_minimum(net, net.random_weights(np.random.default_rng(3)), polish_steps=0)
    assert "gradient" in cert.failed and not cert.certified
    assert cert.n_zero != cert.group_dim and np.isinf(cert.orbit_sine)   # H is not flat on the orbit


def test_residual_on_the_kink_fails():
    net = _two()
    Ms = certify_minimum(net, _end(net, 0)).Ms
    R = net.product(Ms) @ net.loss.X - net.loss.Y
    a, i = np.unravel_index(np.argmin(np.abs(np.abs(R) - 1.0)), R.shape)
    Y = net.loss.Y.copy()
    Y[a, i] += R[a, i] - np.sign(R[a, i]) * 1.0           # that residual is now exactly delta
    kinked = DeepLinearNetwork((5, 2, 4), Huber(net.loss.X, Y, delta=1.0))
    cert = certify_minimum(kinked, Ms, polish_steps=0)
    assert "kink" in cert.failed and cert.kink_distance < 1e-12


def test_softmax_shift_counts_as_symmetry():
    net = _two("CE one-hot", 0)
    cert = certify_minimum(net, _end(net, 0))
    assert loss_flat_directions(net.loss).shape[0] == 5          # 1 w^T, w in R^5
    assert cert.certified and cert.symmetry_dim == 4 + 2 == cert.group_dim   # GL(2) + shifts 1 u^T


def test_flat_directions_of_rank_deficient_X():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((4, 2)) @ rng.standard_normal((2, 10))
    F = loss_flat_directions(Quadratic(X, rng.standard_normal((3, 10))))
    assert F.shape == (3 * 2, 12)
    assert np.abs(F.reshape(-1, 3, 4) @ X).max() < 1e-10


def test_towers_embed_lift_and_symmetry():
    loss = search_losses(2)["Huber delta=1"]
    two = DeepLinearNetwork((5, 2, 4), loss)
    B, A = certify_minimum(two, _end(two, 0)).Ms
    net = MultiTowerNetwork(SEARCH["towers"], loss)
    Ts = net.embed(A, B)
    A2, B2 = net.split(Ts)
    assert np.allclose(A2, A, atol=1e-14) and np.allclose(B2, B, atol=1e-14)
    rng = np.random.default_rng(0)
    dA, dB = rng.standard_normal(A.shape), rng.standard_normal(B.shape)
    lifted, c = net.lift(Ts, 1e-3 * dA, 1e-3 * dB)
    A3, B3 = net.split(lifted)
    assert np.allclose(A3, A + 1e-3 * dA, atol=1e-12) and np.allclose(B3, B + 1e-3 * dB, atol=1e-12)
    moved = np.linalg.norm(net.pack(lifted) - net.pack(Ts))
    assert moved <= c * 1e-3 * np.linalg.norm(np.concatenate([dA.ravel(), dB.ravel()])) + 1e-15
    T = symmetry_tangent(net, Ts)
    assert T.shape[1] == net.n_params - 2 * (4 + 5 - 2)     # the fibre of P over rank-2 matrices
    G = group_tangent(net, Ts)
    assert np.abs(G @ (np.eye(net.n_params) - T @ T.T)).max() < 1e-10   # orbit inside the fibre


@pytest.mark.parametrize("d0, d1, d2, lam", [(4, 2, 5, [4.0, 3.0, 2.0, 1.0]),
                                             (3, 4, 3, [3.0, 2.0, 1.0]),
                                             (4, 3, 5, [3.0, 1.0])])
def test_flat_directions_at_the_balanced_minimizer(d0, d1, d2, lam):
    """Zero eigenvalues: orbit (minus stabilizer) plus the free directions of zero columns."""
    from landscape.optim.certify import flat_directions

    p = spectrum_problem(lam, d0=d0, d2=d2, d1=d1, mu=0.125, seed=13)
    W1, W2 = p.balanced_minimizer()
    k = min(len(lam), d1)
    free = (d1 - k) * (d0 + d2 - 2 * k)
    g = flat_directions(p, W1, W2, "rotation")
    f = flat_directions(p.with_mu(0.0), W1, W2, "general")
    assert g.psd and f.psd and g.leak < 1e-10 and f.leak < 1e-10
    assert g.orbit_dim == d1 * (d1 - 1) // 2 - (d1 - k) * (d1 - k - 1) // 2
    assert f.orbit_dim == d1**2 - (d1 - k) ** 2
    assert g.zeros == g.orbit_dim + free and f.zeros == f.orbit_dim + free
    # away from a critical point the Hessian is not PSD in general
    W1r, W2r = p.random_weights(np.random.default_rng(0))
    assert flat_directions(p, W1r, W2r).zeros == 0


# ------------------------------------------------------------------ symmetries
def test_symmetry_directions_span_the_null_space_at_a_generic_minimum():
    p = problem_with_spectrum([4.0, 3.0, 2.0, 1.0], 4, 3, 4, 0.2, np.random.default_rng(8))
    W1, W2 = p.balanced_minimizer()
    H = p.hessian(W1, W2)
    T = symmetry_directions(p, W1, W2)
    assert T.shape == (3, p.n_params)
    assert np.abs(T @ H).max() < 1e-10
    ev = np.linalg.eigvalsh(H)
    assert np.sum(np.abs(ev) < 1e-9 * ev.max()) == np.linalg.matrix_rank(T) == 3
    f = p.with_mu(0.0)
    G = symmetry_directions(f, W1, W2, group="general")
    assert G.shape == (9, p.n_params) and np.abs(G @ f.hessian(W1, W2)).max() < 1e-10
    # the general directions are not flat for g (the regularizer sees them)
    assert np.abs(G @ H).max() > 1e-3
    with pytest.raises(ValueError, match="group must be"):
        symmetry_directions(p, W1, W2, group="affine")
