"""Build the static course site (``make book``): chapters, guides, search, formulas, offline.

Usage (from the repository root, inside the project's virtual environment)::

    python tools/build_site.py                       # notebooks/ + docs/ -> _build/site
    python tools/build_site.py --out /tmp/site       # elsewhere
    CLIPQ_EDU_REPO=me/my-fork python tools/build_site.py   # Binder links point at a fork

Pages are rendered from the notebooks *as committed* (their stored outputs are the executed,
nbval-checked ones; run ``make notebooks`` first after editing a notebook) and from
``README.md`` and ``docs/*.md``. Nothing is executed and nothing is fetched, neither while
building nor when a page is viewed:

* formulas (``$...$``, ``$$...$$``, ``\\begin{...}``) are typeset here to MathML, which
  browsers render natively (``latex2mathml``); a formula it cannot convert is drawn by
  matplotlib's mathtext as an inline SVG, and the build reports it;
* figures are embedded as data URIs; each gets alt text (its title in the code, else the
  sentence after it);
* the search index is a script written here (``_static/search-index.js``), so search works
  from ``file://`` too;
* widgets show the PNG their output carries (no widget JavaScript).

Every page has the chapter sidebar, a table of contents of its sections and the search box;
chapters add a download link for the notebook (copied into the site) and, once the course has
a public address (``clipq_edu.links``: ``[project.urls] Repository`` or ``$CLIPQ_EDU_REPO``),
a Binder link.
Layout lives in ``tools/site/templates/*.html`` (Jinja2) and ``tools/site/static/``.
"""

from __future__ import annotations

import argparse
import base64
import copy
import html
import io
import json
import os
import re
import shutil
import sys
import time
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import nbformat
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from nbconvert.filters.ansi import ansi2html
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a clone: the library beside it
    sys.path.insert(0, str(ROOT))
from clipq_edu import links  # noqa: E402  (the one source of the course's address)

NOTEBOOKS = ROOT / "notebooks"
ZH_NOTEBOOKS = NOTEBOOKS / "zh"
DOCS = ROOT / "docs"
DEFAULT_OUT = ROOT / "_build" / "site"
SITE_DIR = Path(__file__).resolve().parent / "site"
SITE_NAME = "clipq_edu"

#: The words of the page frame in each edition (the English site at the root, the Chinese
#: edition, generated from notebooks/zh and README.zh.md, under zh/).
UI = {
    "en": {"lang": "en", "skip": "Skip to content", "menu": "Menu", "search": "Search the course",
           "search_title": "Search", "chapters": "Chapters", "guides": "Guides",
           "elsewhere": "Elsewhere", "source": "Source repository", "on_page": "On this page",
           "contents": "Contents", "download_nb": "Download notebook", "download": "Download",
           "binder": "Launch on Binder", "copy_code": "Copy", "switch": "中文", "switch_lang": "zh",
           "about": "About the course"},
    "zh": {"lang": "zh-Hans", "skip": "跳到正文", "menu": "目录", "search": "搜索课程",
           "search_title": "搜索", "chapters": "各章", "guides": "指南", "elsewhere": "其他",
           "source": "源代码仓库", "on_page": "本页内容", "contents": "目录",
           "download_nb": "下载笔记本", "download": "下载", "binder": "在 Binder 上运行",
           "copy_code": "复制", "switch": "English", "switch_lang": "en", "about": "关于本课程"},
}

#: Environment variable that points the links at a fork (``owner/name``); see clipq_edu.links.
REPO_ENV = links.REPO_ENV

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
_NBVAL_MARKER = re.compile(r"^\s*#\s*NBVAL_[A-Z_]+\s*$")
#: Jupyter Book's cell tags for hiding, honoured here too.
_REMOVE_CELL, _REMOVE_INPUT, _REMOVE_OUTPUT = "remove-cell", "remove-input", "remove-output"
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+"
                  r"(?:[\s\d.,:;!?()\-·]*[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
                  r"\uff00-\uffef]+)*")
_TAG = re.compile(r"(<[^>]*>)")


# --------------------------------------------------------------------------------------------
# Pages and the repository address
# --------------------------------------------------------------------------------------------


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


def course_repo(repo: str | None = None) -> str | None:
    """Return the course's GitHub ``owner/name`` for Binder and source links, if it has one.

    Args:
      repo: explicit ``owner/name`` (or GitHub URL); ``None`` asks :mod:`clipq_edu.links`
        (``$CLIPQ_EDU_REPO``, else ``[project.urls] Repository`` in pyproject.toml).

    Returns:
      ``"owner/name"``, or ``None`` while the course has no public address: the site then
      shows no Binder or source links rather than links that lead nowhere.

    Raises:
      ValueError: for a malformed ``repo``.
    """
    return links.parse_repository(repo) if repo is not None else links.repository()


