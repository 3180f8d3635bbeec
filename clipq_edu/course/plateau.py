"""Training on a barren plateau from shots: global vs local cost, random vs identity start.

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

:func:`train_deep_circuit` trains the deep McClean circuit of the chapter
(:func:`clipq_edu.quantum.circuits.mcclean_random_circuit`, every rotation trainable) from
shots, once from random angles and once from identity blocks (Grant et al. 2019): the same
circuit, cost, optimiser, learning rate, steps and shots; only the initial angles differ.

Taught in chapter 05.

>>> import numpy as np
>>> float(product_cost(np.zeros(3), "global")), float(product_cost(np.full(2, np.pi), "local"))
(0.0, 1.0)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from clipq_edu._validate import (
    as_float_array,
    check_choice,
    check_finite,
    check_int,
    check_positive_float,
    check_seed,
    check_shots,
)
from clipq_edu.quantum.gradients import combine_shifted, shifted_parameters
from clipq_edu.quantum.sampling import sample_pauli_means
from clipq_edu.training import optim
from clipq_edu.training.telemetry import Telemetry, TelemetryRecorder

__all__ = ["COSTS", "DEEP_INITS", "DeepCircuitRun", "ProductAnsatzRun",
           "deep_start_gradient_norm", "landscape_cut", "measured_zz_means", "product_cost",
           "shot_cost", "shot_gradient", "train_deep_circuit", "train_product_ansatz"]

COSTS = ("global", "local")
MAX_QUBITS = 30
#: The Telemetry columns the runs below copy from their recorder.
_TELEMETRY_FIELDS = ("loss", "norm_before", "norm_after", "clipped", "skipped", "threshold",
                     "epoch", "clip")


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


@dataclass
class ProductAnsatzRun(Telemetry):
    """Trajectory of :func:`train_product_ansatz`: a :class:`Telemetry` plus the exact cost.

    The :class:`Telemetry` columns, one row a step: ``loss`` is the exact cost before the step,
    ``norm_before`` the norm of the shot-based gradient, ``norm_after`` the norm applied (after
    clipping), ``skipped`` a step whose gradient held NaN/Inf.

    Attributes (besides those columns):
      exact_loss: ``(steps + 1,)`` exact cost before each step and after the last.
      theta: final angles ``(n_qubits,)``.

    Taught in chapter 05.
    """

    exact_loss: Any = None
    theta: Any = None

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("exact_loss", "theta"):
            arr = np.array(getattr(self, name), dtype=np.float64).reshape(-1)
            arr.setflags(write=False)
            setattr(self, name, arr)


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
) -> ProductAnsatzRun:
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
      A :class:`ProductAnsatzRun`: ``exact_loss`` is the exact cost before each step and
      after the last (steps + 1,), ``norm_before`` the norm of each shot-based gradient
      before clipping (steps,), ``theta`` the final angles.

    Taught in chapter 05.

    >>> run = train_product_ansatz(3, "local", steps=5, shots=50, seed=0)
    >>> run.steps, run.exact_loss.shape, bool(run.exact_loss[-1] < run.exact_loss[0])
    (5, (6,), True)
    """
    from clipq_edu.training.loop import describe_clip
    from clipq_edu.training.shots import ShotBasedOptimizer

    n_qubits = check_int("n_qubits", n_qubits, minimum=1, maximum=MAX_QUBITS)
    cost = check_choice("cost", cost, COSTS)
    steps = check_int("steps", steps, minimum=1, maximum=10_000)
    learning_rate = check_positive_float("learning_rate", learning_rate)
    rng = np.random.default_rng(check_seed("seed", seed))
    theta = rng.uniform(0.0, 2.0 * np.pi, n_qubits) if init is None else \
        _angles("init", init, shape=(n_qubits,)).copy()
    opt = ShotBasedOptimizer(learning_rate, clip=clip, seed=seed, nonfinite="skip")
    rec = TelemetryRecorder(clip=describe_clip(clip))
    costs = [float(product_cost(theta, cost))]
    for _ in range(steps):
        g = shot_gradient(theta, cost, shots, rng)
        theta = opt.update(theta, g)
        last = opt.last
        rec.record(costs[-1], norm_before=float(np.linalg.norm(g)),
                   norm_after=last["norm_after"], clipped=last["clipped"],
                   skipped=last["skipped"], threshold=last["threshold"])
        costs.append(float(product_cost(theta, cost)))
    tel = rec.finish()
    return ProductAnsatzRun(**{k: getattr(tel, k) for k in _TELEMETRY_FIELDS},
                            exact_loss=costs, theta=theta)


