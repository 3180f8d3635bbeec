"""``clipq_edu.setup``: seed everything and report the environment in the first cell."""

from __future__ import annotations

import html
import platform
import random
import sys
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import numpy as np

from clipq_edu import _env
from clipq_edu.i18n import tr

#: Packages whose versions the environment report lists, in this order.
REPORTED_PACKAGES = (
    "tensorflow",
    "tf-keras",
    "tensorflow-quantum",
    "cirq-core",
    "numpy",
    "matplotlib",
    "ipywidgets",
)


_LAST_SEED: int | None = None


def package_version(name: str) -> str | None:
    """Return the installed version of distribution ``name``, or ``None`` if it is missing."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


@dataclass(frozen=True)
class EnvReport:
    """What ``setup()`` found: seed, versions, Keras flavour, CPUs and memory."""

    seed: int
    python: str
    versions: dict[str, str | None] = field(default_factory=dict)
    keras: str = ""
    cpus: int = 1
    memory_limit_gb: float | None = None
    tensorflow_loaded: bool = False

    def lines(self) -> list[str]:
        """The report as short human-readable lines."""
        missing = tr("MISSING", "未安装")
        no_tfq = tr("not installed (the library's simulator stands in)",
                    "未安装（由本库自带的模拟器代替）")
        vers = ", ".join(
            f"{k} {v or (no_tfq if k == 'tensorflow-quantum' else missing)}"
            for k, v in self.versions.items())
        mem = (tr("none", "无") if self.memory_limit_gb is None
               else f"{self.memory_limit_gb:.1f} GB")
        if self.tensorflow_loaded:
            tf_state = tr("loaded", "已加载")
        else:
            tf_state = tr("not loaded yet (loads on first use)", "尚未加载（首次使用时加载）")
        return [
            tr(f"clipq_edu ready: seed={self.seed}, Python {self.python}",
               f"clipq_edu 已就绪：seed={self.seed}，Python {self.python}"),
            tr(f"Keras used by TensorFlow: {self.keras}; TensorFlow {tf_state}",
               f"TensorFlow 使用的 Keras：{self.keras}；TensorFlow {tf_state}"),
            tr(f"CPUs usable: {self.cpus}; memory limit: {mem}",
               f"可用 CPU：{self.cpus}；内存上限：{mem}"),
            tr(f"versions: {vers}", f"版本：{vers}"),
        ]

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def _repr_pretty_(self, p, cycle) -> None:  # IPython plain-text display
        p.text(str(self))

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{html.escape(line)}</li>" for line in self.lines()[1:])
        return f"<b>{html.escape(self.lines()[0])}</b><ul>{items}</ul>"


def setup(seed: int = 0) -> EnvReport:
    """Seed Python, NumPy and (when loaded) TensorFlow, cap TF threads, and report.

    Call it in the first cell of every chapter. TensorFlow's own seed is set only when
    TensorFlow is already imported; ``clipq_edu`` functions that build TF models take their own
    ``seed`` argument, so results never depend on the order cells ran in.

    Args:
      seed: a non-negative integer used for every generator.

    Returns:
      An :class:`EnvReport` that displays as a short summary.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    seed = int(seed)
    global _LAST_SEED
    _LAST_SEED = seed
    random.seed(seed)
    np.random.seed(seed % 2**32)  # noqa: NPY002 - seeds the legacy global state students use
    tf_loaded = "tensorflow" in sys.modules
    if tf_loaded:
        _seed_tensorflow(seed)
    mem = _env.memory_limit_bytes()
    return EnvReport(
        seed=seed,
        python=platform.python_version(),
        versions={name: package_version(name) for name in REPORTED_PACKAGES},
        keras=_env.keras_flavour(),
        cpus=_env.cpu_quota(),
        memory_limit_gb=None if mem is None else mem / 1e9,
        tensorflow_loaded=tf_loaded,
    )


def load_tensorflow() -> tuple[Any, Any]:
    """Import TensorFlow and TensorFlow Quantum the safe way and return ``(tf, tfq)``.

    ``tf.keras`` is then tf-keras 2.x, which TFQ needs (an ``ImportError`` with the fix is
    raised when TensorFlow was already imported with Keras 3). In a notebook the first call
    prints one line while loading and one with the time it took (5-15 s); later calls return
    at once. On the first load TensorFlow is seeded with the seed of the last :func:`setup`
    call. Taught in
    chapter 00 and used from chapter 02 on.

    Returns:
      The modules ``tensorflow`` and ``tensorflow_quantum``; where TensorFlow Quantum is not
      installed (``clipq_edu.has_tfq()`` is False), a stand-in whose attributes raise an
      ``ImportError`` that says where the TFQ cells run.
    """
    first = "tensorflow" not in sys.modules
    from clipq_edu import _tf

    if first and _LAST_SEED is not None:
        _seed_tensorflow(_LAST_SEED)
    return _tf.tf, _tf.tfq


def _seed_tensorflow(seed: int) -> None:
    import tensorflow as tf

    tf.random.set_seed(seed)
    n = _env.cpu_quota()
    try:  # only possible before TensorFlow's runtime has started
        tf.config.threading.set_intra_op_parallelism_threads(n)
        tf.config.threading.set_inter_op_parallelism_threads(n)
    except RuntimeError:
        pass  # already initialised; the TF_NUM_*_THREADS variables set at import did the job
