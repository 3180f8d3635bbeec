"""Shared by the per-chapter exercise tests: the reference solution of a code exercise."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

_BASE = {"np": np, "math": math}


def reference_function(exercise: Any, name: str | None = None) -> Callable[..., Any]:
    """The function defined by ``exercise.solution_text`` (our own reference code, never a
    learner's): the one called ``name``, or the first function the text defines."""
    namespace = dict(_BASE)
    exec(str(exercise.solution_text), namespace)  # noqa: S102 - the exercise's own reference
    if name is not None:
        return namespace[name]
    return next(v for k, v in namespace.items() if k not in _BASE and callable(v))
