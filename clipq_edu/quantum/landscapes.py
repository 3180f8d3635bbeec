"""Barren plateaus, depolarising noise and shot budgets, simulated fast (taught in chapter 05).

Chapter 05 needs thousands of gradients of random circuits: for every qubit count, depth,
initialisation and noise strength. TensorFlow Quantum would spend most of that time converting
circuits, and Cirq's density-matrix simulator runs one circuit at a time. This module is a
small NumPy simulator for exactly one family, the McClean et al. (2018) random circuits of
:func:`clipq_edu.circuits.mcclean_random_circuit`, that pushes a whole *batch* of circuits
through each gate at once:

* pure states (``(batch, 2**n)`` amplitudes) for the barren-plateau experiments, and
* density matrices (``(batch, 2**n, 2**n)``) with Cirq's depolarising channel
  ``cirq.depolarize(p)`` on every qubit after every layer, for the noise experiments.

The gradient with respect to the first rotation (layer 0, qubit 0) is computed with the
parameter-shift rule, which stays exact under noise that does not depend on the parameter.
Every result is checked against Cirq (``cirq.Simulator`` / ``cirq.DensityMatrixSimulator``)
in the tests and once in the chapter, via :func:`cirq_expectation`.

Closed forms used as references:

* :func:`haar_gradient_variance`: the variance of the gradient when everything after the
  differentiated gate is a unitary 2-design (a deep enough random circuit);
* :func:`identity_init_gradient_variance`: the variance with identity-block initialisation;
* :func:`product_cost_gradient_variance`: global versus local cost (Cerezo et al. 2021);
* :func:`noisy_gradient_bound`: how depolarising noise bounds the gradient by q**L.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from clipq_edu._validate import (
    MAX_FORMULA_QUBITS,
    MAX_LAYERS,
    MAX_SAMPLES,
    as_float_array,
    check_array_memory,
    check_choice,
    check_finite,
    check_int,
    check_positive_float,
    check_qubits,
    check_seed,
    state_vector_bytes,
)

__all__ = [
    "OBSERVABLES",
    "cirq_expectation",
    "fit_log2_slope",
    "gradient_samples",
    "haar_gradient_variance",
    "identity_init_gradient_variance",
    "noisy_gradient_bound",
    "product_cost_gradient_samples",
    "product_cost_gradient_variance",
    "shots_to_resolve",
    "simulation_memory_bytes",
]

#: Observables measured at the end of the circuit: ``"zz"`` is Z0 Z1 (McClean et al., TFQ's
#: tutorial), ``"z0"`` is Z on qubit 0 alone.
OBSERVABLES = ("zz", "z0")

#: Largest qubit count for the density-matrix simulator (a 2**n x 2**n matrix per circuit).
MAX_DENSITY_QUBITS = 7


# --------------------------------------------------------------------------------------------
# The batched simulator (private)
# --------------------------------------------------------------------------------------------
def _bits(n: int) -> np.ndarray:
    """``bits[k, q]`` = value of qubit q in basis state k (qubit 0 is the most significant)."""
    k = np.arange(2**n)
    return (k[:, None] >> (n - 1 - np.arange(n))[None, :]) & 1


def _cz_ladder_signs(n: int) -> np.ndarray:
    b = _bits(n)
    parity = np.sum(b[:, :-1] & b[:, 1:], axis=1)
    return np.where(parity % 2, -1.0, 1.0)


def _observable_diagonal(n: int, observable: str) -> np.ndarray:
    z = 1.0 - 2.0 * _bits(n)  # eigenvalue of Z_q on each basis state
    return z[:, 0] * z[:, 1] if observable == "zz" else z[:, 0]


def _slot_matrices(angles: np.ndarray) -> np.ndarray:
    """rz(c) ry(b) rx(a) for a batch of (a, b, c): shape (batch, 2, 2), Cirq's conventions."""
    a, b, c = (angles[:, k] / 2 for k in range(3))
    rx = np.empty((len(a), 2, 2), complex)
    rx[:, 0, 0] = rx[:, 1, 1] = np.cos(a)
    rx[:, 0, 1] = rx[:, 1, 0] = -1j * np.sin(a)
    ry = np.empty_like(rx)
    ry[:, 0, 0] = ry[:, 1, 1] = np.cos(b)
    ry[:, 0, 1], ry[:, 1, 0] = -np.sin(b), np.sin(b)
    rz = np.zeros_like(rx)
    rz[:, 0, 0], rz[:, 1, 1] = np.exp(-1j * c), np.exp(1j * c)
    return rz @ ry @ rx


