"""Helpers for code exercises: call a learner's function safely and describe what went wrong.

A code exercise (:class:`~clipq_edu.exercises._core.FunctionExercise`) calls the learner's
function on ragged, edge-case and random inputs. These helpers keep those checkers short and
their messages uniform: they never raise, and they never print the expected values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from clipq_edu.i18n import tr

__all__ = [
    "NotAttempted",
    "StudentError",
    "Unanswered",
    "as_array",
    "call",
    "describe_case",
    "guarded",
    "require_callable",
]


class StudentError(Exception):
    """Raised inside a checker to stop with a message for the learner."""


class NotAttempted(StudentError):
    """The learner's function is still the stub: it returns ``None``."""


class Unanswered(str):
    """A checker's message meaning "not attempted yet" (graded as such by ``make collect``)."""


def require_callable(fn: Any, signature: str) -> None:
    """Raise :class:`StudentError` unless ``fn`` is a function (name the expected signature)."""
    if not callable(fn):
        raise StudentError(tr(f"pass your function itself to check: def {signature}: ...",
                              f"请把你的函数本身传给 check：def {signature}: ..."))


def call(fn: Callable[..., Any], *args: Any, what: str) -> Any:
    """Call ``fn(*args)``; turn any exception or a ``None`` result into a :class:`StudentError`.

    Args:
      fn: the learner's function.
      *args: its arguments (the checker passes copies, so mutation can be detected).
      what: a short description of the case, used in the message ("a zero gradient"); write it
        with :func:`clipq_edu.i18n.tr` so it follows the language.
    """
    try:
        with np.errstate(all="ignore"):  # a NaN is reported by the checker, in words
            out = fn(*args)
    except Exception as exc:  # noqa: BLE001 - report the learner's error, never raise it
        name = type(exc).__name__
        raise StudentError(tr(f"for {what} your function raised {name}: {exc}",
                              f"对于{what}，你的函数抛出了 {name}：{exc}")) from None
    if out is None:
        raise NotAttempted(tr("your function returns None: fill in its body and return the result",
                              "你的函数返回了 None：请补全函数体并返回结果"))
    return out


def as_array(value: Any, shape: tuple[int, ...], what: str, *, nonfinite: str = "") -> np.ndarray:
    """``value`` as a float array of ``shape``, or a :class:`StudentError` saying what differs.

    ``nonfinite`` is appended to the message when the result holds NaN or Inf (a likely cause).
    """
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        name = type(value).__name__
        raise StudentError(tr(f"for {what} your function returned {name}, not numbers",
                              f"对于{what}，你的函数返回了 {name}，而不是数值")) from None
    if arr.shape != shape:
        raise StudentError(tr(f"for {what} the result has shape {arr.shape}, expected {shape}",
                              f"对于{what}，结果的形状是 {arr.shape}，应为 {shape}"))
    if not np.all(np.isfinite(arr)):
        raise StudentError(tr(f"for {what} the result holds NaN or Inf{nonfinite}",
                              f"对于{what}，结果中含有 NaN 或 Inf{nonfinite}"))
    return arr


def describe_case(what: str, **values: Any) -> str:
    """A short case description such as ``"lr=0.1, clip=1.0"`` appended to ``what``."""
    if not values:
        return what
    inner = ", ".join(f"{k}={v!r}" for k, v in values.items())
    return f"{what} ({inner})"


def guarded(body: Callable[[Any], str]) -> Callable[[Any], tuple[bool, str]]:
    """Turn ``body(answer) -> success message`` (raising :class:`StudentError`) into a checker.

    >>> def body(fn):
    ...     require_callable(fn, "f(x)")
    ...     return "fine"
    >>> guarded(body)(3)
    (False, 'pass your function itself to check: def f(x): ...')
    >>> guarded(body)(abs)
    (True, 'fine')
    """

    def checker(answer: Any) -> tuple[bool, str]:
        try:
            return True, body(answer)
        except NotAttempted as exc:
            return False, Unanswered(str(exc))
        except StudentError as exc:
            return False, str(exc)

    checker.__name__ = getattr(body, "__name__", "checker")
    checker.__doc__ = body.__doc__
    return checker
