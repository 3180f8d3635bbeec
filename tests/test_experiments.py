"""Tests for clipq_edu.experiments: closed forms checked independently, seeded experiments."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from clipq_edu import experiments as E


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
    assert np.var(grads_g) == pytest.approx(E.global_cost_variance_closed_form(n), abs=1e-14)
    assert np.var(grads_l) == pytest.approx(E.local_cost_variance_closed_form(n), abs=1e-14)
    assert abs(np.mean(grads_g)) < 1e-14


def test_loss_gradients_and_bounds():
    theta = np.linspace(1e-3, 2 * np.pi - 1e-3, 20001)
    out = E.bce_gradient_vs_theta(theta)
    np.testing.assert_allclose(out["p"], (1 + out["z"]) / 2, atol=1e-12)
    mid = slice(1, -1)
    dt = theta[1] - theta[0]
    for name in ("bce", "mse", "mse_p", "hinge"):
        numeric = (out[name][2:] - out[name][:-2]) / (2 * dt)
        ok = np.abs(theta[mid] - np.pi) > 0.05  # BCE's derivative is huge near pi
        np.testing.assert_allclose(numeric[ok], out["d" + name][mid][ok], rtol=1e-4, atol=1e-4)
    assert np.max(np.abs(out["dmse"])) == pytest.approx(E.MSE_GRAD_BOUND, rel=1e-6)
    assert np.max(np.abs(out["dmse_p"])) == pytest.approx(E.MSE_P_GRAD_BOUND, rel=1e-6)
    assert np.max(np.abs(out["dhinge"])) == pytest.approx(E.HINGE_GRAD_BOUND, rel=1e-6)
    near_pi = E.bce_gradient_vs_theta([np.pi - 1e-3])["dbce"][0]
    assert near_pi == pytest.approx(np.tan((np.pi - 1e-3) / 2)) and near_pi > 1e3
    with pytest.raises(ValueError, match="non-finite"):
        E.bce_gradient_vs_theta([np.nan])


def test_fit_decay_rate():
    slope, intercept = E.fit_decay_rate({n: 3 * 2.0**-n for n in (2, 4, 6)})
    assert slope == pytest.approx(-1) and intercept == pytest.approx(np.log2(3))
    with pytest.raises(ValueError, match=">= 2 entries"):
        E.fit_decay_rate({4: 0.1})
    with pytest.raises(ValueError, match="> 0"):
        E.fit_decay_rate({4: 0.1, 6: 0.0})


def test_argument_checks():
    with pytest.raises(ValueError, match="n_qubits must be >= 2"):
        E.barren_plateau_variance(1)
    with pytest.raises(ValueError, match="init"):
        E.barren_plateau_variance(4, init="zeros")
    with pytest.raises(ValueError, match="cost"):
        E.cost_gradient_variance(3, cost="medium")


# ---------------------------------------------------------------- slow (TFQ) -----------------
@pytest.mark.slow
def test_first_rotation_gradient_matches_parameter_shift_in_cirq():
    from clipq_edu import circuits as C
    from clipq_edu import gradients as G

    n, depth, rows = 3, 3, 4
    g = E._first_rotation_gradients(n, depth, rows, "random", seed=7)
    circuit, table = C.mcclean_random_circuit(n, depth)
    values, first = C.mcclean_random_values(n, depth, rows, seed=7)
    import cirq

    q = cirq.LineQubit.range(n)
    full = G.parameter_shift_gradient(circuit, list(table.ravel()), values, cirq.Z(q[0]) * cirq.Z(q[1]),
                                      backend="cirq")
    np.testing.assert_allclose(g, full[np.arange(rows), first], atol=1e-5)


@pytest.mark.slow
def test_identity_init_variance_is_one_eighteenth_for_every_n():
    n_circ = 400
    # gradient is -1/2 (y axis, prob 1/3) or 0: sigma^2 = 1/18, mu_4 = 1/216
    se = np.sqrt((1 / 216 - (1 / 18) ** 2) / n_circ)
    out = E.barren_plateau_variance([2, 4, 6], depth=8, n_circuits=n_circ, init="identity")
    for v in out.values():
        assert abs(v - 1 / 18) < 5 * se


@pytest.mark.slow
def test_random_circuits_show_decay_and_seed_reproducible():
    a = E.barren_plateau_variance([2, 4, 6, 8], depth=30, n_circuits=200, seed=1)
    b = E.barren_plateau_variance([2, 4, 6, 8], depth=30, n_circuits=200, seed=1)
    assert a == b
    slope, _ = E.fit_decay_rate(a)
    assert slope < -0.4  # seeded, so deterministic; McClean's 2-design limit gives about -1
    assert a[2] > 3 * a[8]


@pytest.mark.slow
def test_tutorial_style_estimates_the_same_variance():
    n_circ = 300
    ours = E._first_rotation_gradients(4, 10, n_circ, "random", seed=3)
    theirs = E.barren_plateau_tutorial_style(4, depth=10, n_circuits=n_circ, seed=4)[4]
    var = np.var(ours, ddof=1)
    se = np.sqrt(np.var((ours - ours.mean()) ** 2) / n_circ)  # standard error of a variance
    assert abs(theirs - var) < 5 * np.sqrt(2) * se


@pytest.mark.slow
@pytest.mark.parametrize("cost", ["global", "local"])
def test_cost_gradient_variance_matches_closed_forms(cost):
    n_samples = 2000
    out = E.cost_gradient_variance([2, 4, 6], cost=cost, n_samples=n_samples, seed=0)
    for n, v in out.items():
        if cost == "global":
            sigma2 = E.global_cost_variance_closed_form(n)
            mu4 = (3 / 8) / 16 * (35 / 128) ** (n - 1)  # E[sin^4/16] prod E[cos^8(t/2)]
        else:
            sigma2 = E.local_cost_variance_closed_form(n)
            mu4 = (3 / 8) / (16 * n**4)  # E[sin^4] / (2n)^4
        se = np.sqrt((mu4 - sigma2**2) / n_samples)
        assert abs(v - sigma2) < 5 * se, (n, v, sigma2)
    if cost == "global":
        assert out[6] < out[2] / 20
