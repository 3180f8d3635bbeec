"""toys: the quartic landscape, plain and clipped gradient descent, step-size scans."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from clipq_edu.course import toys


def test_quartic_closed_forms():
    assert toys.quartic(2.0) == 16.0
    assert toys.quartic_grad(2.0) == 32.0
    assert toys.quartic_hessian(-2.0) == 48.0
    np.testing.assert_allclose(toys.quartic_grad(np.array([1.0, -2.0])), [4.0, -32.0])
    # finite-difference check of the gradient
    h = 1e-5
    assert (toys.quartic(1.3 + h) - toys.quartic(1.3 - h)) / (2 * h) == pytest.approx(
        toys.quartic_grad(1.3), rel=1e-8)


def test_first_step_stability_boundary():
    lr = toys.max_stable_step(10.0)
    assert lr == pytest.approx(0.005)
    # Just below: |x1| <= |x0|; just above: |x1| > |x0|.
    below = toys.gradient_descent(toys.quartic_grad, 10.0, lr * 0.99, steps=1)
    above = toys.gradient_descent(toys.quartic_grad, 10.0, lr * 1.01, steps=1)
    assert abs(below.trajectory[1]) <= 10.0 < abs(above.trajectory[1])


def test_plain_gd_diverges_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = toys.gradient_descent(toys.quartic_grad, 10.0, learning_rate=0.01, steps=1000)
    assert res.diverged and not res.converged and res.iterations is None
    assert len(res.trajectory) < 10  # stopped at once, not after 1000 steps
    assert "diverged" in repr(res)


def test_clipped_steps_have_length_lr_times_clip():
    res = toys.gradient_descent(toys.quartic_grad, 10.0, learning_rate=0.2, steps=5, clip=1.0)
    np.testing.assert_allclose(np.diff(res.trajectory), -0.2)


def test_tail_matches_closed_form():
    # Starting near the minimum, plain GD follows 1/x^2 = 1/x_start^2 + 8 lr k.
    res = toys.gradient_descent(toys.quartic_grad, 0.5, learning_rate=0.05, steps=100_000, tol=1e-4)
    predicted = toys.quartic_tail_iterations(0.05, 1e-4, x_start=0.5)
    assert res.iterations == pytest.approx(predicted, rel=0.02)


def test_clipping_is_much_faster_on_the_quartic():
    lrs = np.geomspace(1e-3, 0.3, 12)
    lr_plain, its_plain = toys.best_plain_step(toys.quartic_grad, 10.0, lrs, 100_000)
    assert lr_plain <= toys.max_stable_step(10.0)
    clipped = toys.gradient_descent(toys.quartic_grad, 10.0, 0.2, 100_000, clip=1.0)
    assert clipped.converged and its_plain / clipped.iterations > 20


def test_scan_marks_divergence_as_nan():
    its = toys.step_size_scan(toys.quartic_grad, 10.0, [0.004, 0.01], 100_000)
    assert np.isfinite(its[0]) and np.isnan(its[1])


def test_vector_descent_uses_norm_clipping():
    res = toys.gradient_descent(toys.quartic_grad, np.array([10.0, 5.0]), 0.1, 3, clip=1.0)
    steps = np.linalg.norm(np.diff(res.trajectory, axis=0), axis=1)
    np.testing.assert_allclose(steps, 0.1)
    assert res.trajectory.shape == (4, 2)


def test_converges_immediately_at_minimum():
    res = toys.gradient_descent(toys.quartic_grad, 0.0, 0.1, 10)
    assert res.iterations == 0 and res.converged


@pytest.mark.parametrize("kwargs, exc, word", [
    ({"learning_rate": 0.0}, ValueError, "learning_rate"),
    ({"learning_rate": -1.0}, ValueError, "learning_rate"),
    ({"steps": -1}, ValueError, "steps"),
    ({"clip": 0.0}, ValueError, "clip"),
    ({"tol": math.nan}, ValueError, "tol"),
    ({"x0": math.inf}, ValueError, "x0"),
    ({"x0": "ten"}, TypeError, "x0"),
    ({"grad_fn": 3}, TypeError, "grad_fn"),
])
def test_bad_arguments(kwargs, exc, word):
    args = {"grad_fn": toys.quartic_grad, "x0": 10.0, "learning_rate": 0.1, "steps": 10} | kwargs
    with pytest.raises(exc, match=word):
        toys.gradient_descent(**args)


def test_best_plain_step_reports_when_nothing_converges():
    with pytest.raises(ValueError, match="no step size"):
        toys.best_plain_step(toys.quartic_grad, 10.0, [0.1, 1.0], 1000)


def test_max_stable_step_rejects_zero():
    with pytest.raises(ValueError, match="x0"):
        toys.max_stable_step(0.0)


@pytest.mark.slow
def test_keras_clipped_update_semantics():
    g = [np.array([3.0, 4.0]), np.array([0.3, 0.1])]
    value = toys.keras_clipped_update(g, clipvalue=1.0)
    np.testing.assert_allclose(value[0], [1.0, 1.0])
    np.testing.assert_allclose(value[1], [0.3, 0.1], rtol=1e-6)
    norm = toys.keras_clipped_update(g, clipnorm=1.0)
    np.testing.assert_allclose(norm[0], [0.6, 0.8], rtol=1e-6)
    np.testing.assert_allclose(norm[1], [0.3, 0.1], rtol=1e-6)  # below the bound: untouched
    glob = toys.keras_clipped_update(g, global_clipnorm=1.0)
    total = math.sqrt(25 + 0.1)
    np.testing.assert_allclose(np.concatenate(glob), np.concatenate(g) / total, rtol=1e-5)
    both = toys.keras_clipped_update(g, clipnorm=1.0, clipvalue=0.1)
    np.testing.assert_allclose(np.concatenate(both), np.concatenate(norm))  # clipvalue ignored
    with pytest.raises(ValueError, match="clipnorm"):
        toys.keras_clipped_update(g, clipnorm=1.0, global_clipnorm=1.0)


def test_keras_clipped_update_validates_before_tf():
    with pytest.raises(ValueError, match="clip_norm"):
        toys.keras_clipped_update([np.ones(2)], clip_norm=1.0)
    with pytest.raises(ValueError, match="clipvalue"):
        toys.keras_clipped_update([np.ones(2)], clipvalue=-1.0)
    with pytest.raises(TypeError, match="grads"):
        toys.keras_clipped_update(np.ones(2), clipvalue=1.0)


def test_quartic_family_overflows_to_inf_and_names_x():
    assert toys.quartic(1e100) == math.inf and toys.quartic_hessian(-1e200) == math.inf
    assert toys.quartic_grad(-1e150) == -math.inf
    assert np.all(np.isinf(toys.quartic_grad(np.array([1e200, -1e200]))))
    for bad in ("abc", None, [[1.0], [1.0, 2.0]], 1 + 1j, {"a": 1}):
        for fn in (toys.quartic, toys.quartic_grad, toys.quartic_hessian):
            with pytest.raises(TypeError, match="x"):
                fn(bad)


def test_stable_step_and_tail_at_the_edges():
    assert toys.max_stable_step(1e-150) == pytest.approx(0.5e300)
    for bad in (1e-300, 0.0, math.nan, "abc", None):
        with pytest.raises((TypeError, ValueError), match="x0"):
            toys.max_stable_step(bad)
    assert toys.quartic_tail_iterations(0.01, 1e-3, x_start=0.0) == 0.0
    assert toys.quartic_tail_iterations(0.01, 1e-3, x_start=1e-300) == 0.0  # inside tol
    far = toys.quartic_tail_iterations(0.01, 1e-3)
    assert toys.quartic_tail_iterations(0.01, 1e-3, x_start=1e300) == far
    assert toys.quartic_tail_iterations(0.01, 1e-3, x_start=-math.inf) == far
    for bad in ("abc", None, math.nan, [1.0]):
        with pytest.raises((TypeError, ValueError), match="x_start"):
            toys.quartic_tail_iterations(0.01, 1e-3, x_start=bad)
    with pytest.raises(ValueError, match="learning_rate"):
        toys.quartic_tail_iterations(5e-324, 1e-3)
