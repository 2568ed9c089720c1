"""Argument checks shared by the modules of :mod:`landscape`.

Every public entry point converts its array arguments with :func:`as_matrix` and its
scalars with :func:`as_positive_int` / :func:`as_nonnegative_float`, so that a wrong
input raises an error that names the argument, what was expected and what was given,
before any arithmetic happens.
"""

from __future__ import annotations

import numbers

import numpy as np

from . import _perturb

__all__ = [
    "as_index",
    "as_matrix",
    "as_positive_int",
    "as_nonnegative_float",
    "check_shape",
]


def _describe_dtype(a) -> str:
    return f"dtype {a.dtype}" if hasattr(a, "dtype") else f"type {type(a).__name__}"


def as_matrix(name: str, value, ndim: int = 2, allow_batch: bool = False) -> np.ndarray:
    """Return ``value`` as a float64 array after checking dtype, ndim and finiteness.

    Parameters
    ----------
    name : str
        The argument's name, used in error messages.
    value : array_like
        Real numbers (integer or floating dtype). Booleans, complex numbers, strings
        and objects are refused with ``TypeError``.
    ndim : int
        The required number of dimensions (the trailing ones if ``allow_batch``).
    allow_batch : bool
        Accept extra leading (batch) axes.
    """
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be a real {ndim}-D array; could not convert it ({exc})") from exc
    if arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise TypeError(
            f"{name} must hold real numbers (integer or floating dtype); got {_describe_dtype(arr)}"
        )
    if (arr.ndim != ndim and not allow_batch) or arr.ndim < ndim:
        want = f"a {ndim}-D array" if not allow_batch else f"an array with at least {ndim} dimensions"
        raise ValueError(f"{name} must be {want}; got ndim = {arr.ndim} (shape {arr.shape})")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty; got shape {arr.shape}")
    arr = arr.astype(np.float64, copy=False)
    if not np.all(np.isfinite(arr)):
        bad = int(np.count_nonzero(~np.isfinite(arr)))
        raise ValueError(f"{name} must be finite; it has {bad} NaN or infinite entries")
    return _perturb.ulps(arr)      # the identity unless the perturbed mode is on


def check_shape(name: str, arr: np.ndarray, shape: tuple[int, ...], meaning: str = "") -> None:
    """Raise ``ValueError`` unless the trailing axes of ``arr`` equal ``shape``."""
    if arr.shape[arr.ndim - len(shape):] != tuple(shape) or arr.ndim < len(shape):
        extra = f" {meaning}" if meaning else ""
        raise ValueError(f"{name} must have shape {tuple(shape)}{extra}; got {arr.shape}")


def as_positive_int(name: str, value) -> int:
    """Return ``value`` as an int >= 1 (bools and non-integers refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= 1; got {value!r} of type {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1; got {value}")
    return int(value)


def as_nonnegative_float(name: str, value) -> float:
    """Return ``value`` as a finite float >= 0 (bools and non-reals refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number >= 0; got {value!r} of type {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0; got {value}")
    return value


def as_index(name: str, value, minimum: int = 0) -> int:
    """Return ``value`` as an int ``>= minimum`` (an index, a count of steps): Python and
    NumPy integers only; bools, floats (also ``2.0``) and other types are refused with
    ``TypeError`` instead of being truncated (``int(2.5) == 2``)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {value!r} of type {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value}")
    return int(value)
