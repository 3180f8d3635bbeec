"""Training: the clipped Keras loop, THE telemetry, THE Adam, the shot-based optimiser.

* :mod:`~clipq_edu.training.loop`: :func:`train` (prepare, step, epoch loop), the clip specs.
* :mod:`~clipq_edu.training.telemetry`: :class:`Telemetry`, :class:`TelemetryRecorder`.
* :mod:`~clipq_edu.training.optim`: :func:`adam_init`, :func:`adam_update` (pure Adam step).
* :mod:`~clipq_edu.training.shots`: :class:`ShotEstimator` (gradient and loss from shots),
  :class:`ShotBasedOptimizer` (clip, then one optimiser step), :func:`train_circuit_from_shots`.
* :mod:`~clipq_edu.training.compare`: :func:`compare_clipping`, :func:`plot_comparison`.
* :mod:`~clipq_edu.training.keras`: :func:`guard_nonfinite`, a Keras optimizer that refuses
  NaN/Inf updates in ``model.fit`` (imports TensorFlow when used).

Every public name is re-exported here, so ``cq.training.train`` and
``from clipq_edu.training import Telemetry`` work. Importing this package does not import
TensorFlow. Taught in chapters 03 and 04.
"""

from __future__ import annotations

from typing import Any

from clipq_edu.training.compare import ComparisonResults, compare_clipping, plot_comparison
from clipq_edu.training.loop import (
    NONFINITE_CHOICES,
    ClipSpec,
    NonFiniteGradientError,
    describe_clip,
    train,
)
from clipq_edu.training.optim import ADAM_EPS, AdamState, adam_init, adam_update
from clipq_edu.training.shots import (
    ShotBasedOptimizer,
    ShotEstimator,
    ShotTrainingResult,
    train_circuit_from_shots,
)
from clipq_edu.training.telemetry import Telemetry, TelemetryRecorder

__all__ = [
    "ADAM_EPS",
    "AdamState",
    "ClipSpec",
    "ComparisonResults",
    "NONFINITE_CHOICES",
    "NonFiniteGradientError",
    "ShotBasedOptimizer",
    "ShotEstimator",
    "ShotTrainingResult",
    "Telemetry",
    "TelemetryRecorder",
    "adam_init",
    "adam_update",
    "compare_clipping",
    "describe_clip",
    "guard_nonfinite",
    "plot_comparison",
    "train",
    "train_circuit_from_shots",
]


def __getattr__(name: str) -> Any:
    if name == "guard_nonfinite":  # loads TensorFlow: only when asked for
        from clipq_edu.training.keras import guard_nonfinite

        return guard_nonfinite
    raise AttributeError(f"module 'clipq_edu.training' has no attribute {name!r}")
