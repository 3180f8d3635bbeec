"""The static course site (``make book``): pages, figures, navigation, formulas, search, offline.

A small course of two notebooks is executed here (one with a matplotlib figure, one with a
real :class:`clipq_edu.widgets._base.Explorer`), rendered, and the HTML is parsed: every chapter
page exists, shows its figures as embedded ``<img>`` with alt text, links to the previous/next
chapter and the contents, carries its own Binder and download links, and the widget appears as
its PNG. The pieces (LaTeX -> MathML, headings, links, Chinese text, test markers) are checked
one by one. The build runs with sockets disabled, so it cannot fetch anything. The course's own
notebooks and docs are built too: every formula must become MathML. The same site opened in
Chromium is tests/test_site_browser.py.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import socket
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_tool(name: str):
    return importlib.import_module(f"tools.{name}")


site = _load_tool("build_site")
run_notebooks = _load_tool("run_notebooks")


class Page(HTMLParser):
    """Collects <img> sources, <a> links and <nav> count of one HTML page."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.imgs: list[str] = []
        self.links: list[tuple[str, str]] = []  # (href, class)
        self.navs = 0  # the chapter pagers (top and bottom), not the sidebar or the contents
        self.alts: list[str | None] = []
        self.ids: set[str] = set()
        self.scripts: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "img":
            self.imgs.append(a.get("src") or "")
            self.alts.append(a.get("alt"))
        elif tag == "a":
            self.links.append((a.get("href") or "", a.get("class") or ""))
        elif tag == "nav" and "clipq-nav" in (a.get("class") or "").split():
            self.navs += 1
        elif tag == "script" and a.get("src"):
            self.scripts.append(a["src"])

    def hrefs(self, cls: str) -> list[str]:
        return [h for h, c in self.links if cls in c.split()]


def _refuse(*args, **kwargs):
    raise AssertionError(f"the site build tried to open a network connection: {args}")


def _block_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _refuse)
    monkeypatch.setattr(socket, "create_connection", _refuse)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any socket connection attempt fails the test."""
    _block_sockets(monkeypatch)


def _nb(*cells: tuple[str, str]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    for kind, src in cells:
        maker = nbformat.v4.new_markdown_cell if kind == "md" else nbformat.v4.new_code_cell
        nb.cells.append(maker(src))
    return nb


EXPLORER = '''\
# NBVAL_IGNORE_OUTPUT
import ipywidgets as w
from clipq_edu.widgets._base import Explorer

class Slope(Explorer):
    def compute(self, a):
        return {"a": a}
    def draw(self, figure, data):
        ax = figure.add_subplot()
        ax.plot([0, 1], [0, data["a"]])

Slope({"a": w.FloatSlider(value=1.0, min=0, max=2)}, title="slope")'''


@pytest.fixture(scope="module")
def small_course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three executed notebooks: a figure, an explorer widget, text only."""
    pytest.importorskip("nbclient")
    from nbclient import NotebookClient

    folder = tmp_path_factory.mktemp("notebooks")
    notebooks = {
        "00_intro": _nb(("md", "# Start *here*\nWelcome."), ("code", "x = 1 + 1\nx")),
        "01_plot": _nb(
            ("md", "# A figure\nA line."),
            ("code", "import matplotlib.pyplot as plt\nplt.plot([0, 1], [1, 0])\nplt.show()"),
            ("code", "plt.plot([0, 1], [0, 1]);"),
        ),
        "02_widget": _nb(("md", "## The explorer\n"), ("code", EXPLORER)),
    }
    old = os.environ.get("JUPYTER_PATH")
    old_backend = os.environ.pop("MPLBACKEND", None)  # conftest's Agg would hide the figures
    os.environ["JUPYTER_PATH"] = run_notebooks.kernel_dir() + os.pathsep + (old or "")
    try:
        for name, nb in notebooks.items():
            NotebookClient(nb, timeout=120, kernel_name="python3",
                           resources={"metadata": {"path": str(folder)}}).execute()
            nbformat.write(nb, folder / f"{name}.ipynb")
    finally:
        if old_backend is not None:
            os.environ["MPLBACKEND"] = old_backend
        if old is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = old
    return folder


