"""Quantum circuits, their simulation, shot sampling, gradients and gradient landscapes.

One home per calculation (see docs/developing.md for the module map):

* :mod:`~clipq_edu.quantum.circuits`: the chapters' Cirq circuits (Bell, GHZ, encodings,
  ansätze, the McClean random-circuit family);
* :mod:`~clipq_edu.quantum.simulate`: the batched simulator (``expectation`` and ``states`` for
  any circuit on TFQ or Cirq, ``mcclean_expectation`` with the exact batched NumPy backend);
* :mod:`~clipq_edu.quantum.sampling`: THE binomial shot sampler, THE shot expectation, THE
  multinomial draw of measurement counts, shot-noise variance, shot budgets;
* :mod:`~clipq_edu.quantum.gradients`: THE parameter-shift rule, finite differences and SPSA
  (each split into rows + combination), TFQ's differentiators side by side;
* :mod:`~clipq_edu.quantum.landscapes`: barren plateaus, cost-function variance, closed forms;
* :mod:`~clipq_edu.quantum.resources`: the memory formula and the qubit limits.

The public names of these modules are re-exported here, loaded on first use (PEP 562), so
``import clipq_edu.quantum`` imports neither Cirq nor TensorFlow; TensorFlow Quantum loads
(through ``clipq_edu._tf``) only when a TFQ backend runs.

>>> from clipq_edu import quantum
>>> quantum.format_bytes(quantum.state_vector_bytes(20))
'8.0 MiB'
"""

from __future__ import annotations

import importlib
from typing import Any

#: Submodules, in the order a reader meets them.
SUBMODULES = ("circuits", "simulate", "sampling", "gradients", "landscapes", "resources")

#: public name -> submodule that owns it
_EXPORTS = {
    "circuits": (
        "ANSATZ_NAME_FORMAT", "MCCLEAN_AXES", "angle_encoding", "angle_encoding_symbols", "bell_circuit",
        "circuit_diagram", "circuit_symbols", "entangling_chain", "ghz_circuit",
        "hardware_efficient_ansatz", "mcclean_random_circuit", "mcclean_random_values",
        "qubits", "random_angles", "resolve", "reuploading_circuit",
    ),
    "simulate": (
        "MCCLEAN_BACKENDS", "MCCLEAN_OBSERVABLES", "expectation", "mcclean_expectation",
        "probabilities", "product_ry_states", "states",
    ),
    "sampling": (
        "counts_with_errors", "plot_counts", "sample_counts", "sample_expectation",
        "sample_expectation_variance", "sample_outcome_counts", "sample_pauli_means",
        "shot_noise_variance", "shots_needed", "shots_to_resolve",
    ),
    "gradients": (
        "SUPPORTED_GATES", "combine_differences", "combine_shifted", "combine_spsa",
        "compare_differentiators", "difference_parameters", "finite_difference_gradient",
        "gradient_shot_variance", "parameter_shift", "parameter_shift_gradient",
        "shifted_parameters", "spsa_directions", "spsa_gradient", "spsa_parameters",
    ),
    "landscapes": (
        "HINGE_GRAD_BOUND", "MSE_GRAD_BOUND", "MSE_P_GRAD_BOUND", "barren_plateau_tutorial_style",
        "barren_plateau_variance", "bce_gradient_vs_theta", "cost_gradient_variance",
        "depth_dependence", "fit_log2_slope", "gradient_samples", "haar_gradient_variance",
        "identity_init_gradient_variance", "noisy_gradient_bound",
        "product_cost_gradient_samples", "product_cost_gradient_variance",
    ),
    "resources": (
        "DEFAULT_MAX_QUBITS", "MAX_DENSITY_QUBITS", "check_qubits", "format_bytes",
        "simulation_memory_bytes", "state_vector_bytes",
    ),
}
_OWNER = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = [*SUBMODULES, *sorted(_OWNER)]


def __getattr__(name: str) -> Any:
    if name in SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
    elif name in _OWNER:
        module = importlib.import_module(f"{__name__}.{_OWNER[name]}")
        value = getattr(module, name)
        globals()[name] = value
        return value
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = module
    return module


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
