"""``python -m clipq_edu doctor``: check that this machine can run the course.

One line per check, each failure with its fix; exit code 0 only when every check passes.
The fixes point to ``docs/troubleshooting.md``.
"""

from __future__ import annotations

import math
import platform
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from clipq_edu import _env, _preflight
from clipq_edu._backend import has_tfq
from clipq_edu._setup import package_version
from clipq_edu.i18n import tr

TROUBLESHOOTING = "docs/troubleshooting.md"

#: Pins checked when requirements.txt is not beside the package (a non-editable install).
CORE_PINS = {
    "tensorflow": "2.18.1",
    "tf-keras": "2.18.0",
    "tensorflow-quantum": "0.7.6",
    "cirq-core": "1.5.0",
}
#: Headroom one chapter needs: the largest peak kernel RSS that ``make bench`` measured,
#: 1.09 GB for ``03b_quantum_deep_learning`` (benchmarks/RESULTS.md, "peak kernel RSS"; an
#: earlier run on a loaded machine saw 1.12 GB), rounded to 1.1 GB.
MIN_FREE_BYTES = int(1.1e9)
#: Where the kernel mounts the cgroup file systems (``/sys/fs/cgroup``); tests pass a fake tree.
CGROUP_ROOT = Path("/sys/fs/cgroup")
#: This process's cgroup membership, used to find its own folder inside ``CGROUP_ROOT``.
PROC_SELF_CGROUP = Path("/proc/self/cgroup")
#: cgroup v1 writes "no limit" as a number near 2**63.
_UNLIMITED = 2**60


@dataclass(frozen=True)
class Check:
    """The outcome of one check."""

    name: str
    ok: bool
    detail: str
    fix: str = ""

    def line(self) -> str:
        """One printable line (two when there is a fix)."""
        mark = "[ OK ]" if self.ok else "[FAIL]"
        label = tr(self.name, _LABELS_ZH.get(self.name, self.name))
        text = f"{mark} {label}{tr(': ', '：')}{self.detail}"
        if not self.ok and self.fix:
            text += f"\n       {tr('fix: ', '修复：')}{self.fix}"
        return text


#: The checks' names as a Chinese reader sees them (the English name is the key).
_LABELS_ZH = {"python": "Python", "packages": "依赖包", "keras": "Keras", "quantum": "量子",
              "memory": "内存"}


def check_python() -> Check:
    """Python 3.11.5-3.13 (the pinned stacks need 3.11.5 or newer: IPython 9, fonttools 4.68,
    soupsieve 4.1; TensorFlow Quantum 0.7.6 has wheels for 3.10-3.12 only, so 3.13 runs the
    course on the library's own simulator)."""
    version = platform.python_version()
    r = _preflight.route(*_preflight.here())
    detail = f"Python {version}"
    if r.name == "lite":
        detail += tr(" (TFQ-free route: requirements-lite.txt)",
                     "（不含 TFQ 的方式：requirements-lite.txt）")
    return Check("python", r.name != "none", detail,
                 tr("use Python 3.11.5 or newer, up to 3.13 (3.12 is a good choice), or open the "
                    "course on Binder",
                    "请使用 Python 3.11.5 到 3.13（3.12 是不错的选择），或在 Binder 上打开课程"))


def _pins() -> dict[str, str]:
    """The pins of the lock this platform installs (requirements.txt, or requirements-lite.txt
    where TensorFlow Quantum has no wheels), environment markers applied."""
    lock = _preflight.route(*_preflight.here()).requirements or "requirements.txt"
    req = Path(__file__).resolve().parents[1] / lock
    if not req.is_file():
        return dict(CORE_PINS) if lock == "requirements.txt" else {}
    from packaging.markers import Marker

    pins = {}
    for raw in req.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        requirement, _, marker = line.partition(";")
        if "==" not in requirement or (marker.strip() and not Marker(marker).evaluate()):
            continue
        name, version = requirement.split("==", 1)
        pins[name.strip()] = version.strip()
    return pins


