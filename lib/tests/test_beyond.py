"""The Beyond chapter's study (landscape.studies.beyond)."""

import numpy as np
import pytest


def test_tanh_end_points_and_saturation():
    from landscape.studies.beyond import TanhEnd, tanh_end_points
    from landscape.models.tanh import TanhNetwork

    x = np.linspace(-2, 2, 15)[None, :]
    y = np.array([[1.0, 1.2]]) @ np.tanh(np.array([[2.0], [-1.5]]) @ x + np.array([[1.0], [0.5]]))
    net = TanhNetwork(x, y, hidden=2)
    ends = tanh_end_points(net, range(3))
    assert [e.seed for e in ends] == [0, 1, 2] and all(e.kind in TanhEnd.KINDS for e in ends)
    for e in ends:
        assert e.value == pytest.approx(net.value(e.theta), rel=1e-12)
        assert e.max_weight == np.abs(e.theta).max() and e.message
    assert any(e.kind == "global minimum" for e in ends)
    theta = np.array([10.0, 0.1, 0.0, 0.0, 1.0, 1.0])        # W = (10, 0.1), c = 0
    sat = net.saturation(theta)
    assert sat[1] == 0.0 and sat[0] == np.mean(np.abs(10 * x[0]) > 2)
    assert 0.0 < net.cancellation(theta) <= 1.0 + 1e-12
    twin = np.array([1.0, 1.0, 0.2, 0.2, 100.0, -100.0])     # equal units, opposite weights
    assert net.cancellation(twin) < 1e-12
    same = np.array([1.0, 1.0, 0.2, 0.2, 1.0, 1.0])          # equal units, equal weights
    assert net.cancellation(same) == pytest.approx(1.0)
    labels = {e.kind for e in tanh_end_points(net, [0], big=0.0)}   # every weight is "large"
    assert labels <= {"global minimum", "large weights"}
