"""The book's plot style and figure helpers (kept apart from the mathematics).

Nothing happens on import. A chapter calls :func:`use_style` once (or wraps a figure in
``with style():``), and the helpers below draw the recurring pictures: contour maps of
2-D landscapes with their critical points, median-and-band convergence curves, where the
runs of a multi-start search end (:func:`end_values`) and the sorted Hessian spectrum at a
certified minimum, with its zero block and its positive part (:func:`hessian_spectrum`).

For example, a contour map of a 2-D landscape in the book's style:

>>> import matplotlib.pyplot as plt
>>> from landscape.models.toy2d import STRICT_SADDLE
>>> with style():
...     fig, ax = plt.subplots()
...     _ = contour_landscape(ax, STRICT_SADDLE.value, (-1.5, 1.5), (-1.5, 1.5), n=41)
>>> len(fig.axes)
1
>>> close_all()
"""

from __future__ import annotations

from contextlib import contextmanager

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from .._checks import as_callable, as_choice, as_int, as_mapping, as_positive_int, as_real, check_array

__all__ = ["COLORS", "RC", "band", "contour_landscape", "dot_rows", "end_values", "group_values", "hessian_spectrum",
           "mark_points", "style", "use_style"]

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


def group_values(values, rtol: float = 1e-6) -> list:
    """The distinct values of ``values`` and how often each occurs: ``[(value, count), ...]``.

    Values within ``rtol`` (relative to the larger magnitude, at least 1) of the previous one in
    sorted order join its group, whose value is the group's smallest. Converged end values of
    runs that stop at the same point agree to far better than ``rtol``; values of different
    points differ by far more. Refuses ``values`` that are not a non-empty 1-D array of finite
    numbers and a negative or non-finite ``rtol``."""
    v = np.sort(check_array("values", values, ndim=1))
    rtol = as_real("rtol", rtol)
    if rtol < 0:
        raise ValueError(f"rtol must be >= 0; got {rtol!r}")
    groups = [[v[0], 1]]
    for x in v[1:]:
        if x - groups[-1][0] <= rtol * max(1.0, abs(x), abs(groups[-1][0])):
            groups[-1][1] += 1
        else:
            groups.append([x, 1])
    return [(float(x), int(c)) for x, c in groups]


def end_values(ax, runs, rtol: float = 1e-6, digits: int = 4, colors=None):
    """Where the runs of a multi-start search end: a bar per distinct end value and network.

    ``runs`` maps a label (one network, or one instance) to the end values of its runs. The
    end values of all labels are grouped (:func:`group_values`, tolerance ``rtol``); each
    group is one position on the x axis, labelled with its value to ``digits`` decimals, and
    each label has a bar there whose height is the number of its runs that end in the group,
    written above the bar. Returns ``{label: [count per group]}`` and the list of group values.

    Refuses ``runs`` that is not a non-empty mapping of non-empty 1-D arrays of finite numbers,
    a negative ``rtol``, ``digits`` not an integer >= 0, and ``colors`` that is not None or a
    sequence with one colour per label."""
    runs = as_mapping("runs", runs)
    if not runs:
        raise ValueError("runs must map at least one label to its end values; got an empty mapping")
    values = {label: check_array(f"runs[{label!r}]", v, ndim=1) for label, v in runs.items()}
    digits = as_int("digits", digits, 0)
    if colors is None:
        colors = [COLORS[k] for k in ("f", "g", "minimum", "saddle", "maximum", "bound")]
    elif isinstance(colors, (str, bytes)) or not hasattr(colors, "__len__") or len(colors) < len(values):
        raise ValueError(f"colors must be a sequence of at least {len(values)} colours; got {colors!r}")
    centres = [x for x, _ in group_values(np.concatenate(list(values.values())), rtol)]
    counts = {}
    width = 0.8 / len(values)
    for i, ((label, v), color) in enumerate(zip(values.items(), colors)):
        near = [int(np.argmin(np.abs(np.asarray(centres) - x))) for x in v]
        counts[label] = [near.count(g) for g in range(len(centres))]
        xs = np.arange(len(centres)) + (i - (len(values) - 1) / 2) * width
        bars = ax.bar(xs, counts[label], width=0.92 * width, color=color, label=label)
        ax.bar_label(bars, labels=[str(c) if c else "" for c in counts[label]], padding=2)
    ax.set_xticks(np.arange(len(centres)), [f"{x:.{digits}f}" for x in centres])
    ax.set_xlim(-0.6, len(centres) - 0.4)
    ax.set_ylim(0, 1.18 * max(max(c) for c in counts.values()))
    ax.set(xlabel="end value of the run", ylabel="runs")
    ax.grid(False, axis="x")
    return counts, centres


