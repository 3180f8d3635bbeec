"""The one place that imports TensorFlow and TensorFlow Quantum.

Modules that need them do ``from clipq_edu._tf import tf, tfq``; importing this module first
checks that ``tf.keras`` will be tf-keras (TFQ does not work with Keras 3) and raises an
``ImportError`` with the fix otherwise.
"""

from __future__ import annotations

import logging
import warnings

from clipq_edu import _env

_env.check_keras(strict=True)

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import tensorflow as tf
    import tensorflow_quantum as tfq

tf.get_logger().setLevel(logging.ERROR)
_env.check_keras(strict=True)

__all__ = ["tf", "tfq"]
