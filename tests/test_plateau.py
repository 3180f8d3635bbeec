"""course.plateau: global vs local cost of the product ansatz, from shots (chapter 05)."""

from __future__ import annotations

import numpy as np
import pytest

from clipq_edu.course import plateau


def test_exact_costs_and_their_closed_form_variance():
    theta = np.random.default_rng(0).uniform(0, 2 * np.pi, (20000, 6))
    shift = np.zeros(6)
    shift[0] = np.pi / 2
    for cost in plateau.COSTS:  # Cerezo et al.: (1/8)(3/8)^(n-1) and 1/(8 n^2)
        g = (plateau.product_cost(theta + shift, cost) - plateau.product_cost(theta - shift, cost)) / 2
        expected = 0.125 * 0.375**5 if cost == "global" else 1 / (8 * 36)
        assert abs(g.var() / expected - 1) < 0.05


def test_shot_gradient_is_unbiased_and_seeded():
    theta = np.array([0.3, 1.1, 2.0])
    exact = np.array([(plateau.product_cost(theta + s, "local") - plateau.product_cost(theta - s, "local")) / 2
                      for s in np.eye(3) * np.pi / 2])
    draws = np.array([plateau.shot_gradient(theta, "local", 500, np.random.default_rng(k))
                      for k in range(400)])
    assert np.all(np.abs(draws.mean(axis=0) - exact) < 5 * draws.std(axis=0) / np.sqrt(400))
    a = plateau.shot_gradient(theta, "global", 50, np.random.default_rng(7))
    np.testing.assert_array_equal(a, plateau.shot_gradient(theta, "global", 50, np.random.default_rng(7)))


def test_local_cost_trains_where_the_global_cost_is_flat():
    local = plateau.train_product_ansatz(10, "local", steps=40, shots=100, seed=1)
    glob = plateau.train_product_ansatz(10, "global", steps=40, shots=100, seed=1)
    assert local["cost"][-1] < 0.05 and glob["cost"][-1] > 0.9
    assert np.mean(glob["grad_norm"] == 0) > 0.5  # the shots see nothing to follow


@pytest.mark.parametrize("call, name", [
    (lambda: plateau.product_cost([np.nan, 1.0], "local"), "theta"),
    (lambda: plateau.product_cost([1.0], "medium"), "cost"),
    (lambda: plateau.train_product_ansatz(0, "local"), "n_qubits"),
    (lambda: plateau.train_product_ansatz(3, "local", init=[0.0, 1.0]), "init"),
    (lambda: plateau.shot_cost([0.1], "local", 0, np.random.default_rng(0)), "shots"),
])
def test_bad_arguments_are_named(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()
