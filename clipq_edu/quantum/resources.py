"""How much memory a simulation needs, and the qubit limits the course enforces (chapters 00, 05, 06).

A state vector of n qubits holds 2**n complex amplitudes; a density matrix holds 4**n. That is
the one formula here (:func:`simulation_memory_bytes`); everything else that talks about memory
(the qubit check that refuses 30 qubits, the chapters' tables) calls it. Only NumPy is imported.

>>> from clipq_edu.quantum.resources import format_bytes, state_vector_bytes
>>> format_bytes(state_vector_bytes(20))
'8.0 MiB'
"""

from __future__ import annotations

import math
from typing import Any

# DEFAULT_MAX_QUBITS and format_bytes are defined in _validate (the bottom layer, whose memory
# checks use them too) and are public here.
from clipq_edu._validate import (
    DEFAULT_MAX_QUBITS,
    MAX_FORMULA_QUBITS,
    check_choice,
    check_int,
    format_bytes,
)

__all__ = [
    "DEFAULT_MAX_QUBITS",
    "MAX_DENSITY_QUBITS",
    "check_qubits",
    "format_bytes",
    "simulation_memory_bytes",
    "state_vector_bytes",
]

#: Largest qubit count for the batched density-matrix simulator (a 2**n x 2**n matrix per circuit).
MAX_DENSITY_QUBITS = 7


def simulation_memory_bytes(
    n_qubits: int, kind: str = "state", bytes_per_amplitude: int = 8
) -> int:
    """Return the bytes of one simulated n-qubit state: 2**n amplitudes, or 4**n for a density matrix.

    memory = 2**n * b (state vector) or 4**n * b (density matrix), with b bytes per complex
    amplitude: 8 for complex64 (TFQ, Cirq's default), 16 for complex128.

    Args:
        n_qubits: qubits, 1..1000 (this only computes, so no simulation limit applies; the cap
            keeps a typo such as 10**12 from building a gigantic integer).
        kind: ``"state"`` or ``"density"``.
        bytes_per_amplitude: bytes per complex amplitude, >= 1.

    Returns:
        Bytes, as an int.

    Taught in chapters 00, 05 and 06.

    >>> simulation_memory_bytes(10), simulation_memory_bytes(10, "density", 16)
    (8192, 16777216)
    """
    n = check_int("n_qubits", n_qubits, minimum=1, maximum=MAX_FORMULA_QUBITS)
    check_choice("kind", kind, ("state", "density"))
    b = check_int("bytes_per_amplitude", bytes_per_amplitude, minimum=1)
    return (4**n if kind == "density" else 2**n) * b


def state_vector_bytes(n_qubits: int, bytes_per_amplitude: int = 8) -> int:
    """Return the bytes of one n-qubit state vector: 2**n * bytes_per_amplitude.

    Args:
        n_qubits: qubits, 1..1000.
        bytes_per_amplitude: 8 (complex64, default) or 16 (complex128).

    Returns:
        Bytes, as an int (:func:`simulation_memory_bytes` with ``kind="state"``).

    Taught in chapters 00 and 06.

    >>> state_vector_bytes(30) == 2**30 * 8
    True
    """
    return simulation_memory_bytes(n_qubits, "state", bytes_per_amplitude)


def check_qubits(name: str, n_qubits: Any, *, max_qubits: int = DEFAULT_MAX_QUBITS) -> int:
    """Return ``n_qubits`` as an int after checking it against the state-vector memory budget.

    The error message says how much memory the request would need (complex64, 8 bytes per
    amplitude), so a student sees why 30 qubits is refused.

    Args:
        name: the argument's name, used in the message.
        n_qubits: the qubit count to check (an integer >= 1).
        max_qubits: the largest count allowed.

    Returns:
        ``n_qubits`` as an int.

    Raises:
        ValueError: more than ``max_qubits`` qubits (the message gives the memory needed).
        TypeError: not an integer.

    Taught in chapter 06.

    >>> check_qubits("n_qubits", 12)
    12
    >>> check_qubits("n_qubits", 30)
    Traceback (most recent call last):
    ...
    ValueError: n_qubits=30 is more than this course simulates (at most 20 qubits): one state vector of 30 qubits needs 8.0 GiB (2**30 amplitudes x 8 bytes), before batching and gradients multiply it
    """
    max_qubits = check_int("max_qubits", max_qubits, minimum=1)
    n = check_int(name, n_qubits, minimum=1)
    if n > max_qubits:
        # Never compute 2**n for a huge n (2**(10**12) would hang): beyond 100 qubits the size
        # is given as a power of ten.
        need = format_bytes(state_vector_bytes(n)) if n <= 100 else (
            f"about 10**{int(n * math.log10(2) + math.log10(8))} bytes")
        raise ValueError(
            f"{name}={n} is more than this course simulates (at most {max_qubits} qubits): one "
            f"state vector of {n} qubits needs {need} (2**{n} amplitudes x 8 bytes), before "
            f"batching and gradients multiply it"
        )
    return n