def _normalise(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def check_packages() -> Check:
    """Every pinned package installed at its pinned version."""
    pins = _pins()
    problems = []
    for name, want in pins.items():
        got = package_version(name) or package_version(_normalise(name))
        if got is None:
            problems.append(tr(f"{name} missing", f"{name} 未安装"))
        elif _normalise(got) != _normalise(want):
            problems.append(tr(f"{name} {got} (pinned {want})", f"{name} {got}（锁定版本 {want}）"))
    detail = (tr(f"{len(pins)} pinned packages as pinned",
                 f"{len(pins)} 个锁定的包，版本都与锁定文件一致")
              if not problems else tr("; ", "；").join(problems[:6]))
    if len(problems) > 6:
        detail += tr(f"; and {len(problems) - 6} more", f"；另有 {len(problems) - 6} 个")
    return Check("packages", not problems, detail,
                 tr("pip install -r requirements.txt inside the course's venv (or: make lab)",
                    "在课程的虚拟环境中运行 pip install -r requirements.txt（或者：make lab）"))


def check_keras() -> Check:
    """tf.keras must be tf-keras 2.x, not Keras 3."""
    flavour = _env.keras_flavour()
    return Check("keras", flavour.startswith("tf-keras"), tr(f"tf.keras is {flavour}",
                                                             f"tf.keras 是 {flavour}"),
                 tr("unset TF_USE_LEGACY_KERAS or set it to 1, restart the kernel and import "
                    f"clipq_edu before tensorflow ({TROUBLESHOOTING}#keras-3)",
                    "删除环境变量 TF_USE_LEGACY_KERAS 或把它设为 1，重启内核，并在 tensorflow "
                    f"之前导入 clipq_edu（{TROUBLESHOOTING}#keras-3）"))


def check_quantum() -> Check:
    """A 2-qubit expectation and its gradient match the analytic values: through TensorFlow
    Quantum where it is installed, else through the library's TensorFlow simulator (the
    engine the hybrid models use there)."""
    if not has_tfq():
        return _check_quantum_simulator()
    try:
        import cirq
        import sympy

        from clipq_edu._tf import tf, tfq

        theta = sympy.Symbol("theta")
        q0, q1 = cirq.LineQubit.range(2)
        circuit = cirq.Circuit(cirq.rx(theta)(q0), cirq.CNOT(q0, q1))
        value = tf.Variable([[0.7]])
        # ParameterShift, not Adjoint: TFQ's Adjoint differentiates each gate by a float32
        # central difference with step 5e-3 (adj_util.cc), off by ~5e-6 here, half the
        # tolerance; the shift rule is exact up to float32 rounding (~1e-7)
        layer = tfq.layers.Expectation(differentiator=tfq.differentiators.ParameterShift())
        with tf.GradientTape() as tape:
            out = layer(circuit, symbol_names=[theta], symbol_values=value,
                        operators=[cirq.Z(q1)])
        grad = float(tape.gradient(out, value)[0, 0])
        exp_ok = math.isclose(float(out[0, 0]), math.cos(0.7), abs_tol=1e-5)
        grad_ok = math.isclose(grad, -math.sin(0.7), abs_tol=1e-5)
    except Exception as exc:  # the point of a doctor: report, never crash
        return Check("quantum", False,
                     tr("TFQ failed: ", "TFQ 出错：") + f"{type(exc).__name__}: {exc}".splitlines()[0],
                     tr(f"see {TROUBLESHOOTING} (Keras 3, unsupported platform, missing packages)",
                        f"见 {TROUBLESHOOTING}（Keras 3、不受支持的平台、缺少的包）"))
    detail = f"<Z1> = {float(out[0, 0]):.5f} (cos 0.7), d/dθ = {grad:.5f} (-sin 0.7)"
    return Check("quantum", exp_ok and grad_ok, detail, _reinstall())


def _check_quantum_simulator() -> Check:
    try:
        import cirq
        import sympy

        from clipq_edu._tf import tf
        from clipq_edu.quantum.tfsim import StateVectorCircuit

        theta = sympy.Symbol("theta")
        q0, q1 = cirq.LineQubit.range(2)
        sim = StateVectorCircuit(cirq.Circuit(cirq.rx(theta)(q0), cirq.CNOT(q0, q1)), [theta],
                                 [cirq.Z(q1)])
        value = tf.Variable([[0.7]])
        with tf.GradientTape() as tape:
            out = sim.expectation(value)
        grad = float(tape.gradient(out, value)[0, 0])
        ok = (math.isclose(float(out[0, 0]), math.cos(0.7), abs_tol=1e-5)
              and math.isclose(grad, -math.sin(0.7), abs_tol=1e-5))
    except Exception as exc:  # the point of a doctor: report, never crash
        return Check("quantum", False, tr("simulator failed: ", "模拟器出错：")
                     + f"{type(exc).__name__}: {exc}".splitlines()[0], _reinstall())
    values = f"<Z1> = {float(out[0, 0]):.5f} (cos 0.7), d/dθ = {grad:.5f} (-sin 0.7)"
    detail = values + tr(
        f" on the library's simulator; TensorFlow Quantum is not installed here, so the few "
        f"cells that teach its API say so and skip ({TROUBLESHOOTING}#without-tfq)",
        f"，由本库的模拟器算出；此环境没有安装 TensorFlow Quantum，专门讲解其 API 的少数单元格"
        f"会说明这一点并跳过（{TROUBLESHOOTING}#without-tfq）")
    return Check("quantum", ok, detail, _reinstall())


def _reinstall() -> str:
    return tr(f"reinstall the pinned stack; see {TROUBLESHOOTING}",
              f"重新安装锁定版本的依赖；见 {TROUBLESHOOTING}")


@dataclass(frozen=True)
class CgroupMemory:
    """Memory of this process's control group (container, Binder pod, hub server).

    ``used`` counts every process in the group (the JupyterLab server, all kernels, the
    terminal), minus reclaimable page cache (``inactive_file``), like ``kubectl top``.
    ``limit`` is ``None`` when the group has no limit.
    """

    version: int
    used: int
    limit: int | None
    path: Path

    @property
    def free(self) -> int | None:
        """Bytes left before the out-of-memory killer acts (``None`` without a limit)."""
        return None if self.limit is None else max(self.limit - self.used, 0)


def process_tree_rss(pid: int) -> int:
    """Resident memory in bytes of process ``pid`` and all its descendants (0 when it is gone).

    What a notebook kernel really holds, helpers included; used by the benchmarks and by
    ``tools/collect.py``'s memory limit.

    >>> import os
    >>> process_tree_rss(os.getpid()) > 0
    True
    """
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
        except psutil.Error:
            pass  # exited between listing and reading
    return total


def _read_int(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if text == "max":
        return _UNLIMITED
    try:
        return int(text)
    except ValueError:
        return None


def _stat_value(stat_file: Path, keys: tuple[str, ...]) -> int:
    """The first of ``keys`` found in a ``memory.stat`` file (0 when absent)."""
    try:
        lines = stat_file.read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError):
        return 0
    values = dict(line.split(None, 1) for line in lines if len(line.split()) == 2)
    for key in keys:
        if key in values and values[key].strip().isdigit():
            return int(values[key])
    return 0


def _own_cgroup_paths(proc_self_cgroup: Path) -> dict[str, str]:
    """``{"v2": "/a/b", "memory": "/x"}`` from ``/proc/self/cgroup`` (empty when unreadable)."""
    paths: dict[str, str] = {}
    try:
        lines = proc_self_cgroup.read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError):
        return paths
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        hierarchy, controllers, rel = parts
        if hierarchy == "0" and controllers == "":
            paths["v2"] = rel
        elif "memory" in controllers.split(","):
            paths["memory"] = rel
    return paths


