"""Figures of the experiments chapters (kept apart from the computations).

:func:`convergence_figure` draws one of paper A's Figures 1-8 from two
:class:`~landscape.studies.experiments.Curves` (f and g): panel (a) ``MSE_o``, panel (b) ``MSE_w``,
each a median curve with the band between the 10% and 90% quantiles over the seeds, on a
log scale.

For example, speed-ups against a parameter, on log axes:

>>> import matplotlib.pyplot as plt
>>> fig, ax = plt.subplots()
>>> ratio_plot(ax, [10, 20], [[1.5, 2.0, 3.0], [0.8, 1.0, 1.2]], "T_f / T_g")
>>> ax.get_xscale(), ax.get_yscale()
('log', 'log')
>>> plt.close(fig)
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .._checks import as_positive_float, check_array
from ..book.plotting import COLORS, band

__all__ = ['FLOOR', 'convergence_figure', 'convergence_panels', 'ratio_plot']


def _check_curves(name, curves):
    from ..studies.experiments import Curves

    if not isinstance(curves, Curves):
        raise TypeError(f"{name} must be a Curves (from run_gd or run_lbfgs); got {type(curves).__name__}")


def _check_axes(name, axes, n):
    if isinstance(axes, (str, bytes)) or not hasattr(axes, "__len__"):
        raise TypeError(f"{name} must be a sequence of {n} matplotlib axes; got {type(axes).__name__}")
    if len(axes) != n:
        raise ValueError(f"{name} must hold {n} matplotlib axes; got {len(axes)}")
    for a in axes:
        if not hasattr(a, "plot"):
            raise TypeError(f"{name} must hold matplotlib axes; got {type(a).__name__}")


#: Values are clipped below at this level before taking logarithms (exact zeros occur).
FLOOR = 1e-32


def convergence_panels(axes, curves_f, curves_g, xlabel: str = "iteration",
                       labels=("without regularizer (f)", "with regularizer (g)")):
    """Draw ``MSE_o`` and ``MSE_w`` of ``curves_f`` and ``curves_g`` into two axes.

    Refuses ``axes`` that are not two matplotlib axes and curves that are not
    :class:`~landscape.studies.experiments.Curves`."""
    _check_axes("axes", axes, 2)
    _check_curves("curves_f", curves_f)
    _check_curves("curves_g", curves_g)
    for curves, color, label in ((curves_f, COLORS["f"], labels[0]), (curves_g, COLORS["g"], labels[1])):
        for ax, values in zip(axes, (curves.mse_o, curves.mse_w)):
            band(ax, curves.iterations, np.clip(values.T, FLOOR, None), color, label)
    names = (r"(a) $\mathrm{MSE}_o = \|W_2W_1X - Y\|_F^2 / \|Y\|_F^2$",
             r"(b) $\mathrm{MSE}_w = \|W_2W_1 - W_2^\star W_1^\star\|_F^2 / \|W_2^\star W_1^\star\|_F^2$")
    for ax, name in zip(axes, names):
        ax.set(yscale="log", xlabel=xlabel, title=name)


def convergence_figure(curves_f, curves_g, xlabel: str = "iteration", figsize=(8.6, 3.4)):
    """A two-panel figure in the layout of paper A's Figures 1-8 (legend below the panels);
    returns the figure. Refuses curves that are not :class:`~landscape.studies.experiments.Curves`."""
    _check_curves("curves_f", curves_f)
    _check_curves("curves_g", curves_g)
    fig, axes = plt.subplots(1, 2, figsize=figsize)
    convergence_panels(axes, curves_f, curves_g, xlabel)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, frameon=False)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


def ratio_plot(ax, xs, ratios, label, color=None, marker="o", offset=1.0, bound=None,
               filled=True):
    """Median and 10%-90% range of paired speed-ups ``T_f/T_g`` against a parameter (one
    array of per-seed ratios per x), on log axes, with the line ``T_f = T_g``.

    ``bound[i]`` marks the x values where most runs on g did not reach the tolerance within
    the budget, so that the median is only an upper bound: drawn as a downward triangle.
    ``filled=False`` draws hollow markers.

    Refuses an ``ax`` that is not a matplotlib axes, ``xs`` that are not positive finite
    numbers (log axis), ``ratios`` that are not one non-empty array per x, a ``bound`` of
    another length and an ``offset`` that is not positive and finite.
    """
    from ..studies.experiments import spread

    if not hasattr(ax, "errorbar"):
        raise TypeError(f"ax must be a matplotlib axes; got {type(ax).__name__}")
    x_arr = check_array("xs", xs, ndim=1)
    if np.any(x_arr <= 0):
        raise ValueError(f"xs must be positive (they are drawn on a log axis); got {x_arr.min()}")
    if isinstance(ratios, (str, bytes)) or not hasattr(ratios, "__len__") or len(ratios) != x_arr.size:
        raise ValueError(f"ratios must hold one array of ratios per x (len(xs) = {x_arr.size}); "
                         f"got {len(ratios) if hasattr(ratios, '__len__') else type(ratios).__name__}")
    for i, r in enumerate(ratios):
        check_array(f"ratios[{i}]", r, ndim=1, allow_inf=True, allow_nan=True)
    offset = as_positive_float("offset", offset)
    if bound is not None and np.size(bound) != x_arr.size:
        raise ValueError(f"bound must have one entry per x (len(xs) = {x_arr.size}); got {np.size(bound)}")
    stats = np.array([spread(r) for r in ratios])
    x = np.asarray(xs, dtype=float) * offset
    face = color if filled else "white"
    ax.errorbar(x, stats[:, 0], yerr=[stats[:, 0] - stats[:, 1], stats[:, 2] - stats[:, 0]],
                color=color, marker=marker, mfc=face, ms=4, capsize=2, lw=1.2, label=label)
    if bound is not None and np.any(bound):
        b = np.asarray(bound, dtype=bool)
        ax.plot(x[b], stats[b, 0], ls="none", marker="v", ms=8, mfc=face, color=color)
    ax.axhline(1.0, color=COLORS["grey"], lw=0.8, ls="--")
    ax.set(xscale="log", yscale="log")
