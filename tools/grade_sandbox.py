"""A sandbox for students' code (``make collect``): no network, a throwaway HOME, no privileges.

Every submitted notebook (its kernel) and every code answer (a clean worker process) runs

* in a new **network namespace** (``unshare --net``: only a loopback that is down, so no
  network at all) and a private **mount namespace** in which the grader's home directory,
  ``/tmp``, ``/var/tmp`` and ``/dev/shm`` are covered by empty throwaway file systems (the
  interpreter, the virtual environment, the course and the sandbox folder stay visible);
* as the unprivileged user ``nobody`` when the grader runs as root (``setuid`` after the
  namespaces are set up); otherwise as the grader's own user inside a user namespace
  (``unshare --map-root-user``);
* with ``HOME`` and the working directory in a throwaway folder (:class:`Box`) that holds only
  the submission's own notebook, and an environment built from scratch (no variable of the
  grader's session reaches student code).

Where the operating system refuses namespaces (a container without the capability, a kernel
without user namespaces) the run goes ahead without them and :func:`probe` returns a note
that ``make collect`` writes into every row's ``note`` column.

Subcommands (used by ``tools/collect.py``; not meant to be typed)::

    python tools/grade_sandbox.py enter --box DIR [--uid N --gid N] [--mask D]... [--keep D]... -- CMD...
    python tools/grade_sandbox.py check-code < job.json     # one code answer, verdict on stdout
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOLS = Path(__file__).resolve().parent
#: The unprivileged account student code runs as when the grader is root.
NOBODY = "nobody"
#: World-writable places covered by a private, empty file system inside the sandbox.
TMP_MASKS = ("/tmp", "/var/tmp", "/dev/shm")
#: Where kept folders are parked while a mask is mounted over their parent (inside the
#: private mount namespace only).
_STAGE_CANDIDATES = ("/mnt", "/media", "/srv")
VERDICT_MARK = "CLIPQ-VERDICT"


# ------------------------------------------------------------------ what this machine allows
@dataclass(frozen=True)
class Isolation:
    """How submissions are isolated on this machine: the command prefix and a note."""

    prefix: tuple[str, ...]
    uid: int | None  # switch to this user (root only)
    gid: int | None
    note: str  # empty when everything asked for is in place

    @property
    def namespaces(self) -> bool:
        return bool(self.prefix)


def _works(cmd: list[str]) -> bool:
    try:
        return subprocess.run(cmd, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def probe() -> Isolation:
    """Find the strongest isolation this machine allows (namespaces, user switch).

    Returns:
      An :class:`Isolation`; its ``note`` says what is missing (empty when nothing is).
    """
    unshare = shutil.which("unshare")
    base = [unshare, "--net", "--mount", "--propagation", "private"] if unshare else []
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam(NOBODY)
            uid, gid = user.pw_uid, user.pw_gid
        except KeyError:
            uid = gid = None
        if base and _works([*base, "--", "true"]):
            note = "" if uid is not None else f"no user {NOBODY!r}: student code ran as root"
            return Isolation(tuple(base), uid, gid, note)
        return Isolation((), uid, gid, "no network or mount namespace (unshare refused): "
                         "student code had the network" + ("" if uid is not None else
                                                            ", and ran as root"))
    if base and _works([*base, "--map-root-user", "--", "true"]):
        return Isolation((*base, "--map-root-user"), None, None, "")
    return Isolation((), None, None, "no network or mount namespace (unshare refused): "
                     "student code had the network and the grader's files")


# ------------------------------------------------------------------ one throwaway folder
class Box:
    """A throwaway folder for one run: ``home/`` (HOME and working directory), sockets.

    Layout: ``home/`` (the student's HOME; ``home/work`` the working directory holding only
    the notebook), ``ipc/`` (the kernel's sockets), ``conn/`` (its connection file),
    ``results.jsonl`` inside ``home/`` is the decoy results channel.
    """

    def __init__(self, base: Path, name: str, isolation: Isolation) -> None:
        base.mkdir(parents=True, exist_ok=True)
        self.isolation = isolation
        self.root = Path(base) / name
        if self.root.exists():
            shutil.rmtree(self.root)
        self.home = self.root / "home"
        self.work = self.home / "work"
        self.ipc = self.root / "ipc"
        self.conn = self.root / "conn"
        for folder in (self.root, self.home, self.work, self.ipc, self.conn):
            folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o755)
        for folder in (self.home, self.work, self.ipc):
            os.chmod(folder, 0o700)
            if isolation.uid is not None:
                os.chown(folder, isolation.uid, isolation.gid)
        self.decoy = self.home / "results.jsonl"

    def give(self, path: Path) -> None:
        """Hand a file in the box to the sandbox user."""
        if self.isolation.uid is not None:
            os.chown(path, self.isolation.uid, self.isolation.gid)

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """An environment built from scratch: nothing of the grader's session leaks in."""
        env = {
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/bin", "/bin"]),
            "HOME": str(self.home), "TMPDIR": str(self.home), "USER": "student",
            "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "0",
            "MPLBACKEND": "Agg", "MPLCONFIGDIR": str(self.home / ".matplotlib"),
            "IPYTHONDIR": str(self.home / ".ipython"), "JUPYTER_CONFIG_DIR":
            str(self.home / ".jupyter"), "JUPYTER_DATA_DIR": str(self.home / ".local"),
            "JUPYTER_RUNTIME_DIR": str(self.home / ".runtime"),
            "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONDONTWRITEBYTECODE": "1",
            "CLIPQ_EDU_SOLUTIONS": "off",
            # the decoy: a notebook that writes here is flagged; checks themselves do not
            # record during a graded run (CLIPQ_EDU_GRADING, see clipq_edu/exercises/_core.py)
            "CLIPQ_EDU_RESULTS": str(self.decoy), "CLIPQ_EDU_GRADING": "1",
        }
        return {**env, **(extra or {})}

    def command(self, cmd: list[str]) -> list[str]:
        """``cmd`` wrapped so that it runs inside the sandbox (namespaces, user switch)."""
        iso = self.isolation
        if not iso.namespaces and iso.uid is None:
            return list(cmd)
        enter = [sys.executable, str(TOOLS / "grade_sandbox.py"), "enter",
                 "--box", str(self.root)]
        if iso.uid is not None:
            enter += ["--uid", str(iso.uid), "--gid", str(iso.gid)]
        if iso.namespaces:
            homes = {os.path.expanduser("~"), pwd.getpwuid(os.getuid()).pw_dir}
            for mask in sorted(homes | set(TMP_MASKS)):
                enter += ["--mask", mask]
            for keep in {sys.prefix, sys.base_prefix, str(ROOT), str(self.root),
                         *(p for p in sys.path if p and Path(p).is_dir())}:
                enter += ["--keep", keep]
        return [*iso.prefix, "--", *enter, "--", *cmd] if iso.namespaces else [*enter, "--",
                                                                               *cmd]

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


# ------------------------------------------------------------------ inside the namespaces
def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True)