def binder_url(notebook: str, repo: str | None = None, ref: str = "HEAD",
               edition: str = "en") -> str:
    """Return the mybinder.org link that opens ``notebooks/<notebook>.ipynb`` in JupyterLab.

    Args:
      notebook: the notebook's file stem, e.g. ``"00_start_here"``.
      repo: GitHub ``owner/name`` (see :func:`course_repo`).
      ref: branch, tag or commit; ``HEAD`` is the default branch.

    Returns:
      ``https://mybinder.org/v2/gh/OWNER/REPO/REF?urlpath=lab/tree/notebooks/NAME.ipynb``
      (:func:`clipq_edu.links.binder_url`; raises ``ValueError`` while there is no address).
    """
    return links.binder_url(notebook, repo=repo, ref=ref, edition=edition)


def _plain(markdown_text: str) -> str:
    """Markdown heading text without emphasis, links or code marks."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown_text)
    text = re.sub(r"(?<!\w)__?(\S(?:.*?\S)?)__?(?!\w)", r"\1", text)  # _emphasis_, not snake_case
    return re.sub(r"[*`]", "", text).strip()


def chapter_title(nb: nbformat.NotebookNode, fallback: str) -> str:
    """The text of the notebook's first Markdown heading (``# ...``), else ``fallback``."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            match = re.match(r"^#{1,2}\s+(.+?)\s*#*\s*$", line)
            if match:
                return _plain(match[1])
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


# --------------------------------------------------------------------------------------------
# Formulas: LaTeX -> MathML at build time
# --------------------------------------------------------------------------------------------

#: Environments latex2mathml does not know, mapped onto ones it does.
_ENV_ALIASES = {"aligned": "align*", "align": "align*", "alignat": "align*",
                "alignedat": "align*", "eqnarray": "align*", "eqnarray*": "align*",
                "gather": "gathered", "gather*": "gathered", "equation": None, "equation*": None,
                "multline": None, "multline*": None, "displaymath": None}


def _normalize_latex(latex: str) -> str:
    """Rewrite environments and spellings the converter lacks into ones it has."""
    def env(match: re.Match) -> str:
        kind, name = match[1], match[2]
        if name not in _ENV_ALIASES:
            return match[0]
        target = _ENV_ALIASES[name]
        return "" if target is None else f"\\{kind}{{{target}}}"

    latex = re.sub(r"\\(begin|end)\{([a-zA-Z]+\*?)\}(?:\{\d+\})?", env, latex)
    if "gathered" in latex:  # one centred column: an array with a 'c' column
        latex = latex.replace(r"\begin{gathered}", r"\begin{array}{c}").replace(
            r"\end{gathered}", r"\end{array}")
    latex = re.sub(r"\\(?:tag|label)\{[^}]*\}", "", latex)
    return latex.strip()


def _mathml_is_clean(mathml: str) -> bool:
    """Well-formed XML, no LaTeX command left in its text, no unsupported line break."""
    try:
        tree = ET.fromstring(mathml)
    except ET.ParseError:
        return False
    text = "".join(tree.itertext())
    return "\\" not in text and "linebreak" not in mathml


def _tidy_mathml(mathml: str) -> str:
    """TeX spacing: named operators (max, Var) as identifiers; /, |x| and ||x|| tight."""
    mathml = re.sub(r"<mo>([A-Za-z]{2,})</mo>", r"<mi>\1</mi>", mathml)
    mathml = mathml.replace("<mo>&#x0002F;</mo>", '<mo lspace="0" rspace="0">&#x0002F;</mo>')
    return re.sub(r'<mo(?: stretchy="false")?>(&#x0007C;|&#x02016;)</mo>',
                  r'<mo stretchy="false" lspace="0" rspace="0">\1</mo>', mathml)


def _mathtext_svg(latex: str) -> str | None:
    """An inline SVG of ``latex`` drawn by matplotlib's mathtext, or None if it cannot."""
    try:
        from matplotlib.font_manager import FontProperties
        from matplotlib.mathtext import math_to_image
    except ImportError:
        return None
    buffer = io.BytesIO()
    try:
        math_to_image(f"${latex}$", buffer, prop=FontProperties(size=13), format="svg")
    except Exception:  # noqa: BLE001 - mathtext raises many types on unknown syntax
        return None
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"data:image/svg+xml;base64,{data}"


def _convert(convert, source: str, display: bool) -> str:
    try:
        return convert(source, display="block" if display else "inline")
    except Exception:  # noqa: BLE001 - the converter raises its own error types
        return ""


@dataclass
class MathStats:
    """What happened to the formulas of one build: converted count and fallbacks."""

    converted: int = 0
    fallbacks: list[tuple[str, str]] = field(default_factory=list)  # (where, latex)


