"""The Chinese edition: generate ``notebooks/zh/`` from the English notebooks and a catalog.

The English notebooks are the only source of code. For each one, ``translations/zh/<name>.md``
holds one entry per markdown cell::

    <!-- cell 5c1e2a3b sha 0123456789abcdef -->
    ## 2. 核心概念与联系（Core concepts）
    ...

keyed by the cell's id and stamped with the SHA-256 (first 16 hex digits) of the English source
it translates (``sha TODO`` for an entry not translated yet). The generated notebook is the
English one with every markdown cell replaced by its translation and one line added to the
first code cell, ``cq.set_language("zh")``, so that the library speaks Chinese too. Every other
code cell is copied with its comments translated (nothing else changes: the code is
byte-identical once comments are set aside, and ``tests/test_zh_edition.py`` checks exactly
that), and the outputs come from executing the generated notebook (never from editing it).

Comments are translated through ``translations/zh/<name>.comments.tsv``: one line per comment
text, ``English<TAB>中文`` (the text after ``#``, stripped). The same comment text gets the same
translation wherever it occurs in that chapter. Tool directives (``# noqa``, ``# type:``,
``# doctest:``, ``# pragma``, ``# fmt:``) stay as they are.

Usage (from the repository root, inside the project's virtual environment)::

    python tools/zh.py build             # write notebooks/zh/*.ipynb; run those whose code changed
                                         # (a text-only change keeps the executed outputs)
    python tools/zh.py build --execute   # ... and run every one (after a library change)
    python tools/zh.py status            # which entries are missing, untranslated or stale
    python tools/zh.py sync              # add entries for new English cells (English text, TODO)
    python tools/zh.py stamp NAME [--cell ID ...]   # mark translations as up to date
    python tools/zh.py comments NAME     # add `English<TAB>TODO` lines for new comments
    python tools/zh.py report            # English-only output lines and English figures left

``make zh`` runs ``build``. ``stamp`` without ``--cell`` stamps only ``TODO`` entries that hold
Chinese text; a stale entry (the English changed) is stamped by naming its cell after updating
the translation. ``tests/test_zh_edition.py`` fails when anything here is out of step.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import io
import json
import re
import subprocess
import sys
import tokenize
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
ZH_NOTEBOOKS = NOTEBOOKS / "zh"
CATALOG = ROOT / "translations" / "zh"

#: The line the generator adds to the first code cell of every Chinese notebook.
LANGUAGE_LINE = 'cq.set_language("zh")  # 中文版：练习、提示和交互控件都显示中文'
_MARKER = re.compile(r"^<!-- cell (\S+) sha ([0-9a-f]{16}|TODO) -->$", re.MULTILINE)
_HEADER = (
    "<!-- clipq_edu translation catalog (中文): notebooks/{name}.ipynb -> notebooks/zh/{name}.ipynb\n"
    "     One entry per markdown cell: a marker with the cell id and the SHA-256 (16 hex digits)\n"
    "     of the English source it translates, then the Chinese text. Edit the text, then run\n"
    "     `python tools/zh.py stamp {name}` and `make zh` (see tools/zh.py). -->\n"
)
_WORD = re.compile(r"[A-Za-z]{3,}")
sys.path.insert(0, str(ROOT))
from clipq_edu.glossary import check_translation  # noqa: E402
from clipq_edu.i18n import has_chinese  # noqa: E402


def needs_chinese(english: str) -> bool:
    """Whether a cell has words to translate (a lone ``---`` rule does not)."""
    return bool(_WORD.search(english))


def source_hash(text: str) -> str:
    """The first 16 hex digits of the SHA-256 of a cell's English source."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class Entry:
    """One catalog entry: the English cell it translates and the Chinese text."""

    cell_id: str
    sha: str
    text: str


def _src(cell: dict) -> str:
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def read_notebook(path: Path) -> dict:
    """A notebook as plain JSON (nbformat 4.5: every cell has an id)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write_notebook(path: Path, nb: dict) -> None:
    """Write like the course's other tools: indent 1, UTF-8, trailing newline."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def catalog_path(name: str) -> Path:
    """``translations/zh/<name>.md`` for the notebook ``<name>.ipynb``."""
    return CATALOG / f"{name}.md"


