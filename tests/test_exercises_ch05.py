"""Chapter 05 exercises: right answers pass, wrong ones fail without revealing the answer."""

from __future__ import annotations

import math

from clipq_edu.exercises import ch05 as ex


def _no_leak(feedback, value):
    for digits in (2, 3, 4):
        assert f"{value:.{digits}f}" not in str(feedback)


def test_q1_factor_from_one_to_three_qubits():
    var = {n: 2.0**n / (3 * (4.0**n - 1)) for n in (1, 3)}  # independent closed form
    want = var[1] / var[3]
    assert ex.q1.check(want) and ex.q1.check(5.25) and ex.q1.check(5.250)
    fb = ex.q1.check(4.0)  # the large-d approximation 2^-n/3
    assert not fb and "approximation" in fb.message
    _no_leak(fb, want)
    fb = ex.q1.check(1 / want)  # the ratio the other way round
    assert not fb and "other way round" in fb.message
    fb = ex.q1.check(math.sqrt(want))
    assert not fb and "standard deviation" in fb.message
    assert not ex.q1.check(8.0)


def test_q2_shots_exact_integer():
    var = 2.0**12 / (3 * (4.0**12 - 1))
    want = math.ceil(4 * 0.5 / var)
    assert want == 24576
    assert ex.q2.check(want)
    for near in (24575, 24577, 24600):  # an exact integer is asked: neighbours fail
        assert not ex.q2.check(near)
    fb = ex.q2.check(want / 10)
    assert not fb and "factor" in fb.message
    _no_leak(fb, want)
    fb = ex.q2.check(math.ceil(0.5 / var))  # z = 1
    assert not fb and "z = 1" in fb.message
    fb = ex.q2.check(24600)  # right to 3 figures, but an exact count is asked
    assert not fb and "exact integer" in fb.message
    fb = ex.q2.check(math.floor(4 * 0.5 / var))  # rounded down: too few shots
    assert not fb and "round up" in fb.message


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
