"""Exercises of chapter 01 (背景介绍): steep landscapes, clipped descent, simulation memory.

>>> from clipq_edu.exercises import ch01 as ex
>>> ex.q1.check(0.005)
[01.1] ✅ Correct: well done.
"""

from __future__ import annotations

from clipq_edu.course import costs, toys
from clipq_edu.exercises._core import ChoiceExercise, NumericExercise

__all__ = ["q1", "q2", "q3", "q4"]

q1 = NumericExercise(
    id="01.1",
    prompt=(
        "Plain gradient descent on f(x) = x**4 starts at x0 = 10. What is the largest step "
        "size lr for which the first step does not move further away from the minimum?"
    ),
    expected=lambda: toys.max_stable_step(10.0),
    rtol=1e-3,
    hints=[
        "One step maps x0 to x0 - lr * 4 * x0**3 = x0 * (1 - 4 lr x0**2).",
        "The step does not move away when |1 - 4 lr x0**2| <= 1.",
    ],
    solution_text="|1 - 4 lr x0²| ≤ 1 ⇔ lr ≤ 2 / (4 x0²) = 1 / (2·100) = 0.005; "
    "toys.max_stable_step(10.0).",
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
    hints=[
        "cq.toys.gradient_descent(cq.toys.quartic_grad, 10.0, lr=0.1, steps=100_000, clip=1.0)",
        "Read the .iterations attribute of the result.",
    ],
    solution_text="toys.gradient_descent(toys.quartic_grad, 10.0, lr=0.1, steps=100_000, "
    "clip=1.0).iterations; about 1/(8·lr·x_tol²) ≈ 1462 of them are the slow tail near 0.",
)

q3 = NumericExercise(
    id="01.3",
    prompt=(
        "How many bytes does one state vector of 30 qubits need in complex64 "
        "(8 bytes per amplitude)? Give the exact integer."
    ),
    expected=lambda: costs.state_vector_memory(30),
    rtol=0, atol=0.5,
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
