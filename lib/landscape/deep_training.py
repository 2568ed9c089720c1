"""Training deep and multi-tower linear networks, and telling minima from saddles.

The helpers work with any network object of :mod:`landscape.deep` (they use ``pack``,
``unpack``, ``value_and_gradient`` and ``hessian``):

* :func:`lbfgs`: L-BFGS through ``scipy.optimize.minimize`` (exact gradients), optionally
  stopped as soon as the loss reaches a target value (the optimum plus a tolerance), which
  is how the chapters count "iterations to reach the optimum";
* :func:`lbfgs_from_seeds`: :func:`lbfgs` from the random starts of a list of seeds;
* :func:`packed_loss`: the loss as a function of packed parameter vectors (one or a batch),
  the form :func:`perturbation_test` takes;
* :func:`gradient_descent`: plain gradient descent, batched over many starts;
* :func:`largest_eigenvalue` and :func:`step_from_curvature`: a step-size rule;
* :func:`perturbation_test`: the smallest change of a function over random perturbations
  of given sizes (evidence for a local minimum where the Hessian cannot decide: at
  degenerate points and for non-differentiable losses);
* :func:`hessian_report`: gradient norm and Hessian eigenvalues at a point, and
  :meth:`HessianReport.critical_psd` (critical, no negative and exactly ``n`` zero
  eigenvalues); the certificate of a local minimum is :func:`certify_minimum`;
* :func:`derivative_free_search`: multi-start Nelder-Mead, for losses without a gradient;
* :func:`runs_from_starts`: many L-BFGS runs against a known optimum, with the fraction
  that reaches it, the iterations, and a Hessian check of the runs that do not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import (as_bool, as_callable, as_generator, as_int, as_nonnegative_float,
                      as_positive_float, as_positive_int, as_real, as_seeds, check_array,
                      check_dense)

__all__ = [
    "DeepRun",
    "certify_minimum",
    "derivative_free_search",
    "flat_directions",
    "group_tangent",
    "MinimumCertificate",
    "polish",
    "product_jacobian",
    "symmetry_tangent",
    "HessianReport",
    "LBFGSResult",
    "gradient_descent",
    "hessian_report",
    "largest_eigenvalue",
    "lbfgs",
    "lbfgs_from_seeds",
    "packed_loss",
    "perturbation_test",
    "runs_from_starts",
    "StartRecord",
    "step_from_curvature",
]


def _check_net(net):
    for attr in ("pack", "unpack", "value_and_gradient", "hessian"):
        if not hasattr(net, attr):
            raise TypeError(f"net must be a DeepLinearNetwork or MultiTowerNetwork (it has no .{attr}); "
                            f"got {type(net).__name__}")


def _check_weights(net, Ms, batch=True):
    """Validate ``Ms`` against ``net`` (without converting them) when ``net`` is a network of
    :mod:`landscape.deep`; other networks check their weights themselves."""
    from .deep import DeepLinearNetwork, MultiTowerNetwork

    if isinstance(net, (DeepLinearNetwork, MultiTowerNetwork)):
        net._weights(Ms, batch=batch, check_only=True)
    elif isinstance(Ms, np.ndarray) or not isinstance(Ms, (list, tuple)) or not Ms:
        raise TypeError(f"Ms must be a non-empty list of weight matrices; got {type(Ms).__name__}")


@dataclass(frozen=True)
class LBFGSResult:
    """Outcome of :func:`lbfgs`.

    ``Ms`` the final weights, ``value`` the final loss, ``n_iter`` the number of L-BFGS
    iterations, ``grad_norm`` the final gradient norm, ``reached`` whether the target
    was reached (``None`` without a target), ``message`` scipy's stopping reason.
    """

    Ms: list
    value: float
    n_iter: int
    grad_norm: float
    reached: bool | None
    message: str


def lbfgs(net, Ms, maxiter: int = 10000, gtol: float = 1e-10, ftol: float = 1e-15, memory: int = 10,
          target: float | None = None) -> LBFGSResult:
    """Minimize ``net``'s loss with L-BFGS from ``Ms`` (exact gradients).

    Parameters
    ----------
    target : float, optional
        Stop at the first iteration whose loss is ``<= target``.
    gtol, ftol : float
        scipy's stopping rules: largest gradient entry ``<= gtol``, or relative decrease
        of the loss below ``ftol``.

    Raises
    ------
    TypeError
        ``net`` not a network of :mod:`landscape.deep`; weights that are not a list of real
        matrices; non-integer ``maxiter`` or ``memory``; non-real tolerances or ``target``.
    ValueError
        Weights of the wrong shapes or not finite; ``maxiter`` or ``memory`` below 1;
        tolerances negative or not finite; a ``target`` that is NaN or infinite.
    """
    from scipy.optimize import minimize

    _check_net(net)
    maxiter, memory = as_positive_int("maxiter", maxiter), as_positive_int("memory", memory)
    gtol, ftol = as_nonnegative_float("gtol", gtol), as_nonnegative_float("ftol", ftol)
    target = None if target is None else as_real("target", target)

    def fun(theta):
        v, G = net.value_and_gradient(net.unpack(theta))
        return float(v), net.pack(G)

    hit = {"n": None}

    def callback(intermediate_result):
        hit["count"] = hit.get("count", 0) + 1
        if target is not None and intermediate_result.fun <= target:
            hit["n"] = hit["count"]
            raise StopIteration

    res = minimize(fun, net.pack(Ms), jac=True, method="L-BFGS-B", callback=callback,
                   options={"maxiter": int(maxiter), "gtol": gtol, "ftol": ftol, "maxcor": int(memory)})
    Mf = net.unpack(res.x)
    v, G = net.value_and_gradient(Mf)
    gn = float(np.sqrt(np.sum(net.pack(G) ** 2)))
    n_iter = hit["n"] if hit["n"] is not None else int(res.nit)
    reached = None if target is None else bool(v <= target)
    return LBFGSResult(Mf, float(v), int(n_iter), gn, reached, str(res.message))


def lbfgs_from_seeds(net, seeds, scale: float = 1.0, **kw) -> list[LBFGSResult]:
    """:func:`lbfgs` from ``net.random_weights(default_rng(seed), scale)`` for each seed.

    Keyword arguments (``gtol``, ``maxiter``, ``target``, ...) are passed to :func:`lbfgs`.
    Returns the results in the order of ``seeds``. Refuses a ``net`` of another type, an
    empty list of seeds or seeds that are not integers >= 0, a negative or non-finite
    ``scale``, and the bad arguments of :func:`lbfgs` (checked before the first run).
    """
    _check_net(net)
    seeds = as_seeds("seeds", seeds)
    scale = as_nonnegative_float("scale", scale)
    if "maxiter" in kw:
        as_positive_int("maxiter", kw["maxiter"])
    for name in ("gtol", "ftol"):
        if name in kw:
            as_nonnegative_float(name, kw[name])
    return [lbfgs(net, net.random_weights(np.random.default_rng(int(s)), scale=scale), **kw)
            for s in seeds]


def packed_loss(net):
    """The loss of ``net`` as a function of packed parameter vectors.

    Returns ``fun`` with ``fun(thetas)`` the array of ``net.value(net.unpack(theta))`` over the
    rows of ``thetas`` (shape ``(n_samples, n_params)``; a single vector gives one value), the
    form :func:`perturbation_test` expects. The rows are evaluated one at a time, so losses
    without batch support (e.g. a :class:`~landscape.losses.Custom` loss) work too.
    Refuses a ``net`` of another type; ``fun`` refuses ``thetas`` that are not finite real
    arrays with ``n_params`` entries in their last axis (the argument is named ``theta`` in
    its messages).
    """
    _check_net(net)

    def fun(thetas):
        check_array("theta", thetas, ndim=1, allow_batch=True)
        thetas = np.asarray(thetas, dtype=float)
        if thetas.shape[-1] != net.n_params:
            raise ValueError(f"theta must have n_params = {net.n_params} entries in its last axis; "
                             f"got shape {thetas.shape}")
        rows = thetas.reshape(-1, thetas.shape[-1])
        return np.array([float(net.value(net.unpack(t))) for t in rows])

    return fun


@dataclass(frozen=True)
class DeepRun:
    """Record of :func:`gradient_descent` over a batch of starts.

    ``steps`` ``(n_rec,)``, ``values`` and ``grad_norms`` ``(n_rec, *batch)``, the final
    weights ``Ms``, and ``hit`` ``(*batch)``: the first step at which the loss was ``<= target``
    (``-1`` if never, or if no target was given).
    """

    steps: np.ndarray
    values: np.ndarray
    grad_norms: np.ndarray
    Ms: list
    hit: np.ndarray


def gradient_descent(net, Ms, step: float, n_steps: int, record_every: int = 1,
                     target: float | None = None, stop_when_all_hit: bool = True) -> DeepRun:
    """``M <- M - step * grad L(M)`` from every start at once (leading batch axes of ``Ms``).

    With ``target``, records for each start the first step whose loss is ``<= target``
    and (by default) stops once every start has reached it.

    Raises
    ------
    TypeError
        ``net`` of another type; weights that are not a list of real matrices; a non-real
        ``step`` or ``target``; non-integer counts; a ``stop_when_all_hit`` that is not a bool.
    ValueError
        Weights of the wrong shapes or not finite; a ``step`` that is not positive and
        finite; ``n_steps < 0``; ``record_every < 1``; a NaN or infinite ``target``.
    """
    _check_net(net)
    step = as_positive_float("step", step)
    n_steps = as_int("n_steps", n_steps, 0)
    record_every = as_positive_int("record_every", record_every)
    target = None if target is None else as_real("target", target)
    stop_when_all_hit = as_bool("stop_when_all_hit", stop_when_all_hit)
    _check_weights(net, Ms)
    W = [[np.array(M, dtype=float) for M in T] for T in Ms] if isinstance(Ms[0], (list, tuple)) \
        else [np.array(M, dtype=float) for M in Ms]
    steps, vals, gns = [], [], []
    hit = None
    for t in range(int(n_steps) + 1):
        v, G = net.value_and_gradient(W)
        v = np.asarray(v, dtype=float)
        if hit is None:
            hit = np.full(v.shape, -1, dtype=int)
        if target is not None:
            hit = np.where((hit < 0) & (v <= target), t, hit)
        done = t == n_steps or (target is not None and stop_when_all_hit and np.all(hit >= 0))
        if t % int(record_every) == 0 or done:
            g2 = sum(np.sum(g * g, axis=(-2, -1)) for g in _leaves(G))
            steps.append(t)
            vals.append(v)
            gns.append(np.sqrt(g2))
        if done:
            break
        for M, g in zip(_leaves(W), _leaves(G)):
            M -= step * g
    return DeepRun(np.array(steps), np.array(vals), np.array(gns), W, hit)


def _leaves(W):
    return [M for T in W for M in T] if isinstance(W[0], (list, tuple)) else list(W)


def largest_eigenvalue(net, Ms) -> float:
    """Largest Hessian eigenvalue at ``Ms`` (dense up to 600 parameters, Lanczos above).

    Lanczos is :func:`landscape.spectrum.extreme_eigenvalue` (plain run first, then the run
    shifted by the spectral radius; the answer's residual is checked; the dense answer, with
    a ``RuntimeWarning``, when the check fails).

    Refuses a ``net`` of another type and weights as the network's methods do."""
    _check_net(net)
    _check_weights(net, Ms, batch=False)
    n = net.n_params
    if n <= 600:
        return float(np.linalg.eigvalsh(net.hessian(Ms))[-1])
    from scipy.sparse.linalg import LinearOperator

    from .spectrum import extreme_eigenvalue

    def matvec(v):
        return net.pack(net.hessian_vector_product(Ms, net.unpack(np.ravel(v))))

    op = LinearOperator((n, n), matvec=matvec, rmatvec=matvec, dtype=np.float64)
    return extreme_eigenvalue(op, "LA", tol=1e-8, seed=0, dense=lambda: net.hessian(Ms), min_n=601,
                              unshifted_first=True)


