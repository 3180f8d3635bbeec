"""Exercises for chapter 07, the capstone lab: diagnose and fix a misbehaving hybrid model.

Answers are computed when checked, from the lab's own (cached) runs in
:mod:`clipq_edu.course.lab`; nothing is written in the notebook. Checking q1, q2 and q5 trains
the lab model if that run is not cached yet (a few seconds, TensorFlow is loaded on first use).
None of the expected answers is printed by the notebook above its question: q1 and q2 ask for
quantities `lab.diagnose` does not print, and q5 refuses the settings of the printed tables.

Taught in chapter 07.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from clipq_edu.course import lab
from clipq_edu.exercises._checks import StudentError, as_array, call, guarded, require_callable
from clipq_edu.exercises._core import ChoiceExercise, FunctionExercise, NumericExercise

__all__ = ["PRINTED_SETTINGS", "SPIKE_FACTOR", "q1", "q2", "q3", "q4", "q5", "q6", "q7"]

#: q1: a step is a spike when its raw norm exceeds this many times the median norm.
SPIKE_FACTOR = 5.0

#: q5: the runs the notebook prints in its tables (Parts 3 and 4), which q5 does not accept.
PRINTED_SETTINGS = (
    lab.LabSettings(),
    lab.LabSettings(standardized=True),
    lab.LabSettings(standardized=True, loss="mse"),
    lab.LabSettings(standardized=True, learning_rate=0.03),
    lab.LabSettings(loss="mse"),
)

#: What q5 asks for: both accuracies at least this, without clipping, in at most this many epochs.
TARGET_ACCURACY = 0.85
MAX_EPOCHS = 10


def _spike_count() -> int:
    norms = np.asarray(lab.run_lab().telemetry.norm_before)
    return int(np.sum(norms > SPIKE_FACTOR * np.median(norms)))


q1 = NumericExercise(
    "07.1",
    "From the baseline run's telemetry (`baseline.telemetry.norm_before`, one raw global "
    f"gradient norm per step), count the spikes: the steps whose norm is more than "
    f"{SPIKE_FACTOR:g} times the median norm. Answer with a whole number.",
    expected=_spike_count,
    rtol=0.0,
    atol=0.5,
    shown=("2",),
    hints=[
        "Use the median as the typical norm, not the mean: a few spikes pull the mean up.",
        "A boolean array `norms > 5 * np.median(norms)` marks the spikes; sum it.",
    ],
    solution_text="norms = baseline.telemetry.norm_before; int(np.sum(norms > 5 * "
    "np.median(norms))) = 2 of the 36 steps. The largest norm over the median, the spike "
    "ratio, is what `lab.diagnose` prints.",
)


def _second_ratio() -> float:
    medians = sorted(lab.diagnose(lab.run_lab()).tensor_medians.values(), reverse=True)
    return float(medians[0] / medians[1])


q2 = NumericExercise(
    "07.2",
    "`lab.diagnose` named the tensor whose gradient dominates. By what factor is its median "
    "gradient norm larger than that of the *next-largest* tensor? Use the medians of the "
    "columns of `baseline.telemetry.layer_norms` (names in `baseline.telemetry.weight_names`).",
    expected=_second_ratio,
    rtol=0.0,
    digits=2,
    shown=("4.2",),
    hints=[
        "Each column of layer_norms is one tensor's gradient norm over the steps; summarise "
        "every column by its median (robust to the spikes).",
        "Sort the medians: the answer is the largest over the second largest.",
        "m = np.sort(np.median(baseline.telemetry.layer_norms, axis=0)); m[-1] / m[-2]",
    ],
    solution_text="m = np.sort(np.median(baseline.telemetry.layer_norms, axis=0)); m[-1] / "
    "m[-2] ≈ 4.2: the Dense kernel (gradient = input × error signal, with inputs 30x too "
    "large) against the circuit's angles theta.",
)


def _slope_ratio() -> float:
    return float(lab.loss_slope("naive_bce", 0.01) / lab.loss_slope("mse", 0.01))


q3 = NumericExercise(
    "07.3",
    "A training example with label y = 1 gets predicted probability p = 0.01. How many times "
    "larger is |dL/dp| for cross-entropy than for MSE, (p − y)²?",
    expected=_slope_ratio,
    rtol=1e-3,
    digits=3,
    shown=("50.5",),
    hints=[
        "Cross-entropy for y = 1 is −log p; MSE is (p − 1)².",
        "Differentiate both with respect to p and take absolute values: 1/p and 2(1 − p).",
    ],
    solution_text="|d(−log p)/dp| = 1/p = 100 and |d(p − 1)²/dp| = 2(1 − p) = 1.98; the ratio "
    "is about 50.5. Near p = 0 cross-entropy's slope has no bound; MSE's never exceeds 2.",
)

q4 = ChoiceExercise(
    "07.4",
    "With the inputs still raw, clipping by global norm at 0.1 was active in every step (Adam, "
    "learning rate 0.1) and the model stayed at chance accuracy. Why did clipping not fix "
    "this model?",
    options={
        "a": "The threshold was still too high; a smaller one would work.",
        "b": "Under Adam an always-active clip does not even shorten the steps: Adam divides by "
        "a running RMS of the gradient, so clipping every step just turns it into "
        "normalised-gradient Adam, with the step length still set by the learning rate. "
        "Nothing in it addresses the cause, the raw inputs.",
        "c": "Clipping made the gradients vanish, so nothing was learned.",
        "d": "Six epochs are too few; clipped training just needs longer.",
    },
    correct="b",
    explanations={
        "a": "With a clip active at every step Adam sees c·g/‖g‖, and its RMS normalisation "
        "cancels the constant c: a bound of 0.01 gives the same steps (up to Adam's ε). The "
        "threshold stops mattering (chapter 03a §5).",
        "b": "Right: the cure is to fix the inputs (standardise), as Part 4 shows. Whether "
        "clipping could help raw inputs under plain SGD, where it does shorten steps, is a "
        "separate experiment (chapter 03c's controls).",
        "c": "Clipping never makes a gradient smaller than the bound, and under Adam the "
        "gradient's scale barely changes the step at all.",
        "d": "The standardised model learns within the same six epochs: the budget is not "
        "the problem.",
    },
    hints=["What does Adam do to a gradient that is multiplied by the same factor at every "
           "step, and is c/‖g_t‖ such a factor?"],
    solution_text="b. Under Adam an always-active clip only normalises the gradient (the step "
    "length stays set by the learning rate), so it cannot repair what the raw inputs break; "
    "standardising them does.",
)


def _check_settings(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, lab.LabSettings):
        return False, ("answer with a LabSettings, e.g. cq.course.lab.LabSettings(standardized=..., "
                       "loss=..., learning_rate=...)")
    if answer.clip is not None:
        return False, "set clip=None: the point is to fix the model without clipping"
    if answer.epochs > MAX_EPOCHS:
        return False, f"use at most {MAX_EPOCHS} epochs (lab time is short)"
    if answer.seed != 0:
        return False, "keep seed=0, so everyone's result is comparable"
    for printed in PRINTED_SETTINGS:
        if answer == printed:
            return False, ("that run is in the tables above: find settings of your own (change "
                           "the learning rate, the epochs or the batch size as well) and predict "
                           "from the telemetry why they should work")
    run = lab.run_lab(answer)
    train, test = run.train_accuracy, run.test_accuracy
    if min(train, test) >= TARGET_ACCURACY:
        return True, (f"train accuracy {train:.2f}, test accuracy {test:.2f}, without any "
                      f"clipping.")
    return False, (f"these settings reach train accuracy {train:.2f} and test accuracy "
                   f"{test:.2f}; both must be at least {TARGET_ACCURACY}")


q5 = FunctionExercise(
    "07.5",
    f"Find settings of your own that make the model learn *without clipping*: pass a "
    f"`cq.course.lab.LabSettings` with `clip=None`, at most {MAX_EPOCHS} epochs and seed 0 whose run "
    f"reaches at least {TARGET_ACCURACY} train and test accuracy. The runs printed in the "
    f"tables above do not count.",
    checker=_check_settings,
    hints=[
        "Start from what the diagnosis blamed: the input scale. `standardized=True`.",
        "Then the loss (a bounded slope, `loss='mse'`), the learning rate, or a few more "
        "epochs: the printed runs show which of them are still short of the target.",
    ],
    solution_text="For example LabSettings(standardized=True, loss='mse', epochs=8): train "
    "0.97, test 0.97 (seed 0). Standardising the inputs is the decisive fix; the bounded loss "
    "and enough steps make it reach the target.",
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


def _reference_standardize(x_train: np.ndarray,
                           x_test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return (x_train - mean) / std, (x_test - mean) / std


def _standardize_cases() -> list[tuple[str, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(7)
    scale = np.array([30.0, 0.01, 5.0])
    shift = np.array([100.0, -3.0, 0.0])
    train = rng.normal(size=(50, 3)) * scale + shift
    test = rng.normal(size=(20, 3)) * scale + shift + 1.0
    constant = np.column_stack([rng.normal(size=10) * 30, np.full(10, 4.0)])
    return [
        ("features 30x too large, like the lab's", rng.normal(size=(40, 2)) * 30,
         rng.normal(size=(10, 2)) * 30),
        ("three features on very different scales", train, test),
        ("a constant feature (standard deviation 0)", constant, constant[:3] + 1.0),
        ("a test set of one point", train, test[:1]),
    ]


def _check_standardize(fn: Any) -> str:
    require_callable(fn, "standardize(x_train, x_test)")
    for what, train, test in _standardize_cases():
        tr_in, te_in = train.copy(), test.copy()
        out = call(fn, tr_in, te_in, what=what)
        if not isinstance(out, tuple) or len(out) != 2:
            raise StudentError(f"for {what} return a pair (x_train_std, x_test_std)")
        if not (np.array_equal(tr_in, train) and np.array_equal(te_in, test)):
            raise StudentError(f"for {what} your function changed its inputs in place")
        zero_std = ": a feature with standard deviation 0 must be divided by 1, not by 0"
        got_tr = as_array(out[0], train.shape, f"{what}, training part", nonfinite=zero_std)
        got_te = as_array(out[1], test.shape, f"{what}, test part", nonfinite=zero_std)
        want_tr, want_te = _reference_standardize(train, test)
        if np.allclose(got_tr, want_tr, atol=1e-6) and np.allclose(got_te, want_te, atol=1e-6):
            continue
        if not np.allclose(got_tr, want_tr, atol=1e-6):
            if np.allclose(got_tr, (train - train.mean()) / train.std(), atol=1e-6):
                raise StudentError(f"for {what} standardise each feature (column, axis=0) on "
                                   "its own, not all numbers together")
            raise StudentError(f"for {what} the training part does not have mean 0 and "
                               "standard deviation 1 in every feature with a spread")
        raise StudentError(f"for {what} the test part must be shifted and scaled with the "
                           "*training* mean and standard deviation: a model only ever sees "
                           "the statistics of its training data")
    return ("your standardize fits the statistics on the training split only and leaves "
            "constant features finite: the lab's decisive fix, as code.")


q7 = FunctionExercise(
    "07.7",
    "The capstone's decisive fix as code: write standardize(x_train, x_test) for 2-D arrays "
    "(rows are points, columns features). Shift and scale every feature to mean 0 and "
    "standard deviation 1 using the training split's statistics, apply the same "
    "transformation to the test split, and leave a constant feature centred (no division by "
    "0). Return (x_train_std, x_test_std) as new arrays; pass the function itself to check.",
    checker=guarded(_check_standardize),
    hints=[
        "Which data may the transformation learn from? Only the training split: the test "
        "split stands for data the model has never seen.",
        "Per feature means axis=0. A standard deviation of 0 would divide by zero: use 1 "
        "there.",
        "mean = x_train.mean(axis=0); std = x_train.std(axis=0); std = np.where(std > 0, std, "
        "1.0); return (x_train - mean) / std, (x_test - mean) / std",
    ],
    solution_text=(
        "def standardize(x_train, x_test):\n"
        "    mean = x_train.mean(axis=0)\n"
        "    std = x_train.std(axis=0)\n"
        "    std = np.where(std > 0, std, 1.0)\n"
        "    return (x_train - mean) / std, (x_test - mean) / std"
    ),
)