@pytest.mark.slow
def test_small_course_builds_with_pages_figures_nav_and_binder(
    small_course: Path, tmp_path: Path, no_network: None
) -> None:
    out = tmp_path / "site"
    pages = site.build_site(small_course, out, repo="someone/course-fork", docs_dir=None)
    names = ["00_intro", "01_plot", "02_widget"]
    assert [p.name for p in pages] == (
        ["index.html"] + [f"{n}.html" for n in names] + ["search.html"])

    index = Page((out / "index.html").read_text(encoding="utf-8"))
    assert index.hrefs("chapter-title") == [f"{n}.html" for n in names]
    assert index.hrefs("chapter-link") == [f"{n}.html" for n in names]  # the sidebar
    assert "Start here" in (out / "index.html").read_text(encoding="utf-8")  # title, no markup

    expected_imgs = {"00_intro": 0, "01_plot": 2, "02_widget": 1}
    for i, name in enumerate(names):
        text = (out / f"{name}.html").read_text(encoding="utf-8")
        page = Page(text)
        pngs = [s for s in page.imgs if s.startswith("data:image/png;base64,")]
        assert len(pngs) == expected_imgs[name], (name, page.imgs)
        assert all(alt and alt.strip() for alt in page.alts), (name, page.alts)
        assert page.navs == 2
        assert page.hrefs("index") == ["index.html", "index.html"]
        prev = [f"{names[i - 1]}.html"] * 2 if i > 0 else []
        nxt = [f"{names[i + 1]}.html"] * 2 if i + 1 < len(names) else []
        assert page.hrefs("prev") == prev and page.hrefs("next") == nxt
        assert page.hrefs("binder") == [
            "https://mybinder.org/v2/gh/someone/course-fork/HEAD"
            f"?urlpath=lab/tree/notebooks/{name}.ipynb"
        ] * 2
        assert page.hrefs("download") == [f"notebooks/{name}.ipynb"] * 2
        assert (out / "notebooks" / f"{name}.ipynb").is_file()
        assert page.hrefs("chapter-link") == [f"{n}.html" for n in names]
        # Static pages: no widget manager or require.js to fetch; test markers are hidden.
        assert not any("require" in s or "html-manager" in s for s in page.scripts), page.scripts
        assert "NBVAL_" not in text
        assert "application/vnd.jupyter.widget-view+json" not in text