# --------------------------------------------------------------------------------------------
# A deep circuit trained from a random start and from identity blocks (issue 14)
# --------------------------------------------------------------------------------------------
#: Initialisations of :func:`train_deep_circuit`.
DEEP_INITS = ("random", "identity")
DEEP_OPTIMIZERS = tuple(optim.OPTIMIZERS)
DEEP_OBSERVABLES = ("zz", "z0")
MAX_DEEP_QUBITS = 12
MAX_DEEP_DEPTH = 100
MAX_DEEP_STEPS = 1000


@dataclass
class DeepCircuitRun(Telemetry):
    """Trajectory of :func:`train_deep_circuit`: a :class:`Telemetry` plus exact quantities.

    The :class:`Telemetry` columns hold what the learner sees, one row a step: ``loss`` is the
    cost estimated from ``shots`` measurements before the step, ``norm_before`` the norm of the
    shot-based gradient, ``norm_after`` the norm applied (after clipping).

    Attributes (besides those columns):
      exact_loss: ``(steps + 1,)`` exact cost (state vector, no shots) before each step and
        after the last.
      exact_grad_norm: ``(steps,)`` norm of the exact parameter-shift gradient before each step.
      noise_norm: ``(steps,)`` the shot-noise level: the root-mean-square norm of the
        difference between the shot-based and the exact gradient, from the exact variances
        (1 − f²)/shots of the 2P shifted terms.
      theta: final angles ``(3 * depth * n_qubits,)`` in the order of
        ``mcclean_random_circuit(...)[1].ravel()``.
      settings: the arguments of the run.
    """

    exact_loss: Any = None
    exact_grad_norm: Any = None
    noise_norm: Any = None
    theta: Any = None
    settings: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("exact_loss", "exact_grad_norm", "noise_norm", "theta"):
            arr = np.array(getattr(self, name), dtype=np.float64).reshape(-1)
            arr.setflags(write=False)
            setattr(self, name, arr)
        self.settings = dict(self.settings)


def _deep_start(n: int, depth: int, init: str, seed: int | None) -> np.ndarray:
    """Initial angles: uniform in [0, 2π) for every rotation, or one identity block."""
    if init == "identity":
        from clipq_edu.quantum.circuits import mcclean_random_values

        return mcclean_random_values(n, depth, 1, seed=seed, init="identity")[0][0]
    return np.random.default_rng(seed).uniform(0.0, 2.0 * np.pi, 3 * depth * n)


def _deep_exact(theta: np.ndarray, n: int, depth: int, observable: str,
                shifts: bool = True) -> tuple[float, np.ndarray]:
    """Exact cost at ``theta`` and at its 2P parameter-shifted rows ``(2, P)``, in one batch
    of THE simulator (:func:`clipq_edu.quantum.simulate.mcclean_expectation`).
    ``shifts=False`` evaluates ``theta`` alone."""
    from clipq_edu.quantum.simulate import mcclean_expectation

    rows = theta[None]
    if shifts:
        rows = np.vstack([rows, shifted_parameters(theta).reshape(-1, theta.size)])
    f = mcclean_expectation(rows, n_qubits=n, depth=depth, observable=observable)
    return float(f[0]), f[1:].reshape(2, -1)


