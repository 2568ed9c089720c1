"""Argument checks shared by the modules of ``landscape``: the library's validation layer.

Every public entry point checks its arguments with the helpers of this module before any
arithmetic happens, so that a wrong input raises ``TypeError`` (wrong kind of object) or
``ValueError`` (right kind, wrong value) with a message that names the argument, says what
was expected and what was given:

* arrays: :func:`as_matrix` (float64, the number of dimensions, finite, non-empty; integer
  arrays are converted, booleans, complex numbers, strings and objects refused) and
  :func:`check_array` (the same checks without the perturbation of the reproducibility
  check), :func:`check_shape` (trailing axes against a model's sizes);
* scalars: :func:`as_real`, :func:`as_positive_float`, :func:`as_nonnegative_float`,
  :func:`as_int` (integers ``>= k``), :func:`as_positive_int`, :func:`as_bool`,
  :func:`as_choice`;
* randomness: :func:`as_seed`, :func:`as_seeds` (a non-empty list of seeds) and
  :func:`as_generator`;
* other arguments: :func:`as_shape` (batch shapes), :func:`as_callable`, :func:`as_path`,
  :func:`as_mapping`;
* memory: :func:`check_dense`, the size limit on dense ``n x n`` arrays (Hessians), checked
  before anything is allocated.

**The dense-size limit.** A dense Hessian of ``n`` parameters takes ``8 n^2`` bytes (7 TiB for a million parameters).
Every entry point that would allocate one (or a batch of them, or another array of that
order) first calls :func:`check_dense`, which raises ``ValueError`` when the array would be
larger than :data:`DENSE_LIMIT_BYTES` (2 GiB by default). To go above it on purpose, raise
the limit for a block of code with the context manager :func:`dense_limit`::

    from landscape._checks import dense_limit
    with dense_limit(16 * 2**30):          # allow dense arrays up to 16 GiB here
        H = problem.hessian(W1, W2)

or set ``landscape._checks.DENSE_LIMIT_BYTES`` for the whole session.
"""

from __future__ import annotations

import numbers
import os
from contextlib import contextmanager
from typing import Mapping

import numpy as np

from . import _perturb

__all__ = [
    "DENSE_LIMIT_BYTES",
    "as_bool",
    "as_callable",
    "as_choice",
    "as_generator",
    "as_int",
    "as_mapping",
    "as_matrix",
    "as_nonnegative_float",
    "as_path",
    "as_positive_float",
    "as_positive_int",
    "as_real",
    "as_seed",
    "as_seeds",
    "as_shape",
    "check_array",
    "check_dense",
    "check_shape",
    "dense_limit",
]

#: Largest dense array (in bytes) that :func:`check_dense` lets an entry point allocate.
#: Raise it with :func:`dense_limit` (for a block of code) or by assigning to it.
DENSE_LIMIT_BYTES = 2 * 2**30


def _describe_dtype(a) -> str:
    return f"dtype {a.dtype}" if hasattr(a, "dtype") else f"type {type(a).__name__}"


def _describe(value) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} of type {type(value).__name__}"