def _apply_1q(state: np.ndarray, u: np.ndarray, axis: int, n_axes: int) -> np.ndarray:
    """Apply a batch of 2x2 matrices ``u`` to tensor axis ``axis`` of ``(batch, 2**n_axes)``."""
    batch = state.shape[0]
    s = state.reshape(batch, 2**axis, 2, 2 ** (n_axes - axis - 1))
    s0, s1 = s[:, :, 0, :], s[:, :, 1, :]
    u = u[:, :, :, None, None]
    out = np.empty_like(s)
    np.multiply(u[:, 0, 0], s0, out=out[:, :, 0, :])
    out[:, :, 0, :] += u[:, 0, 1] * s1
    np.multiply(u[:, 1, 0], s0, out=out[:, :, 1, :])
    out[:, :, 1, :] += u[:, 1, 1] * s1
    return out.reshape(batch, -1)


def _depolarise(rho: np.ndarray, n: int, q: int, p: float) -> np.ndarray:
    """Cirq's depolarize(p) on qubit q: rho -> (1 - 4p/3) rho + (4p/3) I/2 (x) Tr_q rho."""
    lam = 4.0 * p / 3.0
    b = rho.shape[0]
    r = rho.reshape(b, 2**q, 2, 2 ** (n - q - 1), 2**q, 2, 2 ** (n - q - 1))
    half_trace = 0.5 * (r[:, :, 0, :, :, 0, :] + r[:, :, 1, :, :, 1, :])
    out = (1.0 - lam) * r
    out[:, :, 0, :, :, 0, :] += lam * half_trace
    out[:, :, 1, :, :, 1, :] += lam * half_trace
    return out.reshape(rho.shape)


def _simulate(
    values: np.ndarray, n: int, depth: int, observable: str, p: float | None, every_layer: bool
) -> np.ndarray:
    """Expectations of the McClean circuits given by ``values`` (rows); pure when p is None.

    Returns shape ``(batch,)``, or ``(depth, batch)`` with ``every_layer`` (the observable read
    after each layer: a circuit of depth L is the first L layers of the deeper one).
    """
    batch = values.shape[0]
    slots = values.reshape(batch, depth, n, 3)
    signs = _cz_ladder_signs(n)
    diag = _observable_diagonal(n, observable)
    ry0 = np.broadcast_to(_slot_matrices(np.array([[0.0, np.pi / 4, 0.0]])), (batch, 2, 2))
    dense = p is not None
    if dense:
        state = np.zeros((batch, 4**n), complex)
        state[:, 0] = 1.0
        signs2 = np.outer(signs, signs).ravel()
    else:
        state = np.zeros((batch, 2**n), complex)
        state[:, 0] = 1.0
    n_axes = 2 * n if dense else n

    def rotate(state: np.ndarray, u: np.ndarray, q: int) -> np.ndarray:
        state = _apply_1q(state, u, q, n_axes)
        return _apply_1q(state, u.conj(), n + q, n_axes) if dense else state

    def measure(state: np.ndarray) -> np.ndarray:
        if dense:
            probs = state.reshape(batch, 2**n, 2**n).diagonal(axis1=1, axis2=2).real
        else:
            probs = np.abs(state) ** 2
        return probs @ diag

    for q in range(n):
        state = rotate(state, ry0, q)
    readings = []
    for layer in range(depth):
        for q in range(n):
            state = rotate(state, _slot_matrices(slots[:, layer, q]), q)
        state = state * (signs2 if dense else signs)
        if dense and p > 0:
            rho = state
            for q in range(n):
                rho = _depolarise(rho, n, q, p)
            state = rho
        if every_layer or layer == depth - 1:
            readings.append(measure(state))
    return np.array(readings) if every_layer else readings[-1]


def _shifted(values: np.ndarray, column: np.ndarray) -> np.ndarray:
    """Stack values with +pi/2 and -pi/2 added at ``column[b]`` of row b (parameter shift)."""
    plus, minus = values.copy(), values.copy()
    rows = np.arange(values.shape[0])
    plus[rows, column] += np.pi / 2
    minus[rows, column] -= np.pi / 2
    return np.concatenate([plus, minus])


