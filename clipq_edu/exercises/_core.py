"""The exercise system: ``check(answer)``, ``hint()``, ``solution()``.

An exercise knows how to compute its own answer (from the library, so the answer is never
written in a notebook) and how close a student's answer must be. ``check`` tells the student
*what* is wrong (type, shape, sign, order of magnitude) without printing the expected value.
Student answers are plain Python values or callables: nothing is ever ``eval``-ed.

Chapter modules (``clipq_edu.exercises.ch01`` ...) define the exercises::

    q1 = NumericExercise(
        "01.1", "Norm of the gradient (3, 4)",
        expected=lambda: 5.0, rtol=1e-6,
        hints=["The L2 norm is the square root of the sum of squares."],
        solution_text="√(3² + 4²) = 5",
    )

Two environment variables serve graded sessions (read at each call, so a kernel picks them up
when it starts):

* ``CLIPQ_EDU_SOLUTIONS=off`` (also ``0``, ``false``, ``no``): ``solution()`` prints a notice
  instead of the worked solution.
* ``CLIPQ_EDU_RESULTS=/path/results.jsonl``: every ``check`` appends one JSON line
  ``{"exercise", "status", "value", "message"}`` with status ``correct``, ``incorrect``,
  ``not attempted`` or ``needs TFQ`` (an exercise on TFQ's own API, checked where TFQ is not
  installed). It is a convenience log for a session a teacher watches, **not** a grading
  channel: any code in the kernel can write to it. ``tools/collect.py`` (``make collect``)
  decides every verdict in its own process; it points this variable at a decoy file and sets
  ``CLIPQ_EDU_GRADING=1``, under which checks record nothing, so any line in the decoy was
  written by the notebook itself and is flagged.
"""

from __future__ import annotations

import html
import json
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from clipq_edu.i18n import Text, tr

#: Set to ``off``/``0``/``false``/``no`` to switch ``solution()`` off (a graded session).
SOLUTIONS_ENV = "CLIPQ_EDU_SOLUTIONS"
#: A file path: every ``check`` appends its result there as one JSON line (a log, not a
#: grading channel: see the module docstring).
RESULTS_ENV = "CLIPQ_EDU_RESULTS"
#: Set to ``1`` by ``make collect`` in a graded kernel: checks record nothing (the results
#: file is a decoy there).
GRADING_ENV = "CLIPQ_EDU_GRADING"
_OFF = frozenset({"off", "0", "false", "no"})
_VALUE_CHARS = 200

__all__ = [
    "ChoiceExercise",
    "Text",
    "Exercise",
    "Feedback",
    "FunctionExercise",
    "NumericExercise",
]


@dataclass(frozen=True)
class Feedback:
    """The result of a check: truthy when correct, displays as one friendly line."""

    correct: bool
    message: str
    exercise_id: str = ""
    #: False when no answer was given yet (``None`` in the cell, or a function that returns
    #: ``None``): the line then shows that message alone, with no "not yet" in front of it.
    attempted: bool = True

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        label = f"[{self.exercise_id}] " if self.exercise_id else ""
        if not self.correct and not self.attempted:
            return f"{label}✏️ {self.message}"
        mark = tr("✅ Correct", "✅ 正确") if self.correct else tr("❌ Not yet", "❌ 还不对")
        # One colon, after the status: the message's own colons become commas in Chinese
        # ("还不对：这是 10**2（n 的平方），底数应是 2", not "还不对：这是 10**2：底数...").
        message = tr(self.message, str(self.message).replace("：", "，"))
        return f"{label}{mark}{tr(': ', '：')}{message}"

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.correct else "#b35900"
        return f'<span style="color:{colour}">{html.escape(str(self))}</span>'