def latex_to_mathml(latex: str, display: bool = False, stats: MathStats | None = None,
                    where: str = "") -> str:
    """Typeset one formula to MathML (or, failing that, a visible image) at build time.

    Args:
      latex: the formula without its ``$`` delimiters.
      display: block formula (``$$...$$`` or an environment) instead of inline.
      stats: collects conversions and fallbacks for the build report.
      where: page name for the report.

    Returns:
      ``<math>`` markup; an ``<img class="math-fallback">`` drawn by mathtext (alt text = the
      source) when the converter fails; a marked ``<code class="math-fallback">`` as the last
      resort. No ``$`` delimiters remain either way.
    """
    from latex2mathml.converter import convert

    source = _normalize_latex(html.unescape(latex))
    mathml = _convert(convert, source, display)
    if "linebreak" in mathml and "&" not in source:  # top-level \\: one centred column
        mathml = _convert(convert, f"\\begin{{array}}{{c}}{source}\\end{{array}}", display)
    if mathml and _mathml_is_clean(mathml):
        if stats is not None:
            stats.converted += 1
        mathml = _tidy_mathml(mathml)
        alt = html.escape(" ".join(latex.split()), quote=True)
        return mathml.replace("<math ", f'<math alttext="{alt}" ', 1)
    if stats is not None:
        stats.fallbacks.append((where, latex))
    svg = _mathtext_svg(source)
    label = html.escape(" ".join(latex.split()), quote=True)
    if svg:
        cls = "math-fallback display" if display else "math-fallback"
        return f'<img class="{cls}" src="{svg}" alt="{label}" role="math">'
    return f'<code class="math-fallback" title="formula not typeset">{html.escape(latex)}</code>'


# --------------------------------------------------------------------------------------------
# Markdown: headings with ids (in hierarchy), links into the site, formulas, CJK
# --------------------------------------------------------------------------------------------


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKC", re.sub(r"<[^>]+>", "", text)).lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")  # ASCII ids: readable in any URL
    return text or "section"


_BLOCK_TAG = re.compile(r"</?(?:p|div|li|ul|ol|h[1-6]|tr|td|th|table|pre|blockquote|section|"
                        r"br|hr|figure|details|summary|dd|dt)\b[^>]*>", re.I)


def _text_of(fragment: str) -> str:
    """Visible text of an HTML fragment (MathML keeps its Unicode characters)."""
    text = re.sub(r"<[^>]+>", "", _BLOCK_TAG.sub(" ", fragment))
    return " ".join(html.unescape(text).split())


@dataclass
class PageState:
    """Per-page rendering state: headings seen, ids used, formulas, link map."""

    name: str
    source: PurePosixPath  # repository-relative path of the page's source
    links: dict[str, str]  # repository path -> site page
    repo: str | None
    stats: MathStats
    headings: list[dict] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    last_level: int = 0
    seen_h1: bool = False

    def unique_id(self, base: str) -> str:
        candidate, n = base, 1
        while candidate in self.ids:
            n += 1
            candidate = f"{base}-{n}"
        self.ids.add(candidate)
        return candidate


class SiteRenderer(IPythonRenderer):
    """nbconvert's Markdown renderer with build-time math, site links and tidy headings."""

    def __init__(self, state: PageState, **kwargs) -> None:
        super().__init__(escape=False, **kwargs)
        self.state = state

    def block_math(self, body: str) -> str:
        return latex_to_mathml(body, True, self.state.stats, self.state.name)

    def inline_math(self, body: str) -> str:
        return latex_to_mathml(body, False, self.state.stats, self.state.name)

    def latex_environment(self, name: str, body: str) -> str:
        return latex_to_mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", True,
                               self.state.stats, self.state.name)

    def heading(self, text: str, level: int, **attrs) -> str:
        state = self.state
        # One h1 per page; no level skipped (a ### after a # becomes an h2).
        level = 2 if level == 1 and state.seen_h1 else level
        level = min(level, state.last_level + 1) if state.last_level else 1
        state.seen_h1 = state.seen_h1 or level == 1
        state.last_level = level
        hid = state.unique_id(_slug(text))
        toc_html = re.sub(r"</?a\b[^>]*>", "", text)  # the TOC entry is a link itself
        state.headings.append({"level": level, "id": hid, "html": Markup(toc_html),
                               "text": _text_of(text)})
        return (f'<h{level} id="{hid}">{text}<a class="anchor" href="#{hid}" '
                f'aria-label="Link to this section">#</a></h{level}>\n')

    def image(self, text: str, url: str, title: str | None = None) -> str:
        if urlsplit(url).scheme in ("http", "https"):  # a badge: pages fetch nothing remote
            return f'<span class="remote-image">{html.escape(text or title or "image")}</span>'
        return super().image(text or title or "Image", url, title)

    def link(self, text: str, url: str, title: str | None = None) -> str:
        target = _site_link(url, self.state)
        return text if target is None else super().link(text, target, title)


