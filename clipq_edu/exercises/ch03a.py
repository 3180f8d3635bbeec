"""Exercises of chapter 03a (裁剪的数学): clipping maths, thresholds from telemetry, AutoClip.

>>> from clipq_edu.exercises import ch03a as ex
>>> ex.q1.check(2.6)
[03a.1] ✅ Correct: well done, exactly right: 2.6.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from clipq_edu import clipping
from clipq_edu.exercises._checks import StudentError, as_array, call, guarded, require_callable
from clipq_edu.exercises._core import ChoiceExercise, FunctionExercise, NumericExercise

__all__ = ["MAX_SPIKE_FACTOR", "TELEMETRY", "q1", "q2", "q3", "q4", "telemetry_norms"]

#: q3: a defensible threshold lets no step through that is more than this many times the median.
MAX_SPIKE_FACTOR = 5.0
#: q3: at most this fraction of the ordinary steps may be clipped.
MAX_CLIPPED_FRACTION = 0.2


def telemetry_norms(seed: int = 3) -> np.ndarray:
    """Return 200 recorded global gradient norms of a training run with three spikes (q3 data).

    Mostly log-normal around 1 with three spikes of 40-80, as a loss spike would cause.

    Args:
      seed: seed of the generator.

    Returns:
      1-D array of 200 norms.

    Taught in chapter 03a.

    >>> norms = telemetry_norms()
    >>> norms.shape, int(np.sum(norms > 10))
    ((200,), 3)
    """
    rng = np.random.default_rng(seed)
    norms = np.exp(rng.normal(0.0, 0.35, size=200))
    norms[[57, 120, 181]] = rng.uniform(40.0, 80.0, size=3)
    return norms


#: The telemetry of exercise q3 (global gradient norm per step).
TELEMETRY = telemetry_norms()
TELEMETRY.setflags(write=False)

_Q1_GRADS = [np.array([3.0, 4.0]), np.array([12.0, 0.0, 5.0])]

q1 = NumericExercise(
    "03a.1",
    "Two weight tensors have gradients g1 = (3, 4) and g2 = (12, 0, 5). What is their global "
    "norm after clip_by_global_norm with max_norm = 2.6?",
    expected=lambda: clipping.global_norm(clipping.clip_by_global_norm(_Q1_GRADS, 2.6)[0]),
    rtol=1e-6,
    digits=2,
    shown=("2.6",),
    hints=[
        "First compute the global norm √(‖g1‖² + ‖g2‖²) before clipping.",
        "Clipping by global norm gives a global norm of min(N, c).",
    ],
    solution_text="N = √(25 + 169) = √194 ≈ 13.93 > 2.6, so every tensor is scaled by "
    "2.6/N and the global norm becomes min(N, 2.6) = 2.6.",
)

q2 = ChoiceExercise(
    "03a.2",
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
    median = float(np.median(TELEMETRY))
    ordinary = TELEMETRY[TELEMETRY < 10 * median]
    frac = float(np.mean(ordinary > c))
    if frac > MAX_CLIPPED_FRACTION:
        return False, (f"with this threshold {frac:.0%} of the ordinary steps would be clipped: "
                       "that turns clipping into normalisation of ordinary steps")
    if c > MAX_SPIKE_FACTOR * median:
        return False, (f"a spike clipped to {c:g} is still a step {c / median:.1f}x the median "
                       f"norm ({median:.2f}): clipping at c lets steps c/median times a typical "
                       "one through. Choose c just above the ordinary norms, at most "
                       f"{MAX_SPIKE_FACTOR:g}x the median.")
    return True, (f"good: {frac:.1%} of the ordinary steps are clipped, and a spike is cut to "
                  f"{c / median:.1f}x the median step (the spikes were "
                  f"{np.max(TELEMETRY) / median:.0f}x).")


q3 = FunctionExercise(
    "03a.3",
    "ex.TELEMETRY holds the global gradient norm of 200 training steps (three are spikes). "
    "Choose a global-norm clip threshold that clips at most 20% of the ordinary steps and "
    "cuts every spike down to at most 5 times the median norm. Give one number.",
    checker=_check_threshold,
    hints=[
        "Plot np.sort(ex.TELEMETRY) on a log scale, or print np.median(ex.TELEMETRY) and "
        "np.percentile(ex.TELEMETRY, [80, 90, 95, 99]).",
        "Three spikes in 200 steps are 1.5 % of the data: the 99th percentile already lands "
        "on a spike. A percentile between 80 and 98 sits above the ordinary steps.",
    ],
    solution_text="For example c = np.percentile(ex.TELEMETRY, 95) ≈ 1.86: ordinary steps "
    "are rarely touched and the spikes are cut from about 70x to under 2x the median. The "
    "99th percentile (≈ 66) would let the spikes through almost unclipped. AutoClip "
    "(Seetharaman et al. 2020) sets c from a running percentile in the same spirit.",
)


def _autoclip_cases() -> list[tuple[str, np.ndarray, list[float], float]]:
    rng = np.random.default_rng(5)
    history = list(np.exp(rng.normal(0.0, 0.3, size=30)))
    return [
        ("the first step (empty history)", np.array([3.0, 4.0]), [], 50.0),
        ("a spike after 30 ordinary steps", np.array([30.0, -40.0, 0.0]), history, 90.0),
        ("an ordinary step", np.array([0.3, 0.2]), history, 90.0),
        ("a 2x3 gradient at p = 10", rng.normal(size=(2, 3)) * 3, history, 10.0),
    ]


def _reference_autoclip(grad: np.ndarray, history: list[float],
                        p: float) -> tuple[np.ndarray, list[float]]:
    new_history = [*history, float(np.linalg.norm(grad))]
    threshold = float(np.percentile(new_history, p))
    return clipping.clip_by_norm(grad, threshold), new_history


def _check_autoclip(fn: Any) -> str:
    require_callable(fn, "autoclip_step(grad, history, p)")
    for what, grad, history, p in _autoclip_cases():
        h_in, g_in = list(history), grad.copy()
        out = call(fn, g_in, h_in, p, what=what)
        if not isinstance(out, tuple) or len(out) != 2:
            raise StudentError(f"for {what} return a pair (clipped_grad, new_history)")
        if h_in != history or not np.array_equal(g_in, grad):
            raise StudentError(f"for {what} your function changed its inputs in place: build a "
                               "new history list (the caller's must stay as it was)")
        want_g, want_h = _reference_autoclip(grad, history, p)
        new_h = as_array(out[1], (len(history) + 1,), f"{what}, the new history")
        if not np.allclose(new_h[:-1], history) or not np.isclose(new_h[-1], want_h[-1]):
            raise StudentError(f"for {what} the new history must be the old one with this "
                               "step's gradient norm appended at the end")
        got_g = as_array(out[0], grad.shape, f"{what}, the clipped gradient")
        if np.allclose(got_g, want_g, rtol=1e-6, atol=1e-12):
            continue
        if np.allclose(got_g, clipping.clip_by_norm(grad, np.percentile(history or [1.0], p)),
                       rtol=1e-6):
            raise StudentError(f"for {what} the threshold ignores the current norm: append it "
                               "to the history first, then take the percentile")
        raise StudentError(f"for {what} the clipped gradient is wrong: clip by L2 norm at the "
                           "p-th percentile (np.percentile) of the new history")
    return ("your autoclip_step records each norm and clips at a running percentile, as "
            "clipping.AutoClip does.")


q4 = FunctionExercise(
    "03a.4",
    "Write AutoClip's step, autoclip_step(grad, history, p): append the L2 norm of grad to "
    "(a copy of) the list history, set the threshold to the p-th percentile of that new "
    "history, clip grad by norm at the threshold, and return (clipped_grad, new_history). "
    "Pass the function itself to check.",
    checker=guarded(_check_autoclip),
    hints=[
        "The caller's list must not change: new_history = history + [norm].",
        "Append first, then take the percentile: on the first step the history is empty.",
        "threshold = np.percentile(new_history, p); scale = min(1, threshold / norm).",
    ],
    solution_text=(
        "def autoclip_step(grad, history, p):\n"
        "    norm = float(np.linalg.norm(grad))\n"
        "    new_history = list(history) + [norm]\n"
        "    threshold = np.percentile(new_history, p)\n"
        "    scale = min(1.0, threshold / norm) if norm > 0 else 1.0\n"
        "    return grad * scale, new_history"
    ),
)
