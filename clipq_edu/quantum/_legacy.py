"""Old call signatures kept for the deprecated aliases of :mod:`clipq_edu._compat` (private).

Each function here takes the arguments an old name took (positional flags included) and calls
the one implementation that now owns the calculation. Nothing new should call them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from clipq_edu.quantum import landscapes, simulate


def expectation(circuit: Any, observable: Any, symbols: Sequence[Any] | None = None,
                values: Any = None) -> np.ndarray:
    """Old ``measurement.expectation``: ``simulate.expectation(..., backend="tfq")``."""
    return simulate.expectation(circuit, observable, symbols=symbols, values=values,
                                backend="tfq")


def expectation_cirq(circuit: Any, observable: Any, symbols: Sequence[Any] | None = None,
                     values: Any = None) -> np.ndarray:
    """Old ``measurement.expectation_cirq``: ``simulate.expectation(..., backend="cirq")``."""
    return simulate.expectation(circuit, observable, symbols=symbols, values=values,
                                backend="cirq")


def simulate_mcclean(values: Any, n: int, depth: int, observable: str, p: float | None,
                     every_layer: bool) -> np.ndarray:
    """Old ``noise._simulate(values, n, depth, observable, p, every_layer)``."""
    return simulate.mcclean_expectation(values, n_qubits=n, depth=depth, observable=observable,
                                        p=p, every_layer=every_layer, backend="numpy")


def cirq_expectation(values: Any, n: int, depth: int, *, observable: str = "zz",
                     p: float | None = None) -> float:
    """Old ``noise.cirq_expectation``: one McClean circuit through Cirq."""
    values = np.asarray(values, dtype=float)
    if values.ndim != 1:
        raise ValueError(f"values must be 1-D (one circuit), got shape {values.shape}")
    return float(simulate.mcclean_expectation(values, n_qubits=n, depth=depth,
                                              observable=observable, p=p, backend="cirq"))


def global_cost_variance_closed_form(n: int) -> float:
    """Old ``experiments.global_cost_variance_closed_form``: (1/8)(3/8)**(n-1)."""
    return landscapes.product_cost_gradient_variance(n, "global")


def local_cost_variance_closed_form(n: int) -> float:
    """Old ``experiments.local_cost_variance_closed_form``: 1/(8 n**2)."""
    return landscapes.product_cost_gradient_variance(n, "local")
