"""Training deep and multi-tower linear networks, and telling minima from saddles.

The helpers work with any network object of :mod:`landscape.models.deep` (they use ``pack``,
``unpack``, ``value_and_gradient`` and ``hessian``):

* :func:`~landscape.optim.lbfgs.lbfgs`: L-BFGS through ``scipy.optimize.minimize`` (exact gradients), optionally
  stopped as soon as the loss reaches a target value (the optimum plus a tolerance), which
  is how the chapters count "iterations to reach the optimum";
* :func:`~landscape.optim.lbfgs.lbfgs_from_seeds`: :func:`~landscape.optim.lbfgs.lbfgs` from the random starts of a list of seeds;
* :func:`~landscape.optim.lbfgs.packed_loss`: the loss as a function of packed parameter vectors (one or a batch),
  the form :func:`~landscape.optim.curvature.perturbation_test` takes;
* :func:`~landscape.optim.descent.deep_gradient_descent`: plain gradient descent, batched over many starts;
* :func:`~landscape.optim.curvature.largest_eigenvalue` and :func:`~landscape.optim.curvature.step_from_curvature`: a step-size rule;
* :func:`~landscape.optim.curvature.perturbation_test`: the smallest change of a function over random perturbations
  of given sizes (evidence for a local minimum where the Hessian cannot decide: at
  degenerate points and for non-differentiable losses);
* :func:`~landscape.optim.curvature.hessian_report`: gradient norm and Hessian eigenvalues at a point, and
  :meth:`~landscape.optim.curvature.HessianReport.critical_psd` (critical, no negative and exactly ``n`` zero
  eigenvalues); the certificate of a local minimum is :func:`certify_minimum`;
* :func:`~landscape.optim.starts.derivative_free_search`: multi-start Nelder-Mead, for losses without a gradient;
* :func:`~landscape.optim.starts.runs_from_starts`: many L-BFGS runs against a known optimum, with the fraction
  that reaches it, the iterations, and a Hessian check of the runs that do not.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from .._checks import as_generator, as_int, as_nonnegative_float, check_dense
from ..models.losses import loss_flat_directions
from ..models.shallow import ShallowProblem, check_problem

__all__ = ['FlatDirections', 'MinimumCertificate', 'certify_minimum', 'flat_directions', 'group_tangent', 'polish', 'product_jacobian', 'symmetry_directions', 'symmetry_tangent']


def _towers_of(net):
    """``(chains, widths)``: the towers of a multi-tower network, or the one chain of a deep one."""
    if hasattr(net, "towers"):
        return net.towers, True
    return (net.widths,), False


def _check_deep_net(net, Ms):
    """``net`` a network of :mod:`landscape.models.deep`, ``Ms`` its weights (one point), and a dense
    ``n_params x n_params`` array within the size limit."""
    from ..models.deep import DeepLinearNetwork, MultiTowerNetwork

    if not isinstance(net, (DeepLinearNetwork, MultiTowerNetwork)):
        raise TypeError(f"net must be a DeepLinearNetwork or MultiTowerNetwork; got {type(net).__name__}")
    net.as_weights(Ms, batch=False, check_only=True)
    check_dense("net", net.n_params)


def product_jacobian(net, Ms) -> np.ndarray:
    """The derivative of the end-to-end map ``theta -> P``: row ``p`` is ``dP`` (flattened) along
    the ``p``-th parameter of ``net.pack``; shape ``(n_params, m n)``.

    Refuses a ``net`` that is not a network of :mod:`landscape.models.deep`, weights ``Ms`` it
    refuses, and sizes whose Jacobian would be above the dense-size limit."""
    from ..models.deep import chain_dproduct, prefixes

    _check_deep_net(net, Ms)
    chains, multi = _towers_of(net)
    Vs = net.unpack(np.eye(net.n_params))
    Ts, Vt = (net.as_weights(Ms, batch=False), Vs) if multi else ([net.as_weights(Ms, batch=False)], [Vs])
    dP = sum(chain_dproduct(T, prefixes(T), V)[-1] for T, V in zip(Ts, Vt))
    return dP.reshape(net.n_params, -1)


def group_tangent(net, Ms) -> np.ndarray:
    """Tangent vectors (rows, in the order of ``net.pack``) of the orbit of ``Ms`` under the
    symmetry group of the parametrisation: ``GL(d_i)`` at every hidden layer ``i`` of every
    tower (``M_i -> G M_i``, ``M_{i+1} -> M_{i+1} G^{-1}``, generators ``(E M_i, -M_{i+1} E)``
    for the elementary ``E``), and, where the loss has flat directions
    (:func:`~landscape.models.losses.loss_flat_directions`), the translations ``M_k -> M_k + 1 u^T`` of each tower's top layer
    (softmax shift) and ``M_1 -> M_1 + c z^T`` of its bottom layer (``X^T z = 0``).

    Refuses what :func:`product_jacobian` refuses."""
    from ..models.losses import SoftmaxCrossEntropy

    _check_deep_net(net, Ms)
    chains, multi = _towers_of(net)
    Ts = net.as_weights(Ms, batch=False) if multi else [net.as_weights(Ms, batch=False)]
    m, n = net.loss.shape
    flat = loss_flat_directions(net.loss)
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
    :func:`~landscape.models.losses.loss_flat_directions` (the kernel of the product map's derivative, plus the flat shifts).
    It contains the tangent of the group orbit (:func:`group_tangent`); for a two-layer network
    with full-rank factors the two are equal (``GL(b)``, plus the shifts).

    Refuses what :func:`product_jacobian` refuses, and a negative or non-finite ``rtol``."""
    _check_deep_net(net, Ms)
    rtol = as_nonnegative_float("rtol", rtol)
    J = product_jacobian(net, Ms)
    flat = loss_flat_directions(net.loss)
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
    from ..models.losses import Huber

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


