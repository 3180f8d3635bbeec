"""Chapter 06 exercises: right answers pass, wrong ones fail without revealing the answer."""

from __future__ import annotations

import numpy as np

from clipq_edu.course import faq
from clipq_edu.exercises import ch06 as ex


def test_q1_ratio_after_clipnorm():
    want = 0.1 / 1.0  # g1 clipped from norm 10 to 1, g2 (norm 0.1) untouched
    for answer in (want, 0.100, 0.1000):
        assert ex.q1.check(answer)
    fb = ex.q1.check(0.01)  # the ratio global_clipnorm keeps
    assert not fb and "global_clipnorm" in fb.message
    fb = ex.q1.check(1.0)  # both tensors brought to norm 1
    assert not fb and "never enlarges" in fb.message
    fb = ex.q1.check(0.5)
    assert not fb and "0.100" not in fb.message


def test_q2_threshold_from_telemetry():
    norms = np.sort(faq.logistic_sgd().norm_before)
    rank = 0.95 * (len(norms) - 1)  # linear interpolation between the two nearest ranks
    lo = int(rank)
    want = float(norms[lo] + (rank - lo) * (norms[lo + 1] - norms[lo]))
    assert ex.q2.check(want)
    assert ex.q2.check(round(want, 3))  # as the solution prints it
    fb = ex.q2.check(float(np.median(norms)))
    assert not fb and "too small" in fb.message
    for digits in (2, 3, 4):
        assert f"{want:.{digits}f}" not in str(fb)
    p90 = float(np.percentile(norms, 90))
    assert not ex.q2.check(round(p90, 3))  # the value printed above the exercise


def test_q3_memory():
    assert ex.q3.check(32 * 2**24 * 16)
    fb = ex.q3.check(32 * 2**24 * 8)
    assert not fb and "complex64" in fb.message
    fb = ex.q3.check(2**24 * 16)
    assert not fb and "batch" in fb.message


def test_q4_q5():
    assert ex.q4.check("b") and not ex.q4.check("c") and not ex.q4.check("d")
    fb = ex.q4.check("a")  # a clip on one step only is no common factor
    assert not fb and "one step only" in fb.message
    assert ex.q5.check("B") and not ex.q5.check("a") and not ex.q5.check("d")
    fb = ex.q5.check("c")  # Python can set the variable, in time
    assert not fb and "import clipq_edu" in fb.message


def test_q4_numbers_in_the_explanation():
    """The clipped spike's trace in Adam: c = 50 leaves steps at 0.5-0.6 of normal, c = 5 not."""
    from clipq_edu import clipping
    from clipq_edu.course import analysis

    g = np.ones((3400, 1))
    g[3000] = 1000.0
    ratio = {c: np.abs(analysis.adam_updates(clipping.clip_by_value(g, c), learning_rate=0.01)[3300, 0])
             / 0.01 for c in (5.0, 50.0)}
    assert 0.5 < ratio[50.0] < 0.65 and abs(ratio[5.0] - 1) < 0.03
