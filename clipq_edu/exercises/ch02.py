"""Exercises of chapter 02 (核心概念与联系): clipping geometry, Keras clipping, shots.

>>> from clipq_edu.exercises import ch02 as ex
>>> ex.q1.check([0.6, 0.8])
[02.1] ✅ Correct: well done.
"""

from __future__ import annotations

import numpy as np

from clipq_edu import plotting
from clipq_edu.course import costs
from clipq_edu.exercises._core import ChoiceExercise, NumericExercise

__all__ = ["q1", "q2", "q3", "q4", "q5"]

q1 = NumericExercise(
    id="02.1",
    prompt="Clip the gradient g = (3, 4) by norm with bound c = 1. Give the two components.",
    expected=lambda: plotting.clip_2d([3.0, 4.0], 1.0, "norm"),
    rtol=1e-3,
    hints=["‖g‖ = 5 > 1, so g is rescaled by c / ‖g‖."],
    solution_text="g · 1/5 = (0.6, 0.8); plotting.clip_2d([3, 4], 1, 'norm').",
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
    hints=[
        "By value each entry goes to [-1, 1] separately: (3, 0.5) -> (1, 0.5).",
        "The angle of (a, b) with the x-axis is atan2(b, a) in degrees.",
    ],
    solution_text="(1, 0.5): atan(0.5) - atan(0.5/3) = 26.57° - 9.46° ≈ 17.1°.",
)

q3 = ChoiceExercise(
    id="02.3",
    prompt=(
        "A model has two weight tensors with gradients g1 = (3, 4) and g2 = (0.3, 0.1). Which "
        "Keras argument keeps the direction of the whole update (both tensors together)?"
    ),
    options={
        "a": "clipvalue=1",
        "b": "clipnorm=1",
        "c": "global_clipnorm=1",
        "d": "clipnorm=1 together with clipvalue=1",
    },
    correct="c",
    explanations={
        "a": "No: clipvalue clips each entry on its own and turns the direction.",
        "b": "No: clipnorm scales g1 by 1/5 and leaves g2 alone, so the two tensors are "
             "scaled differently and the whole update turns.",
        "c": "Yes: one common factor for all tensors keeps the direction exactly.",
        "d": "No: tf-keras ignores clipvalue when clipnorm is set, so this is just clipnorm.",
    },
    hints=["Which method multiplies every tensor by the same number?"],
    solution_text="c: global_clipnorm scales all tensors by c / global norm.",
)

q4 = NumericExercise(
    id="02.4",
    prompt=(
        "You estimate P(00) ≈ 0.5 of a Bell state from shots. How many shots N do you need "
        "for a standard error sqrt(p(1-p)/N) of at most 0.005?"
    ),
    expected=lambda: costs.shots_for_standard_error(0.5, 0.005),
    rtol=0, atol=0.5,
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
    hints=["The error falls as 1/sqrt(N)."],
    solution_text="Halving the error needs 4x the shots: 1600.",
)