@pytest.mark.slow
def test_widget_without_png_gets_a_note(small_course: Path) -> None:
    nb = nbformat.read(small_course / "02_widget.ipynb", as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert any(site.WIDGET_VIEW in o.get("data", {}) for o in outputs), "fixture has no widget"
    for o in outputs:
        o.get("data", {}).pop("image/png", None)
    static, n = site.static_widgets(nb)
    assert n == 1
    html_out = [o["data"]["text/html"] for c in static.cells if c.cell_type == "code"
                for o in c.outputs if "text/html" in o.get("data", {})]
    assert any("launch on Binder" in h for h in html_out)
    assert any(site.WIDGET_VIEW in o.get("data", {}) for o in outputs), "input was modified"


def test_binder_url_form_and_repo_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(site.REPO_ENV, raising=False)
    assert site.binder_url("00_start_here", repo="alice/course") == (
        "https://mybinder.org/v2/gh/alice/course/HEAD"
        "?urlpath=lab/tree/notebooks/00_start_here.ipynb"
    )
    monkeypatch.setenv(site.REPO_ENV, "alice/fork")
    assert site.course_repo() == "alice/fork"
    assert site.binder_url("03a_x").startswith("https://mybinder.org/v2/gh/alice/fork/HEAD?")
    for bad in ("no-slash", "a/b/c", "a b/c", ""):
        with pytest.raises(ValueError, match="repo"):
            site.binder_url("00_start_here", repo=bad)
    with pytest.raises(ValueError, match="notebook"):
        site.binder_url("../etc/passwd")
    # Without an address there is no Binder link to make (and none is invented).
    monkeypatch.delenv(site.REPO_ENV)
    monkeypatch.setattr(site.links, "repository", lambda *a, **k: None)
    assert site.course_repo() is None
    with pytest.raises(ValueError, match="no public repository address"):
        site.binder_url("00_start_here")


def test_chapter_title_reads_the_first_heading() -> None:
    nb = _nb(("code", "# not a heading: code"), ("md", "Intro\n\n# Clipping **by** norm  \n"))
    assert site.chapter_title(nb, "x") == "Clipping by norm"
    assert site.chapter_title(_nb(("md", "no heading")), "fallback") == "fallback"


def test_empty_notebooks_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no .ipynb"):
        site.build_site(tmp_path, tmp_path / "out")
    with pytest.raises(ValueError, match="notebooks_dir"):
        site.build_site(tmp_path / "missing", tmp_path / "out")


@pytest.mark.slow
def test_course_notebooks_build(tmp_path: Path, no_network: None) -> None:
    """The real course: one page per notebook, each with as many images as PNG outputs."""
    chapters = site.find_chapters(site.NOTEBOOKS)
    if not chapters:
        pytest.skip("notebooks/ holds no notebooks yet")
    out = tmp_path / "site"
    site.build_site(site.NOTEBOOKS, out, repo="someone/course-fork")
    for chapter in chapters:
        page = out / chapter.page
        assert page.is_file(), f"no page for {chapter.path.name}"
        parsed = Page(page.read_text(encoding="utf-8"))
        nb = nbformat.read(chapter.path, as_version=4)
        n_png = sum(1 for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                    if "image/png" in o.get("data", {}))
        n_img = sum(1 for s in parsed.imgs if s.startswith("data:image/"))
        assert n_img >= n_png, f"{chapter.page}: {n_img} images for {n_png} PNG outputs"
        assert len(parsed.hrefs("binder")) == 2 and parsed.navs == 2


# ---- formulas -------------------------------------------------------------------------------


def _math_text(mathml: str) -> str:
    import xml.etree.ElementTree as ET

    return "".join(ET.fromstring(mathml).itertext())


@pytest.mark.parametrize("latex, must_contain", [
    (r"\lVert g\rVert_2 \le c", "\u2016"),                      # double bar
    (r"|\partial\langle H\rangle/\partial\theta|", "\u2202"),   # partial sign
    (r"\langle H\rangle", "\u27e8"),                             # angle bracket
    (r"\frac{c}{\max(\lVert g\rVert, c)}", "max"),
    (r"\operatorname{Var}\hat g_i", "Var"),
])
def test_formulas_become_mathml_without_latex_left(latex: str, must_contain: str) -> None:
    stats = site.MathStats()
    out = site.latex_to_mathml(latex, display=False, stats=stats, where="t")
    assert out.startswith("<math ") and 'display="inline"' in out
    text = _math_text(out)
    assert must_contain in text and "\\" not in text, (latex, out)
    assert stats.converted == 1 and not stats.fallbacks


def test_aligned_environment_becomes_a_table_with_aligned_columns() -> None:
    out = site.latex_to_mathml(r"\begin{aligned} a &= b + c \\ d &= e \end{aligned}", True)
    assert 'display="block"' in out and out.count("<mtr>") == 2
    assert 'columnalign="right"' in out and 'columnalign="left"' in out
    assert "\\" not in _math_text(out) and "&" not in _math_text(out)


def test_a_formula_the_converter_cannot_read_falls_back_visibly() -> None:
    stats = site.MathStats()
    out = site.latex_to_mathml(r"\notacommand{x} + 1", stats=stats, where="page.html")
    assert "math-fallback" in out and "$" not in out
    assert stats.fallbacks == [("page.html", r"\notacommand{x} + 1")]
    assert stats.converted == 0


def test_fallbacks_are_typeset_images_and_line_breaks_become_rows() -> None:
    stats = site.MathStats()
    out = site.latex_to_mathml("a & b", stats=stats)  # a bare & is not valid MathML
    assert out.startswith('<img class="math-fallback" src="data:image/svg+xml;base64,')
    assert 'alt="a &amp; b"' in out and len(stats.fallbacks) == 1
    rows = site.latex_to_mathml(r"x = 1 \\ y = 2", display=True)
    assert rows.startswith("<math ") and rows.count("<mtr>") == 2


def _state(source: str = "docs/guide.md", links: dict | None = None) -> object:
    return site.PageState("page.html", site.PurePosixPath(source), links or {},
                          "someone/fork", site.MathStats())


def test_markdown_math_inline_and_display_are_typeset() -> None:
    state = _state()
    out = site.render_markdown(
        "Bound: $|\\partial\\langle H\\rangle/\\partial\\theta| \\le \\lVert H\\rVert$.\n\n"
        "$$\\left|\\frac{\\partial\\langle H\\rangle}{\\partial\\theta}\\right| \\le 1$$\n", state)
    assert out.count("<math ") == 2 and 'display="block"' in out
    assert "$" not in site._text_of(out) and "\\partial" not in site._text_of(out)
    assert state.stats.converted == 2


def test_headings_get_ids_and_stay_in_hierarchy() -> None:
    state = _state()
    out = site.render_markdown("# Title\n\n### Skipped a level\n\n# Second top\n\n### Sub\n", state)
    levels = [h["level"] for h in state.headings]
    assert levels == [1, 2, 2, 3]
    assert re.findall(r"<h(\d)", out) == ["1", "2", "2", "3"]
    ids = [h["id"] for h in state.headings]
    assert ids == ["title", "skipped-a-level", "second-top", "sub"]


def test_links_point_into_the_site_or_the_repository() -> None:
    links = {"docs/troubleshooting.md": "troubleshooting.html",
             "notebooks/03a_x.ipynb": "03a_x.html", "README.md": "readme.html"}
    out = site.render_markdown(
        "[a](troubleshooting.md#fix) [b](../notebooks/03a_x.ipynb) [c](../Makefile) "
        "[d](https://example.org/x) [e](#local) [f](../README.md)", _state(links=links))
    hrefs = re.findall(r'href="([^"]+)"', out)
    assert hrefs == ["troubleshooting.html#fix", "03a_x.html",
                     "https://github.com/someone/fork/blob/HEAD/Makefile",
                     "https://example.org/x", "#local", "readme.html"]


def test_markdown_images_are_embedded_with_alt_text() -> None:
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    out = site.render_markdown("![A one-pixel plot](attachment:dot.png) and "
                               "![](https://example.org/badge.svg)", _state(),
                               attachments={"dot.png": {"image/png": png}})
    assert f'src="data:image/png;base64,{png}"' in out and 'alt="A one-pixel plot"' in out
    assert "example.org" not in out  # a remote image would need the network: text instead


def test_chinese_text_is_marked_outside_tags_and_title() -> None:
    page = ('<title>Start（从这里开始）</title><p class="x">Clipping（梯度裁剪）and '
            '<code>a</code> 量子</p>')
    out = site.mark_cjk(page)
    assert "<title>Start（从这里开始）</title>" in out
    assert '<span lang="zh">（梯度裁剪）</span>' in out
    assert '<span lang="zh">量子</span>' in out


def test_test_markers_are_not_shown() -> None:
    assert site.strip_test_markers("# NBVAL_IGNORE_OUTPUT\nx = 1\n#NBVAL_SKIP\ny") == "x = 1\ny"
    assert site.strip_test_markers("x = 1  # NBVAL_IGNORE_OUTPUT is mentioned") != ""


def test_figure_alt_text_is_the_title_or_the_next_sentence() -> None:
    code = 'ax.plot(x)\nax.set_title("Loss against step")'
    assert site.figure_alt(code, "", "fb") == "Figure: Loss against step"
    nxt = "The clipped run converges while the plain one diverges. More text follows here."
    assert site.figure_alt("plt.plot(x)", nxt, "fb") == (
        "Figure. The clipped run converges while the plain one diverges.")
    assert site.figure_alt("plt.plot(x)", "", "Figure 3 of X") == "Figure 3 of X"


def test_repository_address_comes_from_pyproject_urls(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(site.REPO_ENV, raising=False)
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "clipq_edu"\n[project.urls]\n'
                         'Repository = "https://github.com/org/course.git"\n', encoding="utf-8")
    monkeypatch.setattr(site.links, "_PYPROJECT", pyproject)
    assert site.course_repo() == "org/course"
    monkeypatch.setenv(site.REPO_ENV, "alice/fork")
    assert site.course_repo() == "alice/fork"


@pytest.mark.slow
def test_without_an_address_the_site_has_no_binder_or_source_links(
    small_course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_network: None
) -> None:
    monkeypatch.delenv(site.REPO_ENV, raising=False)
    monkeypatch.setattr(site.links, "repository", lambda *a, **k: None)
    out = tmp_path / "site"
    site.build_site(small_course, out, docs_dir=None)
    for page in out.glob("*.html"):
        parsed = Page(page.read_text(encoding="utf-8"))
        assert not parsed.hrefs("binder"), page.name
        external = [h for h, _ in parsed.links if "://" in h]
        assert not external, (page.name, external)
        for href, _ in parsed.links:
            assert (out / href.split("#")[0]).is_file() or href.startswith("#"), href
    assert Page((out / "00_intro.html").read_text(encoding="utf-8")).hrefs("download") == [
        "notebooks/00_intro.ipynb"] * 2


# ---- the real course ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def course_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """The course's notebooks and docs built once; returns (folder, stdout, stderr)."""
    import contextlib
    import io

    if not site.find_chapters(site.NOTEBOOKS):
        pytest.skip("notebooks/ holds no notebooks yet")
    out = tmp_path_factory.mktemp("course") / "site"
    stdout, stderr = io.StringIO(), io.StringIO()
    with (pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(stdout),
          contextlib.redirect_stderr(stderr)):
        _block_sockets(mp)  # the build of the real course fetches nothing either
        site.build_site(site.NOTEBOOKS, out)
    return out, stdout.getvalue(), stderr.getvalue()


def test_course_formulas_are_all_mathml(course_site: tuple[Path, str, str]) -> None:
    out, stdout, stderr = course_site
    assert "formula not converted" not in stderr, stderr
    match = re.search(r"formulas: (\d+) typeset as MathML, (\d+) as images", stdout)
    assert match and int(match[1]) > 0 and match[2] == "0", stdout
    for page in out.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        visible = site._text_of(re.sub(r"<(pre|code|script)\b.*?</\1>", " ", text, flags=re.S))
        for raw in ("$$", "\\partial", "\\langle", "\\lVert", "\\frac"):
            assert raw not in visible, f"{page.name} shows raw LaTeX {raw!r}"
        scripts = Page(text).scripts + re.findall(r'<link[^>]*href="([^"]+)"', text)
        assert scripts and not any("//" in s for s in scripts), f"{page.name} fetches {scripts}"


def test_course_site_has_docs_search_downloads_and_resolving_links(
    course_site: tuple[Path, str, str]
) -> None:
    from urllib.parse import unquote, urlsplit

    out, _, _ = course_site
    hidden = site.MAINTAINER_DOCS + site.INSTRUCTOR_ONLY_DOCS  # never published (issue 28)
    for doc in sorted(site.DOCS.glob("*.md")):
        published = (out / f"{doc.stem}.html").is_file()
        assert published == (doc.stem not in hidden), f"docs/{doc.name}: published={published}"
    index_js = (out / "_static" / "search-index.js").read_text(encoding="utf-8")
    entries = json.loads(index_js.split("=", 1)[1].rstrip().rstrip(";"))
    assert {e["url"].split("#")[0] for e in entries} >= {
        c.page for c in site.find_chapters(site.NOTEBOOKS)}
    pages = {p.name: Page(p.read_text(encoding="utf-8")) for p in out.glob("*.html")}
    for name, page in pages.items():
        assert all(alt and alt.strip() for alt in page.alts), f"{name}: image without alt"
        for href, _ in page.links:
            parts = urlsplit(href)
            if parts.scheme or href.startswith("mailto:"):
                continue
            target = unquote(parts.path) or name
            assert (out / target).is_file(), f"{name}: broken link {href!r}"
            if parts.fragment and target.endswith(".html"):
                assert parts.fragment in pages[target].ids, f"{name}: no anchor for {href!r}"


def test_course_site_marks_chinese_and_hides_test_markers(
    course_site: tuple[Path, str, str]
) -> None:
    out, _, _ = course_site
    for page in out.glob("[0-9]*.html"):
        text = page.read_text(encoding="utf-8")
        assert "NBVAL_" not in text, page.name
        body = text.split("<body", 1)[1]
        assert not re.search(r">[^<]*[\u4e00-\u9fff][^<]*<", re.sub(
            r'<span lang="zh">[^<]*</span>', "", body)), f"{page.name}: unmarked Chinese text"


def test_shipped_cjk_font_covers_the_course_and_reports_gaps(tmp_path: Path) -> None:
    assert site.CJK_FONT.is_file() and site.CJK_FONT.stat().st_size < 2_000_000
    page = tmp_path / "p.html"
    page.write_text("<p>梯度裁剪 and a rare 龘</p>", encoding="utf-8")
    assert site.missing_cjk_glyphs([page]) == ["龘"]


@pytest.mark.slow
def test_book_builds_in_a_network_namespace_without_network(tmp_path: Path) -> None:
    """``tools/build_site.py`` as ``make book`` runs it, in a namespace with no network at all."""
    import shutil
    import subprocess

    unshare = shutil.which("unshare")
    if unshare is None or subprocess.run([unshare, "-n", "true"], capture_output=True).returncode:
        pytest.skip("unshare -n is not available here (needs root or user namespaces)")
    if not site.find_chapters(site.NOTEBOOKS):
        pytest.skip("notebooks/ holds no notebooks yet")
    out = tmp_path / "site"
    proc = subprocess.run(
        [unshare, "-n", sys.executable, str(ROOT / "tools" / "build_site.py"), "--out", str(out)],
        capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "0 as images" in proc.stdout and (out / "index.html").is_file()
    assert (out / "_static" / "search-index.js").is_file()


def test_cells_render_outputs_escaped_progress_collapsed_and_tags_honoured() -> None:
    nb = _nb(("md", "## Part\nText after."), ("code", "# NBVAL_IGNORE_OUTPUT\nrun()"),
             ("code", "hidden_input()"), ("code", "dropped()"))
    code, hidden, dropped = (c for c in nb.cells if c.cell_type == "code")
    code.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="10%\r50%\r100%\ndone <ok>\n"),
        nbformat.v4.new_output("error", ename="ValueError", evalue="bad",
                               traceback=["\x1b[31mValueError\x1b[0m: bad <input>"]),
        nbformat.v4.new_output("execute_result", data={"text/plain": "a < b"},
                               execution_count=1),
    ]
    hidden.metadata["tags"] = ["remove-input"]
    hidden.outputs = [nbformat.v4.new_output("display_data", data={"text/html": "<b>kept</b>"})]
    dropped.metadata["tags"] = ["remove-cell"]
    cells = site.render_cells(nb, _state("notebooks/x.ipynb"), "X")
    assert [c["kind"] for c in cells] == ["markdown", "code", "code"]
    first, second = cells[1], cells[2]
    assert first["source"] == "run()" and "NBVAL" not in first["source_html"]
    stream, error, text = first["outputs"]
    assert stream["html"] == "100%\ndone &lt;ok&gt;\n"
    assert '<span class="ansi-red-fg">ValueError</span>' in error["html"]
    assert "&lt;input&gt;" in error["html"] and text["html"] == "a &lt; b"
    assert second["source"] == "" and second["outputs"][0]["html"] == "<b>kept</b>"


