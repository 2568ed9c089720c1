"""Formatting of machine-dependent numbers (landscape.book.display)."""

import numpy as np
import pytest
from landscape.book.display import small


def test_small():
    assert small(3e-15) == "< 1e-12"
    assert small(-0.0) == "< 1e-12"
    assert small(4.56e-3) == "4.6e-03"
    assert small(2e-8, floor=1e-6) == "< 1e-06"


def test_value_or_range():
    from landscape.book.display import value_or_range

    assert value_or_range([1.0, 1.0 + 1e-13]) == "1.0000"
    assert value_or_range([2.0, 1.0], ".1f") == "1.0 to 2.0"
    assert value_or_range(np.array([[3.0], [3.0]]), ".2f", "-") == "3.00"
    assert value_or_range([-1e-16]) == "0.0000"
    with pytest.raises(ValueError, match="empty"):
        value_or_range([])