# --------------------------------------------------------------------------------------------
# Public experiments
# --------------------------------------------------------------------------------------------
def gradient_samples(
    n: int,
    depth: int,
    n_circuits: int = 200,
    seed: int | None = 0,
    *,
    init: str = "random",
    observable: str = "zz",
    p: float | None = None,
    every_layer: bool = False,
) -> np.ndarray:
    """Return ∂⟨H⟩/∂θ for a batch of random McClean circuits (θ = first rotation, qubit 0).

    The circuits are :func:`clipq_edu.circuits.mcclean_random_circuit` with values from
    :func:`clipq_edu.circuits.mcclean_random_values` (same seed, same circuits). Each gradient
    is exact (parameter shift on a noiseless or noisy simulation, no shots). With ``p`` given,
    the circuit is simulated as a density matrix with ``cirq.depolarize(p)`` on every qubit
    after every layer (``p=0`` is the noiseless density-matrix simulation).

    Args:
      n: qubits, 2..20 (2..7 when ``p`` is given).
      depth: layers of rotations + CZ ladder, >= 1.
      n_circuits: number of random circuits, >= 2.
      seed: seed for the circuit values.
      init: ``"random"`` (McClean et al.) or ``"identity"`` (one identity block of ``depth``
        layers, Grant et al.; ``depth`` must be even).
      observable: ``"zz"`` (Z0 Z1) or ``"z0"`` (Z on qubit 0).
      p: depolarising probability per qubit per layer in [0, 0.75], or ``None`` for pure states.
      every_layer: also return the gradients of the shallower circuits (layers 1..depth) that
        are prefixes of these ones; not allowed with ``init="identity"`` (a prefix of an
        identity block is not one).

    Returns:
      Shape ``(n_circuits,)``, or ``(depth, n_circuits)`` with ``every_layer``.

    References:
      McClean, Boixo, Smelyanskiy, Babbush, Neven (2018), "Barren plateaus in quantum neural
      network training landscapes", Nature Communications 9, 4812,
      https://arxiv.org/abs/1803.11173. Grant, Wossnig, Ostaszewski, Benedetti (2019), "An
      initialization strategy for addressing barren plateaus in parametrized quantum
      circuits", Quantum 3, 214, https://arxiv.org/abs/1903.05076. Wang, Fontana, Cerezo,
      Sharma, Sone, Cincio, Coles (2021), "Noise-induced barren plateaus in variational
      quantum algorithms", Nature Communications 12, 6961, https://arxiv.org/abs/2007.14384.

    Taught in chapter 05.
    """
    from clipq_edu.circuits import mcclean_random_values

    n = check_qubits("n", n)
    if n < 2:
        raise ValueError(f"n must be >= 2 (the observables use qubits 0 and 1), got {n}")
    depth = check_int("depth", depth, minimum=1, maximum=MAX_LAYERS)
    n_circuits = check_int("n_circuits", n_circuits, minimum=2, maximum=MAX_SAMPLES)
    seed = check_seed("seed", seed)
    check_choice("init", init, ("random", "identity"))
    check_choice("observable", observable, OBSERVABLES)
    if p is not None:
        p = check_positive_float("p", p, allow_zero=True)
        if p > 0.75:
            raise ValueError(f"p must be in [0, 0.75] (0.75 is fully depolarising), got {p}")
        check_qubits("n", n, max_qubits=MAX_DENSITY_QUBITS)
    check_array_memory("n_circuits", n_circuits * 16 * 4 ** n if p is not None
                       else n_circuits * 16 * 2 ** n, f"{n_circuits} simulated states")
    if init == "identity" and depth % 2:
        raise ValueError(f"init='identity' needs an even depth (one identity block), got {depth}")
    if init == "identity" and every_layer:
        raise ValueError("every_layer=True needs init='random': a prefix of an identity block "
                         "is not the identity")
    values, first = mcclean_random_values(n, depth, n_circuits, seed=seed, init=init)
    f = _simulate(_shifted(values, first), n, depth, observable, p, every_layer)
    return 0.5 * (f[..., :n_circuits] - f[..., n_circuits:])


