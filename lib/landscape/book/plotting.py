"""The book's plot style and figure helpers (kept apart from the mathematics).

Nothing happens on import. A chapter calls :func:`use_style` once (or wraps a figure in
``with style():``), and the helpers below draw the recurring pictures: contour maps of
2-D landscapes with their critical points, and median-and-band convergence curves.
"""

from __future__ import annotations

from contextlib import contextmanager

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from .._checks import as_callable, as_choice, as_positive_int, as_real, check_array

__all__ = ['COLORS', 'RC', 'band', 'contour_landscape', 'mark_points', 'style', 'use_style']


#: Named colours used across the book (colour-blind safe, Okabe-Ito).
COLORS = {
    "f": "#0072B2",        # the unregularized objective f
    "g": "#D55E00",        # the regularized objective g
    "minimum": "#009E73",
    "saddle": "#CC79A7",
    "maximum": "#E69F00",
    "path": "#000000",
    "bound": "#56B4E9",
    "grey": "#7f7f7f",
}


#: Matplotlib settings of the book (small figures, PNG at 110 dpi, readable fonts).
RC = {
    "figure.figsize": (6.4, 3.6),
    "figure.dpi": 110,
    "savefig.dpi": 110,
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.25,
    "lines.linewidth": 1.6,
    "image.cmap": "viridis",
    "axes.prop_cycle": mpl.cycler(color=[COLORS[k] for k in ("f", "g", "minimum", "saddle", "maximum", "bound")]),
}


def use_style() -> None:
    """Apply :data:`RC` to matplotlib's global settings (call once at the top of a chapter)."""
    mpl.rcParams.update(RC)


@contextmanager
def style():
    """Context manager form of :func:`use_style` that restores the previous settings."""
    with mpl.rc_context(RC):
        yield


def contour_landscape(ax, value, xlim, ylim, levels=30, n=241, clip=None, filled=True):
    """Contour map of ``value(points)`` over a box, where ``points`` has shape ``(n, n, 2)``.

    ``clip`` = (lo, hi) clips the values before contouring (useful for functions that
    are unbounded below). Returns the grid ``(x, y, z)``.

    Refuses a ``value`` that is not callable, limits that are not pairs ``lo < hi`` of finite
    numbers, an ``n`` that is not an integer >= 2 and ``levels`` that are not an integer >= 1
    or a sequence of levels.
    """
    as_callable("value", value)
    xlim, ylim = _pair("xlim", xlim), _pair("ylim", ylim)
    if clip is not None:
        clip = _pair("clip", clip)
    n = as_positive_int("n", n)
    if n < 2:
        raise ValueError(f"n must be >= 2 (points per axis); got {n}")
    if isinstance(levels, (str, bytes)) or not (hasattr(levels, "__len__") or isinstance(levels, (int, np.integer))):
        raise TypeError(f"levels must be an integer >= 1 or a sequence of levels; got {levels!r}")
    if not hasattr(levels, "__len__"):
        as_positive_int("levels", levels)
    x = np.linspace(*xlim, n)
    y = np.linspace(*ylim, n)
    pts = np.stack(np.meshgrid(x, y), axis=-1)
    z = np.asarray(value(pts), dtype=float)
    if clip is not None:
        z = np.clip(z, *clip)
    if filled:
        ax.contourf(x, y, z, levels=levels, cmap="viridis", alpha=0.9)
    ax.contour(x, y, z, levels=levels, colors="k", linewidths=0.3, alpha=0.5)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.grid(False)
    return x, y, z


def _pair(name, value):
    """A pair ``(lo, hi)`` of finite numbers with ``lo < hi``."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__"):
        raise TypeError(f"{name} must be a pair (lo, hi) of numbers; got {value!r}")
    if len(value) != 2:
        raise ValueError(f"{name} must be a pair (lo, hi) of numbers; got {value!r}")
    lo, hi = as_real(f"{name}[0]", value[0]), as_real(f"{name}[1]", value[1])
    if not lo < hi:
        raise ValueError(f"{name} must have lo < hi; got {value!r}")
    return lo, hi


def mark_points(ax, points, kind, label=None, **kw):
    """Mark critical points of one kind ('minimum', 'saddle' or 'maximum').

    Refuses an unknown ``kind`` and ``points`` that are not finite real ``(x, y)`` pairs."""
    markers = {"minimum": "o", "saddle": "X", "maximum": "^"}
    as_choice("kind", kind, tuple(markers))
    pts = check_array("points", np.atleast_2d(np.asarray(points)) if np.ndim(points) == 1 else points)
    if pts.shape[1] != 2:
        raise ValueError(f"points must be (x, y) pairs, shape (k, 2); got {pts.shape}")
    pts = np.atleast_2d(np.asarray(points, dtype=float))
    ax.scatter(pts[:, 0], pts[:, 1], marker=markers[kind], s=60, color=COLORS[kind],
               edgecolor="white", linewidth=0.8, zorder=5, label=label, **kw)


def band(ax, x, runs, color, label, quantiles=(0.1, 0.9)):
    """Median curve of ``runs`` (shape ``(n_runs, len(x))``) with a quantile band.

    Refuses an ``x`` that is not a 1-D array of finite numbers, ``runs`` that are not a 2-D
    array of real numbers (NaN and ``inf`` allowed: diverged runs) with ``len(x)`` columns,
    and ``quantiles`` that are not a pair of probabilities."""
    xs = check_array("x", x, ndim=1)
    r = check_array("runs", runs, allow_inf=True, allow_nan=True)
    if r.shape[1] != xs.size:
        raise ValueError(f"runs must have len(x) = {xs.size} columns; got shape {r.shape}")
    if isinstance(quantiles, (str, bytes)) or not hasattr(quantiles, "__len__"):
        raise TypeError(f"quantiles must be a pair of probabilities; got {quantiles!r}")
    if len(quantiles) != 2 or not all(0 <= as_real("quantiles", q) <= 1 for q in quantiles):
        raise ValueError(f"quantiles must be a pair of probabilities in [0, 1]; got {quantiles!r}")
    runs = np.asarray(runs, dtype=float)
    lo, hi = np.quantile(runs, quantiles, axis=0)
    ax.fill_between(x, lo, hi, color=color, alpha=0.2, linewidth=0)
    ax.plot(x, np.median(runs, axis=0), color=color, label=label)


def close_all() -> None:
    """Close every open figure (keeps memory flat when many figures are pre-rendered)."""
    plt.close("all")
