"""The figure helpers of ``landscape.book.plotting`` that draw the runs and spectra of Part III."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from landscape.book import plotting


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def test_group_values_merges_roundoff_and_keeps_distinct_values():
    values = [0.166216434299, 0.0464173682627, 0.0464173682627 * (1 + 1e-12), 0.166216434299 * (1 - 1e-10)]
    assert plotting.group_values(values) == [(0.0464173682627, 2), (pytest.approx(0.166216434299), 2)]
    assert [c for _, c in plotting.group_values([1.0, 1.0 + 1e-3, 1.0 + 2e-3], rtol=1e-6)] == [1, 1, 1]
    assert plotting.group_values([5.0]) == [(5.0, 1)]


def test_end_values_counts_the_runs_of_each_label_at_each_value(ax):
    runs = {"a": [0.2, 0.1, 0.1, 0.2 + 1e-12, 0.1], "b": [0.1, 0.3]}
    counts, values = plotting.end_values(ax, runs)
    assert values == pytest.approx([0.1, 0.2, 0.3])
    assert counts == {"a": [3, 2, 0], "b": [1, 0, 1]}
    heights = sorted(round(p.get_height()) for p in ax.patches)
    assert heights == sorted(counts["a"] + counts["b"])          # one bar per label and value
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.1000", "0.2000", "0.3000"]


def test_hessian_spectrum_counts_and_draws_zeros_at_zero(ax):
    ev = np.array([3e-13, -2e-13, 5.0, 1.5, 40.0, 1e-14])
    assert plotting.hessian_spectrum(ax, ev, zero_tol=1e-8) == (0, 3, 3)
    zeros, positive = ax.lines[1].get_ydata(), ax.lines[0].get_ydata()
    assert np.all(zeros == 0.0) and len(zeros) == 3           # roundoff is not drawn
    assert np.array_equal(positive, [1.5, 5.0, 40.0])          # sorted, at their values
    assert ax.lines[2].get_ydata()[0] == 1.5                   # the margin line
    assert plotting.hessian_spectrum(ax, [-1.0, 0.0, 2.0], zero_tol=1e-8) == (1, 1, 1)


def test_dot_rows_puts_the_first_label_on_top(ax):
    ys = plotting.dot_rows(ax, {"top": ([1.0, 2.0], [True, False]), "empty": ([], []),
                                "bottom": (np.array([3.0]), np.array([True]))})
    assert ys == {"top": 2, "empty": 1, "bottom": 0}
    assert [t.get_text() for t in ax.get_yticklabels()] == ["top", "empty", "bottom"]