def check_array(name: str, value, ndim: int = 2, allow_batch: bool = False,
                allow_empty: bool = False, allow_inf: bool = False,
                allow_nan: bool = False) -> np.ndarray:
    """Return ``value`` as a float64 array after checking dtype, ndim, size and finiteness.

    The checks of :func:`as_matrix` without the perturbation of the reproducibility check
    (for arrays that are validated only, or that were already converted once).

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
    allow_empty : bool
        Accept arrays with no entries (refused by default).
    allow_inf, allow_nan : bool
        Accept infinite (NaN) entries (refused by default).
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
    if arr.size == 0 and not allow_empty:
        raise ValueError(f"{name} must not be empty; got shape {arr.shape}")
    arr = arr.astype(np.float64, copy=False)
    if not (allow_inf and allow_nan):
        bad = np.isnan(arr) if not allow_nan else np.zeros(arr.shape, bool)
        if not allow_inf:
            bad = bad | np.isinf(arr)
        if np.any(bad):
            what = {(False, False): "finite", (True, False): "free of NaN",
                    (False, True): "free of infinite entries"}[(allow_inf, allow_nan)]
            raise ValueError(f"{name} must be {what}; it has {int(np.count_nonzero(bad))} "
                             f"NaN or infinite entries")
    return arr


def as_matrix(name: str, value, ndim: int = 2, allow_batch: bool = False) -> np.ndarray:
    """:func:`check_array` (non-empty, finite; the same parameters), then the perturbation
    of the reproducibility check's perturbed mode (``landscape._perturb``): the array
    every public entry point computes with."""
    arr = check_array(name, value, ndim=ndim, allow_batch=allow_batch)
    return _perturb.ulps(arr)      # the identity unless the perturbed mode is on


def check_shape(name: str, arr: np.ndarray, shape: tuple[int, ...], meaning: str = "") -> None:
    """Raise ``ValueError`` unless the trailing axes of ``arr`` equal ``shape``."""
    if arr.shape[arr.ndim - len(shape):] != tuple(shape) or arr.ndim < len(shape):
        extra = f" {meaning}" if meaning else ""
        raise ValueError(f"{name} must have shape {tuple(shape)}{extra}; got {arr.shape}")


# ---------------------------------------------------------------------------- scalars
def _is_real_scalar(value) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, numbers.Real):
        return True
    return (isinstance(value, np.ndarray) and value.ndim == 0
            and (np.issubdtype(value.dtype, np.integer) or np.issubdtype(value.dtype, np.floating)))


def as_real(name: str, value, allow_inf: bool = False, allow_nan: bool = False) -> float:
    """Return ``value`` as a float: a real number (bools, strings, complex refused), not
    NaN unless ``allow_nan``, and finite unless ``allow_inf``."""
    if not _is_real_scalar(value):
        raise TypeError(f"{name} must be a real number; got {_describe(value)}")
    value = float(value)
    if (np.isnan(value) and not allow_nan) or (np.isinf(value) and not allow_inf):
        raise ValueError(f"{name} must be finite; got {value}")
    return value


def _as_float_from_zero(name: str, value, strict: bool) -> float:
    """``value`` as a finite float ``>= 0`` (``> 0`` when ``strict``); bools and non-reals refused."""
    bound = "> 0" if strict else ">= 0"
    if not _is_real_scalar(value):
        raise TypeError(f"{name} must be a real number {bound}; got {_describe(value)}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value}")
    if value < 0 or (strict and value == 0):
        raise ValueError(f"{name} must be {bound}; got {value}")
    return value


def as_nonnegative_float(name: str, value) -> float:
    """Return ``value`` as a finite float >= 0 (bools and non-reals refused)."""
    return _as_float_from_zero(name, value, strict=False)


def as_positive_float(name: str, value) -> float:
    """Return ``value`` as a finite float > 0 (bools and non-reals refused)."""
    return _as_float_from_zero(name, value, strict=True)


def as_int(name: str, value, minimum: int = 0) -> int:
    """Return ``value`` as an int ``>= minimum``. Bools, floats (even ``2.0``) and other
    non-integers are refused with ``TypeError``; NumPy integers are accepted."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}; got {_describe(value)}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value}")
    return int(value)


def as_positive_int(name: str, value) -> int:
    """Return ``value`` as an int >= 1 (bools and non-integers refused)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= 1; got {value!r} of type {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1; got {value}")
    return int(value)


def as_bool(name: str, value) -> bool:
    """Return ``value`` as a bool (``True``/``False`` or a NumPy bool; nothing else)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {_describe(value)}")
    return bool(value)


def as_choice(name: str, value, choices):
    """Return ``value`` if it is one of ``choices`` (compared with ``==``), else ``ValueError``."""
    try:
        ok = any(value == c and type(value) is type(c) for c in choices)
    except Exception:  # noqa: BLE001 - arrays and the like are not a choice
        ok = False
    if not ok:
        raise ValueError(f"{name} must be one of {tuple(choices)}; got {_describe(value)}")
    return value


# ------------------------------------------------------------------------ randomness
def as_seed(name: str, value) -> int:
    """Return ``value`` as a seed of ``numpy.random.default_rng``: an integer >= 0."""
    return as_int(name, value, 0)


