"""Chapter 01 exercises: right answers pass, wrong ones fail without revealing the answer."""

from __future__ import annotations

from clipq_edu.exercises import ch01 as ex


def _no_leak(feedback, value):
    text = str(feedback)
    assert str(value) not in text and f"{value:g}" not in text


def test_q1_max_stable_step():
    x0 = 4.0
    # independent check: one step from x0 with lr just below / above the bound
    lr = 1 / (2 * x0**2)
    assert abs(x0 - 0.999 * lr * 4 * x0**3) < x0 and abs(x0 - 1.001 * lr * 4 * x0**3) > x0
    assert ex.q1.check(lr)
    fb = ex.q1.check(0.125)  # dropping the 4 of f': the typical mistake is named
    assert not fb and "4 x**3" in fb.message
    _no_leak(fb, lr)
    assert not ex.q1.check(0.005)  # the chapter's x0 = 10 value, printed above
    assert not ex.q1.check(-lr)
    assert not ex.q1.check("0.03125")


def test_q2_clipped_iterations_match_an_independent_loop():
    # independent re-implementation of clipped GD on x**4
    x, k = 10.0, 0
    while abs(4 * x**3) > 1e-4:
        g = 4 * x**3
        x -= 0.1 * max(-1.0, min(1.0, g))
        k += 1
    assert ex.q2.check(k)
    fb = ex.q2.check(k * 5)
    assert not fb and "too large" in fb.message
    _no_leak(fb, k)
    assert not ex.q2.check(k + 3)


def test_q3_memory_of_34_qubits_in_complex128():
    assert ex.q3.check(2**34 * 16 // 2**30)  # written out: 2**34 amplitudes, 16 B, 2**30 B/GiB
    fb = ex.q3.check(2**4)
    assert not fb and "too small" in fb.message
    _no_leak(fb, 256)
    assert not ex.q3.check(34 * 16)


def test_q4_choice():
    assert ex.q4.check("b") and ex.q4.check(" B ")
    for wrong in "acd":
        fb = ex.q4.check(wrong)
        assert not fb and fb.message
    assert not ex.q4.check("z") and "choose one of" in ex.q4.check("z").message


def test_hints_and_solutions_exist():
    for q in (ex.q1, ex.q2, ex.q3, ex.q4):
        assert q.hint().startswith(f"[{q.id}] Hint")
        assert q.solution_text
        assert not q.check(None)
