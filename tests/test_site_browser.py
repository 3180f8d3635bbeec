"""The static course site in a real browser, with the network blocked.

The course's notebooks and docs are built into a temporary folder (the same code as
``make book``) and opened from ``file://`` in Debian's Chromium driven by Playwright. Every
request that is not a local file is aborted and recorded, so a page that needs the network
fails here. Checked on every page: no raw LaTeX in the visible text, MathML laid out by the
browser wherever the source has a formula (a fraction's numerator sits above its
denominator), alt text on every image, every internal link and anchor resolves. Search for
"barren plateau" and "global norm" must rank the chapters that discuss them; the copy button
copies a cell's code; the phone-width layout has a working menu. Screenshots go to
``test-artifacts/site/``.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from browser_support import launch_chromium, sync_playwright_or_skip

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "site"

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RAW_LATEX = ("\\partial", "\\langle", "\\lVert", "\\frac", "$$")


def _load_builder():
    spec = importlib.util.spec_from_file_location("build_site", ROOT / "tools" / "build_site.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_site", module)
    spec.loader.exec_module(module)
    return module


site = _load_builder()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not site.find_chapters(site.NOTEBOOKS):
        pytest.skip("notebooks/ holds no notebooks yet")
    out = tmp_path_factory.mktemp("site") / "site"
    site.build_site(site.NOTEBOOKS, out)
    return out


@pytest.fixture(scope="module")
def browser(built: Path):
    sync_playwright = sync_playwright_or_skip()
    with sync_playwright() as pw:
        chromium = launch_chromium(pw)
        try:
            yield chromium
        finally:
            chromium.close()


class Offline:
    """A browser context in which only file:// requests pass; the others are recorded."""

    def __init__(self, browser, **options) -> None:
        self.blocked: list[str] = []
        self.context = browser.new_context(**options)
        self.context.route("**/*", self._route)

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def page(self, path: Path):
        page = self.context.new_page()
        page.goto(path.as_uri(), wait_until="load")
        return page

    def close(self) -> None:
        self.context.close()


def _source_has_math(page_name: str) -> bool:
    """Whether the notebook or doc behind a page holds a $...$ formula in its prose."""
    stem = page_name.removesuffix(".html")
    nb = site.NOTEBOOKS / f"{stem}.ipynb"
    if nb.exists():
        import nbformat

        text = "\n".join(c.source for c in nbformat.read(nb, as_version=4).cells
                         if c.cell_type == "markdown")
    elif (site.DOCS / f"{stem}.md").exists():
        text = (site.DOCS / f"{stem}.md").read_text(encoding="utf-8")
    else:
        return False
    text = re.sub(r"```.*?```|`[^`\n]*`", "", text, flags=re.S)
    return bool(re.search(r"\$[^$\n]+\$", text))


PAGE_FACTS_JS = """
() => {
  const fracs = [...document.querySelectorAll('main math mfrac')].slice(0, 20).map(f => {
    const [num, den] = f.children;
    const a = num.getBoundingClientRect(), b = den.getBoundingClientRect();
    return {stacked: a.bottom <= b.top + 2, h: f.getBoundingClientRect().height};
  });
  return {
    text: document.body.innerText,
    maths: document.querySelectorAll('main math').length,
    mathSizes: [...document.querySelectorAll('main math')].slice(0, 50)
      .map(m => m.getBoundingClientRect().width),
    fracs,
    imgs: [...document.querySelectorAll('img')].map(i => ({alt: i.getAttribute('alt'),
      ok: i.complete && i.naturalWidth > 0})),
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
    ids: [...document.querySelectorAll('[id]')].map(e => e.id),
    headings: [...document.querySelectorAll('main h1, main h2, main h3, main h4')]
      .map(h => Number(h.tagName[1])),
    zhFont: (() => { const z = document.querySelector('[lang="zh"]');
      return z ? getComputedStyle(z).fontFamily : null; })(),
  };
}
"""


