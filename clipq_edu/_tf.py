"""The one place that imports TensorFlow and TensorFlow Quantum.

Modules that need them do ``from clipq_edu._tf import tf, tfq``; importing this module first
checks that ``tf.keras`` will be tf-keras (TFQ does not work with Keras 3) and raises an
``ImportError`` with the fix otherwise.
"""

from __future__ import annotations

import logging
import sys
import time
import warnings

from clipq_edu import _env
from clipq_edu.i18n import tr

_env.check_keras(strict=True)

# In a notebook the first import takes 5-15 s (longer on a busy machine) with nothing on
# screen, so say what is happening and, when done, how long it took. Only inside a Jupyter
# kernel: scripts and tests stay quiet.
_announce = "ipykernel" in sys.modules and "tensorflow" not in sys.modules
if _announce:
    print(tr("Loading TensorFlow and TensorFlow Quantum (once per kernel) ...",
             "正在加载 TensorFlow 和 TensorFlow Quantum（每个内核只加载一次）……"), flush=True)
_started = time.perf_counter()
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import tensorflow as tf
    import tensorflow_quantum as tfq
if _announce:
    _seconds = time.perf_counter() - _started
    print(tr(f"TensorFlow {tf.__version__} and TensorFlow Quantum ready ({_seconds:.1f} s).",
             f"TensorFlow {tf.__version__} 和 TensorFlow Quantum 已就绪（用时 {_seconds:.1f} 秒）。"),
          flush=True)

tf.get_logger().setLevel(logging.ERROR)
_env.check_keras(strict=True)

__all__ = ["tf", "tfq"]
