"""Experiments of chapter 05 (and 03): barren plateaus, global vs local costs, loss explosion.

The barren-plateau experiment follows McClean et al. (2018) and TensorFlow Quantum's tutorial,
but builds ONE symbolic circuit per qubit count (``circuits.mcclean_random_circuit``) and feeds
all random circuits as one ``[batch, n_symbols]`` value array: TFQ converts one circuit
instead of hundreds, which is what makes the tutorial's setting run in seconds
(``barren_plateau_tutorial_style`` reproduces the slow way for comparison).

>>> from clipq_edu.experiments import bce_gradient_vs_theta
>>> import numpy as np
>>> out = bce_gradient_vs_theta(np.array([np.pi / 2]))
>>> round(float(out["dbce"][0]), 6)   # tan(pi/4)
1.0
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import cirq
import numpy as np
import sympy

from clipq_edu._validate import (
    as_float_array,
    check_choice,
    check_finite,
    check_int,
    check_qubits,
    check_seed,
)
from clipq_edu.circuits import mcclean_random_circuit, mcclean_random_values
from clipq_edu.noise import fit_log2_slope, product_cost_gradient_variance

__all__ = [
    "HINGE_GRAD_BOUND",
    "MSE_GRAD_BOUND",
    "MSE_P_GRAD_BOUND",
    "barren_plateau_tutorial_style",
    "barren_plateau_variance",
    "bce_gradient_vs_theta",
    "cost_gradient_variance",
    "depth_dependence",
    "fit_decay_rate",
    "global_cost_variance_closed_form",
    "local_cost_variance_closed_form",
]

#: max over theta of |d/dtheta (1 - cos theta)^2| = 3 sqrt(3)/2, reached at theta = 2 pi/3.
MSE_GRAD_BOUND = 3 * np.sqrt(3) / 2
#: max over theta of |d/dtheta (1 - cos^2(theta/2))^2| = 3 sqrt(3)/8 (MSE on p, theta = 2 pi/3).
MSE_P_GRAD_BOUND = 3 * np.sqrt(3) / 8
#: max over theta of |d/dtheta max(0, 1 - cos theta)| = 1.
HINGE_GRAD_BOUND = 1.0


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


@functools.lru_cache(maxsize=16)
def _mcclean(n: int, depth: int) -> tuple[cirq.Circuit, list[str]]:
    circuit, table = mcclean_random_circuit(n, depth)
    return circuit, [s.name for s in table.ravel()]


def _zz(n: int) -> cirq.PauliSum:
    q = cirq.LineQubit.range(n)
    return cirq.PauliSum.from_pauli_strings([cirq.Z(q[0]) * cirq.Z(q[1])])


def _first_rotation_gradients(
    n: int, depth: int, n_circuits: int, init: str, seed: int | None,
    block_layers: int | None = None,
) -> np.ndarray:
    """d<Z0 Z1>/d(first rotation) for ``n_circuits`` random circuits: one batched TFQ call."""
    from clipq_edu.measurement import _expect_tfq

    circuit, names = _mcclean(n, depth)
    values, first = mcclean_random_values(n, depth, n_circuits, seed=seed, init=init,
                                          block_layers=block_layers)
    rows = np.arange(n_circuits)
    plus, minus = values.copy(), values.copy()
    plus[rows, first] += np.pi / 2  # every McClean rotation is rx/ry/rz: shift pi/2, factor 1/2
    minus[rows, first] -= np.pi / 2
    f = _expect_tfq(circuit, names, np.concatenate([plus, minus]), [_zz(n)])[:, 0]
    return 0.5 * (f[:n_circuits] - f[n_circuits:])


def barren_plateau_variance(
    n_qubits: int | Iterable[int],
    depth: int = 50,
    n_circuits: int = 200,
    init: str = "random",
    seed: int | None = 0,
    block_layers: int | None = None,
) -> dict[int, float]:
    """Return the variance of d<Z0 Z1>/d theta_1 over random circuits, for each qubit count.

    For each n: one symbolic McClean circuit (ry(pi/4) layer, then ``depth`` layers of random
    Pauli rotations and a CZ ladder), ``n_circuits`` random circuits as values, and the exact
    parameter-shift gradient with respect to the first rotation (layer 0, qubit 0) evaluated
    at a random angle; all 2 * n_circuits evaluations go in one TFQ call. The sample variance
    (ddof=1) is returned, not the standard deviation (TFQ's tutorial plots the standard
    deviation while labelling it variance). McClean et al. find it decays about as 2**-n for
    deep enough circuits; at depth 50 the decay flattens beyond ~10 qubits.

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
    """
    counts = _qubit_counts(n_qubits)
    depth = check_int("depth", depth, minimum=1)
    n_circuits = check_int("n_circuits", n_circuits, minimum=2)
    check_choice("init", init, ("random", "identity"))
    seed = check_seed("seed", seed)
    out = {}
    for n in counts:
        g = _first_rotation_gradients(n, depth, n_circuits, init, _child_seed(seed, n),
                                      block_layers)
        out[n] = float(np.var(g, ddof=1))
    return out


def depth_dependence(
    n_qubits: int,
    depths: Iterable[int] = (1, 2, 5, 10, 20, 50),
    n_circuits: int = 200,
    seed: int | None = 0,
) -> dict[int, float]:
    """Return ``{depth: variance}`` of the first-rotation gradient at a fixed qubit count.

    Shallow random circuits are not yet random enough to show the plateau; the variance falls
    with depth and levels off near the value of a 2-design (McClean et al. 2018, Fig. 3).

    Args:
        n_qubits: qubit count (2..20).
        depths: layer counts to try.
        n_circuits: random circuits per depth.
        seed: base seed; each depth gets its own stream.

    Returns:
        ``{depth: variance}``.

    Taught in chapter 05.
    """
    n = _qubit_counts(n_qubits)[0]
    n_circuits = check_int("n_circuits", n_circuits, minimum=2)
    seed = check_seed("seed", seed)
    out = {}
    for d in depths:
        d = check_int("depth", d, minimum=1)
        g = _first_rotation_gradients(n, d, n_circuits, "random", _child_seed(seed, n, d))
        out[d] = float(np.var(g, ddof=1))
    return out


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


def fit_decay_rate(variances: dict[int, float]) -> tuple[float, float]:
    """Fit log2(variance) = slope * n + intercept by least squares.

    A slope near -1 is the 2**-n decay of a barren plateau; near 0 means no plateau.

    Args:
        variances: ``{n: variance}`` with at least two entries, all variances > 0.

    Returns:
        ``(slope, intercept)``.

    Taught in chapter 05.
    """
    if not isinstance(variances, dict) or len(variances) < 2:
        raise ValueError(f"variances must be a dict {{n: variance}} with >= 2 entries, got "
                         f"{variances!r}")
    ns = sorted(variances)
    return fit_log2_slope(ns, [variances[k] for k in ns])


# --------------------------------------------------------------------------------------------
# Global versus local cost (Cerezo et al. 2021)
# --------------------------------------------------------------------------------------------
def global_cost_variance_closed_form(n: int) -> float:
    """Return Var[dC_G/dtheta_1] = (1/8) (3/8)**(n-1) for the product-RY ansatz.

    C_G = 1 - prod_j cos^2(theta_j/2) (one minus the probability of all zeros),
    theta_j i.i.d. uniform on [0, 2 pi). dC_G/dtheta_1 = (1/2) sin(theta_1) prod_{j>1}
    cos^2(theta_j/2) has mean 0; E[sin^2/4] = 1/8 and E[cos^4(theta/2)] = 3/8, so the
    variance is (1/8)(3/8)**(n-1): exponentially small in n although the circuit has depth 1.

    Args:
        n: number of qubits (>= 1).

    Returns:
        The variance.

    References:
        Cerezo, Sone, Volkoff, Cincio, Coles, "Cost function dependent barren plateaus in
        shallow parametrized quantum circuits", Nat. Commun. 12, 1791 (2021),
        https://arxiv.org/abs/2001.00550

    Taught in chapter 05.
    """
    return product_cost_gradient_variance(n, "global")


def local_cost_variance_closed_form(n: int) -> float:
    """Return Var[dC_L/dtheta_1] = 1/(8 n**2) for the product-RY ansatz.

    C_L = 1 - (1/n) sum_j cos^2(theta_j/2); dC_L/dtheta_1 = sin(theta_1)/(2n), whose variance
    is (1/(4 n^2)) E[sin^2] = 1/(8 n^2): only polynomially small.

    Args:
        n: number of qubits (>= 1).

    Returns:
        The variance.

    References:
        Cerezo et al. (2021), https://arxiv.org/abs/2001.00550

    Taught in chapter 05.
    """
    return product_cost_gradient_variance(n, "local")


@functools.lru_cache(maxsize=16)
def _product_ry(n: int) -> tuple[cirq.Circuit, list[str]]:
    qs = cirq.LineQubit.range(n)
    syms = [sympy.Symbol(f"theta_{j}") for j in range(n)]
    return cirq.Circuit(cirq.ry(s)(q) for s, q in zip(syms, qs, strict=True)), [
        s.name for s in syms
    ]


def _costs_from_states(states: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Global and local cost of each state (rows of [B, 2**n], q0 = most significant bit)."""
    probs = np.abs(states) ** 2
    c_global = 1.0 - probs[:, 0]
    p = probs.reshape(-1, *([2] * n))
    p_zero = np.stack([p.take(0, axis=j + 1).reshape(len(p), -1).sum(axis=1)
                       for j in range(n)], axis=1)
    c_local = 1.0 - p_zero.mean(axis=1)
    return c_global, c_local


