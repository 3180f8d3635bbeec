"""The quantum-core section of ``python -m benchmarks``: figures from ``bench_quantum.py``.

The barren-plateau experiment against the tutorial's code path, PennyLane and tensorcircuit-ng
is the ``peers`` section (``peers.py``): every implementation in one run, on the same circuits.
"""

from __future__ import annotations

from typing import Any


def run(repeat: int = 1, log: Any = print) -> dict[str, Any]:
    """The kernel and gradient-throughput figures of ``bench_quantum.run``."""
    from benchmarks import bench_quantum

    return {"source": "benchmarks/bench_quantum.py:run", **bench_quantum.run(repeat=repeat, log=log)}
