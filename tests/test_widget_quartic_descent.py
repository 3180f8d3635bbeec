"""The quartic-descent explorer, driven without a browser."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from clipq_edu.course import toys  # noqa: E402
from clipq_edu.widgets._quartic_descent import MAX_STEPS, quartic_descent  # noqa: E402


@pytest.fixture()
def explorer():
    return quartic_descent(learning_rate=0.01, clip=1.0)


def test_initial_state(explorer):
    s = explorer.state
    assert s["plain_diverged"] and s["plain_iterations"] is None
    expected = toys.gradient_descent(toys.quartic_grad, 10.0, 0.01, MAX_STEPS, clip=1.0)
    assert s["clipped_iterations"] == expected.iterations
    assert s["max_stable_step"] == pytest.approx(0.005)
    assert explorer.message == ""


def test_stable_step_makes_plain_converge(explorer):
    explorer.set(learning_rate=10**-2.4)  # 0.0040 < 0.005
    s = explorer.state
    assert not s["plain_diverged"]
    assert s["plain_iterations"] is None or s["plain_iterations"] > s["clipped_iterations"]


def test_slider_ends(explorer):
    explorer.set(learning_rate=1e-4, clip=0.1)
    s = explorer.state
    assert s["learning_rate"] == pytest.approx(1e-4) and s["clip"] == pytest.approx(0.1)
    assert s["plain_iterations"] is None and not s["plain_diverged"]  # too slow: runs out
    explorer.set(learning_rate=1.0, clip=100.0)
    s = explorer.state
    assert s["plain_diverged"]
    explorer.set(learning_rate=1e-9)  # clamped to the slider minimum
    assert explorer.controls["learning_rate"].value == pytest.approx(1e-4)


def test_validate_and_bad_constructor(explorer):
    assert "learning_rate" in explorer.validate(learning_rate=0.0, clip=1.0)
    assert "clip" in explorer.validate(learning_rate=0.1, clip=float("nan"))
    with pytest.raises(ValueError, match="learning_rate"):
        quartic_descent(learning_rate=5.0)
    with pytest.raises(ValueError, match="clip"):
        quartic_descent(clip=1000.0)


def test_runs_are_cached_read_only_and_revisits_skip_the_computation(explorer):
    from clipq_edu.widgets import _quartic_descent as qd

    explorer.set(learning_rate=0.02, clip=0.5)
    first = explorer.state["clipped"]
    assert explorer.is_cached(learning_rate=0.02, clip=0.5)
    assert not first.trajectory.flags.writeable
    explorer.set(learning_rate=0.05)
    explorer.set(learning_rate=0.02)
    assert explorer.state["clipped"] is first
    assert len(qd._RUNS) <= qd._RUNS.maxsize