@pytest.mark.slow
def test_no_answer_key_and_no_maintainer_pages_in_the_site(
        small_course: Path, tmp_path: Path, no_network: None) -> None:
    """Issue 28: the answer key is never published; maintainers' pages are not in the site."""
    import re as _re

    out = tmp_path / "site"
    site.build_site(small_course, out, docs_dir=ROOT / "docs")
    guide = (ROOT / "docs" / "instructors.md").read_text(encoding="utf-8")
    block = _re.search(r"<!-- answer-key:begin -->(.*?)<!-- answer-key:end -->", guide, _re.S)
    assert block, "docs/instructors.md has no answer-key block"
    key_rows = [line.split("|")[3].strip() for line in block[1].splitlines()
                if _re.match(r"\|\s*\d\d[a-c]?\.\d+", line)]
    assert len(key_rows) >= 20
    published = "\n".join(p.read_text(encoding="utf-8", errors="replace")
                          for p in out.rglob("*") if p.is_file() and p.suffix in (".html", ".js"))
    assert "answer-key" in published or "make answer-key" in published  # the notice is there
    leaked = [row for row in key_rows if len(row) > 25 and row in published]
    assert not leaked, f"answers published: {leaked[:3]}"
    for stem in site.MAINTAINER_DOCS + site.INSTRUCTOR_ONLY_DOCS:
        assert not (out / f"{stem}.html").exists()
        assert f'href="{stem}.html"' not in published
    assert not list(out.rglob("answer_key*"))
