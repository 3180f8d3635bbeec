"""Exercises of chapter 03: clipping maths, parameter shift, shot budgets.

>>> from clipq_edu.exercises import ch03 as ex
>>> ex.q1.check(None).correct
False
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from clipq_edu import clipping
from clipq_edu.course import analysis
from clipq_edu.exercises._core import ChoiceExercise, FunctionExercise, NumericExercise

__all__ = ["TELEMETRY", "q1", "q2", "q3", "q4", "q5", "q6", "telemetry_norms"]


def telemetry_norms(seed: int = 3) -> np.ndarray:
    """Return 200 recorded global gradient norms of a training run with three spikes (q4 data).

    Mostly log-normal around 1 with three spikes of 40-80, as a loss spike would cause.

    Args:
      seed: seed of the generator.

    Returns:
      1-D array of 200 norms.

    Taught in chapter 03.
    """
    rng = np.random.default_rng(seed)
    norms = np.exp(rng.normal(0.0, 0.35, size=200))
    norms[[57, 120, 181]] = rng.uniform(40.0, 80.0, size=3)
    return norms


#: The telemetry of exercise q4 (global gradient norm per step).
TELEMETRY = telemetry_norms()

q1 = NumericExercise(
    "03.1",
    "f(θ) = cos θ is ⟨Z⟩ after rx(θ) on |0⟩. Apply the parameter-shift rule by hand at "
    "θ = 0.3: give [f(θ + π/2) − f(θ − π/2)] / 2 as a number.",
    expected=lambda: float(
        analysis.parameter_shift(lambda p: np.cos(p[:, 0]), np.array([0.3]))[0]
    ),
    rtol=1e-6,
    atol=1e-9,
    hints=[
        "cos(θ + π/2) = −sin θ and cos(θ − π/2) = sin θ.",
        "So the rule gives (−sin θ − sin θ)/2: compare with d/dθ cos θ.",
    ],
    solution_text="[cos(0.3 + π/2) − cos(0.3 − π/2)]/2 = −sin(0.3) ≈ −0.2955, exactly the "
    "derivative of cos θ: the rule is exact, not an approximation.",
)

_Q2_GRADS = [np.array([3.0, 4.0]), np.array([12.0, 0.0, 5.0])]

q2 = NumericExercise(
    "03.2",
    "Two weight tensors have gradients g1 = (3, 4) and g2 = (12, 0, 5). What is their global "
    "norm after clip_by_global_norm with max_norm = 2.6?",
    expected=lambda: clipping.global_norm(clipping.clip_by_global_norm(_Q2_GRADS, 2.6)[0]),
    rtol=1e-6,
    hints=[
        "First compute the global norm √(‖g1‖² + ‖g2‖²) before clipping.",
        "Clipping by global norm gives a global norm of min(N, c).",
    ],
    solution_text="N = √(25 + 169) = √194 ≈ 13.93 > 2.6, so every tensor is scaled by "
    "2.6/N and the global norm becomes min(N, 2.6) = 2.6.",
)

q3 = ChoiceExercise(
    "03.3",
    "A 40-layer sigmoid network's first layer gets gradients of norm 1e-9. What does "
    "clip_by_global_norm(grads, 1.0) do to them?",
    options={
        "a": "It scales them up towards 1.0, curing the vanishing gradient.",
        "b": "It leaves them unchanged or makes them smaller: clipping never enlarges a "
        "gradient.",
        "c": "It sets them to exactly 1.0.",
        "d": "It replaces them with NaN.",
    },
    correct="b",
    explanations={
        "a": "clip multiplies by c/max(N, c) ≤ 1: it can only shrink. Look at the "
        "‖clip(g)‖ = min(‖g‖, c) curve again.",
        "b": "right: ‖clip(g)‖ = min(‖g‖, c) ≤ ‖g‖. A spike in another layer can even shrink "
        "these tiny gradients further. Vanishing gradients need other remedies.",
        "c": "only gradients above the bound are rescaled, and only down to it.",
        "d": "NaN appears only if some entry is already NaN or Inf.",
    },
    hints=["Write the scale factor c / max(N, c): can it exceed 1?"],
    solution_text="(b). The factor c/max(N, c) is at most 1, so clipping cannot fix "
    "vanishing gradients (Pascanu, Mikolov, Bengio 2013 use clipping only against explosion).",
)


def _check_threshold(answer: Any) -> tuple[bool, str]:
    if isinstance(answer, (str, bytes, bool)) or not isinstance(answer, (int, float, np.number)):
        return False, "give one number: the clip threshold for the global norm"
    c = float(answer)
    if not math.isfinite(c) or c <= 0:
        return False, "a threshold must be a finite positive number"
    frac = float(np.mean(TELEMETRY > c))
    if frac > 0.2:
        return False, (f"with this threshold {frac:.0%} of the steps would be clipped: that "
                       "turns clipping into normalisation of ordinary steps")
    if c >= float(np.min(np.sort(TELEMETRY)[-3:])):
        return False, "this threshold lets the spikes through unclipped"
    return True, (f"good: {frac:.1%} of the steps are clipped, the spikes are caught and "
                  "ordinary steps are left alone (a high percentile such as the 90th-99th of "
                  "the norms is a common choice).")


q4 = FunctionExercise(
    "03.4",
    "ex.TELEMETRY holds the global gradient norm of 200 training steps (three are spikes). "
    "Choose a global-norm clip threshold that catches the spikes but clips at most 20% of "
    "ordinary steps. Give one number.",
    checker=_check_threshold,
    hints=[
        "Plot np.sort(ex.TELEMETRY) or print np.percentile(ex.TELEMETRY, [50, 90, 99]).",
        "A high percentile of the norms (90th-99th) sits above ordinary steps but far below "
        "the spikes.",
    ],
    solution_text="For example c = np.percentile(ex.TELEMETRY, 95): ordinary steps are "
    "rarely touched, the spikes are cut to c. AutoClip (Seetharaman et al. 2020) sets c from a "
    "running percentile in the same spirit.",
)


def _shots_for_standard_error() -> int:
    mu_p, mu_m = analysis.toy_expectation(
        np.array(analysis.TOY_PARAMS) + np.array([[math.pi / 2, 0, 0], [-math.pi / 2, 0, 0]])
    )
    var_one_shot = (2 - mu_p**2 - mu_m**2) / 4  # variance × N of the shift estimate
    return math.ceil(var_one_shot / 0.01**2)


q5 = NumericExercise(
    "03.5",
    "For the chapter's circuit at analysis.TOY_PARAMS, the parameter-shift estimate of "
    "∂⟨Z⟩/∂θ0 uses N shots at θ0 + π/2 and N at θ0 − π/2. What is the smallest N that gives "
    "a standard error of at most 0.01? (Use analysis.toy_expectation for μ±.)",
    expected=_shots_for_standard_error,
    rtol=0.0,
    atol=0.5,
    hints=[
        "Each mean of N shots has variance (1 − μ²)/N; the two are independent.",
        "Var[(f̂₊ − f̂₋)/2] = [(1 − μ₊²) + (1 − μ₋²)] / (4N); solve √Var ≤ 0.01 for N and "
        "round up.",
    ],
    solution_text="N = ⌈[(1 − μ₊²) + (1 − μ₋²)] / (4 · 0.01²)⌉ with μ± = "
    "toy_expectation(θ ± π/2·e₀): a few thousand shots per term. The 1/√N law makes each "
    "extra digit of precision cost 100x more shots.",
)

q6 = ChoiceExercise(
    "03.6",
    "With 10 shots per circuit, parameter-shift estimates of a gradient of norm 0.7 are "
    "clipped by norm at c = 0.7. On average, the clipped estimate is ...",
    options={
        "a": "unbiased, as the raw estimate is",
        "b": "biased towards a smaller norm: noise inflates ‖ĝ‖, so more estimates are shrunk",
        "c": "biased towards a larger norm",
        "d": "identical to the raw estimate",
    },
    correct="b",
    explanations={
        "a": "the raw estimate is unbiased, but clipping is non-linear: E[clip(ĝ)] ≠ clip(E ĝ).",
        "b": "right: E‖ĝ‖² = ‖g‖² + ΣVar ĝᵢ, so noisy estimates are clipped more often and "
        "the mean shrinks. Clipping trades bias for lower variance.",
        "c": "clipping never enlarges anything.",
        "d": "with 10 shots most estimates exceed 0.7 and are rescaled.",
    },
    hints=["Compute E‖ĝ‖² for ĝ = g + noise with zero-mean noise."],
    solution_text="(b); measure it with analysis.clipped_estimate_stats([10], 0.7).",
)
