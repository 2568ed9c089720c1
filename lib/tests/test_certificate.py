"""The certificate of a local minimum (landscape.optim.certify.certify_minimum) and the
multi-tower embedding and lifting (MultiTowerNetwork.embed, .lift)."""

import numpy as np
import pytest

from landscape.studies.corollary2 import SEARCH, group_end_values, search_losses
from landscape.models.deep import DeepLinearNetwork, MultiTowerNetwork
from landscape.optim.certify import certify_minimum, group_tangent, symmetry_tangent
from landscape.models.losses import loss_flat_directions
from landscape.optim.lbfgs import lbfgs
from landscape.models.losses import Huber, Quadratic


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


def test_group_end_values_and_checks():
    g = group_end_values([1.0, 1.0 + 1e-9, 3.0, 2.0], [1, 0, 0, 1])
    assert [(x["count"], x["certified"], x["spurious"]) for x in g] == [(2, 1, False), (1, 1, True),
                                                                       (1, 0, False)]
    with pytest.raises(ValueError):
        group_end_values([1.0, 2.0], [1])
    with pytest.raises(TypeError):
        certify_minimum(object(), [])


def test_continue_run_balanced_restart():
    from landscape.studies.corollary1 import COROLLARY1, continue_run, corollary1_config

    net, optimum = corollary1_config(4, "first", 3)
    Ms = net.random_weights(np.random.default_rng(0), scale=0.3)
    Ms[0] = Ms[0] * 30.0                              # far out of balance, same product
    Ms[1] = Ms[1] / 30.0
    r, gap = continue_run(net, Ms, optimum)
    assert r.reached and -1e-9 < gap <= COROLLARY1["tol"]
    plain, _ = continue_run(net, Ms, optimum, balanced=False, maxiter=5)
    assert plain.n_iter <= 5
