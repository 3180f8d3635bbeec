"""Exercises of chapter 06 (FAQ): choosing a clipping method and threshold, memory, Keras.

>>> from clipq_edu.exercises import ch06 as ex
>>> ex.q1.check(None).correct
False
"""

from __future__ import annotations

from typing import Any

import numpy as np

from clipq_edu._validate import state_vector_bytes
from clipq_edu.clipping import clip_by_global_norm
from clipq_edu.course import faq
from clipq_edu.exercises._checks import StudentError, as_array, call, guarded, require_callable
from clipq_edu.exercises._core import ChoiceExercise, FunctionExercise, NumericExercise

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6"]

q1 = ChoiceExercise(
    "06.1",
    "Two weight tensors have gradients of norm 10 and 0.1. Which Keras option rescales the "
    "whole gradient without changing its direction?",
    options={"a": "clipvalue=1.0", "b": "clipnorm=1.0", "c": "global_clipnorm=1.0"},
    correct="c",
    explanations={
        "a": "clipvalue clips every entry on its own: the direction changes.",
        "b": "clipnorm scales each tensor by its own factor: the first shrinks 10x, the second "
             "not at all, so the relative weights of the two change.",
        "c": "right: one factor for all tensors keeps the direction exactly.",
    },
    hints=["Which option uses one scale factor for all tensors together?"],
    solution_text="(c) global_clipnorm: every tensor is multiplied by c / max(N, c) with N "
    "the global norm.",
)

q2 = NumericExercise(
    "06.2",
    "Take the gradient-norm telemetry of cq.course.faq.logistic_sgd() (seed 0, no clipping) "
    "and choose the threshold at the 95th percentile of the recorded norms (the chapter "
    "printed the 50th, 90th and 99th). Give that threshold to three decimals.",
    expected=lambda: float(np.percentile(faq.logistic_sgd().norm_before, 95)),
    rtol=1e-6,
    digits=3,
    shown=("0.257",),
    hints=[
        "The 95th percentile is the norm that 95 % of the recorded steps stay below: it lies "
        "between the p90 and p99 printed in Q5.",
        "The run returns its telemetry; the raw norms are its norm_before attribute.",
        "np.percentile(r.norm_before, 95).",
    ],
    solution_text="np.percentile(cq.course.faq.logistic_sgd().norm_before, 95) ≈ 0.257, "
    "between p90 (0.208) and p99 (0.403): it clips 5 % of the steps, and the rare spikes (up "
    "to about 7) are cut to it.",
)

q3 = NumericExercise(
    "06.3",
    "How many bytes does one 26-qubit state vector take in complex64 (8 bytes per amplitude)?",
    expected=lambda: float(state_vector_bytes(26)),
    rtol=1e-9,
    atol=0.5,
    shown=("536 870 912",),
    hints=["A state of n qubits has 2**n amplitudes."],
    solution_text="2**26 × 8 = 536 870 912 bytes = 512 MiB, before any batching.",
)

q4 = ChoiceExercise(
    "06.4",
    "You train with Adam and your clip-by-global-norm bound c is active at *every* step. What "
    "does the clipping change?",
    options={
        "a": "Nothing: Adam divides by a running RMS of the gradient, so any rescaling cancels.",
        "b": "It cures vanishing gradients.",
        "c": "It multiplies the learning rate by the bound.",
        "d": "Adam now runs on normalised gradients c·g_t/‖g_t‖: every step's gradient has the "
             "same length, so the value of c stops mattering, and large and small gradients "
             "get the same weight in Adam's moments.",
    },
    correct="d",
    explanations={
        "a": "Only a *constant* factor cancels in m̂/√v̂. An always-active clip multiplies g_t by "
             "c/‖g_t‖, a different factor at every step: Adam's moments now average unit "
             "vectors (chapter 03a §5 measures this).",
        "b": "clipping never enlarges a gradient.",
        "c": "Adam's step size is set by lr, not by the gradient's scale.",
        "d": "right: it is normalised-gradient Adam. That can be a deliberate choice, but it is "
             "a different optimiser; set the bound from the telemetry if you want clipping to "
             "act only on spikes.",
    },
    hints=["Is the factor c/‖g_t‖ the same at every step? What does Adam cancel exactly?"],
    solution_text="(d). Adam cancels a constant factor k (m̂/√v̂ is unchanged), but an "
    "always-active clip uses c/‖g_t‖, which changes every step: the optimiser becomes "
    "normalised-gradient Adam and c no longer matters.",
)

q5 = ChoiceExercise(
    "06.5",
    "A TFQ layer fails with \"Only input tensors may be passed as positional arguments\". "
    "What is the fix?",
    options={
        "a": "pip install keras==3 --upgrade",
        "b": "Restart the kernel and make `import clipq_edu` (which sets TF_USE_LEGACY_KERAS=1) "
             "the first import, or set the variable before starting Python.",
        "c": "Use `import keras` instead of `tf.keras`.",
    },
    correct="b",
    explanations={
        "a": "Keras 3 is the problem: TFQ only works with tf-keras.",
        "b": "right: the variable must be set before TensorFlow first touches tf.keras.",
        "c": "`import keras` always gives Keras 3.",
    },
    hints=["Which Keras does TFQ need, and when does TensorFlow decide which one tf.keras is?"],
    solution_text="(b).",
)


