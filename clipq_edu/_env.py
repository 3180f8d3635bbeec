"""Process environment for TensorFlow, set before TensorFlow is imported.

TensorFlow Quantum only works with the legacy ``tf-keras`` package, which TF 2.18 uses for
``tf.keras`` only when ``TF_USE_LEGACY_KERAS=1`` is set before ``tf.keras`` is first touched.
This module sets that variable (and quiets TensorFlow's C++ logging, and sizes its thread
pools from the CPUs this process may really use) the moment ``clipq_edu`` is imported. It must
not import TensorFlow itself.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
from collections.abc import Iterator

from clipq_edu.i18n import Text

#: What to do when ``tf.keras`` is Keras 3; prints in the learner's language (the error and
#: the warning that carry it stay English, as every API error does).
KERAS3_HELP = Text(
    "tf.keras is Keras 3 here (TensorFlow was imported and used before clipq_edu, or "
    "TF_USE_LEGACY_KERAS is set to something other than 1), and TensorFlow Quantum only works "
    "with tf-keras. Fix: restart the kernel (Kernel > Restart Kernel) and make "
    "`import clipq_edu` the first import, or set TF_USE_LEGACY_KERAS=1 in the environment "
    "before starting Python. See docs/troubleshooting.md#keras-3.",
    "这里的 tf.keras 是 Keras 3（TensorFlow 在 clipq_edu 之前就已导入并用过，或者 "
    "TF_USE_LEGACY_KERAS 被设成了 1 以外的值），而 TensorFlow Quantum 只能配合 tf-keras 使用。"
    "解决办法：重启内核（Kernel > Restart Kernel），并把 `import clipq_edu` 放在所有导入语句的"
    "最前面；或者在启动 Python 之前，在环境中设置 TF_USE_LEGACY_KERAS=1。"
    "详见 docs/troubleshooting.md#keras-3。",
)


def cpu_quota() -> int:
    """Return the number of CPUs this process may really use (container quota included).

    TensorFlow sizes its thread pools from the host's core count, which on Binder or a
    JupyterHub is far more than the 1-2 CPUs a user gets. This reads the CPU affinity mask and
    the cgroup CPU quota (v2 ``cpu.max``, v1 ``cpu.cfs_quota_us``) and returns the smaller.
    """
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        n = os.cpu_count() or 1
    quota = _cgroup_cpu_limit()
    if quota is not None:
        n = min(n, max(1, int(quota + 0.999)))
    return max(1, n)


def _cgroup_cpu_limit() -> float | None:
    try:
        with open("/sys/fs/cgroup/cpu.max", encoding="ascii") as fh:
            quota, period = fh.read().split()[:2]
        if quota != "max":
            return int(quota) / int(period)
        return None
    except (OSError, ValueError):
        pass
    try:
        with open("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", encoding="ascii") as fh:
            quota_us = int(fh.read())
        with open("/sys/fs/cgroup/cpu/cpu.cfs_period_us", encoding="ascii") as fh:
            period_us = int(fh.read())
        if quota_us > 0 and period_us > 0:
            return quota_us / period_us
    except (OSError, ValueError):
        pass
    return None


def memory_limit_bytes() -> int | None:
    """Return the cgroup memory limit of this process in bytes, or ``None`` when unlimited."""
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(path, encoding="ascii") as fh:
                text = fh.read().strip()
        except OSError:
            continue
        if text == "max":
            return None
        try:
            value = int(text)
        except ValueError:
            continue
        # cgroup v1 reports "unlimited" as a huge number near 2**63.
        return None if value >= 2**60 else value
    return None


def configure_environment() -> None:
    """Set the TensorFlow environment variables, unless the user already chose values."""
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    n = str(cpu_quota())
    os.environ.setdefault("TF_NUM_INTRAOP_THREADS", n)
    os.environ.setdefault("TF_NUM_INTEROP_THREADS", n)


def keras_flavour() -> str:
    """Say which Keras ``tf.keras`` is or will be: ``"tf-keras 2.x"`` or ``"Keras 3"``.

    Does not import TensorFlow. When TensorFlow is loaded and ``tf.keras`` has already been
    resolved, the answer is what it resolved to; otherwise it follows from
    ``TF_USE_LEGACY_KERAS``, which TensorFlow reads on the first touch of ``tf.keras``.
    """
    tf = sys.modules.get("tensorflow")
    loader = getattr(tf, "__dict__", {}).get("keras") if tf is not None else None
    if loader is not None and type(loader).__name__ != "KerasLazyLoader":
        # Resolved already: the loader replaced itself with the real module.
        name = getattr(loader, "__name__", "")
        return "tf-keras 2.x" if name.startswith("tf_keras") else "Keras 3"
    if loader is not None:
        try:
            initialised = object.__getattribute__(loader, "_tfll_initialized")
            version = object.__getattribute__(loader, "_tfll_keras_version") if initialised else None
        except AttributeError:
            version = None
        if version is not None:
            return "Keras 3" if version == "keras_3" else "tf-keras 2.x"
    legacy = os.environ.get("TF_USE_LEGACY_KERAS", "").strip() in ("1", "true", "True")
    return "tf-keras 2.x" if legacy else "Keras 3"


def check_keras(strict: bool = True) -> None:
    """Raise ``ImportError`` when ``tf.keras`` is (or will be) Keras 3.

    That happens when TensorFlow resolved ``tf.keras`` before ``clipq_edu`` was imported, or
    when the user explicitly set ``TF_USE_LEGACY_KERAS`` to something other than 1/true.
    With ``strict=False`` a warning is issued instead (the package still imports, so that the
    classical chapters and ``python -m clipq_edu doctor`` work and can explain the fix).
    """
    if keras_flavour() == "Keras 3":
        if strict:
            raise ImportError(KERAS3_HELP.en)
        import warnings

        warnings.warn(KERAS3_HELP.en, RuntimeWarning, stacklevel=3)


#: TensorFlow's native start-up lines that mean nothing on a CPU machine (absl logs them to
#: file descriptor 2 before TF_CPP_MIN_LOG_LEVEL is read, so the variable cannot stop them;
#: a beginner takes the red block for an error). Anything else is passed through.
NATIVE_NOISE = re.compile(
    r"All log messages before absl::InitializeLog\(\) is called"
    r"|Unable to register (cuDNN|cuFFT|cuBLAS) factory"
    r"|computation placer already registered"
    r"|oneDNN custom operations are on"
    r"|This TensorFlow binary is optimized to use available CPU instructions"
    r"|To enable the following instructions: .* rebuild TensorFlow"
    r"|TF-TRT Warning: Could not find TensorRT"
    r"|Could not find cuda drivers on your machine"
    r"|failed call to cuInit"
)


@contextlib.contextmanager
def native_stderr_filtered() -> Iterator[None]:
    """While the block runs (TensorFlow's first import), send file descriptor 2 to a temporary
    file; afterwards write back every line except :data:`NATIVE_NOISE`.

    Python exceptions are untouched (they are raised, not printed to the descriptor), and any
    other native message, an import failure's included, still reaches the learner's screen.
    Where descriptors cannot be redirected, the block runs unfiltered.
    """
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    with tempfile.TemporaryFile() as tmp:
        try:
            os.dup2(tmp.fileno(), 2)
        except OSError:
            os.close(saved)
            yield
            return
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            text = tmp.read().decode("utf-8", errors="replace")
            kept = [line for line in text.splitlines(keepends=True) if not NATIVE_NOISE.search(line)]
            if kept:
                os.write(2, "".join(kept).encode("utf-8"))

