"""clipq_edu's benchmark suite: one command measures the course's speed and memory.

Run ``python -m benchmarks`` (or ``make bench``) from the repository root inside the
project's virtual environment. It writes ``benchmarks/results.json`` (every raw sample and
its median) and ``benchmarks/RESULTS.md`` (tables, PNG plots, the machine, the targets).

Sections (``--only`` picks some): ``startup`` (fresh-process import and first quantum
result), ``notebooks`` (each chapter executed headless, wall time and peak RSS of its
kernel), ``widgets`` (callback latency of every explorer in a real kernel), ``quantum``
(the McClean kernel's speed and gradient throughput, from ``benchmarks/bench_quantum.py``) and
``peers`` (the barren-plateau experiment by clipq_edu's engine, clipq_edu through TFQ, the TFQ
tutorial's code path, PennyLane and tensorcircuit-ng, on the same circuits in one run; each
peer library in its own virtual environment).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "benchmarks"
RESULTS_JSON = BENCH_DIR / "results.json"
RESULTS_MD = BENCH_DIR / "RESULTS.md"

__all__ = ["BENCH_DIR", "RESULTS_JSON", "RESULTS_MD", "ROOT"]
