"""Exercises for chapter 07, the capstone lab: diagnose and fix a misbehaving hybrid model.

Answers are computed when checked, from the lab's own (cached) runs in
:mod:`clipq_edu.course.lab`; nothing is written in the notebook. Checking q1, q2 and q5 trains
the lab model if that run is not cached yet (a few seconds, TensorFlow is loaded on first use).

Taught in chapter 07.
"""

from __future__ import annotations

from typing import Any

from clipq_edu.course import lab
from clipq_edu.exercises._core import ChoiceExercise, FunctionExercise, NumericExercise

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6"]

#: What q5 asks for: both accuracies at least this, without clipping, in at most this many epochs.
TARGET_ACCURACY = 0.85
MAX_EPOCHS = 10


def _baseline_ratio() -> float:
    return lab.spike_ratio(lab.run_lab().telemetry)


q1 = NumericExercise(
    "07.1",
    "From the baseline run's telemetry (`baseline.telemetry.norm_before`), compute the spike "
    "ratio: the largest raw gradient norm divided by the median one.",
    expected=_baseline_ratio,
    rtol=0.05,
    hints=[
        "`np.max(norms) / np.median(norms)` with `norms = baseline.telemetry.norm_before`.",
        "Use the median, not the mean: a few spikes pull the mean up.",
    ],
    solution_text="norms = baseline.telemetry.norm_before; ratio = norms.max() / "
    "np.median(norms). `cq.lab.spike_ratio(baseline.telemetry)` does the same.",
)


def _check_dominant(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, str):
        return False, "answer with the tensor's name as a string, e.g. 'angles/bias'"
    diagnosis = lab.diagnose(lab.run_lab())
    names = list(diagnosis.tensor_medians)
    given = answer.strip().split(":")[0]
    if given not in names:
        return False, f"that is not one of the model's weight tensors: {names}"
    if given == diagnosis.dominant_tensor:
        return True, ("right: its gradient is the input times the backpropagated error, so "
                      "inputs 30x too large make it 30x larger")
    return False, ("that tensor's gradient is not the largest one; compare the median of each "
                   "column of telemetry.layer_norms")


q2 = FunctionExercise(
    "07.2",
    "Which weight tensor's gradient dominates the baseline's global gradient norm? Compare the "
    "median of each column of `baseline.telemetry.layer_norms` (column names in "
    "`baseline.telemetry.weight_names`) and answer with the name.",
    checker=_check_dominant,
    hints=[
        "`np.median(baseline.telemetry.layer_norms, axis=0)` gives one median per tensor.",
        "Which layer multiplies the raw inputs? Its gradient is proportional to them.",
    ],
    solution_text="The Dense layer that computes the angles from the raw inputs: its kernel's "
    "gradient is (input) x (error signal), so it scales with the inputs.",
)


def _slope_ratio() -> float:
    return float(lab.loss_slope("naive_bce", 0.01) / lab.loss_slope("mse", 0.01))


q3 = NumericExercise(
    "07.3",
    "A training example with label y = 1 gets predicted probability p = 0.01. How many times "
    "larger is |dL/dp| for cross-entropy than for MSE, (p − y)²?",
    expected=_slope_ratio,
    rtol=1e-3,
    hints=[
        "Cross-entropy for y = 1 is −log p; MSE is (p − 1)².",
        "Differentiate both with respect to p and take absolute values: 1/p and 2(1 − p).",
    ],
    solution_text="|d(−log p)/dp| = 1/p = 100 and |d(p − 1)²/dp| = 2(1 − p) = 1.98; the ratio "
    "is about 50.5. Near p = 0 cross-entropy's slope has no bound; MSE's never exceeds 2.",
)

