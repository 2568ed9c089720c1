"""Static explorations (landscape.book.widgets)."""

import pytest


def test_static_explorer_structure():
    w = pytest.importorskip("ipywidgets")
    import matplotlib

    matplotlib.use("Agg")
    from landscape.book.widgets import grid, static_explorer

    calls = []
    box = static_explorer(lambda a, b: calls.append((a, b)), {"a": [1, 2], "b": [0.1, 0.2, 0.3]},
                          initial={"b": 0.2})
    assert calls == [(a, b) for a in (1, 2) for b in (0.1, 0.2, 0.3)]
    buttons, stack = box.children
    assert isinstance(buttons, w.ToggleButtons) and isinstance(stack, w.Stack)
    assert len(stack.children) == 2
    slider, inner = stack.children[0].children
    assert isinstance(slider, w.SelectionSlider) and len(inner.children) == 3
    assert inner.selected_index == 1 and slider.index == 1
    slider.index = 2  # jslink works in the browser; here only the structure is checked
    # the second parameter's sliders of all pages are linked (switching "a" keeps "b")
    other = stack.children[1].children[0]
    from ipywidgets.widgets.widget_link import Link
    active = getattr(w.Widget, "_active_widgets", None) or w.Widget.widgets
    links = [x for x in active.values() if isinstance(x, Link)
             and {x.source[0], x.target[0]} == {slider, other}]
    assert len(links) == 1 and {x.source[1] for x in links} == {"index"}
    assert len(grid({"a": [1, 2], "b": [3]})) == 2
    with pytest.raises(ValueError, match="one or two parameters"):
        static_explorer(lambda: None, {})
