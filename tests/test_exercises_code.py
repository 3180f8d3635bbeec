"""Code exercises (issue 14): plausible wrong implementations are rejected, and the message
says what is wrong. The reference solutions are checked in test_exercises_rules.py."""

from __future__ import annotations

import numpy as np
import pytest

from clipq_edu import clipping
from clipq_edu.exercises import ch01, ch02, ch03a, ch03b, ch03c, ch05, ch06, ch07

# ------------------------------------------------------------------ 01.5 clipped step


def step_unclipped(x, g, lr, clip):
    return x - lr * g


def step_by_value(x, g, lr, clip):
    return x - lr * np.clip(g, -clip, clip)


def step_always_normalised(x, g, lr, clip):
    return x - lr * clip * g / np.linalg.norm(g)


def step_uphill(x, g, lr, clip):
    norm = np.linalg.norm(g)
    return x + lr * (min(1.0, clip / norm) if norm > 0 else 1.0) * g


def step_in_place(x, g, lr, clip):
    norm = np.linalg.norm(g)
    x -= lr * (min(1.0, clip / norm) if norm > 0 else 1.0) * g
    return x


# ------------------------------------------------------------------ 02.6 per-tensor clipnorm


def each_global(grads, c):
    return clipping.clip_by_global_norm(grads, c)[0]


def each_by_value(grads, c):
    return [np.clip(g, -c, c) for g in grads]


def each_always_scaled(grads, c):
    return [g * c / np.linalg.norm(g) if np.linalg.norm(g) > 0 else g for g in grads]


# ------------------------------------------------------------------ 03a.4 AutoClip step


def autoclip_percentile_first(grad, history, p):
    norm = float(np.linalg.norm(grad))
    threshold = np.percentile(history or [norm], p)
    return grad * min(1.0, threshold / norm), [*history, norm]


def autoclip_mutates(grad, history, p):
    norm = float(np.linalg.norm(grad))
    history.append(norm)
    return grad * min(1.0, np.percentile(history, p) / norm), history


def autoclip_mean(grad, history, p):
    norm = float(np.linalg.norm(grad))
    new = [*history, norm]
    return grad * min(1.0, np.mean(new) / norm), new


# ------------------------------------------------------------------ 03b.3 shift rule


def shift_finite_difference(f, theta):
    grad = np.zeros_like(theta)
    for k in range(theta.size):
        e = np.zeros_like(theta)
        e[k] = 1e-6
        grad[k] = (f(theta + e) - f(theta - e)) / 2e-6
    return grad


def shift_without_half(f, theta):
    grad = np.zeros_like(theta)
    for k in range(theta.size):
        e = np.zeros_like(theta)
        e[k] = np.pi / 2
        grad[k] = f(theta + e) - f(theta - e)
    return grad


def shift_all_at_once(f, theta):
    return np.full_like(theta, (f(theta + np.pi / 2) - f(theta - np.pi / 2)) / 2)


# ------------------------------------------------------------------ 05.6 local cost


def cost_global(z):
    return 1 - np.prod((1 + np.asarray(z)) / 2, axis=-1)


def cost_mean_z(z):
    return 1 - np.mean(z, axis=-1)


def cost_summed(z):
    return 1 - np.sum((1 + np.asarray(z)) / 2, axis=-1)


def cost_no_batch(z):
    return 1 - np.mean((1 + np.asarray(z)) / 2)


# ------------------------------------------------------------------ 06.6, 06.7: see
# tests/test_exercises_code_ch06.py


# ------------------------------------------------------------------ 07.7 standardize


def standardize_each_split(x_train, x_test):
    def one(x):
        std = x.std(axis=0)
        return (x - x.mean(axis=0)) / np.where(std > 0, std, 1.0)

    return one(x_train), one(x_test)


def standardize_divides_by_zero(x_train, x_test):
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    return (x_train - mean) / std, (x_test - mean) / std


