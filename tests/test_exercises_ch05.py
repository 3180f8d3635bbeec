"""Chapter 05 exercises: right answers pass, wrong ones fail without revealing the answer."""

from __future__ import annotations

import math

from clipq_edu.exercises import ch05 as ex


def _no_leak(feedback, value):
    for digits in (2, 3, 4):
        assert f"{value:.{digits}f}" not in str(feedback)


def test_q1_factor_per_qubit():
    d9, d10 = 2.0**9, 2.0**10
    want = (d9 / (d9 * d9 - 1)) / (d10 / (d10 * d10 - 1))  # independent closed form
    assert ex.q1.check(want)
    fb = ex.q1.check(1.0)
    assert not fb and "too small" in fb.message
    _no_leak(fb, want)
    assert not ex.q1.check(4.0)


def test_q2_shots():
    var = 2.0**12 / (3 * (4.0**12 - 1))
    want = math.ceil(4 * 0.5 / var)
    assert ex.q2.check(want)
    fb = ex.q2.check(want / 10)
    assert not fb and "factor 3" in fb.message
    _no_leak(fb, want)


def test_q3_choice():
    assert ex.q3.check("b")
    for wrong in "ac":
        fb = ex.q3.check(wrong)
        assert not fb and fb.message
    assert not ex.q3.check("z")


def test_q4_global_cost():
    assert ex.q4.check(0.125 * 0.375**5)
    fb = ex.q4.check(1 / (8 * 36))  # the local cost's variance: a named typical mistake
    assert not fb and "local cost" in fb.message


def test_q5_choice():
    assert ex.q5.check("c")
    for wrong in "abd":
        assert not ex.q5.check(wrong)