def symmetry_directions(problem: ShallowProblem, W1, W2, group: str = "rotation") -> np.ndarray:
    r"""Tangent vectors at ``(W1, W2)`` of the orbit of a symmetry group, packed as rows.

    * ``"rotation"``: ``(W1, W2) -> (R W1, W2 R^T)`` with ``R`` in ``O(d1)``, which leaves f
      and rho (so g) unchanged; tangents ``(Omega W1, -W2 Omega)`` for the
      ``d1 (d1 - 1) / 2`` skew matrices ``Omega = E_ab - E_ba``.
    * ``"general"``: ``(W1, W2) -> (A W1, W2 A^-1)`` with ``A`` invertible, which leaves f
      unchanged (not rho); tangents ``(E W1, -W2 E)`` for the ``d1^2`` matrix units ``E``.

    Every tangent of a symmetry of the objective lies in the Hessian's null space at a
    critical point. Returns an array of shape ``(m, n_params)``; the rows need not be
    independent (the orbit's dimension is the rank).

    Refuses a ``problem`` of another type, weights of the wrong shapes or with NaN, infinite
    or non-real entries, an unknown ``group``, and (before allocating it) an ``(m, n_params)``
    array above the dense-size limit.
    """
    problem = check_problem(problem)
    check_dense("W1, W2", problem.n_params, columns=problem.d1 ** 2 if group == "general" else
                problem.d1 * (problem.d1 - 1) // 2, what="array of orbit tangents")
    W1, W2 = problem.as_weights(W1, W2, batch=False)
    d1 = problem.d1
    if group == "rotation":
        gens = []
        for a, b in combinations(range(d1), 2):
            E = np.zeros((d1, d1))
            E[a, b], E[b, a] = 1.0, -1.0
            gens.append(E)
    elif group == "general":
        gens = [np.eye(d1)[:, [a]] @ np.eye(d1)[[b], :] for a in range(d1) for b in range(d1)]
    else:
        raise ValueError(f"group must be 'rotation' or 'general'; got {group!r}")
    rows = [np.concatenate([(E @ W1).ravel(), (-W2 @ E).ravel()]) for E in gens]
    return np.array(rows).reshape(len(rows), problem.n_params)


@dataclass(frozen=True)
class FlatDirections:
    """The Hessian's null space at a point, next to the orbit of a symmetry group there.

    Attributes
    ----------
    zeros : int
        Number of Hessian eigenvalues whose magnitude is below ``rtol`` times the largest.
    orbit_dim : int
        Dimension of the group orbit through the point: the rank of its tangent vectors
        (:func:`symmetry_directions`).
    psd : bool
        Whether the smallest eigenvalue is above ``-rtol`` times the largest magnitude.
    leak : float
        ``max |H t|`` over the orbit tangents ``t``, relative to the largest eigenvalue
        magnitude: zero (to roundoff) when the tangents are in the null space.
    """

    zeros: int
    orbit_dim: int
    psd: bool
    leak: float


def flat_directions(problem: ShallowProblem, W1, W2, group: str = "rotation",
                    rtol: float = 1e-9) -> FlatDirections:
    """Count the zero Hessian eigenvalues of ``problem`` at ``(W1, W2)`` and the orbit dimension.

    ``group`` is passed to :func:`symmetry_directions` (``"rotation"`` for g, ``"general"``
    for f). Uses the dense Hessian (small problems): refuses, before allocating it, a
    Hessian above the dense-size limit, as well as a ``problem`` of another type, weights of
    the wrong shapes or with NaN, infinite or non-real entries, an unknown ``group`` and a
    negative or non-finite ``rtol``.
    """
    rtol = as_nonnegative_float("rtol", rtol)
    problem = check_problem(problem)
    H = problem.hessian(W1, W2)
    ev = np.linalg.eigvalsh(H)
    scale = max(float(np.abs(ev).max()), np.finfo(np.float64).tiny)
    T = symmetry_directions(problem, W1, W2, group=group)
    return FlatDirections(
        zeros=int(np.count_nonzero(np.abs(ev) < rtol * scale)),
        orbit_dim=int(np.linalg.matrix_rank(T)) if T.size else 0,
        psd=bool(ev[0] > -rtol * scale),
        leak=float(np.abs(T @ H).max() / scale) if T.size else 0.0,
    )
