"""Build the static course site (``make book``): one HTML page per executed notebook + an index.

Usage (from the repository root, inside the project's virtual environment)::

    python tools/build_site.py                       # notebooks/ -> _build/site
    python tools/build_site.py --out /tmp/site       # elsewhere
    CLIPQ_EDU_REPO=me/my-fork python tools/build_site.py   # Binder links point at a fork

The pages are rendered from the notebooks *as committed* (their stored outputs are the
executed, nbval-checked ones; run ``make notebooks`` first after editing a notebook). Nothing
is executed and nothing is fetched while building: nbconvert's JupyterLab template and its CSS
are local, figures are embedded as data URIs. At view time a page loads MathJax from a CDN to
typeset formulas (without a network the LaTeX source stays readable). Interactive widgets
cannot run on a static page: an explorer's output carries a PNG of its figure beside the
widget view, and the page shows that PNG (widgets without one get a "launch on Binder" note).
Every page has previous / contents / next links and a launch-on-Binder link.
"""

from __future__ import annotations

import argparse
import copy
import html
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from jinja2 import DictLoader
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
DEFAULT_OUT = ROOT / "_build" / "site"

#: GitHub ``owner/name`` the Binder links point at; override with the CLIPQ_EDU_REPO variable.
DEFAULT_REPO = "clipq-edu/clipq_edu"
REPO_ENV = "CLIPQ_EDU_REPO"
_REPO_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
_NBVAL_MARKER = re.compile(r"^\s*#\s*NBVAL_[A-Z_]+\s*$")

# nbconvert's JupyterLab template, minus the view-time scripts a static course page does not
# need (require.js and the widget manager: widgets are shown as PNGs; mermaid: unused), plus
# the course navigation above and below the notebook.
_TEMPLATE = r"""
{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}<style type="text/css">{{ resources.clipq.css }}</style>{%- endblock extra_css -%}
{%- block body_header -%}
{{ super() }}
{{ resources.clipq.nav_top }}
{%- endblock body_header -%}
{% block body_footer %}
{{ resources.clipq.nav_bottom }}
{{ super() }}
{% endblock body_footer %}
"""

_CSS = """
.clipq-nav { display: flex; flex-wrap: wrap; gap: 0.5em 1.5em; align-items: center;
  justify-content: space-between; padding: 0.6em 1em; margin: 0 0 1em 0;
  border-bottom: 1px solid #d0d7de; font-family: var(--jp-ui-font-family, sans-serif); }
.clipq-nav.bottom { border-top: 1px solid #d0d7de; border-bottom: none; margin: 2em 0 0 0; }
.clipq-nav a { text-decoration: none; }
.clipq-nav .binder { padding: 0.2em 0.7em; border-radius: 4px; background: #f5a252;
  color: #000; font-weight: 600; }
.clipq-static-widget { padding: 0.5em; border-left: 3px solid #f5a252; background: #fff8f0; }
body.clipq-index { max-width: 52em; margin: 2em auto; padding: 0 1em;
  font-family: sans-serif; line-height: 1.5; }
body.clipq-index li { margin: 0.4em 0; }
body.clipq-index ul.chapters { list-style: none; padding-left: 0; }
"""


@dataclass(frozen=True)
class Chapter:
    """One notebook of the course: file stem, title, source path."""

    name: str
    title: str
    path: Path

    @property
    def page(self) -> str:
        """The HTML file name of the chapter page."""
        return f"{self.name}.html"


def course_repo(repo: str | None = None) -> str:
    """Return the GitHub ``owner/name`` for Binder links, checked.

    Args:
      repo: explicit ``owner/name``; ``None`` reads ``CLIPQ_EDU_REPO`` or uses the placeholder
        ``clipq-edu/clipq_edu``.

    Returns:
      The ``owner/name`` string.
    """
    value = repo if repo is not None else os.environ.get(REPO_ENV, DEFAULT_REPO)
    if not isinstance(value, str) or not _REPO_RE.match(value):
        raise ValueError(
            f"repo must be a GitHub 'owner/name' (e.g. {DEFAULT_REPO!r}), got {value!r}"
            f" (from the argument or ${REPO_ENV})"
        )
    return value


