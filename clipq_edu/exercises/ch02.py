"""Exercises of chapter 02 (核心概念与联系): clipping geometry, Keras clipping, shots.

>>> from clipq_edu.exercises import ch02 as ex
>>> ex.q1.check([0.8, -0.4, 0.8])
[02.1] ✅ Correct: well done, exactly right: (0.8, -0.4, 0.8).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from clipq_edu import clipping, plotting
from clipq_edu.course import costs
from clipq_edu.exercises._checks import StudentError, as_array, call, guarded, require_callable
from clipq_edu.exercises._core import ChoiceExercise, FunctionExercise, NumericExercise

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6"]

#: The gradient and bound of q1 (not the (3, 4) example the chapter prints).
Q1_GRADIENT = (2.0, -1.0, 2.0)
Q1_BOUND = 1.2

q1 = NumericExercise(
    id="02.1",
    prompt="Clip the gradient g = (2, −1, 2) by norm with bound c = 1.2. Give the three "
    "components.",
    expected=lambda: clipping.clip_by_norm(np.array(Q1_GRADIENT), Q1_BOUND),
    rtol=1e-3,
    digits=2,
    shown=("(0.8, −0.4, 0.8)",),
    hints=[
        "First the norm: ‖g‖ = √(4 + 1 + 4). Is it above the bound?",
        "If so, every component is multiplied by the same factor c / ‖g‖.",
    ],
    solution_text="‖g‖ = 3 > 1.2, so g is scaled by 1.2/3 = 0.4: (0.8, −0.4, 0.8), still "
    "pointing the same way, now of length 1.2 (clipping.clip_by_norm(g, 1.2)).",
)

q2 = NumericExercise(
    id="02.2",
    prompt=(
        "Clip g = (3, 0.5) by value with bound 1. By how many degrees does the direction turn? "
        "(Use the clipped vector and clipq_edu.plotting.angle_between.)"
    ),
    expected=lambda: plotting.angle_between([3.0, 0.5], plotting.clip_2d([3.0, 0.5], 1.0,
                                                                          "value")),
    rtol=1e-3,
    digits=3,
    shown=("17.1°",),
    hints=[
        "By value each entry goes to [-1, 1] separately: (3, 0.5) -> (1, 0.5).",
        "The angle of (a, b) with the x-axis is atan2(b, a) in degrees.",
    ],
    solution_text="(1, 0.5): atan(0.5) - atan(0.5/3) = 26.57° - 9.46° ≈ 17.1°.",
)

q3 = ChoiceExercise(
    id="02.3",
    prompt=(
        "A model has two weight tensors with gradients g1 = (0.6, 0.8) and g2 = (3, 0). Which "
        "Keras arguments, each set to 1 on its own, leave g1 exactly as it is?"
    ),
    options={
        "a": "only clipvalue=1",
        "b": "only clipnorm=1",
        "c": "clipvalue=1 and clipnorm=1, but not global_clipnorm=1",
        "d": "all three",
    },
    correct="c",
    explanations={
        "a": "clipvalue leaves g1 alone (every entry is within ±1), but so does clipnorm: "
             "‖g1‖ = 1 is not above the bound.",
        "b": "clipnorm leaves g1 alone (‖g1‖ = 1), but so does clipvalue: no entry of g1 "
             "exceeds 1.",
        "c": "Right: both per-tensor methods look at g1 alone, which is within the bound. "
             "global_clipnorm sees the global norm √(1 + 9) = √10 > 1 and scales *every* "
             "tensor by 1/√10, g1 included: the price of keeping the direction of the whole "
             "update.",
        "d": "global_clipnorm computes one norm over both tensors, √(‖g1‖² + ‖g2‖²) = √10, "
             "and scales g1 too.",
    },
    hints=["For each argument, ask which norm or entries it compares with the bound: g1's own, "
           "or all tensors' together?"],
    solution_text="c: clipvalue and clipnorm judge g1 on its own (entries ≤ 1, norm = 1) and "
    "leave it unchanged; global_clipnorm multiplies every tensor by 1/√10 ≈ 0.32 because the "
    "global norm is √10.",
)

q4 = NumericExercise(
    id="02.4",
    prompt=(
        "You estimate P(00) ≈ 0.5 of a Bell state from shots. How many shots N do you need "
        "for a standard error sqrt(p(1-p)/N) of at most 0.005?"
    ),
    expected=lambda: costs.shots_for_standard_error(0.5, 0.005),
    rtol=0, atol=0.5,
    shown=("10 000",),
    hints=["Solve sqrt(p(1-p)/N) <= target for N.", "N >= p(1-p) / target²."],
    solution_text="0.25 / 0.005² = 10 000 shots (costs.shots_for_standard_error(0.5, 0.005)).",
)

q5 = NumericExercise(
    id="02.5",
    prompt=(
        "With 400 shots the standard error of an estimate is 0.025. To halve it (0.0125), how "
        "many shots do you need?"
    ),
    expected=lambda: 400 * int(np.round((0.025 / 0.0125) ** 2)),
    rtol=0, atol=0.5,
    shown=("1600",),
    hints=["The error falls as 1/sqrt(N)."],
    solution_text="Halving the error needs 4x the shots: 1600.",
)


def _per_tensor_cases() -> list[tuple[str, list[np.ndarray], float]]:
    rng = np.random.default_rng(2)
    return [
        ("g1 = (0.6, 0.8), g2 = (3, 0) at c = 1", [np.array([0.6, 0.8]), np.array([3.0, 0.0])],
         1.0),
        ("a kernel 3x4, a bias 4 and a scalar at c = 0.5",
         [rng.normal(size=(3, 4)), rng.normal(size=(4,)) * 0.01, np.array(7.0)], 0.5),
        ("a zero tensor beside a large one at c = 1", [np.zeros((2, 2)), np.full(3, 10.0)], 1.0),
        ("one tensor only, below the bound, at c = 2", [np.array([1.0, -1.0])], 2.0),
    ]


def _check_clipnorm(fn: Any) -> str:
    require_callable(fn, "clip_each(grads, c)")
    for what, grads, c in _per_tensor_cases():
        copies = [g.copy() for g in grads]
        out = call(fn, copies, c, what=what)
        if not isinstance(out, (list, tuple)) or len(out) != len(grads):
            raise StudentError(f"for {what} return a list with one array per tensor, in order")
        if any(not np.array_equal(a, b) for a, b in zip(copies, grads, strict=True)):
            raise StudentError(f"for {what} your function changed the input arrays in place")
        outs = [as_array(o, np.shape(g), what) for o, g in zip(out, grads, strict=True)]
        want = clipping.clip_by_norm(grads, c)
        for got, g, w in zip(outs, grads, want, strict=True):
            if np.allclose(got, w, rtol=1e-6, atol=1e-12):
                continue
            norm = float(np.linalg.norm(g))
            if norm <= c:
                raise StudentError(
                    f"for {what} a tensor whose own norm is within the bound changed: "
                    "clipnorm judges every tensor on its own, so it must stay as it is "
                    "(scaling it is what global_clipnorm does)")
            if np.linalg.norm(got) > c * (1 + 1e-6):
                raise StudentError(f"for {what} a tensor is still longer than c after "
                                   "clipping: use its L2 norm, not its entries")
            raise StudentError(f"for {what} a clipped tensor changed direction or got the "
                               "wrong length: multiply it by c / ‖g‖")
    return ("your clip_each clips every tensor by its own norm, as Keras' clipnorm does; "
            "compare with global_clipnorm, which would also have shrunk the small tensors.")


q6 = FunctionExercise(
    id="02.6",
    prompt=(
        "Write clip_each(grads, c), Keras' clipnorm by hand: grads is a list of NumPy arrays "
        "(one per weight tensor, any shapes); return a new list in which every tensor whose "
        "own L2 norm exceeds c is rescaled to norm c and every other tensor is unchanged. "
        "Pass the function itself to check."
    ),
    checker=guarded(_check_clipnorm),
    hints=[
        "Per tensor means: one norm and one factor for each array, independently of the "
        "others.",
        "For one array g: factor = min(1, c / ‖g‖), and 1 when ‖g‖ = 0.",
        "return [g * min(1.0, c / n) if (n := np.linalg.norm(g)) > 0 else g.copy() "
        "for g in grads]",
    ],
    solution_text=(
        "def clip_each(grads, c):\n"
        "    out = []\n"
        "    for g in grads:\n"
        "        norm = np.linalg.norm(g)\n"
        "        out.append(g * min(1.0, c / norm) if norm > 0 else g.copy())\n"
        "    return out"
    ),
)