def _mask(masks: list[str], keeps: list[str]) -> None:
    """Cover each mask with an empty tmpfs, keeping the ``keeps`` below it visible."""
    masks = [m for m in dict.fromkeys(os.path.realpath(m) for m in masks) if os.path.isdir(m)]
    masks = [m for m in masks if m != "/"]
    masks = [m for m in masks if not any(_under(m, o) and m != o for o in masks)]  # outermost
    keeps = sorted(dict.fromkeys(os.path.realpath(k) for k in keeps if os.path.exists(k)))
    keeps = [k for k in keeps if any(_under(k, m) and k != m for m in masks)]
    keeps = [k for k in keeps if not any(_under(k, o) and k != o for o in keeps)]  # outermost
    stage = next((s for s in _STAGE_CANDIDATES
                  if os.path.isdir(s) and not any(_under(s, m) for m in masks)), None)
    if keeps and stage is None:
        raise OSError("no folder to park kept paths in while masking")
    if keeps:
        _mount("-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", stage)
        for i, keep in enumerate(keeps):
            os.mkdir(f"{stage}/k{i}")
            _mount("--rbind", keep, f"{stage}/k{i}")
    for mask in sorted(masks, key=len):
        mode = "1777" if mask in TMP_MASKS else "0755"
        _mount("-t", "tmpfs", "-o", f"size=256m,mode={mode}", "tmpfs", mask)
    for i, keep in enumerate(keeps):
        os.makedirs(keep, exist_ok=True)
        _mount("--rbind", f"{stage}/k{i}", keep)
    if keeps:
        subprocess.run(["umount", "-l", stage], capture_output=True)