def _reference_safe_update(params: list[np.ndarray], grads: list[np.ndarray], lr: float,
                           clip: float) -> list[np.ndarray]:
    if not all(np.all(np.isfinite(g)) for g in grads):
        return [p.copy() for p in params]
    clipped, _ = clip_by_global_norm(grads, clip)
    return [p - lr * g for p, g in zip(params, clipped, strict=True)]


def _safe_cases() -> list[tuple[str, list[np.ndarray], list[np.ndarray], float, float]]:
    rng = np.random.default_rng(12)
    params = [rng.normal(size=(3, 2)), rng.normal(size=(2,))]
    small = [rng.normal(size=(3, 2)) * 0.01, rng.normal(size=(2,)) * 0.01]
    spike = [g * 1e4 for g in small]
    nan = [small[0].copy(), small[1].copy()]
    nan[1][0] = np.nan
    inf = [small[0].copy(), small[1].copy()]
    inf[0][2, 1] = np.inf
    return [
        ("a small finite gradient", params, small, 0.1, 1.0),
        ("a finite spike", params, spike, 0.1, 1.0),
        ("a gradient with one NaN entry", params, nan, 0.1, 1.0),
        ("a gradient with one Inf entry", params, inf, 0.1, 1.0),
    ]


def _check_safe_update(fn: Any) -> str:
    require_callable(fn, "safe_update(params, grads, lr, clip)")
    for what, params, grads, lr, clip in _safe_cases():
        p_in, g_in = [p.copy() for p in params], [g.copy() for g in grads]
        out = call(fn, p_in, g_in, lr, clip, what=what)
        if not isinstance(out, (list, tuple)) or len(out) != len(params):
            raise StudentError(f"for {what} return a list with one array per parameter tensor")
        if not all(np.array_equal(a, b, equal_nan=True)
                   for a, b in zip([*p_in, *g_in], [*params, *grads], strict=True)):
            raise StudentError(f"for {what} your function changed its inputs in place: return "
                               "new arrays")
        finite = all(np.all(np.isfinite(g)) for g in grads)
        if not finite and not all(np.all(np.isfinite(np.asarray(o, dtype=float))) for o in out):
            raise StudentError(f"for {what} the parameters became NaN/Inf: one bad entry spreads "
                               "through the global norm to every tensor. Check np.isfinite on "
                               "all gradients first and skip the step")
        got = [as_array(o, p.shape, what) for o, p in zip(out, params, strict=True)]
        want = _reference_safe_update(params, grads, lr, clip)
        if all(np.allclose(a, b, rtol=1e-6, atol=1e-12) for a, b in zip(got, want, strict=True)):
            continue
        if not finite:
            raise StudentError(f"for {what} the parameters moved: replacing the bad entries (by "
                               "0, say) still steps along the rest of a broken gradient. Skip "
                               "the whole step and return the parameters unchanged")
        plain = [p - lr * g for p, g in zip(params, grads, strict=True)]
        if all(np.allclose(a, b, rtol=1e-6) for a, b in zip(got, plain, strict=True)):
            raise StudentError(f"for {what} the gradient was not clipped: clip by global norm "
                               "at clip before the step")
        raise StudentError(f"for {what} the step is wrong: params - lr * (the gradients clipped "
                           "together by their global norm)")
    return ("your safe_update clips finite gradients by global norm and skips any step whose "
            "gradient holds NaN or Inf, as optax.apply_if_finite does.")


q6 = FunctionExercise(
    "06.6",
    "Write safe_update(params, grads, lr, clip): params and grads are lists of NumPy arrays "
    "(one per weight tensor). If every gradient entry is finite, clip the gradients together "
    "by their global norm at clip and return the new parameters params − lr·clipped; if any "
    "entry is NaN or Inf, skip the step and return the parameters unchanged. Return new "
    "arrays; pass the function itself to check.",
    checker=guarded(_check_safe_update),
    hints=[
        "Q8 showed why clipping alone is not enough: the global norm of a gradient with a NaN "
        "is NaN, and so is every clipped tensor.",
        "Test first, then clip: all(np.all(np.isfinite(g)) for g in grads). np.isnan misses "
        "Inf.",
        "clipped, _ = cq.clipping.clip_by_global_norm(grads, clip) (or by hand: scale = "
        "min(1, clip / global_norm)); return [p - lr * g for p, g in zip(params, clipped)].",
    ],
    solution_text=(
        "def safe_update(params, grads, lr, clip):\n"
        "    if not all(np.all(np.isfinite(g)) for g in grads):\n"
        "        return [p.copy() for p in params]\n"
        "    norm = np.sqrt(sum(np.sum(g**2) for g in grads))\n"
        "    scale = min(1.0, clip / norm) if norm > 0 else 1.0\n"
        "    return [p - lr * scale * g for p, g in zip(params, grads)]"
    ),
)