def _site_link(url: str, state: PageState) -> str | None:
    """Point a Markdown link at the site page for its file, else at the repository.

    ``None`` (show the text without a link) for a repository file while the course has no
    public address.
    """
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path or url.startswith(("#", "mailto:")):
        return url
    target = PurePosixPath(os.path.normpath(str(state.source.parent / parts.path)))
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    if str(target) in state.links:
        return state.links[str(target)] + fragment
    if str(target).startswith(".."):  # outside the repository (e.g. ../shared/): leave it
        return url
    if state.repo is None:
        return None
    kind = "tree" if (ROOT / target).is_dir() else "blob"
    return f"https://github.com/{state.repo}/{kind}/HEAD/{target}{fragment}"


def render_markdown(source: str, state: PageState, attachments: dict | None = None) -> str:
    """Markdown (with math) to HTML for one page.

    Images are embedded: a cell's ``attachment:`` images and local files (relative to the
    page's source), so the page stays one self-contained file.
    """
    folder = ROOT / state.source.parent
    renderer = SiteRenderer(state, attachments=dict(attachments or {}), embed_images=True,
                            path=str(folder))
    return MarkdownWithMath(renderer=renderer).render(source)


def mark_cjk(page: str) -> str:
    """Wrap runs of Chinese characters in ``<span lang="zh">`` (outside tags and <title>)."""
    out, skip = [], 0
    for piece in _TAG.split(page):
        if piece.startswith("<"):
            name = re.match(r"</?([a-zA-Z]+)", piece)
            if name and name[1].lower() in ("title", "script", "style", "textarea", "math"):
                skip += -1 if piece.startswith("</") else 1
            out.append(piece)
        elif skip > 0 or not _CJK.search(piece):
            out.append(piece)
        else:
            out.append(_CJK.sub(lambda m: f'<span lang="zh">{m[0]}</span>', piece))
    return "".join(out)


# --------------------------------------------------------------------------------------------
# Notebook cells and outputs
# --------------------------------------------------------------------------------------------


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
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW in data:
                converted += 1
                data.pop(WIDGET_VIEW)
                if "image/png" not in data:
                    data.pop("text/plain", None)
                    data["text/html"] = (
                        '<div class="clipq-static-widget">Interactive widget: it runs in '
                        "JupyterLab. Download this notebook, or launch on Binder, with the "
                        "links at the top of the page.</div>"
                    )
    return nb, converted


def strip_test_markers(source: str) -> str:
    """Code without ``# NBVAL_...`` lines (test instructions, not course content)."""
    lines = [ln for ln in source.splitlines() if not _NBVAL_MARKER.match(ln)]
    while lines and not lines[0].strip():
        lines.pop(0)
    return "\n".join(lines)


_TITLE_IN_CODE = re.compile(
    r"""(?:set_title|suptitle|plt\.title|title)\s*[(=]\s*[fr]?(["'])(?P<t>(?:(?!\1).){3,120})\1""")


def _first_sentence(text: str) -> str:
    """The first sentence (20-300 characters); a short lead-in ending in ':' takes the next."""
    text = " ".join(text.split())
    match = re.match(r"(.{20,300}?[.!?:])(?:\s|$)", text)
    if match and match[1].endswith(":") and len(match[1]) < 80:
        longer = re.match(r"(.{20,300}?:\s.{10,250}?[.!?])(?:\s|$)", text)
        match = longer or match
    return (match[1] if match else text[:300]).strip()


def figure_alt(code: str, following_text: str, fallback: str) -> str:
    """Alt text for a figure: its title in the code, else the sentence after it.

    Args:
      code: source of the code cell that drew the figure.
      following_text: plain text of the next Markdown cell ("" if none).
      fallback: used when neither gives anything.

    Returns:
      A one-line description.
    """
    match = _TITLE_IN_CODE.search(code)
    if match:
        title = re.sub(r"\{[^}]*\}", "…", match["t"]).replace("$", "").strip()
        if len(title) >= 3:
            return f"Figure: {title}"
    sentence = _first_sentence(following_text)
    if sentence:
        return f"Figure. {sentence}"
    return fallback


def _stream_text(text: str) -> str:
    """Apply carriage returns (progress bars) the way a terminal would."""
    return "\n".join(line.rsplit("\r", 1)[-1] for line in text.split("\n"))


