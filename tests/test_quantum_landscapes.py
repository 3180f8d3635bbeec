"""clipq_edu.quantum.landscapes (and the McClean simulator) against Cirq and closed forms."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from clipq_edu.quantum import landscapes as L
from clipq_edu.quantum import resources, sampling, simulate
from clipq_edu.quantum.circuits import mcclean_random_values


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
    mine = simulate.mcclean_expectation(values, n_qubits=n, depth=depth, observable=observable,
                                        p=p)
    ref = simulate.mcclean_expectation(values, n_qubits=n, depth=depth, observable=observable,
                                       p=p, backend="cirq")
    np.testing.assert_allclose(mine, ref, atol=1e-6)


def test_parameter_shift_matches_finite_difference_under_noise():
    n, depth, p = 3, 4, 0.05
    values, first = mcclean_random_values(n, depth, 2, seed=2)
    g = L.gradient_samples(n, depth, 2, seed=2, p=p)
    h = 1e-5
    for b in range(2):
        plus, minus = values[b].copy(), values[b].copy()
        plus[first[b]] += h
        minus[first[b]] -= h
        fd = (simulate.mcclean_expectation(plus, n_qubits=n, depth=depth, p=p, backend="cirq")
              - simulate.mcclean_expectation(minus, n_qubits=n, depth=depth, p=p, backend="cirq")) / (2 * h)
        assert g[b] == pytest.approx(fd, abs=1e-5)


@pytest.mark.slow
def test_deep_random_circuits_match_haar_variance():
    for n in (3, 6):
        g = L.gradient_samples(n, 100, 400, seed=1)
        want = L.haar_gradient_variance(n)
        assert abs(g.var() - want) < 5 * _var_se(g)


def test_haar_variance_closed_form_values():
    assert L.haar_gradient_variance(1) == pytest.approx(2 / 9)
    assert L.haar_gradient_variance(10) * 2**10 * 3 == pytest.approx(1, rel=1e-6)


@pytest.mark.slow
def test_identity_init_is_flat_and_matches_closed_form():
    for n in (2, 5, 8):
        g = L.gradient_samples(n, 20, 600, seed=3, init="identity")
        # Exact values: -1/2 for a y rotation, 0 for x and z.
        assert set(np.round(g, 9)) <= {0.0, -0.5}
        assert abs(g.var() - L.identity_init_gradient_variance()) < 5 * _var_se(g)


def test_every_layer_last_row_equals_full_run():
    a = L.gradient_samples(4, 6, 10, seed=0, every_layer=True)
    b = L.gradient_samples(4, 6, 10, seed=0)
    assert a.shape == (6, 10)
    np.testing.assert_allclose(a[-1], b, atol=1e-12)
    c = L.gradient_samples(4, 3, 10, seed=0)  # a different draw: not a prefix
    assert c.shape == (10,)


def test_noise_bound_holds_and_single_qubit_decay_is_exact():
    n, depth, p = 3, 12, 0.05
    g = L.gradient_samples(n, depth, 100, seed=4, p=p, every_layer=True)
    for layer in range(depth):
        assert np.max(np.abs(g[layer])) <= L.noisy_gradient_bound(n, layer + 1, p) + 1e-12
    # p=0 on the density-matrix path equals the pure-state path.
    np.testing.assert_allclose(L.gradient_samples(3, 5, 20, seed=0, p=0.0),
                               L.gradient_samples(3, 5, 20, seed=0), atol=1e-10)


def test_full_depolarisation_kills_gradient():
    g = L.gradient_samples(2, 3, 20, seed=0, p=0.75)
    np.testing.assert_allclose(g, 0.0, atol=1e-12)


@pytest.mark.parametrize("cost", ["global", "local"])
def test_product_cost_variance_matches_closed_form(cost):
    for n in (1, 4, 7):
        g = L.product_cost_gradient_samples(n, cost, 4000, seed=n)
        want = L.product_cost_gradient_variance(n, cost)
        assert abs(g.var() - want) < 5 * _var_se(g)


def test_product_cost_gradient_matches_formula():
    rng = np.random.default_rng(0)
    theta = rng.uniform(0, 2 * np.pi, size=(4000, 3))
    g = L.product_cost_gradient_samples(3, "global", 4000, seed=0)
    want = 0.5 * np.sin(theta[:, 0]) * np.prod(np.cos(theta[:, 1:] / 2) ** 2, axis=1)
    np.testing.assert_allclose(g, want, atol=1e-10)


def test_fit_log2_slope_recovers_exponent():
    n = np.arange(2, 9)
    slope, intercept = L.fit_log2_slope(n, 3.0 * 2.0 ** (-0.8 * n))
    assert slope == pytest.approx(-0.8)
    assert intercept == pytest.approx(math.log2(3.0))


def test_shots_to_resolve_against_binomial_simulation():
    g_true, z = 0.05, 2.0
    shots = sampling.shots_to_resolve(g_true, z=z)
    assert shots == 800  # z² · (1/2) / g² = 4 · 0.5 / 0.0025
    # Worst case <H> = 0 on both terms: each term is a mean of +-1 outcomes.
    rng = np.random.default_rng(0)
    f_plus = 2 * rng.binomial(shots, 0.5, size=20000) / shots - 1
    f_minus = 2 * rng.binomial(shots, 0.5, size=20000) / shots - 1
    est_sd = np.std(0.5 * (f_plus - f_minus))
    assert est_sd * z == pytest.approx(g_true, rel=0.05)
    np.testing.assert_array_equal(sampling.shots_to_resolve([0.1, 0.01]), [200, 20000])


def test_memory():
    assert resources.simulation_memory_bytes(20) == 8 * 2**20
    assert resources.simulation_memory_bytes(10, "density", 16) == 16 * 4**10
    assert resources.simulation_memory_bytes(50) == 8 * 2**50


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="n_qubits must be >= 2"):
        L.gradient_samples(1, 3)
    with pytest.raises(ValueError, match="even depth"):
        L.gradient_samples(3, 3, init="identity")
    with pytest.raises(ValueError, match="p must be in"):
        L.gradient_samples(3, 3, p=0.9)
    with pytest.raises(ValueError, match="n_qubits=9"):
        L.gradient_samples(9, 3, p=0.1)
    with pytest.raises(ValueError, match="observable"):
        L.gradient_samples(3, 3, observable="xx")
    with pytest.raises(ValueError, match="every_layer"):
        L.gradient_samples(3, 4, init="identity", every_layer=True)
    with pytest.raises(ValueError, match="gradient must be non-zero"):
        sampling.shots_to_resolve(0.0)
    with pytest.raises(TypeError, match="depth"):
        L.gradient_samples(3, "deep")
    with pytest.raises(ValueError, match="cost"):
        L.product_cost_gradient_variance(3, "medium")


# ------------------------------------------- one implementation, three backends --------------
@pytest.mark.parametrize("init", ["random", "identity"])
def test_gradient_samples_numpy_matches_cirq_backend(init):
    kw = dict(n_circuits=4, seed=3, init=init)
    np.testing.assert_allclose(L.gradient_samples(3, 4, **kw),
                               L.gradient_samples(3, 4, backend="cirq", **kw), atol=1e-10)


def test_gradient_samples_is_the_shift_rule_on_the_simulator():
    n, depth = 3, 5
    values, first = mcclean_random_values(n, depth, 6, seed=11)
    g = L.gradient_samples(n, depth, 6, seed=11)

    def f(rows):
        return simulate.mcclean_expectation(rows, n_qubits=n, depth=depth, backend="cirq")

    rows = np.arange(6)
    plus, minus = values.copy(), values.copy()
    plus[rows, first] += np.pi / 2
    minus[rows, first] -= np.pi / 2
    np.testing.assert_allclose(g, 0.5 * (f(plus) - f(minus)), atol=1e-10)


def test_mcclean_expectation_shapes_and_errors():
    values, _ = mcclean_random_values(3, 2, 4, seed=0)
    assert simulate.mcclean_expectation(values, n_qubits=3, depth=2).shape == (4,)
    assert simulate.mcclean_expectation(values[0], n_qubits=3, depth=2).shape == ()
    assert simulate.mcclean_expectation(values, n_qubits=3, depth=2, every_layer=True).shape == (
        2, 4)
    with pytest.raises(ValueError, match="values must be"):
        simulate.mcclean_expectation(values, n_qubits=3, depth=3)
    with pytest.raises(ValueError, match="every_layer=True needs backend='numpy'"):
        simulate.mcclean_expectation(values, n_qubits=3, depth=2, every_layer=True,
                                     backend="cirq")
    with pytest.raises(ValueError, match="pure states only"):
        simulate.mcclean_expectation(values, n_qubits=3, depth=2, p=0.1, backend="tfq")
    with pytest.raises(ValueError, match="backend"):
        simulate.mcclean_expectation(values, n_qubits=3, depth=2, backend="qiskit")
    with pytest.raises(TypeError, match="positional"):
        simulate.mcclean_expectation(values, 3, 2)  # keyword-only: no positional flags


def test_seeded_landscapes_repeat():
    from clipq_edu.testing import assert_same_seed_same_numbers

    assert_same_seed_same_numbers(L.gradient_samples, 3, 4, 10)
    assert_same_seed_same_numbers(L.barren_plateau_variance, [2, 3], depth=4, n_circuits=10,
                                  backend="numpy")
    assert_same_seed_same_numbers(L.product_cost_gradient_samples, 3, "local", 50)


# ---------------------------------------------------------------- from test_experiments -------
def _product_state(thetas: np.ndarray) -> np.ndarray:
    state = np.array([1.0])
    for t in thetas:
        state = np.kron(state, [np.cos(t / 2), np.sin(t / 2)])
    return state


def _costs(thetas: np.ndarray) -> tuple[float, float]:
    """C_G = 1 - P(all 0) and C_L = 1 - mean_j P(q_j = 0), from the simulated state."""
    n = len(thetas)
    p = (_product_state(thetas) ** 2).reshape([2] * n)
    p_zero = [p.take(0, axis=j).sum() for j in range(n)]
    return 1 - p.reshape(-1)[0], 1 - float(np.mean(p_zero))


@pytest.mark.parametrize("n", [1, 2, 3])
def test_cost_closed_forms_by_exact_quadrature(n):
    """A uniform grid of M angles integrates trigonometric polynomials of degree < M exactly,
    so the grid mean over all theta vectors is the exact expectation over uniform angles."""
    grid = 2 * np.pi * np.arange(8) / 8
    grads_g, grads_l = [], []
    for thetas in itertools.product(grid, repeat=n):
        thetas = np.array(thetas)
        plus, minus = thetas.copy(), thetas.copy()
        plus[0] += np.pi / 2
        minus[0] -= np.pi / 2
        (gp, lp), (gm, lm) = _costs(plus), _costs(minus)
        grads_g.append(0.5 * (gp - gm))
        grads_l.append(0.5 * (lp - lm))
    assert np.var(grads_g) == pytest.approx(L.product_cost_gradient_variance(n, "global"),
                                            abs=1e-14)
    assert np.var(grads_l) == pytest.approx(L.product_cost_gradient_variance(n, "local"),
                                            abs=1e-14)
    assert abs(np.mean(grads_g)) < 1e-14


def test_loss_gradients_and_bounds():
    theta = np.linspace(1e-3, 2 * np.pi - 1e-3, 20001)
    out = L.bce_gradient_vs_theta(theta)
    np.testing.assert_allclose(out["p"], (1 + out["z"]) / 2, atol=1e-12)
    mid = slice(1, -1)
    dt = theta[1] - theta[0]
    for name in ("bce", "mse", "mse_p", "hinge"):
        numeric = (out[name][2:] - out[name][:-2]) / (2 * dt)
        ok = np.abs(theta[mid] - np.pi) > 0.05  # BCE's derivative is huge near pi
        np.testing.assert_allclose(numeric[ok], out["d" + name][mid][ok], rtol=1e-4, atol=1e-4)
    assert np.max(np.abs(out["dmse"])) == pytest.approx(L.MSE_GRAD_BOUND, rel=1e-6)
    assert np.max(np.abs(out["dmse_p"])) == pytest.approx(L.MSE_P_GRAD_BOUND, rel=1e-6)
    assert np.max(np.abs(out["dhinge"])) == pytest.approx(L.HINGE_GRAD_BOUND, rel=1e-6)
    near_pi = L.bce_gradient_vs_theta([np.pi - 1e-3])["dbce"][0]
    assert near_pi == pytest.approx(np.tan((np.pi - 1e-3) / 2)) and near_pi > 1e3
    with pytest.raises(ValueError, match="non-finite"):
        L.bce_gradient_vs_theta([np.nan])


def test_fit_log2_slope_of_a_dict():
    slope, intercept = L.fit_log2_slope({n: 3 * 2.0**-n for n in (2, 4, 6)})
    assert slope == pytest.approx(-1) and intercept == pytest.approx(np.log2(3))
    with pytest.raises(ValueError, match=">= 2 entries"):
        L.fit_log2_slope({4: 0.1})
    with pytest.raises(ValueError, match="> 0"):
        L.fit_log2_slope({4: 0.1, 6: 0.0})
    with pytest.raises(ValueError, match="y is missing"):
        L.fit_log2_slope([1, 2])


def test_argument_checks():
    with pytest.raises(ValueError, match="n_qubits must be >= 2"):
        L.barren_plateau_variance(1)
    with pytest.raises(ValueError, match="init"):
        L.barren_plateau_variance(4, init="zeros")
    with pytest.raises(ValueError, match="cost"):
        L.cost_gradient_variance(3, cost="medium")
    with pytest.raises(ValueError, match="backend"):
        L.gradient_samples(3, 3, backend="jax")


# ---------------------------------------------------------------- slow (TFQ) -----------------
@pytest.mark.slow
def test_tfq_backend_matches_numpy_and_cirq():
    values, _ = mcclean_random_values(3, 3, 5, seed=2)
    kw = dict(n_qubits=3, depth=3)
    exact = simulate.mcclean_expectation(values, **kw)
    np.testing.assert_allclose(simulate.mcclean_expectation(values, backend="tfq", **kw), exact,
                               atol=1e-5)
    np.testing.assert_allclose(simulate.mcclean_expectation(values, backend="cirq", **kw), exact,
                               atol=1e-10)
    np.testing.assert_allclose(L.gradient_samples(4, 6, 20, seed=1, backend="tfq"),
                               L.gradient_samples(4, 6, 20, seed=1), atol=1e-5)
    a = L.barren_plateau_variance([2, 4], depth=6, n_circuits=30, seed=2, backend="tfq")
    b = L.barren_plateau_variance([2, 4], depth=6, n_circuits=30, seed=2)  # numpy by default
    for n in a:
        assert a[n] == pytest.approx(b[n], rel=1e-4, abs=1e-8)
    c = L.cost_gradient_variance([2, 3], "global", n_samples=50, seed=1)
    d = L.cost_gradient_variance([2, 3], "global", n_samples=50, seed=1, backend="numpy")
    for n in c:
        assert c[n] == pytest.approx(d[n], rel=1e-4)


@pytest.mark.slow
def test_first_rotation_gradient_matches_parameter_shift_in_cirq():
    import cirq

    from clipq_edu.quantum import circuits as C
    from clipq_edu.quantum import gradients as G

    n, depth, rows = 3, 3, 4
    g = L.gradient_samples(n, depth, rows, seed=7, backend="tfq")
    circuit, table = C.mcclean_random_circuit(n, depth)
    values, first = C.mcclean_random_values(n, depth, rows, seed=7)
    q = cirq.LineQubit.range(n)
    full = G.parameter_shift_gradient(circuit, list(table.ravel()), values,
                                      cirq.Z(q[0]) * cirq.Z(q[1]), backend="cirq")
    np.testing.assert_allclose(g, full[np.arange(rows), first], atol=1e-5)


@pytest.mark.slow
def test_identity_init_variance_is_one_eighteenth_for_every_n():
    n_circ = 400
    # gradient is -1/2 (y axis, prob 1/3) or 0: sigma^2 = 1/18, mu_4 = 1/216
    se = np.sqrt((1 / 216 - (1 / 18) ** 2) / n_circ)
    out = L.barren_plateau_variance([2, 4, 6], depth=8, n_circuits=n_circ, init="identity")
    for v in out.values():
        assert abs(v - 1 / 18) < 5 * se


@pytest.mark.slow
def test_random_circuits_show_decay_and_seed_reproducible():
    a = L.barren_plateau_variance([2, 4, 6, 8], depth=30, n_circuits=200, seed=1)
    b = L.barren_plateau_variance([2, 4, 6, 8], depth=30, n_circuits=200, seed=1)
    assert a == b
    slope, _ = L.fit_log2_slope(a)
    assert slope < -0.4  # seeded, so deterministic; McClean's 2-design limit gives about -1
    assert a[2] > 3 * a[8]


@pytest.mark.slow
def test_tutorial_style_estimates_the_same_variance():
    n_circ = 300
    ours = L.gradient_samples(4, 10, n_circ, seed=3, backend="tfq")
    theirs = L.barren_plateau_tutorial_style(4, depth=10, n_circuits=n_circ, seed=4)[4]
    var = np.var(ours, ddof=1)
    se = np.sqrt(np.var((ours - ours.mean()) ** 2) / n_circ)  # standard error of a variance
    assert abs(theirs - var) < 5 * np.sqrt(2) * se


@pytest.mark.slow
@pytest.mark.parametrize("cost", ["global", "local"])
def test_cost_gradient_variance_matches_closed_forms(cost):
    n_samples = 2000
    out = L.cost_gradient_variance([2, 4, 6], cost=cost, n_samples=n_samples, seed=0)
    for n, v in out.items():
        sigma2 = L.product_cost_gradient_variance(n, cost)
        if cost == "global":
            mu4 = (3 / 8) / 16 * (35 / 128) ** (n - 1)  # E[sin^4/16] prod E[cos^8(t/2)]
        else:
            mu4 = (3 / 8) / (16 * n**4)  # E[sin^4] / (2n)^4
        se = np.sqrt((mu4 - sigma2**2) / n_samples)
        assert abs(v - sigma2) < 5 * se, (n, v, sigma2)
    if cost == "global":
        assert out[6] < out[2] / 20