def cirq_expectation(
    values: Any, n: int, depth: int, *, observable: str = "zz", p: float | None = None
) -> float:
    """Expectation of one McClean circuit simulated by Cirq itself (the cross-check).

    Builds :func:`clipq_edu.circuits.mcclean_random_circuit`, resolves it with ``values`` (one
    row of :func:`clipq_edu.circuits.mcclean_random_values`), inserts ``cirq.depolarize(p)`` on
    every qubit after every layer when ``p`` is given, and runs ``cirq.Simulator`` (pure) or
    ``cirq.DensityMatrixSimulator`` (noisy). Slow: one circuit at a time.

    Args:
      values: the circuit's values, length ``3 * depth * n``.
      n: qubits (2..7 with noise, 2..12 without).
      depth: layers.
      observable: ``"zz"`` or ``"z0"``.
      p: depolarising probability in [0, 0.75], or ``None`` for the pure simulation.

    Returns:
      The expectation as a float.

    Taught in chapter 05.
    """
    import cirq

    from clipq_edu.circuits import mcclean_random_circuit, resolve

    n = check_qubits("n", n, max_qubits=MAX_DENSITY_QUBITS if p is not None else 12)
    depth = check_int("depth", depth, minimum=1, maximum=MAX_LAYERS)
    check_choice("observable", observable, OBSERVABLES)
    values = as_float_array("values", values, ndim=1)
    if values.size != 3 * depth * n:
        raise ValueError(f"values must have 3 * depth * n = {3 * depth * n} entries, got "
                         f"{values.size}")
    circuit, table = mcclean_random_circuit(n, depth)
    resolved = resolve(circuit, list(table.ravel()), values)
    qs = cirq.LineQubit.range(n)
    if p is not None:
        p = check_positive_float("p", p, allow_zero=True)
        # Layer by layer as mcclean_random_circuit: rotations, CZ ladder, then the noise.
        noisy = cirq.Circuit(cirq.ry(np.pi / 4)(q) for q in qs)
        slots = values.reshape(depth, n, 3)
        for layer in range(depth):
            for j, q in enumerate(qs):
                a, b, c = slots[layer, j]
                noisy.append([cirq.rx(a)(q), cirq.ry(b)(q), cirq.rz(c)(q)])
            noisy.append(cirq.CZ(x, y) for x, y in zip(qs, qs[1:], strict=False))
            noisy.append(cirq.depolarize(p).on_each(*qs), strategy=cirq.InsertStrategy.NEW)
        rho = cirq.DensityMatrixSimulator(dtype=np.complex128).simulate(noisy).final_density_matrix
        probs = np.real(np.diag(rho))
    else:
        psi = cirq.Simulator(dtype=np.complex128).simulate(resolved, qubit_order=qs).final_state_vector
        probs = np.abs(psi) ** 2
    return float(probs @ _observable_diagonal(n, observable))


def haar_gradient_variance(n: int) -> float:
    """Variance of ∂⟨Z0Z1⟩/∂θ when the circuit after the first rotation is Haar random.

    With d = 2**n, a traceless H with Tr H² = d and the derivative operator
    X = -(i/2)[P, ρ] of the state ρ after ``ry(pi/4)``, the unitary 2-design average gives
    Var = Tr(H²) E[Tr X²] / (d² - 1), and E[Tr X²] = (1 - E⟨P⟩²)/2 = 1/3 for an axis P drawn
    uniformly from X, Y, Z (⟨X⟩ = ⟨Z⟩ = 1/√2, ⟨Y⟩ = 0). So Var = d / (3 (d² - 1)) ≈ 2**-n / 3.
    The same value holds for the local observable Z0 (also Tr H² = d).

    Args:
      n: qubits, >= 1.

    Returns:
      The variance as a float.

    References:
      McClean et al. (2018), https://arxiv.org/abs/1803.11173 (the 2-design argument).

    Taught in chapter 05.
    """
    n = check_int("n", n, minimum=1, maximum=MAX_FORMULA_QUBITS)
    d = 2.0**n
    return d / (3.0 * (d * d - 1.0))


def identity_init_gradient_variance() -> float:
    """Variance of ∂⟨Z0Z1⟩/∂θ at identity-block initialisation: 1/18 for every n and depth.

    At initialisation the circuit after the differentiated rotation is the identity, so the
    gradient is that of a single rotation about a random axis P at angle 0 on the state
    ry(pi/4)|0>: -1/2 for P = Y (d/dθ cos(pi/4 + θ) times ⟨Z1⟩ = 1/√2) and 0 for X and Z.
    Mean -1/6, second moment 1/12, variance 1/12 - 1/36 = 1/18, independent of n.

    Returns:
      1/18.

    References:
      Grant, Wossnig, Ostaszewski, Benedetti (2019), https://arxiv.org/abs/1903.05076.

    Taught in chapter 05.
    """
    return 1.0 / 18.0


