"""The static course site (``make book``): pages, figures, navigation, Binder links, offline.

A small course of two notebooks is executed here (one with a matplotlib figure, one with a
real :class:`clipq_edu.widgets._base.Explorer`), rendered, and the HTML is parsed: every chapter
page exists, shows its figures as embedded ``<img>``, links to the previous/next chapter and
the contents, carries its own Binder link, and the widget appears as its PNG. The build runs
with sockets disabled, so it cannot fetch anything. The course's own notebooks are built too
when they exist.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_tool(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


site = _load_tool("build_site")
run_notebooks = _load_tool("run_notebooks")


class Page(HTMLParser):
    """Collects <img> sources, <a> links and <nav> count of one HTML page."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.imgs: list[str] = []
        self.links: list[tuple[str, str]] = []  # (href, class)
        self.navs = 0
        self.scripts: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "img":
            self.imgs.append(a.get("src") or "")
        elif tag == "a":
            self.links.append((a.get("href") or "", a.get("class") or ""))
        elif tag == "nav":
            self.navs += 1
        elif tag == "script" and a.get("src"):
            self.scripts.append(a["src"])

    def hrefs(self, cls: str) -> list[str]:
        return [h for h, c in self.links if cls in c.split()]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any socket connection attempt fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"the site build tried to open a network connection: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


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
    pages = site.build_site(small_course, out, repo="someone/course-fork")
    names = ["00_intro", "01_plot", "02_widget"]
    assert [p.name for p in pages] == ["index.html"] + [f"{n}.html" for n in names]

    index = Page((out / "index.html").read_text(encoding="utf-8"))
    assert [h for h, _ in index.links if h.endswith(".html")] == [f"{n}.html" for n in names]
    assert "Start here" in (out / "index.html").read_text(encoding="utf-8")  # title, no markup

    expected_imgs = {"00_intro": 0, "01_plot": 2, "02_widget": 1}
    for i, name in enumerate(names):
        text = (out / f"{name}.html").read_text(encoding="utf-8")
        page = Page(text)
        pngs = [s for s in page.imgs if s.startswith("data:image/png;base64,")]
        assert len(pngs) == expected_imgs[name], (name, page.imgs)
        assert page.navs == 2
        assert page.hrefs("index") == ["index.html", "index.html"]
        prev = [f"{names[i - 1]}.html"] * 2 if i > 0 else []
        nxt = [f"{names[i + 1]}.html"] * 2 if i + 1 < len(names) else []
        assert page.hrefs("prev") == prev and page.hrefs("next") == nxt
        assert page.hrefs("binder") == [
            "https://mybinder.org/v2/gh/someone/course-fork/HEAD"
            f"?urlpath=lab/tree/notebooks/{name}.ipynb"
        ] * 2
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
    assert site.binder_url("00_start_here") == (
        "https://mybinder.org/v2/gh/clipq-edu/clipq_edu/HEAD"
        "?urlpath=lab/tree/notebooks/00_start_here.ipynb"
    )
    monkeypatch.setenv(site.REPO_ENV, "alice/fork")
    assert site.binder_url("03a_x").startswith("https://mybinder.org/v2/gh/alice/fork/HEAD?")
    for bad in ("no-slash", "a/b/c", "a b/c", ""):
        with pytest.raises(ValueError, match="repo"):
            site.binder_url("00_start_here", repo=bad)
    with pytest.raises(ValueError, match="notebook"):
        site.binder_url("../etc/passwd")


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
    site.build_site(site.NOTEBOOKS, out)
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
