"""The instances of the Corollary 2 chapter (multi-tower networks), shared by the chapter and
``scripts/corollary2_runs.py``, which stores its training runs (so both build exactly the same
networks and optima).

* :data:`COROLLARY2`: the data sizes, the tower configurations and the run settings;
* :func:`corollary2_data`: the data and the three losses, drawn from a generator the caller
  owns (the chapter keeps drawing from it afterwards);
* :func:`corollary2_optimum`: the optimum ``L*`` of one configuration and loss;
* :func:`flat_part`: the part ``1 v^T`` of a matrix, along which the softmax cross-entropy is
  constant.

For example, the data and the three losses:

>>> import numpy as np
>>> X, Y, losses = corollary2_data(np.random.default_rng(0))
>>> X.shape[1] == Y.shape[1], len(losses)
(True, 3)
"""

from __future__ import annotations

import numpy as np

from .._checks import as_matrix, as_nonnegative_float, as_seed, check_array, check_shape
from ..models.deep import DeepLinearNetwork, MultiTowerNetwork
from ..models.losses import Huber, Quadratic, SoftmaxCrossEntropy
from ..theory.paper_b import rank_constrained_minimum

__all__ = ['COROLLARY2', 'SEARCH', 'corollary2_data', 'corollary2_optimum', 'flat_part', 'group_end_values', 'search_losses']


#: The Corollary 2 runs: data seed and sizes (``n`` inputs, ``m`` outputs, ``N`` samples), the
#: tower configurations (name: list of tower widths), runs per configuration and loss (seeds
#: ``0 .. n_runs - 1``), the tolerance of "reaching the optimum", the iteration budget, and the
#: seeds of the two-layer runs that give ``L*`` where no closed form is known (24 of them).
COROLLARY2 = {
    "data_seed": 12, "n": 5, "m": 4, "N": 40,
    "configs": {
        "b >= m, n (all bottlenecked)": [[5, 2, 3, 4], [5, 3, 2, 4], [5, 1, 4]],
        "b >= m, n (one tower without)": [[5, 4, 6, 4], [5, 1, 3, 4]],
        "b = min(m, n)": [[5, 2, 3, 4], [5, 3, 2, 4]],
        "b < m, n (b = 3)": [[5, 1, 3, 4], [5, 2, 2, 4]],
        "b < m, n (b = 2)": [[5, 1, 4], [5, 1, 4]],
    },
    "losses": ["quadratic", "Huber", "soft-label CE"],
    "n_runs": 12, "tol": 1e-8, "maxiter": 3000,
    "optimum_seeds": list(range(100, 124)),
}