def binder_url(notebook: str, repo: str | None = None, ref: str = "HEAD") -> str:
    """Return the mybinder.org link that opens ``notebooks/<notebook>.ipynb`` in JupyterLab.

    Args:
      notebook: the notebook's file stem, e.g. ``"00_start_here"``.
      repo: GitHub ``owner/name`` (see :func:`course_repo`).
      ref: branch, tag or commit; ``HEAD`` is the default branch.

    Returns:
      ``https://mybinder.org/v2/gh/OWNER/REPO/REF?urlpath=lab/tree/notebooks/NAME.ipynb``.
    """
    if not isinstance(notebook, str) or not re.fullmatch(r"[A-Za-z0-9._-]+", notebook):
        raise ValueError(f"notebook must be a file stem like '00_start_here', got {notebook!r}")
    if not isinstance(ref, str) or not re.fullmatch(r"[A-Za-z0-9._/-]+", ref):
        raise ValueError(f"ref must be a branch, tag or commit, got {ref!r}")
    return (
        f"https://mybinder.org/v2/gh/{course_repo(repo)}/{ref}"
        f"?urlpath=lab/tree/notebooks/{notebook}.ipynb"
    )


def chapter_title(nb: nbformat.NotebookNode, fallback: str) -> str:
    """The text of the notebook's first Markdown heading (``# ...``), else ``fallback``."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            match = re.match(r"^#{1,2}\s+(.+?)\s*#*\s*$", line)
            if match:
                # Drop Markdown emphasis and links for the plain-text title.
                text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", match[1])
                return re.sub(r"[*_`]", "", text).strip()
    return fallback


def find_chapters(notebooks_dir: Path) -> list[Chapter]:
    """All ``*.ipynb`` in ``notebooks_dir`` in course order (file name order: 00, 01, 03a...)."""
    notebooks_dir = Path(notebooks_dir)
    if not notebooks_dir.is_dir():
        raise ValueError(f"notebooks_dir must be a directory, got {str(notebooks_dir)!r}")
    chapters = []
    for path in sorted(notebooks_dir.glob("*.ipynb")):
        if path.name.startswith((".", "_")):
            continue
        nb = nbformat.read(path, as_version=4)
        chapters.append(Chapter(path.stem, chapter_title(nb, path.stem), path))
    return chapters


def static_widgets(nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, int]:
    """Return a copy of ``nb`` whose widget outputs show as static images, and how many.

    An output holding a widget view and a PNG keeps only the PNG (and its text); a widget with
    no static fallback becomes a short note saying it runs on Binder. Saved widget state is
    dropped, so no page needs the widget JavaScript.
    """
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    converted = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs = []
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW in data:
                converted += 1
                data.pop(WIDGET_VIEW)
                if "image/png" not in data:
                    data.pop("text/plain", None)
                    data["text/html"] = (
                        '<div class="clipq-static-widget">Interactive widget: it runs in '
                        "JupyterLab (use the <b>launch on Binder</b> link above).</div>"
                    )
            outputs.append(out)
        cell.outputs = outputs
    return nb, converted


def _strip_nbval_markers(nb: nbformat.NotebookNode) -> None:
    """Remove ``# NBVAL_...`` comment lines (test instructions, not course content)."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            lines = cell.source.splitlines()
            kept = [ln for ln in lines if not _NBVAL_MARKER.match(ln)]
            if len(kept) != len(lines):
                cell.source = "\n".join(kept)


def _nav(chapters: list[Chapter], i: int, repo: str, where: str) -> str:
    prev_link = (
        f'<a class="prev" href="{chapters[i - 1].page}">← {html.escape(chapters[i - 1].title)}</a>'
        if i > 0 else '<span class="prev"></span>'
    )
    next_link = (
        f'<a class="next" href="{chapters[i + 1].page}">{html.escape(chapters[i + 1].title)} →</a>'
        if i + 1 < len(chapters) else '<span class="next"></span>'
    )
    binder = (
        f'<a class="binder" href="{html.escape(binder_url(chapters[i].name, repo))}">'
        "launch on Binder</a>"
    )
    return (
        f'<nav class="clipq-nav {where}">{prev_link}<a class="index" href="index.html">'
        f"Contents</a>{binder}{next_link}</nav>"
    )


