"""Figures of the experiments chapters (kept apart from the computations).

:func:`convergence_figure` draws one of paper A's Figures 1-8 from two
:class:`~landscape.experiments.Curves` (f and g): panel (a) ``MSE_o``, panel (b) ``MSE_w``,
each a median curve with the band between the 10% and 90% quantiles over the seeds, on a
log scale.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .plotting import COLORS, band

__all__ = ["FLOOR", "convergence_figure", "convergence_panels", "ratio_plot"]

#: Values are clipped below at this level before taking logarithms (exact zeros occur).
FLOOR = 1e-32


def convergence_panels(axes, curves_f, curves_g, xlabel: str = "iteration",
                       labels=("without regularizer (f)", "with regularizer (g)")):
    """Draw ``MSE_o`` and ``MSE_w`` of ``curves_f`` and ``curves_g`` into two axes."""
    for curves, color, label in ((curves_f, COLORS["f"], labels[0]), (curves_g, COLORS["g"], labels[1])):
        for ax, values in zip(axes, (curves.mse_o, curves.mse_w)):
            band(ax, curves.iterations, np.clip(values.T, FLOOR, None), color, label)
    names = (r"(a) $\mathrm{MSE}_o = \|W_2W_1X - Y\|_F^2 / \|Y\|_F^2$",
             r"(b) $\mathrm{MSE}_w = \|W_2W_1 - W_2^\star W_1^\star\|_F^2 / \|W_2^\star W_1^\star\|_F^2$")
    for ax, name in zip(axes, names):
        ax.set(yscale="log", xlabel=xlabel, title=name)


def convergence_figure(curves_f, curves_g, xlabel: str = "iteration", figsize=(8.6, 3.4)):
    """A two-panel figure in the layout of paper A's Figures 1-8 (legend below the panels);
    returns the figure."""
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
    """
    from .experiments import spread

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
