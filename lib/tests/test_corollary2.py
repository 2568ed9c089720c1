"""landscape.studies.corollary2: the Corollary 2 chapter's data, optima, flat part and the
grouping of stored end values (shared with scripts/corollary2_runs.py)."""


import numpy as np
import pytest

from landscape.studies.corollary2 import (COROLLARY2, corollary2_data,
    corollary2_optimum, flat_part)
from landscape.models.deep import MultiTowerNetwork
from landscape.theory.paper_b import rank_constrained_minimum
from landscape.studies.corollary2 import group_end_values
from landscape.optim.certify import certify_minimum


def test_corollary2_data_is_drawn_from_the_given_generator():
    X, Y, losses = corollary2_data(np.random.default_rng(COROLLARY2["data_seed"]))
    X2, Y2, _ = corollary2_data(np.random.default_rng(COROLLARY2["data_seed"]))
    assert X.shape == (COROLLARY2["n"], COROLLARY2["N"]) and Y.shape == (COROLLARY2["m"], COROLLARY2["N"])
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(Y, Y2)
    assert list(losses) == COROLLARY2["losses"]
    with pytest.raises(TypeError, match="Generator"):
        corollary2_data(12)


def test_corollary2_optimum_by_case():
    X, Y, losses = corollary2_data(np.random.default_rng(COROLLARY2["data_seed"]))
    towers = {name: [tuple(t) for t in ts] for name, ts in COROLLARY2["configs"].items()}
    wide = MultiTowerNetwork(towers["b = min(m, n)"], losses["Huber"])
    assert corollary2_optimum(wide, "Huber", X, Y) == pytest.approx(losses["Huber"].minimum())
    narrow = MultiTowerNetwork(towers["b < m, n (b = 2)"], losses["quadratic"])
    assert corollary2_optimum(narrow, "quadratic", X, Y) == rank_constrained_minimum(X, Y, 2)
    ce = losses["soft-label CE"]
    low = corollary2_optimum(MultiTowerNetwork(towers["b < m, n (b = 2)"], ce), "soft-label CE", X, Y)
    assert low > ce.minimum() + 1e-3                       # rank 2 costs something


def test_flat_part_is_the_projection_along_which_cross_entropy_is_constant():
    X, Y, losses = corollary2_data(np.random.default_rng(0))
    rng = np.random.default_rng(1)
    P = rng.standard_normal((COROLLARY2["m"], COROLLARY2["n"]))
    Fp = flat_part(P)
    np.testing.assert_allclose(flat_part(Fp), Fp, atol=1e-14)         # a projection
    np.testing.assert_allclose((P - Fp).sum(axis=0), 0.0, atol=1e-12)  # onto 1 v^T
    np.testing.assert_allclose(np.ptp(Fp, axis=0), 0.0, atol=1e-14)
    ce = losses["soft-label CE"]
    assert ce.value(P + 7.0 * Fp) == pytest.approx(ce.value(P), rel=1e-12)
    with pytest.raises(ValueError, match="P must be a 2-D array"):
        flat_part(np.ones(3))


def test_group_end_values_and_checks():
    g = group_end_values([1.0, 1.0 + 1e-9, 3.0, 2.0], [1, 0, 0, 1])
    assert [(x["count"], x["certified"], x["spurious"]) for x in g] == [(2, 1, False), (1, 1, True),
                                                                       (1, 0, False)]
    with pytest.raises(ValueError):
        group_end_values([1.0, 2.0], [1])
    with pytest.raises(TypeError):
        certify_minimum(object(), [])
