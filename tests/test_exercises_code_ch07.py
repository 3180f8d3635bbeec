"""Chapter 07's exercises by the course's rules: code solutions pass, stubs are "not
attempted", plausible wrong answers are rejected naming the failing property; numeric answers
pass at 3 and 4 significant figures and typical mistakes are named."""

from __future__ import annotations

import numpy as np
import pytest
from exercise_support import reference_function as _solution

from clipq_edu.course import lab
from clipq_edu.exercises import ch07 as ex


# ------------------------------------------------------------------ 07.7 standardize
def test_q7_solution_passes_and_stub_is_not_attempted():
    assert ex.q7.check(_solution(ex.q7))

    def standardize(x_train, x_test):
        return None

    fb = ex.q7.check(standardize)
    assert not fb and "returns None" in fb.message


def test_q7_wrong_answers_name_the_failing_property():
    def test_statistics(x_train, x_test):  # each split with its own statistics
        def one(x):
            s = x.std(axis=0)
            return (x - x.mean(axis=0)) / np.where(s > 0, s, 1.0)
        return one(x_train), one(x_test)

    def centres_only(x_train, x_test):
        m = x_train.mean(axis=0)
        return x_train - m, x_test - m

    def in_place(x_train, x_test):
        m, s = x_train.mean(axis=0), x_train.std(axis=0)
        s = np.where(s > 0, s, 1.0)
        x_train -= m
        x_train /= s
        return x_train, (x_test - m) / s

    for fn, says in ((test_statistics, "*training* mean"),
                     (centres_only, "standard deviation 1"),
                     (in_place, "in place")):
        fb = ex.q7.check(fn)
        assert not fb and says in fb.message, (fn.__name__, fb.message)
        assert fb.message.startswith("for ") and ", " in fb.message.split(":")[0]


def test_q7_messages_read_as_sentences():
    def nan_for_constant(x_train, x_test):
        m, s = x_train.mean(axis=0), x_train.std(axis=0)
        return (x_train - m) / s, (x_test - m) / s

    fb = ex.q7.check(nan_for_constant)
    assert not fb and "for the training part of a constant feature" in fb.message, fb.message


def test_no_hint_of_a_code_exercise_holds_code():
    for q in (ex.q6, ex.q7):
        for hint in q.hints:
            assert "return " not in hint and "return " not in hint.zh


# ------------------------------------------------------------------ 07.6 the fix
def test_q6_stub_and_answers_that_never_train(monkeypatch):
    monkeypatch.delenv(lab.SEED_ENV, raising=False)

    def fix(settings):
        return None

    fb = ex.q6.check(fix)
    assert not fb and "returns None" in fb.message
    fb = ex.q6.check(lambda s: s.but(clip=("autoclip", 10.0)))
    assert not fb and "only the clipping" in fb.message
    fb = ex.q6.check(lambda s: s)
    assert not fb and "unchanged" in fb.message  # no change at all is no fix either


@pytest.mark.slow
def test_q6_solution_passes_and_wrong_fixes_fail_by_training(monkeypatch):
    monkeypatch.delenv(lab.SEED_ENV, raising=False)
    fb = ex.q6.check(_solution(ex.q6))
    assert fb, fb.message

    def loss_only(settings):  # a bounded loss, inputs still raw: plausible, not the cause
        return settings.but(loss="mse")

    def slower(settings):  # a smaller learning rate only
        return settings.but(learning_rate=0.03, epochs=10)

    for fn in (loss_only, slower):
        fb = ex.q6.check(fn)
        assert not fb and "does not remove the cause" in fb.message, fn.__name__


# ------------------------------------------------------------------ numeric
def test_q3_at_three_and_four_significant_figures_and_its_mistakes():
    true = (1 / 0.01) / (2 * (1 - 0.01))
    assert ex.q3.check(float(f"{true:.3g}")) and ex.q3.check(float(f"{true:.4g}"))
    assert not ex.q3.check(5.05)
    assert "factor 2" in ex.q3.check(100 / 0.99).message
    assert "other way round" in ex.q3.check(0.0198).message


@pytest.mark.slow
def test_q1_and_q2_numbers_and_mistakes():
    norms = lab.run_lab(lab.delivered()).telemetry.norm_before
    assert ex.q1.check(int(np.sum(norms > 5 * np.median(norms))))
    assert not ex.q1.check(30)
    m = np.sort(np.median(lab.run_lab(lab.delivered()).telemetry.layer_norms, axis=0))
    ratio = float(m[-1] / m[-2])
    assert ex.q2.check(float(f"{ratio:.3g}")) and ex.q2.check(float(f"{ratio:.4g}"))
    assert not ex.q2.check(ratio * 3)


# ------------------------------------------------------------------ referee round: 07.6's rules
def test_q6_refuses_a_catch_all_fix_and_two_cause_changes(monkeypatch):
    monkeypatch.delenv(lab.SEED_ENV, raising=False)

    def catch_all(settings):  # every suspect changed at once: no diagnosis shows
        return settings.but(standardized=True, loss="mse", learning_rate=0.1, angle_scale=1.0,
                            signed_labels=False, epochs=8)

    def two(settings):
        return settings.but(standardized=True, loss="mse", epochs=8)

    fb = ex.q6.check(catch_all)
    assert not fb and "at once" in fb.message and "change ONE" in fb.message, fb.message
    fb = ex.q6.check(two)
    assert not fb and "2 of the model's settings" in fb.message, fb.message
    assert ex.CAUSE_FIELDS == ("standardized", "loss", "learning_rate", "angle_scale",
                               "signed_labels")


def test_q6_refuses_the_reference_fix_while_checking(monkeypatch):
    monkeypatch.delenv(lab.SEED_ENV, raising=False)
    fb = ex.q6.check(lab._reference_fix)
    assert not fb and "reference fix" in fb.message
    fb = ex.q6.check(lambda s: lab.healthy_run(s).settings)
    assert not fb and "reference fix" in fb.message


@pytest.mark.slow
def test_q6_a_right_change_that_has_not_fitted_is_told_to_train_longer(monkeypatch):
    seed = next(s for s in range(1, 100) if lab.fault_name(s) == "learning_rate")
    monkeypatch.setenv(lab.SEED_ENV, str(seed))
    fb = ex.q6.check(lambda s: s.but(learning_rate=0.03))  # right diagnosis, 6 epochs: 0.76
    assert not fb and "your change helps" in fb.message and "train longer" in fb.message
    assert "does not remove the cause" not in fb.message
    assert ex.q6.check(lambda s: s.but(learning_rate=0.03, epochs=10))  # 0.88
    fb = ex.q6.check(lambda s: s.but(batch_size=40, epochs=8))  # no cause touched
    assert not fb and "does not remove the cause" in fb.message and "as delivered" in fb.message


def test_q7_accepts_a_tiny_epsilon_on_the_spread():
    def eps(x_train, x_test):
        m, s = x_train.mean(axis=0), x_train.std(axis=0)
        s = np.where(s > 0, s + 1e-7, 1.0)
        return (x_train - m) / s, (x_test - m) / s

    assert ex.q7.check(eps)


def test_hints_of_q1_and_q2_are_ideas_not_code():
    for q in (ex.q1, ex.q2):
        for hint in q.hints:
            assert "np." not in hint and "norms >" not in hint and "m[-1]" not in hint
