"""Chapter 03 exercises: right answers pass, wrong ones fail without revealing the answer."""

from __future__ import annotations

import math

import numpy as np
import pytest

from clipq_edu.course import analysis
from clipq_edu.exercises import ch03 as ex


def _no_leak(feedback, value):
    text = str(feedback)
    for digits in (3, 4, 6):
        assert f"{value:.{digits}f}" not in text


def test_q1_parameter_shift_cosine():
    assert ex.q1.check(-math.sin(0.3))
    fb = ex.q1.check(math.sin(0.3))
    assert not fb and "sign" in fb.message
    _no_leak(fb, -math.sin(0.3))
    assert not ex.q1.check("minus sine")
    assert not ex.q1.check(None)


def test_q2_global_norm_after_clipping():
    assert ex.q2.check(2.6)
    fb = ex.q2.check(math.sqrt(194))
    assert not fb and "too large" in fb.message
    assert not ex.q2.check([2.6, 2.6])


def test_q3_clipping_never_enlarges():
    assert ex.q3.check("b")
    for wrong in "acd":
        fb = ex.q3.check(wrong)
        assert not fb and fb.message
    assert not ex.q3.check("z")


def test_q4_threshold_from_telemetry():
    assert ex.q4.check(float(np.percentile(ex.TELEMETRY, 95)))
    assert ex.q4.check(5.0)
    assert not ex.q4.check(0.5)  # clips almost everything
    assert not ex.q4.check(200.0)  # lets spikes through
    assert not ex.q4.check(-1.0)
    assert not ex.q4.check("p95")
    assert len(ex.TELEMETRY) == 200 and np.sort(ex.TELEMETRY)[-3] > 20


def test_q5_shots_for_standard_error():
    p = np.array(analysis.TOY_PARAMS)
    mu_p = analysis.toy_expectation(p + [math.pi / 2, 0, 0])
    mu_m = analysis.toy_expectation(p - [math.pi / 2, 0, 0])
    n = math.ceil((2 - mu_p**2 - mu_m**2) / 4 / 1e-4)
    # Independent check: with n shots the standard error is at most 0.01, with n-1 above it.
    assert analysis.estimator_std("parameter_shift", shots=n)[0] <= 0.01
    assert analysis.estimator_std("parameter_shift", shots=n - 1)[0] > 0.01
    assert ex.q5.check(n)
    fb = ex.q5.check(n // 2)
    assert not fb
    _no_leak(fb, float(n))
    assert not ex.q5.check(100 * n)


def test_q6_clipping_biases_noisy_estimates():
    assert ex.q6.check("b")
    for wrong in "acd":
        assert not ex.q6.check(wrong)


@pytest.mark.parametrize("q", [ex.q1, ex.q2, ex.q3, ex.q4, ex.q5, ex.q6])
def test_every_exercise_has_hint_and_solution(q):
    assert q.hint() and q.solution()
    assert q.id.startswith("03.")