def _deep_check(n_qubits: Any, depth: Any, init: Any, steps: Any, shots: Any,
                learning_rate: Any, optimizer: Any, observable: Any,
                seed: Any) -> tuple[int, int, int, int, float, int | None]:
    from clipq_edu._validate import check_array_memory

    n = check_int("n_qubits", n_qubits, minimum=2, maximum=MAX_DEEP_QUBITS)
    depth = check_int("depth", depth, minimum=4, maximum=MAX_DEEP_DEPTH)
    if depth % 2:
        raise ValueError(f"depth must be even (init='identity' needs one identity block of "
                         f"depth layers, and both starts use the same circuit), got {depth}")
    check_choice("init", init, DEEP_INITS)
    check_choice("optimizer", optimizer, DEEP_OPTIMIZERS)
    check_choice("observable", observable, DEEP_OBSERVABLES)
    steps = check_int("steps", steps, minimum=1, maximum=MAX_DEEP_STEPS)
    shots = check_shots("shots", shots)
    learning_rate = check_positive_float("learning_rate", learning_rate)
    seed = check_seed("seed", seed, maximum=2**63 - 1)
    check_array_memory("n_qubits", (6 * depth * n + 1) * 2**n * 8,
                       f"{6 * depth * n + 1} states of {n} qubits per step")
    return n, depth, steps, shots, learning_rate, seed


def train_deep_circuit(
    n_qubits: int = 10,
    depth: int = 20,
    *,
    init: str = "random",
    steps: int = 10,
    shots: int = 100,
    learning_rate: float = 0.1,
    optimizer: str = "sgd",
    clip: Any = None,
    observable: str = "zz",
    seed: int | None = 0,
) -> DeepCircuitRun:
    """Minimise ⟨Z0 Z1⟩ of the deep McClean circuit from shots, from a random or identity start.

    The circuit is ``mcclean_random_circuit(n_qubits, depth)`` with all 3·depth·n rotations
    trainable. ``init="random"`` draws every angle uniformly in [0, 2π);
    ``init="identity"`` starts from one identity block (``mcclean_random_values(...,
    init="identity")``, Grant et al. 2019), so the state starts as ry(π/4) on every qubit. Each
    step estimates the cost and every term of the parameter-shift gradient from ``shots``
    measurements (THE sampler), clips the gradient (``clip``) and updates the angles: plain
    gradient descent (``"sgd"``, which moves in proportion to the gradient, so a plateau
    slows it) or THE Adam (``"adam"``, scale-invariant). The exact cost and gradient come from
    the same state vectors, for the record only; the learner never sees them.

    Args:
      n_qubits: qubits, 2..12.
      depth: layers, even, 4..100 (the same circuit for both starts).
      init: ``"random"`` or ``"identity"``.
      steps: optimisation steps, 1..1000.
      shots: measurements per circuit (the cost and each of the 2P shifted terms), >= 1.
      learning_rate: step size η, > 0.
      optimizer: ``"sgd"`` or ``"adam"``.
      clip: clipping spec applied to the shot-based gradient (``None``: none), see
        :func:`clipq_edu.clipping.from_spec`.
      observable: ``"zz"`` (Z0 Z1, minimum −1) or ``"z0"`` (Z on qubit 0, minimum −1).
      seed: seed of the initial angles and, through its own stream, of every shot.

    Returns:
      A :class:`DeepCircuitRun`. Same arguments, same numbers.

    Taught in chapter 05.

    >>> run = train_deep_circuit(3, 4, init="identity", steps=2, shots=50, seed=1)
    >>> round(float(run.exact_loss[0]), 6), run.steps   # ry(π/4)⊗ry(π/4): cos²(π/4)
    (0.5, 2)
    """
    from clipq_edu.clipping import KerasClip, from_spec
    from clipq_edu.training.loop import describe_clip

    n, depth, steps, shots, learning_rate, seed = _deep_check(
        n_qubits, depth, init, steps, shots, learning_rate, optimizer, observable, seed)
    clipper = from_spec(clip)
    if isinstance(clipper, KerasClip):
        raise ValueError("clip=('keras', ...) needs a Keras optimizer; use ('global_norm', c) etc.")
    theta = _deep_start(n, depth, init, seed)
    rng = np.random.default_rng(None if seed is None else [seed, 1])  # the shots' own stream
    opt = optim.optimizer(optimizer)  # θ − η·g (SGD) or THE Adam
    rec, exact, state = TelemetryRecorder(clip=describe_clip(clip)), [], opt.init(theta)
    for _ in range(steps):
        f0, shifted = _deep_exact(theta, n, depth, observable)
        estimate = sample_pauli_means(np.concatenate([[f0], shifted.ravel()]), shots, seed=rng)
        g = combine_shifted(estimate[1:].reshape(shifted.shape))
        clipped, info = clipper(g, theta)
        updates, state = opt.update(np.asarray(clipped, dtype=np.float64), state,
                                    learning_rate=learning_rate)
        theta = theta + updates
        exact.append(f0)
        rec.record(float(estimate[0]), info,
                   exact_grad_norm=float(np.linalg.norm(combine_shifted(shifted))),
                   noise_norm=float(np.sqrt((1.0 - shifted**2).sum() / (4.0 * shots))))
    exact.append(_deep_exact(theta, n, depth, observable, shifts=False)[0])  # the final cost
    tel = rec.finish()
    settings = {"n_qubits": n, "depth": depth, "init": init, "steps": steps, "shots": shots,
                "learning_rate": learning_rate, "optimizer": optimizer, "clip": tel.clip,
                "observable": observable, "seed": seed}
    return DeepCircuitRun(
        **{k: getattr(tel, k) for k in _TELEMETRY_FIELDS},
        exact_loss=exact, exact_grad_norm=tel.extra["exact_grad_norm"],
        noise_norm=tel.extra["noise_norm"], theta=theta, settings=settings)