def _output_views(out: nbformat.NotebookNode, alt: str, state: PageState) -> dict | None:
    kind = out.get("output_type")
    if kind == "stream":
        return {"kind": "stream", "stream": out.get("name", "stdout"),
                "html": Markup(ansi2html(_stream_text(out.get("text", ""))))}
    if kind == "error":
        return {"kind": "error", "html": Markup(ansi2html("\n".join(out.get("traceback", []))))}
    data = out.get("data", {})
    for mime in ("image/svg+xml", "image/png", "image/jpeg", "image/gif"):
        if mime in data:
            payload = data[mime]
            if mime == "image/svg+xml":
                payload = base64.b64encode(payload.encode("utf-8")).decode("ascii")
            meta = out.get("metadata", {}).get(mime, {})
            return {"kind": "image", "src": f"data:{mime};base64,{''.join(payload.split())}",
                    "alt": meta.get("alt") or alt, "width": meta.get("width")}
    if "text/html" in data:
        return {"kind": "html", "html": Markup(data["text/html"])}
    if "text/markdown" in data:
        return {"kind": "markdown", "html": Markup(render_markdown(data["text/markdown"], state))}
    if "text/latex" in data:
        body = data["text/latex"].strip().strip("$")
        return {"kind": "html", "html": Markup(latex_to_mathml(body, True, state.stats,
                                                               state.name))}
    if "text/plain" in data:
        return {"kind": "text", "html": Markup(ansi2html(data["text/plain"]))}
    return None


def _text_near_figure(rendered_md: dict[int, str], i: int) -> str:
    """The paragraph after code cell ``i``; if a new section starts there, the one before."""
    after = min((j for j in rendered_md if j > i), default=None)
    if after is not None and not re.match(r"\s*<h[1-6]", rendered_md[after]):
        paragraphs = re.findall(r"<p>(.*?)</p>", rendered_md[after], flags=re.S)
        if paragraphs:
            return _text_of(paragraphs[0])
    before = max((j for j in rendered_md if j < i), default=None)
    paragraphs = re.findall(r"<p>(.*?)</p>", rendered_md.get(before, ""), flags=re.S)
    return _text_of(paragraphs[-1]) if paragraphs else ""


def render_cells(nb: nbformat.NotebookNode, state: PageState, title: str) -> list[dict]:
    """The cells of a notebook as template views (Markdown rendered, code highlighted)."""
    lexer, formatter = PythonLexer(), HtmlFormatter(nowrap=True)
    cells, figures = [], 0
    rendered_md = {}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and _REMOVE_CELL not in cell.metadata.get("tags", []):
            rendered_md[i] = render_markdown(cell.source, state, cell.get("attachments"))
    for i, cell in enumerate(nb.cells):
        tags = cell.metadata.get("tags", [])
        if _REMOVE_CELL in tags or cell.cell_type == "raw":
            continue
        if cell.cell_type == "markdown":
            cells.append({"kind": "markdown", "html": Markup(rendered_md[i])})
            continue
        source = strip_test_markers(cell.source)
        following = _text_near_figure(rendered_md, i)
        outputs = []
        for out in [] if _REMOVE_OUTPUT in tags else cell.get("outputs", []):
            if out.get("output_type") in ("display_data", "execute_result") and any(
                    k.startswith("image/") for k in out.get("data", {})):
                figures += 1
            view = _output_views(out, figure_alt(source, following,
                                                 f"Figure {figures} of {title}"), state)
            if view:
                outputs.append(view)
        show_source = source.strip() and _REMOVE_INPUT not in tags
        cells.append({
            "kind": "code", "source": source if show_source else "",
            "source_html": Markup(highlight(source, lexer, formatter)) if show_source else "",
            "outputs": outputs,
        })
    return cells


# --------------------------------------------------------------------------------------------
# Site assembly: pages, docs, search index, static files
# --------------------------------------------------------------------------------------------


@dataclass
class PageInfo:
    """One page of the site as the sidebar, index and search see it."""

    page: str
    title: str
    source: str  # repository-relative source path
    summary: str = ""
    download: str = ""
    binder: str = ""

    @property
    def title_html(self) -> Markup:
        return Markup(html.escape(self.title))

    @property
    def summary_html(self) -> Markup:
        return Markup(html.escape(self.summary))

    @property
    def filename(self) -> str:
        return PurePosixPath(self.source).name


def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(SITE_DIR / "templates"),
                       autoescape=select_autoescape(["html"]), keep_trailing_newline=True)


