"""Chapter 04 exercises: right answers pass, wrong ones fail without revealing the answer."""

from __future__ import annotations

import math

import numpy as np

from clipq_edu.exercises import ch04 as ex


def _no_leak(feedback, value):
    text = str(feedback)
    for digits in (2, 3, 4, 6):
        assert f"{value:.{digits}f}" not in text


def test_q1_undefined_names():
    assert ex.q1.check(3)
    fb = ex.q1.check(2)
    assert not fb and "too small" in fb.message
    assert not ex.q1.check(4)
    assert not ex.q1.check("three")
    assert not ex.q1.check(None)


def test_q2_initialize_numbers():
    assert ex.q2.check((0, 16))
    assert ex.q2.check([0.0, 16.0])
    fb = ex.q2.check((0, 4))
    assert not fb and "1 of 2" in fb.message
    assert not ex.q2.check((1, 16))  # a state would have norm 1, this vector does not
    assert not ex.q2.check(16)
    assert "shape" in ex.q2.check(16).message


def test_q3_counts_cannot_show_entanglement():
    assert ex.q3.check("b")
    assert ex.q3.check(" B ")
    for wrong in "acd":
        fb = ex.q3.check(wrong)
        assert not fb and len(fb.message) > 20
    assert not ex.q3.check("e")


def _right(grads, clip_norm):
    norm = math.sqrt(sum(float(np.sum(np.square(g))) for g in grads))
    scale = min(1.0, clip_norm / norm) if norm > 0 else 1.0
    return [np.asarray(g) * scale for g in grads]


def test_q4_gradient_clipping_function():
    assert ex.q4.check(_right)


def test_q4_the_articles_own_function_fails():
    def article_version(grads, clip_norm):  # the article's code, applied to a list
        norm = np.linalg.norm(grads)
        if norm > clip_norm:
            grads = grads.astype("float32")
            grads *= clip_norm / norm
        return grads

    fb = ex.q4.check(article_version)
    assert not fb and "raised" in fb.message


def test_q4_common_mistakes_are_named():
    def per_tensor(grads, clip_norm):
        out = []
        for g in grads:
            n = np.linalg.norm(g)
            out.append(g * min(1.0, clip_norm / n))
        return out

    fb = ex.q4.check(per_tensor)
    assert not fb and "longer than clip_norm" in fb.message

    def always_rescale(grads, clip_norm):
        norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
        return [g * clip_norm / norm for g in grads]

    fb = ex.q4.check(always_rescale)
    assert not fb and "unchanged" in fb.message

    def by_value(grads, clip_norm):
        return [np.clip(g, -clip_norm, clip_norm) for g in grads]

    assert not ex.q4.check(by_value)
    assert not ex.q4.check(lambda grads, c: grads[0])
    assert "function" in ex.q4.check(3.0).message


def test_q5_shot_noise_of_parameter_shift():
    # Independent: simulate the estimator many times with a seeded generator.
    rng = np.random.default_rng(0)
    shots, reps = 1000, 20000
    p_plus = (1 + math.cos(math.pi / 2)) / 2  # <Z> = cos(θ ± π/2) at θ = 0
    e_plus = 2 * rng.binomial(shots, p_plus, reps) / shots - 1
    e_minus = 2 * rng.binomial(shots, p_plus, reps) / shots - 1
    empirical = float(np.std((e_plus - e_minus) / 2))
    assert ex.q5.check(1 / math.sqrt(2000))
    assert abs(empirical - 1 / math.sqrt(2000)) < 5 * empirical / math.sqrt(2 * reps)
    fb = ex.q5.check(1 / math.sqrt(1000))
    assert not fb and "too large" in fb.message
    _no_leak(fb, 1 / math.sqrt(2000))
    assert not ex.q5.check(0.0)
