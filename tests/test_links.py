"""One source for the course's address: ``[project.urls] Repository`` in pyproject.toml.

The README's launch block and the instructor guide's links block are generated from it
(``tools/set_repository.py``); no file carries another Binder address; without an address no
button is shown and the instructions say how to set one (a fork included).
"""

from __future__ import annotations

import importlib.util
import re
import sys
import tomllib
from pathlib import Path

import pytest

from clipq_edu import links

ROOT = Path(__file__).resolve().parents[1]

_spec = importlib.util.spec_from_file_location("set_repository",
                                               ROOT / "tools" / "set_repository.py")
set_repository = importlib.util.module_from_spec(_spec)
sys.modules["set_repository"] = set_repository
_spec.loader.exec_module(set_repository)

#: The placeholder the course used before it had an address; it must not come back.
OLD_PLACEHOLDER = "clipq-edu/clipq_edu"


def _pyproject(tmp_path: Path, url: str | None) -> Path:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    text = re.sub(r"^Repository\s*=.*\n", "", text, flags=re.M)
    if url is not None:
        text = set_repository.set_pyproject_url(text, links.parse_repository(url))
    path = tmp_path / "pyproject.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("value", ["alice/course", "https://github.com/alice/course",
                                   "https://github.com/alice/course.git",
                                   " https://github.com/alice/course/ "])
def test_parse_repository_accepts_owner_name_and_urls(value: str) -> None:
    assert links.parse_repository(value) == "alice/course"


@pytest.mark.parametrize("value", ["", "alice", "OWNER/REPO", "https://gitlab.com/a/b",
                                   "a/b/c", "-bad/name"])
def test_parse_repository_rejects_the_rest(value: str) -> None:
    with pytest.raises(ValueError, match="owner/name"):
        links.parse_repository(value)


def test_repository_comes_from_pyproject_and_env_overrides(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(links.REPO_ENV, raising=False)
    (tmp_path / "a").mkdir()
    unset = _pyproject(tmp_path / "a", None)
    assert links.repository(unset) is None
    monkeypatch.setattr(links, "_PYPROJECT", unset)
    assert links.repository() is None
    with pytest.raises(ValueError, match="set_repository.py OWNER/NAME"):
        links.binder_url("00_start_here")
    (tmp_path / "b").mkdir()
    pinned = _pyproject(tmp_path / "b", "https://github.com/alice/course")
    assert links.repository(pinned) == "alice/course"
    assert tomllib.loads(pinned.read_text(encoding="utf-8"))["project"]["urls"] == {
        "Repository": "https://github.com/alice/course"}
    monkeypatch.setenv(links.REPO_ENV, "bob/fork")
    assert links.repository(pinned) == "bob/fork"
    assert links.repository(pinned, use_env=False) == "alice/course"
    assert links.binder_url("03a_clipping_math").startswith(
        "https://mybinder.org/v2/gh/bob/fork/HEAD?urlpath=lab/tree/notebooks/03a_clipping_math")


def test_setting_the_url_twice_replaces_it() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    once = set_repository.set_pyproject_url(text, "alice/course")
    twice = set_repository.set_pyproject_url(once, "bob/fork")
    urls = tomllib.loads(twice)["project"]["urls"]
    assert urls["Repository"] == "https://github.com/bob/fork"
    assert twice.count("Repository =") == 1
    assert tomllib.loads(twice)["project"]["dependencies"] == tomllib.loads(text)["project"][
        "dependencies"]


def test_link_builders() -> None:
    url = links.nbgitpuller_url("https://hub.example.edu/", "02_core_concepts", repo="a/course")
    assert url.startswith("https://hub.example.edu/hub/user-redirect/git-pull?repo=https%3A%2F%2F"
                          "github.com%2Fa%2Fcourse&branch=main&urlpath=lab%2Ftree%2Fcourse%2F"
                          "notebooks%2F02_core_concepts.ipynb")
    assert links.clone_url("a/course") == "https://github.com/a/course"
    with pytest.raises(ValueError, match="notebook"):
        links.binder_url("../x", repo="a/b")
    with pytest.raises(ValueError, match="hub"):
        links.nbgitpuller_url("hub.example.edu", repo="a/b")


def test_blocks_without_an_address_show_instructions_not_a_button() -> None:
    readme = set_repository.readme_block(None)
    assert "mybinder.org" not in readme and "badge" not in readme
    assert "tools/set_repository.py OWNER/NAME" in readme and "fork" in readme
    guide = set_repository.instructors_block(None)
    assert "OWNER/REPO" in guide and "set_repository.py" in guide


def test_blocks_with_an_address_link_to_it() -> None:
    readme = set_repository.readme_block("alice/course")
    assert "[![Launch on Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/" \
           "gh/alice/course/HEAD?urlpath=lab/tree/notebooks/00_start_here.ipynb)" in readme
    guide = set_repository.instructors_block("alice/course")
    assert "git clone https://github.com/alice/course" in guide
    assert "git-pull?repo=https%3A%2F%2Fgithub.com%2Falice%2Fcourse" in guide


def test_readme_and_guide_match_the_one_source() -> None:
    """The committed blocks are what the current pyproject.toml generates."""
    assert set_repository.stale_files() == [], (
        "README.md / docs/instructors.md links are stale: run python tools/set_repository.py")
    if links.repository(use_env=False) is None:
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        assert "badge_logo.svg" not in readme, "no launch button while there is no address"


def _public_files() -> list[Path]:
    files = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")),
             *sorted((ROOT / "binder").glob("*")), *sorted((ROOT / "notebooks").glob("*.ipynb")),
             *sorted((ROOT / "clipq_edu").rglob("*.py")), *sorted((ROOT / "tools").rglob("*"))]
    return [p for p in files if p.is_file() and p.suffix not in {".png", ".woff2", ".pyc"}]


def test_no_other_address_anywhere() -> None:
    """Binder links and the old placeholder: only the one source (or OWNER/REPO) may appear."""
    current = links.repository(use_env=False)
    allowed = {"OWNER/REPO", "OWNER/NAME", "owner/name", "alice/course"} | (
        {current} if current else set())
    for path in _public_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        rel = path.relative_to(ROOT)
        assert OLD_PLACEHOLDER not in text, f"{rel}: the placeholder {OLD_PLACEHOLDER} is back"
        for repo in re.findall(r"mybinder\.org/v2/gh/([\w.-]+/[\w.-]+)", text):
            assert repo in allowed or "{" in repo, f"{rel}: Binder link to {repo}"


def test_public_docs_stand_alone() -> None:
    """No file a public clone ships sends readers to files outside the repository."""
    files = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")),
             *sorted((ROOT / "tests").glob("*.py")), *sorted((ROOT / "benchmarks").glob("*.md")),
             *sorted((ROOT / "clipq_edu").rglob("*.py"))]
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "../" + "shared/" not in text, (
            f"{path.relative_to(ROOT)} refers to a folder outside the repository")
