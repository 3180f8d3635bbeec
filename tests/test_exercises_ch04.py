"""Chapter 04 exercises 04.1-04.3: right answers pass (at 3 and 4 significant figures where
decimal), wrong ones and each typical mistake are rejected with a message that names it, and
the expected values agree with independent computations. Code exercises 04.4 and 04.5:
tests/test_exercises_code_ch04.py."""

from __future__ import annotations

import numpy as np
import pytest

from clipq_edu.exercises import ch04 as ex


def _no_leak(feedback, *values):
    text = str(feedback)
    for value in values:
        assert f"{value:g}" not in text


@pytest.mark.slow
def test_q1_matches_keras_count_params():
    import clipq_edu as cq

    cq.load_tensorflow()
    assert ex.q1.expected() == cq.models.article_model(seed=0).count_params()


def test_q1_parameter_count():
    assert ex.q1.check(101) and ex.q1.check(101.0)
    fb = ex.q1.check(90)  # kernels only: 8*10 + 10*1
    assert not fb and "bias" in fb.message
    fb = ex.q1.check(19)  # neurons: 8 + 10 + 1
    assert not fb and "neurons" in fb.message
    for wrong in (100, 102, 202, 50):
        fb = ex.q1.check(wrong)
        assert not fb
        _no_leak(fb, 101)
    assert not ex.q1.check("101") and not ex.q1.check(None)


def test_q2_uniform_state_of_six_qubits():
    n = 6
    closed_form = (2**n, 1 / np.sqrt(2**n))  # independent of Cirq
    assert np.allclose(ex.q2.expected(), closed_form)
    for answer in ((64, 0.125), [64.0, 0.1250], (64, 1 / 8)):
        assert ex.q2.check(answer), answer
    fb = ex.q2.check((6, 1 / np.sqrt(6)))  # one amplitude per qubit
    assert not fb and "per qubit" in fb.message
    fb = ex.q2.check((64, 1 / 64))  # the probability, not the amplitude
    assert not fb and "square root" in fb.message
    for wrong in ((64, 0.25), (16, 0.25), (12, 0.125), (0, 64)):
        fb = ex.q2.check(wrong)
        assert not fb and "0.125" not in fb.message
    assert "shape" in ex.q2.check(16).message


def test_q3_counts_cannot_show_entanglement():
    a = np.full((2, 2), 0.5)
    b = a * np.array([[1, 1], [1, -1]])  # CZ flips the sign of |11>
    np.testing.assert_allclose(np.abs(a) ** 2, np.abs(b) ** 2)  # same counts distribution
    rank = [int(np.sum(np.linalg.svd(m, compute_uv=False) > 1e-12)) for m in (a, b)]
    assert rank == [1, 2]  # A is a product state, B is entangled
    assert ex.q3.check("b") and ex.q3.check(" B ")
    for wrong in "acd":
        fb = ex.q3.check(wrong)
        assert not fb and len(fb.message) > 20
    assert not ex.q3.check("e")


def test_q6_the_explorers_answer_holds_over_seeds():
    """Independent of the option text: the NumPy model over 5 seeds. At inputs x1 clipping at 1
    (almost) never fires and changes nothing; at x30 it changes both optimizers, SGD most."""
    from clipq_edu.course.tiny import train_tiny

    gain = {}
    for optimizer in ("sgd", "adam"):
        for scale in (30.0, 1.0):
            diffs = []
            for seed in range(5):
                free = train_tiny("none", 1.0, scale, optimizer, seed).summary()["final_loss"]
                clip = train_tiny("global_norm", 1.0, scale, optimizer, seed)
                diffs.append(free - clip.summary()["final_loss"])
                if scale == 1.0:
                    assert clip.summary()["clipped_fraction"] < 0.05
            gain[optimizer, scale] = np.array(diffs)
    for optimizer in ("sgd", "adam"):
        assert np.all(np.abs(gain[optimizer, 1.0]) < 1e-3)
        assert np.all(gain[optimizer, 30.0] > 0.005)  # lower final loss in every seed
    # "most with SGD" does not hold seed by seed, so the options no longer say it
    assert not np.all(gain["sgd", 30.0] > gain["adam", 30.0])
    assert "most with SGD" not in str(ex.q6.options["b"])
    assert ex.q6.check("b")
    for wrong in "acd":
        fb = ex.q6.check(wrong)
        assert not fb and len(fb.message) > 20


def test_q6_the_explorer_shows_what_the_solution_quotes():
    """Seed 0 (the explorer's default): the final losses and clipped fractions the solution
    quotes are the ones the explorer's panel titles show."""
    from clipq_edu.widgets._training_telemetry import training_telemetry

    explorer = training_telemetry()
    text = str(ex.q6.solution_text)
    for optimizer, scale in (("sgd", 30.0), ("adam", 30.0), ("sgd", 1.0), ("adam", 1.0)):
        finals = []
        for method in ("none", "global_norm"):
            explorer.set(method=method, bound=1.0, input_scale=scale, optimizer=optimizer)
            title = explorer.figure.axes[1].get_title()
            finals.append(explorer.state["final_loss"])
            assert f"final loss {finals[-1]:.3f}" in title
        if scale == 30.0:
            assert f"{finals[0]:.3f} → {finals[1]:.3f}" in text
        else:
            assert finals[0] == finals[1] and explorer.state["clipped_fraction"] == 0.0


def test_q1_hints_do_not_print_the_answer():
    hints = " ".join(str(h) for h in ex.q1.hints)
    assert "count_params" not in hints and "101" not in hints
    assert "count_params" in str(ex.q1.solution_text)
