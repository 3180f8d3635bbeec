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
    assert not ex.q2.check("angles/kernel")  # a name is not the ratio asked for


def test_q5_refuses_every_printed_row_without_training():
    for printed in ex.PRINTED_SETTINGS:
        fb = ex.q5.check(printed)
        assert not fb and "tables above" in fb.message
    assert lab.LabSettings(standardized=True, loss="mse") in ex.PRINTED_SETTINGS


@pytest.mark.slow
def test_q1_spike_count():
    norms = lab.run_lab().telemetry.norm_before
    count = int(np.sum(norms > 5 * np.median(norms)))
    assert ex.q1.check(count)
    fb = ex.q1.check(int(np.sum(norms > 5 * np.mean(norms))))  # the mean is the common slip
    if int(np.sum(norms > 5 * np.mean(norms))) != count:
        assert not fb
    assert not ex.q1.check(count + 2)
    ratio = float(np.max(norms) / np.median(norms))
    assert ratio > 5  # the baseline is spiky ...
    assert not ex.q1.check(round(ratio, 2))  # ... and the ratio diagnose prints is not asked


@pytest.mark.slow
def test_q2_ratio_of_the_two_largest_tensor_medians():
    tel = lab.run_lab().telemetry
    medians = np.sort(np.median(tel.layer_norms, axis=0))
    assert ex.q2.check(float(medians[-1] / medians[-2]))
    assert ex.q2.check(round(float(medians[-1] / medians[-2]), 1))
    fb = ex.q2.check(float(medians[-1] / medians[0]))  # over the smallest, not the next one
    assert not fb
    diagnosis = lab.diagnose(lab.run_lab())
    assert diagnosis.dominant_tensor == "angles/kernel"  # the tensor the question starts from


@pytest.mark.slow
def test_q5_runs_the_settings():
    good = ex.q5.check(lab.LabSettings(standardized=True, loss="mse", epochs=8))
    assert good, good.message
    bad = ex.q5.check(lab.LabSettings(learning_rate=0.05))  # raw inputs: near chance
    assert not bad and "at least" in bad.message


def test_07_7_accepts_either_standard_deviation_and_explains_the_epsilon_variant():
    import numpy as np

    from clipq_edu.exercises import ch07

    def with_ddof(ddof):
        def standardize(x_train, x_test):
            mean = x_train.mean(axis=0)
            std = x_train.std(axis=0, ddof=ddof)
            std = np.where(std > 0, std, 1.0)
            return (x_train - mean) / std, (x_test - mean) / std
        return standardize

    def with_epsilon(x_train, x_test):
        mean, std = x_train.mean(axis=0), x_train.std(axis=0)
        return (x_train - mean) / (std + 1e-8), (x_test - mean) / (std + 1e-8)

    assert ch07.q7.check(with_ddof(0)), "population standard deviation"
    assert ch07.q7.check(with_ddof(1)), "sample standard deviation (ddof=1) is legitimate too"
    fb = ch07.q7.check(with_epsilon)
    assert not fb and "constant feature divided by a tiny number" in fb.message, fb.message
    assert "training statistics" not in fb.message