def parse_catalog(text: str) -> dict[str, Entry]:
    """The entries of a catalog file, by cell id (in file order)."""
    marks = list(_MARKER.finditer(text))
    entries: dict[str, Entry] = {}
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        body = text[m.end():end].strip("\n")
        if m.group(1) in entries:
            raise ValueError(f"cell {m.group(1)} appears twice in the catalog")
        entries[m.group(1)] = Entry(m.group(1), m.group(2), body)
    return entries


def format_catalog(name: str, entries: list[Entry]) -> str:
    """The text of a catalog file holding ``entries`` in order."""
    parts = [_HEADER.format(name=name)]
    for e in entries:
        parts.append(f"\n<!-- cell {e.cell_id} sha {e.sha} -->\n{e.text.strip(chr(10))}\n")
    return "".join(parts)


def load_catalog(name: str) -> dict[str, Entry]:
    """The catalog of notebook ``name`` (empty when the file does not exist)."""
    path = catalog_path(name)
    return parse_catalog(path.read_text(encoding="utf-8")) if path.exists() else {}


def problems(name: str) -> list[str]:
    """Everything that keeps notebook ``name`` from being generated: one line each."""
    nb = read_notebook(NOTEBOOKS / f"{name}.ipynb")
    entries = load_catalog(name)
    out = []
    md_ids = set()
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        md_ids.add(cell["id"])
        entry = entries.get(cell["id"])
        first = _src(cell).strip().splitlines()[0][:60] if _src(cell).strip() else ""
        if entry is None:
            out.append(f"{name}: cell {cell['id']} has no translation ({first!r})")
        elif entry.sha == "TODO":
            out.append(f"{name}: cell {cell['id']} is not translated yet ({first!r})")
        elif entry.sha != source_hash(_src(cell)):
            out.append(f"{name}: cell {cell['id']} changed in English since it was translated "
                       f"({first!r}); update the translation, then stamp it")
        elif needs_chinese(_src(cell)) and not has_chinese(entry.text):
            out.append(f"{name}: cell {cell['id']}'s translation holds no Chinese")
        else:
            out += [f"{name}: cell {cell['id']}: {p}"
                    for p in check_translation(_src(cell), entry.text)]
    out += [f"{name}: catalog entry {cid} has no English cell (remove it)"
            for cid in entries if cid not in md_ids]
    return out + comment_problems(name)


_COMMENT_WORD = re.compile(r"\b[A-Za-z]{2,}\b")  # "or" in `# "a", "b" or "c"` is a word too
_KEEP_COMMENT = re.compile(r"^#\s*(noqa|type:|doctest:|pragma|fmt:)")


def comments_path(name: str) -> Path:
    """``translations/zh/<name>.comments.tsv``: the comment translations of one chapter."""
    return CATALOG / f"{name}.comments.tsv"


def load_comments(name: str) -> dict[str, str]:
    """English comment text -> Chinese, for chapter ``name`` (empty when there is no file)."""
    path = comments_path(name)
    table: dict[str, str] = {}
    if not path.exists():
        return table
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("##"):
            continue
        english, sep, chinese = line.partition("\t")
        if chinese.strip() == "TODO":
            continue  # written by `zh.py comments`, not translated yet
        if not sep or not chinese.strip():
            raise ValueError(f"{path.name}:{number}: expected `English<TAB>中文`, got {line!r}")
        if english.strip() in table:
            raise ValueError(f"{path.name}:{number}: {english.strip()!r} appears twice")
        table[english.strip()] = chinese.strip()
    return table


def comment_tokens(source: str) -> list[tokenize.TokenInfo]:
    """The comments of a code cell that need translating (tool directives left out)."""
    found = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT and _COMMENT_WORD.search(tok.string) \
                and not _KEEP_COMMENT.match(tok.string):
            found.append(tok)
    return found


def comment_key(token: str) -> str:
    """The catalog key of a comment token: its text after ``#``, stripped."""
    return token.lstrip("#").strip()


