"""Exercises of chapter 06 (FAQ): choosing a clipping method and threshold, memory, Keras.

>>> from clipq_edu.exercises import ch06 as ex
>>> ex.q1.check(None).correct
False
"""

from __future__ import annotations

import numpy as np

from clipq_edu._validate import state_vector_bytes
from clipq_edu.course import faq
from clipq_edu.exercises._core import ChoiceExercise, NumericExercise

__all__ = ["q1", "q2", "q3", "q4", "q5"]

q1 = ChoiceExercise(
    "06.1",
    "Two weight tensors have gradients of norm 10 and 0.1. Which Keras option rescales the "
    "whole gradient without changing its direction?",
    options={"a": "clipvalue=1.0", "b": "clipnorm=1.0", "c": "global_clipnorm=1.0"},
    correct="c",
    explanations={
        "a": "clipvalue clips every entry on its own: the direction changes.",
        "b": "clipnorm scales each tensor by its own factor: the first shrinks 10x, the second "
             "not at all, so the relative weights of the two change.",
        "c": "right: one factor for all tensors keeps the direction exactly.",
    },
    hints=["Which option uses one scale factor for all tensors together?"],
    solution_text="(c) global_clipnorm: every tensor is multiplied by c / max(N, c) with N "
    "the global norm.",
)

q2 = NumericExercise(
    "06.2",
    "Take the gradient-norm telemetry of cq.course.faq.logistic_sgd() (seed 0, no clipping) and "
    "choose the threshold at the 90th percentile of the recorded norms. Give that threshold.",
    expected=lambda: float(np.percentile(faq.logistic_sgd().norm_before, 90)),
    rtol=1e-6,
    hints=[
        "r = cq.course.faq.logistic_sgd(); the norms are r.norm_before.",
        "np.percentile(norms, 90).",
    ],
    solution_text="np.percentile(cq.course.faq.logistic_sgd().norm_before, 90): about 0.2, so that "
    "only the rare spikes (up to about 3.7) are clipped.",
)

q3 = NumericExercise(
    "06.3",
    "How many bytes does one 26-qubit state vector take in complex64 (8 bytes per amplitude)?",
    expected=lambda: float(state_vector_bytes(26)),
    rtol=1e-9,
    hints=["A state of n qubits has 2**n amplitudes."],
    solution_text="2**26 × 8 = 536 870 912 bytes = 512 MiB, before any batching.",
)

q4 = ChoiceExercise(
    "06.4",
    "You train with Adam and your clip-by-global-norm bound is active at *every* step. What "
    "does the clipping change?",
    options={
        "a": "Little: Adam divides by a running RMS of the gradient, so a constant rescaling "
             "cancels; clipping only matters for rare spikes.",
        "b": "It cures vanishing gradients.",
        "c": "It multiplies the learning rate by the bound.",
    },
    correct="a",
    explanations={
        "a": "right: Adam is (almost) invariant to the gradient's scale, so an always-on clip "
             "is close to normalised gradients; set the bound from the telemetry so that "
             "only spikes are clipped.",
        "b": "clipping never enlarges a gradient.",
        "c": "Adam's step size is set by lr, not by the gradient's scale.",
    },
    hints=["What happens to m̂/√v̂ when every gradient is multiplied by the same k?"],
    solution_text="(a).",
)

q5 = ChoiceExercise(
    "06.5",
    "A TFQ layer fails with \"Only input tensors may be passed as positional arguments\". "
    "What is the fix?",
    options={
        "a": "pip install keras==3 --upgrade",
        "b": "Restart the kernel and make `import clipq_edu` (which sets TF_USE_LEGACY_KERAS=1) "
             "the first import, or set the variable before starting Python.",
        "c": "Use `import keras` instead of `tf.keras`.",
    },
    correct="b",
    explanations={
        "a": "Keras 3 is the problem: TFQ only works with tf-keras.",
        "b": "right: the variable must be set before TensorFlow first touches tf.keras.",
        "c": "`import keras` always gives Keras 3.",
    },
    hints=["Which Keras does TFQ need, and when does TensorFlow decide which one tf.keras is?"],
    solution_text="(b).",
)
