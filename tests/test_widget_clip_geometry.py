"""The clip-geometry explorer, driven without a browser."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from clipq_edu.widgets._clip_geometry import clip_geometry  # noqa: E402


@pytest.fixture()
def explorer():
    return clip_geometry(g=(3.0, 1.0), bound=1.0, method="value")


def test_initial_state_is_value_clipping(explorer):
    s = explorer.state
    np.testing.assert_allclose(s["clipped"], [1.0, 1.0])
    assert s["angle_deg"] == pytest.approx(45 - np.degrees(np.arctan(1 / 3)))
    assert explorer.message == ""


def test_norm_keeps_direction_and_caps_length(explorer):
    explorer.set(method="norm", bound=2.0)
    s = explorer.state
    assert s["clipped_norm"] == pytest.approx(2.0)
    assert s["angle_deg"] == pytest.approx(0.0, abs=1e-6)
    np.testing.assert_allclose(s["clipped"], np.array([3.0, 1.0]) * 2 / np.sqrt(10))


def test_slider_ends(explorer):
    explorer.set(bound=0.1, gx=-5.0, gy=5.0)
    s = explorer.state
    np.testing.assert_allclose(s["clipped"], [-0.1, 0.1])  # value clipping at the corner
    explorer.set(bound=5.0, gx=5.0, gy=-5.0, method="norm")
    assert explorer.state["clipped_norm"] == pytest.approx(5.0)
    explorer.set(bound=5.0, gx=1.0, gy=1.0)  # inside the region: unchanged
    np.testing.assert_allclose(explorer.state["clipped"], [1.0, 1.0])
    explorer.set(gx=0.0, gy=0.0)  # zero gradient stays zero, no error
    assert explorer.state["angle_deg"] == 0.0 and explorer.message == ""
    explorer.set(bound=-3.0)  # the slider clamps to its minimum
    assert explorer.controls["bound"].value == pytest.approx(0.1)


def test_invalid_method_gives_message_and_keeps_picture(explorer):
    good = dict(explorer.state)
    explorer.set(method="l1")
    assert explorer.message and "not accepted" in explorer.message
    assert explorer.state["method"] == good["method"]


def test_validate_messages(explorer):
    assert "bound" in explorer.validate(method="norm", bound=0.0, gx=1.0, gy=1.0)
    assert "method" in explorer.validate(method="l1", bound=1.0, gx=1.0, gy=1.0)
    assert explorer.validate(method="norm", bound=1.0, gx=1.0, gy=1.0) is None


def test_constructor_rejects_bad_arguments():
    with pytest.raises(ValueError, match="g"):
        clip_geometry(g=(9.0, 0.0))
    with pytest.raises(ValueError, match="method"):
        clip_geometry(method="l2")
    with pytest.raises(ValueError, match="bound"):
        clip_geometry(bound=0.0)
