"""Which quantum engine this environment has: TensorFlow Quantum where it can be installed,
the library's own simulators everywhere (``backend="auto"``).

* :func:`has_tfq`: can TensorFlow Quantum be used here? (False on macOS, Windows, ARM,
  Python 3.13: TFQ 0.7.6 has wheels for Linux x86_64 and CPython 3.10-3.12 only.)
* :func:`tfq_available_for`: the guard of a notebook cell that teaches TFQ's own API (it
  prints one line saying what is skipped, why and where to run it, when TFQ is missing).
* :func:`resolve_backend`: the engine a ``backend=`` argument names: ``"auto"`` is ``"tfq"``
  when TFQ imports and ``"numpy"`` (the library's exact simulator) otherwise; ``"tfq"``,
  ``"cirq"`` and ``"numpy"`` are taken as given (``"tfq"`` without TFQ raises, naming where
  to run it).

Taught in chapter 00 (the environment check) and 03b (what a simulator does).
"""

from __future__ import annotations

import importlib.util
import sys

__all__ = ["BACKENDS", "has_tfq", "resolve_backend", "tfq_available_for"]

#: The values a ``backend=`` argument accepts.
BACKENDS = ("auto", "tfq", "cirq", "numpy")


def has_tfq() -> bool:
    """Whether TensorFlow Quantum can be used here.

    Cheap when TensorFlow Quantum is absent (no import is tried); when it is present, the
    answer comes from importing it once (``clipq_edu._tf``, which loads TensorFlow), since an
    installed package that fails to import is as good as absent.
    """
    loaded = sys.modules.get("clipq_edu._tf")
    if loaded is not None:
        return loaded.TFQ_ERROR is None
    if importlib.util.find_spec("tensorflow_quantum") is None:
        return False
    from clipq_edu import _tf

    return _tf.TFQ_ERROR is None


def resolve_backend(backend: str, *, allowed: tuple[str, ...] = BACKENDS) -> str:
    """The engine ``backend`` names, with ``"auto"`` resolved for this environment.

    Args:
      backend: one of ``allowed`` (by default ``"auto"``, ``"tfq"``, ``"cirq"``, ``"numpy"``).
      allowed: the values the calling function supports (``"auto"`` always resolves to
        ``"tfq"`` or, without TFQ, to the first of ``"numpy"``/``"cirq"`` in ``allowed``).

    Raises:
      ValueError: ``backend`` is not one of ``allowed``, or ``"tfq"`` is asked for where
        TensorFlow Quantum is not available (the message says where it is).

    >>> resolve_backend("numpy")
    'numpy'
    >>> resolve_backend("gpu")
    Traceback (most recent call last):
    ...
    ValueError: backend must be one of ['auto', 'tfq', 'cirq', 'numpy'], got 'gpu'
    """
    if backend not in allowed:
        raise ValueError(f"backend must be one of {list(allowed)}, got {backend!r}")
    if backend == "auto":
        if "tfq" in allowed and has_tfq():
            return "tfq"
        for fallback in ("numpy", "cirq"):
            if fallback in allowed:
                return fallback
        raise ValueError(f"backend 'auto' needs TensorFlow Quantum here (allowed: {list(allowed)})"
                         ", which is not available")
    if backend == "tfq" and not has_tfq():
        from clipq_edu._tf import WHERE_TFQ_RUNS

        raise ValueError(f"backend='tfq' needs TensorFlow Quantum, which is not available here; "
                         f"use backend='auto' (the library's own simulator) or run on "
                         f"{WHERE_TFQ_RUNS}")
    return backend


def tfq_available_for(what: str) -> bool:
    """True where TensorFlow Quantum can run the cell; else print one line and return False.

    The guard of the few cells that teach TFQ's own API (``tfq.layers.PQC``,
    ``tfq.layers.Expectation``, ...), so that a chapter runs to the end on macOS, Windows or
    Python 3.13::

        if cq.tfq_available_for("a tfq.layers.PQC model on three encoded inputs"):
            ...

    Args:
      what: what the cell shows, in a few words (it is printed when the cell is skipped).
    """
    if has_tfq():
        return True
    from clipq_edu._tf import WHERE_TFQ_RUNS
    from clipq_edu.i18n import tr

    print(tr(f"Skipped here: {what}. It needs TensorFlow Quantum, which is not installed on "
             f"this platform; run it on {WHERE_TFQ_RUNS}. The rest of the chapter runs here.",
             f"此处跳过：{what}。它需要 TensorFlow Quantum，而本平台没有安装；请在 Linux x86_64"
             f"（Python 3.11 或 3.12）、Windows 的 WSL、Binder 或 JupyterHub 上运行。本章其余部分"
             f"照常运行。"))
    return False
