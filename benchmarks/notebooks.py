"""Chapter notebooks executed headless: wall time top to bottom and peak RSS of the kernel.

Each notebook runs in a fresh kernel of this Python (as nbval and ``tools/run_notebooks.py``
run it: working directory ``notebooks/``, file-descriptor output not captured). The notebook
is read into memory and never written back, so the repository is not modified. While it
runs, a thread samples the resident memory of the kernel's whole process tree every 50 ms.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import ROOT
from benchmarks.harness import RssSampler, summarize

NOTEBOOKS = ROOT / "notebooks"


def kernel_dir() -> Path:
    """A temporary Jupyter data dir with a ``python3`` kernelspec that runs this interpreter.

    The same kernelspec ``make notebooks`` uses (``tools/run_notebooks.py``), so benchmarked
    runs and stored outputs come from identical kernels.
    """
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from run_notebooks import kernel_dir as _tool_kernel_dir
    finally:
        sys.path.pop(0)
    return Path(_tool_kernel_dir())


def find_notebooks(pattern: str | None = None, folder: Path = NOTEBOOKS) -> list[Path]:
    """The chapter notebooks ``NN_name.ipynb`` / ``NNa_name.ipynb`` in ``folder``, sorted, optionally filtered."""
    paths = sorted(p for p in folder.glob("[0-9][0-9]*_*.ipynb"))
    if pattern:
        parts = [p.strip() for p in pattern.split(",") if p.strip()]
        paths = [p for p in paths if any(part in p.name for part in parts)]
    return paths


#: A code cell computes a quantum result when it calls the simulator, a TFQ layer or a circuit.
QUANTUM_CELL = re.compile(r"\b(tfq\.|simulate\.|sampling\.|landscapes\.|gradients\.|"
                          r"circuits\.|quantum\.|cirq\.(Simulator|final_state))")


def execute_notebook(path: Path, *, timeout_s: int = 600, interval_s: float = 0.05) -> dict[str, Any]:
    """Execute ``path`` once in a fresh kernel; measure wall time and peak kernel RSS.

    Args:
      path: a ``.ipynb`` file.
      timeout_s: per-cell timeout in seconds.
      interval_s: RSS sampling period in seconds.

    Returns:
      ``{"wall_s", "peak_rss_bytes", "rss_samples", "cells": [(index, seconds, first line)],
      "first_quantum_s", "error"}``; ``wall_s`` includes the kernel's start-up;
      ``first_quantum_s`` is the time from starting the kernel to the end of the first cell
      that computes a quantum result (:data:`QUANTUM_CELL`), ``None`` in a chapter without one. ``error`` is ``None`` or the
      exception text (a failing notebook is still reported, with the time up to the failure).
    """
    import nbformat
    from nbclient import NotebookClient

    data_dir = kernel_dir()
    old_path = os.environ.get("JUPYTER_PATH")
    old_backend = os.environ.pop("MPLBACKEND", None)
    os.environ["JUPYTER_PATH"] = str(data_dir) + (os.pathsep + old_path if old_path else "")
    nb = nbformat.read(path, as_version=4)
    cell_times: list[tuple[int, float, str]] = []
    started: dict[int, float] = {}
    error = None
    first_quantum: float | None = None
    start = time.perf_counter()
    with RssSampler(interval_s=interval_s) as sampler:
        client = NotebookClient(
            nb, timeout=timeout_s, kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        )

        def on_start(cell: Any, cell_index: int) -> None:
            prov = getattr(client.km, "provisioner", None)
            pid = getattr(prov, "pid", None)
            if pid is not None and sampler.pid != pid:
                sampler.watch(pid)
            started[cell_index] = time.perf_counter()

        def on_done(cell: Any, cell_index: int, **_: Any) -> None:
            nonlocal first_quantum
            if first_quantum is None and QUANTUM_CELL.search(cell.source):
                first_quantum = time.perf_counter() - start
            first = (cell.source.splitlines() or [""])[0][:60]
            t0 = started.get(cell_index, time.perf_counter())
            cell_times.append((cell_index, time.perf_counter() - t0, first))
            sampler.sample_now()

        client.on_cell_start = on_start
        client.on_cell_executed = on_done
        start = time.perf_counter()
        try:
            client.execute()
        except Exception as exc:  # report the failure with the figures so far
            error = f"{type(exc).__name__}: {str(exc)[-500:]}"
        wall = time.perf_counter() - start
    if old_path is None:
        os.environ.pop("JUPYTER_PATH", None)
    else:
        os.environ["JUPYTER_PATH"] = old_path
    if old_backend is not None:
        os.environ["MPLBACKEND"] = old_backend
    shutil.rmtree(data_dir, ignore_errors=True)
    return {
        "wall_s": wall,
        "peak_rss_bytes": sampler.peak_bytes,
        "rss_samples": sampler.n_samples,
        "cells": cell_times,
        "first_quantum_s": first_quantum,
        "error": error,
    }


def run(repeat: int = 1, pattern: str | None = None, log: Any = print) -> dict[str, Any]:
    """Benchmark every chapter notebook ``repeat`` times; medians per notebook and the total.

    Returns:
      ``{"notebooks": {name: {"wall_s": summary, "peak_rss_bytes": summary, "slowest_cells",
      "errors"}}, "total_wall_s": sum of medians, "total_wall_s_runs": per-repeat sums}``.
    """
    results: dict[str, Any] = {}
    per_run_totals = [0.0] * repeat
    for path in find_notebooks(pattern):
        runs = []
        for i in range(repeat):
            r = execute_notebook(path)
            per_run_totals[i] += r["wall_s"]
            log(f"  {path.name} run {i + 1}/{repeat}: {r['wall_s']:.1f} s, "
                f"peak RSS {r['peak_rss_bytes'] / 1e9:.2f} GB" + (f", ERROR {r['error'][:120]}" if r["error"] else ""))
            runs.append(r)
        slowest = sorted(runs[-1]["cells"], key=lambda c: -c[1])[:3]
        results[path.name] = {
            "wall_s": summarize([r["wall_s"] for r in runs]),
            "peak_rss_bytes": summarize([r["peak_rss_bytes"] for r in runs]),
            "slowest_cells": [{"index": i, "seconds": round(s, 2), "first_line": t} for i, s, t in slowest],
            "errors": [r["error"] for r in runs if r["error"]],
            "first_quantum_s": (None if runs[-1]["first_quantum_s"] is None else
                                summarize([r["first_quantum_s"] for r in runs])),
        }
    total = sum(v["wall_s"]["median"] for v in results.values())
    return {"notebooks": results, "total_wall_s": total, "total_wall_s_runs": per_run_totals}