def dot_rows(ax, rows, color=None):
    """One row of dots per label: ``rows`` maps a label to ``(x, filled)``, the positions of its
    dots and whether each is drawn filled (True) or hollow (False). The first label is the top
    row; each row's label is on the y axis. Returns the y position of each label.

    Refuses ``rows`` that is not a non-empty mapping of pairs of 1-D arrays of equal length
    (finite numbers; booleans); an empty row is drawn as an empty line."""
    rows = as_mapping("rows", rows)
    if not rows:
        raise ValueError("rows must map at least one label to (x, filled); got an empty mapping")
    color = COLORS["saddle"] if color is None else color
    ys = {}
    for i, (label, pair) in enumerate(rows.items()):
        if isinstance(pair, (str, bytes)) or not hasattr(pair, "__len__") or len(pair) != 2:
            raise TypeError(f"rows[{label!r}] must be a pair (x, filled); got {pair!r}")
        empty = hasattr(pair[0], "__len__") and len(pair[0]) == 0
        x = np.zeros(0) if empty else check_array(f"rows[{label!r}] x", pair[0], ndim=1)
        filled = np.asarray(pair[1]).reshape(-1) if np.size(pair[1]) else np.zeros(0, dtype=bool)
        if filled.dtype != bool:
            raise TypeError(f"rows[{label!r}] filled must be booleans; got dtype {filled.dtype}")
        if filled.shape != x.shape:
            raise ValueError(f"rows[{label!r}]: x and filled must have the same length;"
                             f" got {x.size} and {filled.size}")
        y = len(rows) - 1 - i
        ys[label] = y
        ax.scatter(x[filled], np.full(filled.sum(), y), s=22, color=color, zorder=3)
        ax.scatter(x[~filled], np.full((~filled).sum(), y), s=22, facecolor="none",
                   edgecolor=color, zorder=3)
    ax.set_yticks(list(ys.values()), list(ys))
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.grid(False, axis="y")
    return ys


def hessian_spectrum(ax, eigenvalues, zero_tol, color=None, label=None):
    """The sorted Hessian eigenvalues at a point, zeros apart: a dot per eigenvalue.

    Eigenvalues with ``|lambda| <= zero_tol`` are drawn at exactly 0 (their computed values are
    roundoff), on a shaded block labelled with their number; the others at their value, on a
    symmetric-log axis that is linear below the power of ten under half the smallest nonzero
    ``|lambda|``; a
    dashed line marks the smallest positive eigenvalue. Returns the counts
    ``(n_negative, n_zero, n_positive)``.

    Refuses ``eigenvalues`` that are not a non-empty 1-D array of finite numbers and a
    ``zero_tol`` that is negative or not finite."""
    ev = np.sort(check_array("eigenvalues", eigenvalues, ndim=1))
    zero_tol = as_real("zero_tol", zero_tol)
    if zero_tol < 0:
        raise ValueError(f"zero_tol must be >= 0; got {zero_tol!r}")
    color = COLORS["minimum"] if color is None else color
    zero = np.abs(ev) <= zero_tol
    n_neg, n_zero = int(np.sum(ev < -zero_tol)), int(zero.sum())
    n_pos = ev.size - n_neg - n_zero
    shown = np.where(zero, 0.0, ev)
    idx = np.arange(1, ev.size + 1)
    ax.plot(idx[~zero], shown[~zero], "o", ms=3.5, color=color, label=label)
    ax.plot(idx[zero], shown[zero], "o", ms=3.5, color=COLORS["grey"])
    nonzero = np.abs(ev[~zero])
    lin = 0.5 * nonzero.min() if nonzero.size else 1.0
    ax.set_yscale("symlog", linthresh=float(10 ** np.floor(np.log10(lin))), linscale=0.6)
    if n_zero:
        first = n_neg + 1
        ax.axvspan(first - 0.5, first + n_zero - 0.5, color=COLORS["grey"], alpha=0.15, lw=0)
        ax.annotate(f"{n_zero} zero", (first - 0.5 + n_zero / 2, 0), xytext=(0, 6),
                    textcoords="offset points", ha="center", va="bottom", color="0.25")
    if n_pos:
        low = float(ev[n_neg + n_zero])
        ax.axhline(low, color=color, lw=0.8, ls="--")
        ax.annotate(f"{n_pos} positive", (ev.size + 0.5, low), xytext=(0, -4), textcoords="offset points",
                    ha="right", va="top", color=color)
    ax.set_xlim(0.5, ev.size + 0.5)
    ax.set(xlabel="eigenvalue, in increasing order", ylabel="Hessian eigenvalue")
    return n_neg, n_zero, n_pos


def close_all() -> None:
    """Close every open figure (keeps memory flat when many figures are pre-rendered)."""
    plt.close("all")
