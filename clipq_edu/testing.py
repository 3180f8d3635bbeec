"""Small, seeded fixtures shared by the test suite (and handy for trying things out).

Importing this module does not import TensorFlow; :func:`tiny_model` loads it when called.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def tiny_model(seed: int = 0) -> Any:
    """A 3 -> Dense(4, tanh) -> Dense(1, sigmoid) tf-keras model with seeded initial weights.

    Large initial weights (standard deviation 1) and a bias of 0.5 make gradients big enough
    for clipping to act in a few steps.
    """
    from clipq_edu._tf import tf

    init = tf.keras.initializers.RandomNormal(stddev=1.0, seed=seed)
    return tf.keras.Sequential([
        tf.keras.Input(shape=(3,)),
        tf.keras.layers.Dense(4, activation="tanh", kernel_initializer=init,
                              bias_initializer=tf.keras.initializers.Constant(0.5)),
        tf.keras.layers.Dense(1, activation="sigmoid", kernel_initializer=init),
    ])


def tiny_data(n: int = 16, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points with 3 features (scale 3) and label ``x[:, 0] > 0``, as float32."""
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal((n, 3)) * 3).astype(np.float32)
    return x, (x[:, 0] > 0).astype(np.float32)
