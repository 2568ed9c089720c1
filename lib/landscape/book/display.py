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

__all__ = ['Table', 'small', 'value_or_range']


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


class Table:
    """A text table that formats itself: ``print(Table(header, rows, widths))``.

    Every cell is right-aligned in its column's width; a number is written with the
    column's format (``formats``, default ``""``: as ``format`` writes it), a string or
    ``None`` (written ``-``) as it is. The cells of one row are joined with no separator,
    so that the widths carry the spacing.

    >>> print(Table(["r", "count"], [[1, 2], [10, 1024]], widths=[3, 7]))
      r  count
      1      2
     10   1024
    >>> print(Table(["x", "y"], [[0.5, None]], widths=[6, 6], formats=[".2f", ".1e"]))
         x     y
      0.50     -

    Refuses a ``header`` or ``rows`` whose length differs from ``widths``', ``widths``
    that are not positive integers and ``formats`` that are not strings, one a column.
    """

    def __init__(self, header, rows, widths, formats=None):
        if not isinstance(widths, (list, tuple)) or not widths:
            raise TypeError(f"widths must be a non-empty list of integers; got {type(widths).__name__}")
        self.widths = [as_int("widths", w, 1) for w in widths]
        n = len(self.widths)
        formats = [""] * n if formats is None else formats
        if not isinstance(formats, (list, tuple)) or len(formats) != n \
                or not all(isinstance(f, str) for f in formats):
            raise ValueError(f"formats must be a list of {n} format strings (one a column); got {formats!r}")
        self.formats = list(formats)
        if not isinstance(header, (list, tuple)) or len(header) != n:
            raise ValueError(f"header must be a list of {n} column names (one a width); got {header!r}")
        self.header = [str(h) for h in header]
        self.rows = [list(r) for r in rows]
        for i, r in enumerate(self.rows):
            if len(r) != n:
                raise ValueError(f"rows must have {n} cells each (one a width); row {i} has {len(r)}")

    def _cell(self, value, width, fmt):
        if value is None:
            value = "-"
        if isinstance(value, str):
            return f"{value:>{width}}"
        return f"{value:>{width}{fmt}}"

    def __str__(self) -> str:
        lines = ["".join(f"{h:>{w}}" for h, w in zip(self.header, self.widths))]
        lines += ["".join(self._cell(v, w, f) for v, w, f in zip(r, self.widths, self.formats))
                  for r in self.rows]
        return "\n".join(lines)

    __repr__ = __str__
