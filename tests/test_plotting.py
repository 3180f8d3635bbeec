"""plotting: 2-D clipping picture, angles, descent and power-law plots."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from clipq_edu import plotting  # noqa: E402
from clipq_edu.course import toys  # noqa: E402


def test_clip_2d_closed_forms():
    np.testing.assert_allclose(plotting.clip_2d([3, 4], 1, "norm"), [0.6, 0.8])
    np.testing.assert_allclose(plotting.clip_2d([3, 4], 1, "global_norm"), [0.6, 0.8])
    np.testing.assert_allclose(plotting.clip_2d([3, 0.5], 1, "value"), [1.0, 0.5])
    np.testing.assert_allclose(plotting.clip_2d([0.3, 0.4], 1, "norm"), [0.3, 0.4])


def test_angle_between():
    assert plotting.angle_between([1, 0], [0, 2]) == pytest.approx(90.0)
    assert plotting.angle_between([1, 1], [2, 2]) == pytest.approx(0.0, abs=1e-6)
    assert plotting.angle_between([1, 0], [0, 0]) == 0.0
    g = [np.array([3.0, 4.0]), np.array([1.0])]
    assert plotting.angle_between(g, [np.array([3.0, 4.0]), np.array([-1.0])]) == pytest.approx(
        np.degrees(np.arccos(24 / 26)))
    # value clipping turns (3, 0.5) by atan(0.5) - atan(0.5/3)
    clipped = plotting.clip_2d([3, 0.5], 1, "value")
    assert plotting.angle_between([3, 0.5], clipped) == pytest.approx(
        np.degrees(np.arctan(0.5) - np.arctan(0.5 / 3)))


def test_plot_clip_geometry_draws_region_and_arrows():
    for method, patch in (("value", "Rectangle"), ("norm", "Circle")):
        ax = plotting.plot_clip_geometry([3, 1], 1.5, method)
        assert type(ax.patches[0]).__name__ == patch
        assert len(ax.collections) == 2  # two quiver arrows
        assert ax.get_xlabel() and ax.get_ylabel() and "°" in ax.get_title()
        assert ax.get_legend() is not None
        plt.close(ax.figure)


@pytest.mark.parametrize("kwargs, exc", [
    ({"method": "l1"}, ValueError), ({"bound": 0}, ValueError), ({"g": [1, 2, 3]}, ValueError),
    ({"g": "ab"}, TypeError),
])
def test_plot_clip_geometry_rejects_bad_input(kwargs, exc):
    args = {"g": [3, 1], "bound": 1.0, "method": "norm"} | kwargs
    with pytest.raises(exc):
        plotting.plot_clip_geometry(**args)


def test_plot_descent_and_power_law():
    runs = {"plain": toys.gradient_descent(toys.quartic_grad, 10.0, 0.01, 100),
            "clipped": toys.gradient_descent(toys.quartic_grad, 10.0, 0.01, 50, clip=1.0)}
    ax = plotting.plot_descent(runs)
    assert len(ax.lines) == 2 and "diverged" in ax.get_legend().get_texts()[0].get_text()
    assert ax.get_xscale() == "log"
    plt.close(ax.figure)
    ax = plotting.plot_power_law([1, 10], [1, 0.3], [1, 0.316], xlabel="N", ylabel="err")
    assert len(ax.lines) == 2 and ax.get_xlabel() == "N"
    plt.close(ax.figure)
    with pytest.raises(ValueError):
        plotting.plot_descent({})


@pytest.mark.parametrize("ax", ["abc", 1, object(), [None]])
def test_plots_refuse_a_non_axes_ax_by_name(ax):
    run = {"plain": toys.gradient_descent(toys.quartic_grad, 1.0, 0.1, 5)}
    for call in (lambda: plotting.plot_clip_geometry([3.0, 1.0], 1.0, "norm", ax=ax),
                 lambda: plotting.plot_descent(run, ax=ax),
                 lambda: plotting.plot_power_law([1.0, 2.0], [1.0, 0.5], ax=ax)):
        with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
            call()
    plt.close("all")


def test_plot_inputs_are_checked_by_name():
    with pytest.raises(TypeError, match=r"results\['a'\]"):
        plotting.plot_descent({"a": 1})
    with pytest.raises(ValueError, match="min_abs"):
        plotting.plot_descent({"a": toys.gradient_descent(toys.quartic_grad, 1.0, 0.1, 5)},
                              min_abs=0.0)
    with pytest.raises(ValueError, match="predicted"):
        plotting.plot_power_law([1.0, 2.0], [1.0, 0.5], predicted=[1.0])
    with pytest.raises(ValueError, match="same length"):
        plotting.plot_power_law([1.0, 2.0], [1.0])
    with pytest.raises(TypeError, match="b"):
        import sympy

        plotting.angle_between([1.0, 2.0], [sympy.Symbol("t"), 1.0])
    plt.close("all")


def test_angle_between_tiny_and_huge_vectors():
    assert plotting.angle_between([1e-300, 0.0], [1e-300, 1e-300]) == pytest.approx(45.0)
    assert plotting.angle_between([1e300, 0.0], [0.0, 1e300]) == pytest.approx(90.0)
    assert plotting.angle_between([1e-320, 0.0], [0.0, 1.0]) == pytest.approx(90.0)