def translate_comments(source: str, table: dict[str, str]) -> tuple[str, list[str]]:
    """``source`` with every translatable comment replaced from ``table``; the missing keys."""
    lines = source.splitlines(keepends=True)
    missing = []
    for tok in reversed(comment_tokens(source)):
        key = comment_key(tok.string)
        if key not in table:
            missing.append(key)
            continue
        row, col = tok.start
        line = lines[row - 1]
        end = tok.end[1]
        lines[row - 1] = line[:col] + "# " + table[key] + line[end:]
    return "".join(lines), missing[::-1]


def strip_comments(source: str) -> list[tuple[int, str]]:
    """A code cell's tokens without comments: equal for two cells that differ only there."""
    return [(t.type, t.string) for t in tokenize.generate_tokens(io.StringIO(source).readline)
            if t.type != tokenize.COMMENT]


def comment_problems(name: str) -> list[str]:
    """Comments of chapter ``name`` with no translation, and translations no comment uses."""
    nb = read_notebook(NOTEBOOKS / f"{name}.ipynb")
    try:
        table = load_comments(name)
    except ValueError as err:
        return [str(err)]
    used: set[str] = set()
    out = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        for tok in comment_tokens(_src(cell)):
            key = comment_key(tok.string)
            used.add(key)
            if key not in table:
                out.append(f"{name}: cell {cell['id']}: comment {key!r} has no translation in "
                           f"{comments_path(name).name}")
            elif len(_WORD.findall(key)) >= 3 and not has_chinese(table[key]):
                out.append(f"{name}: comment {key!r}: its translation holds no Chinese")
    out += [f"{name}: {comments_path(name).name} translates {key!r}, which no comment uses "
            "(remove it)" for key in table if key not in used]
    return out


def add_language_line(source: str) -> str:
    """The first code cell of a Chinese notebook: the English one with the language switch.

    The line goes right after ``import clipq_edu as cq`` so that ``cq.setup`` reports in
    Chinese as well.
    """
    anchor = "import clipq_edu as cq\n\n"  # the blank line keeps ruff's import order happy
    if anchor not in source:
        raise ValueError("the first code cell must start with `import clipq_edu as cq` and a "
                         "blank line")
    return source.replace(anchor, anchor + LANGUAGE_LINE + "\n", 1)


def build_sources(name: str) -> dict:
    """The Chinese notebook's cells with sources only (no outputs): what ``build`` writes."""
    found = problems(name)
    if found:
        raise ValueError("\n".join(found))
    nb = copy.deepcopy(read_notebook(NOTEBOOKS / f"{name}.ipynb"))
    entries = load_catalog(name)
    comments = load_comments(name)
    first_code = True
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            cell["source"] = _lines(entries[cell["id"]].text)
        elif cell["cell_type"] == "code":
            source = translate_comments(_src(cell), comments)[0]
            if first_code:
                source, first_code = add_language_line(source), False
            cell["source"] = _lines(source)
    nb["metadata"]["language"] = "zh"
    return nb


def same_sources(a: dict, b: dict) -> bool:
    """Whether two notebooks have the same cells (id, type, source, tags) in the same order."""
    def key(nb: dict) -> list:
        return [(c["id"], c["cell_type"], _src(c), c.get("metadata", {}).get("tags", []))
                for c in nb["cells"]]
    return key(a) == key(b)


def same_code(a: dict, b: dict) -> bool:
    """Whether two notebooks have the same code cells (id, source, tags) in the same order."""
    def key(nb: dict) -> list:
        return [(c["id"], _src(c), c.get("metadata", {}).get("tags", []))
                for c in nb["cells"] if c["cell_type"] == "code"]
    return key(a) == key(b)


def keep_outputs(old: dict, fresh: dict) -> None:
    """Copy the executed outputs (and metadata) of ``old``'s code cells into ``fresh``'s."""
    by_id = {c["id"]: c for c in old["cells"] if c["cell_type"] == "code"}
    for cell in fresh["cells"]:
        if cell["cell_type"] == "code":
            done = by_id[cell["id"]]
            cell["outputs"], cell["execution_count"] = done["outputs"], done["execution_count"]
            cell["metadata"] = done["metadata"]
    for key in ("kernelspec", "language_info", "widgets"):
        if key in old["metadata"]:
            fresh["metadata"][key] = old["metadata"][key]


