"""Canonical choices where the mathematics leaves one free: signs and bases of tied blocks.

A singular value decomposition fixes each singular vector only up to its sign, and a block
of equal singular values only up to a rotation inside the block (the null space likewise).
LAPACK picks one of them, and which one depends on roundoff: another CPU, another BLAS
kernel or another library version picks another. Every point and direction the book builds
from a decomposition therefore goes through this module, which picks one representative by
a rule that depends only on the subspaces, never on the basis LAPACK returned:

* **Blocks.** Singular values (eigenvalues) whose distance is at most ``rtol`` times the
  largest one form one block; the book's tied spectra are exact, so roundoff splits them by
  about 1e-15, far below the default ``rtol = 1e-9``.
* **Basis of a block** (:func:`basis`): greedy pivoting on the coordinate axes. The first
  vector is the projection of the coordinate axis ``e_i`` whose projection onto the block
  is longest, normalised; the next is chosen the same way in what is left of the block,
  and so on. Lengths within a relative ``1e-8`` of the longest count as equal and then the
  smallest index wins, so exact structural ties (a diagonal matrix) are broken the same way
  on every machine. The vector built from ``e_i`` has a positive ``i``-th entry, which also
  fixes the sign: **the largest entry (in absolute value) of every basis vector is
  positive**, the first such entry when several are equal.
* **Singular vectors** (:func:`svd`): the rule is applied to the left singular vectors of
  each block, and the right ones follow from ``V = M^T U / s`` (the same rotation), except
  in the block of zero singular values, where both sides are made canonical separately.
* **Eigenvectors** (:func:`eigh`): the rule is applied to each block of eigenvectors.

So two machines that agree on the subspaces (they always do, up to roundoff, for blocks
separated by more than roundoff) return the same vectors up to roundoff.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_bool, as_matrix, as_nonnegative_float, check_array, check_dense

__all__ = ["basis", "blocks", "eigh", "orthonormal", "svd"]

#: Two coordinate projections whose lengths differ by less than this (relative) are tied.
PIVOT_RTOL = 1e-8


def basis(B: np.ndarray) -> np.ndarray:
    """The canonical orthonormal basis of the column space of ``B`` (orthonormal columns).

    Refuses ``B`` that is not a 2-D array of finite real numbers, or that is rank deficient.

    Parameters
    ----------
    B : ndarray (d, k)
        Any orthonormal basis of the subspace (``B^T B = I``).

    Returns
    -------
    ndarray (d, k)
        The basis picked by greedy pivoting on the coordinate axes (module docstring); it
        depends only on the subspace.

    Examples
    --------
    >>> import numpy as np
    >>> c, s = np.cos(0.3), np.sin(0.3)
    >>> B = np.array([[0.0, 0.0], [c, -s], [s, c]])       # some basis of span(e1, e2)
    >>> basis(B).round(12) + 0.0
    array([[0., 0.],
           [1., 0.],
           [0., 1.]])
    """
    check_array("B", B, allow_empty=True)
    B = np.asarray(B, dtype=np.float64)
    if B.ndim != 2:
        raise ValueError(f"B must be a 2-D array of orthonormal columns; got shape {B.shape}")
    d, k = B.shape
    R = B.copy()
    out = np.empty((d, k))
    for j in range(k):
        lengths = np.linalg.norm(R, axis=1)          # |projection of e_i on what is left|
        top = lengths.max()
        if top == 0.0:
            raise ValueError("B must have orthonormal columns; it is rank deficient")
        i = int(np.flatnonzero(lengths >= (1.0 - PIVOT_RTOL) * top)[0])
        c = R[i] / lengths[i]                        # coefficients of the new vector
        w = B @ (B.T @ (R @ c))                      # re-projected: stays in the subspace
        out[:, j] = w / np.linalg.norm(w)
        R = R - np.outer(R @ c, c)                   # deflate that direction
    # one re-orthonormalisation pass keeps roundoff at the level of the input
    Qf, Rf = np.linalg.qr(out)
    return Qf * np.sign(np.diag(Rf))


def blocks(values: np.ndarray, rtol: float = 1e-9) -> list[np.ndarray]:
    """Indices of ``values`` (sorted) grouped into blocks of ties.

    Neighbours closer than ``rtol * max|values|`` (and values below that size, the zero
    block) are one block. Refuses ``values`` that are not a 1-D array of finite real numbers
    and an ``rtol`` that is negative or not finite.
    """
    check_array("values", values, ndim=1, allow_empty=True)
    rtol = as_nonnegative_float("rtol", rtol)
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return []
    scale = float(np.max(np.abs(values)))
    tol = rtol * scale if scale > 0 else 0.0
    out, start = [], 0
    for i in range(1, values.size):
        if abs(values[i] - values[i - 1]) > tol:
            out.append(np.arange(start, i))
            start = i
    out.append(np.arange(start, values.size))
    return out


def svd(M, full_matrices: bool = False, rtol: float = 1e-9):
    """``U, s, Vt`` of ``M`` with canonical signs and bases of tied blocks.

    Same convention as ``numpy.linalg.svd`` (``M = U diag(s) Vt``, ``s`` descending);
    with ``full_matrices`` the columns of ``U`` and rows of ``Vt`` past ``min(M.shape)``
    (the complements) are canonical too. Vectors of zero singular values are the first
    vectors of the canonical basis of the whole null space (of ``M^T`` for ``U``, of ``M``
    for ``V``), so the thin factors are canonical as well.

    Refuses ``M`` that is not a non-empty 2-D array of finite real numbers, a
    ``full_matrices`` that is not a bool, a negative or non-finite ``rtol``, and (before
    computing them) full factors above the dense-size limit
    (``landscape._checks.check_dense``).

    Examples
    --------
    >>> import numpy as np
    >>> U, s, Vt = svd(np.diag([3.0, 2.0, 2.0]))
    >>> s
    array([3., 2., 2.])
    >>> U.round(12) + 0.0
    array([[1., 0., 0.],
           [0., 1., 0.],
           [0., 0., 1.]])
    """
    M = as_matrix("M", M)
    full_matrices, rtol = as_bool("full_matrices", full_matrices), as_nonnegative_float("rtol", rtol)
    check_dense("M", max(M.shape), what="full factor of its SVD")
    # the full factors: the canonical basis of a null space needs all of it
    U, s, Vt = np.linalg.svd(M, full_matrices=True)
    V = Vt.T.copy()
    U = U.copy()
    k = s.size
    scale = float(s[0]) if k else 0.0
    zero = s <= rtol * scale if scale > 0 else np.ones(k, bool)
    for J in blocks(s, rtol):
        if zero[J].all():
            continue                                     # handled with the null spaces
        G = U[:, J].T @ basis(U[:, J])                   # the rotation to the canonical basis
        U[:, J] = U[:, J] @ G
        V[:, J] = V[:, J] @ G
    # zero singular values and complements: both sides canonical on their own
    nz = int(np.count_nonzero(~zero))
    if U.shape[1] > nz:
        U[:, nz:] = basis(U[:, nz:])
    if V.shape[1] > nz:
        V[:, nz:] = basis(V[:, nz:])
    if not full_matrices:
        U, V = U[:, :k], V[:, :k]
    return U, s, V.T


def eigh(S, rtol: float = 1e-9):
    """``w, V`` of the symmetric matrix ``S`` (ascending), with canonical eigenvectors.

    Refuses ``S`` that is not a non-empty square 2-D array of finite real numbers and a
    negative or non-finite ``rtol``.

    Examples
    --------
    >>> import numpy as np
    >>> w, V = eigh(np.diag([1.0, 1.0, 5.0]))
    >>> V.round(12) + 0.0
    array([[1., 0., 0.],
           [0., 1., 0.],
           [0., 0., 1.]])
    """
    S = as_matrix("S", S)
    rtol = as_nonnegative_float("rtol", rtol)
    if S.shape[0] != S.shape[1]:
        raise ValueError(f"S must be square; got shape {S.shape}")
    w, V = np.linalg.eigh(0.5 * (S + S.T))
    V = V.copy()
    for J in blocks(w, rtol):
        V[:, J] = basis(V[:, J])
    return w, V


def orthonormal(A) -> np.ndarray:
    """The Q factor of the QR decomposition of ``A`` with a positive diagonal of R.

    Householder QR fixes each column of Q only up to its sign; this picks the one with
    ``diag(R) > 0`` (so a Gaussian ``A`` gives a Haar-distributed Q).

    Refuses ``A`` that is not a non-empty 2-D array of finite real numbers.

    Examples
    --------
    >>> import numpy as np
    >>> orthonormal(np.array([[-2.0, 0.0], [0.0, 3.0]])) + 0.0
    array([[-1.,  0.],
           [ 0.,  1.]])
    """
    A = as_matrix("A", A)
    Q, R = np.linalg.qr(A)
    return Q * np.where(np.diag(R) < 0, -1.0, 1.0)
