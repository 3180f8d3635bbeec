"""Exercises of chapter 05: barren plateaus, clipping on a plateau, noise and shot budgets.

>>> from clipq_edu.exercises import ch05 as ex
>>> ex.q1.check(None).correct
False
"""

from __future__ import annotations

import math

from clipq_edu import noise
from clipq_edu.exercises._core import ChoiceExercise, NumericExercise

__all__ = ["q1", "q2", "q3", "q4", "q5"]

q1 = NumericExercise(
    "05.1",
    "Deep random circuits: by what factor does Var[∂⟨Z0Z1⟩/∂θ] shrink when you go from 9 to "
    "10 qubits? Use cq.noise.haar_gradient_variance.",
    expected=lambda: noise.haar_gradient_variance(9) / noise.haar_gradient_variance(10),
    rtol=1e-3,
    hints=[
        "Compute the variance at 9 and at 10 qubits and divide the first by the second.",
        "d/(3(d²−1)) with d = 2**n is almost 2**-n / 3: expect a factor close to 2.",
    ],
    solution_text="haar_gradient_variance(9) / haar_gradient_variance(10) ≈ 2.004: each "
    "added qubit halves the variance, the exponential decay of a barren plateau.",
)

q2 = NumericExercise(
    "05.2",
    "A gradient of typical size √Var at n = 12 (deep random circuit): how many shots per "
    "parameter-shift term does it take to resolve it at z = 2? Use cq.noise.shots_to_resolve "
    "and cq.noise.haar_gradient_variance.",
    expected=lambda: noise.shots_to_resolve(math.sqrt(noise.haar_gradient_variance(12)), z=2.0),
    rtol=1e-3,
    hints=[
        "The typical size of a zero-mean gradient is its standard deviation: the square root "
        "of the variance.",
        "Pass that size to shots_to_resolve(g, z=2.0).",
    ],
    solution_text="shots_to_resolve(sqrt(haar_gradient_variance(12))) ≈ 24 600 shots per term "
    "(z² · ½ / Var with Var ≈ 2**-12/3): the budget doubles with every qubit.",
)

q3 = ChoiceExercise(
    "05.3",
    "You clip the gradients of a 10-qubit random circuit by value at 1e-3. What happens to "
    "the variance of the gradient across random initialisations?",
    options={
        "a": "It grows, because small gradients are pushed up to the bound.",
        "b": "It stays the same or shrinks: clipping never enlarges any gradient.",
        "c": "It returns to the 1-qubit value, which cures the plateau.",
    },
    correct="b",
    explanations={
        "a": "clip(g) moves g towards 0 or leaves it: a gradient below the bound is untouched, "
             "never pushed up.",
        "b": "right: clipping is a 1-Lipschitz map towards 0, so it cannot increase the spread "
             "of the gradients. A vanishing gradient needs another remedy.",
        "c": "clipping only ever reduces magnitudes; it has nothing to add to a vanishing "
             "gradient.",
    },
    hints=["Compare |clip(g)| with |g| for a g smaller than the bound and for one larger."],
    solution_text="(b). |clip(g)| ≤ |g| and clip is 1-Lipschitz, so Var[clip(g)] ≤ Var[g].",
)

q4 = NumericExercise(
    "05.4",
    "Global cost on a depth-1 product circuit (Cerezo et al. 2021): give Var[∂C_G/∂θ₁] at "
    "n = 6 qubits. Use cq.noise.product_cost_gradient_variance.",
    expected=lambda: noise.product_cost_gradient_variance(6, "global"),
    rtol=1e-6,
    hints=[
        "The closed form is (1/8)·(3/8)**(n−1).",
        "Call product_cost_gradient_variance(6, 'global').",
    ],
    solution_text="(1/8)(3/8)**5 ≈ 9.3e-4, while the local cost gives 1/(8·36) ≈ 3.5e-3 and "
    "falls only as 1/n².",
)

q5 = ChoiceExercise(
    "05.5",
    "Which remedy keeps the gradient variance of the first rotation flat as n grows?",
    options={
        "a": "Clipping by global norm with a small bound.",
        "b": "A larger learning rate.",
        "c": "Identity-block initialisation (Grant et al. 2019).",
        "d": "More depolarising noise.",
    },
    correct="c",
    explanations={
        "a": "clipping only shrinks gradients: a plateau stays a plateau.",
        "b": "a larger step multiplies a tiny gradient; it does not make the direction "
             "measurable and it amplifies shot noise as much.",
        "c": "right: at initialisation the circuit after the gate is the identity, so the "
             "gradient is that of a shallow circuit (variance 1/18 for every n here).",
        "d": "noise makes it worse: it flattens the landscape exponentially in depth.",
    },
    hints=["Which option changes the circuit the gradient sees, rather than the step?"],
    solution_text="(c): identity blocks make the effective circuit shallow at the start.",
)
