"""Tests of clipq_edu.course.analysis against closed forms and Cirq's simulator."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clipq_edu.course import analysis


def test_angle_degrees_closed_forms():
    assert analysis.angle_degrees([1, 0], [0, 2]) == pytest.approx(90.0)
    assert analysis.angle_degrees([1, 1], [-1, -1]) == pytest.approx(180.0)
    with pytest.raises(ValueError, match="non-zero"):
        analysis.angle_degrees([0, 0], [1, 0])
    with pytest.raises(ValueError, match="same size"):
        analysis.angle_degrees([1, 0], [1, 0, 0])


def test_clipping_angles_norm_keeps_direction_value_does_not():
    a = analysis.clipping_angles(1.0, n_samples=200, seed=1)
    assert np.all(a["norm"] < 1e-4)
    big = a["norms"] > 10 * math.sqrt(10)  # then several entries exceed the bound
    assert np.median(a["value"][big]) > 10.0
    assert np.max(a["per_tensor"]) > 5.0
    assert np.all(a["value"][a["norms"] < 1.0] < 1e-4)  # nothing clipped, nothing turned


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0, 1e6), min_size=1, max_size=20), st.floats(1e-3, 1e3))
def test_clipped_norms_never_larger(norms, bound):
    r = analysis.clipped_norms(norms, bound, seed=0)
    for key in ("value", "norm", "global"):
        assert np.all(r[key] <= r["before"] * (1 + 1e-9) + 1e-12)
    np.testing.assert_allclose(r["norm"], np.minimum(r["before"], bound), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(r["global"], np.minimum(r["before"], bound), rtol=1e-9,
                               atol=1e-12)


def test_sigmoid_chain_vanishes_geometrically():
    norms = analysis.sigmoid_chain_grad_norms(depth=12, seed=0)
    assert norms.shape == (12,)
    # sigma' <= 1/4 per layer: the first layer is orders of magnitude below the last.
    assert norms[0] < 1e-4 * norms[-1]


def test_adam_updates_first_step_and_scale_invariance():
    g = np.array([[2.0, -0.5]])
    # First step: m_hat = g, v_hat = g^2, update = -learning_rate * g / (|g| + eps)
    np.testing.assert_allclose(analysis.adam_updates(g, learning_rate=0.1),
                               -0.1 * g / (np.abs(g) + 1e-7))
    rng = np.random.default_rng(0)
    seq = rng.standard_normal((50, 4))
    u1 = analysis.adam_updates(seq)
    u2 = analysis.adam_updates(1000.0 * seq)
    np.testing.assert_allclose(u1, u2, rtol=1e-4, atol=1e-9)
    with pytest.raises(ValueError, match="b1"):
        analysis.adam_updates(seq, b1=1.0)


def test_toy_expectation_matches_cirq():
    import cirq

    circuit, syms, obs = analysis.toy_circuit()
    rng = np.random.default_rng(2)
    params = rng.uniform(-np.pi, 2 * np.pi, size=(6, 3))
    sim = cirq.Simulator(dtype=np.complex128)
    ref = [sim.simulate_expectation_values(
        circuit, [obs], param_resolver=dict(zip(syms, p, strict=True)))[0].real for p in params]
    np.testing.assert_allclose(analysis.toy_expectation(params), ref, atol=1e-10)


def test_toy_gradient_matches_central_differences():
    p = np.array(analysis.TOY_PARAMS)
    eps = 1e-6
    fd = [(analysis.toy_expectation(p + eps * e) - analysis.toy_expectation(p - eps * e))
          / (2 * eps) for e in np.eye(3)]
    np.testing.assert_allclose(analysis.toy_gradient(p), fd, atol=1e-8)


def test_parameter_shift_lives_in_gradients_only():
    assert not hasattr(analysis, "parameter_shift")


def test_shot_noise_variance_and_validation():
    np.testing.assert_allclose(analysis.shot_noise_variance([0.0, 0.6, 1.0], 100),
                               [0.01, 0.0064, 0.0])
    with pytest.raises(ValueError, match="mu"):
        analysis.shot_noise_variance(1.5, 10)
    with pytest.raises(ValueError, match="shots"):
        analysis.shot_noise_variance(0.1, 0)


@pytest.mark.parametrize("method", analysis.ESTIMATORS)
def test_estimators_mean_and_std_match_theory(method):
    shots, h, reps = 200, 0.3, 20000
    est = analysis.gradient_estimates(method, shots=shots, h=h, n_repeats=reps, seed=5)
    std = analysis.estimator_std(method, shots=shots, h=h)
    np.testing.assert_allclose(est.std(axis=0), std, rtol=0.05)
    exact = analysis.toy_gradient(analysis.TOY_PARAMS)
    if method == "parameter_shift":
        target = exact
    else:  # finite differences/SPSA are unbiased for the *smoothed* derivative
        p = np.array(analysis.TOY_PARAMS)
        target = np.array([(analysis.toy_expectation(p + h * e)
                            - analysis.toy_expectation(p - h * e)) / (2 * h) for e in np.eye(3)])
        if method == "spsa":
            grid = np.array(np.meshgrid(*[[-1.0, 1.0]] * 3, indexing="ij")).reshape(3, -1).T
            diff = (analysis.toy_expectation(p + h * grid)
                    - analysis.toy_expectation(p - h * grid)) / (2 * h)
            target = (grid * diff[:, None]).mean(axis=0)
    se = std / math.sqrt(reps)
    assert np.all(np.abs(est.mean(axis=0) - target) < 5 * se)


def test_gradient_estimates_is_seeded_and_validates():
    a = analysis.gradient_estimates("spsa", shots=10, n_repeats=5, seed=1)
    b = analysis.gradient_estimates("spsa", shots=10, n_repeats=5, seed=1)
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="method"):
        analysis.gradient_estimates("adjoint")
    with pytest.raises(ValueError, match="h must"):
        analysis.gradient_estimates("finite_difference", h=4.0)
    with pytest.raises(ValueError, match="params"):
        analysis.gradient_estimates("parameter_shift", params=[0.1, 0.2])


def test_clipped_estimates_are_biased_towards_smaller_norm():
    r = analysis.clipped_estimate_stats([10, 1000], 0.7, n_repeats=4000, seed=0)
    assert r["mean_norm_clipped"][0] < r["true_norm"] < r["mean_norm_raw"][0]
    assert r["bias_clipped"][0] > r["bias_clipped"][1]  # bias shrinks with more shots
    assert r["bias_raw"][0] < r["bias_clipped"][0]
    assert np.all(r["mse_clipped"] <= r["mse_raw"])  # variance reduction wins here


def test_angles_of_tiny_and_huge_vectors_are_exact():
    for scale in (1e-300, 1e300):
        assert analysis.angle_degrees([scale, 0.0], [scale, scale]) == pytest.approx(45.0)
    angles = analysis.clipping_angles(1e-300 * 1e200, n_samples=20, seed=0)  # scale 1e-100
    assert angles["norm"].max() < 1e-6


@pytest.mark.parametrize(("call", "word"), [
    (lambda: analysis.clipping_angles(n_samples=10**12), "n_samples"),
    (lambda: analysis.clipping_angles(dim=10**12), "dim"),
    (lambda: analysis.clipping_angles(n_samples=100_000, dim=100_000), "n_samples"),
    (lambda: analysis.clipping_angles(scale=1e300), "scale"),
    (lambda: analysis.clipped_norms([1.0], dim=10**12), "dim"),
    (lambda: analysis.sigmoid_chain_grad_norms(batch=10**12), "batch"),
    (lambda: analysis.sigmoid_chain_grad_norms(depth=200, width=4096, batch=100_000), "batch"),
    (lambda: analysis.clipped_estimate_stats([[1], [1, 2]], 1.0), "shots_list"),
    (lambda: analysis.clipped_estimate_stats([], 1.0), "shots_list"),
    (lambda: analysis.clipped_estimate_stats(10, 1.0), "shots_list"),
    (lambda: analysis.estimator_std("spsa", [[0.1, 0.2, 0.3]] * 2), "params"),
])
def test_huge_or_malformed_arguments_are_refused_by_name(call, word):
    with pytest.raises((TypeError, ValueError), match=word):
        call()
