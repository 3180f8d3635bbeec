"""Measurement helpers shared by the benchmark sections: statistics, RSS sampling, machine.

Everything here is deliberately small and dependency-light (``psutil`` and the standard
library) so that ``tests/test_benchmarks.py`` can exercise it on tiny inputs.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from typing import Any

import numpy as np
import psutil

from benchmarks import ROOT

#: Packages whose versions are recorded with every result.
VERSIONED_PACKAGES = (
    "tensorflow",
    "tf-keras",
    "tensorflow-quantum",
    "cirq-core",
    "numpy",
    "matplotlib",
    "ipywidgets",
    "ipykernel",
    "nbclient",
    "jupyterlab",
)


def summarize(samples: Sequence[float]) -> dict[str, Any]:
    """Median, 95th percentile, min, max and count of ``samples``.

    Args:
      samples: at least one finite number (seconds, bytes, ...).

    Returns:
      ``{"median", "p95", "min", "max", "n", "samples"}``; ``p95`` uses linear interpolation
      between order statistics (NumPy's default).
    """
    values = [float(x) for x in samples]
    if not values:
        raise ValueError("samples must contain at least one number, got an empty sequence")
    if not all(np.isfinite(values)):
        raise ValueError(f"samples must be finite numbers, got {values!r}")
    arr = np.asarray(values)
    return {
        "median": float(np.median(arr)),
        "p95": float(np.percentile(arr, 95)),
        "min": float(arr.min()),
        "max": float(arr.max()),
        "n": len(values),
        "samples": values,
    }


def tree_rss(pid: int) -> int:
    """Resident set size in bytes of process ``pid`` plus all its descendants (0 if gone)."""
    from clipq_edu.doctor import process_tree_rss

    return process_tree_rss(pid)


class RssSampler:
    """Sample the RSS of a process tree every ``interval_s`` in a background thread.

    Use as a context manager; ``pid`` may be given later through :meth:`watch` (a kernel's PID
    is known only once it has started). ``peak_bytes`` is the largest tree total seen.

    Args:
      pid: the root process to watch, or ``None`` to set it later.
      interval_s: seconds between samples (default 0.05).
    """

    def __init__(self, pid: int | None = None, interval_s: float = 0.05) -> None:
        if interval_s <= 0:
            raise ValueError(f"interval_s must be > 0 seconds, got {interval_s!r}")
        self.pid = pid
        self.interval_s = interval_s
        self.peak_bytes = 0
        self.n_samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def watch(self, pid: int) -> None:
        """Start (or switch to) sampling the tree rooted at ``pid``."""
        self.pid = pid

    def sample_now(self) -> int:
        """Take one sample immediately; return the tree's RSS in bytes."""
        if self.pid is None:
            return 0
        rss = tree_rss(self.pid)
        self.n_samples += 1
        self.peak_bytes = max(self.peak_bytes, rss)
        return rss

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample_now()
            self._stop.wait(self.interval_s)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def python_env() -> dict[str, str]:
    """Environment for child Pythons: the repository on ``sys.path``, TF quiet, Agg plots."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env.setdefault("MPLBACKEND", "Agg")
    env.pop("PYTEST_CURRENT_TEST", None)
    return env


def run_json(code: str, *, timeout_s: float = 600.0, python: str | None = None) -> dict[str, Any]:
    """Run ``code`` in a fresh Python process; its last stdout line must be a JSON object.

    Args:
      code: Python source; it must ``print(json.dumps({...}))`` as its final output line.
      timeout_s: kill the child after this many seconds.
      python: interpreter path (default: this one).

    Returns:
      The decoded JSON object, plus ``"wall_s"``: the child's wall time seen from outside
      (interpreter start-up included).
    """
    start = time.perf_counter()
    proc = subprocess.run(
        [python or sys.executable, "-c", code],
        capture_output=True, text=True, timeout=timeout_s, env=python_env(), cwd=ROOT,
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"child Python failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    lines = [ln for ln in proc.stdout.strip().splitlines() if ln.strip()]
    if not lines:
        raise RuntimeError(f"child Python printed nothing; stderr:\n{proc.stderr[-3000:]}")
    result = json.loads(lines[-1])
    result["wall_s"] = wall
    return result


def repeat(fn: Callable[[], dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """Call ``fn`` ``n`` times and return the list of its results."""
    if n < 1:
        raise ValueError(f"n must be >= 1 repeats, got {n!r}")
    return [fn() for _ in range(n)]


def cpu_model() -> str:
    """The CPU model name from ``/proc/cpuinfo`` (or ``platform.processor()``)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_info() -> dict[str, Any]:
    """The machine and software the figures were measured on."""
    from clipq_edu import _env

    versions = {}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    mem_limit = _env.memory_limit_bytes()
    return {
        "cpu_model": cpu_model(),
        "cpus_host": os.cpu_count(),
        "cpus_usable": _env.cpu_quota(),
        "memory_total_gb": round(psutil.virtual_memory().total / 1e9, 1),
        "memory_limit_gb": None if mem_limit is None else round(mem_limit / 1e9, 1),
        "os": f"{platform.system()} {platform.release()}",
        "machine": platform.machine(),
        "python": platform.python_version(),
        "versions": versions,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "date_utc": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
