"""Chapter 03c's exercises: 03c.1 (choice) and the code exercises 03c.2 (shot budget) and
03c.3 (a hybrid gradient through a scaled angle encoding).

For each code exercise: the reference solution passes, the stub is "not attempted", and
plausible wrong answers are rejected with a message naming the failing property.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from exercise_support import reference_function as _solution

from clipq_edu.exercises import ch03c
from clipq_edu.quantum import sampling


def test_q1_only_b_and_each_wrong_option_explains_itself():
    assert ch03c.q1.check("b")
    for key in "acd":
        fb = ch03c.q1.check(key)
        assert not fb and fb.message


# ------------------------------------------------------------------ 03c.2 shot budget


def test_q2_reference_reaches_the_target_by_simulation():
    """The budget's N, sampled: the spread of shift-rule estimates is at most the target."""
    fn = _solution(ch03c.q2, "shot_budget")
    mu_p, mu_m, target = np.array([0.2, -0.6]), np.array([0.5, 0.1]), 0.05
    n, total = fn(mu_p, mu_m, target)
    assert total == 4 * n
    rng = np.random.default_rng(0)
    p_plus, p_minus = (1 + mu_p) / 2, (1 + mu_m) / 2  # probability of outcome +1
    draws = 20000
    plus = 2 * rng.binomial(n, p_plus, size=(draws, 2)) / n - 1
    minus = 2 * rng.binomial(n, p_minus, size=(draws, 2)) / n - 1
    sd = ((plus - minus) / 2).std(axis=0)
    assert np.all(sd <= target * 1.03)  # 1.03: the sd of 20000 draws is known to ~0.5 %
    assert sd.max() > target * 0.9  # and not wastefully many shots


def test_q2_reference_and_stub():
    assert ch03c.q2.check(_solution(ch03c.q2, "shot_budget"))
    fb = ch03c.q2.check(lambda a, b, c: None)
    assert not fb and "returns None" in fb.message


def _var(mp, mm):
    return ((1 - np.asarray(mp) ** 2) + (1 - np.asarray(mm) ** 2)) / 4


def budget_mean_entry(mp, mm, t):
    n = max(1, math.ceil(np.mean(_var(mp, mm)) / t**2 - 1e-9))
    return n, 2 * len(mp) * n


def budget_no_quarter(mp, mm, t):
    n = max(1, math.ceil(np.max(4 * _var(mp, mm)) / t**2 - 1e-9))
    return n, 2 * len(mp) * n


def budget_rounded(mp, mm, t):
    n = max(1, round(np.max(_var(mp, mm)) / t**2))
    return n, 2 * len(mp) * n


def budget_one_circuit_per_parameter(mp, mm, t):
    n = max(1, math.ceil(np.max(_var(mp, mm)) / t**2 - 1e-9))
    return n, len(mp) * n


def budget_float(mp, mm, t):
    n = np.max(_var(mp, mm)) / t**2
    return n, 2 * len(mp) * n


def budget_zero_when_deterministic(mp, mm, t):
    n = math.ceil(np.max(_var(mp, mm)) / t**2 - 1e-9)
    return n, 2 * len(mp) * n


@pytest.mark.parametrize(("wrong", "says"), [
    (budget_mean_entry, "noisiest entry"),
    (budget_no_quarter, "4x too many"),
    (budget_rounded, "still above the target"),
    (budget_one_circuit_per_parameter, "two circuits"),
    (budget_float, "whole numbers"),
    (budget_zero_when_deterministic, "at least 1"),
])
def test_q2_rejects_wrong_answers_naming_the_property(wrong, says):
    fb = ch03c.q2.check(wrong)
    assert not fb and says in fb.message, fb.message


def test_q2_uses_the_one_shot_budget_formula():
    """The checker's reference is quantum.sampling.shots_needed, entry by entry."""
    n = ch03c._reference_budget(np.array([0.0, 0.5]), np.array([0.0, -0.5]), 0.01)
    assert n == (int(sampling.shots_needed(0.5, 0.01)), 20000)


# ------------------------------------------------------------------ 03c.3 hybrid gradient


def _fd(circuit, w, b, x, y, s, eps=1e-6):
    def loss(w_, b_):
        return np.mean((circuit(w_ * s * x + b_) - y) ** 2)
    return np.array([(loss(w + eps, b) - loss(w - eps, b)) / (2 * eps),
                     (loss(w, b + eps) - loss(w, b - eps)) / (2 * eps)])


def test_q3_reference_matches_finite_differences_and_passes():
    fn = _solution(ch03c.q3, "hybrid_gradient")
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=6), rng.choice([-1.0, 1.0], size=6)
    for circuit in (np.cos, lambda t: 0.5 * np.sin(t) - 0.3 * np.cos(t) + 0.2):
        for s in (1.0, 30.0):
            np.testing.assert_allclose(fn(circuit, 0.05, 0.2, x, y, s),
                                       _fd(circuit, 0.05, 0.2, x, y, s), rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(fn(np.cos, 0.3, 0.1, np.array([0.5, -1.0, 2.0]),
                                  np.array([1.0, -1.0, 1.0]), 1.0), [-0.0577, 0.368], atol=6e-4)
    assert ch03c.q3.check(fn)


def test_q3_stub_is_not_attempted():
    assert not ch03c.q3.check(lambda c, w, b, x, y, s: None)


def _parts(circuit, w, b, x, y, s):
    theta = w * s * x + b
    dz = (circuit(theta + np.pi / 2) - circuit(theta - np.pi / 2)) / 2
    return theta, dz, 2 * (circuit(theta) - y) / len(x)


def hybrid_no_scale(circuit, w, b, x, y, s):
    _, dz, r = _parts(circuit, w, b, x, y, s)
    return np.array([np.sum(r * dz * x), np.sum(r * dz)])


def hybrid_assumes_cos(circuit, w, b, x, y, s):
    theta, _, r = _parts(circuit, w, b, x, y, s)
    return np.array([np.sum(-r * np.sin(theta) * s * x), np.sum(-r * np.sin(theta))])


def hybrid_no_half(circuit, w, b, x, y, s):
    _, dz, r = _parts(circuit, w, b, x, y, s)
    return 2 * np.array([np.sum(r * dz * s * x), np.sum(r * dz)])


def hybrid_sum_not_mean(circuit, w, b, x, y, s):
    _, dz, r = _parts(circuit, w, b, x, y, s)
    return len(x) * np.array([np.sum(r * dz * s * x), np.sum(r * dz)])


def hybrid_b_with_x(circuit, w, b, x, y, s):
    _, dz, r = _parts(circuit, w, b, x, y, s)
    return np.array([np.sum(r * dz * s * x), np.sum(r * dz * x)])


@pytest.mark.parametrize(("wrong", "says"), [
    (hybrid_no_scale, "input scale"),
    (hybrid_assumes_cos, "assumes the circuit gives cos θ"),
    (hybrid_no_half, "divides the difference by 2"),
    (hybrid_sum_not_mean, "mean over the points"),
    (hybrid_b_with_x, "∂L/∂b does not match the loss's slope"),
])
def test_q3_rejects_wrong_answers_naming_the_property(wrong, says):
    fb = ch03c.q3.check(wrong)
    assert not fb and says in fb.message, fb.message


def test_code_hints_hold_no_return():
    for q in (ch03c.q2, ch03c.q3):
        assert all("return " not in str(h) for h in q.hints)


def test_q3_hints_hold_no_formula_of_the_solution():
    text = " ".join(str(h) for h in ch03c.q3.hints)
    assert "π/2" not in text and "2(z" not in text and "s·x" not in text