def _search_entries(page: PageInfo, body_html: str, headings: list[dict]) -> list[dict]:
    """Split a page's HTML at its h2/h3 headings: one search entry per section."""
    entries = []
    ids = {h["id"]: h for h in headings}
    pieces = re.split(r'(<h[1-3] id="[^"]+")', body_html)
    current = {"id": "", "text": page.title}
    chunks: list[tuple[dict, str]] = [(current, pieces[0])]
    for marker, chunk in zip(pieces[1::2], pieces[2::2], strict=True):
        hid = re.search(r'id="([^"]+)"', marker)[1]
        chunks.append((ids.get(hid, {"id": hid, "text": ""}), chunk))
    for heading, chunk in chunks:
        text = _text_of(re.sub(r"<pre.*?</pre>", " ", chunk, flags=re.S))
        if not text:
            continue
        anchor = f"#{heading['id']}" if heading["id"] else ""
        entries.append({"url": page.page + anchor, "page_title": page.title,
                        "title": heading["text"] or page.title, "text": text[:4000]})
    return entries


#: Guides a self-learner needs first; the others follow in name order.
_DOC_ORDER = ("README", "troubleshooting", "instructors")
#: Maintainers' pages: in the repository, never in the learners' site (navigation, search).
MAINTAINER_DOCS = ("developing", "maintainers", "robustness")
#: Instructors-only pages (the capstone's seed-to-fault table and answers): never published;
#: ``make answer-key`` copies them into the key.
INSTRUCTOR_ONLY_DOCS = ("capstone",)
_ANSWER_KEY = re.compile(r"<!-- answer-key:begin -->.*?<!-- answer-key:end -->", re.S)
ANSWER_KEY_NOTICE = ("*The answer key is not published on the course site: instructors "
                     "generate it with `make answer-key` (into `_build/answer_key.md`).*")


def strip_answer_key(text: str) -> str:
    """Replace every ``<!-- answer-key:begin -->`` ... ``end`` block with a notice.

    >>> strip_answer_key("a\n<!-- answer-key:begin -->\n| 02.1 | 0.8 |\n<!-- answer-key:end -->")
    'a\n*The answer key is not published on the course site: instructors generate it with `make answer-key` (into `_build/answer_key.md`).*'
    """
    return _ANSWER_KEY.sub(lambda _: ANSWER_KEY_NOTICE, text)


def _doc_sources(docs_dir: Path | None) -> list[Path]:
    paths = []
    if docs_dir is not None and Path(docs_dir).is_dir():
        readme = Path(docs_dir).parent / "README.md"
        paths = ([readme] if readme.is_file() else []) + sorted(
            p for p in Path(docs_dir).glob("*.md")
            if p.stem not in MAINTAINER_DOCS + INSTRUCTOR_ONLY_DOCS)
    rank = {name: i for i, name in enumerate(_DOC_ORDER)}
    return sorted(paths, key=lambda p: (rank.get(p.stem, len(rank)), p.name))


def _rel(path: Path) -> PurePosixPath:
    try:
        return PurePosixPath(path.resolve().relative_to(ROOT).as_posix())
    except ValueError:
        return PurePosixPath(path.name)


def _plan_pages(chapters: list[Chapter], docs: list[Path], repo: str | None,
                edition: str = "en") -> tuple[list[PageInfo], list[PageInfo], dict[str, str]]:
    """Page records for chapters and docs, and the repository-path -> page map for links."""
    chapter_pages = [PageInfo(c.page, c.title, str(_rel(c.path)),
                              download=f"notebooks/{c.path.name}",
                              binder=binder_url(c.name, repo, edition=edition) if repo else "")
                     for c in chapters]
    doc_pages = []
    taken = {p.page for p in chapter_pages} | {"index.html", "search.html"}
    for path in docs:
        stem = "readme" if path.name in ("README.md", "README.zh.md") else path.stem
        page = f"{stem}.html"
        if page in taken:
            raise ValueError(f"docs page {path.name} would overwrite {page}; rename it")
        taken.add(page)
        text = path.read_text(encoding="utf-8")
        match = re.search(r"^#\s+(.+?)\s*#*\s*$", text, flags=re.M)
        title = _plain(match[1]) if match else stem
        if path.name in ("README.md", "README.zh.md"):  # a tagline: a short sidebar name
            title = UI[edition]["about"]
        doc_pages.append(PageInfo(page, title, str(_rel(path))))
    links = {p.source: p.page for p in chapter_pages + doc_pages}
    return chapter_pages, doc_pages, links


def _summary(body_html: str, limit: int = 240) -> str:
    """First paragraph of a page as plain text, cut at a word near ``limit``, for the contents."""
    match = re.search(r"<p>(.*?)</p>", body_html, flags=re.S)
    text = _text_of(match[1]) if match else ""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def _warn_unrun(chapter: Chapter, nb: nbformat.NotebookNode) -> None:
    unrun = sum(1 for c in nb.cells if c.cell_type == "code" and c.source.strip()
                and not c.get("outputs") and c.get("execution_count") is None)
    if unrun:
        print(f"warning: {chapter.path.name}: {unrun} code cell(s) never run; "
              "run `make notebooks` first", file=sys.stderr)