def standardize_all_numbers(x_train, x_test):
    mean, std = x_train.mean(), x_train.std()
    return (x_train - mean) / std, (x_test - mean) / std


def standardize_by_variance(x_train, x_test):
    mean, var = x_train.mean(axis=0), x_train.var(axis=0)
    var = np.where(var > 0, var, 1.0)
    return (x_train - mean) / var, (x_test - mean) / var


WRONG = [
    (ch01.q5, step_unclipped, "was not clipped"),
    (ch01.q5, step_by_value, "not each entry"),
    (ch01.q5, step_always_normalised, "must be used unchanged"),
    (ch01.q5, step_uphill, "uphill"),
    (ch01.q5, step_in_place, "in place"),
    (ch02.q6, each_global, "global_clipnorm"),
    (ch02.q6, each_by_value, "L2 norm"),
    (ch02.q6, each_always_scaled, "on its own"),
    (ch03a.q4, autoclip_percentile_first, "append it to the history first"),
    (ch03a.q4, autoclip_mutates, "in place"),
    (ch03a.q4, autoclip_mean, "percentile"),
    (ch03b.q3, shift_finite_difference, "finite difference"),
    (ch03b.q3, shift_without_half, "twice the gradient"),
    (ch03b.q3, shift_all_at_once, "one parameter at a time"),
    (ch05.q6, cost_global, "global cost"),
    (ch05.q6, cost_mean_z, "(1 + ⟨Z⟩)/2"),
    (ch05.q6, cost_summed, "divide by n"),
    (ch05.q6, cost_no_batch, "shape"),
    (ch07.q7, standardize_each_split, "*training* mean"),
    (ch07.q7, standardize_divides_by_zero, "divided by 1, not by 0"),
    (ch07.q7, standardize_all_numbers, "each feature"),
    (ch07.q7, standardize_by_variance, "standard deviation 1"),
]


@pytest.mark.parametrize(("exercise", "wrong", "says"), WRONG,
                         ids=[f"{q.id}-{fn.__name__}" for q, fn, _ in WRONG])
def test_wrong_implementation_is_rejected_with_a_reason(exercise, wrong, says):
    fb = exercise.check(wrong)
    assert not fb, f"{exercise.id} accepts {wrong.__name__}"
    assert says in fb.message, fb.message


def test_every_code_exercise_has_at_least_two_wrong_implementations_tested():
    counts: dict[str, int] = {}
    for q, _, _ in WRONG:
        counts[q.id] = counts.get(q.id, 0) + 1
    # 03a.5, 03c.2, 03c.3: tests/test_exercises_code_ch03a.py and _ch03c.py; 05.7, 06.6, 06.7:
    # tests/test_exercises_code_ch05.py and _ch06.py
    assert set(counts) == {"01.5", "02.6", "03a.4", "03b.3", "05.6", "07.7"}
    assert min(counts.values()) >= 2


def test_checks_do_not_change_shared_case_data():
    """A learner's function that mutates its inputs must not poison the next check."""
    ch01.q5.check(step_in_place)
    ch03a.q4.check(autoclip_mutates)
    fb = ch01.q5.check(lambda x, g, lr, c: x - lr * min(1.0, c / np.linalg.norm(g)) * g
                       if np.linalg.norm(g) > 0 else x.copy())
    assert fb, fb.message


def test_solutions_stay_hidden_when_switched_off(monkeypatch):
    monkeypatch.setenv("CLIPQ_EDU_SOLUTIONS", "off")
    for q in (ch01.q5, ch02.q6, ch03a.q4, ch03b.q3, ch03c.q2, ch05.q6, ch05.q7, ch06.q6,
              ch06.q7, ch07.q7):
        text = q.solution()
        assert "def " not in text and "switched off" in text
    monkeypatch.delenv("CLIPQ_EDU_SOLUTIONS")
    assert "def clipped_step" in ch01.q5.solution()
