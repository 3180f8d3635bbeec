"""Batched exact pure-state kernel for the McClean random circuits (private; chapter 05).

The barren-plateau experiments differentiate hundreds of random circuits of
:func:`clipq_edu.quantum.circuits.mcclean_random_circuit`: an RY(pi/4) layer on every qubit,
then ``depth`` layers of one ``rz(c) ry(b) rx(a)`` slot per qubit followed by a CZ ladder, and the
observable read at the end. Each gradient needs two state-vector passes (the parameter
shift), so the work is fixed; this kernel spends as little as NumPy allows on top of it:

* **complex64** amplitudes (half the memory traffic of complex128; the expectations agree with
  complex128 to about 1e-6, far below the sampling error of any variance over 200 circuits);
* **fused rotations**: the three rotations of a slot are one 2x2 matrix, and the slots of
  ``GROUP`` neighbouring qubits are one Kronecker product (an 8x8 matrix per circuit for three
  qubits: the same flops per amplitude as three 2x2 gates, a third of the passes over memory);
* **one matmul per group, no transposes**: the state of each circuit is viewed as a
  ``(d, 2**n / d)`` matrix whose rows are the group's (most significant) qubits, and
  ``s.T @ M.T`` is written into a second buffer as a ``(2**n / d, d)`` matrix: the group has
  moved to the least significant bits. After all groups of a layer the qubit order is back
  where it started, so a layer costs ``ceil(n / GROUP)`` batched matmuls and no copies;
* **the CZ ladder as one precomputed ±1 diagonal** per qubit count, multiplied in place;
* **layer 0 as a product state**: the RY(pi/4) layer and the first rotations act on
  ``|0...0>``, so the state after them is a Kronecker product of n two-vectors;
* **chunks that stay in cache**: the circuits are processed a few at a time (about
  ``CHUNK_BYTES`` of amplitudes), all layers of a chunk before the next one, and the chunks are
  spread over as many threads as the process may really use
  (:func:`clipq_edu._env.cpu_quota`; NumPy and BLAS release the GIL), with BLAS itself held to
  one thread meanwhile so the two levels of threading do not fight (on a loaded machine BLAS
  threads made some group sizes a hundred times slower).

Qubit 0 is the most significant bit of a basis-state index, as in Cirq and
:mod:`clipq_edu.quantum.simulate`. The gates' matrices and diagonals of the McClean family
(:func:`slot_unitaries`, :func:`cz_ladder_diagonal`, :func:`z_diagonal`) live here, once: the
density-matrix kernel of :mod:`clipq_edu.quantum.simulate` and the benchmarks use them too.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from clipq_edu._validate import (
    DEFAULT_MAX_QUBITS,
    MAX_ARRAY_BYTES,
    as_float_array,
    check_array_memory,
    check_finite,
    check_int,
)

#: Qubits fused into one Kronecker-product matrix (8x8 for three qubits).
GROUP = 3
#: Amplitude bytes of one chunk of circuits (two buffers of this size per worker thread).
CHUNK_BYTES = 256 * 1024
#: Bound on one chunk's slot unitaries and fused matrices (deep circuits on few qubits would
#: otherwise put thousands of circuits' matrices for every layer in one chunk).
MATRIX_BYTES = 32 * 2**20
DTYPES = (np.complex64, np.complex128)


def _group_sizes(n: int) -> tuple[int, ...]:
    """Split n qubits into groups of ``GROUP`` (a remainder of 1 becomes two groups of 2)."""
    if n <= GROUP:
        return (n,)
    sizes = [GROUP] * (n // GROUP)
    rest = n % GROUP
    if rest == 1 and GROUP == 3:
        sizes[-1] = 2
        sizes.append(2)
    elif rest:
        sizes.append(rest)
    return tuple(sizes)


# --------------------------------------------------------------------------------------------
# The McClean circuits' building blocks: the one home of the slot unitaries and the diagonals
# (the pure kernel below, the density-matrix kernel of simulate.py and the benchmarks use them)
# --------------------------------------------------------------------------------------------
def basis_bits(n: int) -> np.ndarray:
    """``bits[k, q]`` = value of qubit q in basis state k (qubit 0 is the most significant)."""
    k = np.arange(2**n)
    return (k[:, None] >> (n - 1 - np.arange(n))[None, :]) & 1


@functools.lru_cache(maxsize=32)
def cz_ladder_diagonal(n: int, dtype: str = "float64") -> np.ndarray:
    """±1 diagonal of CZ(0,1) CZ(1,2) ... CZ(n-2,n-1), read-only (qubit 0 most significant)."""
    bits = basis_bits(n)
    parity = np.sum(bits[:, :-1] & bits[:, 1:], axis=1) % 2
    diag = np.where(parity, -1.0, 1.0).astype(dtype)
    diag.setflags(write=False)
    return diag


def z_diagonal(n: int, qubits: tuple[int, ...]) -> np.ndarray:
    """±1 diagonal of the product of Z on ``qubits`` (e.g. ``(0, 1)`` for Z0 Z1), float64."""
    z = 1.0 - 2.0 * basis_bits(n)
    out = np.ones(2**n)
    for q in qubits:
        out = out * z[:, q]
    return out


def slot_unitaries(slots: np.ndarray) -> np.ndarray:
    """``rz(c) ry(b) rx(a)`` for every slot ``(..., 3)``: shape ``(..., 2, 2)``, complex128.

    Cirq's conventions: ``rx(a) = exp(-i a X / 2)`` and so on. Multiplied out in closed form:
    with ``ca = cos(a/2)`` etc., ``ry(b) rx(a) = [[cb ca + i sb sa, -cb i sa - sb ca],
    [sb ca - i cb sa, -i sb sa + cb ca]]`` and ``rz(c)`` scales row 0 by ``exp(-i c/2)`` and
    row 1 by ``exp(+i c/2)``.
    """
    half = 0.5 * slots
    ca, cb = np.cos(half[..., 0]), np.cos(half[..., 1])
    sa, sb = np.sin(half[..., 0]), np.sin(half[..., 1])
    ez = np.exp(-1j * half[..., 2])
    u = np.empty(slots.shape[:-1] + (2, 2), np.complex128)
    u[..., 0, 0] = ez * (cb * ca + 1j * sb * sa)
    u[..., 0, 1] = ez * (-sb * ca - 1j * cb * sa)
    ezc = ez.conj()
    u[..., 1, 0] = ezc * (sb * ca - 1j * cb * sa)
    u[..., 1, 1] = ezc * (cb * ca - 1j * sb * sa)
    return u


def _group_matrices(u: np.ndarray, sizes: tuple[int, ...], dtype: Any) -> list[np.ndarray]:
    """Transposed Kronecker products ``(U_q (x) U_q+1 (x) ...)^T`` per group: ``(..., d, d)``."""
    mats, q = [], 0
    for size in sizes:
        m = u[..., q, :, :]
        for j in range(1, size):
            v = u[..., q + j, :, :]
            d = m.shape[-1] * 2
            m = (m[..., :, None, :, None] * v[..., None, :, None, :]).reshape(m.shape[:-2] + (d, d))
        mats.append(np.ascontiguousarray(np.swapaxes(m, -1, -2), dtype=dtype))
        q += size
    return mats


def _product_state(u0: np.ndarray, dtype: Any) -> np.ndarray:
    """State after RY(pi/4) and layer-0 slots on ``|0...0>``: ``u0`` is ``(C, n, 2, 2)``."""
    ry0 = np.array([np.cos(np.pi / 8), np.sin(np.pi / 8)])  # RY(pi/4)|0>
    cols = u0 @ ry0  # (C, n, 2): each qubit's one-qubit state
    state = cols[:, 0, :]
    for q in range(1, cols.shape[1]):
        state = (state[:, :, None] * cols[:, q, None, :]).reshape(len(state), -1)
    return state.astype(dtype)


def _measure(state: np.ndarray, diag: np.ndarray) -> np.ndarray:
    """``sum_k |psi_k|^2 diag_k`` per circuit, accumulated in float64."""
    flat = state.view(state.real.dtype).reshape(len(state), -1, 2)
    probs = np.einsum("bki,bki->bk", flat, flat)
    return probs.astype(np.float64) @ diag


def _run_chunk(
    slots: np.ndarray, diag: np.ndarray, every_layer: bool, dtype: Any
) -> np.ndarray:
    """Simulate one chunk of circuits ``(C, depth, n, 3)``; readings ``(L, C)``."""
    chunk, depth, n, _ = slots.shape
    sizes = _group_sizes(n)
    u = slot_unitaries(slots)
    mats = _group_matrices(u[:, 1:], sizes, dtype)  # layers 1..depth-1
    cz = cz_ladder_diagonal(n, np.dtype(dtype).type(0).real.dtype.name)
    state = _product_state(u[:, 0], dtype)
    state *= cz
    spare = np.empty_like(state)
    readings = []
    if every_layer or depth == 1:
        readings.append(_measure(state, diag))
    dim = 2**n
    for layer in range(depth - 1):
        for m in mats:
            d = m.shape[-1]
            rows = state.reshape(chunk, d, dim // d).transpose(0, 2, 1)
            np.matmul(rows, m[:, layer], out=spare.reshape(chunk, dim // d, d))
            state, spare = spare, state
        state *= cz
        if every_layer or layer == depth - 2:
            readings.append(_measure(state, diag))
    return np.array(readings)


@contextlib.contextmanager
def _blas_single_thread() -> Iterator[None]:
    """Hold BLAS to one thread while the kernel runs (no-op without threadpoolctl).

    The kernel's parallelism is its own threads over chunks. BLAS threads on top of them
    oversubscribe the cores, and OpenBLAS's spinning threads turned a fused 16x16 group into a
    hundredfold slowdown on a loaded machine when they were left on.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def _check(slots: Any, n_qubits: Any, observable_diagonal: Any, every_layer: Any,
           dtype: Any, threads: Any) -> tuple[np.ndarray, int, np.ndarray, Any, int]:
    n = check_int("n_qubits", n_qubits, minimum=1, maximum=DEFAULT_MAX_QUBITS)
    slots = as_float_array("slots", slots, ndim=4)
    if slots.shape[2:] != (n, 3) or slots.shape[0] < 1 or slots.shape[1] < 1:
        raise ValueError(f"slots must have shape (batch >= 1, depth >= 1, n_qubits={n}, 3), "
                         f"got {slots.shape}")
    check_finite("slots", slots)
    diag = as_float_array("observable_diagonal", observable_diagonal, ndim=1)
    if diag.shape != (2**n,):
        raise ValueError(f"observable_diagonal must have 2**n_qubits = {2**n} entries, got "
                         f"shape {diag.shape}")
    check_finite("observable_diagonal", diag)
    if not isinstance(every_layer, (bool, np.bool_)):
        raise TypeError(f"every_layer must be True or False, got {every_layer!r}")
    if dtype not in DTYPES and np.dtype(dtype) not in [np.dtype(t) for t in DTYPES]:
        raise ValueError(f"dtype must be numpy.complex64 or numpy.complex128, got {dtype!r}")
    dtype = np.dtype(dtype).type
    if threads is None:
        from clipq_edu._env import cpu_quota

        threads = cpu_quota()
    threads = check_int("threads", threads, minimum=1, maximum=256)
    item = np.dtype(dtype).itemsize
    check_array_memory("slots", 2 * threads * item * 2**n, f"two {n}-qubit states per thread")
    return slots, n, diag, dtype, threads


