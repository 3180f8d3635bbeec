"""Chapter 06 exercises: right answers pass, wrong ones fail without revealing the answer."""

from __future__ import annotations

import numpy as np

from clipq_edu.course import faq
from clipq_edu.exercises import ch06 as ex


def test_q1():
    assert ex.q1.check("c")
    for wrong in "ab":
        fb = ex.q1.check(wrong)
        assert not fb and fb.message


def test_q2_threshold_from_telemetry():
    norms = faq.logistic_sgd().norm_before
    want = float(np.sort(norms)[269] + 0.1 * (np.sort(norms)[270] - np.sort(norms)[269]))
    assert ex.q2.check(want)  # linear interpolation at rank 0.9 * 299 = 269.1
    fb = ex.q2.check(float(np.median(norms)))
    assert not fb and "too small" in fb.message
    for digits in (2, 3, 4):
        assert f"{want:.{digits}f}" not in str(fb)


def test_q3_memory():
    assert ex.q3.check(512 * 1024**2)
    fb = ex.q3.check(2**26 * 16)
    assert not fb and "too large" in fb.message


def test_q4_q5():
    assert ex.q4.check("a") and not ex.q4.check("b") and not ex.q4.check("c")
    assert ex.q5.check("B") and not ex.q5.check("a") and not ex.q5.check("c")
