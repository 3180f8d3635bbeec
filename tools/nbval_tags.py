"""Turn nbval's comment markers into cell tags, in place, so students never see them.

Usage (from the repository root, inside the project's virtual environment)::

    python tools/nbval_tags.py notebooks/*.ipynb           # convert in place
    python tools/nbval_tags.py --check notebooks/*.ipynb   # exit 1 if a marker is left

nbval reads either a leading comment line (``# NBVAL_IGNORE_OUTPUT``) or the equivalent cell
tag (``nbval-ignore-output``). The tag lives in the cell's metadata, where JupyterLab's
property inspector shows it to authors but the notebook view does not show it to students.

For every code cell, the lines that are only an nbval marker comment are removed (wherever
they are: nbval reads them anywhere in a cell) and the matching tags added. Everything else is
kept as it is: other comments, the rest of the source, outputs, execution counts and other
metadata. A notebook without markers is not rewritten, so running the tool twice changes
nothing.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

#: nbval's comment markers and the cell tags that mean the same.
MARKER_TAGS = {
    "NBVAL_IGNORE_OUTPUT": "nbval-ignore-output",
    "NBVAL_SKIP": "nbval-skip",
    "NBVAL_CHECK_OUTPUT": "nbval-check-output",
    "NBVAL_RAISES_EXCEPTION": "nbval-raises-exception",
    "PYTEST_VALIDATE_IGNORE_OUTPUT": "nbval-ignore-output",  # nbval's old spelling
}
_MARKER_LINE = re.compile(r"^\s*#+\s*(?P<marker>(?:NBVAL|PYTEST_VALIDATE)_[A-Z_]+)\s*$")


def split_markers(source: str) -> tuple[list[str], str]:
    r"""Split a cell's source into its nbval marker comments and the rest.

    A marker is a line that holds only a comment ``# NBVAL_...`` (nbval reads such lines
    anywhere in a cell, so they are taken from anywhere); blank lines left at the top of the
    cell are dropped. A marker word inside a longer comment or after code is not a marker, for
    nbval neither, and stays.

    Args:
      source: a code cell's source.

    Returns:
      ``(tags, rest)``: the tags for the markers (in order, without repeats) and the source
      without those lines. Unknown ``NBVAL_`` words raise ``ValueError``.

    >>> split_markers("# NBVAL_IGNORE_OUTPUT\nx = 1  # NBVAL_SKIP stays: not a marker line")
    (['nbval-ignore-output'], 'x = 1  # NBVAL_SKIP stays: not a marker line')
    """
    tags: list[str] = []
    kept: list[str] = []
    for line in source.split("\n"):
        match = _MARKER_LINE.match(line)
        if not match:
            kept.append(line)
            continue
        marker = match["marker"]
        if marker not in MARKER_TAGS:
            raise ValueError(f"unknown nbval marker {marker!r}; known: {sorted(MARKER_TAGS)}")
        if MARKER_TAGS[marker] not in tags:
            tags.append(MARKER_TAGS[marker])
    if not tags:
        return [], source
    while kept and not kept[0].strip():
        kept.pop(0)
    return tags, "\n".join(kept)


def convert_notebook(nb: nbformat.NotebookNode) -> int:
    """Move leading markers into tags in ``nb`` (modified in place); return cells changed."""
    changed = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tags, rest = split_markers(cell.source)
        if not tags:
            continue
        cell.source = rest
        existing = list(cell.metadata.get("tags", []))
        cell.metadata["tags"] = existing + [t for t in tags if t not in existing]
        changed += 1
    return changed


def leftover_markers(nb: nbformat.NotebookNode) -> list[int]:
    """Indices of code cells that still hold an nbval marker comment."""
    return [i for i, cell in enumerate(nb.cells)
            if cell.cell_type == "code" and split_markers(cell.source)[0]]


def convert_file(path: Path) -> int:
    """Convert one notebook file in place (only written when something changed)."""
    path = Path(path)
    nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    changed = convert_notebook(nb)
    if changed:
        nbformat.write(nb, path)
    return changed


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 when a notebook still has a marker")
    args = parser.parse_args(argv)
    left = 0
    for path in args.notebooks:
        if args.check:
            cells = leftover_markers(nbformat.read(path, as_version=nbformat.NO_CONVERT))
            if cells:
                left += len(cells)
                print(f"{path}: cells {cells} hold an NBVAL_ marker comment")
        else:
            print(f"{path}: {convert_file(path)} cell(s) converted")
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
