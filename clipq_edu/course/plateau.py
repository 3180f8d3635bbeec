"""Training on a barren plateau: a global against a local cost, from shots (chapter 05).

The circuit is the depth-1 product ansatz of Cerezo, Sone, Volkoff, Cincio and Coles (2021),
"Cost function dependent barren plateaus in shallow parametrized quantum circuits": ``rx(θ_j)``
on each qubit of ``|0…0⟩``, so qubit j reads 0 with probability ``p_j = cos²(θ_j/2)``. Two costs
with the same minimum (all θ_j = 0):

* global, ``C_G = 1 − Π_j p_j`` (the probability of not reading all zeros);
* local, ``C_L = 1 − (1/n) Σ_j p_j`` (the mean probability of a qubit not reading 0).

On hardware both are estimated from shots: every shot measures all qubits, ``C_G`` from the
fraction of all-zero bitstrings, ``C_L`` from each qubit's fraction of zeros. Gradients come
from THE parameter-shift rule (:mod:`clipq_edu.quantum.gradients`), each shifted cost from THE
shot sampler (:mod:`clipq_edu.quantum.sampling`), and the update from the course's shot-based
optimiser (Adam after clipping, :class:`clipq_edu.training.shots.ShotBasedOptimizer`).

Taught in chapter 05.

>>> import numpy as np
>>> float(product_cost(np.zeros(3), "global")), float(product_cost(np.full(2, np.pi), "local"))
(0.0, 1.0)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from clipq_edu._validate import (
    as_float_array,
    check_choice,
    check_finite,
    check_int,
    check_positive_float,
    check_seed,
)
from clipq_edu.quantum.gradients import combine_shifted, shifted_parameters
from clipq_edu.quantum.sampling import sample_pauli_means

__all__ = ["COSTS", "landscape_cut", "product_cost", "shot_cost", "shot_gradient",
           "train_product_ansatz"]

COSTS = ("global", "local")
MAX_QUBITS = 30


def _angles(name: str, value: Any, *, shape: tuple[int, ...] | None = None) -> np.ndarray:
    arr = check_finite(name, as_float_array(name, value))
    if arr.ndim == 0 or arr.shape[-1] == 0:
        raise ValueError(f"{name} must hold one angle per qubit (last axis), got shape {arr.shape}")
    if arr.shape[-1] > MAX_QUBITS:
        raise ValueError(f"{name} has {arr.shape[-1]} qubits on its last axis; at most {MAX_QUBITS}")
    if shape is not None and arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
    return arr


def _check_rng(rng: Any) -> np.random.Generator:
    """The caller's ``np.random.Generator`` (its stream continues), else a named TypeError."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator (np.random.default_rng(seed)), got "
                        f"{type(rng).__name__}")
    return rng


def _zero_probabilities(theta: np.ndarray) -> np.ndarray:
    return np.cos(theta / 2.0) ** 2


def product_cost(theta: Any, cost: str) -> np.ndarray:
    """Exact global or local cost of the product ansatz at angles ``theta`` (last axis: qubits).

    Args:
      theta: angles, shape (..., n), finite.
      cost: ``"global"`` or ``"local"``.

    Returns:
      The cost for each row, shape ``theta.shape[:-1]``.
    """
    theta = _angles("theta", theta)
    cost = check_choice("cost", cost, COSTS)
    p = _zero_probabilities(theta)
    return 1.0 - (p.prod(axis=-1) if cost == "global" else p.mean(axis=-1))


def landscape_cut(n_qubits: int, cost: str, angles: Any, seed: int = 0) -> np.ndarray:
    """The exact cost along θ_1 with the other n − 1 angles fixed at random values from ``seed``.

    Along θ_1 the global cost swings by Π_{j>1} p_j (about 2^{1−n} on average), the local cost
    by 1/n: the picture of a barren plateau against a landscape that stays trainable.

    >>> cut = landscape_cut(2, "local", [0.0, np.pi], seed=0)
    >>> bool(cut[1] - cut[0] == 0.5)
    True
    """
    n_qubits = check_int("n_qubits", n_qubits, minimum=1, maximum=MAX_QUBITS)
    angles = check_finite("angles", as_float_array("angles", angles, ndim=1))
    rest = np.random.default_rng(check_seed("seed", seed)).uniform(0, 2 * np.pi, n_qubits - 1)
    theta = np.column_stack([angles, np.broadcast_to(rest, (len(angles), n_qubits - 1))])
    return product_cost(theta, cost)


