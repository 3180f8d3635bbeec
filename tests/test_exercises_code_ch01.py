"""Chapter 01's exercises (issues 26/27): code exercises checked by behaviour, numeric ones
accepting the true value at 3 and 4 significant figures and naming each typical mistake."""

from __future__ import annotations

import math

import numpy as np
import pytest
from exercise_support import reference_function as _solution

from clipq_edu.exercises import ch01 as ex


# ------------------------------------------------------------------ 01.6 backprop
def backprop_forward_order(jacobians, grad_out):
    g = grad_out
    for jac in jacobians:
        g = jac.T @ g
    return g


def backprop_no_transpose(jacobians, grad_out):
    g = grad_out
    for jac in reversed(jacobians):
        g = jac @ g
    return g


def backprop_product_of_norms(jacobians, grad_out):
    return np.ones(jacobians[0].shape[1]) * np.prod([np.linalg.norm(j) for j in jacobians])


def backprop_in_place(jacobians, grad_out):
    jacobians.reverse()
    g = grad_out
    for jac in jacobians:
        g = jac.T @ g
    return g


# ------------------------------------------------------------------ 01.7 max_qubits
def qubits_rounded(memory_bytes, bytes_per_amplitude):
    return round(math.log2(memory_bytes / bytes_per_amplitude))


def qubits_without_bytes(memory_bytes, bytes_per_amplitude):
    return math.floor(math.log2(memory_bytes))


def qubits_ceil(memory_bytes, bytes_per_amplitude):
    return math.ceil(math.log2(memory_bytes / bytes_per_amplitude))


def qubits_float(memory_bytes, bytes_per_amplitude):
    return math.log2(memory_bytes / bytes_per_amplitude)


def qubits_by_float_log(memory_bytes, bytes_per_amplitude):
    """A legitimate reading: a float log2 rounded down (exact at these sizes)."""
    return max(int(np.floor(np.log2(memory_bytes / bytes_per_amplitude))), 0)


WRONG = [
    (ex.q6, backprop_forward_order, "wrong order"),
    (ex.q6, backprop_no_transpose, "transpose"),
    (ex.q6, backprop_product_of_norms, "chain rule"),
    (ex.q6, backprop_in_place, "in place"),
    (ex.q7, qubits_rounded, "does not fit"),
    (ex.q7, qubits_without_bytes, "does not fit"),
    (ex.q7, qubits_ceil, "does not fit"),
    (ex.q7, qubits_float, "whole number"),
]


@pytest.mark.parametrize("q", [ex.q5, ex.q6, ex.q7], ids=lambda q: q.id)
def test_reference_solution_passes_and_stub_is_not_attempted(q):
    fb = q.check(_solution(q))
    assert fb, fb.message

    def stub(*args):
        return None

    fb = q.check(stub)
    assert not fb and "returns None" in fb.message


@pytest.mark.parametrize(("q", "wrong", "says"), WRONG,
                         ids=[f"{q.id}-{fn.__name__}" for q, fn, _ in WRONG])
def test_wrong_answers_are_rejected_naming_the_property(q, wrong, says):
    fb = q.check(wrong)
    assert not fb, f"{q.id} accepts {wrong.__name__}"
    assert says in fb.message, fb.message


def test_a_float_log_rounded_down_is_accepted():
    assert ex.q7.check(qubits_by_float_log)


def test_max_qubits_example_of_the_prompt():
    # the prompt's example, written out: 1 MiB / 8 B = 2**17 amplitudes
    assert _solution(ex.q7)(2**20, 8) == 17 and "17 qubits" in str(ex.q7.prompt)


def test_no_code_hint_gives_the_working_statement():
    for q in (ex.q5, ex.q6, ex.q7):
        for hint in q.hints:
            assert "return " not in str(hint)
    assert "g = J.T @ g" not in " ".join(str(h) for h in ex.q6.hints)
    assert "bit_length() - 1" not in " ".join(str(h) for h in ex.q7.hints)


# ------------------------------------------------------------------ numeric exercises
def _at(value: float, figures: int) -> float:
    return float(f"{value:.{figures - 1}e}")


@pytest.mark.parametrize("q", [ex.q1, ex.q2, ex.q3], ids=lambda q: q.id)
def test_true_value_at_3_and_4_significant_figures(q):
    want = float(q.expected())
    if want == round(want):  # integers are asked exactly
        assert q.check(int(want))
    else:
        assert q.check(_at(want, 3)) and q.check(_at(want, 4))
    assert not q.check(want * 7)


MISTAKES = [
    (ex.q1, 0.005, "x0 = 10"),                # the chapter's start
    (ex.q1, 2 / 4.0**2, "4 x**3"),           # dropping the 4 of f'
    (ex.q1, 2 / (12 * 4.0**2), "curvature"),  # 2/L with L = f''(x0)
    (ex.q2, 772, "lr = 0.2"),
    (ex.q2, 1553, "continuous estimate"),
    (ex.q2, 1462, "tail alone"),
    (ex.q3, 2**34 * 8 / 2**30, "complex64"),
    (ex.q3, 274.9, "GB"),
]


@pytest.mark.parametrize(("q", "value", "says"), MISTAKES,
                         ids=[f"{q.id}-{v:g}" for q, v, _ in MISTAKES])
def test_each_typical_mistake_is_named(q, value, says):
    fb = q.check(value)
    assert not fb and says in fb.message, fb.message
    assert f"{float(q.expected()):g}" not in fb.message
