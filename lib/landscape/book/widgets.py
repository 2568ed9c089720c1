"""Explorations that keep working in the static HTML book (no kernel needed).

An ``interact`` slider in a static page moves but its output never changes. Instead,
:func:`static_explorer` renders the output for every value on a grid when the notebook
is executed, puts each into an ``Output`` widget, and links a selector to a ``Stack`` of
them with ``jslink``: the switching happens in the browser, from the saved widget state.
With one parameter the selector is a ``SelectionSlider``; with two, a row of
``ToggleButtons`` picks the first and a slider inside each page picks the second; the
sliders of all pages are linked, so switching the first parameter keeps the second.

ipywidgets is imported lazily, so the rest of the library does not depend on it.

For example, the grid of values an explorer renders:

>>> grid({"d1": [1, 2], "mu": [0.5]})
[{'d1': 1, 'mu': 0.5}, {'d1': 2, 'mu': 0.5}]
"""

from __future__ import annotations

import itertools
from typing import Callable, Sequence

__all__ = ['static_explorer']


def _render_into(render, args):
    import ipywidgets as w
    import matplotlib.pyplot as plt

    out = w.Output()
    with out:
        render(*args)
        plt.show()
    plt.close("all")
    return out


def _slider_page(render, fixed, name, values, fmt, index):
    import ipywidgets as w

    outs = [_render_into(render, fixed + (v,)) for v in values]
    labels = [fmt(v) for v in values]
    slider = w.SelectionSlider(options=labels, value=labels[index], description=name,
                               continuous_update=True, layout=w.Layout(width="420px"),
                               style={"description_width": "initial"})
    stack = w.Stack(outs, selected_index=index)
    w.jslink((slider, "index"), (stack, "selected_index"))
    return w.VBox([slider, stack])


def static_explorer(render: Callable, params: dict[str, Sequence], fmt: Callable | dict = str,
                    initial: dict | None = None):
    """Pre-rendered, kernel-free exploration of ``render`` over a grid of parameters.

    Parameters
    ----------
    render : callable
        ``render(*values)`` draws into the current matplotlib figure(s) and/or prints;
        called once per grid point, in the order of ``params``.
    params : dict
        One or two entries ``name -> list of values``. The last one gets a slider; the
        first of two gets toggle buttons.
    fmt : callable or dict of callables
        How a value is shown in the selector (``str`` by default, also for names missing
        from the dict).
    initial : dict, optional
        The value shown first for each parameter (default: the first value).

    Returns
    -------
    ipywidgets.VBox
        Display it as the last expression of a cell. Tag that cell ``nbval-ignore-output``:
        the pre-rendered outputs reach nbval as plain streams.

    Raises
    ------
    TypeError
        A ``render`` that is not callable; ``params``, ``initial`` that are not dicts; a
        parameter whose values are not a list; a ``fmt`` that is neither callable nor a dict.
    ValueError
        No parameter or more than two; a parameter without values; an ``initial`` value that
        is not among the parameter's values.
    """
    if not callable(render):
        raise TypeError(f"render must be callable; got {type(render).__name__}")
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict of name -> list of values; got {type(params).__name__}")
    if not 1 <= len(params) <= 2:
        raise ValueError(f"static_explorer takes one or two parameters (params); got {len(params)}")
    names = list(params)
    for name in names:
        if isinstance(params[name], (str, bytes)) or not hasattr(params[name], "__len__"):
            raise TypeError(f"params[{name!r}] must be a list of values; got {type(params[name]).__name__}")
        if len(params[name]) == 0:
            raise ValueError(f"params[{name!r}] has no values")
    if not (callable(fmt) or isinstance(fmt, dict)):
        raise TypeError(f"fmt must be a callable or a dict of callables; got {type(fmt).__name__}")
    if initial is not None and not isinstance(initial, dict):
        raise TypeError(f"initial must be a dict of name -> value; got {type(initial).__name__}")
    for name, v in (initial or {}).items():
        if name not in params or v not in list(params[name]):
            raise ValueError(f"initial[{name!r}] = {v!r} is not one of the values of params")
    import ipywidgets as w  # after the checks: bad input is refused without ipywidgets too

    fmts = {n: (fmt.get(n, str) if isinstance(fmt, dict) else fmt) for n in names}
    initial = initial or {}
    index = {n: list(params[n]).index(initial[n]) if n in initial else 0 for n in names}
    last = names[-1]
    if len(names) == 1:
        return _slider_page(render, (), last, list(params[last]), fmts[last], index[last])
    first = names[0]
    pages = [_slider_page(render, (v,), last, list(params[last]), fmts[last], index[last])
             for v in params[first]]
    # One value of the second parameter for all pages: switching the first keeps it.
    sliders = [page.children[0] for page in pages]
    for other in sliders[1:]:
        w.jslink((sliders[0], "index"), (other, "index"))
    labels = [fmts[first](v) for v in params[first]]
    buttons = w.ToggleButtons(options=labels, value=labels[index[first]], description=first,
                              style={"description_width": "initial", "button_width": "auto"})
    stack = w.Stack(pages, selected_index=index[first])
    w.jslink((buttons, "index"), (stack, "selected_index"))
    return w.VBox([buttons, stack])


def grid(params: dict[str, Sequence]):
    """All combinations of a parameter grid, as dicts (for checks over the same grid)."""
    names = list(params)
    return [dict(zip(names, combo)) for combo in itertools.product(*params.values())]