@dataclass(repr=False)
class Exercise:
    """Base class: an id, a prompt, hints revealed one at a time, and a worked solution.

    Subclasses implement :meth:`_check`. Calling :meth:`check` with ``None`` (the placeholder
    the notebooks use) says that no answer was given yet. Every text a learner reads (prompt,
    hints, solution, options, explanations, feedback) is a :class:`clipq_edu.i18n.Text` in
    English and 中文 and shows in the language set by :func:`clipq_edu.set_language`.
    """

    id: str
    prompt: str
    hints: Sequence[str] = ()
    solution_text: str = ""
    #: The exercise uses TensorFlow Quantum's own API: where TFQ is not installed, a check says
    #: so and is recorded as "needs TFQ" (not "incorrect").
    needs_tfq: bool = False
    #: Points the exercise is worth in a gradebook (``make collect``); an instructor's points
    #: file overrides it.
    points: float = 1.0
    _hints_shown: int = field(default=0, init=False, repr=False)

    def check(self, answer: Any) -> Feedback:
        """Check ``answer``; return a :class:`Feedback` that displays as one line."""
        if answer is None or answer is Ellipsis:
            feedback = Feedback(False, tr("no answer yet: replace `None` with your answer and "
                                          "run the cell again",
                                          "还没有答案：把 None 换成你的答案，再运行这个单元格"),
                                self.id, attempted=False)
            _record(self.id, "not attempted", answer, feedback.message)
            return feedback
        if self.needs_tfq:
            from clipq_edu._backend import has_tfq

            if not has_tfq():
                from clipq_edu._tf import WHERE_TFQ_RUNS

                feedback = Feedback(False, tr(
                    f"this exercise needs TensorFlow Quantum, which is not installed here; "
                    f"check it on {WHERE_TFQ_RUNS}",
                    "这个练习需要 TensorFlow Quantum，而此环境没有安装；请在 Linux x86_64"
                    "（Python 3.11 或 3.12）、Windows 的 WSL、Binder 或 JupyterHub 上检查它"), self.id)
                _record(self.id, NEEDS_TFQ, answer, feedback.message)
                return feedback
        try:
            ok, message = self._check(answer)
        except (TypeError, ValueError) as exc:
            ok, message = False, tr(f"could not check this answer: {exc}",
                                    f"无法检查这个答案：{exc}")
        from clipq_edu.exercises._checks import Unanswered

        status = ("correct" if ok else
                  "not attempted" if isinstance(message, Unanswered) else "incorrect")
        message = str(message)
        _record(self.id, status, answer, message)
        return Feedback(ok, message, self.id, attempted=status != "not attempted")

    def _check(self, answer: Any) -> tuple[bool, str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def hint(self) -> str:
        """Return the next hint (they come one at a time).

        Past the last hint it says there are no more and points to ``solution()``.
        """
        if not self.hints:
            return HintText(tr(f"[{self.id}] No hint for this one: re-read the cell above the "
                               "exercise.", f"[{self.id}] 这道题没有提示：请重读练习上方的单元格。"))
        i = self._hints_shown
        self._hints_shown += 1
        if i >= len(self.hints):
            return HintText(tr(
                f"[{self.id}] That was the last hint ({len(self.hints)} of {len(self.hints)}). "
                f"Still stuck? ex.{self._handle()}.solution() shows a worked solution.",
                f"[{self.id}] 提示已经用完（共 {len(self.hints)} 条）。还是卡住了？"
                f"ex.{self._handle()}.solution() 给出完整解答。"))
        label = tr(f"Hint {i + 1}/{len(self.hints)}", f"提示 {i + 1}/{len(self.hints)}")
        return HintText(f"[{self.id}] {label}{tr(': ', '：')}{self.hints[i]}")

    def _handle(self) -> str:
        """The name the notebooks use for this exercise (``q3`` for ``"07.3"``)."""
        return "q" + self.id.split(".")[-1]

    def solution(self) -> str:
        """Return the worked solution (try ``check`` and ``hint`` first!).

        With ``CLIPQ_EDU_SOLUTIONS=off`` in the environment (a graded session) it returns a
        notice instead.
        """
        if solutions_enabled() is False:
            return HintText(tr(f"[{self.id}] Solutions are switched off for this session "
                               f"({SOLUTIONS_ENV}=off): use check() and hint().",
                               f"[{self.id}] 本次课程关闭了解答（{SOLUTIONS_ENV}=off）："
                               "请使用 check() 和 hint()。"))
        body = self.solution_text or tr("see the chapter text.", "见本章正文。")
        return HintText(f"[{self.id}] {tr('Solution', '解答')}{tr(': ', '：')}{body}")

    def __repr__(self) -> str:
        return f"{tr('Exercise', '练习')} {self.id}{tr(': ', '：')}{self.prompt}"


def solutions_enabled() -> bool:
    """False when ``CLIPQ_EDU_SOLUTIONS`` is ``off``, ``0``, ``false`` or ``no``.

    >>> isinstance(solutions_enabled(), bool)
    True
    """
    return os.environ.get(SOLUTIONS_ENV, "").strip().lower() not in _OFF


def _describe(answer: Any) -> str:
    """A short, one-line description of an answer for the results file."""
    if callable(answer) and hasattr(answer, "__name__"):
        return f"<function {answer.__name__}>"
    try:
        text = repr(answer)
    except Exception:  # a student's object with a broken __repr__
        text = f"<{type(answer).__name__}>"
    text = " ".join(text.split())
    return text if len(text) <= _VALUE_CHARS else text[: _VALUE_CHARS - 1] + "…"


#: The status of a check that needs TensorFlow Quantum where it is not installed.
NEEDS_TFQ = "needs TFQ"


def _record(exercise_id: str, status: str, answer: Any, message: str) -> None:
    """Append one check's result to the file named by ``CLIPQ_EDU_RESULTS`` (if set)."""
    target = os.environ.get(RESULTS_ENV, "").strip()
    if not target or os.environ.get(GRADING_ENV, "").strip() == "1":
        return
    row = {"exercise": exercise_id, "status": status,
           "value": "" if answer is None else _describe(answer), "message": message}
    try:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    except OSError:  # recording must never break a student's check
        pass


class HintText(str):
    """A string that displays without quotes in Jupyter."""

    def __repr__(self) -> str:
        return str(self)


def _magnitude_hint(got: float, want: float) -> str:
    if want == 0 or got == 0:
        return tr("not close enough", "还不够接近")
    if math.copysign(1, got) != math.copysign(1, want):
        return tr("the sign is wrong", "符号不对")
    ratio = abs(got / want)
    if ratio > 3:
        return tr("too large (by more than a factor 3)", "太大了（超过 3 倍）")
    if ratio < 1 / 3:
        return tr("too small (by more than a factor 3)", "太小了（不到 1/3）")
    return tr("too large", "偏大") if abs(got) > abs(want) else tr("too small", "偏小")


#: The fewest significant figures an answer to a non-integer value may be given with.
MIN_SIGNIFICANT = 3


def significant_figures(value: float) -> int:
    """Significant figures of ``value`` as the learner wrote it (its shortest decimal form).

    >>> significant_figures(-0.296), significant_figures(0.29552), significant_figures(1550.0)
    (3, 5, 3)
    >>> significant_figures(0.3), significant_figures(2.5e-05)
    (1, 2)
    """
    if value == 0 or not math.isfinite(value):
        return 1
    mantissa = repr(abs(float(value))).split("e")[0].replace(".", "")
    return max(len(mantissa.lstrip("0").rstrip("0")), 1)


def round_significant(value: float, figures: int) -> float:
    """``value`` rounded to ``figures`` significant figures.

    >>> round_significant(-0.29552, 3), round_significant(0.0123456, 4)
    (-0.296, 0.01235)
    """
    return float(f"{float(value):.{max(figures, 1) - 1}e}")


def _written_like(got: np.ndarray, want: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per entry: is ``got`` the true value rounded to the figures the learner gave, and
    did the learner give fewer than :data:`MIN_SIGNIFICANT` figures?

    "Rounded" means within half a unit of the answer's last digit, ties included, so both
    neighbours of an exact tie count (0.12 and 0.13 for 0.125).
    """
    figures = np.vectorize(significant_figures, otypes=[int])(got)
    units = np.vectorize(last_digit_unit, otypes=[float])(want, figures)
    same = np.abs(got - want) <= 0.5 * units * (1 + 1e-9) + 1e-12 * np.abs(want)
    return same, figures < MIN_SIGNIFICANT


def _as_real(answer: Any) -> np.ndarray | str:
    """``answer`` as a float array; a complex answer only when its imaginary parts vanish.

    Returns the message for the learner instead when the answer is not real.
    """
    arr = np.asarray(answer)
    if arr.dtype == object:  # a tuple mixing Python complex and real numbers
        try:
            arr = np.asarray(answer, dtype=complex)
        except (TypeError, ValueError):
            return tr(f"the answer should be numeric, got {type(answer).__name__}",
                      f"答案应该是数值，收到的是 {type(answer).__name__}")
    if np.iscomplexobj(arr):
        if np.any(np.abs(arr.imag) > 1e-9 * np.maximum(1.0, np.abs(arr.real))):
            return tr("the answer has an imaginary part, but the values asked for here are real",
                      "答案带有虚部，而这里要求的值是实数")
        arr = arr.real
    try:
        return np.asarray(arr, dtype=float)
    except (TypeError, ValueError):
        return tr(f"the answer should be numeric, got {type(answer).__name__}",
                  f"答案应该是数值，收到的是 {type(answer).__name__}")


def last_digit_unit(value: float, digits: int) -> float:
    """One unit in the last place of ``value`` written with ``digits`` significant digits.

    >>> last_digit_unit(-0.29552, 4)
    0.0001
    >>> last_digit_unit(24576, 3)
    100.0
    """
    if value == 0 or not math.isfinite(value):
        return 0.0
    exponent = math.floor(math.log10(abs(value))) - digits + 1
    return float(round(10.0**exponent, max(0, -exponent)))


def _format_value(value: np.ndarray) -> str:
    """The exact answer as the success message shows it (6 significant digits)."""
    if value.ndim == 0:
        v = float(value)
        return f"{int(v)}" if v.is_integer() and abs(v) < 1e15 else f"{v:.6g}"
    return "(" + ", ".join(_format_value(np.asarray(v)) for v in value.ravel()) + ")"


def _closeness(got: np.ndarray, want: np.ndarray) -> str:
    """'exactly ...' or 'within 0.07 % of the exact value ...' for a correct answer."""
    exact = _format_value(want)
    err = np.abs(got - want)
    if np.all(err <= 1e-12 * np.maximum(1.0, np.abs(want))):
        return tr(f"exactly right: {exact}.", f"完全正确，精确值为 {exact}。")
    scale = np.where(want != 0, np.abs(want), np.max(np.abs(want)) or 1.0)
    pct = float(np.max(err / scale)) * 100
    if want.ndim == 0:
        return tr(f"within {pct:.2g} % of the exact value {exact}.",
                  f"与精确值 {exact} 相差不到 {pct:.2g}%。")
    return tr(f"every entry within {pct:.2g} % of the exact values {exact}.",
              f"每个分量与精确值 {exact} 相差都不到 {pct:.2g}%。")


@dataclass(repr=False)
class NumericExercise(Exercise):
    """An answer that is a number or an array of numbers, compared with tolerances.

    Args:
      expected: a zero-argument callable computing the answer with the library.
      rtol, atol: tolerances as in ``numpy.allclose``. For shot-based answers set ``atol`` to a
        few standard errors.
      digits: significant digits the course prints the answer with (solution text, instructor
        guide, a printout). An answer within half a unit of that last digit is accepted, so
        the value as the course prints it (and any more precise one) passes. ``None``:
        ``rtol``/``atol`` only (exact integers use ``atol=0.5``).
      shown: the answer exactly as the solution text prints it (each string must appear in
        ``solution_text``); the tests check that every one passes the check.

    A non-integer value is also accepted as the learner writes it: when the true value,
    rounded to the significant figures the answer has (at least :data:`MIN_SIGNIFICANT`),
    equals the answer (−0.296 for −0.29552). Right but too coarse (−0.3) is told to give more
    digits. Integer values must be exact. A correct answer's feedback says how close it was,
    e.g. "within 0.0068 % of the exact value -0.29552"; a wrong one says what is off without
    revealing the value.
    """

    expected: Callable[[], Any] = field(default=lambda: 0.0)
    rtol: float = 1e-6
    atol: float = 0.0
    digits: int | None = None
    shown: Sequence[str] = ()
    #: Typical mistakes: ``(wrong, message)`` pairs, where ``wrong()`` computes the value the
    #: mistaken method gives (apply the wrong method, never hard-code its result) and
    #: ``message`` names the mistake without giving the answer. An answer within tolerance of
    #: ``wrong()`` (and not of the true value) gets that message.
    mistakes: Sequence[tuple[Callable[[], Any], str]] = ()

    def tolerance(self, want: Any) -> np.ndarray:
        """The accepted absolute deviation for each entry of the exact answer ``want``."""
        want = np.asarray(want, dtype=float)
        tol = self.atol + self.rtol * np.abs(want)
        if self.digits is not None:
            scale = float(np.max(np.abs(want))) if want.size else 0.0
            units = np.vectorize(lambda v: last_digit_unit(v if v else scale, self.digits),
                                 otypes=[float])(want)
            tol = np.maximum(tol, 0.5 * units * (1 + 1e-6))
        return tol

    def _check(self, answer: Any) -> tuple[bool, str]:
        if isinstance(answer, (str, bytes)):
            return False, tr("the answer should be a number (or numbers), not text",
                             "答案应该是数（或一组数），而不是文字")
        got = _as_real(answer)
        if isinstance(got, str):
            return False, got
        want = np.asarray(self.expected(), dtype=float)
        if got.shape != want.shape:
            return False, tr(f"expected an answer of shape {want.shape}, got shape {got.shape}",
                             f"答案的形状应为 {want.shape}，收到的形状是 {got.shape}")
        if not np.all(np.isfinite(got)):
            return False, tr("the answer holds NaN or Inf", "答案中含有 NaN 或 Inf")
        ok = np.abs(got - want) <= self.tolerance(want)
        coarse_right = False
        if not np.all(want == np.round(want)):  # a decimal value: the significant-figure rule
            rounded_ok, coarse = _written_like(got, want)
            if np.all(ok | (rounded_ok & ~coarse)):
                return True, tr("well done, ", "做得好，") + _closeness(got, want)
            coarse_right = bool(np.all(ok | rounded_ok))
        if np.all(ok):
            return True, tr("well done, ", "做得好，") + _closeness(got, want)
        for wrong, message in self.mistakes:  # before "more digits": 2 for 2.5 may be a method
            bad = np.asarray(wrong(), dtype=float)
            if bad.shape == got.shape and np.all(np.abs(got - bad) <= self.tolerance(bad)):
                return False, str(message)
        if coarse_right:
            return False, tr(f"right as far as it goes: give more digits (at least "
                             f"{MIN_SIGNIFICANT} significant figures)",
                             f"目前为止是对的：请多给几位（至少 {MIN_SIGNIFICANT} 位有效数字）")
        if got.ndim == 0:
            return False, _magnitude_hint(float(got), float(want))
        return False, tr(f"{int(np.sum(~ok))} of {got.size} entries are off",
                         f"{got.size} 个分量中有 {int(np.sum(~ok))} 个不对")


@dataclass(repr=False)
class ChoiceExercise(Exercise):
    """Pick one option by its key (``"a"``, ``"b"``...); each wrong pick explains itself."""

    options: dict[str, str] = field(default_factory=dict)
    correct: str = ""
    explanations: dict[str, str] = field(default_factory=dict)

    def _check(self, answer: Any) -> tuple[bool, str]:
        key = str(answer).strip().lower()
        if key not in self.options:
            keys = ", ".join(repr(k) for k in self.options)
            return False, tr(f"choose one of {keys}, got {answer!r}",
                             f"请从 {keys} 中选一个，收到的是 {answer!r}")
        if key == self.correct:
            return True, str(self.explanations.get(key, tr("well done.", "做得好。")))
        return False, str(self.explanations.get(key, tr("that option does not hold; try another",
                                                        "这个选项不成立，再试试别的")))

    def __repr__(self) -> str:
        opts = "\n".join(f"  {k}) {v}" for k, v in self.options.items())
        return f"{tr('Exercise', '练习')} {self.id}{tr(': ', '：')}{self.prompt}\n{opts}"


@dataclass(repr=False)
class FunctionExercise(Exercise):
    """The answer is anything (often a function the student wrote); a checker judges it.

    Args:
      checker: ``checker(answer) -> (ok, message)``; it must not reveal the expected value.
    """

    checker: Callable[[Any], tuple[bool, str]] = field(
        default=lambda a: (False, tr("no checker", "没有检查函数")))

    def _check(self, answer: Any) -> tuple[bool, str]:
        return self.checker(answer)
