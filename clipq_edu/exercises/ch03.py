"""Deprecated: chapter 03's exercises now live in one module per notebook.

``ch03a`` (03a_clipping_math), ``ch03b`` (03b_quantum_deep_learning) and ``ch03c``
(03c_clipping_meets_quantum), each numbered from q1. This module keeps old student copies
working: ``ch03.q2`` is ``ch03a.q1`` and so on, with a :class:`DeprecationWarning`.

>>> import warnings
>>> from clipq_edu.exercises import ch03 as ex
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore", DeprecationWarning)
...     ex.q1.id
'03b.1'
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

#: Old name -> (new module, new name).
RENAMED: dict[str, tuple[str, str]] = {
    "q1": ("ch03b", "q1"),
    "q2": ("ch03a", "q1"),
    "q3": ("ch03a", "q2"),
    "q4": ("ch03a", "q3"),
    "q5": ("ch03b", "q2"),
    "q6": ("ch03c", "q1"),
    "TELEMETRY": ("ch03a", "TELEMETRY"),
    "telemetry_norms": ("ch03a", "telemetry_norms"),
}

__all__ = ["RENAMED"]


def __getattr__(name: str) -> Any:
    if name not in RENAMED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, new = RENAMED[name]
    warnings.warn(
        f"clipq_edu.exercises.ch03.{name} is deprecated: use "
        f"`from clipq_edu.exercises import {module} as ex` and ex.{new}",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(importlib.import_module(f"clipq_edu.exercises.{module}"), new)