def product_cost_gradient_samples(
    n: int, cost: str, n_samples: int = 2000, seed: int | None = 0
) -> np.ndarray:
    """Sample ∂C/∂θ₁ for the product ansatz ⊗ⱼ rx(θⱼ)|0> with a global or local cost.

    Global cost C_G = 1 - |<0...0|ψ>|² = 1 - Πⱼ cos²(θⱼ/2); local cost
    C_L = 1 - (1/n) Σⱼ cos²(θⱼ/2) (probability of reading 0 on each qubit, averaged). The
    angles are uniform in [0, 2π). The gradient is evaluated by the parameter-shift rule on the
    simulated state (not from the formula), so it can be compared with the closed form of
    :func:`product_cost_gradient_variance`.

    Args:
      n: qubits, 1..20.
      cost: ``"global"`` or ``"local"``.
      n_samples: number of random parameter vectors, >= 2.
      seed: seed of ``np.random.default_rng``.

    Returns:
      Shape ``(n_samples,)``.

    References:
      Cerezo, Sone, Volkoff, Cincio, Coles (2021), "Cost function dependent barren plateaus
      in shallow parametrized quantum circuits", Nature Communications 12, 1791,
      https://arxiv.org/abs/2001.00550.

    Taught in chapter 05.
    """
    n = check_qubits("n", n)
    check_choice("cost", cost, ("global", "local"))
    n_samples = check_int("n_samples", n_samples, minimum=2, maximum=MAX_SAMPLES)
    rng = np.random.default_rng(check_seed("seed", seed))
    theta = rng.uniform(0.0, 2.0 * np.pi, size=(n_samples, n))
    zero = 1 - _bits(n)  # 1 where qubit q reads 0
    diag = 1.0 - (np.all(zero, axis=1) if cost == "global" else zero.mean(axis=1))
    shifted = np.concatenate([theta, theta])
    shifted[:n_samples, 0] += np.pi / 2
    shifted[n_samples:, 0] -= np.pi / 2
    state = np.zeros((2 * n_samples, 2**n), complex)
    state[:, 0] = 1.0
    for q in range(n):
        rx = np.zeros((2 * n_samples, 3))
        rx[:, 0] = shifted[:, q]
        state = _apply_1q(state, _slot_matrices(rx), q, n)
    f = (np.abs(state) ** 2) @ diag
    return 0.5 * (f[:n_samples] - f[n_samples:])


def product_cost_gradient_variance(n: int, cost: str) -> float:
    """Closed form of Var[∂C/∂θ₁] for :func:`product_cost_gradient_samples`.

    ∂C_G/∂θ₁ = (sin θ₁ / 2) Π_{j>1} cos²(θⱼ/2): with E[sin²θ] = 1/2 and E[cos⁴(θ/2)] = 3/8,
    Var = (1/8) (3/8)**(n-1), exponentially small even though the circuit has depth 1.
    ∂C_L/∂θ₁ = sin θ₁ / (2n): Var = 1/(8 n²), only polynomially small.

    Args:
      n: qubits, >= 1.
      cost: ``"global"`` or ``"local"``.

    Returns:
      The variance.

    References:
      Cerezo et al. (2021), https://arxiv.org/abs/2001.00550.

    Taught in chapter 05.
    """
    n = check_int("n", n, minimum=1, maximum=MAX_FORMULA_QUBITS)
    check_choice("cost", cost, ("global", "local"))
    return 0.125 * 0.375 ** (n - 1) if cost == "global" else 1.0 / (8.0 * n * n)


