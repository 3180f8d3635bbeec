"""Warm-up exercises of chapter 00 (start here): how ``check``, ``hint`` and ``solution`` work."""

from __future__ import annotations

from clipq_edu.exercises._core import ChoiceExercise, NumericExercise

__all__ = ["q1", "q2", "q3"]
from clipq_edu.quantum.resources import state_vector_bytes

q1 = NumericExercise(
    "00.1",
    "A state vector of n qubits holds 2**n complex amplitudes. How many amplitudes does a "
    "10-qubit state have?",
    expected=lambda: 2**10,
    shown=("1024",),
    hints=["Each extra qubit doubles the number of amplitudes.", "Compute 2**10 in a cell."],
    solution_text="2**10 = 1024 amplitudes.",
)

q2 = NumericExercise(
    "00.2",
    "Stored as complex64 (8 bytes each), how many MiB does one 20-qubit state vector take?",
    expected=lambda: state_vector_bytes(20) / 2**20,
    rtol=1e-3,
    shown=("8 MiB",),
    hints=["Bytes = 2**20 amplitudes x 8 bytes.", "1 MiB = 2**20 bytes."],
    solution_text="2**20 x 8 bytes = 8 MiB; every extra qubit doubles it (30 qubits: 8 GiB).",
)

q3 = ChoiceExercise(
    "00.3",
    "Gradient clipping rescales a gradient that is too large. What can it NOT do?",
    options={
        "a": "tame a rare, huge gradient spike",
        "b": "make a vanishing (tiny) gradient larger",
        "c": "bound the size of one optimisation step",
    },
    correct="b",
    explanations={
        "a": "It can: that is exactly what clipping is for.",
        "b": "Right: clipping only ever shrinks, ‖clip(g)‖ ≤ ‖g‖ (chapter 03a proves it).",
        "c": "It can: with plain SGD the step is learning rate x clipped gradient.",
    },
    hints=["Clipping multiplies a gradient by a factor that is at most 1."],
    solution_text="(b). Clipping multiplies by min(1, c/‖g‖) ≤ 1, so it never enlarges anything; "
    "vanishing gradients (and barren plateaus) need other remedies.",
)
