"""Exercises for every chapter: ``from clipq_edu.exercises import ch01 as ex; ex.q1.check(x)``.

Each chapter module defines ``q1``, ``q2`` ... as :class:`~clipq_edu.exercises._core.Exercise`
objects. :func:`all_exercises` lists them (the tests check every one with right and wrong
answers). For graded sessions (docs/instructors.md): :data:`SOLUTIONS_ENV` switches
``solution()`` off (:func:`solutions_enabled`), and :data:`RESULTS_ENV` names the file every
check is recorded in. A numeric exercise with ``digits`` accepts an answer within half a
:func:`last_digit_unit` of the expected value: the precision the course prints it at.
"""

from __future__ import annotations

import importlib
import pkgutil

from clipq_edu.exercises._core import (
    RESULTS_ENV,
    SOLUTIONS_ENV,
    ChoiceExercise,
    Exercise,
    Feedback,
    FunctionExercise,
    NumericExercise,
    last_digit_unit,
    solutions_enabled,
)

__all__ = [
    "RESULTS_ENV",
    "SOLUTIONS_ENV",
    "ChoiceExercise",
    "Exercise",
    "Feedback",
    "FunctionExercise",
    "NumericExercise",
    "all_exercises",
    "chapter_modules",
    "last_digit_unit",
    "solutions_enabled",
]


def chapter_modules() -> list[str]:
    """Names of the chapter modules (``ch01``, ``ch02`` ...) that exist."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("ch"))


def all_exercises() -> dict[str, Exercise]:
    """Every exercise of every chapter, keyed by its id (``"01.1"`` ...)."""
    found: dict[str, Exercise] = {}
    for name in chapter_modules():
        module = importlib.import_module(f"{__name__}.{name}")
        for value in vars(module).values():
            if isinstance(value, Exercise):
                if value.id in found and found[value.id] is not value:
                    raise RuntimeError(f"duplicate exercise id {value.id!r} in {name}")
                found[value.id] = value
    return found