def _candidates(base: Path, rel: str | None) -> list[Path]:
    """This process's own folder first (when visible), then the mount point itself."""
    found = []
    if rel and rel.strip("/"):
        found.append(base / rel.strip("/"))
    found.append(base)
    return found


def cgroup_memory(root: Path = CGROUP_ROOT,
                  proc_self_cgroup: Path = PROC_SELF_CGROUP) -> CgroupMemory | None:
    """Read the container's total memory use and limit from cgroup v2, else cgroup v1.

    v2: ``memory.current`` and ``memory.max`` (``"max"`` = no limit), minus
    ``inactive_file`` of ``memory.stat``. v1: ``memory/memory.usage_in_bytes`` and
    ``memory/memory.limit_in_bytes`` (a number near 2**63 = no limit), minus
    ``total_inactive_file``.

    Args:
      root: the cgroup mount point (``/sys/fs/cgroup``; tests pass a fake tree).
      proc_self_cgroup: the membership file (``/proc/self/cgroup``).

    Returns:
      A :class:`CgroupMemory`, or ``None`` when no cgroup memory files are readable
      (macOS, Windows, some sandboxes).

    >>> cgroup_memory(Path("/nonexistent"), Path("/nonexistent")) is None
    True
    """
    root, own = Path(root), _own_cgroup_paths(Path(proc_self_cgroup))
    layouts = (
        (2, _candidates(root, own.get("v2")), "memory.current", "memory.max",
         ("inactive_file",)),
        (1, _candidates(root / "memory", own.get("memory")), "memory.usage_in_bytes",
         "memory.limit_in_bytes", ("total_inactive_file", "inactive_file")),
    )
    for version, folders, usage_name, limit_name, cache_keys in layouts:
        for folder in folders:
            usage, limit = _read_int(folder / usage_name), _read_int(folder / limit_name)
            if usage is None or limit is None:
                continue
            cache = _stat_value(folder / "memory.stat", cache_keys)
            used = usage - cache if cache <= usage else usage
            return CgroupMemory(version, used, None if limit >= _UNLIMITED else limit, folder)
    return None


