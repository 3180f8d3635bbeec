"""Chapter 06 exercises: right answers pass, wrong ones fail without revealing the answer."""

from __future__ import annotations

import numpy as np

from clipq_edu.course import faq
from clipq_edu.exercises import ch06 as ex


def test_q1():
    assert ex.q1.check("b")
    for wrong in "acd":
        fb = ex.q1.check(wrong)
        assert not fb and fb.message


def test_q2_threshold_from_telemetry():
    norms = np.sort(faq.logistic_sgd().norm_before)
    rank = 0.95 * (len(norms) - 1)  # linear interpolation between the two nearest ranks
    lo = int(rank)
    want = float(norms[lo] + (rank - lo) * (norms[lo + 1] - norms[lo]))
    assert ex.q2.check(want)
    assert ex.q2.check(round(want, 3))  # as the solution prints it
    fb = ex.q2.check(float(np.median(norms)))
    assert not fb and "too small" in fb.message
    for digits in (2, 3, 4):
        assert f"{want:.{digits}f}" not in str(fb)
    p90 = float(np.percentile(norms, 90))
    assert not ex.q2.check(round(p90, 3))  # the value printed above the exercise


def test_q3_memory():
    assert ex.q3.check(32 * 2**24 * 16)
    fb = ex.q3.check(32 * 2**24 * 8)
    assert not fb and "complex64" in fb.message
    fb = ex.q3.check(2**24 * 16)
    assert not fb and "batch" in fb.message


def test_q4_q5():
    assert ex.q4.check("b") and not ex.q4.check("a") and not ex.q4.check("d")
    fb = ex.q4.check("c")  # a constant rescaling cancels, c/‖g_t‖ is not constant
    assert not fb and "step to step" in fb.message
    assert ex.q5.check("C") and not ex.q5.check("a") and not ex.q5.check("d")
    fb = ex.q5.check("b")  # setting the variable in a running kernel is too late
    assert not fb and "too late" in fb.message