def step_from_curvature(net, P, fraction: float = 0.5) -> float:
    """``fraction / L`` with ``L`` the largest Hessian eigenvalue at the balanced
    factorization of ``P`` (:meth:`~landscape.deep.DeepLinearNetwork.balanced`), e.g. of the optimum.

    Refuses a ``net`` that is not a :class:`~landscape.deep.DeepLinearNetwork`, a ``P`` as
    :meth:`~landscape.deep.DeepLinearNetwork.balanced` does, and a ``fraction`` that is not
    positive and finite."""
    from .deep import DeepLinearNetwork

    if not isinstance(net, DeepLinearNetwork):
        raise TypeError(f"net must be a DeepLinearNetwork (it needs a balanced factorization); "
                        f"got {type(net).__name__}")
    fraction = as_positive_float("fraction", fraction)
    return fraction / largest_eigenvalue(net, net.balanced(P))


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
        is :func:`certify_minimum`.

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
    _check_net(net)
    rtol = as_nonnegative_float("rtol", rtol)
    ev = np.linalg.eigvalsh(net.hessian(Ms))
    tol = rtol * float(np.abs(ev).max())  # relative to the spectrum (not to 1)
    _, G = net.value_and_gradient(Ms)
    gn = float(np.sqrt(np.sum(net.pack(G) ** 2)))
    return HessianReport(gn, ev, tol, int(np.sum(ev < -tol)), int(np.sum(np.abs(ev) <= tol)),
                         int(np.sum(ev > tol)))