def shot_cost(theta: Any, cost: str, shots: int, rng: np.random.Generator) -> np.ndarray:
    """The cost estimated from ``shots`` measurements of every qubit, for each row of ``theta``.

    The global cost counts all-zero bitstrings: a ±1 observable with mean ``2·Πp_j − 1``. The
    local cost averages each qubit's own count (the qubits of a product state are independent).
    """
    theta = _angles("theta", theta)
    cost = check_choice("cost", cost, COSTS)
    shots = check_int("shots", shots, minimum=1, maximum=10**9)
    _check_rng(rng)
    p = _zero_probabilities(theta)
    if cost == "global":
        mean = sample_pauli_means(2.0 * p.prod(axis=-1) - 1.0, shots, seed=rng)
        return 1.0 - (mean + 1.0) / 2.0
    means = sample_pauli_means(2.0 * p - 1.0, shots, seed=rng)
    return 1.0 - ((means + 1.0) / 2.0).mean(axis=-1)


def shot_gradient(theta: Any, cost: str, shots: int, rng: np.random.Generator) -> np.ndarray:
    """Parameter-shift gradient of the cost at ``theta`` (shape (n,)), each term from shots.

    2n shifted circuits, ``shots`` measurements each: the cost of a gradient on hardware.
    """
    theta = _angles("theta", theta)
    if theta.ndim != 1:
        raise ValueError(f"theta must be 1-D (one angle per qubit), got shape {theta.shape}")
    _check_rng(rng)
    rows = shifted_parameters(theta)  # (2, n, n): +shift rows, then -shift rows
    return combine_shifted(shot_cost(rows, cost, shots, rng))


def train_product_ansatz(
    n_qubits: int = 8,
    cost: str = "global",
    *,
    steps: int = 100,
    shots: int = 200,
    learning_rate: float = 0.1,
    clip: Any = ("global_norm", 1.0),
    init: Any = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Train the product ansatz on ``cost`` from shots, with clipping and Adam.

    Args:
      n_qubits: qubits n, 1..30.
      cost: ``"global"`` or ``"local"``.
      steps: optimisation steps, 1..10000.
      shots: measurements per shifted circuit, >= 1.
      learning_rate: Adam's step size, > 0.
      clip: clipping spec for the optimiser (``None`` for none).
      init: initial angles (n,); ``None`` draws them uniformly in [0, 2π) from ``seed``, so the
        two costs start from the same angles when given the same seed.
      seed: seed of the initial angles and of every shot.

    Returns:
      ``{"cost": exact cost before each step and after the last (steps + 1,),
      "grad_norm": norm of each shot-based gradient before clipping (steps,),
      "theta": final angles}``.
    """
    from clipq_edu.training.shots import ShotBasedOptimizer

    n_qubits = check_int("n_qubits", n_qubits, minimum=1, maximum=MAX_QUBITS)
    cost = check_choice("cost", cost, COSTS)
    steps = check_int("steps", steps, minimum=1, maximum=10_000)
    learning_rate = check_positive_float("learning_rate", learning_rate)
    rng = np.random.default_rng(check_seed("seed", seed))
    theta = rng.uniform(0.0, 2.0 * np.pi, n_qubits) if init is None else \
        _angles("init", init, shape=(n_qubits,)).copy()
    opt = ShotBasedOptimizer(learning_rate, clip=clip, seed=seed, nonfinite="skip")
    costs, norms = [float(product_cost(theta, cost))], []
    for _ in range(steps):
        g = shot_gradient(theta, cost, shots, rng)
        norms.append(float(np.linalg.norm(g)))
        theta = opt.update(theta, g)
        costs.append(float(product_cost(theta, cost)))
    return {"cost": np.array(costs), "grad_norm": np.array(norms), "theta": theta}
