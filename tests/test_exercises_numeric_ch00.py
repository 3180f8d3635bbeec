"""Chapter 00's numeric warm-ups name their typical mistakes (issue 27), computed by applying
the mistaken method, and accept the true value."""

from __future__ import annotations

import pytest

from clipq_edu.exercises import ch00


@pytest.mark.parametrize("ex", [ch00.q1, ch00.q2], ids=["00.1", "00.2"])
def test_true_value_passes_and_a_clearly_wrong_one_fails(ex):
    want = float(ex.expected())
    assert ex.check(want) and ex.check(int(want))
    fb = ex.check(want * 7 + 3)
    assert not fb and "too large" in fb.message


@pytest.mark.parametrize("ex", [ch00.q1, ch00.q2], ids=["00.1", "00.2"])
def test_each_typical_mistake_is_named_without_the_answer(ex):
    want = float(ex.expected())
    assert len(ex.mistakes) >= 3
    for wrong, message in ex.mistakes:
        bad = float(wrong())
        assert abs(bad - want) > ex.tolerance(want)
        fb = ex.check(bad)
        assert not fb and fb.message == str(message), fb.message
        assert f"{want:g} MiB" not in fb.message and f"{want:g} amplitudes" not in fb.message


def test_the_mistakes_are_the_ones_written_out_independently():
    assert sorted(float(w()) for w, _ in ch00.q1.mistakes) == [20.0, 100.0, 512.0]
    assert sorted(float(w()) for w, _ in ch00.q2.mistakes) == sorted(
        [8 * 2**20 / 1e6, 16.0, 1.0, 8.0 * 2**20])


def test_the_notebook_example_of_a_wrong_answer_gets_a_named_mistake():
    """00's cell shows ex.q1.check(100): the learner sees the mistake named, not a number."""
    fb = ch00.q1.check(100)
    assert not fb and "10**2" in fb.message