def _index_page(chapters: list[Chapter], repo: str) -> str:
    items = "\n".join(
        f'<li><a href="{c.page}">{html.escape(c.title)}</a> '
        f'<small>(<code>notebooks/{c.path.name}</code>, '
        f'<a href="{html.escape(binder_url(c.name, repo))}">launch on Binder</a>)</small></li>'
        for c in chapters
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>clipq_edu: gradient clipping and hybrid quantum-classical training</title>
<style type="text/css">{_CSS}</style>
</head>
<body class="clipq-index">
<h1>clipq_edu</h1>
<p>Gradient clipping and hybrid quantum-classical training with Cirq and TensorFlow Quantum,
taught in Jupyter notebooks. These pages show each chapter with the outputs it produced when
it was last run and checked; to change the code and move the sliders, open a chapter on Binder
(free, in the browser, nothing to install; the first launch can take a few minutes) or run
<code>make lab</code> in a clone of <a href="https://github.com/{html.escape(repo)}">the
repository</a>.</p>
<h2>Chapters</h2>
<ul class="chapters">
{items}
</ul>
</body>
</html>
"""


def build_site(
    notebooks_dir: Path = NOTEBOOKS, out_dir: Path = DEFAULT_OUT, repo: str | None = None
) -> list[Path]:
    """Render every notebook of ``notebooks_dir`` to ``out_dir`` plus ``index.html``.

    Args:
      notebooks_dir: folder of executed ``.ipynb`` files.
      out_dir: output folder; emptied first.
      repo: GitHub ``owner/name`` for the Binder links (see :func:`course_repo`).

    Returns:
      The written HTML paths, index first.
    """
    repo = course_repo(repo)
    chapters = find_chapters(Path(notebooks_dir))
    if not chapters:
        raise ValueError(f"notebooks_dir {str(notebooks_dir)!r} holds no .ipynb files")
    out_dir = Path(out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)

    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[DictLoader({"clipq_site.html.j2": _TEMPLATE})],
        template_file="clipq_site.html.j2",
        embed_images=True,
        exclude_input_prompt=False,
    )
    written = [out_dir / "index.html"]
    written[0].write_text(_index_page(chapters, repo), encoding="utf-8")
    for i, chapter in enumerate(chapters):
        nb = nbformat.read(chapter.path, as_version=4)
        unrun = sum(
            1 for c in nb.cells if c.cell_type == "code" and c.source.strip() and not c.outputs
            and c.get("execution_count") is None
        )
        if unrun:
            print(f"warning: {chapter.path.name}: {unrun} code cell(s) never run; "
                  "run `make notebooks` first", file=sys.stderr)
        nb, n_widgets = static_widgets(nb)
        _strip_nbval_markers(nb)
        nb.metadata["title"] = f"{chapter.title} · clipq_edu"
        resources = {
            "metadata": {"name": chapter.name, "path": str(chapter.path.parent)},
            "clipq": {
                "css": _CSS,
                "nav_top": _nav(chapters, i, repo, "top"),
                "nav_bottom": _nav(chapters, i, repo, "bottom"),
            },
        }
        body, _ = exporter.from_notebook_node(nb, resources=resources)
        page = out_dir / chapter.page
        page.write_text(body, encoding="utf-8")
        written.append(page)
        print(f"  {chapter.page}: {chapter.title} ({n_widgets} widget(s) shown as images)")
    return written


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (``make book``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOKS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--repo", default=None, help=f"GitHub owner/name (default ${REPO_ENV} "
                        f"or {DEFAULT_REPO})")
    args = parser.parse_args(argv)
    try:
        pages = build_site(args.notebooks, args.out, args.repo)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{len(pages) - 1} chapter page(s) + index in {args.out}/index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