def as_seeds(name: str, values) -> tuple[int, ...]:
    """Return a non-empty sequence of seeds as a tuple of ints (each an integer >= 0).

    An empty sequence is refused: a search from no start would return an empty result
    as if it had run.
    """
    if isinstance(values, (str, bytes, numbers.Number)) or not hasattr(values, "__iter__") \
            or (isinstance(values, np.ndarray) and values.ndim != 1):
        raise TypeError(f"{name} must be a sequence of integer seeds; got {_describe(values)}")
    out = tuple(as_seed(f"{name}[{i}]", v) for i, v in enumerate(values))
    if not out:
        raise ValueError(f"{name} must hold at least one seed; got an empty sequence")
    return out


def as_generator(name: str, value, optional: bool = False):
    """Return ``value`` if it is a ``numpy.random.Generator`` (or ``None`` when ``optional``)."""
    if value is None and optional:
        return None
    if not isinstance(value, np.random.Generator):
        extra = " or None" if optional else ""
        raise TypeError(f"{name} must be a numpy.random.Generator{extra} (e.g. "
                        f"np.random.default_rng(0)); got {type(value).__name__}")
    return value


# ----------------------------------------------------------------- other arguments
def as_shape(name: str, value) -> tuple[int, ...]:
    """Return a batch shape as a tuple of integers >= 0 (an int ``n`` means ``(n,)``)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)):
        value = (value,)
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{name} must be a tuple of integers (a batch shape); got {_describe(value)}")
    return tuple(as_int(f"{name}[{i}]", v, 0) for i, v in enumerate(value))


def as_callable(name: str, value):
    """Return ``value`` if it is callable."""
    if not callable(value):
        raise TypeError(f"{name} must be callable; got {_describe(value)}")
    return value


def as_mapping(name: str, value, keys=()) -> Mapping:
    """Return ``value`` if it is a mapping (a dict) holding every key of ``keys``."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict; got {_describe(value)}")
    missing = [k for k in keys if k not in value]
    if missing:
        raise ValueError(f"{name} is missing the key(s) {missing}")
    return value


def as_path(name: str, value, kind: str = "any"):
    """Return ``value`` as a ``pathlib.Path`` that exists (``kind``: ``"dir"``, ``"file"``
    or ``"any"``)."""
    from pathlib import Path

    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or os.PathLike); got {_describe(value)}")
    path = Path(value)
    ok = {"dir": path.is_dir, "file": path.is_file, "any": path.exists}[kind]()
    if not ok:
        what = {"dir": "an existing directory", "file": "an existing file", "any": "an existing path"}[kind]
        raise ValueError(f"{name} must be {what}; got {str(value)!r}")
    return path


# -------------------------------------------------------------------- dense arrays
def _bytes(n: float) -> str:
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{int(n)} bytes"


def check_dense(name: str, n: int, count: int = 1, what: str = "dense Hessian",
                columns: int | None = None) -> None:
    """Refuse, before allocating it, a dense float64 array of ``count x n x columns`` entries
    (``columns = n`` by default: ``count`` dense ``n x n`` matrices) larger than
    :data:`DENSE_LIMIT_BYTES`.

    Raises ``ValueError`` naming ``name`` (the argument that fixes the size), the size
    asked for, the limit, and how to raise it (:func:`dense_limit`).
    """
    cols = n if columns is None else columns
    need = 8.0 * float(count) * float(n) * float(cols)
    limit = DENSE_LIMIT_BYTES
    if need > limit:
        shape = f"{n} x {cols}" if count == 1 else f"{count} x {n} x {cols}"
        raise ValueError(
            f"{name}: the {what} would be a {shape} float64 array ({_bytes(need)}), above the "
            f"limit of {_bytes(limit)} (landscape._checks.DENSE_LIMIT_BYTES); use a matrix-free "
            f"method, or raise the limit on purpose with "
            f"`with landscape._checks.dense_limit(nbytes): ...`"
        )


@contextmanager
def dense_limit(nbytes):
    """Context manager: allow dense arrays up to ``nbytes`` bytes inside the block.

    >>> from landscape import _checks
    >>> with _checks.dense_limit(2**40):
    ...     _checks.DENSE_LIMIT_BYTES == 2**40
    True
    """
    global DENSE_LIMIT_BYTES
    nbytes = as_positive_int("nbytes", nbytes)
    old = DENSE_LIMIT_BYTES
    DENSE_LIMIT_BYTES = nbytes
    try:
        yield nbytes
    finally:
        DENSE_LIMIT_BYTES = old
