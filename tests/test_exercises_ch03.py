"""Chapter 03 exercises (03a, 03b, 03c): right answers pass, wrong ones fail without leaking."""

from __future__ import annotations

import importlib
import math

import numpy as np
import pytest

from clipq_edu.exercises import ch03a, ch03b, ch03c, chapter_modules


def _no_leak(feedback, value):
    text = str(feedback)
    for digits in (3, 4, 6):
        assert f"{value:.{digits}f}" not in text


def test_03b_q1_parameter_shift_cosine():
    assert ch03b.q1.check(-math.sin(0.3))
    assert ch03b.q1.check(-0.2955)  # the solution text's and the guide's value
    fb = ch03b.q1.check(math.sin(0.3))
    assert not fb and "sign" in fb.message
    _no_leak(fb, -math.sin(0.3))
    assert not ch03b.q1.check(-0.29)  # two digits are not the four the course prints
    assert not ch03b.q1.check("minus sine")
    assert not ch03b.q1.check(None)


def test_03a_q1_share_of_g2_after_global_norm_clipping():
    assert ch03a.q1.check(13 * 2.6 / math.sqrt(194))  # g2's share of one common factor
    fb = ch03a.q1.check(2.6)  # the bound itself, or per-tensor clipnorm
    assert not fb and "global norm of both tensors" in fb.message
    assert not ch03a.q1.check([2.43, 2.43])


def test_03a_q2_a_spike_shrinks_the_vanishing_layer_too():
    assert ch03a.q2.check(1e-9 / math.hypot(1e-9, 2e3))  # one common factor c/N
    assert not ch03a.q2.check(1e-9)  # unchanged
    assert not ch03a.q2.check("b")


def test_03a_q3_threshold_from_telemetry():
    t = ch03a.TELEMETRY
    median = float(np.median(t))
    assert ch03a.q3.check(float(np.percentile(t, 95)))
    assert ch03a.q3.check(float(np.percentile(t, 90)))
    assert ch03a.q3.check(3.5)  # above every ordinary step, 3.4x the median
    assert not ch03a.q3.check(0.5)  # clips almost everything
    fb = ch03a.q3.check(35.0)  # below the smallest spike, yet lets 34x steps through
    assert not fb and "median" in fb.message
    assert not ch03a.q3.check(float(np.percentile(t, 99)))  # p99 lands on a spike
    assert not ch03a.q3.check(ch03a.MAX_SPIKE_FACTOR * median * 1.01)
    assert not ch03a.q3.check(200.0)
    assert not ch03a.q3.check(-1.0)
    assert not ch03a.q3.check("p95")
    assert len(t) == 200 and np.sort(t)[-3] > 20
    with pytest.raises(ValueError):
        t[0] = 1.0  # the shared telemetry is read-only


def test_03b_q2_shots_for_standard_error():
    # the prompt's point and component, written out here: θ = (1.1, 0.4, 0.25), ∂/∂θ1, SE 0.02;
    # closed form of the toy circuit: ⟨Z⟩ = cos θ0 cos θ1 cos θ2
    mu_p = math.cos(1.1) * math.cos(0.4 + math.pi / 2) * math.cos(0.25)
    mu_m = math.cos(1.1) * math.cos(0.4 - math.pi / 2) * math.cos(0.25)
    exact = (2 - mu_p**2 - mu_m**2) / 4 / 0.02**2
    n = math.ceil(exact)
    assert 0.2 < n - exact < 0.8  # not next to an integer: rounding μ± cannot flip the answer
    assert math.sqrt((2 - mu_p**2 - mu_m**2) / (4 * n)) <= 0.02
    assert math.sqrt((2 - mu_p**2 - mu_m**2) / (4 * (n - 1))) > 0.02
    assert ch03b.q2.check(math.ceil((2 - round(mu_p, 2)**2 - round(mu_m, 2)**2) / 4 / 0.02**2))
    assert ch03b.q2.check(n)
    fb = ch03b.q2.check(n // 2)
    assert not fb
    _no_leak(fb, float(n))
    assert not ch03b.q2.check(100 * n)


def test_03c_q1_an_always_active_clip_is_normalised_descent():
    assert ch03c.q1.check("b")
    for wrong in "acd":
        assert not ch03c.q1.check(wrong)


@pytest.mark.parametrize("module", [ch03a, ch03b, ch03c])
def test_each_notebook_numbers_its_exercises_from_one(module):
    chapter = module.__name__.rsplit(".", 1)[1][2:]  # "03a"
    names = sorted(k for k in module.__all__ if k.startswith("q"))
    assert names == [f"q{i}" for i in range(1, len(names) + 1)]
    for i, name in enumerate(names, start=1):
        q = getattr(module, name)
        assert q.id == f"{chapter}.{i}"
        assert q.hint() and q.solution()


def test_the_old_ch03_module_is_gone():
    """Chapter 03's exercises live in ch03a/ch03b/ch03c only (CHANGELOG.md has the old names)."""
    assert "ch03" not in chapter_modules()
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("clipq_edu.exercises.ch03")
