"""The exercise system: feedback without revealing answers; every chapter's exercises."""

from __future__ import annotations

import numpy as np
import pytest

from clipq_edu.exercises import (
    ChoiceExercise,
    FunctionExercise,
    NumericExercise,
    all_exercises,
)


def make_numeric(**kw):
    return NumericExercise("t.1", "norm of (3, 4)", expected=lambda: 5.0,
                           hints=["square root", "of the sum of squares"],
                           solution_text="sqrt(9 + 16)", **kw)


def test_numeric_right_and_wrong():
    q = make_numeric()
    assert q.check(5.0) and q.check(np.float32(5.0))
    fb = q.check(4.0)
    assert not fb and "too small" in fb.message and "5" not in fb.message
    assert "too large" in q.check(100.0).message
    assert "sign" in q.check(-5.0).message
    assert "shape" in q.check([5.0, 5.0]).message
    assert "not text" in q.check("5").message
    assert "NaN" in q.check(float("nan")).message
    assert "no answer yet" in q.check(None).message


def test_numeric_arrays_and_tolerance():
    q = NumericExercise("t.2", "clip", expected=lambda: [0.6, 0.8], atol=1e-3)
    assert q.check([0.6004, 0.7996])
    assert "1 of 2 entries" in q.check([0.6, 0.9]).message


def test_hints_one_at_a_time_and_solution():
    q = make_numeric()
    assert "Hint 1/2" in q.hint() and "Hint 2/2" in q.hint()
    past = q.hint()
    assert "last hint" in past and "q1.solution()" in past and "Hint" not in past
    assert "sqrt(9 + 16)" in q.solution()
    assert "No hint" in NumericExercise("t.3", "p").hint()


def test_typical_mistakes_are_named_without_the_answer():
    q = NumericExercise("t.6", "clip (3, 4) to norm 1", expected=lambda: [0.6, 0.8], rtol=1e-6,
                        mistakes=[(lambda: [1.0, 1.0], "that is clipping by value"),
                                  (lambda: [3.0, 4.0], "the gradient was not clipped")])
    assert q.check([1, 1]).message == "that is clipping by value"
    assert q.check([3, 4]).message == "the gradient was not clipped"
    assert "2 of 2 entries" in q.check([5, 5]).message
    assert q.check([0.6, 0.8])  # the true value wins even if a mistake were close to it


def test_choice_and_function_exercises():
    q = ChoiceExercise("t.4", "which keeps direction?", options={"a": "value", "b": "norm"},
                       correct="b", explanations={"a": "value clipping turns the arrow"})
    assert q.check("B") and not q.check("a")
    assert "turns" in q.check("a").message and "choose one of" in q.check("z").message
    assert "b) norm" in repr(q)
    f = FunctionExercise("t.5", "write square", checker=lambda fn: (fn(3) == 9, "try again"))
    assert f.check(lambda x: x * x) and not f.check(lambda x: x)


def test_feedback_display():
    fb = make_numeric().check(5.0)
    assert str(fb).startswith("[t.1] ✅ Correct") and "color" in fb._repr_html_()


def test_every_chapter_exercise_is_well_formed():
    exercises = all_exercises()
    for ex_id, ex in exercises.items():
        assert ex.prompt and ex.id == ex_id
        assert ex.solution_text, f"{ex_id} has no solution"
        assert ex.hints, f"{ex_id} has no hint"
        assert not ex.check(None), f"{ex_id} accepts no answer"


NUMERIC = sorted(k for k, v in all_exercises().items() if isinstance(v, NumericExercise))


@pytest.mark.parametrize("ex_id", NUMERIC)
def test_numeric_exercises_reject_wrong_value_without_revealing(ex_id):
    ex = all_exercises()[ex_id]
    want = np.asarray(ex.expected(), dtype=float)
    assert ex.check(want.tolist())
    wrong = want * 1.7 + 1.0
    fb = ex.check(wrong.tolist())
    assert not fb
    if want.ndim == 0:
        assert f"{float(want):g}" not in fb.message


