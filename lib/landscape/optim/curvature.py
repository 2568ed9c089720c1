"""Curvature: Hessian spectra (dense and Lanczos), the largest eigenvalue and the step size
from curvature, Hessian reports, and the second-order classification of critical points."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh

from .._checks import (
    as_bool,
    as_callable,
    as_generator,
    as_int,
    as_nonnegative_float,
    as_positive_float,
    as_positive_int,
    as_real,
    as_seed,
    check_array,
)
from ..models.deep import check_network, check_network_weights
from ..models.shallow import ProblemStack, ShallowProblem, hvp_kernel, invariants

__all__ = ['BATCH_HVP_MAX', 'DENSE_FALLBACK_MAX', 'DENSE_MAX', 'HessianReport', 'LANCZOS_MIN', 'POINT_KINDS', 'PackedModel', 'classify', 'extreme_eigenvalue', 'hessian_operator', 'hessian_report', 'hessian_vector_product', 'hessian_vector_products', 'hessians', 'largest_eigenvalue', 'packed', 'perturbation_test', 'smallest_eigenvalue', 'smallest_eigenvalues', 'step_from_curvature']


@dataclass(frozen=True)
class PackedModel:
    """A model seen through one parameter vector ``theta`` (what every method of
    ``landscape.optim`` is written against): :func:`packed` builds it.

    Attributes
    ----------
    n : int
        Number of parameters.
    pack, unpack : callable
        The model's weights (``(W1, W2)`` for a
        :class:`~landscape.models.shallow.ShallowProblem`, the list of matrices for a network of
        :mod:`landscape.models.deep`, the vector itself for a
        :class:`~landscape.models.tanh.TanhNetwork`) to ``theta`` and back.
    value_and_gradient : callable
        ``theta -> (value, gradient)``, the gradient a vector like ``theta``.
    hvp : callable
        ``(theta, v) -> H(theta) v``.
    hessian : callable
        ``theta -> H(theta)``, dense ``(n, n)``.
    """

    n: int
    pack: object
    unpack: object
    value_and_gradient: object
    hvp: object
    hessian: object


def packed(model) -> PackedModel:
    """The packed form (:class:`PackedModel`) of a shallow problem, a deep or multi-tower
    network (or any network with ``pack``, ``unpack``, ``value_and_gradient``,
    ``hessian_vector_product`` and ``hessian``) or a :class:`~landscape.models.tanh.TanhNetwork`.

    The shallow problem packs ``concatenate([W1.ravel(), W2.ravel()])``, the networks their
    own :meth:`~landscape.models.deep.DeepLinearNetwork.pack`; the tanh network is already
    packed (its Hessian-vector product is the central difference of its exact gradient, as
    its :meth:`~landscape.models.tanh.TanhNetwork.hessian`).

    >>> import numpy as np
    >>> from landscape import ShallowProblem
    >>> p = ShallowProblem(np.eye(2), np.diag([2.0, 1.0]), 1)
    >>> m = packed(p)
    >>> m.n, float(m.value_and_gradient(m.pack(p.balanced_minimizer()))[0])
    (4, 0.5)

    Refuses (``TypeError``) any other ``model``.
    """
    from ..models.tanh import TanhNetwork

    if isinstance(model, ShallowProblem):
        p = model

        def pack(weights):
            W1, W2 = _pair("weights", weights)
            return p.pack(W1, W2)

        def value_and_gradient(theta):
            W1, W2 = p.unpack(theta)
            G1, G2 = p.gradient(W1, W2)
            return float(p.value(W1, W2)), np.concatenate([G1.ravel(), G2.ravel()])

        def hvp(theta, v):
            W1, W2 = p.unpack(theta)
            H1, H2 = p.hessian_vector_product(W1, W2, *p.unpack(np.ravel(v)))
            return np.concatenate([H1.ravel(), H2.ravel()])

        return PackedModel(p.n_params, pack, p.unpack, value_and_gradient, hvp,
                           lambda theta: p.hessian(*p.unpack(theta)))
    if isinstance(model, TanhNetwork):
        net = model

        def tanh_pack(theta):
            t = check_array("weights", theta, ndim=1)
            if t.shape[-1] != net.n_params:
                raise ValueError(f"weights must have n_params = {net.n_params} entries; got shape {t.shape}")
            return np.array(t, dtype=float)

        def tanh_hvp(theta, v, h=1e-5):
            v = np.ravel(v)
            return (net.gradient(theta + h * v) - net.gradient(theta - h * v)) / (2 * h)

        return PackedModel(net.n_params, tanh_pack, lambda theta: np.asarray(theta, dtype=float),
                           lambda theta: (float(net.value(theta)), net.gradient(theta)), tanh_hvp,
                           net.hessian)
    if not all(hasattr(model, a) for a in ("n_params", "pack", "unpack", "value_and_gradient",
                                           "hessian_vector_product", "hessian")):
        raise TypeError(f"model must be a ShallowProblem, a network of landscape.models.deep (or one "
                        f"with their methods) or a TanhNetwork; got {type(model).__name__}")
    net = model

    def net_pack(Ms):
        check_network_weights(net, Ms, batch=False)
        return net.pack(Ms)

    def net_value_and_gradient(theta):
        v, G = net.value_and_gradient(net.unpack(theta))
        return float(v), net.pack(G)

    def net_hvp(theta, v):
        return net.pack(net.hessian_vector_product(net.unpack(theta), net.unpack(np.ravel(v))))

    return PackedModel(net.n_params, net_pack, net.unpack, net_value_and_gradient, net_hvp,
                       lambda theta: net.hessian(net.unpack(theta)))


def _pair(name, weights):
    if isinstance(weights, np.ndarray) or not isinstance(weights, (tuple, list)) or len(weights) != 2:
        raise TypeError(f"{name} of a ShallowProblem must be the pair (W1, W2); got {type(weights).__name__}")
    return weights


#: The vocabulary of :func:`classify`.
POINT_KINDS = ("strict saddle", "global minimum", "local minimum", "inconclusive (PSD)")


def classify(hessian_eigenvalues, tol: float = 1e-12, value_gap=None, value_tol: float = 0.0) -> str:
    """What the Hessian (and, when given, the value) says about a critical point.

    In this order (the vocabulary :data:`POINT_KINDS`):

    * ``"strict saddle"``: some eigenvalue is ``< -tol`` (Definition 2);
    * ``"global minimum"``: ``value_gap`` (the value minus the global minimum value) is given
      and ``<= value_tol``;
    * ``"local minimum"``: every eigenvalue is ``> tol`` (positive definite; with a
      ``value_gap`` above ``value_tol``, a spurious local minimum);
    * ``"inconclusive (PSD)"``: a positive semidefinite Hessian with an eigenvalue in
      ``[-tol, tol]`` (second-order critical), which cannot tell a minimum from a saddle like
      :data:`~landscape.models.toy2d.FLAT_SADDLE`'s origin.

    ``tol`` is the tolerance on eigenvalues and ``value_tol`` the one on values (each in its
    own units).

    >>> classify([-1.0, 2.0]), classify([0.0, 2.0]), classify([0.0, 2.0], value_gap=0.0)
    ('strict saddle', 'inconclusive (PSD)', 'global minimum')

    Refuses a ``tol`` or ``value_tol`` that is negative or not finite, eigenvalues that are
    not a non-empty 1-D array of finite real numbers and a ``value_gap`` that is not a finite
    real number.
    """
    tol = as_nonnegative_float("tol", tol)
    value_tol = as_nonnegative_float("value_tol", value_tol)
    check_array("hessian_eigenvalues", hessian_eigenvalues, ndim=1, allow_inf=True, allow_nan=True)
    ev = np.asarray(hessian_eigenvalues, dtype=float)
    if ev.size == 0 or not np.all(np.isfinite(ev)):
        raise ValueError(f"hessian_eigenvalues must be a non-empty array of finite numbers; got {ev}")
    if value_gap is not None:
        value_gap = as_real("value_gap", value_gap)
    if ev.min() < -tol:
        return "strict saddle"
    if value_gap is not None and value_gap <= value_tol:
        return "global minimum"
    if ev.min() > tol:
        return "local minimum"
    return "inconclusive (PSD)"


def largest_eigenvalue(model, weights) -> float:
    """Largest Hessian eigenvalue of ``model`` (see :func:`packed`) at ``weights``.

    One switch rule, that of :func:`smallest_eigenvalue`: the dense Hessian's ``eigvalsh`` up
    to :data:`DENSE_MAX` parameters (the measured crossover), Lanczos on Hessian-vector
    products above, by :func:`extreme_eigenvalue` (plain run first, then the run shifted by
    the spectral radius; the answer's residual is checked; the dense answer, with a
    ``RuntimeWarning``, when the check fails).

    >>> import numpy as np
    >>> from landscape import ShallowProblem
    >>> p = ShallowProblem(np.eye(2), np.diag([2.0, 1.0]), 1)
    >>> round(largest_eigenvalue(p, p.balanced_minimizer()), 12)
    4.0

    Refuses a ``model`` that :func:`packed` refuses and weights as the model does (one
    point, no batch)."""
    m = packed(model)
    if isinstance(model, ShallowProblem):  # the model's own check and Hessian, on its weights
        W1, W2 = _pair("weights", weights)
        model.as_weights(W1, W2, batch=False, check_only=True)

        def dense():
            return model.hessian(W1, W2)
    elif hasattr(model, "value_and_gradient"):
        check_network_weights(model, weights, batch=False)

        def dense():
            return model.hessian(weights)
    else:
        dense = None
    n = m.n
    if n <= DENSE_MAX and dense is not None:
        return float(np.linalg.eigvalsh(dense())[-1])
    theta = m.pack(weights)
    if n <= DENSE_MAX:
        return float(np.linalg.eigvalsh(m.hessian(theta))[-1])
    op = LinearOperator((n, n), matvec=lambda v: m.hvp(theta, v), rmatvec=lambda v: m.hvp(theta, v),
                        dtype=np.float64)
    return extreme_eigenvalue(op, "LA", tol=1e-8, seed=0, dense=lambda: m.hessian(theta),
                              unshifted_first=True)


def step_from_curvature(model, weights=None, fraction: float = 0.5) -> float:
    """A constant step size ``fraction / L``, with ``L`` the largest Hessian eigenvalue
    (:func:`largest_eigenvalue`) at ``weights``: for a shallow problem by default at its
    balanced global minimizer (the curvature where a converging run ends); for a deep
    network e.g. at ``net.balanced(P)``, the balanced factorization of the optimum ``P``.

    The same rule applied to f (``mu = 0``) and to g gives each its own step.

    >>> import numpy as np
    >>> from landscape import ShallowProblem
    >>> p = ShallowProblem(np.eye(2), np.diag([2.0, 1.0]), 1)
    >>> round(step_from_curvature(p), 12)
    0.125

    Refuses a ``model`` that :func:`packed` refuses, missing ``weights`` for a model other
    than a :class:`~landscape.models.shallow.ShallowProblem`, weights the model refuses and a
    ``fraction`` that is not a positive finite number.
    """
    packed(model)
    fraction = as_positive_float("fraction", fraction)
    if weights is None:
        if not isinstance(model, ShallowProblem):
            raise TypeError(f"weights are needed for a {type(model).__name__} (only a ShallowProblem "
                            f"has a default, its balanced minimizer)")
        weights = model.balanced_minimizer()
    return fraction / largest_eigenvalue(model, weights)


def perturbation_test(fun, theta, radii=(1e-2, 1e-3, 1e-4), n_samples: int = 2000, rng=None) -> np.ndarray:
    """``min_u fun(theta + r u) - fun(theta)`` over random unit directions ``u``, per radius ``r``.

    ``fun`` maps an ``(n_samples, n)`` array of parameter vectors to ``n_samples`` values.
    Nonnegative results at every radius are evidence (not proof) that ``theta`` is a local
    minimum; a negative result is a proof that it is not.

    Refuses a ``fun`` that is not callable, a ``theta`` that is not a non-empty 1-D array of
    finite real numbers, ``radii`` that are empty or not positive finite numbers, an
    ``n_samples`` that is not an integer >= 1 and an ``rng`` that is not a Generator.
    """
    as_callable("fun", fun)
    as_generator("rng", rng)
    check_array("theta", theta, ndim=1)
    if isinstance(radii, (str, bytes)) or not hasattr(radii, "__iter__"):
        raise TypeError(f"radii must be a sequence of positive numbers; got {radii!r}")
    radii = [as_positive_float(f"radii[{i}]", r) for i, r in enumerate(radii)]
    if not radii:
        raise ValueError("radii must hold at least one radius; got an empty sequence")
    n_samples = as_positive_int("n_samples", n_samples)
    theta = np.asarray(theta, dtype=float)
    f0 = float(np.asarray(fun(theta[None, :]))[0])
    out = []
    for r in radii:
        U = rng.standard_normal((int(n_samples), theta.size))
        U /= np.linalg.norm(U, axis=1, keepdims=True)
        out.append(float(np.min(np.asarray(fun(theta + r * U)) - f0)))
    return np.array(out)


@dataclass(frozen=True)
class HessianReport:
    """Gradient norm and sorted Hessian eigenvalues at a point, with a zero threshold.

    ``n_negative``, ``n_zero`` and ``n_positive`` count eigenvalues below ``-tol``,
    within ``[-tol, tol]`` and above ``tol``, with ``tol = rtol * max |eigenvalue|``.
    """

    grad_norm: float
    eigenvalues: np.ndarray
    tol: float
    n_negative: int
    n_zero: int
    n_positive: int

    def critical_psd(self, n_zero: int, gtol: float = 1e-6) -> bool:
        """The spectrum's part of a certificate: the gradient norm is below ``gtol``, no
        eigenvalue is negative and exactly ``n_zero`` are zero (within ``tol``).

        Not a certificate of a local minimum by itself: it does not check that the zero
        eigenspace is the tangent of a set of equal loss, nor a margin, nor smoothness; that
        is :func:`~landscape.optim.certify.certify_minimum`.

        Refuses an ``n_zero`` that is not an integer >= 0 and a ``gtol`` that is negative or
        not finite.
        """
        n_zero, gtol = as_int("n_zero", n_zero, 0), as_nonnegative_float("gtol", gtol)
        return bool(self.grad_norm < gtol and self.n_negative == 0 and self.n_zero == int(n_zero))

    @property
    def smallest(self) -> float:
        return float(self.eigenvalues[0])

    @property
    def smallest_nonzero(self) -> float:
        big = self.eigenvalues[np.abs(self.eigenvalues) > self.tol]
        return float(big[np.argmin(np.abs(big))]) if big.size else 0.0


def hessian_report(net, Ms, rtol: float = 1e-7) -> HessianReport:
    """Dense Hessian spectrum at ``Ms`` (small networks).

    Refuses a ``net`` of another type, weights as the network's methods do, a negative or
    non-finite ``rtol``, and (before allocating it) a Hessian above the dense-size limit."""
    check_network(net)
    rtol = as_nonnegative_float("rtol", rtol)
    ev = np.linalg.eigvalsh(net.hessian(Ms))
    tol = rtol * float(np.abs(ev).max())  # relative to the spectrum (not to 1)
    _, G = net.value_and_gradient(Ms)
    gn = float(np.sqrt(np.sum(net.pack(G) ** 2)))
    return HessianReport(gn, ev, tol, int(np.sum(ev < -tol)), int(np.sum(np.abs(ev) <= tol)),
                         int(np.sum(ev > tol)))


#: Largest number of parameters for which :func:`smallest_eigenvalue` uses the dense path
#: by default (measured crossover on 2 cores; see ``bench/eigen.py``).
DENSE_MAX = 1000


def hessian_operator(problem: ShallowProblem, W1, W2) -> LinearOperator:
    """The Hessian at ``(W1, W2)`` as a symmetric ``LinearOperator`` (matrix-free)."""
    if not isinstance(problem, ShallowProblem):
        raise TypeError(f"problem must be a ShallowProblem; got {type(problem).__name__}")
    W1, W2 = problem.as_weights(W1, W2, batch=False)
    n = problem.n_params

    def matvec(v):
        V1, V2 = problem.unpack(np.ravel(v))
        H1, H2 = problem.hessian_vector_product(W1, W2, V1, V2)
        return np.concatenate([H1.ravel(), H2.ravel()])

    return LinearOperator((n, n), matvec=matvec, rmatvec=matvec, dtype=np.float64)


#: Smallest number of parameters for which :func:`smallest_eigenvalue` runs Lanczos, even
#: with ``method="lanczos"``: below it ARPACK's Krylov space is too small to be trusted (at
#: ``n = 3`` it returned an interior eigenvalue, 2.01 for 0) and the dense path costs nothing.
LANCZOS_MIN = 50


#: Largest number of parameters for which a Lanczos answer that fails its check (no
#: convergence, or a residual above the tolerance) is replaced by the dense answer (with a
#: ``RuntimeWarning``); above it the failure is a ``RuntimeError``.
DENSE_FALLBACK_MAX = 4000


def _spectral_radius(op: LinearOperator, v0: np.ndarray) -> float:
    """``max |eigenvalue|`` of a symmetric operator, to about 1e-4 (Lanczos, ``which="LM"``),
    the scale every tolerance of :func:`extreme_eigenvalue` is relative to."""
    try:
        val = eigsh(op, k=1, which="LM", v0=v0, tol=1e-4, return_eigenvectors=False)
        return float(np.abs(val).max())
    except ArpackNoConvergence as exc:
        if len(exc.eigenvalues):
            return float(np.abs(exc.eigenvalues).max())
    # power iteration as a last resort (a lower bound; only the order of magnitude matters)
    v = v0 / np.linalg.norm(v0)
    nu = 0.0
    for _ in range(50):
        w = op @ v
        nu = float(np.linalg.norm(w))
        if nu == 0.0:
            return 0.0
        v = w / nu
    return nu


def extreme_eigenvalue(op: LinearOperator, which: str = "SA", tol: float = 1e-10, seed: int = 0,
                       dense=None, min_n: int = LANCZOS_MIN, ncv=None, unshifted_first: bool = False
                       ) -> float:
    r"""Smallest (``which="SA"``) or largest (``"LA"``) eigenvalue of a symmetric operator,
    by Lanczos (ARPACK), with a check of the answer.

    * Scale: ``nu = max |eigenvalue|`` is estimated first (a cheap Lanczos run). Lanczos then
      runs on the shifted operator ``s H + 2 nu I`` (``s = -1`` for the smallest eigenvalue,
      ``+1`` for the largest), whose wanted eigenvalue lies in ``[nu, 3 nu]``: ARPACK's
      stopping rule, relative to the eigenvalue it converges to, becomes a rule relative to
      the spectrum (``|error| <~ 3 tol nu``). Unshifted, an eigenvalue near 0 next to a large
      spectrum (a minimum on data of scale 100) could not meet it, and the run did not
      converge. With ``unshifted_first`` the plain run is tried first (its answer kept when it
      passes the check), the shifted one only if it fails.
    * Check: the residual ``||H v - lambda v||`` of the returned unit eigenvector ``v`` must
      be at most ``max(100 tol, 1e-12) nu`` (then ``lambda`` is within that distance of an
      eigenvalue of ``H``).
    * Failure (no convergence within 300 restarts, or the check fails), and every size ``n < min_n``: the dense
      answer from ``dense()`` (a callable returning the ``n x n`` matrix), with a
      ``RuntimeWarning`` when it replaces a failed Lanczos run; without ``dense``, or above
      :data:`DENSE_FALLBACK_MAX` parameters, a ``RuntimeError``.

    Parameters
    ----------
    op : LinearOperator
        A symmetric ``(n, n)`` operator.
    which : {"SA", "LA"}
    tol : float
        Relative accuracy asked of ARPACK (relative to ``nu``, see above).
    seed : int
        Seed of the start vector (results are deterministic for a given seed).
    dense : callable, optional
        Returns the dense matrix; used below ``min_n`` and as the fallback.
    min_n : int
        Sizes below it use ``dense`` directly.
    ncv : int, optional
        Lanczos vectors (ARPACK's default when ``None``).

    Refuses an ``op`` that is not a square operator (a ``LinearOperator``, or anything with a
    ``shape`` and ``@``), an unknown ``which``, a negative or non-finite ``tol``, a ``seed``
    that is not an integer >= 0, a ``dense`` that is not callable, ``min_n`` and ``ncv`` that
    are not integers (``ncv`` >= 2) and an ``unshifted_first`` that is not a bool.
    """
    shape = getattr(op, "shape", None)
    if not hasattr(op, "__matmul__") or not isinstance(shape, tuple) or len(shape) != 2:
        raise TypeError(f"op must be a square LinearOperator; got {type(op).__name__}")
    if shape[0] != shape[1]:
        raise ValueError(f"op must be square; got shape {shape}")
    if which not in ("SA", "LA"):
        raise ValueError(f"which must be 'SA' or 'LA'; got {which!r}")
    tol, seed = as_nonnegative_float("tol", tol), as_seed("seed", seed)
    if dense is not None:
        as_callable("dense", dense)
    min_n = as_int("min_n", min_n, 0)
    if ncv is not None:
        ncv = as_int("ncv", ncv, 2)
    unshifted_first = as_bool("unshifted_first", unshifted_first)
    n = int(op.shape[0])

    def from_dense(reason):
        if dense is None or n > DENSE_FALLBACK_MAX:
            raise RuntimeError(f"Lanczos ({which}) failed for n = {n} and no dense fallback is "
                               f"available (n > {DENSE_FALLBACK_MAX} or no dense matrix): {reason}")
        if reason:
            warnings.warn(f"Lanczos ({which}) failed for n = {n} ({reason}); using the dense "
                          f"eigendecomposition", RuntimeWarning, stacklevel=3)
        ev = np.linalg.eigvalsh(np.asarray(dense(), dtype=np.float64))
        return float(ev[0] if which == "SA" else ev[-1])

    if n < max(int(min_n), 3):
        return from_dense("")
    v0 = np.random.default_rng(seed).standard_normal(n)
    nu = _spectral_radius(op, v0)
    if not np.isfinite(nu):
        return from_dense(f"the spectral radius estimate is {nu}")
    if nu == 0.0:
        return 0.0
    sign = -1.0 if which == "SA" else 1.0
    bound = max(100.0 * tol, 1e-12) * nu
    reason = ""
    for shifted in ((False, True) if unshifted_first else (True,)):
        if shifted:
            c = 2.0 * nu

            def matvec(v, c=c):
                v = np.ravel(v)
                return sign * (op @ v) + c * v

            A = LinearOperator((n, n), matvec=matvec, rmatvec=matvec, dtype=np.float64)
            kw = dict(which="LA", maxiter=min(20 * n, 300))
        else:
            A, c, kw = op, 0.0, dict(which=which)
        try:
            vals, vecs = eigsh(A, k=1, v0=v0, tol=tol, ncv=ncv, return_eigenvectors=True, **kw)
        except ArpackNoConvergence as exc:
            reason = f"no convergence ({exc})"
            continue
        lam = float(vals[0]) if not shifted else sign * (float(vals[0]) - c)
        v = vecs[:, 0] / np.linalg.norm(vecs[:, 0])
        res = float(np.linalg.norm(op @ v - lam * v))
        if np.isfinite(lam) and res <= bound:
            return lam
        reason = f"residual {res:.2e} > {bound:.2e} = max(100 tol, 1e-12) x spectral radius {nu:.3g}"
    return from_dense(reason)


def smallest_eigenvalue(problem: ShallowProblem, W1, W2, method: str = "auto", tol: float = 1e-10,
                        seed: int = 0) -> float:
    """Smallest eigenvalue of the Hessian of ``problem.value`` at ``(W1, W2)``.

    Parameters
    ----------
    method : {"auto", "dense", "lanczos"}
        ``"auto"`` is dense for ``n_params <= DENSE_MAX`` and Lanczos above. Lanczos is
        :func:`extreme_eigenvalue`: dense below :data:`LANCZOS_MIN` parameters, a stopping
        rule relative to the spectrum, a residual check of the answer, and the dense answer
        (with a ``RuntimeWarning``) when that check fails, up to :data:`DENSE_FALLBACK_MAX`
        parameters (a ``RuntimeError`` above).
    tol : float
        Accuracy asked of ARPACK, relative to the largest ``|eigenvalue|`` (Lanczos only).
    seed : int
        Seed of the Lanczos start vector (results are deterministic for a given seed).

    Refuses a ``problem`` that is not a :class:`~landscape.models.shallow.ShallowProblem`, weights it
    refuses, an unknown ``method``, a negative or non-finite ``tol`` and a ``seed`` that is not
    an integer >= 0.
    """
    problem = _check(problem)
    if method not in ("auto", "dense", "lanczos"):
        raise ValueError(f"method must be 'auto', 'dense' or 'lanczos'; got {method!r}")
    tol, seed = as_nonnegative_float("tol", tol), as_seed("seed", seed)
    n = problem.n_params
    if method == "dense" or (method == "auto" and n <= DENSE_MAX) or n < LANCZOS_MIN:
        return float(np.linalg.eigvalsh(problem.hessian(W1, W2))[0])
    op = hessian_operator(problem, W1, W2)
    return extreme_eigenvalue(op, "SA", tol=tol, seed=seed, dense=lambda: problem.hessian(W1, W2),
                              ncv=min(n - 1, 40))


def _mT(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


def _check(problem) -> ShallowProblem:
    if not isinstance(problem, ShallowProblem):
        raise TypeError(f"problem must be a ShallowProblem; got {type(problem).__name__}")
    return problem


def hessian_vector_products(problem: ShallowProblem, W1, W2, V1, V2):
    r"""Hessian-vector products ``H(W) V`` with batch axes (broadcast between W and V).

    :meth:`~landscape.models.shallow.ShallowProblem.hessian_vector_product` (the directional
    derivative of the gradient (18)-(19) along ``(V1, V2)``), which takes batch axes:
    ``W1`` of shape ``(..., d1, d0)`` and ``V1`` of shape ``(..., d1, d0)`` broadcast
    against each other (likewise ``W2``, ``V2``).

    Returns
    -------
    (H1, H2) : ndarray
        The two blocks of ``H v``, with the broadcast batch shape.
    """
    return _check(problem).hessian_vector_product(W1, W2, V1, V2)


#: Largest number of parameters for which :func:`hessians` assembles a batch of Hessians
#: from batched Hessian-vector products; above it, the closed-form
#: :meth:`~landscape.models.shallow.ShallowProblem.hessian` point by point is faster (crossover measured by
#: ``bench/critical.py``).
BATCH_HVP_MAX = 48


def hessians(problem: ShallowProblem, W1, W2) -> np.ndarray:
    """Dense Hessians at a batch of points: shape ``(*batch, n, n)``, ``n = n_params``.

    ``W1`` has shape ``(*batch, d1, d0)`` and ``W2`` ``(*batch, d2, d1)`` (no batch axis
    gives one ``(n, n)`` Hessian, equal to :meth:`~landscape.models.shallow.ShallowProblem.hessian`). Up to
    :data:`BATCH_HVP_MAX` parameters, column ``j`` of every Hessian is the Hessian-vector
    product with the ``j``-th unit vector, all columns and all points in one batched
    evaluation (then symmetrized); above it, the closed-form Hessian is assembled point by
    point. Memory ``batch x n^2``.
    """
    problem = _check(problem)
    W1, W2 = problem.as_weights(W1, W2)
    n, n1 = problem.n_params, problem.d1 * problem.d0
    batch = W1.shape[:-2]
    if n > BATCH_HVP_MAX:
        flat1 = W1.reshape(-1, *W1.shape[-2:])
        flat2 = W2.reshape(-1, *W2.shape[-2:])
        H = np.array([problem.hessian(a, b) for a, b in zip(flat1, flat2)])
        return H.reshape(*batch, n, n)
    V1, V2 = problem.unpack(np.eye(n))  # (n, d1, d0), (n, d2, d1)
    H1, H2 = hessian_vector_products(problem, W1[..., None, :, :], W2[..., None, :, :], V1, V2)
    lead = H1.shape[:-2]  # (*batch, n)
    H = np.concatenate([H1.reshape(*lead, n1), H2.reshape(*lead, n - n1)], axis=-1)
    return 0.5 * (H + _mT(H))


def smallest_eigenvalues(problem: ShallowProblem, W1, W2) -> np.ndarray:
    """``lambda_min`` of the Hessian at each point of a batch (dense, stacked ``eigvalsh``).

    Returns an array of the batch shape (a 0-d array for unbatched weights).
    """
    return np.linalg.eigvalsh(hessians(problem, W1, W2))[..., 0]


def hessian_vector_product(problem, W1, W2, V1, V2):
    """``Hess g(W) [V]`` for a :class:`~landscape.models.shallow.ShallowProblem` or a :class:`~landscape.models.shallow.ProblemStack`, with leading
    batch axes allowed (the products of ``ShallowProblem.hessian_vector_product``).

    Refuses a ``problem`` of another type and weights or directions of the wrong shapes or
    with NaN, infinite or non-real entries (the message names the argument)."""
    if not isinstance(problem, (ShallowProblem, ProblemStack)):
        raise TypeError(f"problem must be a ShallowProblem or a ProblemStack; got {type(problem).__name__}")
    problem.as_weights(V1, V2, check_only=True, names=("V1", "V2"))
    W1, W2 = problem.as_weights(W1, W2)
    V1, V2 = problem.as_weights(V1, V2)
    return hvp_kernel(invariants(problem), problem.mu, W1, W2, V1, V2)
