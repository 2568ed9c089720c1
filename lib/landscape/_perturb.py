"""Emulate another machine on this one: the perturbed mode of the reproducibility check.

Another CPU (another BLAS kernel, other SIMD paths) changes the roundoff of every
operation. That moves where a chaotic optimizer run ends, which basis LAPACK returns inside
a block of tied singular values and which way a singular vector points. A book whose
printed numbers depend on any of these passes on the machine that executed it and fails on
the reader's.

Setting the environment variable ``LANDSCAPE_PERTURB`` to a non-negative integer (the seed
of the perturbation) before ``landscape`` is imported switches on three perturbations, all
installed here and nowhere else:

1. every array that enters the library through :func:`landscape._checks.as_matrix` (data
   matrices, starting points, points to evaluate) is multiplied entry by entry by
   ``1 + k eps`` with ``k`` a random integer in ``[-4, 4]``: a few ulps, which also breaks
   exact ties (``diag(3, 2, 2)``) at roundoff level;
2. every draw of a generator made by :func:`numpy.random.default_rng` (``standard_normal``,
   ``normal``, ``uniform``, ``random``) is perturbed the same way, so optimizer starts and
   random data move by a few ulps;
3. :func:`numpy.linalg.svd`, :func:`numpy.linalg.eigh` and :func:`numpy.linalg.qr` return
   another valid answer: each singular or eigen vector (each column of Q) with a random
   sign, and each block of values tied within ``1e-12`` (relative), including the
   complements of ``full_matrices``, rotated by a random orthogonal matrix. This is what a
   different LAPACK may legitimately return; code that goes through
   :mod:`landscape.canonical` is unaffected.

Unset (the default), importing :mod:`landscape` changes nothing. ``make test`` runs nbval
once plainly and once with ``LANDSCAPE_PERTURB=1`` against the same committed outputs.
"""

from __future__ import annotations

import os

import numpy as np

__all__ = ["ENV", "active", "install", "ulps"]

ENV = "LANDSCAPE_PERTURB"
_state: dict = {"rng": None}


def active() -> bool:
    """Whether the perturbed mode is on in this process."""
    return _state["rng"] is not None


def ulps(arr: np.ndarray) -> np.ndarray:
    """``arr`` times ``1 + k eps`` entry by entry (``k`` in -4..4) when active, else ``arr``."""
    rng = _state["rng"]
    if rng is None or arr.size == 0:
        return arr
    k = rng.integers(-4, 5, size=arr.shape)
    return arr * (1.0 + k * np.finfo(np.float64).eps)


def _random_orthogonal(k: int) -> np.ndarray:
    A = _state["rng"].standard_normal((k, k))
    Q, R = _orig["qr"](A)
    return Q * np.sign(np.diag(R))


def _scramble(vectors: np.ndarray, values: np.ndarray | None, n_free_tail: int = 0):
    """Random signs, and random rotations inside tied blocks, of the columns of ``vectors``."""
    vectors = vectors.copy()
    n = vectors.shape[-1]
    vectors *= _state["rng"].choice([-1.0, 1.0], size=n)
    if values is not None and values.size > 1:
        scale = float(np.max(np.abs(values)))
        start = 0
        for i in range(1, values.size + 1):
            if i == values.size or abs(values[i] - values[i - 1]) > 1e-12 * scale:
                if i - start > 1:
                    vectors[..., start:i] = vectors[..., start:i] @ _random_orthogonal(i - start)
                start = i
    if n_free_tail > 1:
        vectors[..., n - n_free_tail:] = vectors[..., n - n_free_tail:] @ _random_orthogonal(n_free_tail)
    return vectors


_orig: dict = {}


def _svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    out = _orig["svd"](a, full_matrices=full_matrices, compute_uv=compute_uv, hermitian=hermitian)
    if not compute_uv or np.ndim(a) != 2 or np.iscomplexobj(a):
        return out
    U, s, Vt = out
    k = s.size
    # one rotation per block acts on both sides (that keeps U diag(s) Vt unchanged)
    W = np.eye(k)
    W = _scramble(W, s)
    U = U.copy()
    V = Vt.T.copy()
    U[:, :k] = U[:, :k] @ W
    V[:, :k] = V[:, :k] @ W
    if U.shape[1] > k:
        U[:, k:] = _scramble(U[:, k:], None, U.shape[1] - k)
    if V.shape[1] > k:
        V[:, k:] = _scramble(V[:, k:], None, V.shape[1] - k)
    return type(out)(U, s, V.T)


def _eigh(a, UPLO="L"):
    out = _orig["eigh"](a, UPLO=UPLO)
    if np.ndim(a) != 2 or np.iscomplexobj(a):
        return out
    w, V = out
    return type(out)(w, _scramble(V, w))


def _qr(a, mode="reduced"):
    out = _orig["qr"](a, mode=mode)
    if mode not in ("reduced", "complete") or np.ndim(a) != 2 or np.iscomplexobj(a):
        return out
    Q, R = out
    signs = _state["rng"].choice([-1.0, 1.0], size=R.shape[0])
    Q = Q.copy()
    Q[:, : R.shape[0]] *= signs
    return type(out)(Q, signs[:, None] * R)


class _PerturbedGenerator(np.random.Generator):
    """A generator whose continuous draws are perturbed by a few ulps."""

    def standard_normal(self, *args, **kwargs):
        return _draw(super().standard_normal(*args, **kwargs))

    def normal(self, *args, **kwargs):
        return _draw(super().normal(*args, **kwargs))

    def uniform(self, *args, **kwargs):
        return _draw(super().uniform(*args, **kwargs))

    def random(self, *args, **kwargs):
        return _draw(super().random(*args, **kwargs))


def _draw(x):
    if isinstance(x, np.ndarray):
        return ulps(x)
    return float(ulps(np.array(x)))


def _default_rng(seed=None):
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, np.random.BitGenerator):
        return _PerturbedGenerator(seed)
    return _PerturbedGenerator(np.random.PCG64(seed))


def install(seed: int) -> None:
    """Switch the perturbed mode on (idempotent)."""
    if active():
        return
    _state["rng"] = np.random.Generator(np.random.PCG64([int(seed), 0x5EED]))
    _orig.update(svd=np.linalg.svd, eigh=np.linalg.eigh, qr=np.linalg.qr,
                 default_rng=np.random.default_rng)
    np.linalg.svd, np.linalg.eigh, np.linalg.qr = _svd, _eigh, _qr
    np.random.default_rng = _default_rng


def install_from_environment() -> None:
    """Install when ``LANDSCAPE_PERTURB`` is set (to a non-negative integer seed)."""
    value = os.environ.get(ENV, "").strip()
    if not value:
        return
    try:
        seed = int(value)
    except ValueError:
        raise ValueError(f"{ENV} must be a non-negative integer seed; got {value!r}") from None
    if seed < 0:
        raise ValueError(f"{ENV} must be a non-negative integer seed; got {seed}")
    install(seed)