def noisy_gradient_bound(n: int, layers_after: int, p: float) -> float:
    """Upper bound on |∂⟨H⟩/∂θ| with depolarising noise, for H with eigenvalues ±1.

    cirq.depolarize(p) on every qubit multiplies each non-identity Pauli component of an
    operator by (1 - 4p/3)**weight <= q = 1 - 4p/3, so it shrinks the Hilbert-Schmidt norm of
    any traceless operator by at least q; unitaries keep that norm. The gradient is
    Tr(H Φ(X)) with X = -(i/2)[P, ρ] traceless, ‖X‖₂ <= 1/√2 and ‖H‖₂ = √(2**n), so
    |∂⟨H⟩/∂θ| <= √(2**n / 2) q**L after L noisy layers. Loose in n, exact in its exponential
    decay with depth: the noise-induced barren plateau.

    Args:
      n: qubits, >= 1.
      layers_after: noisy layers after the differentiated rotation, >= 0.
      p: depolarising probability in [0, 0.75].

    Returns:
      The bound.

    References:
      Wang et al. (2021), "Noise-induced barren plateaus in variational quantum algorithms",
      Nature Communications 12, 6961, https://arxiv.org/abs/2007.14384.

    Taught in chapter 05.
    """
    n = check_int("n", n, minimum=1, maximum=MAX_FORMULA_QUBITS)
    layers_after = check_int("layers_after", layers_after, minimum=0, maximum=MAX_LAYERS)
    p = check_positive_float("p", p, allow_zero=True)
    if p > 0.75:
        raise ValueError(f"p must be in [0, 0.75], got {p}")
    return math.sqrt(2.0**n / 2.0) * (1.0 - 4.0 * p / 3.0) ** layers_after


def fit_log2_slope(x: Any, y: Any) -> tuple[float, float]:
    """Least-squares line through (x, log2 y): return (slope, intercept).

    A variance that decays as 2**(-n) has slope -1.

    Args:
      x: abscissae (e.g. qubit counts), at least two distinct values.
      y: positive values of the same length.

    Returns:
      ``(slope, intercept)`` of log2(y) ≈ slope * x + intercept.

    Taught in chapter 05.
    """
    x = check_finite("x", as_float_array("x", x, ndim=1))
    y = check_finite("y", as_float_array("y", y, ndim=1))
    if x.shape != y.shape or np.unique(x).size < 2:
        raise ValueError(f"x and y must have the same length and x two distinct values, got "
                         f"shapes {x.shape} and {y.shape}")
    if not np.all(y > 0):
        raise ValueError(f"y must be > 0 (finite) to take log2, got {y.tolist()}")
    slope, intercept = np.polyfit(x, np.log2(y), 1)
    return float(slope), float(intercept)


def shots_to_resolve(gradient: Any, z: float = 2.0, sigma: float = math.sqrt(0.5)) -> Any:
    """Shots per parameter-shift term needed to tell a gradient of size |g| from zero.

    With N shots for each of f(θ ± π/2), the estimate ĝ = (f̂₊ - f̂₋)/2 has variance
    (σ₊² + σ₋²)/(4N) <= 1/(2N) for an observable with eigenvalues ±1 (σ² = 1 - ⟨H⟩² <= 1 per
    term). Asking for z standard errors below |g| gives N >= (z σ / |g|)² with σ = √(1/2) the
    worst-case single-shot standard deviation of ĝ.

    Args:
      gradient: |g|, a positive number or array.
      z: how many standard errors, > 0 (2 is about 95 % confidence).
      sigma: single-shot standard deviation of the gradient estimator, > 0.

    Returns:
      The shot count(s), rounded up (int, or an int array).

    Taught in chapter 05.
    """
    z = check_positive_float("z", z)
    sigma = check_positive_float("sigma", sigma)
    g = np.abs(as_float_array("gradient", gradient))
    if not np.all(g > 0):
        raise ValueError("gradient must be non-zero: a zero gradient needs infinitely many shots")
    n = np.ceil((z * sigma / g) ** 2 * (1 - 1e-12)).astype(np.int64)  # no 200.0000001 -> 201
    return int(n) if n.ndim == 0 else n


def simulation_memory_bytes(n: int, kind: str = "state", bytes_per_amplitude: int = 8) -> int:
    """Memory for one simulated n-qubit state: 2**n amplitudes, or 4**n for a density matrix.

    Args:
      n: qubits, >= 1 (no upper limit: this only computes).
      kind: ``"state"`` or ``"density"``.
      bytes_per_amplitude: 8 for complex64 (TFQ, Cirq's default), 16 for complex128.

    Returns:
      Bytes, as an int.

    Taught in chapter 05.
    """
    n = check_int("n", n, minimum=1, maximum=MAX_FORMULA_QUBITS)
    check_choice("kind", kind, ("state", "density"))
    bytes_per_amplitude = check_int("bytes_per_amplitude", bytes_per_amplitude, minimum=1)
    one = state_vector_bytes(n, bytes_per_amplitude)
    return one * 2**n if kind == "density" else one
