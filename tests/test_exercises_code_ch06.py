"""Chapter 06 exercises (issue 27): the code exercises' solutions pass, their stubs are "not
attempted", plausible wrong answers are rejected with a message naming the failing property;
the numeric exercises accept the true value at 3 and 4 significant figures and name each
typical mistake."""

from __future__ import annotations

import math

import numpy as np
import pytest
from exercise_support import reference_function as _solution

from clipq_edu.course import faq
from clipq_edu.exercises import ch06 as ex
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


# ------------------------------------------------------------------ 06.6 AutoClip threshold
def _finite(h):
    h = np.asarray(h, dtype=float)
    return h[np.isfinite(h)]


def threshold_naive(h, p):
    return float(np.percentile(h, p))


def threshold_nan_only(h, p):
    if not 0 <= p <= 100:
        raise ValueError(p)
    h = np.asarray(h, float)
    return float(np.nanpercentile(h, p)) if np.any(~np.isnan(h)) else math.inf


def threshold_fraction(h, p):
    return float(np.percentile(_finite(h), p / 100)) if _finite(h).size else math.inf


def threshold_clamps_p(h, p):
    return float(np.percentile(_finite(h), min(max(p, 0), 100))) if _finite(h).size else math.inf


def threshold_zero_when_empty(h, p):
    if not 0 <= p <= 100:
        raise ValueError(p)
    return float(np.percentile(_finite(h), p)) if _finite(h).size else 0.0


def threshold_nearest(h, p):
    if not 0 <= p <= 100:
        raise ValueError(p)
    f = _finite(h)
    return float(np.percentile(f, p, method="nearest")) if f.size else math.inf


def threshold_sorts_in_place(h, p):
    if not 0 <= p <= 100:
        raise ValueError(p)
    h.sort()
    return float(np.percentile(_finite(h), p)) if _finite(h).size else math.inf


@pytest.mark.parametrize(("wrong", "says"), [
    (threshold_naive, "np.isfinite"),
    (threshold_nan_only, "NaN and Inf"),
    (threshold_fraction, "percent"),
    (threshold_clamps_p, "raise ValueError"),
    (threshold_zero_when_empty, "math.inf"),
    (threshold_nearest, "linear interpolation"),
    (threshold_sorts_in_place, "in place"),
])
def test_threshold_wrong_answers(wrong, says):
    fb = ex.q6.check(wrong)
    assert not fb and says in fb.message, fb.message


def test_threshold_reference_is_numpys_percentile():
    """The checker's hand-written interpolation agrees with np.percentile on every case."""
    for _, hist, p in ex._threshold_cases():
        f = _finite(hist)
        if f.size:
            assert math.isclose(ex._reference_threshold(hist, p), float(np.percentile(f, p)),
                                rel_tol=1e-12)


# ------------------------------------------------------------------ 06.7 seeded shots
def estimate_global_rng(mu, shots, seed):
    rng = np.random.default_rng()  # unseeded: a new stream every call
    return float(np.mean(np.where(rng.random(shots) < (1 + mu) / 2, 1.0, -1.0)))


def estimate_gaussian(mu, shots, seed):
    return float(mu + np.random.default_rng(seed).normal(0, np.sqrt((1 - mu**2) / shots)))


def estimate_zero_one(mu, shots, seed):
    return float(np.random.default_rng(seed).binomial(shots, (1 + mu) / 2) / shots)


def estimate_wrong_probability(mu, shots, seed):
    k = np.random.default_rng(seed).binomial(shots, abs(mu))
    return float((2 * k - shots) / shots)


def estimate_exact(mu, shots, seed):
    return float(mu)


def estimate_one_shot(mu, shots, seed):
    return float(np.random.default_rng(seed).choice([1.0, -1.0], p=[(1 + mu) / 2, (1 - mu) / 2]))


@pytest.mark.parametrize(("wrong", "says"), [
    (estimate_global_rng, "same seed"),
    (estimate_gaussian, "±1"),
    (estimate_zero_one, "±1"),
    (estimate_wrong_probability, "average to mu"),
    (estimate_exact, "vary from seed to seed"),
    (estimate_one_shot, "scatter"),
])
def test_estimate_wrong_answers(wrong, says):
    fb = ex.q7.check(wrong)
    assert not fb and says in fb.message, fb.message


def test_estimate_accepts_choice_and_uniform_draws():
    def by_choice(mu, shots, seed):
        rng = np.random.default_rng(seed)
        return float(rng.choice([1, -1], size=shots, p=[(1 + mu) / 2, (1 - mu) / 2]).mean())

    def by_uniform(mu, shots, seed):
        u = np.random.default_rng(seed).random(shots)
        return float(np.where(u < (1 + mu) / 2, 1, -1).mean())

    assert ex.q7.check(by_choice) and ex.q7.check(by_uniform)


# ------------------------------------------------------------------ numeric exercises
@pytest.mark.parametrize("q", [ex.q2, ex.q3], ids=lambda q: q.id)
def test_true_value_at_3_and_4_figures_and_a_wrong_one(q):
    want = float(q.expected())
    if want == round(want):
        assert q.check(want)
    else:
        for figures in (3, 4):
            assert q.check(round_significant(want, figures))
    assert not q.check(want * 3)


def test_each_typical_mistake_is_named():
    norms = faq.logistic_sgd().norm_before
    for wrong, says in ((np.percentile(norms, 0.95), "percent"),
                        (np.percentile(norms, 5), "5th percentile")):
        fb = ex.q2.check(float(wrong))
        assert not fb and says in fb.message, fb.message
    for wrong, says in ((32 * 2**24 * 8, "complex64"), (2**24 * 16, "one state"),
                        (32 * 24 * 16, "2ⁿ amplitudes")):
        fb = ex.q3.check(wrong)
        assert not fb and says in fb.message, fb.message
