"""The conjecture chapter's driver (landscape.studies.conjecture): probes of f, descent with rebalancing, the escape test."""

import numpy as np
import pytest


# ---------------------------------------------------------------------- probe
def test_probe_instances_have_the_advertised_targets():
    from landscape.studies.conjecture import instance

    rng = np.random.default_rng(0)
    p = instance(4, 2, 5, "repeated", rng)
    np.testing.assert_allclose(p.lam[:4], [3, 3, 1, 1], rtol=1e-10)
    assert instance(4, 2, 5, "rank-one", rng).rank_Y == 1
    assert instance(4, 2, 5, "gaussian", rng).rank_Y == 4
    with pytest.raises(ValueError, match="kind must be one of"):
        instance(2, 2, 2, "other", rng)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        instance(2, 2, 2, "gaussian", 0)


def test_probes_on_a_small_instance():
    from landscape.studies.conjecture import (critical_probe, descent_probe, instance,
        transported_probe)

    rng = np.random.default_rng(1)
    p = instance(3, 2, 3, "gaussian", rng)
    d = descent_probe(p, 6, rng, max_iter=1000)
    assert d.n_runs == 6 and sum(d.outcomes.values()) == 6
    assert set(d.outcomes) <= {"global minimum", "global minimum after rebalancing"}
    c = critical_probe(p, 8, rng, max_iter=1500)
    assert sum(c.kinds.values()) + c.not_critical == 8
    assert set(c.kinds) <= {"global minimum", "strict saddle"}
    assert all(len(v) == c.not_critical for v in c.stalled.values())
    assert all(n <= 1500 for n in c.stalled["n_iter"])
    assert all(g > 1e-9 for g in c.stalled["grad"])           # not critical, by definition
    if "strict saddle" in c.kinds:   # the escape test leaves a saddle's level
        assert c.saddle_escape > 1e-8
    else:
        assert np.isnan(c.saddle_escape)
    t = transported_probe(p, rng)
    assert t.max_grad < 1e-10 and set(t.kinds) == {"global minimum", "strict saddle"}
    assert t.max_lam_saddle < 0


def test_descend_reaches_the_minimum_from_unbalanced_points():
    from landscape.studies.conjecture import descend, instance

    rng = np.random.default_rng(3)
    p = instance(4, 2, 5, "gaussian", rng)
    W1, W2 = p.random_weights(rng, batch=(5,))
    A = np.diag([30.0, 1 / 30.0])            # far from balanced: f is unchanged
    excess = descend(p, A @ W1, W2 @ np.linalg.inv(A))
    assert excess.shape == (5,) and np.all(excess <= 1e-8) and np.all(excess >= -1e-12)
    assert descend(p, W1[:0], W2[:0]).shape == (0,)
    # a balanced saddle point is not left by L-BFGS (its gradient is zero): descend reports it
    S1, S2 = np.zeros((1, 2, 4)), np.zeros((1, 5, 2))
    at_zero = (0.5 * np.sum(p.Y**2) - p.global_minimum()) / (0.5 * np.sum(p.Y**2))
    assert descend(p, S1, S2)[0] == pytest.approx(at_zero) and at_zero > 0.1
    with pytest.raises(ValueError, match="W1 must be a 3-D array"):
        descend(p, W1[0], W2[0])


def test_descend_rebalancing_and_stalled_searches():
    from landscape.studies.conjecture import (critical_probe, descend,
        descend_rebalancing, instance, stalled_searches)

    rng = np.random.default_rng(4)
    p = instance(4, 2, 5, "gaussian", rng)
    W1, W2 = p.random_weights(rng, batch=(4,))
    A = np.diag([30.0, 1 / 30.0])
    W1, W2 = A @ W1, W2 @ np.linalg.inv(A)
    rounds = descend_rebalancing(p, W1, W2, rounds=3, max_iter=5)
    assert rounds.shape == (3, 4)
    np.testing.assert_allclose(rounds[0], descend(p, W1, W2, max_iter=5), rtol=1e-12, atol=1e-15)
    assert np.all(np.diff(rounds, axis=0) <= 1e-12)            # rebalancing keeps the value
    assert descend_rebalancing(p, W1[:0], W2[:0], rounds=2).shape == (2, 0)
    with pytest.raises(ValueError, match="rounds"):
        descend_rebalancing(p, W1, W2, rounds=0)
    # the same starts and rule as critical_probe: as many stalled end points as it counts
    S1, S2 = stalled_searches(p, 6, np.random.default_rng(9), max_iter=30)
    report = critical_probe(p, 6, np.random.default_rng(9), max_iter=30)
    assert len(S1) == len(S2) == report.not_critical > 0
    assert np.all(p.gradient_norm(S1, S2) > 0)
