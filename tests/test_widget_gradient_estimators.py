"""Drive the gradient_estimators explorer without a browser (matplotlib Agg)."""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from clipq_edu.course import analysis  # noqa: E402
from clipq_edu.widgets._gradient_estimators import SHOT_OPTIONS, gradient_estimators  # noqa: E402


@pytest.fixture(scope="module")
def explorer():
    return gradient_estimators(n_repeats=400)


def test_initial_state_matches_exact_gradient(explorer):
    s = explorer.state
    assert s["exact"] == pytest.approx(analysis.toy_gradient(analysis.TOY_PARAMS)[0])
    assert explorer.message == ""
    assert len(explorer.figure.axes) == 1
    for m in analysis.ESTIMATORS:
        assert s[m]["samples"].shape == (400,)


def test_shots_slider_ends(explorer):
    explorer.set(shots=SHOT_OPTIONS[0], h=0.1)
    few = explorer.state["parameter_shift"]["std"]
    explorer.set(shots=SHOT_OPTIONS[-1])
    many = explorer.state["parameter_shift"]["std"]
    assert explorer.message == ""
    # 1/sqrt(N): 1e5 times more shots -> about 316 times smaller spread.
    ratio = few / many
    assert 200 < ratio < 500
    assert explorer.state["parameter_shift"]["mean"] == pytest.approx(
        explorer.state["exact"], abs=5 * many / math.sqrt(400) + 1e-12)


def test_h_slider_ends(explorer):
    explorer.set(shots=100, h=1e-3)
    small = explorer.state["finite_difference"]
    assert explorer.state["h"] == pytest.approx(1e-3)
    explorer.set(h=math.pi)
    large = explorer.state["finite_difference"]
    assert small["std"] > 100 * large["std"]  # noise grows like 1/h
    # with h = pi the central difference is [f(θ+π) − f(θ−π)]/2π = 0: pure bias
    assert abs(large["mean"]) < abs(explorer.state["exact"]) / 2
    assert small["std_theory"] == pytest.approx(small["std"], rel=0.15)


def test_component_and_bins(explorer):
    explorer.set(component=1, bins=5)
    assert explorer.state["exact"] == pytest.approx(
        analysis.toy_gradient(analysis.TOY_PARAMS)[1])
    before = explorer.state["parameter_shift"]["samples"]
    explorer.set(bins=100)
    assert explorer.state["bins"] == 100
    np.testing.assert_array_equal(explorer.state["parameter_shift"]["samples"], before)


def test_invalid_values_show_message_and_keep_state(explorer):
    explorer.set(component=0, shots=100, bins=40)
    good = dict(explorer.state)
    explorer.set(shots=7)
    assert "shots" in explorer.message
    explorer.set(component=5)
    assert "component" in explorer.message
    assert explorer.state["shots"] == good["shots"]
    explorer.set(shots=100)
    assert explorer.message == ""
    assert explorer.validate(shots=0, h=0.1, component=0, bins=10)
    assert explorer.validate(shots=10, h=0.0, component=0, bins=10)
    assert explorer.validate(shots=10, h=0.1, component=0, bins=1)


def test_constructor_rejects_nonsense():
    with pytest.raises(ValueError, match="shots"):
        gradient_estimators(shots=7)
    with pytest.raises(ValueError, match="h must"):
        gradient_estimators(h=10.0)
    with pytest.raises(ValueError, match="component"):
        gradient_estimators(component=3)


def test_estimates_are_cached_read_only():
    ex = gradient_estimators(shots=100, h=0.1, n_repeats=50)
    samples = ex.state["parameter_shift"]["samples"]
    assert not samples.flags.writeable
    assert ex.is_cached(shots=100, h=0.1, component=0, bins=40)
    assert not ex.is_cached(shots=3, h=0.1, component=2, bins=40)
    ex.set(shots=3)
    ex.set(shots=100)
    assert ex.state["parameter_shift"]["samples"] is samples
