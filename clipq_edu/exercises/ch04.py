"""Exercises for chapter 04 (具体代码实例): fixing the article's code example.

Answers are computed with the library when checked, never written in the notebook. Nothing
here imports TensorFlow.

Taught in chapter 04.
"""

from __future__ import annotations

from typing import Any

import cirq
import numpy as np

from clipq_edu.clipping import clip_by_global_norm, global_norm
from clipq_edu.course import article
from clipq_edu.exercises._core import ChoiceExercise, FunctionExercise, NumericExercise

__all__ = ["q1", "q2", "q3", "q4", "q5"]


def _undefined_count() -> int:
    return len(article.undefined_names(article.ARTICLE_LISTING))


q1 = NumericExercise(
    "04.1",
    "How many names does the article's listing read without ever defining or importing "
    "them? (Python only finds out at run time, with a NameError.) Answer with a number.",
    expected=_undefined_count,
    rtol=0.0,
    atol=0.5,
    shown=("3",),
    hints=[
        "Look for names used on the right-hand side or as call targets that no `import`, "
        "assignment, `def` or `for` binds.",
        "`cq.course.article.undefined_names(cq.course.article.ARTICLE_LISTING)` finds them with `ast`. "
        "Two are data, one is a function from an old Qiskit.",
    ],
    solution_text="3 names: `X_train` and `y_train` (no data is ever loaded) and `execute` "
    "(never imported, and removed in Qiskit 1.0).",
)


def _initialize_numbers() -> tuple[float, int]:
    vector = np.array([0.0, 0.0, 0.0, 0.0])  # the argument of the article's qc.initialize
    n_qubits = len(article.article_chain().all_qubits())
    return float(np.linalg.norm(vector)), 2**n_qubits


q2 = NumericExercise(
    "04.2",
    "The article calls `qc.initialize([0, 0, 0, 0], range(4))`. Give two numbers as a "
    "tuple: (the L2 norm of that vector, the number of amplitudes a state of the 4 qubits "
    "named by `range(4)` needs).",
    expected=_initialize_numbers,
    rtol=0.0,
    atol=0.5,
    shown=("(0, 16)",),
    hints=[
        "A quantum state must have norm 1; compute the norm of the all-zero vector.",
        "n qubits have 2**n amplitudes.",
    ],
    solution_text="(0, 16): the vector has norm 0, so it is no state at all and cannot be "
    "normalised, and 4 amplitudes describe 2 qubits, not 4 (which need 2**4 = 16).",
)

q3 = ChoiceExercise(
    "04.3",
    "Sampled 1000 times, the article's 4-qubit chain gives all 16 bitstrings about equally "
    "often, exactly like four fair coins. What follows?",
    options={
        "a": "The four qubits are not entangled.",
        "b": "Counts in one basis cannot tell entangled from unentangled; the state is in "
        "fact entangled (Schmidt rank 2 across every cut).",
        "c": "The simulator is broken: an H/CNOT chain must give only 0000 and 1111.",
        "d": "1000 shots are too few to see the entanglement in the counts.",
    },
    correct="b",
    explanations={
        "a": "Uniform counts do not imply a product state. Compute the Schmidt coefficients "
        "of the state vector (`cq.course.article.schmidt_coefficients`) before deciding.",
        "b": "Right: the entanglement sits in the signs of the amplitudes, which "
        "computational-basis counts never see.",
        "c": "Only the GHZ chain (H on the first qubit, then CNOTs) gives 0000/1111; the "
        "article puts an H after every CNOT, which spreads the weights.",
        "d": "The exact probabilities are all 1/16 (compute them with "
        "`cirq.final_state_vector`): no number of shots would show anything else.",
    },
    hints=["Compare the probabilities |amplitude|**2 with the amplitudes themselves."],
    solution_text="b. Every outcome has probability 1/16, yet the Schmidt coefficients across "
    "each cut are (1/√2, 1/√2): the state is entangled. Counts alone cannot reveal it.",
)


def _ragged_cases() -> list[tuple[list[np.ndarray], float]]:
    rng = np.random.default_rng(4)
    shapes = [(8, 10), (10,), (10, 1), (1,)]
    big = [rng.normal(size=s) * 3 for s in shapes]
    small = [g * 1e-3 for g in big]
    return [(big, 1.0), (big, 0.5), (small, 1.0), ([rng.normal(size=(3,))], 0.1)]