@dataclass(frozen=True)
class StartRecord:
    """One training run of :func:`runs_from_starts`.

    ``seed`` of the start, whether the loss ``reached`` the target, L-BFGS iterations
    ``n_iter`` (to the target when reached), the final loss ``value`` and ``gap``
    ``(L - optimum) / (L(0) - optimum)``, the final ``grad_norm``, for runs that did not reach
    the target the smallest Hessian eigenvalue ``lam_min`` at the final point (``nan``
    otherwise), the final weights ``Ms`` if they were kept, and scipy's stopping ``message``.
    """

    seed: int
    reached: bool
    n_iter: int
    gap: float
    grad_norm: float
    lam_min: float
    value: float = np.nan
    Ms: list | None = None
    message: str = ""


def runs_from_starts(net, seeds, optimum: float, tol: float = 1e-8, scale: float = 1.0,
                     maxiter: int = 3000, classify: bool = True, keep: bool = False) -> list[StartRecord]:
    """L-BFGS from ``net.random_weights(default_rng(seed), scale)`` for each seed, stopped
    when the loss is within ``tol`` of the optimum, relative to ``L(0) - optimum``.

    "Reaching the optimum" is ``L - optimum <= tol (L(0) - optimum)``, where ``L(0)`` is the
    loss of the zero matrix (the scale of the reducible part of the loss). Runs that do not
    reach it within ``maxiter`` iterations get their smallest Hessian eigenvalue (dense
    Hessian) if ``classify``: a negative one shows the run stopped away from any minimum.
    ``keep`` stores the final weights in the records.

    Raises
    ------
    TypeError
        ``net`` of another type; seeds that are not integers; non-real ``optimum``,
        ``tol``, ``scale``; a non-integer ``maxiter``; ``classify`` or ``keep`` not a bool.
    ValueError
        No seed or a negative one; a NaN or infinite ``optimum`` or one not below ``L(0)``;
        ``tol`` or ``scale`` negative or not finite; ``maxiter < 1``; with ``classify``, a
        network whose dense Hessian is above the dense-size limit (checked first).
    """
    _check_net(net)
    seeds = as_seeds("seeds", seeds)
    optimum = as_real("optimum", optimum)
    tol, scale = as_nonnegative_float("tol", tol), as_nonnegative_float("scale", scale)
    maxiter = as_positive_int("maxiter", maxiter)
    classify, keep = as_bool("classify", classify), as_bool("keep", keep)
    if classify:
        check_dense("net", net.n_params, what="dense Hessian (for classify=True)")
    m, n = net.loss.shape
    f0 = float(net.loss.value(np.zeros((m, n))))
    span = f0 - optimum
    if not span > 0:
        raise ValueError(f"optimum must be below L(0) to measure the gap; got L(0) = {f0}, optimum = {optimum}")
    target = optimum + tol * span
    out = []
    for seed in seeds:
        Ms = net.random_weights(np.random.default_rng(int(seed)), scale=scale)
        r = lbfgs(net, Ms, maxiter=maxiter, gtol=0.0, ftol=0.0, target=target)
        lam = np.nan
        if not r.reached and classify:
            lam = float(np.linalg.eigvalsh(net.hessian(r.Ms))[0])
        out.append(StartRecord(int(seed), bool(r.reached), r.n_iter, (r.value - optimum) / span,
                               r.grad_norm, lam, r.value, r.Ms if keep else None, r.message))
    return out