def test_every_page_offline_typeset_linked_and_described(built: Path, browser) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    offline = Offline(browser, viewport={"width": 1400, "height": 900})
    facts, fonts_loaded = {}, 0
    try:
        for path in sorted(built.glob("*.html")):
            page = offline.page(path)
            facts[path.name] = page.evaluate(PAGE_FACTS_JS)
            if path.name == "index.html":  # the shipped font loads offline and has the glyphs
                fonts_loaded = page.evaluate(
                    "async () => (await document.fonts.load('16px \"clipq CJK SC\"', "
                    "'梯度裁剪')).length")
            if path.name in ("index.html", "03a_clipping_math.html"):
                page.screenshot(path=str(ARTIFACTS / f"{path.stem}.png"))
            page.close()
    finally:
        offline.close()
    assert not offline.blocked, f"the pages tried to use the network: {offline.blocked[:5]}"
    assert "index.html" in facts and len(facts) >= 3

    with_math = 0
    for name, f in facts.items():
        for raw in RAW_LATEX:
            assert raw not in f["text"], f"{name}: raw LaTeX {raw!r} is visible"
        if _source_has_math(name):
            with_math += 1
            assert f["maths"] > 0, f"{name} has formulas in its source but no <math> element"
            assert all(w > 0 for w in f["mathSizes"]), f"{name}: a formula has no width"
        assert all(fr["stacked"] for fr in f["fracs"]), f"{name}: fractions not typeset"
        for img in f["imgs"]:
            assert img["alt"] and img["alt"].strip(), f"{name}: an image has no alt text"
            assert img["ok"], f"{name}: an image did not load"
        levels = f["headings"]
        assert levels and levels[0] == 1 and levels.count(1) == 1, (name, levels[:5])
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), (name, levels)
        if any("\u4e00" <= ch <= "\u9fff" for ch in f["text"]):
            assert f["zhFont"] and "Noto Sans CJK SC" in f["zhFont"], (name, f["zhFont"])
            assert f["zhFont"].endswith("sans-serif") and "clipq CJK SC" in f["zhFont"]
        for href in f["links"]:
            parts = urlsplit(href)
            if parts.scheme != "file":
                continue
            target = Path(unquote(parts.path))
            assert target.is_file(), f"{name}: link to a missing file {href}"
            if parts.fragment and target.suffix == ".html":
                assert unquote(parts.fragment) in facts[target.name]["ids"], f"{name}: no anchor {href}"
    assert with_math >= 3, "expected several pages with formulas"
    assert fonts_loaded, "the shipped CJK font did not load from the site folder"
    assert any(f["fracs"] for f in facts.values()), "no fraction anywhere to check the layout"
    for shot in ("index.png", "03a_clipping_math.png"):
        assert (ARTIFACTS / shot).stat().st_size > 10_000


def _expected_chapters(phrase: str) -> list[tuple[int, str]]:
    """(mentions, page) of each chapter whose prose mentions ``phrase``, most first."""
    import nbformat

    counts = []
    for chapter in site.find_chapters(site.NOTEBOOKS):
        nb = nbformat.read(chapter.path, as_version=4)
        text = " ".join(c.source for c in nb.cells if c.cell_type == "markdown").lower()
        n = re.sub(r"[-_]+", " ", text).count(phrase)
        if n:
            counts.append((n, chapter.page))
    return sorted(counts, reverse=True)