def deep_start_gradient_norm(n_qubits: int, depth: int = 20, *, init: str = "random",
                             seed: int | None = 0) -> float:
    """Exact norm ‖∇C‖ of the gradient of ⟨Z0 Z1⟩ at the starting angles of the deep circuit.

    The same circuit and starting angles as :func:`train_deep_circuit` (every one of the
    P = 3·depth·n rotations trainable), differentiated exactly with THE parameter-shift rule
    on state vectors: no shots. For random angles each component has a variance of order the
    2-design value ``haar_gradient_variance(n)`` ≈ 2⁻ⁿ/3 once the circuit is deep enough, so
    ‖∇C‖ ≈ √(P · 2⁻ⁿ/3): the *norm* falls like 2^(−n/2) (the variance like 2⁻ⁿ). From identity
    blocks it stays of order 1 for every n.

    Args:
      n_qubits: qubits, 2..12.
      depth: layers, even, 4..100.
      init: ``"random"`` or ``"identity"``.
      seed: seed of the initial angles (the same as :func:`train_deep_circuit`'s).

    Returns:
      ‖∇C‖ at the start, a float.

    References:
      McClean et al. (2018), Nature Communications 9, 4812, https://arxiv.org/abs/1803.11173;
      Grant, Wossnig, Ostaszewski, Benedetti (2019), Quantum 3, 214,
      https://arxiv.org/abs/1903.05076.

    Taught in chapter 05.

    >>> round(deep_start_gradient_norm(3, 4, init="identity", seed=1), 6) > 0.5
    True
    """
    n, depth, _, _, _, seed = _deep_check(n_qubits, depth, init, 1, 1, 1.0, "sgd", "zz", seed)
    theta = _deep_start(n, depth, init, seed)
    _, shifted = _deep_exact(theta, n, depth, "zz")
    return float(np.linalg.norm(combine_shifted(shifted)))


