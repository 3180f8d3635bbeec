"""The quantum-core figures: barren-plateau experiment and gradient throughput.

``benchmarks/bench_quantum.py`` (written with the quantum core) measures these; this module
calls its ``run`` function when it exists and merges what it returns. Without it, a smaller
fallback times the full barren-plateau setting with clipq_edu and the tutorial approach on the
small qubit counts, in the same session, so a ratio is still reported.
"""

from __future__ import annotations

import importlib
import inspect
import time
from typing import Any

from benchmarks.harness import summarize


def _from_bench_quantum(repeat: int, log: Any) -> dict[str, Any] | None:
    try:
        module = importlib.import_module("benchmarks.bench_quantum")
    except ImportError:
        return None
    for name in ("run", "main", "run_all"):
        fn = getattr(module, name, None)
        if callable(fn):
            params = inspect.signature(fn).parameters
            kwargs: dict[str, Any] = {}
            if "repeat" in params:
                kwargs["repeat"] = repeat
            if "log" in params:
                kwargs["log"] = log
            result = fn(**kwargs)
            if isinstance(result, dict):
                return {"source": f"benchmarks/bench_quantum.py:{name}", **result}
    return None


def fallback(repeat: int = 1, qubits: tuple[int, ...] = (4, 6, 8, 10, 12),
             tutorial_qubits: tuple[int, ...] = (4, 6), depth: int = 50, n_circuits: int = 200,
             log: Any = print) -> dict[str, Any]:
    """clipq_edu's full barren-plateau setting and the tutorial approach on a subset, timed."""
    from clipq_edu import experiments

    experiments.barren_plateau_variance(4, depth=2, n_circuits=4)  # warm up TF
    full, ours_sub, tut_sub = [], [], []
    for _ in range(repeat):
        t = time.perf_counter()
        variances = experiments.barren_plateau_variance(qubits, depth=depth, n_circuits=n_circuits)
        full.append(time.perf_counter() - t)
        t = time.perf_counter()
        experiments.barren_plateau_variance(tutorial_qubits, depth=depth, n_circuits=n_circuits)
        ours_sub.append(time.perf_counter() - t)
        t = time.perf_counter()
        tut_var = experiments.barren_plateau_tutorial_style(tutorial_qubits, depth=depth,
                                                            n_circuits=n_circuits)
        tut_sub.append(time.perf_counter() - t)
        log(f"  BP full {full[-1]:.1f} s; on n={tutorial_qubits}: clipq_edu {ours_sub[-1]:.2f} s, "
            f"tutorial style {tut_sub[-1]:.1f} s")
    return {
        "source": "benchmarks/quantum.py:fallback (bench_quantum.py not found)",
        "barren_plateau_full_setting": {"qubits": list(qubits), "depth": depth,
                                        "n_circuits": n_circuits, "seconds": summarize(full),
                                        "variance": {str(k): v for k, v in variances.items()}},
        "tutorial_comparison": {
            "qubits": list(tutorial_qubits),
            "clipq_edu_s": summarize(ours_sub),
            "tutorial_style_s": summarize(tut_sub),
            "speedup": summarize([b / a for a, b in zip(ours_sub, tut_sub, strict=True)]),
            "tutorial_variance": {str(k): v for k, v in tut_var.items()},
        },
    }


def run(repeat: int = 1, log: Any = print) -> dict[str, Any]:
    """The quantum figures from bench_quantum.py, or the fallback when it is missing."""
    result = _from_bench_quantum(repeat, log)
    if result is None:
        log("  benchmarks/bench_quantum.py not found: running the fallback")
        result = fallback(repeat=repeat, log=log)
    return result
