"""Formatting numbers so that stored notebook outputs are stable across machines.

Quantities that are zero in exact arithmetic (a gradient at a critical point, the imbalance
of a balanced point) come out of floating point as roundoff, whose digits depend on the CPU
and the BLAS. Printed as they are, they would make nbval's comparison of stored outputs
fail on another machine. :func:`small` prints them as a bound instead.
"""

from __future__ import annotations

from ._checks import as_int, as_nonnegative_float, as_real

__all__ = ["small"]


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
