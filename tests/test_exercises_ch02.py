"""Chapter 02 exercises: right answers pass, wrong ones fail without revealing the answer."""

from __future__ import annotations

import math

from clipq_edu.exercises import ch02 as ex


def _no_leak(feedback, *values):
    text = str(feedback)
    for v in values:
        assert f"{v:.3f}" not in text and f"{v:g}" not in text


def test_q1_norm_clip_by_hand():
    assert ex.q1.check([0.8, -0.4, 0.8])
    fb = ex.q1.check([1.0, -1.0, 1.0])  # the value-clipped answer
    assert not fb and "entries are off" in fb.message
    _no_leak(fb, 0.8, 0.4)
    assert not ex.q1.check([0.6, 0.8])  # the chapter's printed (3, 4) example: wrong shape
    assert "shape" in ex.q1.check(0.8).message
    assert not ex.q1.check([2 / 3, -1 / 3, 2 / 3])  # the unit vector: clipped at 1, not 1.2


def test_q2_turn_angle_from_atan():
    angle = math.degrees(math.atan(0.5) - math.atan(0.5 / 3))
    assert ex.q2.check(angle)
    fb = ex.q2.check(0.0)
    assert not fb
    _no_leak(fb, angle)
    assert not ex.q2.check(math.radians(angle))


def test_q3_which_arguments_leave_the_small_tensor_alone():
    assert ex.q3.check("c")
    for wrong in "abd":
        fb = ex.q3.check(wrong)
        assert not fb and fb.message
    assert "√10" in ex.q3.check("d").message


def test_q4_shots_for_target_error():
    assert ex.q4.check(10_000)
    fb = ex.q4.check(100)
    assert not fb and "too small" in fb.message
    _no_leak(fb, 10_000)
    assert not ex.q4.check(9_000)


def test_q5_nine_times_the_shots():
    assert ex.q5.check(3600)
    fb = ex.q5.check(1200)  # three times the shots: the typical mistake is named
    assert not fb and "1/√N" in fb.message
    _no_leak(fb, 3600)


def test_hints_and_solutions_exist():
    for q in (ex.q1, ex.q2, ex.q3, ex.q4, ex.q5, ex.q6):
        assert q.hint().startswith(f"[{q.id}] Hint")
        assert q.solution_text
        assert not q.check(None)