def enter(argv: list[str]) -> None:
    """Inside fresh namespaces: mask, hand files over, drop privileges, exec the command."""
    parser = argparse.ArgumentParser(prog="grade_sandbox.py enter")
    parser.add_argument("--box", required=True)
    parser.add_argument("--uid", type=int)
    parser.add_argument("--gid", type=int)
    parser.add_argument("--mask", action="append", default=[])
    parser.add_argument("--keep", action="append", default=[])
    parser.add_argument("--give", action="append", default=[],
                        help="files (e.g. the connection file) handed to the sandbox user")
    parser.add_argument("cmd", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    for i, part in enumerate(cmd):  # the connection file: readable by the sandbox user
        if i and cmd[i - 1] == "-f" and args.uid is not None and os.path.exists(part):
            os.chown(part, args.uid, args.gid)
    if args.mask:
        _mask(args.mask, args.keep)
    os.chdir(Path(args.box) / "home" / "work")
    if args.uid is not None:
        os.setgroups([])
        os.setgid(args.gid)
        os.setuid(args.uid)
    os.execvpe(cmd[0], cmd, os.environ)


# ------------------------------------------------------------------ running with limits
def run_limited(cmd: list[str], *, stdin: str, env: dict[str, str], cwd: Path,
                time_limit: float, memory_limit: int) -> tuple[int | None, str, str]:
    """Run ``cmd`` with a time and a resident-memory limit (process tree).

    Returns:
      ``(returncode or None when stopped, stdout, reason it was stopped or "")``.
    """
    import psutil

    from clipq_edu.doctor import process_tree_rss

    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=env, cwd=cwd, text=True)
    reason = ""
    out: list[str] = []
    reader = threading.Thread(target=lambda: out.append(proc.communicate(stdin)[0]),
                              daemon=True)
    reader.start()
    start = time.monotonic()
    while reader.is_alive():
        reader.join(0.2)
        if proc.poll() is not None:
            continue
        if process_tree_rss(proc.pid) > memory_limit:
            reason = f"memory limit {memory_limit / 1e9:.2g} GB exceeded"
        elif time.monotonic() - start > time_limit:
            reason = f"time limit {time_limit:g} s exceeded"
        if reason:
            try:
                for p in [*psutil.Process(proc.pid).children(recursive=True),
                          psutil.Process(proc.pid)]:
                    p.kill()
            except psutil.Error:
                pass
            reader.join(5)
            break
    return (None if reason else proc.returncode), (out[0] if out else "") or "", reason


# ------------------------------------------------------------------ one code answer
def exercise_by_id(exercise_id: str):
    """The exercise ``"02.1"``, importing only its chapter module (``clipq_edu.exercises.ch02``).

    Raises:
      KeyError: no such exercise.
    """
    import importlib

    import clipq_edu  # noqa: F401  (TF_USE_LEGACY_KERAS before anything else)
    from clipq_edu.exercises import Exercise

    chapter = str(exercise_id).split(".")[0]
    try:
        module = importlib.import_module(f"clipq_edu.exercises.ch{chapter}")
    except ImportError as exc:
        raise KeyError(f"no exercise {exercise_id!r}") from exc
    for value in vars(module).values():
        if isinstance(value, Exercise) and value.id == exercise_id:
            return value
    raise KeyError(f"no exercise {exercise_id!r}")


def check_code() -> None:
    """Read a job from stdin, define the learner's function, check it, print the verdict.

    The job: ``{"exercise", "source", "name", "nonce"}``. The source is the notebook's import
    statements and the cell that defines the function, nothing else of the notebook.
    """
    job = json.loads(sys.stdin.read())
    nonce = job.pop("nonce")
    mark = f"{VERDICT_MARK} {nonce} "
    write = sys.stdout.write

    def verdict(status: str, message: str) -> None:
        write(mark + json.dumps({"status": status, "message": message}) + "\n")
        sys.stdout.flush()

    exercise = exercise_by_id(job["exercise"])
    namespace: dict = {"__name__": "__student__"}
    try:
        exec(compile(job["source"], "<student's cell>", "exec"), namespace)
    except Exception as exc:  # the cell itself fails: the learner's problem, named
        verdict("incorrect", f"the cell defining {job['name']} fails on its own: "
                             f"{type(exc).__name__}: {exc}"[:300])
        return
    fn = namespace.get(job["name"])
    if fn is None:
        verdict("incorrect", f"{job['name']} is not defined by its cell")
        return
    record = Path(os.environ.get("HOME", ".")) / "worker-results.jsonl"
    os.environ.pop("CLIPQ_EDU_GRADING", None)  # this process records for itself
    os.environ["CLIPQ_EDU_RESULTS"] = str(record)
    feedback = exercise.check(fn)
    status = "correct" if feedback.correct else "incorrect"
    try:
        rows = [json.loads(x) for x in record.read_text(encoding="utf-8").splitlines()]
        status = str(rows[-1].get("status", status)) if rows else status
    except (OSError, ValueError):
        pass
    if feedback.correct != (status == "correct"):  # the record and the verdict disagree
        status = "incorrect"
    verdict(status, str(feedback.message))


def parse_verdict(stdout: str, nonce: str) -> dict | None:
    """The worker's verdict line (the last one carrying ``nonce``), or ``None``."""
    mark = f"{VERDICT_MARK} {nonce} "
    found = None
    for line in stdout.splitlines():
        if line.startswith(mark):
            try:
                found = json.loads(line[len(mark):])
            except json.JSONDecodeError:
                continue
    return found


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["enter"]:
        enter(argv[1:])
        return 0  # not reached: exec
    if argv[:1] == ["check-code"]:
        check_code()
        return 0
    if argv[:1] == ["probe"]:
        iso = probe()
        print(json.dumps({"prefix": iso.prefix, "uid": iso.uid, "note": iso.note}))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