def names() -> list[str]:
    """The English notebooks' names, in course order."""
    return [p.stem for p in sorted(NOTEBOOKS.glob("*.ipynb"))]


def build(execute_all: bool = False, only: tuple[str, ...] = ()) -> int:
    """Write every Chinese notebook whose sources changed and execute those (with
    ``execute_all``: execute every one).

    ``only`` (names containing one of these strings, e.g. ``make notebooks NB=04``) limits
    everything to those chapters: other chapters' catalogs may be mid-edit, and their Chinese
    notebooks are neither checked, rewritten nor executed.
    """
    chosen = [n for n in names() if not only or any(o in n for o in only)]
    errors = [line for n in chosen for line in problems(n)]
    if errors:
        print("cannot build the Chinese edition:\n  " + "\n  ".join(errors), file=sys.stderr)
        return 1
    to_run = []
    for name in chosen:
        target = ZH_NOTEBOOKS / f"{name}.ipynb"
        fresh = build_sources(name)
        old = read_notebook(target) if target.exists() else None
        if old is not None and same_sources(old, fresh):
            fresh = old  # keep its executed outputs
            fresh["metadata"]["language"] = "zh"
        elif old is not None and same_code(old, fresh):
            keep_outputs(old, fresh)  # only the text changed: the outputs stay valid
        else:
            for cell in fresh["cells"]:
                if cell["cell_type"] == "code":
                    cell["outputs"], cell["execution_count"] = [], None
            to_run.append(name)
        write_notebook(target, fresh)
    stale = set(to_run) | (set(chosen) if execute_all else set())
    for name in sorted(stale):
        print(f"executing notebooks/zh/{name}.ipynb", flush=True)
        subprocess.run([sys.executable, str(ROOT / "tools" / "run_notebooks.py"),
                        "--dir", str(ZH_NOTEBOOKS), name], check=True)
    print(f"Chinese edition up to date: {len(chosen)} notebooks, {len(stale)} executed")
    return 0


def sync() -> int:
    """Add ``TODO`` entries (English text) for new cells, drop orphans, keep cell order."""
    for name in names():
        nb = read_notebook(NOTEBOOKS / f"{name}.ipynb")
        entries = load_catalog(name)
        out = []
        for cell in nb["cells"]:
            if cell["cell_type"] == "markdown":
                out.append(entries.get(cell["id"]) or Entry(cell["id"], "TODO", _src(cell)))
        catalog_path(name).parent.mkdir(parents=True, exist_ok=True)
        catalog_path(name).write_text(format_catalog(name, out), encoding="utf-8")
    return status()


_ENGLISH_WORD = re.compile(r"\b[A-Za-z]{3,}\b")
#: Figures and lines of the Chinese edition that may stay English (issue 29's acceptance).
MAX_SAME_FIGURES, MAX_ENGLISH_LINES = 5, 15


def _quotes_source(cell: dict) -> bool:
    """Cells whose output is quoted source code (``show_source``, the article's listing)."""
    src = _src(cell)
    return "show_source" in src or "article.listing(" in src


def _output_text(output: dict) -> str:
    if output.get("output_type") == "stream":
        return "".join(output["text"])
    if output.get("output_type") == "error":
        return f"{output.get('ename', '')}: {output.get('evalue', '')}"
    data = output.get("data", {})
    if "image/png" in data or "text/html" in data:
        return ""
    text = data.get("text/plain", "")
    return text if isinstance(text, str) else "".join(text)


def english_lines(name: str) -> list[str]:
    """Output lines of ``notebooks/zh/<name>`` a learner reads in English only: three or more
    English words and no Chinese (quoted source code and circuit diagrams left out)."""
    out = []
    for cell in read_notebook(ZH_NOTEBOOKS / f"{name}.ipynb")["cells"]:
        if cell["cell_type"] != "code" or _quotes_source(cell):
            continue
        for output in cell.get("outputs", []):
            for line in _output_text(output).splitlines():
                if "───" not in line and len(_ENGLISH_WORD.findall(line)) >= 3 \
                        and not has_chinese(line):
                    out.append(f"{name} cell {cell['id']}: {line.strip()[:100]}")
    return out


