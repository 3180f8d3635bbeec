"""Write the instructors' answer key to a file the course site never publishes (``make answer-key``).

Usage::

    python tools/answer_key.py                  # -> _build/answer_key.md
    python tools/answer_key.py --out key.md

The key has three parts: the answer-key blocks of ``docs/instructors.md``, between
``<!-- answer-key:begin -->`` and ``<!-- answer-key:end -->`` (``make book`` drops those
blocks); generated from the exercise objects themselves, every exercise's id, points and
worked solution; and ``docs/capstone.md`` (the capstone's seeds, faults and rubric: the site
never publishes it). A chapter module that
fails to import is named in the file instead of stopping it.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "_build" / "answer_key.md"
_BLOCK = re.compile(r"<!-- answer-key:begin -->\n?(.*?)<!-- answer-key:end -->", re.S)


def guide_blocks(paths: list[Path]) -> list[str]:
    """The answer-key blocks of the given guides, in order."""
    blocks = []
    for path in paths:
        if path.is_file():
            blocks += [m.strip() for m in _BLOCK.findall(path.read_text(encoding="utf-8"))]
    return blocks


def exercise_lines() -> list[str]:
    """One entry per exercise of every chapter module: id, points, worked solution."""
    import clipq_edu  # noqa: F401
    from clipq_edu.exercises import Exercise, chapter_modules

    lines = []
    for name in chapter_modules():
        try:
            module = importlib.import_module(f"clipq_edu.exercises.{name}")
        except Exception as exc:  # another chapter being edited must not stop the key
            lines.append(f"- `{name}` could not be imported: {type(exc).__name__}: {exc}")
            continue
        for value in vars(module).values():
            if isinstance(value, Exercise):
                solution = str(value.solution_text).strip().replace("\n", "\n      ")
                correct = getattr(value, "correct", "")
                lines.append(f"- **{value.id}** ({value.points:g} pt)"
                             f"{f', option ({correct})' if correct else ''}: {solution}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    blocks = guide_blocks([ROOT / "docs" / "instructors.md"])
    capstone = ROOT / "docs" / "capstone.md"
    text = ["# Answer key (instructors only: do not publish)", "",
            "## Expected answers and common mistakes (from docs/instructors.md)", "",
            *blocks, "", "## Every exercise's worked solution (from the library)", "",
            *exercise_lines(), ""]
    if capstone.is_file():  # instructors-only as a whole: seeds, faults, answers, rubric
        body = capstone.read_text(encoding="utf-8").replace("\n# ", "\n## ")
        text += ["## The capstone (docs/capstone.md)", "",
                 body.split("\n", 1)[-1] if body.startswith("# ") else body, ""]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(text), encoding="utf-8")
    print(f"answer key: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
