"""The course's public address, from one place: Binder, GitHub and nbgitpuller links.

The address is ``[project.urls] Repository`` in ``pyproject.toml`` (a GitHub URL). Everything
that links to the course reads it from there: the README's launch block and the instructor
guide's links (``python tools/set_repository.py OWNER/NAME`` rewrites both), the static site
(``make book``) and any notebook that prints a link. The ``CLIPQ_EDU_REPO`` environment
variable (``owner/name``) overrides it, e.g. to build a fork's site without editing a file.

Until the repository is public there is no address: :func:`repository` returns ``None`` and
:func:`binder_url` raises a ``ValueError`` that says how to set one, so no page or README shows
a button that leads nowhere.

>>> from clipq_edu import links
>>> links.binder_url("02_core_concepts", repo="alice/course")
'https://mybinder.org/v2/gh/alice/course/HEAD?urlpath=lab/tree/notebooks/02_core_concepts.ipynb'
"""

from __future__ import annotations

import os
import re
import tomllib
from importlib import metadata
from pathlib import Path
from urllib.parse import quote

__all__ = [
    "REPO_ENV",
    "binder_url",
    "clone_url",
    "nbgitpuller_url",
    "parse_repository",
    "repository",
]

#: Environment variable that overrides the address (``owner/name``).
REPO_ENV = "CLIPQ_EDU_REPO"
#: The ``[project.urls]`` key holding the GitHub address.
URL_KEY = "Repository"
_PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
_OWNER_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
_GITHUB = re.compile(r"^https://github\.com/(?P<repo>[^/?#]+/[^/?#]+?)(?:\.git)?/?$")


def parse_repository(value: str) -> str:
    """Return ``owner/name`` from ``owner/name`` or ``https://github.com/owner/name``.

    Args:
      value: a GitHub ``owner/name`` or repository URL.

    Returns:
      The ``owner/name`` string.

    Raises:
      ValueError: when ``value`` is neither.

    >>> parse_repository("https://github.com/alice/course.git")
    'alice/course'
    """
    if not isinstance(value, str):
        raise TypeError(f"repository must be a string, got {type(value).__name__}")
    text = value.strip()
    match = _GITHUB.match(text)
    repo = match["repo"] if match else text
    if not _OWNER_NAME.match(repo) or repo.upper() == "OWNER/REPO":
        raise ValueError(f"repository must be a GitHub 'owner/name' or 'https://github.com/"
                         f"owner/name', got {value!r}")
    return repo


def _from_pyproject(path: Path) -> str | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    if data.get("project", {}).get("name") != "clipq_edu":
        return None
    return data["project"].get("urls", {}).get(URL_KEY) or ""


def _from_metadata() -> str | None:
    try:
        entries = metadata.metadata("clipq_edu").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    for entry in entries:
        label, _, url = entry.partition(",")
        if label.strip().lower() == URL_KEY.lower():
            return url.strip()
    return ""


def repository(pyproject: Path | None = None, use_env: bool = True) -> str | None:
    """The course's GitHub ``owner/name``, or ``None`` while it has no public address.

    Looks at ``$CLIPQ_EDU_REPO``, then ``[project.urls] Repository`` in ``pyproject.toml``
    (in a clone), then the installed package's metadata.

    Args:
      pyproject: the ``pyproject.toml`` to read (default: the one beside the package).
      use_env: whether ``$CLIPQ_EDU_REPO`` may override the file.

    Returns:
      ``"owner/name"`` or ``None``.

    >>> repository() is None or "/" in repository()
    True
    """
    env = os.environ.get(REPO_ENV, "").strip() if use_env else ""
    if env:
        return parse_repository(env)
    url = _from_pyproject(Path(pyproject) if pyproject else _PYPROJECT)
    if url is None and pyproject is None:
        url = _from_metadata()
    return parse_repository(url) if url else None


def _require(repo: str | None) -> str:
    repo = parse_repository(repo) if repo is not None else repository()
    if repo is None:
        raise ValueError(
            "the course has no public repository address yet: set [project.urls] Repository "
            "in pyproject.toml (python tools/set_repository.py OWNER/NAME) or the "
            f"{REPO_ENV}=owner/name environment variable"
        )
    return repo


def clone_url(repo: str | None = None) -> str:
    """``https://github.com/owner/name`` (raises ``ValueError`` while there is no address)."""
    return f"https://github.com/{_require(repo)}"


def binder_url(notebook: str = "00_start_here", repo: str | None = None,
               ref: str = "HEAD", edition: str = "en") -> str:
    """The mybinder.org link that opens ``notebooks/<notebook>.ipynb`` in JupyterLab.

    Args:
      notebook: the notebook's file stem, e.g. ``"00_start_here"``.
      repo: ``owner/name``; ``None`` uses :func:`repository`.
      ref: branch, tag or commit (``HEAD``: the default branch).
      edition: ``"en"`` or ``"zh"`` (the Chinese edition, ``notebooks/zh/``).

    Returns:
      ``https://mybinder.org/v2/gh/OWNER/NAME/REF?urlpath=lab/tree/notebooks/NOTEBOOK.ipynb``
      (``notebooks/zh/NOTEBOOK.ipynb`` for the Chinese edition).

    >>> binder_url(repo="alice/course", edition="zh").split("?")[1]
    'urlpath=lab/tree/notebooks/zh/00_start_here.ipynb'

    Raises:
      ValueError: for a malformed argument, or when no address is set.
    """
    if not isinstance(notebook, str) or not re.fullmatch(r"[A-Za-z0-9._-]+", notebook):
        raise ValueError(f"notebook must be a file stem like '00_start_here', got {notebook!r}")
    if not isinstance(ref, str) or not re.fullmatch(r"[A-Za-z0-9._/-]+", ref):
        raise ValueError(f"ref must be a branch, tag or commit, got {ref!r}")
    if edition not in ("en", "zh"):
        raise ValueError(f"edition must be 'en' or 'zh', got {edition!r}")
    folder = "notebooks/zh" if edition == "zh" else "notebooks"
    return (f"https://mybinder.org/v2/gh/{_require(repo)}/{ref}"
            f"?urlpath=lab/tree/{folder}/{notebook}.ipynb")


def nbgitpuller_url(hub: str, notebook: str = "00_start_here", repo: str | None = None,
                    branch: str = "main") -> str:
    """The nbgitpuller link that copies the course into a hub user's home and opens a chapter.

    Args:
      hub: the hub's base URL, e.g. ``"https://hub.example.edu"``.
      notebook: the notebook's file stem.
      repo: ``owner/name``; ``None`` uses :func:`repository`.
      branch: the branch to pull.

    Returns:
      ``HUB/hub/user-redirect/git-pull?repo=...&branch=...&urlpath=...``.

    >>> nbgitpuller_url("https://hub.example.edu", repo="alice/course")[:61]
    'https://hub.example.edu/hub/user-redirect/git-pull?repo=https'
    """
    if not isinstance(hub, str) or not re.match(r"^https?://[^\s/]+", hub):
        raise ValueError(f"hub must be the hub's URL like 'https://hub.example.edu', got {hub!r}")
    repo = _require(repo)
    folder = repo.split("/", 1)[1]
    target = f"lab/tree/{folder}/notebooks/{notebook}.ipynb"
    return (f"{hub.rstrip('/')}/hub/user-redirect/git-pull?repo="
            f"{quote('https://github.com/' + repo, safe='')}&branch={quote(branch, safe='')}"
            f"&urlpath={quote(target, safe='')}")