q4 = ChoiceExercise(
    "07.4",
    "With the inputs still raw, clipping by global norm at 0.1 was active in every step and "
    "the model stayed at chance accuracy. Why does clipping not fix this model?",
    options={
        "a": "The threshold was still too high; a smaller one would work.",
        "b": "Clipping bounds the length of a step, not where it leads: with inputs 30x too "
        "large, the loss oscillates in the first-layer weights on a 30x finer scale, so even "
        "short steps land on noise. (And Adam rescales its steps anyway.)",
        "c": "Clipping made the gradients vanish, so nothing was learned.",
        "d": "Six epochs are too few; clipped training just needs longer.",
    },
    correct="b",
    explanations={
        "a": "The clip was already active in every step. Try 0.01 in the lab: it still "
        "does not learn, because the problem is the landscape, not the step length.",
        "b": "Right: the cure is to fix the inputs (standardise), not to shorten the steps.",
        "c": "Clipping never makes a gradient smaller than the bound, and with Adam the step "
        "size barely depends on the gradient's scale at all.",
        "d": "The standardised model learns within the same six epochs: the budget is not "
        "the problem.",
    },
    hints=["Compare the clipped runs' telemetry with the standardised run: what differs?"],
    solution_text="b. Clipping limits step length; the raw inputs make the loss surface in the "
    "first layer's weights oscillate 30x faster, which no step-length limit fixes.",
)


def _check_settings(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, lab.LabSettings):
        return False, ("answer with a LabSettings, e.g. cq.lab.LabSettings(standardized=..., "
                       "loss=..., learning_rate=...)")
    if answer.clip is not None:
        return False, "set clip=None: the point is to fix the model without clipping"
    if answer.epochs > MAX_EPOCHS:
        return False, f"use at most {MAX_EPOCHS} epochs (lab time is short)"
    if answer.seed != 0:
        return False, "keep seed=0, so everyone's result is comparable"
    run = lab.run_lab(answer)
    train, test = run.train_accuracy, run.test_accuracy
    if min(train, test) >= TARGET_ACCURACY:
        return True, (f"train accuracy {train:.2f}, test accuracy {test:.2f}, without any "
                      f"clipping.")
    return False, (f"these settings reach train accuracy {train:.2f} and test accuracy "
                   f"{test:.2f}; both must be at least {TARGET_ACCURACY}")


q5 = FunctionExercise(
    "07.5",
    f"Find settings that make the model learn *without clipping*: pass a `cq.lab.LabSettings` "
    f"with `clip=None`, at most {MAX_EPOCHS} epochs and seed 0 whose run reaches at least "
    f"{TARGET_ACCURACY} train and test accuracy.",
    checker=_check_settings,
    hints=[
        "Start from what the diagnosis blamed: the input scale. `standardized=True`.",
        "Then the loss: a bounded slope (`loss='mse'`) or a smaller learning rate.",
    ],
    solution_text="LabSettings(standardized=True, loss='mse') reaches about 0.93 on both; "
    "standardising is the decisive fix, the bounded loss makes it reliable.",
)

q6 = ChoiceExercise(
    "07.6",
    "After the fixes, the gradient norms stay within a factor of about two of their median, "
    "and adding global-norm clipping at 1.0 changes nothing. What is clipping's job now?",
    options={
        "a": "None: remove it, it can only hurt.",
        "b": "Insurance against rare spikes (a bad batch, an outlier): set the bound above "
        "the norms seen in normal training, e.g. a high percentile of the telemetry, so it "
        "is inactive normally and catches only the exceptions.",
        "c": "Set the bound below the median norm so it is always active; that speeds up "
        "training.",
        "d": "Clipping should replace the learning-rate schedule.",
    },
    correct="b",
    explanations={
        "a": "It costs almost nothing and protects against a single bad step; with a bound "
        "above normal norms it never changes a normal step.",
        "b": "Right: pick the threshold from gradient-norm statistics, as AutoClip does "
        "automatically.",
        "c": "An always-active clip turns Adam into normalised-gradient Adam and SGD into "
        "normalised SGD: it changes the optimiser, and does not speed it up in general.",
        "d": "Clipping acts only on large gradients; a schedule changes every step.",
    },
    hints=["Look at the clipped fraction of the fixed run with clipping."],
    solution_text="b. A clip above the typical norm is cheap insurance; it is not a cure.",
)