def derivative_free_search(fun, dim: int, seeds, scale: float = 1.0, restarts: int = 3,
                           maxfev: int = 20000) -> list[tuple[int, np.ndarray, float]]:
    """Local minimization of ``fun`` (a function of a ``dim``-vector) from Gaussian starts,
    without derivatives: Nelder-Mead (adaptive), restarted ``restarts`` times from its own
    end point (a cheap guard against a collapsed simplex). For losses that are not
    differentiable, where gradient methods do not apply.

    Returns ``[(seed, x, fun(x)), ...]``; the start for ``seed`` is
    ``scale * default_rng(seed).standard_normal(dim)``.

    Refuses a ``fun`` that is not callable, ``dim``, ``restarts`` and ``maxfev`` that are
    not integers >= 1, an empty list of seeds or seeds that are not integers >= 0, and a
    negative or non-finite ``scale``.
    """
    from scipy.optimize import minimize

    as_callable("fun", fun)
    dim, restarts = as_positive_int("dim", dim), as_positive_int("restarts", restarts)
    maxfev = as_positive_int("maxfev", maxfev)
    seeds = as_seeds("seeds", seeds)
    scale = as_nonnegative_float("scale", scale)

    out = []
    for seed in seeds:
        x = scale * np.random.default_rng(int(seed)).standard_normal(int(dim))
        for _ in range(int(restarts)):
            res = minimize(fun, x, method="Nelder-Mead",
                           options={"xatol": 1e-12, "fatol": 1e-14, "maxfev": int(maxfev),
                                    "adaptive": True})
            x = res.x
        out.append((int(seed), x, float(fun(x))))
    return out


