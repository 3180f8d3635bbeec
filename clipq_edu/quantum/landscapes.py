"""Gradient landscapes: barren plateaus, cost-function variance and their closed forms (chapter 05).

Chapter 05 measures how the gradient of random circuits shrinks with the number of qubits
(McClean et al. 2018), how an identity-block initialisation avoids it (Grant et al. 2019), how
a global cost plateaus where a local one does not (Cerezo et al. 2021), and how depolarising
noise flattens everything (Wang et al. 2021). There is one implementation of each experiment,
with a backend choice:

* :func:`gradient_samples` draws the exact parameter-shift gradient of the first rotation for a
  batch of McClean circuits through :func:`clipq_edu.quantum.simulate.mcclean_expectation`
  (``backend="numpy"``: exact, batched, pure or noisy; ``"tfq"``: TensorFlow Quantum;
  ``"cirq"``: the slow reference); :func:`barren_plateau_variance` and
  :func:`depth_dependence` are its sample variances over qubit counts and depths;
* :func:`product_cost_gradient_samples` and :func:`cost_gradient_variance` do the same for the
  product ansatz with a global or local cost;
* :func:`barren_plateau_tutorial_style` keeps TFQ's tutorial code path (one Cirq circuit per
  sample) as the benchmark's reference.

Every gradient comes from THE parameter-shift rule
(:func:`clipq_edu.quantum.gradients.shifted_parameters` and
:func:`~clipq_edu.quantum.gradients.combine_shifted`). Closed forms used as references:
:func:`haar_gradient_variance`, :func:`identity_init_gradient_variance`,
:func:`product_cost_gradient_variance`, :func:`noisy_gradient_bound`; :func:`fit_log2_slope`
fits the decay rate. :func:`bce_gradient_vs_theta` (chapter 03) shows the loss, not the
circuit, making a gradient explode.

>>> from clipq_edu.quantum.landscapes import gradient_samples, haar_gradient_variance
>>> g = gradient_samples(4, 20, n_circuits=400, seed=0)
>>> 0.5 < float(g.var()) / haar_gradient_variance(4) < 2.0
True
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import cirq
import numpy as np
import sympy

from clipq_edu._backend import resolve_backend
from clipq_edu._validate import (
    MAX_FORMULA_QUBITS,
    MAX_LAYERS,
    MAX_SAMPLES,
    as_float_array,
    check_array_memory,
    check_bool,
    check_choice,
    check_finite,
    check_int,
    check_positive_float,
    check_seed,
)
from clipq_edu.quantum.circuits import mcclean_random_values
from clipq_edu.quantum.gradients import combine_shifted, shifted_parameters
from clipq_edu.quantum.resources import MAX_DENSITY_QUBITS, check_qubits
from clipq_edu.quantum.simulate import (
    MCCLEAN_BACKENDS,
    MCCLEAN_OBSERVABLES,
    mcclean_expectation,
    product_ry_states,
)

__all__ = [
    "HINGE_GRAD_BOUND",
    "MSE_GRAD_BOUND",
    "MSE_P_GRAD_BOUND",
    "barren_plateau_tutorial_style",
    "barren_plateau_variance",
    "bce_gradient_vs_theta",
    "cost_gradient_variance",
    "depth_dependence",
    "fit_log2_slope",
    "gradient_samples",
    "haar_gradient_variance",
    "identity_init_gradient_variance",
    "noisy_gradient_bound",
    "product_cost_gradient_samples",
    "product_cost_gradient_variance",
]

#: max over theta of |d/dtheta (1 - cos theta)^2| = 3 sqrt(3)/2, reached at theta = 2 pi/3.
MSE_GRAD_BOUND = 3 * np.sqrt(3) / 2
#: max over theta of |d/dtheta (1 - cos^2(theta/2))^2| = 3 sqrt(3)/8 (MSE on p, theta = 2 pi/3).
MSE_P_GRAD_BOUND = 3 * np.sqrt(3) / 8
#: max over theta of |d/dtheta max(0, 1 - cos theta)| = 1.
HINGE_GRAD_BOUND = 1.0


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------
def _qubit_counts(n_qubits: Any) -> list[int]:
    if isinstance(n_qubits, Iterable) and not isinstance(n_qubits, str):
        counts = [check_qubits("n_qubits", n) for n in n_qubits]
    else:
        counts = [check_qubits("n_qubits", n_qubits)]
    if not counts:
        raise ValueError("n_qubits is empty; pass an int or a list such as [4, 6, 8]")
    for n in counts:
        if n < 2:
            raise ValueError(f"n_qubits must be >= 2 (the cost is Z0 Z1), got {n}")
    return counts


def _child_seed(seed: int | None, *keys: int) -> int | None:
    """A seed for one sub-experiment, derived from (seed, keys) so each n has its own stream."""
    if seed is None:
        return None
    return int(np.random.SeedSequence([seed, *keys]).generate_state(1)[0])


def _zz(n: int) -> cirq.PauliSum:
    q = cirq.LineQubit.range(n)
    return cirq.PauliSum.from_pauli_strings([cirq.Z(q[0]) * cirq.Z(q[1])])


def _first_rotation_gradient(values, first, n, depth, observable, p, every_layer, backend):
    """THE parameter-shift rule on the first rotation of each McClean row: [..., batch]."""
    rows = shifted_parameters(values, columns=first[:, None])  # [B, 2, 1, N]
    rows = np.moveaxis(rows, 0, 1).reshape(-1, values.shape[1])  # all "+" rows, then all "-"
    f = mcclean_expectation(rows, n_qubits=n, depth=depth, observable=observable, p=p,
                            every_layer=every_layer, backend=backend)
    f = f.reshape(*f.shape[:-1], 2, values.shape[0])  # [..., 2, B]
    return combine_shifted(f)  # [..., B]


# --------------------------------------------------------------------------------------------
# Barren plateaus of the McClean family
# --------------------------------------------------------------------------------------------
def gradient_samples(
    n_qubits: int,
    depth: int,
    n_circuits: int = 200,
    seed: int | None = 0,
    *,
    init: str = "random",
    observable: str = "zz",
    p: float | None = None,
    every_layer: bool = False,
    block_layers: int | None = None,
    backend: str = "numpy",
) -> np.ndarray:
    """Return ∂⟨H⟩/∂θ for a batch of random McClean circuits (θ = first rotation, qubit 0).

    The circuits are :func:`clipq_edu.quantum.circuits.mcclean_random_circuit` with values from
    :func:`clipq_edu.quantum.circuits.mcclean_random_values` (same seed, same circuits). Each
    gradient is exact: THE parameter-shift rule, ∂⟨H⟩/∂θ = [⟨H⟩(θ + π/2) - ⟨H⟩(θ - π/2)]/2, on
    a noiseless or noisy simulation, no shots; all 2 * n_circuits evaluations go to the
    simulator in one batch. With ``p`` given, the circuit is simulated as a density matrix with
    ``cirq.depolarize(p)`` on every qubit after every layer (``p=0`` is the noiseless
    density-matrix simulation).

    Args:
      n_qubits: qubits, 2..20 (2..7 when ``p`` is given).
      depth: layers of rotations + CZ ladder, >= 1.
      n_circuits: number of random circuits, >= 2.
      seed: seed for the circuit values.
      init: ``"random"`` (McClean et al.) or ``"identity"`` (identity blocks of
        ``block_layers`` layers, default one block of ``depth`` layers; Grant et al.).
      observable: ``"zz"`` (Z0 Z1) or ``"z0"`` (Z on qubit 0).
      p: depolarising probability per qubit per layer in [0, 0.75], or ``None`` for pure states.
      every_layer: also return the gradients of the shallower circuits (layers 1..depth) that
        are prefixes of these ones (``numpy`` backend); not allowed with ``init="identity"``
        (a prefix of an identity block is not one).
      block_layers: identity-block size (``init="identity"`` only; even, >= 4, divides depth).
      backend: ``"numpy"`` (exact, batched; the default), ``"tfq"`` (TFQ, pure states) or
        ``"cirq"`` (one circuit at a time: the reference), see
        :func:`clipq_edu.quantum.simulate.mcclean_expectation`.

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

    >>> g = gradient_samples(3, 4, n_circuits=5, seed=1)
    >>> bool(np.allclose(g, gradient_samples(3, 4, n_circuits=5, seed=1, backend="cirq")))
    True
    >>> gradient_samples(3, 4, n_circuits=5, seed=1, p=0.1, every_layer=True).shape
    (4, 5)
    """
    n = check_qubits("n_qubits", n_qubits)
    if n < 2:
        raise ValueError(f"n_qubits must be >= 2 (the observables use qubits 0 and 1), got {n}")
    depth = check_int("depth", depth, minimum=1, maximum=MAX_LAYERS)
    n_circuits = check_int("n_circuits", n_circuits, minimum=2, maximum=MAX_SAMPLES)
    seed = check_seed("seed", seed)
    check_choice("init", init, ("random", "identity"))
    check_choice("observable", observable, MCCLEAN_OBSERVABLES)
    check_choice("backend", backend, MCCLEAN_BACKENDS)
    every_layer = check_bool("every_layer", every_layer)
    if p is not None:
        check_qubits("n_qubits", n, max_qubits=MAX_DENSITY_QUBITS)
    check_array_memory("n_circuits", 2 * n_circuits * 16 * (4**n if p is not None else 2**n),
                       f"{2 * n_circuits} simulated states (two shifted circuits each)")
    if init == "identity" and block_layers is None and depth % 2:
        raise ValueError(f"init='identity' needs an even depth (one identity block), got {depth}")
    if init == "identity" and every_layer:
        raise ValueError("every_layer=True needs init='random': a prefix of an identity block "
                         "is not the identity")
    values, first = mcclean_random_values(n, depth, n_circuits, seed=seed, init=init,
                                          block_layers=block_layers)
    return _first_rotation_gradient(values, first, n, depth, observable, p, every_layer,
                                    backend)


def barren_plateau_variance(
    n_qubits: int | Iterable[int],
    depth: int = 50,
    n_circuits: int = 200,
    init: str = "random",
    seed: int | None = 0,
    block_layers: int | None = None,
    *,
    backend: str = "numpy",
) -> dict[int, float]:
    """Return the variance of d<Z0 Z1>/d theta_1 over random circuits, for each qubit count.

    For each n: ``n_circuits`` random McClean circuits (ry(pi/4) layer, then ``depth`` layers
    of random Pauli rotations and a CZ ladder) and the exact parameter-shift gradient with
    respect to the first rotation (layer 0, qubit 0) at a random angle, from
    :func:`gradient_samples`. The sample variance (ddof=1) is returned, not the standard
    deviation (TFQ's tutorial plots the standard deviation while labelling it variance).
    McClean et al. find it decays about as 2**-n for deep enough circuits; at depth 50 the
    decay flattens beyond ~10 qubits.

    ``init="identity"`` sets every block of ``block_layers`` layers to the identity
    (Grant et al. 2019, see ``circuits.mcclean_random_values``): the variance then stays flat
    in n. In this layout the first rotation is at angle 0 with a random axis; only a y axis
    gives a nonzero gradient, -1/2, so the population variance is exactly 1/18 for every n.

    Args:
        n_qubits: one qubit count or several (each 2..20).
        depth: layers of the random circuits.
        n_circuits: random circuits per qubit count (>= 2).
        init: ``"random"`` or ``"identity"``.
        seed: base seed; each n gets its own stream derived from (seed, n).
        block_layers: identity-block size (``init="identity"`` only, even, divides depth).
        backend: ``"numpy"`` (default: the exact batched engine, issue 15), ``"tfq"`` (the
            TensorFlow Quantum path chapter 05 compares with) or ``"cirq"``; same circuits,
            same numbers up to TFQ's float32 rounding.

    Returns:
        ``{n: variance}``.

    References:
        McClean, Boixo, Smelyanskiy, Babbush, Neven, "Barren plateaus in quantum neural network
        training landscapes", Nat. Commun. 9, 4812 (2018), https://arxiv.org/abs/1803.11173;
        TFQ tutorial "Barren plateaus",
        https://www.tensorflow.org/quantum/tutorials/barren_plateaus;
        Grant, Wossnig, Ostaszewski, Benedetti, Quantum 3, 214 (2019),
        https://arxiv.org/abs/1903.05076

    Taught in chapter 05.

    >>> v = barren_plateau_variance([2, 4], depth=10, n_circuits=50, backend="numpy")
    >>> sorted(v), bool(v[2] > v[4])
    ([2, 4], True)
    """
    counts = _qubit_counts(n_qubits)
    seed = check_seed("seed", seed)
    out = {}
    for n in counts:
        g = gradient_samples(n, depth, n_circuits, _child_seed(seed, n), init=init,
                             block_layers=block_layers, backend=backend)
        out[n] = float(np.var(g, ddof=1))
    return out


def depth_dependence(
    n_qubits: int,
    depths: Iterable[int] = (1, 2, 5, 10, 20, 50),
    n_circuits: int = 200,
    seed: int | None = 0,
    *,
    backend: str = "numpy",
) -> dict[int, float]:
    """Return ``{depth: variance}`` of the first-rotation gradient at a fixed qubit count.

    Shallow random circuits are not yet random enough to show the plateau; the variance falls
    with depth and levels off near the value of a 2-design (McClean et al. 2018, Fig. 3).

    Args:
        n_qubits: qubit count (2..20).
        depths: layer counts to try.
        n_circuits: random circuits per depth.
        seed: base seed; each depth gets its own stream.
        backend: ``"numpy"`` (default), ``"tfq"`` or ``"cirq"`` (see :func:`gradient_samples`).

    Returns:
        ``{depth: variance}``.

    Taught in chapter 05.

    >>> v = depth_dependence(3, depths=(1, 10), n_circuits=100, backend="numpy")
    >>> sorted(v)
    [1, 10]
    """
    n = _qubit_counts(n_qubits)[0]
    seed = check_seed("seed", seed)
    if isinstance(depths, (str, bytes, dict)) or not np.iterable(depths):
        raise TypeError(f"depths must be a sequence of layer counts, got {depths!r:.80}")
    depths = [check_int(f"depths[{i}]", d, minimum=1, maximum=MAX_LAYERS)
              for i, d in enumerate(depths)]
    if not depths:
        raise ValueError("depths must hold at least one layer count, got an empty sequence")
    out = {}
    for d in depths:
        g = gradient_samples(n, d, n_circuits, _child_seed(seed, n, d), backend=backend)
        out[d] = float(np.var(g, ddof=1))
    return out


def fit_log2_slope(x: Any, y: Any = None) -> tuple[float, float]:
    """Least-squares line through (x, log2 y): return (slope, intercept).

    A variance that decays as 2**(-n) has slope -1 (a barren plateau); near 0 means no
    plateau. Pass ``x`` and ``y``, or one dict ``{n: variance}`` such as
    :func:`barren_plateau_variance` returns.

    Args:
      x: abscissae (e.g. qubit counts), at least two distinct values; or a dict ``{x: y}``.
      y: positive values of the same length (omit when ``x`` is a dict).

    Returns:
      ``(slope, intercept)`` of log2(y) ≈ slope * x + intercept.

    Taught in chapter 05.

    >>> slope, intercept = fit_log2_slope([2, 4, 6], [0.25, 0.0625, 0.015625])
    >>> round(slope, 9), round(intercept, 9) + 0.0
    (-1.0, 0.0)
    >>> [round(v, 9) + 0.0 for v in fit_log2_slope({2: 0.25, 4: 0.0625})]
    [-1.0, 0.0]
    """
    if isinstance(x, dict):
        if y is not None or len(x) < 2:
            raise ValueError(f"pass one dict {{x: y}} with >= 2 entries and no y, got "
                             f"{len(x)} entries and y={y!r}")
        keys = sorted(x)
        x, y = keys, [x[k] for k in keys]
    elif y is None:
        raise ValueError("y is missing: pass x and y, or one dict {x: y}")
    x = check_finite("x", as_float_array("x", x, ndim=1))
    y = check_finite("y", as_float_array("y", y, ndim=1))
    if x.shape != y.shape or np.unique(x).size < 2:
        raise ValueError(f"x and y must have the same length and x two distinct values, got "
                         f"shapes {x.shape} and {y.shape}")
    if not np.all(y > 0):
        raise ValueError(f"y must be > 0 (finite) to take log2, got {y.tolist()}")
    slope, intercept = np.polyfit(x, np.log2(y), 1)
    return float(slope), float(intercept)


# --------------------------------------------------------------------------------------------
# Global versus local cost (Cerezo et al. 2021)
# --------------------------------------------------------------------------------------------
def product_cost_gradient_samples(
    n: int, cost: str, n_samples: int = 2000, seed: int | None = 0, *, backend: str = "numpy"
) -> np.ndarray:
    """Sample ∂C/∂θ₁ for the product ansatz ⊗ⱼ ry(θⱼ)|0> with a global or local cost.

    Global cost C_G = 1 - |<0...0|ψ>|² = 1 - Πⱼ cos²(θⱼ/2); local cost
    C_L = 1 - (1/n) Σⱼ cos²(θⱼ/2) (probability of reading 0 on each qubit, averaged). The
    angles are uniform in [0, 2π). The gradient is THE parameter-shift rule applied to costs
    of simulated states (not the formula), so it can be compared with the closed form of
    :func:`product_cost_gradient_variance`.

    Args:
      n: qubits, 1..20.
      cost: ``"global"`` or ``"local"``.
      n_samples: number of random parameter vectors, >= 2.
      seed: seed of ``np.random.default_rng``.
      backend: ``"numpy"`` (exact, batched), ``"tfq"`` (TFQ's state op, float32) or ``"auto"``
        (TFQ where installed, else ``"numpy"``).

    Returns:
      Shape ``(n_samples,)``.

    References:
      Cerezo, Sone, Volkoff, Cincio, Coles (2021), "Cost function dependent barren plateaus
      in shallow parametrized quantum circuits", Nature Communications 12, 1791,
      https://arxiv.org/abs/2001.00550.

    Taught in chapter 05.

    >>> g = product_cost_gradient_samples(6, "global", n_samples=4000, seed=0)
    >>> bool(0.8 < g.var() / product_cost_gradient_variance(6, "global") < 1.2)
    True
    """
    n = check_qubits("n", n)
    check_choice("cost", cost, ("global", "local"))
    check_choice("backend", backend, ("auto", "numpy", "tfq"))
    backend = resolve_backend(backend, allowed=("auto", "tfq", "numpy"))
    n_samples = check_int("n_samples", n_samples, minimum=2, maximum=MAX_SAMPLES)
    check_array_memory("n_samples", 2 * n_samples * 16 * 2**n, f"{2 * n_samples} states")
    rng = np.random.default_rng(check_seed("seed", seed))
    theta = rng.uniform(0.0, 2.0 * np.pi, size=(n_samples, n))
    rows = np.moveaxis(shifted_parameters(theta, columns=[0]), 0, 1).reshape(-1, n)
    c_global, c_local = _costs_from_states(product_ry_states(rows, backend=backend), n)
    c = c_global if cost == "global" else c_local
    return combine_shifted(c.reshape(2, 1, n_samples).transpose(2, 0, 1))[:, 0]


def cost_gradient_variance(
    n_qubits: int | Iterable[int],
    cost: str = "global",
    n_samples: int = 400,
    seed: int | None = 0,
    *,
    backend: str = "auto",
) -> dict[int, float]:
    """Measure Var[dC/dtheta_1] for the product-RY ansatz by simulation, for each qubit count.

    The sample variance (ddof=1) of :func:`product_cost_gradient_samples` for each n, each
    with its own seed stream derived from (seed, n). Compare with
    :func:`product_cost_gradient_variance`: (1/8)(3/8)**(n-1) for the global cost, 1/(8 n²)
    for the local one.

    Args:
        n_qubits: one qubit count or several (1..20).
        cost: ``"global"`` or ``"local"``.
        n_samples: random parameter vectors per n (>= 2).
        seed: base seed; each n gets its own stream.
        backend: ``"auto"`` (default: TFQ's states where TFQ is installed, else ``"numpy"``),
          ``"tfq"`` or ``"numpy"``.

    Returns:
        ``{n: sample variance (ddof=1)}``.

    References:
        Cerezo, Sone, Volkoff, Cincio, Coles, Nat. Commun. 12, 1791 (2021),
        https://arxiv.org/abs/2001.00550

    Taught in chapter 05.

    >>> v = cost_gradient_variance([2, 6], "local", n_samples=2000, backend="numpy")
    >>> [round(v[n] * 8 * n * n, 1) for n in (2, 6)]
    [1.0, 1.0]
    """
    check_choice("cost", cost, ("global", "local"))
    if isinstance(n_qubits, Iterable) and not isinstance(n_qubits, str):
        counts = [check_qubits("n_qubits", n) for n in n_qubits]
    else:
        counts = [check_qubits("n_qubits", n_qubits)]
    seed = check_seed("seed", seed)
    return {n: float(np.var(product_cost_gradient_samples(
        n, cost, n_samples, _child_seed(seed, n), backend=backend), ddof=1)) for n in counts}


# --------------------------------------------------------------------------------------------
# Closed forms
# --------------------------------------------------------------------------------------------
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

    >>> round(haar_gradient_variance(10) * 3 * 2**10, 4)
    1.0
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

    >>> identity_init_gradient_variance() == 1 / 18
    True
    """
    return 1.0 / 18.0


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

    >>> product_cost_gradient_variance(3, "global"), product_cost_gradient_variance(2, "local")
    (0.017578125, 0.03125)
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

    >>> round(noisy_gradient_bound(1, layers_after=10, p=0.0), 6)       # sqrt(2/2)
    1.0
    >>> round(noisy_gradient_bound(1, layers_after=10, p=0.03), 6)      # 0.96**10
    0.664833
    """
    n = check_int("n", n, minimum=1, maximum=MAX_FORMULA_QUBITS)
    layers_after = check_int("layers_after", layers_after, minimum=0, maximum=MAX_LAYERS)
    p = check_positive_float("p", p, allow_zero=True)
    if p > 0.75:
        raise ValueError(f"p must be in [0, 0.75], got {p}")
    return math.sqrt(2.0**n / 2.0) * (1.0 - 4.0 * p / 3.0) ** layers_after


# --------------------------------------------------------------------------------------------
# The tutorial's code path (benchmark reference) and the loss-induced explosion
# --------------------------------------------------------------------------------------------
def _tutorial_random_qnn(
    qs: list[cirq.LineQubit], symbol: sympy.Symbol, depth: int, rng: np.random.Generator
) -> cirq.Circuit:
    """One random circuit as in TFQ's tutorial: only the first rotation is symbolic."""
    circuit = cirq.Circuit(cirq.ry(np.pi / 4)(q) for q in qs)
    for d in range(depth):
        for i, q in enumerate(qs):
            axis = rng.integers(0, 3)
            angle = symbol if (i == 0 and d == 0) else rng.uniform(0, 2 * np.pi)
            circuit.append((cirq.rx, cirq.ry, cirq.rz)[axis](angle)(q))
        circuit.append(cirq.CZ(a, b) for a, b in zip(qs, qs[1:], strict=False))
    return circuit


def barren_plateau_tutorial_style(
    n_qubits: int | Iterable[int],
    depth: int = 50,
    n_circuits: int = 200,
    seed: int | None = 0,
) -> dict[int, float]:
    """Run the same experiment the way TFQ's tutorial does: one Cirq circuit per sample.

    Every random circuit is built in Python with its random angles as numbers and only the
    first rotation symbolic, all are converted with ``tfq.convert_to_tensor`` and
    differentiated through ``tfq.layers.Expectation`` and a ``GradientTape``. Same
    statistics as ``barren_plateau_variance`` (seeded here), far slower: the benchmark
    measures the ratio.

    Args:
        n_qubits: one qubit count or several.
        depth: layers.
        n_circuits: random circuits per qubit count (>= 2).
        seed: seed of ``np.random.default_rng``.

    Returns:
        ``{n: variance}`` (ddof=1).

    References:
        TFQ tutorial "Barren plateaus", https://www.tensorflow.org/quantum/tutorials/barren_plateaus

    Taught in chapter 05.

    >>> barren_plateau_tutorial_style(4, depth=10, n_circuits=50)   # doctest: +SKIP
    {4: 0.03...}
    """
    from clipq_edu._tf import tf, tfq

    counts = _qubit_counts(n_qubits)
    depth = check_int("depth", depth, minimum=1)
    n_circuits = check_int("n_circuits", n_circuits, minimum=2)
    rng = np.random.default_rng(check_seed("seed", seed))
    symbol = sympy.Symbol("theta")
    out = {}
    for n in counts:
        qs = cirq.LineQubit.range(n)
        circuits = [_tutorial_random_qnn(qs, symbol, depth, rng) for _ in range(n_circuits)]
        values = tf.convert_to_tensor(rng.uniform(0, 2 * np.pi, (n_circuits, 1)), tf.float32)
        layer = tfq.layers.Expectation()
        with tf.GradientTape() as tape:
            tape.watch(values)
            f = layer(tfq.convert_to_tensor(circuits), operators=_zz(n),
                      symbol_names=[symbol], symbol_values=values)
        grads = tape.gradient(f, values).numpy().ravel()
        out[n] = float(np.var(grads.astype(np.float64), ddof=1))
    return out


def bce_gradient_vs_theta(thetas: Any) -> dict[str, np.ndarray]:
    """Losses and their theta-derivatives for a one-qubit classifier ry(theta)|0>, label 1.

    The model outputs p = P(0) = cos^2(theta/2) = (1 + <Z>)/2 with <Z> = cos(theta).

    * binary cross-entropy on p: L = -log p = -2 log cos(theta/2), dL/dtheta = tan(theta/2),
      unbounded as theta -> pi (p -> 0): the loss, not the circuit, makes the gradient explode;
    * MSE on <Z> with target +1: L = (1 - cos theta)^2, dL/dtheta = 2 (1 - cos theta) sin theta,
      bounded by 3 sqrt(3)/2 (``MSE_GRAD_BOUND``, at theta = 2 pi/3);
    * MSE on p with target 1: L = (1 - p)^2, dL/dtheta = (1 - p) sin theta, bounded by
      3 sqrt(3)/8 (``MSE_P_GRAD_BOUND``);
    * hinge on <Z> with label +1: L = max(0, 1 - cos theta) = 1 - cos theta,
      dL/dtheta = sin theta, bounded by 1.

    The circuit gradient itself is bounded: |d<Z>/dtheta| = |sin theta| <= 1 = ||Z||.

    Args:
        thetas: angles in radians (any shape, finite).

    Returns:
        Dict with ``theta``, ``p``, ``z`` and for each loss name in ("bce", "mse", "mse_p",
        "hinge") the loss under that name and its derivative under ``"d" + name``. At
        theta = pi exactly, BCE is +inf and its derivative +-inf-like huge (tan(pi/2) in
        floating point is 1.6e16): that is the explosion, not a bug.

    Taught in chapter 03.

    >>> out = bce_gradient_vs_theta([np.pi / 2, 3.0])
    >>> out["dbce"].round(3).tolist(), out["dhinge"].round(3).tolist()
    ([1.0, 14.101], [1.0, 0.141])
    """
    theta = check_finite("thetas", as_float_array("thetas", thetas))
    p = np.cos(theta / 2) ** 2
    z = np.cos(theta)
    with np.errstate(divide="ignore"):
        bce = -np.log(p)
    return {
        "theta": theta,
        "p": p,
        "z": z,
        "bce": bce,
        "dbce": np.tan(theta / 2),
        "mse": (1 - z) ** 2,
        "dmse": 2 * (1 - z) * np.sin(theta),
        "mse_p": (1 - p) ** 2,
        "dmse_p": (1 - p) * np.sin(theta),
        "hinge": np.maximum(0.0, 1 - z),
        "dhinge": np.sin(theta),
    }


def _costs_from_states(states: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Global and local cost of each state (rows of [B, 2**n], q0 = most significant bit)."""
    probs = np.abs(states) ** 2
    c_global = 1.0 - probs[:, 0]
    p = probs.reshape(-1, *([2] * n))
    p_zero = np.stack([p.take(0, axis=j + 1).reshape(len(p), -1).sum(axis=1)
                       for j in range(n)], axis=1)
    c_local = 1.0 - p_zero.mean(axis=1)
    return c_global, c_local
