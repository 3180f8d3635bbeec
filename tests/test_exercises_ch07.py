"""Chapter 07 exercises: right answers pass, wrong ones fail without revealing the answer."""

from __future__ import annotations

import numpy as np
import pytest

from clipq_edu.course import lab
from clipq_edu.exercises import ch07 as ex


def test_q3_slope_ratio_without_tensorflow():
    assert ex.q3.check((1 / 0.01) / (2 * (1 - 0.01)))
    fb = ex.q3.check(100.0)
    assert not fb and "too large" in fb.message and "50.5" not in str(fb)
    assert not ex.q3.check(1 / 50.5)
    assert not ex.q3.check("fifty")


def test_choices():
    for q in (ex.q4, ex.q6):
        assert q.check("b")
        for wrong in "acd":
            fb = q.check(wrong)
            assert not fb and len(fb.message) > 20
        assert not q.check("x")


def test_q5_rejects_without_training():
    assert "LabSettings" in ex.q5.check({"standardized": True}).message
    assert "clip=None" in ex.q5.check(lab.LabSettings(clip=("global_norm", 1.0))).message
    assert "epochs" in ex.q5.check(lab.LabSettings(epochs=20)).message
    assert "seed" in ex.q5.check(lab.LabSettings(seed=3)).message


def test_q2_type_check_without_training():
    assert not ex.q2.check(3)


@pytest.mark.slow
def test_q1_spike_ratio():
    norms = lab.run_lab().telemetry.norm_before
    ratio = float(np.max(norms) / np.median(norms))
    assert ex.q1.check(ratio)
    fb = ex.q1.check(float(np.max(norms) / np.mean(norms)))  # the mean is the common slip
    assert not fb
    assert f"{ratio:.2f}" not in str(fb)


@pytest.mark.slow
def test_q2_dominant_tensor():
    assert ex.q2.check("angles/kernel")
    assert ex.q2.check("angles/kernel:0")
    fb = ex.q2.check("angles/bias")
    assert not fb and "not the largest" in fb.message
    fb = ex.q2.check("dense/kernel")
    assert not fb and "not one of" in fb.message


@pytest.mark.slow
def test_q5_runs_the_settings():
    good = ex.q5.check(lab.LabSettings(standardized=True, loss="mse"))
    assert good, good.message
    bad = ex.q5.check(lab.LabSettings())  # the baseline: at chance
    assert not bad and "at least" in bad.message