def simulate_pure(
    slots: Any,
    n_qubits: int,
    observable_diagonal: Any,
    every_layer: bool = False,
    *,
    dtype: Any = np.complex64,
    threads: int | None = None,
) -> np.ndarray:
    """Exact expectations of a batch of McClean circuits (pure states).

    Args:
      slots: rotation angles ``(batch, depth, n_qubits, 3)``: slot ``(layer, q)`` applies
        ``rx(a)``, then ``ry(b)``, then ``rz(c)`` to qubit q, after an RY(pi/4) layer; each
        layer ends with the CZ ladder CZ(0,1) ... CZ(n-2,n-1).
      n_qubits: qubits n, 1..20.
      observable_diagonal: the diagonal observable, ``2**n`` real entries (qubit 0 is the
        most significant bit of the index).
      every_layer: also read the observable after every layer (a circuit of depth L is the
        first L layers of the deeper one).
      dtype: ``numpy.complex64`` (default, fast) or ``numpy.complex128``.
      threads: worker threads; default: the CPUs this process may use.

    Returns:
      float64 expectations ``(batch,)``, or ``(depth, batch)`` with ``every_layer``.

    Taught in chapter 05 (through ``quantum.landscapes.gradient_samples``).

    >>> zz = np.array([1.0, -1.0, -1.0, 1.0])  # Z0 Z1 on two qubits
    >>> round(float(simulate_pure(np.zeros((1, 1, 2, 3)), 2, zz)[0]), 6)  # cos(pi/4)**2
    0.5
    """
    slots, n, diag, dtype, threads = _check(slots, n_qubits, observable_diagonal, every_layer,
                                            dtype, threads)
    batch = slots.shape[0]
    per_circuit = np.dtype(dtype).itemsize * 2**n
    depth = slots.shape[1]
    matrices = depth * (64 * n + np.dtype(dtype).itemsize * sum(4**g for g in _group_sizes(n)))
    chunk = int(max(1, min(batch, CHUNK_BYTES // per_circuit, MAX_ARRAY_BYTES // per_circuit,
                           MATRIX_BYTES // matrices)))
    if threads > 1 and batch > 1:  # at least one chunk per thread
        chunk = min(chunk, -(-batch // threads))
    starts = range(0, batch, chunk)
    work = [slots[s:s + chunk] for s in starts]
    workers = min(threads, len(work))
    with _blas_single_thread():
        if workers == 1:
            parts = [_run_chunk(w, diag, every_layer, dtype) for w in work]
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                parts = list(pool.map(lambda w: _run_chunk(w, diag, every_layer, dtype), work))
    out = np.concatenate(parts, axis=1)
    return out if every_layer else out[-1]
