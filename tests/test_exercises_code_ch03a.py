"""Chapter 03a's exercises: 03a.1 and 03a.2 (numeric, typical mistakes) and the code exercises 03a.4, 03a.5.

For each code exercise: the reference solution passes, the stub is "not attempted", and
plausible wrong answers are rejected with a message naming the failing property.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from exercise_support import reference_function as _solution

from clipq_edu.exercises import ch03a

# ------------------------------------------------------------------ 03a.1


def test_q1_accepts_three_and_four_significant_figures():
    exact = 13 * 2.6 / math.sqrt(194)  # g2's norm times the common factor c/N
    for digits in (3, 4):
        assert ch03a.q1.check(float(f"{exact:.{digits - 1}e}")), digits
    assert not ch03a.q1.check(5.0)


@pytest.mark.parametrize(("answer", "says"), [
    (2.6, "global norm of both tensors"),                     # the bound / clipnorm on g2
    (math.sqrt(2 * 2.6**2), "entry by entry"),                # clip_by_value on g2
    (13.0, "before clipping"),                                # no clipping at all
    (5 * 2.6 / math.sqrt(194), "g1"),                         # the other tensor
])
def test_q1_names_each_typical_mistake(answer, says):
    fb = ch03a.q1.check(answer)
    assert not fb and says in fb.message, fb.message
    assert "2.43" not in fb.message and "2.427" not in fb.message


# ------------------------------------------------------------------ 03a.2


def test_q2_accepts_three_and_four_significant_figures():
    exact = 1e-9 * 1.0 / math.sqrt(1e-18 + 4e6)  # layer 1 times the common factor c/N
    for digits in (3, 4):
        assert ch03a.q2.check(float(f"{exact:.{digits - 1}e}")), digits
    assert ch03a.q2.check(5.00e-13)  # as the solution prints it
    fb = ch03a.q2.check(3e-12)
    assert not fb and "5e-13" not in fb.message and "5.00e-13" not in fb.message


@pytest.mark.parametrize(("answer", "says"), [
    (1e-9, "before clipping"),        # unchanged, as per-tensor clipnorm would leave it
    (1.0, "never enlarges"),          # scaled up to the bound
])
def test_q2_names_each_typical_mistake(answer, says):
    fb = ch03a.q2.check(answer)
    assert not fb and says in fb.message, fb.message
    assert "5e-13" not in fb.message and "5.00e-13" not in fb.message


# ------------------------------------------------------------------ 03a.5 BPTT


def _fd_gradient(w, x, y, eps=1e-6):
    def loss(v):
        h = 0.0
        for xt in x:
            h = v * h + xt
        return 0.5 * (h - y) ** 2
    return (loss(w + eps) - loss(w - eps)) / (2 * eps)


def test_q5_reference_matches_finite_differences_and_passes():
    fn = _solution(ch03a.q5, "bptt_gradient")
    rng = np.random.default_rng(0)
    for w in (1.1, 0.6, -0.7, 0.0):
        x, y = rng.normal(size=12), 0.3
        assert math.isclose(fn(w, x, y), _fd_gradient(w, x, y), rel_tol=1e-5, abs_tol=1e-7)
    assert fn(0.5, np.array([1.0, 2.0, 0.0]), 0.0) == pytest.approx(3.75)  # the prompt's example
    assert ch03a.q5.check(fn)


def test_q5_stub_is_not_attempted():
    fb = ch03a.q5.check(lambda w, x, y: None)
    assert not fb and "returns None" in fb.message


def _states(w, x):
    h = [0.0]
    for xt in x:
        h.append(w * h[-1] + xt)
    return h


def bptt_last_step_only(w, x, y):
    h = _states(w, x)
    return (h[-1] - y) * h[-2]


def bptt_without_loss(w, x, y):
    h = _states(w, x)
    return sum(w ** (len(x) - t) * h[t - 1] for t in range(1, len(x) + 1))


def bptt_uses_h_t(w, x, y):
    h = _states(w, x)
    return (h[-1] - y) * sum(w ** (len(x) - t) * h[t] for t in range(1, len(x) + 1))


def bptt_wrong_sign(w, x, y):
    h = _states(w, x)
    return (y - h[-1]) * sum(w ** (len(x) - t) * h[t - 1] for t in range(1, len(x) + 1))


def bptt_forward_powers(w, x, y):  # powers of w counted from the start, not from the end
    h = _states(w, x)
    return (h[-1] - y) * sum(w ** (t - 1) * h[t - 1] for t in range(1, len(x) + 1))


@pytest.mark.parametrize(("wrong", "says"), [
    (bptt_last_step_only, "only the last step"),
    (bptt_without_loss, "∂L/∂h_T is missing"),
    (bptt_uses_h_t, "the one before it"),
    (bptt_wrong_sign, "sign"),
    (bptt_forward_powers, "slope of the loss in w"),
])
def test_q5_rejects_wrong_answers_naming_the_property(wrong, says):
    fb = ch03a.q5.check(wrong)
    assert not fb and says in fb.message, fb.message


def test_q5_hints_hold_no_code():
    for hint in ch03a.q5.hints + ch03a.q4.hints:
        text = str(hint)
        assert "return " not in text and "def " not in text
        assert "new_history =" not in text and "scale =" not in text  # no working statement


# ------------------------------------------------------------------ 03a.4 AutoClip (kept)


def test_q4_reference_passes_and_stub_is_not_attempted():
    assert ch03a.q4.check(_solution(ch03a.q4, "autoclip_step"))
    assert not ch03a.q4.check(lambda g, h, p: None)


def autoclip_spectral_norm(grad, history, p):
    norm = float(np.linalg.norm(grad, 2))  # ord=2: the largest singular value for a matrix
    new_history = [*history, norm]
    threshold = np.percentile(new_history, p)
    return grad * min(1.0, threshold / norm) if norm > 0 else grad, new_history


def autoclip_ignores_current(grad, history, p):
    threshold = np.percentile(history or [1.0], p)
    norm = float(np.linalg.norm(grad))
    return grad * min(1.0, threshold / norm), [*history, norm]


def autoclip_in_place(grad, history, p):
    history.append(float(np.linalg.norm(grad)))
    threshold = np.percentile(history, p)
    return grad * min(1.0, threshold / history[-1]), list(history)


@pytest.mark.parametrize(("wrong", "says"), [
    (autoclip_spectral_norm, "spectral norm"),
    (autoclip_ignores_current, "ignores the current norm"),
    (autoclip_in_place, "in place"),
])
def test_q4_rejects_wrong_answers_naming_the_property(wrong, says):
    fb = ch03a.q4.check(wrong)
    assert not fb and says in fb.message, fb.message


def test_q4_prompt_names_the_frobenius_norm():
    assert "Frobenius" in str(ch03a.q4.prompt) and "ord=2" in str(ch03a.q4.prompt)