# ------------------------------------------------------------ certificate of a local minimum
def _towers_of(net):
    """``(chains, widths)``: the towers of a multi-tower network, or the one chain of a deep one."""
    if hasattr(net, "towers"):
        return net.towers, True
    return (net.widths,), False


def _check_deep_net(net, Ms):
    """``net`` a network of :mod:`landscape.deep`, ``Ms`` its weights (one point), and a dense
    ``n_params x n_params`` array within the size limit."""
    from .deep import DeepLinearNetwork, MultiTowerNetwork

    if not isinstance(net, (DeepLinearNetwork, MultiTowerNetwork)):
        raise TypeError(f"net must be a DeepLinearNetwork or MultiTowerNetwork; got {type(net).__name__}")
    net._weights(Ms, batch=False, check_only=True)
    check_dense("net", net.n_params)


def flat_directions(loss) -> np.ndarray:
    """An orthonormal basis (rows, each a flattened ``m x n`` matrix) of the directions ``D``
    with ``f(P + D) = f(P)`` for every ``P``, for the losses of :mod:`landscape.losses`.

    For a loss of ``P X`` (it has an ``X``): the ``D`` with ``D X = 0`` (none when ``X`` has full
    row rank); for the softmax cross-entropy also ``1 w^T`` (the softmax of a column does not
    change when the same number is added to all its entries). Other losses: none.

    Refuses a ``loss`` that is not a :class:`~landscape.losses.Loss`, and one whose basis
    would be a dense array above the size limit (:func:`landscape._checks.check_dense`).
    """
    from .losses import Loss, SoftmaxCrossEntropy, row_space

    if not isinstance(loss, Loss):
        raise TypeError(f"loss must be a landscape.losses.Loss; got {type(loss).__name__}")
    m, n = loss.shape
    rows = []
    X = getattr(loss, "X", None)
    if X is not None:
        X = np.asarray(X, dtype=np.float64)
        rank = row_space(X)[3]
        check_dense("loss", m * n, what="basis of flat directions",
                    columns=m * (n - rank) + (n if isinstance(loss, SoftmaxCrossEntropy) else 0))
        Z = np.linalg.svd(X, full_matrices=True)[0][:, rank:]     # X^T z = 0
        rows += [np.outer(np.eye(m)[a], z).ravel() for a in range(m) for z in Z.T]
    if isinstance(loss, SoftmaxCrossEntropy):
        rows += [np.outer(np.ones(m), np.eye(n)[c]).ravel() for c in range(n)]
    if not rows:
        return np.zeros((0, m * n))
    U, s, _ = np.linalg.svd(np.array(rows).T, full_matrices=False)
    return U[:, s > 1e-10 * s[0]].T


