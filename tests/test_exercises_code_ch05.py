"""Chapter 05 exercises (issue 27): the code exercises' solutions pass, their stubs are "not
attempted", plausible wrong answers are rejected with a message naming the failing property;
the numeric exercises accept the true value at 3 and 4 significant figures and name each
typical mistake."""

from __future__ import annotations

import math

import numpy as np
import pytest
from exercise_support import reference_function as _solution

from clipq_edu.exercises import ch05 as ex
from clipq_edu.exercises._core import round_significant


@pytest.mark.parametrize("q", [ex.q6, ex.q7], ids=lambda q: q.id)
def test_solution_passes_and_stub_is_not_attempted(q):
    assert q.check(_solution(q))
    fb = q.check(lambda *args: None)
    assert not fb and "returns None" in fb.message


@pytest.mark.parametrize("q", [ex.q6, ex.q7], ids=lambda q: q.id)
def test_no_hint_holds_the_code(q):
    for hint in q.hints:
        assert "return " not in hint and "return " not in hint.zh


# ------------------------------------------------------------------ 05.6 local cost
def test_hidden_states_are_cirq_states_checked_another_way():
    """The hidden cases' costs come from bitstring probabilities, not from the formula on z."""
    cases = ex._local_cost_cases()
    hidden = [(z, cost) for what, z, cost in cases if "hidden" in what]
    assert len(hidden) >= 4
    for z, cost in hidden:
        assert np.allclose(cost, 1 - np.mean((1 + z) / 2, axis=-1), atol=1e-10)
        assert np.all(np.abs(z) <= 1 + 1e-12) and not np.allclose(np.abs(z), 1)


@pytest.mark.parametrize(("wrong", "says"), [
    (lambda z: 1 - np.prod((1 + np.asarray(z)) / 2, axis=-1), "global cost"),
    (lambda z: 1 - np.mean(z, axis=-1), "(1 + ⟨Z⟩)/2"),
    (lambda z: 1 - np.sum((1 + np.asarray(z)) / 2, axis=-1), "divide by n"),
    (lambda z: 1 - np.mean((1 + np.asarray(z)) / 2), "shape"),
    (lambda z: np.mean((1 + np.asarray(z)) / 2, axis=-1), "0 when every qubit reads 0"),
])
def test_local_cost_wrong_answers(wrong, says):
    fb = ex.q6.check(wrong)
    assert not fb and says in fb.message, fb.message


# ------------------------------------------------------------------ 05.7 log2 slope
def _fit(ns, v, log=np.log2):
    return float(np.polyfit(np.asarray(ns, float), log(v), 1)[0])


@pytest.mark.parametrize(("wrong", "says"), [
    (lambda ns, v: _fit(ns, v, np.log), "natural-log"),
    (lambda ns, v: _fit(ns, v, np.log10), "log10"),
    (lambda ns, v: float(np.polyfit(np.log2(v), np.asarray(ns, float), 1)[0]), "swapped"),
    (lambda ns, v: float(np.polyfit(np.asarray(ns, float), v, 1)[0]), "variances themselves"),
    (lambda ns, v: float(np.log2(v[-1] / v[0]) / (ns[-1] - ns[0])), "two end points"),
    (lambda ns, v: tuple(np.polyfit(np.asarray(ns, float), np.log2(v), 1)), "one number"),
])
def test_log2_slope_wrong_answers(wrong, says):
    fb = ex.q7.check(wrong)
    assert not fb and says in fb.message, fb.message


def test_log2_slope_accepts_other_correct_readings():
    def by_hand(ns, v):
        x, y = np.asarray(ns, float), np.log2(v)
        return float(((x - x.mean()) * (y - y.mean())).sum() / ((x - x.mean()) ** 2).sum())

    assert ex.q7.check(by_hand)
    assert ex.q7.check(lambda ns, v: np.polyfit(ns, np.log2(v), 1)[0])  # a NumPy float


# ------------------------------------------------------------------ numeric exercises
@pytest.mark.parametrize("q", [ex.q1, ex.q2, ex.q4], ids=lambda q: q.id)
def test_true_value_at_3_and_4_figures_and_a_wrong_one(q):
    want = float(q.expected())
    if want == round(want):
        assert q.check(want)
    else:
        for figures in (3, 4):
            assert q.check(round_significant(want, figures))
    assert not q.check(want * 3)


@pytest.mark.parametrize(("q", "wrong", "says"), [
    (ex.q1, (8 / (3 * 63)) / (2 / (3 * 3)), "other way round"),
    (ex.q1, math.sqrt((2 / (3 * 3)) / (8 / (3 * 63))), "standard deviation"),
    (ex.q1, 4.0, "approximation"),
    (ex.q2, math.ceil(0.5 / (4096 / (3 * (4096**2 - 1)))), "z = 1"),
    (ex.q2, math.ceil(4 / (4096 / (3 * (4096**2 - 1)))), "at most ½"),
    (ex.q2, round(2 / (4096 / (3 * (4096**2 - 1))) ** 2), "square root"),
    (ex.q4, 1 / (8 * 36), "local cost"),
    (ex.q4, (1 / 8) * (3 / 8) ** 6, "3/8 too many"),
])
def test_each_typical_mistake_is_named(q, wrong, says):
    fb = q.check(wrong)
    assert not fb and says in fb.message, fb.message
