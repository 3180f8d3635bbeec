"""Print a notebook as reviewable text, for ``git diff`` (a textconv filter).

Set up once per clone (``.gitattributes`` already maps ``*.ipynb`` to the ``ipynb`` driver)::

    git config diff.ipynb.textconv "python3 tools/nb_textconv.py"

Then ``git diff``, ``git log -p`` and ``git show`` print each cell as ``# [n] code`` /
``# [n] markdown`` followed by its source, its tags, and its text outputs. Images, HTML and
widget views are summarised as one line with their size, and execution counts and metadata
noise are left out, so a diff shows what a reader would notice. Only the standard library is
used, so it works with any ``python3``. The notebook on disk is never changed.
"""

from __future__ import annotations

import json
import sys

_TEXT = ("text/plain",)
_SUMMARISED = ("image/png", "image/jpeg", "image/svg+xml", "text/html",
               "application/vnd.jupyter.widget-view+json")


def _join(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _output_lines(output: dict) -> list[str]:
    kind = output.get("output_type")
    if kind == "stream":
        return [f"#   ({output.get('name', 'stdout')}) {ln}"
                for ln in _join(output.get("text", "")).splitlines()]
    if kind == "error":
        return [f"#   (error) {output.get('ename')}: {output.get('evalue')}"]
    lines = []
    data = output.get("data", {})
    for mime in _TEXT:
        if mime in data:
            lines += [f"#   {ln}" for ln in _join(data[mime]).splitlines()]
    for mime in _SUMMARISED:
        if mime in data:
            lines.append(f"#   <{mime}, {len(_join(data[mime]))} characters>")
    return lines


def render(nb: dict) -> str:
    """The text a diff shows for one notebook (nbformat 4 as a plain dict)."""
    out = []
    for i, cell in enumerate(nb.get("cells", []), start=1):
        kind = cell.get("cell_type", "?")
        tags = cell.get("metadata", {}).get("tags", [])
        out.append(f"# [{i}] {kind}" + (f"  tags: {', '.join(tags)}" if tags else ""))
        out += _join(cell.get("source", "")).splitlines()
        for output in cell.get("outputs", []):
            out += _output_lines(output)
        out.append("")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``nb_textconv.py NOTEBOOK`` prints the text to stdout."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: nb_textconv.py NOTEBOOK.ipynb", file=sys.stderr)
        return 2
    with open(args[0], encoding="utf-8") as fh:
        try:
            nb = json.load(fh)
        except json.JSONDecodeError:  # a conflicted or broken file: show it raw
            fh.seek(0)
            sys.stdout.write(fh.read())
            return 0
    sys.stdout.write(render(nb))
    return 0


if __name__ == "__main__":
    sys.exit(main())