@pytest.mark.parametrize("phrase", ["barren plateau", "global norm"])
def test_search_finds_the_chapters_that_discuss_it(built: Path, browser, phrase: str) -> None:
    expected = _expected_chapters(phrase)
    assert expected, f"no chapter mentions {phrase!r}: the test needs updating"
    offline = Offline(browser, viewport={"width": 1280, "height": 900})
    try:
        page = offline.page(built / "06_faq.html" if (built / "06_faq.html").exists()
                            else built / "index.html")
        page.keyboard.press("/")  # the shortcut focuses the search box
        assert page.evaluate("document.activeElement.id") == "search-input"
        page.keyboard.type(phrase)
        page.locator("#search-results .search-hit").first.wait_for(state="visible",
                                                                   timeout=10_000)
        hits = page.eval_on_selector_all("#search-results .search-hit",
                                         "els => els.map(e => e.dataset.page)")
        if phrase == "barren plateau":
            page.screenshot(path=str(ARTIFACTS / "search.png"))
        # Enter opens the first result.
        page.press("#search-input", "Enter")
        page.wait_for_url(re.compile(re.escape(hits[0])), timeout=10_000)
        # The search page (the form's target) lists the same pages for ?q=.
        results = offline.context.new_page()
        results.goto(f"{(built / 'search.html').as_uri()}?q={phrase.replace(' ', '+')}")
        results.locator("#search-page-results .search-hit").first.wait_for(timeout=10_000)
        page_hits = results.eval_on_selector_all("#search-page-results .search-hit",
                                                 "els => els.map(e => e.dataset.page)")
    finally:
        offline.close()
    assert not offline.blocked, offline.blocked[:5]
    ranked_pages = list(dict.fromkeys(hits))
    assert page_hits == hits, (page_hits, hits)
    # The first page is among the three chapters that mention it most, the chapter that
    # mentions it most is among the first three pages, and every chapter that mentions it at
    # least twice is listed.
    assert ranked_pages[0] in {p for _, p in expected[:3]}, (phrase, ranked_pages, expected)
    assert expected[0][1] in ranked_pages[:3], (phrase, ranked_pages, expected)
    must = {p for n, p in expected if n >= 2}
    assert must <= set(ranked_pages), (phrase, ranked_pages, expected)


def test_no_page_scrolls_sideways_on_a_phone(built: Path, browser) -> None:
    """Every chapter and guide at 390 px (a phone): long code, URLs and tables wrap or scroll
    inside their own box, never the page."""
    offline = Offline(browser, viewport={"width": 390, "height": 844}, is_mobile=True)
    wide = {}
    try:
        page = offline.page(sorted(built.glob("*.html"))[0])
        for html in sorted(built.rglob("*.html")):
            page.goto(html.as_uri())
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 391:
                wide[str(html.relative_to(built))] = width
    finally:
        offline.close()
    assert not wide, f"pages wider than a 390 px phone: {wide}"


def test_follows_the_readers_dark_mode(built: Path, browser) -> None:
    chapter = sorted(built.glob("0*.html"))[0]
    colours = {}
    for scheme in ("light", "dark"):
        offline = Offline(browser, viewport={"width": 1280, "height": 900}, color_scheme=scheme)
        try:
            page = offline.page(chapter)
            colours[scheme] = page.evaluate(
                "[getComputedStyle(document.body).backgroundColor,"
                " getComputedStyle(document.body).color]")
            if scheme == "dark":
                page.screenshot(path=str(ARTIFACTS / f"{chapter.stem}_dark.png"))
        finally:
            offline.close()

    def luminance(css: str) -> float:
        r, g, b = (int(v) for v in re.findall(r"\d+", css)[:3])
        return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255

    assert luminance(colours["light"][0]) > 0.9 and luminance(colours["light"][1]) < 0.3
    assert luminance(colours["dark"][0]) < 0.15 and luminance(colours["dark"][1]) > 0.7, colours


def test_copy_button_and_phone_menu(built: Path, browser) -> None:
    chapter = sorted(built.glob("0*.html"))[0]
    offline = Offline(browser, viewport={"width": 390, "height": 844}, is_mobile=True,
                      has_touch=True, permissions=["clipboard-read", "clipboard-write"])
    try:
        page = offline.page(chapter)
        sidebar = page.locator("#sidebar")
        assert not sidebar.is_visible(), "the sidebar should fold away on a phone"
        page.click(".menu-toggle")
        assert sidebar.is_visible()
        assert page.get_attribute(".menu-toggle", "aria-expanded") == "true"
        page.click(".menu-toggle")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390 + 1, f"the page scrolls sideways on a phone ({width} px)"
        page.screenshot(path=str(ARTIFACTS / f"{chapter.stem}_phone.png"))

        code = page.locator(".cell.code .input").first
        expected = code.locator("pre code").inner_text()
        code.locator("button.copy").click()
        page.wait_for_function(
            "() => document.querySelector('.cell.code .input button.copy').textContent"
            " !== 'Copy'", timeout=5_000)
        copied = page.evaluate("navigator.clipboard.readText()")
    finally:
        offline.close()
    assert not offline.blocked, offline.blocked[:5]
    assert copied.strip() == expected.strip() and "NBVAL_" not in copied
