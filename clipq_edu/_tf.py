"""The one place that imports TensorFlow and TensorFlow Quantum.

Modules that need them do ``from clipq_edu._tf import tf, tfq``; importing this module first
checks that ``tf.keras`` will be tf-keras (TFQ does not work with Keras 3) and raises an
``ImportError`` with the fix otherwise. TensorFlow's native start-up noise (cuDNN/cuBLAS
factory lines) is kept off the screen (:func:`clipq_edu._env.native_stderr_filtered`).

Where TensorFlow Quantum cannot be installed (macOS, Windows, ARM, Python 3.13), ``tfq`` is a
stand-in whose every attribute raises :class:`TFQUnavailableError` saying why and where to run
the cell instead; :data:`TFQ_ERROR` holds the import error and ``clipq_edu._backend.has_tfq()`` is False.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
import time
import warnings

from clipq_edu import _env
from clipq_edu.i18n import Text, tr

_env.check_keras(strict=True)

# In a notebook the first import takes 5-15 s (longer on a busy machine) with nothing on
# screen, so say what is happening and, when done, how long it took. Only inside a Jupyter
# kernel: scripts and tests stay quiet.
#: Where the cells that need TensorFlow Quantum itself can run.
WHERE_TFQ_RUNS = Text("Linux x86_64 with Python 3.11 or 3.12, WSL on Windows, Binder or a "
                      "JupyterHub",
                      "Linux x86_64（Python 3.11 或 3.12）、Windows 的 WSL、Binder 或 JupyterHub")


class TFQUnavailableError(ImportError):
    """TensorFlow Quantum is not installed (or does not import) in this environment."""


class _MissingTFQ:
    """Stands in for the ``tensorflow_quantum`` module where it cannot be imported: falsy, and
    every attribute raises :class:`TFQUnavailableError` with the reason and where to go."""

    def __init__(self, reason: str) -> None:
        self._reason = reason

    def __bool__(self) -> bool:
        return False

    def __getattr__(self, name: str):
        raise TFQUnavailableError(tr(
            f"tfq.{name} needs TensorFlow Quantum, which is not available here ({self._reason}). "
            f"The course runs on the library's own simulator instead; run this cell on "
            f"{WHERE_TFQ_RUNS}.",
            f"tfq.{name} 需要 TensorFlow Quantum，而此处不可用（{self._reason}）。课程改用本库"
            f"自带的模拟器运行；请在 {WHERE_TFQ_RUNS} 上运行这个单元格。"))

    def __repr__(self) -> str:
        return tr(f"<TensorFlow Quantum not available: {self._reason}>",
                  f"<TensorFlow Quantum 不可用：{self._reason}>")


_announce = "ipykernel" in sys.modules and "tensorflow" not in sys.modules
if _announce:
    if importlib.util.find_spec("tensorflow_quantum") is not None:
        print(tr("Loading TensorFlow and TensorFlow Quantum (once per kernel) ...",
                 "正在加载 TensorFlow 和 TensorFlow Quantum（每个内核只加载一次）……"), flush=True)
    else:
        print(tr("Loading TensorFlow (once per kernel) ...",
                 "正在加载 TensorFlow（每个内核只加载一次）……"), flush=True)
_started = time.perf_counter()
with warnings.catch_warnings(), _env.native_stderr_filtered():
    warnings.simplefilter("ignore", DeprecationWarning)
    import tensorflow as tf

    try:
        import tensorflow_quantum as tfq

        TFQ_ERROR: ImportError | None = None
    except ImportError as _exc:
        TFQ_ERROR = _exc
        tfq = _MissingTFQ(f"{type(_exc).__name__}: {_exc}".splitlines()[0][:200])
if _announce:
    _seconds = time.perf_counter() - _started
    if TFQ_ERROR is None:
        print(tr(f"TensorFlow {tf.__version__} and TensorFlow Quantum ready ({_seconds:.1f} s).",
                 f"TensorFlow {tf.__version__} 和 TensorFlow Quantum 已就绪（用时 {_seconds:.1f} 秒）。"),
              flush=True)
    else:
        print(tr(f"TensorFlow {tf.__version__} ready ({_seconds:.1f} s). TensorFlow Quantum is "
                 "not installed here: the library's own simulator stands in, and the few cells "
                 "that teach the TFQ API itself say so.",
                 f"TensorFlow {tf.__version__} 已就绪（用时 {_seconds:.1f} 秒）。此环境没有安装 "
                 "TensorFlow Quantum：由本库自带的模拟器代替，少数专门讲解 TFQ API 的单元格会说明并跳过。"),
              flush=True)

tf.get_logger().setLevel(logging.ERROR)
_env.check_keras(strict=True)

__all__ = ["TFQ_ERROR", "TFQUnavailableError", "WHERE_TFQ_RUNS", "tf", "tfq"]