def cost_gradient_variance(
    n_qubits: int | Iterable[int],
    cost: str = "global",
    n_samples: int = 400,
    seed: int | None = 0,
) -> dict[int, float]:
    """Measure Var[dC/dtheta_1] for the product-RY ansatz by simulation (TFQ states).

    The circuit is ry(theta_j) on each qubit, theta_j uniform on [0, 2 pi). The costs are
    C_G = 1 - P(all qubits 0) = 1 - prod_j cos^2(theta_j/2) and
    C_L = 1 - (1/n) sum_j P(qubit j is 0) = 1 - (1/n) sum_j cos^2(theta_j/2). The gradient is
    the parameter-shift difference of simulated costs; compare with
    ``global_cost_variance_closed_form`` and ``local_cost_variance_closed_form``.

    Args:
        n_qubits: one qubit count or several (1..20).
        cost: ``"global"`` or ``"local"``.
        n_samples: random parameter vectors per n (>= 2).
        seed: base seed; each n gets its own stream.

    Returns:
        ``{n: sample variance (ddof=1)}``.

    References:
        Cerezo, Sone, Volkoff, Cincio, Coles, Nat. Commun. 12, 1791 (2021),
        https://arxiv.org/abs/2001.00550

    Taught in chapter 05.
    """
    from clipq_edu._tf import tf, tfq
    from clipq_edu.measurement import _program_tensor

    check_choice("cost", cost, ("global", "local"))
    if isinstance(n_qubits, Iterable) and not isinstance(n_qubits, str):
        counts = [check_qubits("n_qubits", n) for n in n_qubits]
    else:
        counts = [check_qubits("n_qubits", n_qubits)]
    n_samples = check_int("n_samples", n_samples, minimum=2)
    seed = check_seed("seed", seed)
    out = {}
    for n in counts:
        circuit, names = _product_ry(n)
        rng = np.random.default_rng(_child_seed(seed, n))
        theta = rng.uniform(0, 2 * np.pi, (n_samples, n))
        plus, minus = theta.copy(), theta.copy()
        plus[:, 0] += np.pi / 2
        minus[:, 0] -= np.pi / 2
        rows = np.concatenate([plus, minus])
        states = tfq.get_state_op()(
            tf.tile(_program_tensor(circuit), [len(rows)]),
            tf.constant(names, dtype=tf.string),
            tf.constant(rows, dtype=tf.float32),
        ).numpy()
        c_global, c_local = _costs_from_states(states.astype(np.complex128), n)
        c = c_global if cost == "global" else c_local
        grad = 0.5 * (c[:n_samples] - c[n_samples:])
        out[n] = float(np.var(grad, ddof=1))
    return out


# --------------------------------------------------------------------------------------------
# Loss-induced gradient explosion (analytic)
# --------------------------------------------------------------------------------------------
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