def _copy_static(out_dir: Path) -> None:
    static = out_dir / "_static"
    shutil.copytree(SITE_DIR / "static", static)
    style = HtmlFormatter(style="default").get_style_defs(".highlight")
    # The reader's dark mode gets a dark highlighting palette (same token classes); the
    # code blocks' background stays the page's own (var(--soft)).
    dark = HtmlFormatter(style="github-dark").get_style_defs(".highlight")
    dark = "\n".join(line for line in dark.splitlines()
                     if line.startswith(".highlight .") and "background" not in line)
    (static / "pygments.css").write_text(
        f"{style}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n", encoding="utf-8")


CJK_FONT = SITE_DIR / "static" / "fonts" / "clipq-cjk-sc.woff"


def missing_cjk_glyphs(pages: list[Path], font: Path = CJK_FONT) -> list[str]:
    """Han characters on ``pages`` that the shipped CJK font subset lacks (sorted)."""
    from fontTools.ttLib import TTFont

    used = {ch for page in pages for run in _CJK.findall(page.read_text(encoding="utf-8"))
            for ch in run if ord(ch) >= 0x3400}
    if not used:
        return []
    covered = TTFont(str(font), lazy=True).getBestCmap() if font.is_file() else {}
    return sorted(ch for ch in used if ord(ch) not in covered)


def _write(path: Path, text: str) -> Path:
    path.write_text(mark_cjk(text), encoding="utf-8")
    return path


def _render_chapters(env: Environment, site: dict, chapters: list[Chapter], repo: str | None,
                     out_dir: Path, links: dict[str, str], stats: MathStats
                     ) -> tuple[list[Path], list[dict]]:
    template = env.get_template("chapter.html")
    pages: list[PageInfo] = site["chapters"]
    written, index = [], []
    for i, (chapter, info) in enumerate(zip(chapters, pages, strict=True)):
        nb = nbformat.read(chapter.path, as_version=4)
        _warn_unrun(chapter, nb)
        nb, n_widgets = static_widgets(nb)
        state = PageState(chapter.page, _rel(chapter.path), links, repo, stats)
        cells = render_cells(nb, state, chapter.title)
        md_html = "\n".join(c["html"] for c in cells if c["kind"] == "markdown")
        info.summary = _summary(md_html.split("</h1>", 1)[-1])
        index += _search_entries(info, md_html, state.headings)
        text = template.render(
            site=site, page_title=chapter.title, current=chapter.page, body_class="chapter",
            cells=cells, chapter=info, binder=info.binder,
            prev=pages[i - 1] if i > 0 else None, next=pages[i + 1] if i + 1 < len(pages) else None,
            toc=[h for h in state.headings if h["level"] in (2, 3)])
        written.append(_write(out_dir / chapter.page, text))
        shutil.copy2(chapter.path, out_dir / "notebooks" / chapter.path.name)
        print(f"  {chapter.page}: {chapter.title} ({n_widgets} widget(s) shown as images)")
    return written, index


def _render_docs(env: Environment, site: dict, docs: list[Path], repo: str | None, out_dir: Path,
                 links: dict[str, str], stats: MathStats) -> tuple[list[Path], list[dict]]:
    template = env.get_template("doc.html")
    written, index = [], []
    for path, info in zip(docs, site["docs"], strict=True):
        state = PageState(info.page, _rel(path), links, repo, stats)
        body = render_markdown(strip_answer_key(path.read_text(encoding="utf-8")), state)
        info.summary = _first_sentence(_summary(body))
        index += _search_entries(info, body, state.headings)
        text = template.render(site=site, page_title=info.title, current=info.page,
                               body_class="doc", body=Markup(body), source=info.source,
                               toc=[h for h in state.headings if h["level"] in (2, 3)])
        written.append(_write(out_dir / info.page, text))
    return written, index