def product_jacobian(net, Ms) -> np.ndarray:
    """The derivative of the end-to-end map ``theta -> P``: row ``p`` is ``dP`` (flattened) along
    the ``p``-th parameter of ``net.pack``; shape ``(n_params, m n)``.

    Refuses a ``net`` that is not a network of :mod:`landscape.deep`, weights ``Ms`` it
    refuses, and sizes whose Jacobian would be above the dense-size limit."""
    from .deep import _chain_dproduct, _prefixes

    _check_deep_net(net, Ms)
    chains, multi = _towers_of(net)
    Vs = net.unpack(np.eye(net.n_params))
    Ts, Vt = (net._weights(Ms, batch=False), Vs) if multi else ([net._weights(Ms, batch=False)], [Vs])
    dP = sum(_chain_dproduct(T, _prefixes(T), V)[-1] for T, V in zip(Ts, Vt))
    return dP.reshape(net.n_params, -1)


def group_tangent(net, Ms) -> np.ndarray:
    """Tangent vectors (rows, in the order of ``net.pack``) of the orbit of ``Ms`` under the
    symmetry group of the parametrisation: ``GL(d_i)`` at every hidden layer ``i`` of every
    tower (``M_i -> G M_i``, ``M_{i+1} -> M_{i+1} G^{-1}``, generators ``(E M_i, -M_{i+1} E)``
    for the elementary ``E``), and, where the loss has flat directions
    (:func:`flat_directions`), the translations ``M_k -> M_k + 1 u^T`` of each tower's top layer
    (softmax shift) and ``M_1 -> M_1 + c z^T`` of its bottom layer (``X^T z = 0``).

    Refuses what :func:`product_jacobian` refuses."""
    from .losses import SoftmaxCrossEntropy

    _check_deep_net(net, Ms)
    chains, multi = _towers_of(net)
    Ts = net._weights(Ms, batch=False) if multi else [net._weights(Ms, batch=False)]
    m, n = net.loss.shape
    flat = flat_directions(net.loss)
    out = []

    def vec(t, parts):                        # parts: {layer: matrix}, zero elsewhere
        Z = [[np.zeros_like(M) for M in T] for T in Ts]
        for i, D in parts.items():
            Z[t][i] = D
        return net.pack(Z if multi else Z[0])

    for t, T in enumerate(Ts):
        k = len(T)
        for i in range(k - 1):                       # hidden layer i + 1, width d_{i+1}
            d = T[i].shape[0]
            for a in range(d):
                for b in range(d):
                    E = np.zeros((d, d))
                    E[a, b] = 1.0
                    out.append(vec(t, {i: E @ T[i], i + 1: -T[i + 1] @ E}))
        if flat.shape[0]:
            if isinstance(net.loss, SoftmaxCrossEntropy):
                for u in np.eye(T[-1].shape[1]):
                    out.append(vec(t, {k - 1: np.outer(np.ones(m), u)}))
            Z = np.linalg.svd(np.asarray(net.loss.X, dtype=np.float64), full_matrices=True)[0]
            for z in Z[:, np.linalg.matrix_rank(net.loss.X):].T:
                for c in np.eye(T[0].shape[0]):
                    out.append(vec(t, {0: np.outer(c, z)}))
    return np.array(out).reshape(-1, net.n_params)


def _rank(M, rtol):
    s = np.linalg.svd(M, compute_uv=False) if M.size else np.zeros(0)
    return int(np.sum(s > rtol * max(1.0, s[0]))) if s.size else 0


def symmetry_tangent(net, Ms, rtol: float = 1e-8) -> np.ndarray:
    """Orthonormal basis (columns) of the directions that leave the loss unchanged to first order
    for *every* convex ``f`` with the same flat directions: the ``v`` with ``dP(v)`` in the span of
    :func:`flat_directions` (the kernel of the product map's derivative, plus the flat shifts).
    It contains the tangent of the group orbit (:func:`group_tangent`); for a two-layer network
    with full-rank factors the two are equal (``GL(b)``, plus the shifts).

    Refuses what :func:`product_jacobian` refuses, and a negative or non-finite ``rtol``."""
    _check_deep_net(net, Ms)
    rtol = as_nonnegative_float("rtol", rtol)
    J = product_jacobian(net, Ms)
    flat = flat_directions(net.loss)
    Jp = J - (J @ flat.T) @ flat
    U, s, _ = np.linalg.svd(Jp, full_matrices=True)
    r = int(np.sum(s > rtol * max(1.0, s[0]))) if s.size else 0
    return U[:, r:]


