"""Formatting numbers so that stored notebook outputs are stable across machines.

Quantities that are zero in exact arithmetic (a gradient at a critical point, the imbalance
of a balanced point) come out of floating point as roundoff, whose digits depend on the CPU
and the BLAS. Printed as they are, they would make nbval's comparison of stored outputs
fail on another machine. :func:`small` prints them as a bound instead.

Quantities that depend on a choice the mathematics leaves free (the basis of a block of tied
singular values) are shown over several choices: :func:`value_or_range` prints one number
when they agree and the range when they do not.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_int, as_nonnegative_float, as_real, check_array

__all__ = ['small', 'value_or_range']


def small(x: float, floor: float = 1e-12, digits: int = 1) -> str:
    """``x`` in scientific notation, or ``"< floor"`` when ``|x| < floor``.

    >>> small(3.2e-15), small(4.56e-3), small(-0.0)
    ('< 1e-12', '4.6e-03', '< 1e-12')

    Refuses an ``x`` that is not a real number (NaN and ``inf`` are printed as they are), a
    ``floor`` that is negative or not finite and ``digits`` that are not an integer >= 0.
    """
    x = as_real("x", x, allow_inf=True, allow_nan=True)
    floor, digits = as_nonnegative_float("floor", floor), as_int("digits", digits, 0)
    x = float(x)
    if abs(x) < floor:
        return f"< {floor:.0e}"
    return f"{x:.{digits}e}"


def value_or_range(values, fmt: str = ".4f", sep: str = " to ", rtol: float = 1e-9) -> str:
    """One number if ``values`` agree to ``rtol`` (relative to ``max(1, max |v|)``), else the range.

    The agreement is decided on the unrounded values, so roundoff never prints a range.

    >>> value_or_range([-2.0, -2.0 + 1e-14]), value_or_range([3.1, 2.95], ".2f", "-")
    ('-2.0000', '2.95-3.10')
    >>> value_or_range([1e-15, -2e-15])
    '0.0000'

    Refuses ``values`` that are empty, not real or not finite, a ``fmt`` that is not a format
    of a float, a ``sep`` that is not a string and a negative or non-finite ``rtol``.
    """
    v = check_array("values", values, ndim=0, allow_batch=True).ravel()
    if not isinstance(fmt, str):
        raise TypeError(f"fmt must be a format string such as '.4f'; got {type(fmt).__name__}")
    try:
        format(0.0, fmt)
    except ValueError as exc:
        raise ValueError(f"fmt must be a format of a float such as '.4f'; got {fmt!r} ({exc})") from None
    if not isinstance(sep, str):
        raise TypeError(f"sep must be a string; got {type(sep).__name__}")
    rtol = as_nonnegative_float("rtol", rtol)
    if np.ptp(v) <= rtol * max(1.0, float(np.abs(v).max())):
        digits = int(fmt.strip(".").rstrip("fe") or 0) if fmt.endswith("f") else None
        x = float(np.round(v[0], digits)) + 0.0 if digits is not None else float(v[0])
        return f"{x:{fmt}}"
    return f"{v.min():{fmt}}{sep}{v.max():{fmt}}"