def build_site(
    notebooks_dir: Path = NOTEBOOKS, out_dir: Path = DEFAULT_OUT, repo: str | None = None,
    docs_dir: Path | None = DOCS, zh_notebooks_dir: Path | None | str = "auto",
) -> list[Path]:
    """Render the course to a static site: chapters, guides, contents, search; both editions.

    Args:
      notebooks_dir: folder of executed ``.ipynb`` files.
      out_dir: output folder; emptied first.
      repo: GitHub ``owner/name`` for the Binder and source links; ``None``: the course's
        address from :func:`course_repo`, and no such links while it has none.
      docs_dir: folder of ``*.md`` guides (with ``README.md`` beside it) to include; ``None``
        for none.
      zh_notebooks_dir: the Chinese edition's notebooks, rendered under ``zh/`` with
        ``README.zh.md`` as its guide and a language switch on every page; ``None`` (or a
        folder without notebooks): English only; ``"auto"``: ``notebooks/zh`` when
        ``notebooks_dir`` is the course's ``notebooks/``, else none.

    Returns:
      The written HTML paths: index first, then the chapters, then the guides and search page
      (English), then the Chinese edition's in the same order.
    """
    repo = course_repo(repo)
    chapters = find_chapters(Path(notebooks_dir))
    if not chapters:
        raise ValueError(f"notebooks_dir {str(notebooks_dir)!r} holds no .ipynb files")
    if zh_notebooks_dir == "auto":
        same = Path(notebooks_dir).resolve() == NOTEBOOKS.resolve()
        zh_notebooks_dir = ZH_NOTEBOOKS if same else None
    zh_dir = Path(zh_notebooks_dir) if zh_notebooks_dir is not None else None
    zh_chapters = find_chapters(zh_dir) if zh_dir is not None and zh_dir.is_dir() else []
    out_dir = Path(out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    if repo is None:
        print("  no public repository address: pages get no Binder or source links "
              "(python tools/set_repository.py OWNER/NAME sets one)")
    docs = _doc_sources(docs_dir)
    readme_zh = (Path(docs_dir).parent / "README.zh.md") if docs_dir is not None else None
    zh_docs = [readme_zh] if readme_zh is not None and readme_zh.is_file() else []
    en_pages = {c.page for c in chapters} | {"index.html", "search.html"}
    zh_pages = {c.page for c in zh_chapters} | {"index.html", "search.html"}
    pages = _build_edition(chapters, docs, out_dir, repo, "en",
                           ("zh/", zh_pages) if zh_chapters else None)
    if zh_chapters:
        pages += _build_edition(zh_chapters, zh_docs, out_dir / "zh", repo, "zh",
                                ("../", en_pages))
    missing = missing_cjk_glyphs(pages)
    if missing:
        print(f"warning: {len(missing)} Chinese character(s) not in the shipped font "
              f"({''.join(missing[:20])}): readers without a CJK font see boxes; run "
              "tools/site/subset_cjk_font.py (see its docstring)", file=sys.stderr)
    return pages


def _build_edition(chapters: list[Chapter], docs: list[Path], out_dir: Path, repo: str | None,
                   edition: str, other: tuple[str, set[str]] | None) -> list[Path]:
    """One edition of the site into ``out_dir``; ``other`` = (prefix, pages) of the other."""
    (out_dir / "notebooks").mkdir(parents=True)
    _copy_static(out_dir)
    chapter_pages, doc_pages, page_links = _plan_pages(chapters, docs, repo, edition)

    def switch(current: str) -> str:
        """The same page in the other edition, or its contents page."""
        prefix, pages = other
        return prefix + (current if current in pages else "index.html")

    site = {"name": SITE_NAME, "chapters": chapter_pages, "docs": doc_pages,
            "repo_url": f"https://github.com/{repo}" if repo else "",
            "about": next((d.page for d in doc_pages if d.page == "readme.html"), ""),
            "ui": UI[edition], "edition": edition, "switch": switch if other else None}
    env, stats = _environment(), MathStats()
    chapter_files, index = _render_chapters(env, site, chapters, repo, out_dir, page_links,
                                            stats)
    doc_files, doc_index = _render_docs(env, site, docs, repo, out_dir, page_links, stats)
    index += doc_index
    # The contents page is last: it shows the summaries the pages above found.
    common = {"site": site, "toc": None, "current": ""}
    front = _write(out_dir / "index.html", env.get_template("index.html").render(
        page_title=SITE_NAME, body_class="index", **{**common, "current": "index.html"}))
    search = _write(out_dir / "search.html", env.get_template("search.html").render(
        page_title=UI[edition]["search_title"], body_class="search-page",
        **{**common, "current": "search.html"}))
    (out_dir / "_static" / "search-index.js").write_text(
        "window.CLIPQ_SEARCH_INDEX = " + json.dumps(index, ensure_ascii=False) + ";\n",
        encoding="utf-8")
    for where, latex in stats.fallbacks:
        print(f"warning: {where}: formula not converted to MathML, drawn as an image: "
              f"{latex!r}", file=sys.stderr)
    print(f"  {edition}: formulas: {stats.converted} typeset as MathML, "
          f"{len(stats.fallbacks)} as images")
    return [front, *chapter_files, *doc_files, search]


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (``make book``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOKS)
    parser.add_argument("--docs", type=Path, default=DOCS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--repo", default=None, help=f"GitHub owner/name (default ${REPO_ENV} "
                        "or [project.urls] Repository in pyproject.toml; none: no Binder links)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        pages = build_site(args.notebooks, args.out, args.repo, args.docs)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{len(pages)} page(s) in {time.perf_counter() - start:.1f} s: "
          f"open {args.out}/index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
