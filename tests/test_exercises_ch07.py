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
    for q in (ex.q4, ex.q8):
        assert q.check("b")
        for wrong in "acd":
            fb = q.check(wrong)
            assert not fb and len(fb.message) > 20
        assert not q.check("x")


def test_q2_type_check_without_training():
    assert not ex.q2.check("angles/kernel")  # a name is not the ratio asked for


def test_q3_typical_mistakes_are_named():
    fb = ex.q3.check(100 / 0.99)  # the factor 2 of MSE's slope dropped
    assert not fb and "factor 2" in fb.message
    fb = ex.q3.check(1.98 / 100)  # the ratio upside down
    assert not fb and "other way round" in fb.message


@pytest.mark.parametrize("seed", [None, *range(1, 9)])
def test_q5_diagnosis_follows_the_lab_seed(monkeypatch, seed):
    if seed is None:
        monkeypatch.delenv(lab.SEED_ENV, raising=False)
    else:
        monkeypatch.setenv(lab.SEED_ENV, str(seed))
    fault = lab.fault_name()
    right = next(k for k, v in ex.DIAGNOSES.items() if v == fault)
    fb = ex.q5.check(right)
    assert fb, fb.message
    for key in ex.DIAGNOSES:
        if key != right:
            fb = ex.q5.check(key)
            assert not fb and "evidence" in fb.message
            assert fault not in fb.message


def test_q6_refuses_without_training(monkeypatch):
    monkeypatch.delenv(lab.SEED_ENV, raising=False)

    def stub(settings):
        return None

    def clip_only(settings):
        return settings.but(clip=("global_norm", 1.0))

    def not_settings(settings):
        return {"standardized": True}

    def other_seed(settings):
        return settings.but(seed=0, standardized=True)

    def too_long(settings):
        return settings.but(standardized=True, epochs=25)

    fb = ex.q6.check(stub)
    assert not fb and "returns None" in fb.message
    assert "clipping" in ex.q6.check(clip_only).message
    assert "LabSettings" in ex.q6.check(not_settings).message
    assert "seed" in ex.q6.check(other_seed).message
    assert "epochs" in ex.q6.check(too_long).message


@pytest.mark.slow
def test_q1_spike_count():
    norms = lab.run_lab().telemetry.norm_before
    count = int(np.sum(norms > 5 * np.median(norms)))
    assert ex.q1.check(count)
    by_mean = int(np.sum(norms > 5 * np.mean(norms)))  # the mean is the common slip
    if by_mean != count:
        fb = ex.q1.check(by_mean)
        assert not fb and "mean" in fb.message
    assert not ex.q1.check(count + 2)
    ratio = float(np.max(norms) / np.median(norms))
    assert ratio > 5  # the baseline is spiky ...
    assert not ex.q1.check(round(ratio, 2))  # ... and the ratio diagnose prints is not asked


@pytest.mark.slow
def test_q2_ratio_of_the_two_largest_tensor_medians():
    tel = lab.run_lab().telemetry
    medians = np.sort(np.median(tel.layer_norms, axis=0))
    assert ex.q2.check(float(medians[-1] / medians[-2]))
    assert ex.q2.check(float(f"{medians[-1] / medians[-2]:.3g}"))  # 3 significant figures
    fb = ex.q2.check(float(medians[-1] / medians[0]))  # over the smallest, not the next one
    assert not fb
    printed = [float(f"{m:.3g}") for m in (medians[-1], medians[-2])]  # as diagnose prints
    if f"{printed[0] / printed[1]:.3g}" != f"{medians[-1] / medians[-2]:.3g}":
        fb = ex.q2.check(float(f"{printed[0] / printed[1]:.3g}"))
        assert not fb and "unrounded" in fb.message
    diagnosis = lab.diagnose(lab.run_lab())
    assert diagnosis.dominant_tensor == "angles/kernel"  # the tensor the question starts from


@pytest.mark.slow
@pytest.mark.parametrize("fault", list(lab.FAULTS))
def test_q6_trains_the_fix_on_held_out_seeds(monkeypatch, fault):
    seed = next(s for s in range(1, 100) if lab.fault_name(s) == fault)
    monkeypatch.setenv(lab.SEED_ENV, str(seed))
    good = ex.q6.check(lambda s: s.but(**lab._REFERENCE_FIXES[fault]))
    assert good, good.message
    refused = ex.q6.check(lab._reference_fix)  # the grader's own answer is not a diagnosis
    assert not refused and "reference fix" in refused.message

    def wrong_fix(settings):  # a plausible change that removes no cause
        return settings.but(batch_size=40, epochs=8)

    bad = ex.q6.check(wrong_fix)
    assert not bad and "does not remove the cause" in bad.message


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