def corollary2_data(rng: np.random.Generator):
    """``X`` Gaussian ``(n, N)``, ``Y = W X + 0.5 E`` and soft labels ``Q`` (random class
    probabilities), drawn from ``rng`` in that order; returns ``(X, Y, losses)`` with the
    losses of :data:`COROLLARY2` (quadratic, Huber with ``delta = 1``, soft-label
    cross-entropy)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")
    n, m, N = COROLLARY2["n"], COROLLARY2["m"], COROLLARY2["N"]
    X = rng.standard_normal((n, N))
    Y = rng.standard_normal((m, n)) @ X + 0.5 * rng.standard_normal((m, N))
    Q = rng.uniform(0.2, 1.0, (m, N))
    losses = {"quadratic": Quadratic(X, Y), "Huber": Huber(X, Y, delta=1.0),
              "soft-label CE": SoftmaxCrossEntropy(X, Q / Q.sum(axis=0))}
    return X, Y, losses


def corollary2_optimum(net, loss_name: str, X, Y) -> float:
    """``L*`` for the multi-tower ``net`` with the loss ``loss_name`` of :data:`COROLLARY2`.

    Where ``b >= min(m, n)``: the minimum of the convex loss. Where ``b < m, n``: for the
    quadratic loss the closed form (:func:`~landscape.theory.paper_b.rank_constrained_minimum`), for the
    others the best value of L-BFGS (``gtol = 1e-12``) on the two-layer network ``(n, b, m)``
    from the seeds ``COROLLARY2["optimum_seeds"]``.

    Refuses a ``net`` that is not a :class:`~landscape.models.deep.MultiTowerNetwork`, an unknown
    ``loss_name``, and ``X``, ``Y`` that are not finite real matrices of shapes ``(n, N)`` and
    ``(m, N)``.
    """
    from ..optim.lbfgs import lbfgs_from_seeds

    if not isinstance(net, MultiTowerNetwork):
        raise TypeError(f"net must be a landscape.models.deep.MultiTowerNetwork; got {type(net).__name__}")
    if not isinstance(loss_name, str) or loss_name not in COROLLARY2["losses"]:
        raise ValueError(f"loss_name must be one of {COROLLARY2['losses']}; got {loss_name!r}")
    m, n = net.loss.shape
    X, Y = as_matrix("X", X), as_matrix("Y", Y)
    check_shape("X", X[:, :1], (n, 1), "= (n, N)")
    check_shape("Y", Y, (m, X.shape[1]), "= (m, N)")
    if net.b >= min(m, n):
        return float(net.loss.minimum())
    if loss_name == "quadratic":
        return float(rank_constrained_minimum(X, Y, net.b))
    two = DeepLinearNetwork((n, net.b, m), net.loss)
    return float(min(r.value for r in lbfgs_from_seeds(two, COROLLARY2["optimum_seeds"], gtol=1e-12)))


def flat_part(P) -> np.ndarray:
    """The orthogonal projection of ``P`` (``m x n``) onto the matrices ``1 v^T``: ``u u^T P``
    with ``u = 1 / sqrt(m)``. The softmax of every column is unchanged by adding such a matrix.

    >>> flat_part(np.array([[1.0, 2.0], [3.0, 0.0]]))
    array([[2., 1.],
           [2., 1.]])

    Refuses a ``P`` that is not a finite real matrix.
    """
    P = as_matrix("P", P)
    u = np.ones(P.shape[0]) / np.sqrt(P.shape[0])
    return np.outer(u, u @ P)


#: The search for spurious minima of the two-layer bottleneck network ``(n, b, m)``
#: (``scripts/bottleneck_search.py`` stores it in ``book/deep/data/bottleneck_search.json``):
#: data seeds of the instances, the losses (the quadratic is the control: Corollary 1 says it
#: has no spurious minimum), starts per instance and loss (seeds ``0 .. n_starts - 1``), the
#: L-BFGS settings before the certificate's Newton polish, the relative tolerance under which
#: two end values count as one, and the towers of the walk-through (``b = 1 + 1 = 2``, and a
#: contrast with ``b = 2 + 2 = 4 >= min(m, n)``).
SEARCH = {
    "seeds": list(range(30)), "n": 5, "m": 4, "N": 40, "b": 2,
    "losses": ["quadratic", "Huber delta=1", "Huber delta=0.1", "CE soft labels", "CE one-hot"],
    "n_starts": 20, "gtol": 1e-8, "maxiter": 3000, "value_rtol": 1e-7,
    "towers": [[5, 3, 1, 4], [5, 1, 2, 4]], "towers_wide": [[5, 2, 3, 4], [5, 3, 2, 4]],
    "tower_starts": 20,
}


def search_losses(seed: int) -> dict:
    """The losses of one instance of :data:`SEARCH`, all on the same ``X``: from
    ``default_rng(seed)`` draw ``X`` (``n x N``), ``W`` (``m x n``), ``Y = W X + E``, one-hot labels
    ``argmax(W X + 2 G)`` (noisy, so the classes overlap and the minimum is attained) and soft
    labels ``Q`` (as in :func:`corollary2_data`). Returns ``{name: loss}`` in the order of
    ``SEARCH["losses"]``. Refuses a ``seed`` that is not an integer >= 0."""
    n, m, N = SEARCH["n"], SEARCH["m"], SEARCH["N"]
    rng = np.random.default_rng(as_seed("seed", seed))
    X = rng.standard_normal((n, N))
    W = rng.standard_normal((m, n))
    Y = W @ X + rng.standard_normal((m, N))
    labels = np.argmax(W @ X + 2.0 * rng.standard_normal((m, N)), axis=0)
    Q = rng.uniform(0.2, 1.0, (m, N))
    return {"quadratic": Quadratic(X, Y), "Huber delta=1": Huber(X, Y, delta=1.0),
            "Huber delta=0.1": Huber(X, Y, delta=0.1),
            "CE soft labels": SoftmaxCrossEntropy(X, Q / Q.sum(axis=0)),
            "CE one-hot": SoftmaxCrossEntropy(X, labels, n_classes=m)}


def group_end_values(values, certified, rtol: float = 1e-7) -> list[dict]:
    """End values grouped (sorted; two values within ``rtol (1 + |v|)`` of the previous one
    join its group): one dict per group with the smallest ``value``, the number of ends
    ``count``, of them ``certified`` (certified local minima), and ``spurious``: the group
    is above the lowest group and holds a certified minimum (a local minimum that is not
    global, since a lower value exists).

    >>> [(g["value"], g["count"], g["spurious"]) for g in group_end_values([2.0, 1.0, 2.0], [1, 1, 1])]
    [(1.0, 1, False), (2.0, 2, True)]

    Refuses ``values`` that are empty, not 1-D or not finite, ``certified`` that are not
    booleans (or 0 and 1) of the same length, and a negative or non-finite ``rtol``.
    """
    v = check_array("values", values, ndim=1)
    c = check_array("certified", certified, ndim=1, allow_empty=True) if not (
        np.asarray(certified).dtype == bool) else np.asarray(certified)
    if c.ndim != 1 or v.shape != c.shape:
        raise ValueError(f"values and certified must be 1-D of the same length; got {v.shape}, {c.shape}")
    if not np.all((c == 0) | (c == 1)):
        raise ValueError("certified must hold booleans (or 0 and 1)")
    c = c.astype(bool)
    rtol = as_nonnegative_float("rtol", rtol)
    groups = []
    for i in np.argsort(v, kind="stable"):
        if groups and v[i] - groups[-1]["last"] <= rtol * (1 + abs(v[i])):
            g = groups[-1]
        else:
            g = {"value": float(v[i]), "count": 0, "certified": 0}
            groups.append(g)
        g["last"] = v[i]
        g["count"] += 1
        g["certified"] += int(c[i])
    for k, g in enumerate(groups):
        del g["last"]
        g["spurious"] = bool(k > 0 and g["certified"] > 0)
    return groups
