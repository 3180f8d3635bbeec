"""Exercises of chapter 05: barren plateaus, clipping on a plateau, noise and shot budgets.

>>> from clipq_edu.exercises import ch05 as ex
>>> ex.q1.check(None).correct
False
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from clipq_edu.exercises._checks import StudentError, as_array, call, guarded, require_callable
from clipq_edu.exercises._core import ChoiceExercise, FunctionExercise, NumericExercise
from clipq_edu.quantum import landscapes, sampling

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6"]

q1 = NumericExercise(
    "05.1",
    "Deep random circuits: by what factor does Var[∂⟨Z0Z1⟩/∂θ] shrink when you go from 9 to "
    "10 qubits? Use cq.quantum.haar_gradient_variance.",
    expected=lambda: landscapes.haar_gradient_variance(9) / landscapes.haar_gradient_variance(10),
    rtol=1e-3,
    digits=3,
    shown=("2.00",),
    hints=[
        "The plateau's variance is d/(3(d²−1)) with d = 2**n. What does it look like for large "
        "d?",
        "d/(3(d²−1)) ≈ 1/(3d) = 2**-n / 3: one more qubit doubles d. Expect a factor close "
        "to 2, and compute it exactly.",
        "haar_gradient_variance(9) / haar_gradient_variance(10).",
    ],
    solution_text="haar_gradient_variance(9) / haar_gradient_variance(10) = 2.0000057 ≈ 2.00: "
    "each added qubit halves the variance, the exponential decay of a barren plateau (the "
    "tiny excess over 2 comes from the −1 in d² − 1).",
)

q2 = NumericExercise(
    "05.2",
    "A gradient of typical size √Var at n = 12 (deep random circuit): how many shots per "
    "parameter-shift term does it take to resolve it at z = 2? Use cq.quantum.shots_to_resolve "
    "and cq.quantum.haar_gradient_variance.",
    expected=lambda: sampling.shots_to_resolve(
        math.sqrt(landscapes.haar_gradient_variance(12)), z=2.0),
    rtol=1e-3,
    digits=3,
    shown=("24 600", "24 576"),
    hints=[
        "The typical size of a zero-mean gradient is its standard deviation: the square root "
        "of the variance.",
        "To resolve g at z = 2 the standard error must be |g|/2; one shot-pair term has "
        "variance ½, so N = z² · ½ / g².",
        "shots_to_resolve(math.sqrt(haar_gradient_variance(12)), z=2.0).",
    ],
    solution_text="shots_to_resolve(sqrt(haar_gradient_variance(12))) = 24 576 ≈ 24 600 shots "
    "per term (z² · ½ / Var with Var ≈ 2**-12/3): the budget doubles with every qubit.",
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
    "n = 6 qubits. Use cq.quantum.product_cost_gradient_variance.",
    expected=lambda: landscapes.product_cost_gradient_variance(6, "global"),
    rtol=1e-6,
    digits=2,
    shown=("9.3e-4",),
    hints=[
        "C_G = 1 − Πⱼ P(qubit j reads 0): the gradient with respect to θ₁ carries a factor "
        "from every other qubit.",
        "Each of the n − 1 other factors contributes 3/8 to the variance, the qubit of θ₁ "
        "itself 1/8: (1/8)·(3/8)**(n−1).",
        "product_cost_gradient_variance(6, 'global').",
    ],
    solution_text="(1/8)(3/8)**5 = 9.27e-4 ≈ 9.3e-4, while the local cost gives 1/(8·36) ≈ "
    "3.5e-3 and falls only as 1/n².",
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


def _reference_local_cost(z: Any) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    return 1.0 - np.mean((1.0 + z) / 2.0, axis=-1)


def _local_cost_cases() -> list[tuple[str, np.ndarray]]:
    rng = np.random.default_rng(9)
    return [
        ("all qubits in |0⟩ (every ⟨Z⟩ = 1)", np.ones(4)),
        ("all qubits in |1⟩ (every ⟨Z⟩ = −1)", -np.ones(3)),
        ("one qubit flipped out of 8", np.array([1, 1, 1, -1, 1, 1, 1, 1.0])),
        ("a single qubit", np.array([0.2])),
        ("random ⟨Z⟩ of 6 qubits", rng.uniform(-1, 1, 6)),
        ("a batch of 5 circuits with 3 qubits each (shape (5, 3))", rng.uniform(-1, 1, (5, 3))),
    ]


def _check_local_cost(fn: Any) -> str:
    require_callable(fn, "local_cost(z)")
    for what, z in _local_cost_cases():
        z_in = z.copy()
        want = _reference_local_cost(z)
        out = as_array(call(fn, z_in, what=what), want.shape, what)
        if not np.array_equal(z_in, z):
            raise StudentError(f"for {what} your function changed its input in place")
        if np.allclose(out, want, rtol=1e-9, atol=1e-12):
            continue
        p0 = (1 + z) / 2
        if np.allclose(out, 1 - np.prod(p0, axis=-1), atol=1e-9):
            raise StudentError(f"for {what} that is the global cost 1 − Πⱼ P(qubit j reads 0): "
                               "a product of n probabilities, which is why it plateaus. The local "
                               "cost averages them instead")
        if np.allclose(out, 1 - np.mean(z, axis=-1), atol=1e-9):
            raise StudentError(f"for {what} the cost must lie in [0, 1]: turn ⟨Z⟩ into the "
                               "probability of reading 0, (1 + ⟨Z⟩)/2, before averaging")
        if np.allclose(out, 1 - np.sum(p0, axis=-1), atol=1e-9) or np.allclose(
                out, z.shape[-1] - np.sum(p0, axis=-1), atol=1e-9):
            raise StudentError(f"for {what} average over the qubits (divide by n), do not sum")
        if np.all(z == 1) or np.all(z == -1):
            raise StudentError(f"for {what} the cost is wrong: it is 0 when every qubit reads "
                               "0 and 1 when none does")
        raise StudentError(f"for {what} the local cost is wrong: C_L = 1 − (1/n) Σⱼ "
                           "P(qubit j reads 0)")
    return ("your local_cost averages single-qubit probabilities, so changing one qubit moves "
            "it by up to 1/n: that is why its gradient shrinks only polynomially at depth 1.")


q6 = FunctionExercise(
    "05.6",
    "Write local_cost(z): the local cost C_L = 1 − (1/n) Σⱼ P(qubit j reads 0) of Cerezo et "
    "al. (2021) from the single-qubit expectations z[..., j] = ⟨Z_j⟩ (a NumPy array whose "
    "last axis runs over the n qubits; earlier axes are a batch). Return one cost per batch "
    "entry (a float for a 1-D z). Pass the function itself to check.",
    checker=guarded(_check_local_cost),
    hints=[
        "Z_j has eigenvalue +1 on |0⟩ and −1 on |1⟩, so ⟨Z_j⟩ = P(0) − P(1) = 2 P(0) − 1.",
        "P(qubit j reads 0) = (1 + ⟨Z_j⟩)/2; average over the last axis.",
        "return 1 - np.mean((1 + z) / 2, axis=-1)",
    ],
    solution_text=(
        "def local_cost(z):\n"
        "    z = np.asarray(z, dtype=float)\n"
        "    return 1 - np.mean((1 + z) / 2, axis=-1)"
    ),
)