def test_digits_accept_the_printed_precision_and_say_how_close():
    q = NumericExercise("t.6", "parameter shift at 0.3", expected=lambda: -np.sin(0.3), digits=4)
    fb = q.check(-0.2955)
    assert fb and "within 0.0068 % of the exact value -0.29552" in fb.message
    assert q.check(-0.29552) and q.check(-0.29555)  # within half a unit of the 4th digit
    assert not q.check(-0.2956) and not q.check(-0.2953) and not q.check(-0.29)
    assert "exactly right" in q.check(-np.sin(0.3)).message
    exact = NumericExercise("t.7", "shots", expected=lambda: 1600, rtol=0, atol=0.5)
    assert "exactly right: 1600" in exact.check(1600).message and not exact.check(1601)


def test_digits_on_arrays_use_the_scale_of_the_array_for_zero_entries():
    q = NumericExercise("t.8", "vector", expected=lambda: [0.0, 0.8], digits=2)
    assert q.check([0.004, 0.8]) and not q.check([0.02, 0.8])
    assert "every entry within" in q.check([0.0, 0.801]).message


def test_last_digit_unit():
    from clipq_edu.exercises import last_digit_unit

    assert last_digit_unit(0.022360, 2) == 0.001
    assert last_digit_unit(24576, 3) == 100
    assert last_digit_unit(9.27e-4, 2) == 1e-5
    assert last_digit_unit(0.0, 3) == 0.0


def test_complex_answers_count_only_when_they_are_real():
    q = NumericExercise("t.7", "amplitude", expected=lambda: [64, 0.125], rtol=1e-6)
    assert q.check((64, 0.125 + 0j)) and q.check(np.array([64, 0.125], dtype=np.complex64))
    for wrong in (np.array([64, 0.125 + 0.125j]), (64, np.complex128(0.125 + 0.3j))):
        fb = q.check(wrong)
        assert not fb and "imaginary part" in fb.message


def test_both_neighbours_of_a_tie_are_told_to_give_more_digits():
    q = NumericExercise("t.8", "p", expected=lambda: 0.125, rtol=1e-9)
    for coarse in (0.12, 0.13):
        assert "more digits" in q.check(coarse).message, coarse
    assert q.check(0.125) and not q.check(0.14)


def test_a_named_mistake_wins_over_give_more_digits():
    """2 for a true 2.5 is 2.5 to one figure, but if 2 is what a wrong method gives, say so."""
    q = NumericExercise("t.9", "factor", expected=lambda: 2.5, rtol=1e-9,
                        mistakes=[(lambda: 2.0, "that is the large-d approximation")])
    assert q.check(2).message == "that is the large-d approximation"
    assert "more digits" in NumericExercise("t.9", "f", expected=lambda: 2.5).check(3).message


def test_feedback_in_chinese_has_one_status_and_full_width_colons():
    from clipq_edu.exercises._checks import call, guarded, require_callable
    from clipq_edu.i18n import language

    def body(fn):
        require_callable(fn, "f(x)")
        call(fn, 1, what="x = 1")
        return "fine"

    q = make_numeric()
    fn_q = FunctionExercise("t.7", "f", checker=guarded(body))
    with language("zh"):
        unanswered = str(q.check(None))
        assert unanswered.startswith("[t.1] ✏️ 还没有答案：") and "还不对" not in unanswered
        assert "`" not in unanswered
        assert "还不对：" in str(q.check(4.0)) and "正确：" in str(q.check(5.0))
        assert repr(q).startswith("练习 t.1：") and ": " not in repr(q)
        assert "提示 1/2：" in q.hint()
        assert "解答：sqrt(9 + 16)" in q.solution()
        returns_none = fn_q.check(lambda x: None)
        assert not returns_none.attempted and "还不对" not in str(returns_none)
    assert str(q.check(None)).startswith("[t.1] ✏️ no answer yet: ")
    assert "Not yet" in str(q.check(4.0))
