"""The course's exercises as a whole (issue 27): the learner writes code for every skill.

Per chapter (notebook) 01-07 at least two code exercises and at least three exercises of any
kind; at least 20 code exercises in all; the central skills present (a ``tf.GradientTape``
training loop, a Cirq circuit built from a description); and no hint of a code exercise hands
over the working statement.
"""

from __future__ import annotations

import collections
import re

import pytest

from clipq_edu.exercises import FunctionExercise, all_exercises
from clipq_edu.i18n import Text

CHAPTERS = ("01", "02", "03a", "03b", "03c", "04", "05", "06", "07")


def _chapter(ex_id: str) -> str:
    return ex_id.split(".")[0]


def _texts(value) -> list[str]:
    """Both languages of a Text, or the string itself."""
    if isinstance(value, Text):
        return [value.en, value.zh]
    return [str(value)]


EXERCISES = all_exercises()
CODE = {k: v for k, v in EXERCISES.items() if isinstance(v, FunctionExercise)}


def test_at_least_twenty_code_exercises():
    assert len(CODE) >= 20, sorted(CODE)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_chapter_has_two_code_exercises_and_three_in_all(chapter):
    counts = collections.Counter(_chapter(k) for k in CODE)
    everything = collections.Counter(_chapter(k) for k in EXERCISES)
    assert counts[chapter] >= 2, f"chapter {chapter}: code exercises {counts[chapter]}"
    assert everything[chapter] >= 3, f"chapter {chapter}: exercises {everything[chapter]}"


def test_the_central_skills_are_written_by_the_learner():
    prompts = {k: " ".join(_texts(v.prompt)) for k, v in CODE.items()}
    assert any("GradientTape" in p for p in prompts.values()), "no GradientTape loop exercise"
    assert any(re.search(r"\bCirq\b|cirq\.", p) for p in prompts.values()), "no Cirq circuit"


@pytest.mark.parametrize("ex_id", sorted(CODE))
def test_no_code_hint_hands_over_the_code(ex_id):
    for hint in CODE[ex_id].hints:
        for text in _texts(hint):
            assert "return " not in text, f"{ex_id}: a hint contains 'return ': {text!r}"
