"""Exploding and vanishing gradients in a recurrent network, the classic home of clipping.

Backpropagation through time multiplies one Jacobian per step. For a linear recurrent layer
``h_t = W h_{t−1} + U x_t`` the gradient that reaches the first input is

    ∂h_T/∂x_1 = W^{T−1} U,

so its norm grows like ρ^{T−1} when the spectral radius ρ of ``W`` exceeds 1 and shrinks like
ρ^{T−1} when ρ < 1 (Pascanu, Mikolov, Bengio 2013). With ``W = gain·Q`` for an orthogonal
``Q`` (Keras' ``Orthogonal(gain)`` initialiser) this is exact: ‖W^{k} v‖ = gain^{k} ‖v‖.

The task asks the network to remember: the target is the (normalised) sum of the first quarter
of a sequence of random inputs, read out after the last step. Everything is offline and
seeded; each training run takes a few seconds on two cores.

Taught in chapter 03a (section 7). References: Pascanu, Mikolov, Bengio (2013), "On the
difficulty of training recurrent neural networks", ICML, https://arxiv.org/abs/1211.5063;
d2l.ai, chapter "Recurrent Neural Networks", where the training loop clips by global norm.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from clipq_edu._validate import check_int, check_positive_float, check_seed

__all__ = ["memory_task", "linear_rnn", "input_jacobian_norms", "train_rnn", "zero_predictor_loss"]

MAX_LENGTH = 400


def memory_task(length: int, n: int = 256, seed: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """Sequences to remember: ``x`` of shape (n, length, 1), target = sum of the first quarter.

    The target is divided by √(length/4), so it has variance 1 whatever the length: predicting
    0 gives a mean squared error of about 1, the level of a network that remembers nothing.

    Args:
      length: time steps T, 4..400.
      n: number of sequences, 1..100000.
      seed: seed of the inputs.

    Returns:
      ``(x, y)`` as float32 arrays of shapes (n, T, 1) and (n, 1).

    >>> x, y = memory_task(8, n=3, seed=0)
    >>> x.shape, y.shape
    ((3, 8, 1), (3, 1))
    """
    length = check_int("length", length, minimum=4, maximum=MAX_LENGTH)
    n = check_int("n", n, minimum=1, maximum=100_000)
    rng = np.random.default_rng(check_seed("seed", seed))
    x = rng.normal(size=(n, length, 1)).astype(np.float32)
    k = length // 4
    y = (x[:, :k, 0].sum(axis=1, keepdims=True) / np.sqrt(k)).astype(np.float32)
    return x, y


def zero_predictor_loss(length: int, seed: int = 0) -> float:
    """The validation loss of predicting 0 on the validation set :func:`train_rnn` uses.

    A network that remembers nothing of the first quarter predicts about 0 and scores this
    mean squared error, mean(y²) (about 1, since the target has variance 1): a trained
    network has learned something only when its validation loss is clearly below it.

    Args:
      length: time steps T, 4..400.
      seed: the ``seed`` given to :func:`train_rnn` (its validation set uses ``seed + 1``).

    Returns:
      mean(y_val²) over the 256 validation sequences.

    Taught in chapter 03a (section 7).

    >>> round(zero_predictor_loss(40), 3)
    0.877
    """
    seed = check_int("seed", seed, minimum=0, maximum=2**31 - 3)
    _, y_val = memory_task(length, 256, seed + 1)
    return float(np.mean(np.square(y_val, dtype=np.float64)))


def linear_rnn(length: int | None, gain: float, units: int = 8, seed: int = 0) -> Any:
    """A tf-keras model: ``SimpleRNN(units, activation=None)`` then ``Dense(1)``, seeded.

    The recurrent kernel starts as ``gain`` times a random orthogonal matrix, so its spectral
    radius is exactly ``gain``. The same arguments give the same initial weights.

    Args:
      length: time steps T the model reads, 1..400, or ``None`` for any length.
      gain: spectral radius of the initial recurrent kernel, > 0 and at most 10.
      units: hidden units, 1..256.
      seed: seed of the initial weights.
    """
    from clipq_edu._tf import tf

    if length is not None:
        length = check_int("length", length, minimum=1, maximum=MAX_LENGTH)
    gain = check_positive_float("gain", gain, maximum=10.0)
    units = check_int("units", units, minimum=1, maximum=256)
    seed = check_int("seed", seed, minimum=0, maximum=2**31 - 3)  # seed + 2 must fit int32
    init = tf.keras.initializers
    return tf.keras.Sequential([
        tf.keras.Input(shape=(length, 1)),
        tf.keras.layers.SimpleRNN(
            units, activation=None, name="rnn",
            recurrent_initializer=init.Orthogonal(gain=gain, seed=seed),
            kernel_initializer=init.GlorotUniform(seed=seed + 1)),
        tf.keras.layers.Dense(1, name="readout", kernel_initializer=init.GlorotUniform(seed=seed + 2)),
    ])


def input_jacobian_norms(gain: float, lengths: Any, units: int = 8, seed: int = 0) -> dict[str, np.ndarray]:
    """‖∂h_T/∂x_1‖ for each T, by automatic differentiation, beside the closed form.

    One model (same weights for every T) reads sequences of each length; forward-mode
    differentiation (``tf.autodiff.ForwardAccumulator``) gives ∂h_T/∂x_1 in one pass. The
    closed form is gain^{T−1}·‖U‖, exact because the recurrent kernel is gain × orthogonal.

    Args:
      gain: spectral radius of the recurrent kernel (see :func:`linear_rnn`).
      lengths: sequence lengths T, each 1..400.
      units: hidden units.
      seed: seed of the weights.

    Returns:
      ``{"length": T values, "measured": norms from autodiff, "closed_form": gain**(T-1)‖U‖}``.
    """
    from clipq_edu._tf import tf

    if isinstance(lengths, (str, bytes, dict)):
        raise TypeError(f"lengths must be a sequence of sequence lengths, got {lengths!r:.80}")
    items = list(lengths) if np.iterable(lengths) else [lengths]
    lengths = [check_int(f"lengths[{i}]", t, minimum=1, maximum=MAX_LENGTH)
               for i, t in enumerate(items)]
    if not lengths:
        raise ValueError("lengths must hold at least one sequence length, got none")
    rnn = linear_rnn(None, gain, units, seed).get_layer("rnn")
    u_norm = float(np.linalg.norm(rnn.cell.kernel.numpy()[0]))  # U: input (1) -> hidden
    measured = []
    for length in lengths:
        x = tf.zeros((1, length, 1))
        tangent = np.zeros((1, length, 1), np.float32)
        tangent[0, 0, 0] = 1.0  # a unit change of the first input
        with tf.autodiff.ForwardAccumulator(x, tf.constant(tangent)) as acc:
            h_last = rnn(x)  # (1, units): the state after the last step
        measured.append(float(np.linalg.norm(acc.jvp(h_last).numpy())))
    t = np.array(lengths)
    return {"length": t, "measured": np.array(measured),
            "closed_form": float(gain) ** (t - 1.0) * u_norm}


def train_rnn(
    length: int,
    gain: float,
    clip: Any = None,
    *,
    epochs: int = 10,
    learning_rate: float = 0.05,
    seed: int = 0,
) -> Any:
    """Train :func:`linear_rnn` on :func:`memory_task` with plain SGD; return its telemetry.

    Same ``seed``, same initial weights and batches, so runs that differ only in ``clip``
    compare clipping alone. Non-finite steps are skipped and counted, never applied.

    Args:
      length: time steps T.
      gain: spectral radius of the initial recurrent kernel.
      clip: a clipping spec for :func:`clipq_edu.training.train`, e.g.
        ``("keras", {"global_clipnorm": 1.0})``, or ``None``.
      epochs: passes over 256 training sequences.
      learning_rate: SGD step size.
      seed: seed of the data, the weights and the batch order.

    Returns:
      The :class:`~clipq_edu.training.telemetry.Telemetry` of the run, with the validation
      loss on 256 fresh sequences in ``metrics["val_loss"]``.
    """
    from clipq_edu.training import train

    seed = check_int("seed", seed, minimum=0, maximum=2**31 - 3)
    x, y = memory_task(length, 256, seed)
    x_val, y_val = memory_task(length, 256, seed + 1)
    model = linear_rnn(length, gain, seed=seed)
    return train(model, x, y, loss="mse", optimizer="sgd", learning_rate=learning_rate,
                 epochs=epochs, batch_size=32, clip=clip, seed=seed, progress=False,
                 validation_data=(x_val, y_val))
