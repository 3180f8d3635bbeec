"""The one-qubit classifier ⟨Z⟩ = cos(w·x + b) shared by chapters 03c and 06 (private).

:mod:`clipq_edu.course.scaling` (03c) and :func:`clipq_edu.course.faq.angle_classifier` (06)
train the same model on the same kind of data; its data and its exact gradient live here once.
"""

from __future__ import annotations

import numpy as np


def data(n: int, scale: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` labels y = ±1 and features x = scale·(y + 0.4·N(0, 1)), drawn in that order."""
    y = rng.choice([-1.0, 1.0], size=n)
    return scale * (y + 0.4 * rng.normal(size=n)), y


def loss_and_grad(p: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error of cos(w·x + b) against y, and its exact gradient in p = (w, b).

    ∂L/∂w = mean(−sin θ · 2(z − y) · x) and ∂L/∂b = mean(−sin θ · 2(z − y)), θ = w·x + b,
    z = cos θ (the parameter-shift rule gives the same value for a single rotation).
    """
    theta = p[0] * x + p[1]
    z = np.cos(theta)
    dz = -np.sin(theta) * 2.0 * (z - y) / len(y)
    return float(np.mean((z - y) ** 2)), np.array([np.sum(dz * x), np.sum(dz)])
