"""Exercises of chapter 01 (背景介绍): steep landscapes, clipped descent, simulation memory.

>>> from clipq_edu.exercises import ch01 as ex
>>> ex.q1.check(0.03125)
[01.1] ✅ Correct: well done, exactly right: 0.03125.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from clipq_edu.course import costs, toys
from clipq_edu.exercises._checks import StudentError, as_array, call, guarded, require_callable
from clipq_edu.exercises._core import ChoiceExercise, FunctionExercise, NumericExercise

__all__ = ["q1", "q2", "q3", "q4", "q5"]

q1 = NumericExercise(
    id="01.1",
    prompt=(
        "Plain gradient descent on f(x) = x**4 starts at x0 = 4 (the chapter used 10). What is "
        "the largest step size lr for which the first step does not move further away from the "
        "minimum?"
    ),
    expected=lambda: toys.max_stable_step(4.0),
    rtol=1e-3,
    digits=3,
    shown=("0.03125",),
    hints=[
        "One step maps x0 to x0 - lr * 4 * x0**3 = x0 * (1 - 4 lr x0**2).",
        "The step does not move away when |1 - 4 lr x0**2| <= 1.",
    ],
    solution_text="|1 - 4 lr x0²| ≤ 1 ⇔ lr ≤ 2 / (4 x0²) = 1 / (2·16) = 0.03125; "
    "toys.max_stable_step(4.0). The steeper start x0 = 10 allowed only 0.005: the safe step "
    "shrinks as 1/x0².",
)

q2 = NumericExercise(
    id="01.2",
    prompt=(
        "Clipped gradient descent on x**4 from x0 = 10 with lr = 0.1 and clip = 1: how many "
        "iterations until |f'(x)| <= 1e-4? Use clipq_edu.course.toys.gradient_descent."
    ),
    expected=lambda: toys.gradient_descent(toys.quartic_grad, 10.0, lr=0.1, steps=100_000,
                                           clip=1.0, tol=1e-4).iterations,
    rtol=0, atol=0.5,
    shown=("1548",),
    hints=[
        "While |f'(x)| = 4|x|³ > 1 the clip is active and every step moves exactly lr = 0.1: "
        "from x = 10 that phase takes under 100 steps.",
        "Near 0 the gradient is tiny and unclipped, so x shrinks slowly: the last phase, "
        "down to |4x³| <= 1e-4, takes most of the iterations. Count them with code.",
        "toys.gradient_descent(toys.quartic_grad, 10.0, lr=0.1, steps=100_000, clip=1.0) "
        "returns a result; read its .iterations attribute.",
    ],
    solution_text="toys.gradient_descent(toys.quartic_grad, 10.0, lr=0.1, steps=100_000, "
    "clip=1.0).iterations = 1548: fewer than 100 clipped steps reach the slow tail near 0, "
    "where the unclipped steps shrink x only a little each time.",
)

q3 = NumericExercise(
    id="01.3",
    prompt=(
        "How many bytes does one state vector of 30 qubits need in complex64 "
        "(8 bytes per amplitude)? Give the exact integer."
    ),
    expected=lambda: costs.state_vector_memory(30),
    rtol=0, atol=0.5,
    shown=("8 589 934 592",),
    hints=["n qubits have 2**n amplitudes.", "Multiply 2**30 by 8 bytes."],
    solution_text="2**30 · 8 = 8 589 934 592 bytes = 8 GiB (costs.state_vector_memory(30)).",
)

q4 = ChoiceExercise(
    id="01.4",
    prompt="On which problems does gradient clipping speed training up the most?",
    options={
        "a": "on every problem: clipping always shortens training",
        "b": "on problems whose curvature grows with the gradient norm (steep walls, "
             "(L0, L1)-smooth), where plain GD must use a tiny step everywhere",
        "c": "on problems with vanishing gradients, because clipping enlarges small gradients",
        "d": "on quadratic problems with a constant curvature",
    },
    correct="b",
    explanations={
        "a": "No: where the gradient is never above the bound, clipping does nothing at all.",
        "b": "Yes: clipping lets one step size work both on the steep wall and near the minimum.",
        "c": "No: ‖clip(g)‖ = min(‖g‖, c) ≤ ‖g‖; clipping never enlarges a gradient.",
        "d": "No: with constant curvature one well-chosen step size is already optimal; "
             "clipping adds nothing there.",
    },
    hints=["Compare f''(x) = 12 x² with |f'(x)| = 4|x|³ on the quartic."],
    solution_text="b (Zhang, He, Sra, Jadbabaie 2020).",
)


def _reference_step(x: np.ndarray, grad: np.ndarray, lr: float, clip: float) -> np.ndarray:
    norm = float(np.linalg.norm(grad))
    scale = min(1.0, clip / norm) if norm > 0 else 1.0
    return x - lr * scale * grad


def _step_cases() -> list[tuple[str, Any, Any, float, float]]:
    rng = np.random.default_rng(11)
    return [
        ("the quartic at x = 10 (f'(10) = 4000)", np.array(10.0), np.array(4000.0), 0.1, 1.0),
        ("a short gradient (norm below clip)", np.array([1.0, -2.0]), np.array([0.3, 0.4]),
         0.5, 1.0),
        ("a long 2-D gradient", np.array([0.0, 0.0]), np.array([3.0, 0.5]), 0.1, 1.0),
        ("a zero gradient", np.array([1.0, 2.0, 3.0]), np.zeros(3), 0.1, 1.0),
        ("a random 4x3 weight matrix", rng.normal(size=(4, 3)), rng.normal(size=(4, 3)) * 5,
         0.05, 0.5),
    ]


def _check_clipped_step(fn: Any) -> str:
    require_callable(fn, "clipped_step(x, grad, lr, clip)")
    for what, x, grad, lr, clip in _step_cases():
        x_in, g_in = x.copy(), grad.copy()
        out = as_array(call(fn, x_in, g_in, lr, clip, what=what), x.shape, what)
        if not (np.array_equal(x_in, x) and np.array_equal(g_in, grad)):
            raise StudentError(f"for {what} your function changed its inputs in place: "
                               "return a new array instead")
        want = _reference_step(x, grad, lr, clip)
        if np.allclose(out, want, rtol=1e-6, atol=1e-12):
            continue
        step = x - out
        if np.allclose(out, 2 * x - want, rtol=1e-6, atol=1e-12):
            raise StudentError(f"for {what} the step goes uphill: subtract lr times the "
                               "gradient")
        norm = float(np.linalg.norm(grad))
        if norm <= clip:
            raise StudentError(f"for {what} the gradient is already shorter than clip, so it "
                               "must be used unchanged: the step is lr * grad")
        if np.allclose(out, x - lr * grad, rtol=1e-6):
            raise StudentError(f"for {what} the gradient was not clipped: a gradient longer "
                               "than clip must be rescaled to length clip first")
        if np.linalg.norm(step) > lr * clip * (1 + 1e-6):
            raise StudentError(f"for {what} the step is longer than lr * clip: clip the "
                               "gradient's L2 norm, not each entry")
        raise StudentError(f"for {what} the step points in another direction than the "
                           "gradient: clip by norm (one factor for all entries), not by value")
    return ("your clipped_step moves at most lr * clip, keeps the gradient's direction, and "
            "leaves short gradients alone.")


q5 = FunctionExercise(
    id="01.5",
    prompt=(
        "Write clipped_step(x, grad, lr, clip): one step of gradient descent whose gradient is "
        "first clipped by its L2 norm to at most clip. x and grad are NumPy arrays of the same "
        "shape (a 0-d array for the quartic). Return the new parameters as a new array, then "
        "pass the function itself to check."
    ),
    checker=guarded(_check_clipped_step),
    hints=[
        "A gradient shorter than clip is used as it is; a longer one keeps its direction and "
        "gets length clip.",
        "Both cases are one factor: scale = min(1, clip / ‖g‖). What if ‖g‖ = 0?",
        "norm = np.linalg.norm(grad); scale = min(1.0, clip / norm) if norm > 0 else 1.0; "
        "return x - lr * scale * grad",
    ],
    solution_text=(
        "def clipped_step(x, grad, lr, clip):\n"
        "    norm = np.linalg.norm(grad)\n"
        "    scale = min(1.0, clip / norm) if norm > 0 else 1.0\n"
        "    return x - lr * scale * grad"
    ),
)
