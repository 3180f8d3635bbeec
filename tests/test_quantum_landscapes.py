"""clipq_edu.noise against Cirq's simulators and closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest

from clipq_edu import noise
from clipq_edu.circuits import mcclean_random_values


def _var_se(samples: np.ndarray) -> float:
    """Standard error of the sample variance (from the fourth central moment)."""
    c = samples - samples.mean()
    m2, m4 = np.mean(c**2), np.mean(c**4)
    return math.sqrt(max(m4 - m2**2, 0.0) / len(samples))


@pytest.mark.parametrize("p", [None, 0.0, 0.08])
@pytest.mark.parametrize("observable", ["zz", "z0"])
def test_simulator_matches_cirq(p, observable):
    n, depth = 3, 3
    values, _ = mcclean_random_values(n, depth, 3, seed=5)
    mine = noise._simulate(values, n, depth, observable, p, False)
    ref = [noise.cirq_expectation(v, n, depth, observable=observable, p=p) for v in values]
    np.testing.assert_allclose(mine, ref, atol=1e-6)


def test_parameter_shift_matches_finite_difference_under_noise():
    n, depth, p = 3, 4, 0.05
    values, first = mcclean_random_values(n, depth, 2, seed=2)
    g = noise.gradient_samples(n, depth, 2, seed=2, p=p)
    h = 1e-5
    for b in range(2):
        plus, minus = values[b].copy(), values[b].copy()
        plus[first[b]] += h
        minus[first[b]] -= h
        fd = (noise.cirq_expectation(plus, n, depth, p=p)
              - noise.cirq_expectation(minus, n, depth, p=p)) / (2 * h)
        assert g[b] == pytest.approx(fd, abs=1e-5)


@pytest.mark.slow
def test_deep_random_circuits_match_haar_variance():
    for n in (3, 6):
        g = noise.gradient_samples(n, 100, 400, seed=1)
        want = noise.haar_gradient_variance(n)
        assert abs(g.var() - want) < 5 * _var_se(g)


def test_haar_variance_closed_form_values():
    assert noise.haar_gradient_variance(1) == pytest.approx(2 / 9)
    assert noise.haar_gradient_variance(10) * 2**10 * 3 == pytest.approx(1, rel=1e-6)


@pytest.mark.slow
def test_identity_init_is_flat_and_matches_closed_form():
    for n in (2, 5, 8):
        g = noise.gradient_samples(n, 20, 600, seed=3, init="identity")
        # Exact values: -1/2 for a y rotation, 0 for x and z.
        assert set(np.round(g, 9)) <= {0.0, -0.5}
        assert abs(g.var() - noise.identity_init_gradient_variance()) < 5 * _var_se(g)


def test_every_layer_last_row_equals_full_run():
    a = noise.gradient_samples(4, 6, 10, seed=0, every_layer=True)
    b = noise.gradient_samples(4, 6, 10, seed=0)
    assert a.shape == (6, 10)
    np.testing.assert_allclose(a[-1], b, atol=1e-12)
    c = noise.gradient_samples(4, 3, 10, seed=0)  # a different draw: not a prefix
    assert c.shape == (10,)


def test_noise_bound_holds_and_single_qubit_decay_is_exact():
    n, depth, p = 3, 12, 0.05
    g = noise.gradient_samples(n, depth, 100, seed=4, p=p, every_layer=True)
    for layer in range(depth):
        assert np.max(np.abs(g[layer])) <= noise.noisy_gradient_bound(n, layer + 1, p) + 1e-12
    # p=0 on the density-matrix path equals the pure-state path.
    np.testing.assert_allclose(noise.gradient_samples(3, 5, 20, seed=0, p=0.0),
                               noise.gradient_samples(3, 5, 20, seed=0), atol=1e-10)


def test_full_depolarisation_kills_gradient():
    g = noise.gradient_samples(2, 3, 20, seed=0, p=0.75)
    np.testing.assert_allclose(g, 0.0, atol=1e-12)


@pytest.mark.parametrize("cost", ["global", "local"])
def test_product_cost_variance_matches_closed_form(cost):
    for n in (1, 4, 7):
        g = noise.product_cost_gradient_samples(n, cost, 4000, seed=n)
        want = noise.product_cost_gradient_variance(n, cost)
        assert abs(g.var() - want) < 5 * _var_se(g)


def test_product_cost_gradient_matches_formula():
    rng = np.random.default_rng(0)
    theta = rng.uniform(0, 2 * np.pi, size=(4000, 3))
    g = noise.product_cost_gradient_samples(3, "global", 4000, seed=0)
    want = 0.5 * np.sin(theta[:, 0]) * np.prod(np.cos(theta[:, 1:] / 2) ** 2, axis=1)
    np.testing.assert_allclose(g, want, atol=1e-10)


def test_fit_log2_slope_recovers_exponent():
    n = np.arange(2, 9)
    slope, intercept = noise.fit_log2_slope(n, 3.0 * 2.0 ** (-0.8 * n))
    assert slope == pytest.approx(-0.8)
    assert intercept == pytest.approx(math.log2(3.0))


def test_shots_to_resolve_against_binomial_simulation():
    g_true, z = 0.05, 2.0
    shots = noise.shots_to_resolve(g_true, z=z)
    assert shots == 800  # z² · (1/2) / g² = 4 · 0.5 / 0.0025
    # Worst case <H> = 0 on both terms: each term is a mean of +-1 outcomes.
    rng = np.random.default_rng(0)
    f_plus = 2 * rng.binomial(shots, 0.5, size=20000) / shots - 1
    f_minus = 2 * rng.binomial(shots, 0.5, size=20000) / shots - 1
    est_sd = np.std(0.5 * (f_plus - f_minus))
    assert est_sd * z == pytest.approx(g_true, rel=0.05)
    np.testing.assert_array_equal(noise.shots_to_resolve([0.1, 0.01]), [200, 20000])


def test_memory():
    assert noise.simulation_memory_bytes(20) == 8 * 2**20
    assert noise.simulation_memory_bytes(10, "density", 16) == 16 * 4**10
    assert noise.simulation_memory_bytes(50) == 8 * 2**50


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="n must be >= 2"):
        noise.gradient_samples(1, 3)
    with pytest.raises(ValueError, match="even depth"):
        noise.gradient_samples(3, 3, init="identity")
    with pytest.raises(ValueError, match="p must be in"):
        noise.gradient_samples(3, 3, p=0.9)
    with pytest.raises(ValueError, match="n=9"):
        noise.gradient_samples(9, 3, p=0.1)
    with pytest.raises(ValueError, match="observable"):
        noise.gradient_samples(3, 3, observable="xx")
    with pytest.raises(ValueError, match="every_layer"):
        noise.gradient_samples(3, 4, init="identity", every_layer=True)
    with pytest.raises(ValueError, match="gradient must be non-zero"):
        noise.shots_to_resolve(0.0)
    with pytest.raises(TypeError, match="depth"):
        noise.gradient_samples(3, "deep")
    with pytest.raises(ValueError, match="cost"):
        noise.product_cost_gradient_variance(3, "medium")
