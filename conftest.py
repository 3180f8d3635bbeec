"""pytest hooks shared by the unit tests and the notebook (nbval) tests."""

from __future__ import annotations

import os

# Before anything imports TensorFlow (see clipq_edu/_env.py).
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")


def pytest_collectstart(collector):
    """Do not compare stderr in notebooks: TensorFlow's C++ log lines vary by CPU and by
    whether ipykernel captures file-descriptor output (it does not under pytest)."""
    if hasattr(collector, "skip_compare"):
        collector.skip_compare = (*collector.skip_compare, "stderr")
