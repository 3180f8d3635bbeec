"""Small analyses behind chapter 03: clipping geometry, Adam, shot noise, gradient estimators.

Nothing here imports TensorFlow, so chapter 03a starts fast. The quantum part uses one small
two-qubit circuit (:func:`toy_circuit`) whose expectation :func:`toy_expectation` evaluates
with a few lines of NumPy for whole batches of parameter values; the tests check it against
Cirq's simulator. Shot noise is drawn the way a real device produces it: each circuit run
gives ±1, so the mean of ``shots`` runs is ``2·Binomial(shots, (1 + μ)/2)/shots − 1``, drawn by
the package's one sampler (:func:`clipq_edu.quantum.sampling.sample_pauli_means`) from
``np.random.default_rng(seed)``, so every number is reproducible. Gradients use the package's
one parameter-shift rule (:mod:`clipq_edu.quantum.gradients`) and Adam is
:func:`clipq_edu.training.optim.adam_update`.

Taught in chapter 03 (03a clipping geometry and Adam, 03b shot noise and estimators, 03c
clipping noisy estimates).

>>> import numpy as np
>>> round(angle_degrees([1.0, 0.0], [1.0, 1.0]), 6)
45.0
>>> float(shot_noise_variance(0.0, 100))
0.01

The loss curves of chapter 03c come from
:func:`clipq_edu.quantum.landscapes.bce_gradient_vs_theta`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from clipq_edu._validate import (
    as_float_array,
    check_array_memory,
    check_choice,
    check_finite,
    check_int,
    check_positive_float,
    check_real,
    check_seed,
    check_shots,
)
from clipq_edu.quantum.sampling import sample_pauli_means, shot_noise_variance  # one home each

__all__ = [
    "ESTIMATORS",
    "MAX_DIM",
    "MAX_SAMPLES",
    "TOY_N_PARAMS",
    "TOY_PARAMS",
    "adam_updates",
    "angle_degrees",
    "clipped_estimate_stats",
    "clipped_norms",
    "clipping_angles",
    "estimator_std",
    "gradient_estimates",
    "shot_noise_variance",
    "sigmoid_chain_grad_norms",
    "toy_circuit",
    "toy_expectation",
    "toy_gradient",
]

#: Gradient estimators compared in chapter 03: parameter shift, central finite differences,
#: simultaneous-perturbation stochastic approximation.
ESTIMATORS = ("parameter_shift", "finite_difference", "spsa")

#: Number of parameters of :func:`toy_circuit`.
TOY_N_PARAMS = 3

#: A parameter point used as the default in chapter 03 (radians).
TOY_PARAMS = (0.7, 1.9, 0.4)

#: Largest gradient dimension and number of random gradients the clipping-geometry studies
#: accept (a typo such as 10**12 is refused instead of hanging).
MAX_DIM = 100_000
MAX_SAMPLES = 100_000


# --------------------------------------------------------------------------------------------
# 3.1 Clipping geometry
# --------------------------------------------------------------------------------------------
def angle_degrees(u: Any, v: Any) -> float:
    """Return the angle in degrees between two vectors (flattened).

    Args:
      u, v: array-likes of the same size, neither all zeros.

    Returns:
      The angle in [0, 180], computed as :func:`clipq_edu.plotting.angle_between` does
      (2·atan2(‖â − b̂‖, ‖â + b̂‖) of the unit vectors, accurate near 0° and 180°).

    Taught in chapter 03 (norm clipping keeps the direction: angle 0; value clipping does not).

    >>> round(angle_degrees([1.0, 0.0], [1.0, 1.0]), 6)
    45.0
    """
    from clipq_edu import plotting

    a = check_finite("u", as_float_array("u", u).ravel())
    b = check_finite("v", as_float_array("v", v).ravel())
    if a.size != b.size:
        raise ValueError(f"u and v must have the same size, got {a.size} and {b.size}")
    if not a.any() or not b.any():
        raise ValueError("u and v must be non-zero vectors: the angle to a zero vector is undefined")
    return plotting.angle_between(a, b)


def _random_gradients(n: int, dim: int, scale: float, seed: int | None) -> np.ndarray:
    rng = np.random.default_rng(seed)
    # Gaussian directions, log-uniform norms between scale/100 and scale*100.
    g = rng.standard_normal((n, dim))
    norms = scale * 10.0 ** rng.uniform(-2, 2, size=n)
    return g / np.linalg.norm(g, axis=1, keepdims=True) * norms[:, None]


def clipping_angles(
    bound: float = 1.0,
    *,
    n_samples: int = 500,
    dim: int = 10,
    scale: float = 1.0,
    seed: int | None = 0,
) -> dict[str, np.ndarray]:
    """Measure how far each clipping method turns random gradients (degrees).

    Random gradients of ``dim`` entries (Gaussian directions, norms log-uniform over four
    decades around ``scale``) are clipped by value, by norm (one tensor) and by norm per
    tensor (the vector split into two tensors of sizes ``dim//2`` and the rest, the second
    multiplied by 10 before clipping as layers often differ in scale).

    Args:
      bound: the clip bound (value limit or norm bound), > 0.
      n_samples: number of random gradients, 1 to :data:`MAX_SAMPLES`.
      dim: entries per gradient, 2 to :data:`MAX_DIM`.
      scale: typical gradient norm, in [1e-100, 1e100].
      seed: seed for ``np.random.default_rng``.

    Returns:
      ``{"value": angles, "norm": angles, "per_tensor": angles, "norms": original norms}``.

    Taught in chapter 03.

    >>> angles = clipping_angles(1.0, n_samples=50, seed=0)
    >>> float(angles["norm"].max()) < 1e-5, float(angles["value"].max()) > 1.0
    (True, True)
    """
    from clipq_edu import clipping

    bound = check_positive_float("bound", bound)
    n = check_int("n_samples", n_samples, minimum=1, maximum=MAX_SAMPLES)
    dim = check_int("dim", dim, minimum=2, maximum=MAX_DIM)
    check_array_memory("n_samples", n * dim * 8, f"{n} gradients of {dim} entries")
    scale = check_real("scale", scale, minimum=1e-100, maximum=1e100)
    grads = _random_gradients(n, dim, scale, check_seed("seed", seed))
    grads[:, dim // 2:] *= 10.0
    out: dict[str, list[float]] = {"value": [], "norm": [], "per_tensor": []}
    for g in grads:
        out["value"].append(angle_degrees(g, clipping.clip_by_value(g, bound)))
        out["norm"].append(angle_degrees(g, clipping.clip_by_norm(g, bound)))
        parts = clipping.clip_by_norm([g[: dim // 2], g[dim // 2:]], bound)
        out["per_tensor"].append(angle_degrees(g, np.concatenate(parts)))
    result = {k: np.asarray(v) for k, v in out.items()}
    result["norms"] = np.linalg.norm(grads, axis=1)
    return result


def clipped_norms(
    norms: Any, bound: float = 1.0, *, dim: int = 10, seed: int | None = 0
) -> dict[str, np.ndarray]:
    """Return the norm after clipping for gradients of given norms, per method.

    For each requested norm a random direction in ``dim`` dimensions is drawn, scaled to that
    norm, and clipped by value, by norm and by global norm (the vector as two tensors).

    Args:
      norms: 1-D array of gradient norms, each >= 0.
      bound: the clip bound, > 0.
      dim: entries per gradient, 2 to :data:`MAX_DIM`.
      seed: seed for the random directions.

    Returns:
      ``{"before": norms, "value": ..., "norm": ..., "global": ...}`` (each 1-D).

    Taught in chapter 03 (‖clip(g)‖ = min(‖g‖, c) for norm clipping: never larger).

    >>> out = clipped_norms([0.5, 3.0], bound=1.0)
    >>> [round(float(x), 6) for x in out["norm"]]
    [0.5, 1.0]
    """
    from clipq_edu import clipping

    before = check_finite("norms", as_float_array("norms", norms, ndim=1))
    if (before < 0).any():
        raise ValueError("norms must all be >= 0")
    bound = check_positive_float("bound", bound)
    dim = check_int("dim", dim, minimum=2, maximum=MAX_DIM)
    check_array_memory("dim", before.size * dim * 8, f"{before.size} gradients of {dim} entries")
    rng = np.random.default_rng(check_seed("seed", seed))
    dirs = rng.standard_normal((before.size, dim))
    grads = dirs / np.linalg.norm(dirs, axis=1, keepdims=True) * before[:, None]
    out: dict[str, list[float]] = {"value": [], "norm": [], "global": []}
    for g in grads:
        out["value"].append(np.linalg.norm(clipping.clip_by_value(g, bound)))
        out["norm"].append(np.linalg.norm(clipping.clip_by_norm(g, bound)))
        parts, _ = clipping.clip_by_global_norm([g[: dim // 2], g[dim // 2:]], bound)
        out["global"].append(clipping.global_norm(parts))
    return {"before": before, **{k: np.asarray(v) for k, v in out.items()}}


def sigmoid_chain_grad_norms(
    depth: int = 12, width: int = 16, *, batch: int = 32, seed: int | None = 0
) -> np.ndarray:
    """Return the gradient norm of each layer's weights in a deep sigmoid network at init.

    A ``depth``-layer perceptron with sigmoid activations and Glorot-uniform weights maps a
    random batch to one output; the loss is the mean squared error to random targets. The
    backward pass multiplies by σ'(z) ≤ 1/4 at every layer, so early layers receive
    exponentially small gradients: the vanishing-gradient problem.

    Args:
      depth: number of layers, 2 to 200.
      width: units per hidden layer, 1 to 4096.
      batch: examples in the batch, 1 to 100 000 (and the activations, depth x batch x width
        floats, must fit in 512 MiB).
      seed: seed for weights and data.

    Returns:
      Array of ``depth`` L2 norms, first layer first.

    References:
      Glorot, Bengio (2010), "Understanding the difficulty of training deep feedforward neural
      networks", AISTATS.

    Taught in chapter 03 (clipping cannot make these larger).

    >>> norms = sigmoid_chain_grad_norms(depth=6, width=8, seed=0)
    >>> norms.shape, bool(norms[0] < norms[-1])
    ((6,), True)
    """
    depth = check_int("depth", depth, minimum=2, maximum=200)
    width = check_int("width", width, minimum=1, maximum=4096)
    batch = check_int("batch", batch, minimum=1, maximum=100_000)
    check_array_memory("batch", (depth + 1) * batch * width * 8,
                       f"the activations of {depth} layers x {batch} examples x {width} units")
    rng = np.random.default_rng(check_seed("seed", seed))
    sizes = [width] * depth + [1]
    weights = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        weights.append(rng.uniform(-limit, limit, size=(fan_in, fan_out)))
    x = rng.standard_normal((batch, width))
    y = rng.uniform(0, 1, size=(batch, 1))
    acts = [x]
    for w in weights:
        acts.append(1.0 / (1.0 + np.exp(-acts[-1] @ w)))
    delta = 2.0 * (acts[-1] - y) / batch * acts[-1] * (1 - acts[-1])
    norms = np.empty(depth)
    for layer in range(depth - 1, -1, -1):
        norms[layer] = np.linalg.norm(acts[layer].T @ delta)
        delta = (delta @ weights[layer].T) * acts[layer] * (1 - acts[layer])
    return norms


def adam_updates(
    grads: Any,
    learning_rate: float = 1e-3,
    *,
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = 1e-7,
) -> np.ndarray:
    """Return the parameter updates Adam makes for a sequence of gradients.

    Kingma & Ba's Adam (with Keras' default ``eps=1e-7``), one step per row, from the package's
    one Adam step :func:`clipq_edu.training.optim.adam_update`: m and v are running means of g
    and g², bias-corrected, and the update is −learning_rate·m̂/(√v̂ + eps). Multiplying every
    gradient by the same constant k multiplies m̂ by k and √v̂ by |k|, so the update barely
    changes: Adam is (almost) invariant to the scale of the gradient.

    Args:
      grads: array ``(steps, n_params)``, finite.
      learning_rate: α, > 0.
      b1, b2: moment decay rates in [0, 1) (Optax's names; β₁, β₂ in the paper).
      eps: the small constant added to √v̂, > 0.

    Returns:
      Array of updates with the shape of ``grads``.

    References:
      Kingma, Ba (2015), "Adam: A Method for Stochastic Optimization", ICLR,
      https://arxiv.org/abs/1412.6980.

    Taught in chapter 03.

    >>> g = np.array([[1.0, -2.0], [1.0, -2.0]])
    >>> bool(np.allclose(adam_updates(g, learning_rate=0.1),
    ...                  adam_updates(1000 * g, learning_rate=0.1)))
    True
    >>> adam_updates(g, learning_rate=0.1)[0].round(6)
    array([-0.1,  0.1])
    """
    from clipq_edu.training.optim import adam_init, adam_update

    g = check_finite("grads", as_float_array("grads", grads, ndim=2))
    learning_rate = check_positive_float("learning_rate", learning_rate)
    eps = check_positive_float("eps", eps)
    for name, b in (("b1", b1), ("b2", b2)):
        if not 0 <= check_positive_float(name, b, allow_zero=True) < 1:
            raise ValueError(f"{name} must be in [0, 1), got {b!r}")
    state = adam_init(np.zeros(g.shape[1]))
    out = np.empty_like(g)
    for t, gt in enumerate(g):
        out[t], state = adam_update(gt, state, learning_rate=learning_rate, b1=b1, b2=b2,
                                    eps=eps)
    return out


# --------------------------------------------------------------------------------------------
# 3.2 A small circuit, evaluated exactly with NumPy, and shot noise
# --------------------------------------------------------------------------------------------
def toy_circuit() -> tuple[Any, list[Any], Any]:
    """Return the two-qubit circuit of chapter 03, its symbols and its observable.

    ry(θ0) on q0, ry(θ1) on q1, CNOT(q0 → q1), rx(θ2) on q1; observable Z on q1. Every
    parameter enters through one Pauli rotation exp(−iθP/2), so the parameter-shift rule
    with shift π/2 is exact for it.

    Returns:
      ``(circuit, [θ0, θ1, θ2], cirq.Z(q1))``.

    Taught in chapter 03.

    >>> circuit, symbols, observable = toy_circuit()
    >>> [str(s) for s in symbols], len(circuit.all_qubits())
    (['theta0', 'theta1', 'theta2'], 2)
    """
    import cirq
    import sympy

    q0, q1 = cirq.LineQubit.range(2)
    syms = list(sympy.symbols("theta0:3"))
    circuit = cirq.Circuit(
        cirq.ry(syms[0]).on(q0),
        cirq.ry(syms[1]).on(q1),
        cirq.CNOT(q0, q1),
        cirq.rx(syms[2]).on(q1),
    )
    return circuit, syms, cirq.Z(q1)


def _check_params(params: Any, *, one_point: bool = False) -> np.ndarray:
    """``params`` as floats with 3 angles on the last axis (exactly 3 when ``one_point``)."""
    p = check_finite("params", as_float_array("params", params))
    if p.ndim == 0 or p.shape[-1] != TOY_N_PARAMS:
        raise ValueError(
            f"params must have {TOY_N_PARAMS} entries in its last axis (θ0, θ1, θ2), "
            f"got shape {p.shape}"
        )
    if one_point and p.ndim != 1:
        raise ValueError(f"params must be 1-D (3 angles), got shape {p.shape}")
    return p


def _ry(t: np.ndarray) -> np.ndarray:
    c, s = np.cos(t / 2), np.sin(t / 2)
    return np.stack([np.stack([c, -s], -1), np.stack([s, c], -1)], -2).astype(complex)


def _rx(t: np.ndarray) -> np.ndarray:
    c, s = np.cos(t / 2), -1j * np.sin(t / 2)
    return np.stack([np.stack([c, s], -1), np.stack([s, c], -1)], -2)


def toy_expectation(params: Any) -> np.ndarray:
    """Return ⟨Z_q1⟩ of :func:`toy_circuit` exactly, for one or many parameter sets.

    A four-amplitude state vector per parameter set, updated gate by gate with NumPy
    (q0 is the most significant bit, as in Cirq).

    Args:
      params: array ``(..., 3)`` of angles in radians.

    Returns:
      Array of shape ``params.shape[:-1]`` with values in [−1, 1].

    Taught in chapter 03.

    >>> toy_expectation([[0.0, 0.0, 0.0], [np.pi, 0.0, 0.0]]).round(6)
    array([ 1., -1.])
    """
    p = _check_params(params)
    flat = p.reshape(-1, TOY_N_PARAMS)
    state = np.zeros((flat.shape[0], 2, 2), dtype=complex)
    state[:, 0, 0] = 1.0
    state = np.einsum("bij,bjk->bik", _ry(flat[:, 0]), state)  # q0: first index
    state = np.einsum("bij,bkj->bki", _ry(flat[:, 1]), state)  # q1: second index
    state[:, 1, :] = state[:, 1, ::-1].copy()  # CNOT: flip q1 where q0 = 1
    state = np.einsum("bij,bkj->bki", _rx(flat[:, 2]), state)
    prob = np.abs(state) ** 2
    z1 = prob[:, :, 0].sum(axis=1) - prob[:, :, 1].sum(axis=1)
    return z1.reshape(p.shape[:-1])


def toy_gradient(params: Any) -> np.ndarray:
    """Return the exact gradient of :func:`toy_expectation` (parameter shift, exact here).

    THE parameter-shift rule, :func:`clipq_edu.quantum.gradients.parameter_shift`, applied to
    the NumPy expectation: 6 evaluations in one call.

    Args:
      params: 1-D array of 3 angles.

    Returns:
      The gradient, 1-D of length 3.

    Taught in chapter 03.

    >>> toy_gradient(TOY_PARAMS).round(4)
    array([ 0.1918, -0.6666,  0.0963])
    """
    from clipq_edu.quantum.gradients import parameter_shift

    return parameter_shift(toy_expectation, _check_params(params, one_point=True))


def _check_h(h: Any) -> float:
    h = check_positive_float("h", h)
    if h > math.pi:
        raise ValueError(f"h must be in (0, π], got {h!r}")
    return h


def gradient_estimates(
    method: str,
    params: Any = TOY_PARAMS,
    shots: int = 100,
    *,
    h: float = 0.1,
    n_repeats: int = 1000,
    seed: int | None = 0,
) -> np.ndarray:
    """Draw repeated shot-based gradient estimates of :func:`toy_expectation`.

    Each circuit evaluation is the mean of ``shots`` ±1 outcomes (seeded binomial draw, THE
    sampler). The rows and their combination are the estimators' one home,
    :mod:`clipq_edu.quantum.gradients`:

    * ``"parameter_shift"``: [f̂(θ + π/2·eᵢ) − f̂(θ − π/2·eᵢ)]/2, 2 circuits per parameter,
      unbiased (``shifted_parameters``, ``combine_shifted``);
    * ``"finite_difference"``: [f̂(θ + h·eᵢ) − f̂(θ − h·eᵢ)]/(2h), 2 circuits per parameter,
      bias O(h²) and variance ∝ 1/h² (``difference_parameters``, ``combine_differences``);
    * ``"spsa"``: one random direction Δ ∈ {±1}ⁿ, ĝ = Δ·[f̂(θ + hΔ) − f̂(θ − hΔ)]/(2h):
      2 circuits in total, noisier per component (``spsa_directions``, ``spsa_parameters``,
      ``combine_spsa``).

    Args:
      method: one of :data:`ESTIMATORS`.
      params: 1-D array of 3 angles.
      shots: shots per circuit evaluation, >= 1.
      h: step for finite differences and SPSA, in (0, π].
      n_repeats: number of independent estimates, >= 1.
      seed: seed for ``np.random.default_rng``.

    Returns:
      Array ``(n_repeats, 3)`` of estimates.

    References:
      Spall (1992), "Multivariate stochastic approximation using a simultaneous perturbation
      gradient approximation", IEEE Trans. Automatic Control 37(3).

    Taught in chapter 03.

    >>> est = gradient_estimates("parameter_shift", shots=100, n_repeats=4000, seed=1)
    >>> est.shape, bool(np.allclose(est.mean(axis=0), toy_gradient(TOY_PARAMS), atol=0.01))
    ((4000, 3), True)
    """
    check_choice("method", method, ESTIMATORS)
    p = _check_params(params, one_point=True)
    shots = check_shots("shots", shots)
    h = _check_h(h)
    reps = check_int("n_repeats", n_repeats, minimum=1, maximum=10**6)
    rng = np.random.default_rng(check_seed("seed", seed))
    if method == "spsa":
        from clipq_edu.quantum.gradients import combine_spsa, spsa_directions, spsa_parameters

        delta = spsa_directions((reps, p.size), rng)
        mu = toy_expectation(spsa_parameters(p, delta, h))  # (2, reps): "+" rows, "−" rows
        return combine_spsa(sample_pauli_means(mu, shots, seed=rng), delta, h)
    rows = _rows(method, p, h)  # (2, n, n): "+" rows, then "−" rows
    mu = toy_expectation(rows)  # (2, n)
    f = sample_pauli_means(np.broadcast_to(mu, (reps, *mu.shape)), shots, seed=rng)
    return _combine(method, f, h)


def _rows(method: str, p: np.ndarray, h: float) -> np.ndarray:
    """θ ± s·eᵢ for every i, shape (2, n, n): s = π/2 (parameter shift) or h (differences)."""
    from clipq_edu.quantum.gradients import difference_parameters, shifted_parameters

    if method == "parameter_shift":
        return shifted_parameters(p)
    return difference_parameters(p, h)


def _combine(method: str, f: np.ndarray, h: float) -> np.ndarray:
    """The gradient from f at the rows of :func:`_rows` (axis −2: plus, minus)."""
    from clipq_edu.quantum.gradients import combine_differences, combine_shifted

    if method == "parameter_shift":
        return combine_shifted(f)  # (f₊ − f₋)/2
    return combine_differences(f, h)  # (f₊ − f₋)/(2h)


def estimator_std(
    method: str, params: Any = TOY_PARAMS, shots: int = 100, *, h: float = 0.1
) -> np.ndarray:
    """Return the theoretical standard deviation of each gradient component's estimate.

    For parameter shift and finite differences the two evaluations are independent, so
    Var = [(1 − μ₊²) + (1 − μ₋²)] / (N · d²) with d = 2 (shift) or d = 2h. For SPSA the
    variance also includes the spread over random directions; it is computed exactly by
    averaging over all 2ⁿ directions.

    Args:
      method: one of :data:`ESTIMATORS`.
      params: 1-D array of 3 angles.
      shots: shots per circuit evaluation.
      h: step for finite differences and SPSA.

    Returns:
      1-D array of 3 standard deviations.

    Taught in chapter 03.

    >>> estimator_std("parameter_shift", TOY_PARAMS, 100).round(4)
    array([0.0694, 0.0527, 0.0704])
    """
    check_choice("method", method, ESTIMATORS)
    p = _check_params(params, one_point=True)
    shots = check_shots("shots", shots)
    h = _check_h(h)
    n = p.size
    if method == "spsa":
        grid = np.array(np.meshgrid(*[[-1.0, 1.0]] * n, indexing="ij")).reshape(n, -1).T
        from clipq_edu.quantum.gradients import spsa_parameters

        mu_p, mu_m = toy_expectation(spsa_parameters(p, grid, h))  # every direction, ±
        # Δᵢ² = 1: the noise of component i is that of (f̂₊ − f̂₋)/(2h)
        noise_var = (shot_noise_variance(mu_p, shots) + shot_noise_variance(mu_m, shots)) / (
            4 * h * h)
        mean_c = grid * ((mu_p - mu_m) / (2 * h))[:, None]
        total = noise_var[:, None] + mean_c**2
        return np.sqrt(total.mean(axis=0) - mean_c.mean(axis=0) ** 2)
    denom = 2.0 if method == "parameter_shift" else 2 * h
    mu = toy_expectation(_rows(method, p, h))
    variance = shot_noise_variance(mu[0], shots) + shot_noise_variance(mu[1], shots)
    return np.sqrt(variance / denom**2)


# --------------------------------------------------------------------------------------------
# 3.3 Clipping noisy estimates
# --------------------------------------------------------------------------------------------
def clipped_estimate_stats(
    shots_list: Any,
    bound: float,
    params: Any = TOY_PARAMS,
    *,
    n_repeats: int = 2000,
    seed: int | None = 0,
) -> dict[str, np.ndarray]:
    """Measure what norm clipping does to noisy parameter-shift gradient estimates.

    For each shot count, ``n_repeats`` parameter-shift estimates ĝ are drawn and clipped by
    norm (bound c). Noise adds to the squared norm on average (E‖ĝ‖² = ‖g‖² + Σ Var ĝᵢ), so
    with few shots more estimates exceed c and are shrunk: the clipped estimate is biased
    towards a smaller norm, while its spread (variance) is reduced.

    Args:
      shots_list: 1-D sequence of shot counts (each >= 1).
      bound: the norm bound c, > 0.
      params: 1-D array of 3 angles.
      n_repeats: estimates per shot count.
      seed: seed (shot count k uses ``seed + k`` so the counts are independent).

    Returns:
      Dict of 1-D arrays over ``shots_list``: ``shots``, ``frac_clipped``, ``bias_raw``
      (‖E ĝ − g‖), ``bias_clipped``, ``mse_raw`` (E‖ĝ − g‖²), ``mse_clipped``,
      ``mean_norm_raw`` (E‖ĝ‖), ``mean_norm_clipped``; plus ``true_norm`` (a float array).

    Taught in chapter 03.

    >>> out = clipped_estimate_stats([10, 1000], bound=0.7, n_repeats=500)
    >>> bool(out["frac_clipped"][0] > out["frac_clipped"][1])
    True
    """
    from clipq_edu import clipping

    if isinstance(shots_list, (str, bytes, dict)) or not np.iterable(shots_list):
        raise TypeError(f"shots_list must be a sequence of shot counts, got {shots_list!r:.80}")
    shots_arr = np.asarray([check_shots(f"shots_list[{i}]", s) for i, s in enumerate(shots_list)],
                           dtype=np.int64)
    if shots_arr.size == 0:
        raise ValueError("shots_list must hold at least one shot count, got an empty sequence")
    bound = check_positive_float("bound", bound)
    seed = check_seed("seed", seed) or 0
    g_true = toy_gradient(params)
    keys = ("frac_clipped", "bias_raw", "bias_clipped", "mse_raw", "mse_clipped",
            "mean_norm_raw", "mean_norm_clipped")
    out: dict[str, list[float]] = {k: [] for k in keys}
    for k, shots in enumerate(shots_arr):
        est = gradient_estimates("parameter_shift", params, int(shots), n_repeats=n_repeats,
                                 seed=seed + k)
        norms = np.linalg.norm(est, axis=1)
        clipped = np.stack([clipping.clip_by_norm(e, bound) for e in est])
        out["frac_clipped"].append(float(np.mean(norms > bound)))
        for tag, arr in (("raw", est), ("clipped", clipped)):
            out[f"bias_{tag}"].append(float(np.linalg.norm(arr.mean(axis=0) - g_true)))
            out[f"mse_{tag}"].append(float(np.mean(np.sum((arr - g_true) ** 2, axis=1))))
            out[f"mean_norm_{tag}"].append(float(np.mean(np.linalg.norm(arr, axis=1))))
    result = {k: np.asarray(v) for k, v in out.items()}
    result["shots"] = shots_arr
    result["true_norm"] = np.asarray(float(np.linalg.norm(g_true)))
    return result
