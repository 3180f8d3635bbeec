"""The capstone's mystery faults: each one misses the target as delivered, its reference fix
reaches it on the held-out seeds, and clipping alone does not.

Each fault trains the 2-qubit lab model 3 + 3 times (about a second per run once TensorFlow is
loaded); the runs are cached, so the exercise checks reuse them.
"""

from __future__ import annotations

import pytest

from clipq_edu.course import lab

pytestmark = pytest.mark.slow  # TensorFlow (the project's rule for tests that load it)


@pytest.mark.parametrize("fault", list(lab.FAULTS))
def test_reference_fix_reaches_the_target_and_clipping_alone_does_not(fault):
    faulty = [lab.FAULTS[fault].but(seed=s) for s in lab.HELD_OUT_SEEDS]
    reached, mean, accuracies = lab.fix_reaches_target([lab._reference_fix(s) for s in faulty])
    assert reached, (fault, accuracies)
    for clip in (("global_norm", 1.0), ("global_norm", 0.1)):
        clipped, clipped_mean, _ = lab.fix_reaches_target([s.but(clip=clip) for s in faulty])
        assert not clipped, (fault, clip, clipped_mean)
        assert clipped_mean < mean - 0.2, (fault, clip)  # not a near miss: far below the fix
    as_delivered, delivered_mean, _ = lab.fix_reaches_target(faulty)
    assert not as_delivered, (fault, delivered_mean)


def test_the_labels_fault_shows_in_the_telemetry_as_a_loss_below_zero():
    run = lab.run_lab(lab.FAULTS["labels"])
    assert min(run.telemetry.loss) < 0  # impossible for a log-loss on 0/1 labels
    fixed = lab.run_lab(lab._reference_fix(lab.FAULTS["labels"]))
    assert min(fixed.telemetry.loss) > 0


def test_the_wrap_fault_hides_behind_standardised_features():
    data = lab.lab_data(lab.FAULTS["wrap"].standardized)
    assert abs(data.x_train.std(axis=0) - 1).max() < 1e-6  # the data look fine ...
    d_wrap = lab.diagnose(lab.run_lab(lab.FAULTS["wrap"]))
    d_fixed = lab.diagnose(lab.run_lab(lab._reference_fix(lab.FAULTS["wrap"])))
    # ... but the first layer's gradient is ~30x larger, as for raw inputs
    assert d_wrap.tensor_medians["angles/kernel"] > 5 * d_fixed.tensor_medians["angles/kernel"]


def test_a_sealed_copy_shows_the_learners_changes_and_the_reference_fix_is_labelled():
    """The delivered model hides its fields; a learner's fix shows what the learner changed,
    and the instructor's fix is not mislabelled as the delivered model (nor shows its change)."""
    delivered = lab.delivered()
    assert "standardized" not in repr(delivered) and "delivered model" in repr(delivered)
    mine = delivered.but(standardized=True, epochs=8)
    assert "as you changed it" in repr(mine) and "standardized=True" in repr(mine)
    assert "epochs=8" in repr(mine) and "learning_rate" not in repr(mine)
    reference = lab._reference_fix(delivered)
    assert repr(reference).startswith("LabSettings(<the instructor's fix")
    changed = [f for f in ("standardized", "loss", "learning_rate", "angle_scale", "signed_labels")
               if getattr(reference, f) != getattr(delivered, f)]
    assert changed and not any(f"{name}=" in repr(reference) for name in changed)
    assert mine == lab.FAULTS[lab.fault_name()].but(standardized=True, epochs=8)  # repr only