def same_figures(name: str) -> list[str]:
    """Figures stored in ``notebooks/zh/<name>`` byte-identical to one in the English edition."""
    def pngs(path: Path) -> list[tuple[str, str]]:
        return [(cell["id"], "".join(o["data"]["image/png"]))
                for cell in read_notebook(path)["cells"] if cell["cell_type"] == "code"
                for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
    english = {png for _, png in pngs(NOTEBOOKS / f"{name}.ipynb")}
    return [f"{name} cell {cid}" for cid, png in pngs(ZH_NOTEBOOKS / f"{name}.ipynb")
            if png in english]


def report() -> int:
    """Print the English-only output lines and the figures identical to the English ones."""
    lines = [x for n in names() for x in english_lines(n)]
    figures = [x for n in names() for x in same_figures(n)]
    print("\n".join(lines))
    print("\n".join(f"same figure as English: {f}" for f in figures))
    print(f"{len(lines)} English-only output lines (at most {MAX_ENGLISH_LINES}), "
          f"{len(figures)} figures identical to English (at most {MAX_SAME_FIGURES})")
    return 0 if len(lines) <= MAX_ENGLISH_LINES and len(figures) <= MAX_SAME_FIGURES else 1


def sync_comments(name: str) -> int:
    """Append ``English<TAB>TODO`` lines for comments of ``name`` that have no translation.

    ``TODO`` is not a translation: the chapter will not build until each is replaced.
    """
    nb = read_notebook(NOTEBOOKS / f"{name}.ipynb")
    table = load_comments(name) if comments_path(name).exists() else {}
    new: list[str] = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            new += [k for k in translate_comments(_src(cell), table)[1] if k not in new]
    if new:
        path = comments_path(name)
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        path.write_text(old + "".join(f"{k}\tTODO\n" for k in new), encoding="utf-8")
    print(f"{name}: {len(new)} comments to translate in {comments_path(name).name}")
    return 0


def stamp(name: str, cells: list[str]) -> int:
    """Mark entries as translating the current English text (``TODO`` ones, or ``cells``)."""
    nb = read_notebook(NOTEBOOKS / f"{name}.ipynb")
    english = {c["id"]: _src(c) for c in nb["cells"] if c["cell_type"] == "markdown"}
    entries = load_catalog(name)
    unknown = [c for c in cells if c not in entries]
    if unknown:
        print(f"no catalog entry for {unknown} in {catalog_path(name)}", file=sys.stderr)
        return 1
    done = 0
    for e in entries.values():
        chosen = e.cell_id in cells if cells else e.sha == "TODO"
        if chosen and e.cell_id in english:
            if needs_chinese(english[e.cell_id]) and not has_chinese(e.text):
                print(f"{name}: cell {e.cell_id} holds no Chinese yet: not stamped",
                      file=sys.stderr)
                continue
            e.sha, done = source_hash(english[e.cell_id]), done + 1
    catalog_path(name).write_text(format_catalog(name, list(entries.values())), encoding="utf-8")
    print(f"{name}: stamped {done} entries")
    return 0


def status() -> int:
    """Print every problem; exit status 1 when there is one."""
    found = [line for n in names() for line in problems(n)]
    print("\n".join(found) if found else "every catalog entry is translated and up to date")
    return 1 if found else 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build")
    b.add_argument("--execute", action="store_true", help="execute every zh notebook")
    b.add_argument("only", nargs="*", help="only the chapters whose names contain these (others untouched)")
    sub.add_parser("status")
    sub.add_parser("sync")
    sub.add_parser("report", help="English-only output lines and figures left in notebooks/zh")
    c = sub.add_parser("comments", help="list a chapter's untranslated comments in its .tsv")
    c.add_argument("name")
    s = sub.add_parser("stamp")
    s.add_argument("name")
    s.add_argument("--cell", action="append", default=[])
    args = parser.parse_args(argv)
    if args.command == "build":
        return build(args.execute, tuple(args.only))
    if args.command == "stamp":
        return stamp(args.name, args.cell)
    if args.command == "report":
        return report()
    if args.command == "comments":
        return sync_comments(args.name)
    return sync() if args.command == "sync" else status()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