def polish(net, Ms, steps: int = 30, rtol: float = 1e-9):
    """Newton's method from ``Ms`` with the pseudo-inverse of the Hessian (eigenvalues below
    ``rtol`` times the largest set aside: the flat directions of a symmetry). A step is kept
    only if it lowers the gradient norm (halved up to 20 times otherwise). Newton converges
    to a nearby critical point of any kind; it does not tell minima from saddles. Returns
    ``(Ms, distance moved)``.

    Refuses what :func:`product_jacobian` refuses, ``steps`` that are not an integer >= 0 and
    a negative or non-finite ``rtol``."""
    _check_deep_net(net, Ms)
    steps = as_int("steps", steps, 0)
    rtol = as_nonnegative_float("rtol", rtol)
    theta0 = net.pack(Ms)
    theta = theta0.copy()

    def gnorm(th):
        return float(np.linalg.norm(net.pack(net.gradient(net.unpack(th)))))

    g = gnorm(theta)
    for _ in range(int(steps)):
        G = net.pack(net.gradient(net.unpack(theta)))
        lam, V = np.linalg.eigh(net.hessian(net.unpack(theta)))
        keep = np.abs(lam) > rtol * max(1.0, np.abs(lam).max())
        step = -V[:, keep] @ ((V[:, keep].T @ G) / lam[keep])
        for _ in range(20):
            g_new = gnorm(theta + step)
            if g_new < g:
                theta, g = theta + step, g_new
                break
            step = step / 2
        else:
            break
    return net.unpack(theta), float(np.linalg.norm(theta - theta0))


@dataclass(frozen=True)
class MinimumCertificate:
    """The outcome of :func:`certify_minimum` (read ``certified`` and ``failed``).

    ``Ms`` the (polished) point, ``value``, ``grad_norm``, ``moved`` (distance of the polish);
    ``eigenvalues`` of the Hessian and the zero threshold ``zero_tol``; ``n_negative``,
    ``n_zero``; ``symmetry_dim`` (directions along which the loss is constant,
    :func:`symmetry_tangent`) and ``group_dim`` (the orbit of the symmetry group,
    :func:`group_tangent`); ``tangent_residual`` ``= ||H Q||`` over an orthonormal basis ``Q``
    of the symmetry directions; ``margin`` the smallest eigenvalue of the Hessian on their
    orthogonal complement; ``regular``: the symmetry directions have the same dimension at
    random nearby points (so they are tangent to a smooth set of equal loss); ``kink_distance``
    for the Huber loss, ``min | |r| - delta | / delta`` over the residuals (``nan`` otherwise);
    ``failed`` the names of the conditions that fail; ``orbit_sine`` the sine of the largest
    angle between the zero eigenspace of the Hessian and the tangent space of the group orbit
    (``inf`` when their dimensions differ; informative, not one of the conditions).
    """

    Ms: list
    value: float
    grad_norm: float
    moved: float
    eigenvalues: np.ndarray
    zero_tol: float
    n_negative: int
    n_zero: int
    symmetry_dim: int
    group_dim: int
    tangent_residual: float
    margin: float
    regular: bool
    kink_distance: float
    failed: tuple
    orbit_sine: float = np.nan

    @property
    def n_positive(self) -> int:
        """The number of Hessian eigenvalues above the zero threshold."""
        return int(self.eigenvalues.size - self.n_negative - self.n_zero)

    @property
    def certified(self) -> bool:
        """All conditions hold: a local minimum (non-strict, along the symmetry directions)."""
        return not self.failed

    def __str__(self) -> str:
        verdict = "certified local minimum" if self.certified else "NOT certified: " + ", ".join(self.failed)
        return (f"{verdict} (L = {self.value:.6g}, |grad| = {self.grad_norm:.1e}, "
                f"{self.n_negative} negative / {self.n_zero} zero eigenvalues, symmetry dim "
                f"{self.symmetry_dim}, group dim {self.group_dim}, margin {self.margin:.2e})")