def measured_zz_means(values: Any, *, n_qubits: int, depth: int, shots: int, groups: int = 1,
                      seed: int | None = 0) -> np.ndarray:
    """Means of Z0·Z1 over measured bitstrings from ``cirq.Simulator.run``: Cirq's own sampler.

    Each row of ``values`` sets the angles of ``mcclean_random_circuit(n_qubits, depth)``; the
    circuit is measured ``shots · groups`` times by Cirq (qubits 0 and 1, computational basis),
    each shot gives the parity (−1)^(b0 ⊕ b1), and every consecutive block of ``shots``
    parities is averaged. This shares no code with THE shot sampler
    (:func:`clipq_edu.quantum.sampling.sample_pauli_means`, a binomial draw from the exact
    expectation), so it is an independent check of it.

    Args:
      values: ``[rows, 3 * depth * n_qubits]`` angles (or one row).
      n_qubits: qubits, 2..12.
      depth: layers, >= 1.
      shots: shots per mean, >= 1.
      groups: independent means per row, >= 1.
      seed: seed of Cirq's simulator.

    Returns:
      ``(rows, groups)`` array of means, each in [−1, 1].

    Taught in chapter 05.

    >>> m = measured_zz_means(np.zeros(12), n_qubits=2, depth=2, shots=10, groups=3, seed=1)
    >>> m.shape, bool(np.all(np.abs(m) <= 1))
    ((1, 3), True)
    """
    import cirq

    n = check_int("n_qubits", n_qubits, minimum=2, maximum=MAX_DEEP_QUBITS)
    depth = check_int("depth", depth, minimum=1, maximum=MAX_DEEP_DEPTH)
    shots = check_shots("shots", shots)
    groups = check_int("groups", groups, minimum=1, maximum=10_000)
    seed = check_seed("seed", seed, maximum=2**32 - 1)
    rows = check_finite("values", as_float_array("values", values))
    if rows.ndim not in (1, 2) or rows.size == 0 or rows.shape[-1] != 3 * depth * n:
        raise ValueError(f"values must be [3 * depth * n_qubits] = [{3 * depth * n}] or "
                         f"[rows, {3 * depth * n}], got shape {np.shape(values)}")
    rows = rows.reshape(-1, rows.shape[-1])
    if rows.shape[0] == 0:
        raise ValueError(f"values must be [3 * depth * n_qubits] = [{3 * depth * n}] or "
                         f"[rows, {3 * depth * n}], got shape {np.shape(values)}")
    qs = cirq.LineQubit.range(n)
    sim = cirq.Simulator(seed=seed)
    out = np.empty((rows.shape[0], groups))
    for i, row in enumerate(rows):
        circuit = _mcclean_concrete(row, qs, depth) + cirq.measure(qs[0], qs[1], key="m")
        bits = sim.run(circuit, repetitions=shots * groups).measurements["m"]
        parity = 1.0 - 2.0 * (bits[:, 0] ^ bits[:, 1])
        out[i] = parity.reshape(groups, shots).mean(axis=1)
    return out


def _mcclean_concrete(row: np.ndarray, qs: list[Any], depth: int) -> Any:
    """``mcclean_random_circuit`` with the angles of ``row`` written in (no symbols to resolve)
    and the rotations of angle 0 (the axes a slot did not choose) left out."""
    import cirq

    rot = (cirq.rx, cirq.ry, cirq.rz)
    n = len(qs)
    angles = row.reshape(depth, n, 3)
    ops: list[Any] = [cirq.ry(np.pi / 4)(q) for q in qs]
    for layer in range(depth):
        ops += [rot[k](angles[layer, j, k])(q) for j, q in enumerate(qs) for k in range(3)
                if angles[layer, j, k] != 0.0]
        ops += [cirq.CZ(qs[j], qs[j + 1]) for j in range(n - 1)]
    return cirq.Circuit(ops)