def _check_gradient_clipping(fn: Any) -> tuple[bool, str]:
    if not callable(fn):
        return False, "the answer should be a function gradient_clipping(grads, clip_norm)"
    for grads, bound in _ragged_cases():
        originals = [g.copy() for g in grads]
        try:
            out = fn([g.copy() for g in grads], bound)
        except Exception as exc:  # noqa: BLE001 - report the student's error, never raise
            return False, f"your function raised {type(exc).__name__}: {exc}"
        if out is None:
            return False, "your function returns None: fill in its body and return the list"
        if not isinstance(out, (list, tuple)) or len(out) != len(grads):
            return False, "return a list with one array per input gradient, in the same order"
        want, _ = clip_by_global_norm(originals, bound)
        for got, exp in zip(out, want, strict=True):
            got = np.asarray(got, dtype=float)
            if got.shape != np.shape(exp):
                return False, "each returned array must keep the shape of its input gradient"
        got_norm = global_norm([np.asarray(g, dtype=float) for g in out])
        if got_norm > bound * (1 + 1e-6) + 1e-12:
            return False, "the clipped gradients are still longer than clip_norm (global norm)"
        if not all(np.allclose(g, e, rtol=1e-5, atol=1e-9) for g, e in zip(out, want,
                                                                          strict=True)):
            if global_norm(originals) <= bound:
                return False, "gradients already shorter than clip_norm must come back unchanged"
            return False, ("the direction changed: scale *every* tensor by the same factor "
                           "clip_norm / global_norm")
    return True, "your function clips a list of differently shaped gradients by their global norm."


q4 = FunctionExercise(
    "04.4",
    "Fix the article's `gradient_clipping(grads, clip_norm)`: real gradients are a *list* of "
    "arrays of different shapes (kernel 8x10, bias 10, ...). Write a function that takes such "
    "a list and a bound and returns the list clipped by its global norm (NumPy only), then "
    "pass the function itself to `check`.",
    checker=_check_gradient_clipping,
    hints=[
        "The global norm is sqrt(sum over tensors of sum(g**2)).",
        "If it exceeds clip_norm, multiply every tensor by clip_norm / global_norm; otherwise "
        "return the gradients unchanged.",
    ],
    solution_text=(
        "def gradient_clipping(grads, clip_norm):\n"
        "    norm = np.sqrt(sum(np.sum(np.square(g)) for g in grads))\n"
        "    scale = min(1.0, clip_norm / norm) if norm > 0 else 1.0\n"
        "    return [g * scale for g in grads]"
    ),
)


def _zero_shift_stderr() -> float:
    shots = 1000
    theta = 0.0
    q = cirq.LineQubit(0)
    from clipq_edu.quantum.gradients import shifted_parameters
    from clipq_edu.quantum.sampling import shot_noise_variance

    values = []
    for angle in shifted_parameters([theta])[:, 0, 0]:  # theta + pi/2, theta - pi/2
        state = cirq.final_state_vector(cirq.Circuit(cirq.rx(angle).on(q)),
                                        dtype=np.complex128)
        values.append(float(np.abs(state[0]) ** 2 - np.abs(state[1]) ** 2))
    var = float(shot_noise_variance(values, shots).sum()) / 4  # Var[(f+ - f-)/2]
    return float(np.sqrt(var))


q5 = NumericExercise(
    "04.5",
    "A shot-based optimiser estimates dE/dθ for E(θ) = <Z> after rx(θ)|0> with the parameter-"
    "shift rule, [E(θ+π/2) − E(θ−π/2)] / 2, each E estimated from 1000 shots of ±1 "
    "outcomes. What is the standard error of the gradient estimate at θ = 0?",
    expected=_zero_shift_stderr,
    digits=2,
    shown=("0.0224", "0.022"),
    hints=[
        "One shot of Z gives ±1, so its variance is 1 − <Z>**2; the mean of N shots has "
        "variance (1 − <Z>**2)/N.",
        "At θ = 0 the shifted points are ±π/2, where <Z> = cos(±π/2) = 0. The two estimates "
        "are independent, and the rule divides their difference by 2.",
    ],
    solution_text="Var = [(1 − 0²) + (1 − 0²)] / (4 · 1000) = 1/2000, so the standard error "
    "is √(1/2000) ≈ 0.0224 (0.022 to two digits): a gradient smaller than about 0.05 is lost in shot noise.",
)