def certify_minimum(net, Ms, polish_steps: int = 30, gtol: float = 1e-8, zero_rtol: float = 1e-7,
                    margin_rtol: float = 1e-7, kink_rtol: float = 1e-6, rng=None) -> MinimumCertificate:
    """Second-order certificate that ``Ms`` is (near) a local minimum of ``net``.

    After :func:`polish` (``polish_steps = 0``: none), the conditions, each named in
    ``failed`` when it fails:

    * ``"gradient"``: the gradient norm is below ``gtol``;
    * ``"tangent"``: the Hessian vanishes on the symmetry directions ``T``
      (:func:`symmetry_tangent`), ``||H Q_T|| <= zero_tol``;
    * ``"margin"``: on the orthogonal complement of ``T`` the Hessian is positive definite, its
      smallest eigenvalue above ``margin_rtol`` times the largest ``|eigenvalue|`` (by default the
      zero threshold, so zero and positive eigenvalues are told apart at one threshold; the
      Hessian's condition varies along the orbit, with the balance of the factors) (with the
      previous condition: no negative eigenvalue, exactly ``dim T`` zero ones, and the zero
      eigenspace equal to ``T``);
    * ``"regular"``: ``dim T`` is the same at three random points at relative distance
      ``1e-4`` (the set of equal loss through the point is smooth, with tangent ``T``);
    * ``"kink"`` (Huber only): every residual is at least ``kink_rtol delta`` from ``|r| = delta``,
      so the loss is twice differentiable near the point.

    Together they make the point a local minimum (the loss is constant along a smooth set with
    tangent ``T`` and grows quadratically away from it: a Morse-Bott argument), to the
    precision of the thresholds. The zero threshold is ``zero_rtol`` times the largest
    ``|eigenvalue|`` (at least 1).

    Refuses what :func:`polish` refuses, negative or non-finite tolerances and an ``rng`` that
    is neither None nor a Generator.
    """
    from .losses import Huber

    _check_deep_net(net, Ms)
    polish_steps = as_int("polish_steps", polish_steps, 0)
    gtol, zero_rtol, margin_rtol, kink_rtol = (
        as_nonnegative_float(k, v) for k, v in (("gtol", gtol), ("zero_rtol", zero_rtol),
                                                ("margin_rtol", margin_rtol), ("kink_rtol", kink_rtol)))
    as_generator("rng", rng, optional=True)
    if polish_steps:
        Ms, moved = polish(net, Ms, steps=polish_steps)
    else:
        Ms, moved = [np.array(M, dtype=np.float64) for M in net.unpack(net.pack(Ms))], 0.0
    v, G = net.value_and_gradient(Ms)
    gn = float(np.linalg.norm(net.pack(G)))
    H = net.hessian(Ms)
    ev = np.linalg.eigvalsh(H)
    scale = max(1.0, float(np.abs(ev).max()))
    ztol = zero_rtol * scale
    Q = symmetry_tangent(net, Ms)
    Qp = np.linalg.svd(Q, full_matrices=True)[0][:, Q.shape[1]:] if Q.shape[1] else np.eye(H.shape[0])
    resid = float(np.linalg.norm(H @ Q, 2)) if Q.shape[1] else 0.0
    margin = float(np.linalg.eigvalsh(Qp.T @ H @ Qp)[0]) if Qp.shape[1] else np.inf
    rng = np.random.default_rng(0) if rng is None else rng
    theta = net.pack(Ms)
    near = [symmetry_tangent(net, net.unpack(theta + 1e-4 * max(1.0, np.abs(theta).max())
                                             * rng.standard_normal(theta.size))).shape[1]
            for _ in range(3)]
    regular = all(d == Q.shape[1] for d in near)
    kink = np.nan
    if isinstance(net.loss, Huber):
        R = net.product(Ms) @ net.loss.X - net.loss.Y
        kink = float(np.min(np.abs(np.abs(R) - net.loss.delta)) / net.loss.delta)
    failed = tuple(name for name, ok in (
        ("gradient", gn < gtol), ("tangent", resid <= ztol), ("margin", margin > margin_rtol * scale),
        ("regular", regular), ("kink", not kink <= kink_rtol)) if not ok)
    group = group_tangent(net, Ms)
    group_dim = _rank(group, 1e-8)
    w, V = np.linalg.eigh(H)
    Z = V[:, np.abs(w) <= ztol]                       # the zero eigenspace (its span only)
    sine = np.inf
    if Z.shape[1] == group_dim:
        Gq = np.linalg.svd(group.T, full_matrices=False)[0][:, :group_dim] if group_dim else Z[:, :0]
        sine = float(np.linalg.norm(Z - Gq @ (Gq.T @ Z), 2)) if group_dim else 0.0
    return MinimumCertificate(Ms, float(v), gn, moved, ev, ztol, int(np.sum(ev < -ztol)),
                              int(np.sum(np.abs(ev) <= ztol)), int(Q.shape[1]), group_dim, resid,
                              margin, regular, kink, failed, sine)