def check_memory(root: Path = CGROUP_ROOT, proc_self_cgroup: Path = PROC_SELF_CGROUP,
                 host_available: int | None = None) -> Check:
    """Enough memory left for one more chapter's kernel (:data:`MIN_FREE_BYTES`).

    Counts what every process in the container uses (other kernels, the JupyterLab server),
    not only this one: the container's limit minus its total use, and the machine's available
    memory, whichever is smaller.

    Args:
      root, proc_self_cgroup: see :func:`cgroup_memory`.
      host_available: the machine's available bytes (``None``: ask psutil).

    Returns:
      A :class:`Check`; it fails below :data:`MIN_FREE_BYTES`.

    >>> check_memory(Path("/nonexistent"), Path("/nonexistent"), host_available=2 * 10**9).ok
    True
    """
    if host_available is None:
        import psutil

        host_available = psutil.virtual_memory().available
    group = cgroup_memory(root, proc_self_cgroup)
    available = host_available
    detail = tr(f"{available / 1e9:.1f} GB available on this machine",
                f"本机可用 {available / 1e9:.1f} GB")
    if group is not None and group.limit is not None:
        available = min(available, group.free)
        detail = tr(f"{available / 1e9:.1f} GB available: this container uses "
                    f"{group.used / 1e9:.1f} of its {group.limit / 1e9:.1f} GB limit "
                    f"(cgroup v{group.version})",
                    f"可用 {available / 1e9:.1f} GB：这个容器已用 {group.used / 1e9:.1f} GB，"
                    f"上限 {group.limit / 1e9:.1f} GB（cgroup v{group.version}）")
    detail += tr(f"; one chapter needs about {MIN_FREE_BYTES / 1e9:.1f} GB",
                 f"；一章约需 {MIN_FREE_BYTES / 1e9:.1f} GB")
    return Check("memory", available >= MIN_FREE_BYTES, detail,
                 tr("close other notebooks' kernels (Kernel > Shut Down All Kernels) and idle "
                    "terminals; each chapter's kernel needs up to about 1.1 GB "
                    f"({TROUBLESHOOTING}#kernel-killed)",
                    "关闭其他笔记本的内核（Kernel > Shut Down All Kernels）和闲置的终端；"
                    f"每一章的内核最多需要约 1.1 GB（{TROUBLESHOOTING}#kernel-killed）"))


CHECKS: tuple[Callable[[], Check], ...] = (
    check_python, check_packages, check_keras, check_quantum, check_memory,
)


def run(checks: tuple[Callable[[], Check], ...] = CHECKS, out=None) -> int:
    """Print the platform report (standard library only, so it runs even when the install
    did not), then run the checks, one line each; return the exit code (0 when all pass)."""
    out = out or sys.stdout
    _, lines = _preflight.report()
    print("\n".join(lines), file=out, flush=True)
    results = []
    for check in checks:
        result = check()
        results.append(result)
        print(result.line(), file=out, flush=True)
    failed = [r.name for r in results if not r.ok]
    if failed:
        print(tr(f"{len(failed)} check(s) failed: {', '.join(failed)}. More help: "
                 f"{TROUBLESHOOTING}",
                 f"{len(failed)} 项检查未通过：{'、'.join(_LABELS_ZH.get(n, n) for n in failed)}。更多帮助：{TROUBLESHOOTING}"),
              file=out)
        return 1
    print(tr("all checks passed: the course is ready (make lab)",
             "全部检查通过：课程已就绪（make lab）"), file=out)
    return 0
