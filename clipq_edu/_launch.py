"""``python -m clipq_edu lab``: start JupyterLab on the course's first chapter, on any platform.

``make lab`` (through ``tools/start_lab.sh``) calls this same launcher, so Linux, macOS and
Windows (which has no ``make``) start the course the same way. Standard library only.

Safe defaults in every case: the server listens on 127.0.0.1 and asks for its token. A
container needs another address (``--ip 0.0.0.0`` inside ``docker run -p 8888:8888``): the
token stays required. Running as root (usual in containers, cloud images and WSL) only adds
``--allow-root``, which Jupyter otherwise refuses to start without.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import shutil
import subprocess
import sys
from pathlib import Path

#: The repository root of an editable install (notebooks/ beside the package).
ROOT = Path(__file__).resolve().parents[1]
FIRST = {"en": "notebooks/00_start_here.ipynb", "zh": "notebooks/zh/00_start_here.ipynb"}


def course_root(start: Path | None = None) -> Path:
    """The folder holding ``notebooks/``: the package's repository, else the working folder."""
    for candidate in (ROOT, Path.cwd() if start is None else start):
        if (candidate / "notebooks" / "00_start_here.ipynb").is_file():
            return candidate
    raise FileNotFoundError(
        "cannot find the course's notebooks/ folder: run this from the repository you cloned "
        "(the folder with notebooks/ and requirements.txt)")


def _edition(value: str | None) -> str:
    if value is None:
        value = os.environ.get("EDITION") or ("zh" if os.environ.get("LANG", "").startswith("zh")
                                              else "en")
    return "zh" if value.lower().startswith("zh") else "en"


def _check_ip(value: str) -> str:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--ip must be an IP address such as 127.0.0.1 (this machine only) or 0.0.0.0 "
            f"(inside a container), got {value!r}") from None
    return value


def _check_port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"--port must be an integer in 1..65535, got {value!r}")
    return port


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``python -m clipq_edu lab`` (environment variables give the defaults
    ``make lab`` documents: PORT, NO_BROWSER, NOTEBOOK, EDITION)."""
    parser.add_argument("--port", type=_check_port, default=os.environ.get("PORT", "8888"),
                        help="port to listen on (JupyterLab tries the next ones if taken)")
    parser.add_argument("--ip", type=_check_ip, default="127.0.0.1",
                        help="address to listen on: 127.0.0.1 (default, this machine only) or "
                             "0.0.0.0 in a container; the token stays required")
    parser.add_argument("--edition", choices=("en", "zh"), default=None,
                        help="en (default) or zh: the Chinese edition, notebooks/zh/")
    parser.add_argument("--notebook", default=os.environ.get("NOTEBOOK"),
                        help="notebook to open, relative to the repository")
    parser.add_argument("--no-browser", action="store_true",
                        default=os.environ.get("NO_BROWSER", "0").lower() in ("1", "yes", "true"),
                        help="do not open a browser (headless machines); copy the printed URL")


def command(args: argparse.Namespace, root: Path) -> tuple[list[str], list[str]]:
    """The JupyterLab command line and the lines to tell the learner first."""
    edition = _edition(args.edition)
    notebook = args.notebook or FIRST[edition]
    notes = []
    if edition == "zh":
        notes.append("clipq_edu lab: 中文版 (Chinese edition), notebooks/zh/; the English "
                     "edition: --edition en")
    cmd = [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.ip={args.ip}",
           f"--ServerApp.port={args.port}", f"--ServerApp.root_dir={root}",
           f"--LabApp.default_url=/lab/tree/{notebook}"]
    if args.ip != "127.0.0.1":
        notes.append(f"clipq_edu lab: listening on {args.ip} (for a container's published "
                     "port); the token is still required")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        notes.append("clipq_edu lab: running as root (usual in containers): adding "
                     "--allow-root; the token stays on")
        cmd.append("--allow-root")
    if args.no_browser:
        cmd.append("--no-browser")
    return cmd, notes


def install_settings(root: Path) -> None:
    """Copy the course's JupyterLab settings (no "official Jupyter news?" prompt) into the
    environment, where JupyterLab reads overrides.json (Binder's postBuild does the same)."""
    settings = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings"
    settings.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(root / "binder" / "overrides.json", settings / "overrides.json")


def run(args: argparse.Namespace) -> int:
    """Start JupyterLab (replacing this process where the OS allows it)."""
    try:
        root = course_root()
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    cmd, notes = command(args, root)
    for note in notes:
        print(note, flush=True)
    install_settings(root)
    env = dict(os.environ)
    if _edition(args.edition) == "zh" and not env.get("LANG", "").lower().endswith(("utf-8", "utf8")):
        env["LANG"] = "C.UTF-8"  # a bare LANG=zh is no locale
    os.chdir(root)
    if os.name == "posix":
        os.execve(sys.executable, cmd, env)  # the server keeps this process id
    return subprocess.call(cmd, env=env)  # pragma: no cover - Windows
