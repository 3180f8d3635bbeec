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

from clipq_edu import _env
from clipq_edu._setup import package_version

TROUBLESHOOTING = "docs/troubleshooting.md"

#: Pins checked when requirements.txt is not beside the package (a non-editable install).
CORE_PINS = {
    "tensorflow": "2.18.1",
    "tf-keras": "2.18.0",
    "tensorflow-quantum": "0.7.6",
    "cirq-core": "1.5.0",
}
#: Memory one course kernel needs with TensorFlow loaded (measured about 0.9 GB), with margin.
MIN_FREE_BYTES = int(1.2e9)


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
        text = f"{mark} {self.name}: {self.detail}"
        if not self.ok and self.fix:
            text += f"\n       fix: {self.fix}"
        return text


def check_python() -> Check:
    """Python 3.10-3.12 (TensorFlow Quantum 0.7.6 has wheels only for those)."""
    version = platform.python_version()
    ok = (3, 10) <= sys.version_info[:2] <= (3, 12)
    return Check("python", ok, f"Python {version}",
                 "use Python 3.10-3.12 (make lab picks one), or open the course on Binder")


def _pins() -> dict[str, str]:
    req = Path(__file__).resolve().parents[1] / "requirements.txt"
    if not req.is_file():
        return dict(CORE_PINS)
    pins = {}
    for raw in req.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
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
            problems.append(f"{name} missing")
        elif _normalise(got) != _normalise(want):
            problems.append(f"{name} {got} (pinned {want})")
    detail = f"{len(pins)} pinned packages as pinned" if not problems else "; ".join(problems[:6])
    if len(problems) > 6:
        detail += f"; and {len(problems) - 6} more"
    return Check("packages", not problems, detail,
                 "pip install -r requirements.txt inside the course's venv (or: make lab)")


def check_keras() -> Check:
    """tf.keras must be tf-keras 2.x, not Keras 3."""
    flavour = _env.keras_flavour()
    return Check("keras", flavour.startswith("tf-keras"), f"tf.keras is {flavour}",
                 "unset TF_USE_LEGACY_KERAS or set it to 1, restart the kernel and import "
                 f"clipq_edu before tensorflow ({TROUBLESHOOTING}#keras-3)")


def check_quantum() -> Check:
    """A 2-qubit TFQ expectation and its gradient match the analytic values."""
    try:
        import cirq
        import sympy

        from clipq_edu._tf import tf, tfq

        theta = sympy.Symbol("theta")
        q0, q1 = cirq.LineQubit.range(2)
        circuit = cirq.Circuit(cirq.rx(theta)(q0), cirq.CNOT(q0, q1))
        value = tf.Variable([[0.7]])
        layer = tfq.layers.Expectation(differentiator=tfq.differentiators.Adjoint())
        with tf.GradientTape() as tape:
            out = layer(circuit, symbol_names=[theta], symbol_values=value,
                        operators=[cirq.Z(q1)])
        grad = float(tape.gradient(out, value)[0, 0])
        exp_ok = math.isclose(float(out[0, 0]), math.cos(0.7), abs_tol=1e-5)
        grad_ok = math.isclose(grad, -math.sin(0.7), abs_tol=1e-5)
    except Exception as exc:  # the point of a doctor: report, never crash
        return Check("quantum", False, f"TFQ failed: {type(exc).__name__}: {exc}".splitlines()[0],
                     f"see {TROUBLESHOOTING} (Keras 3, unsupported platform, missing packages)")
    detail = f"<Z1> = {float(out[0, 0]):.5f} (cos 0.7), d/dθ = {grad:.5f} (-sin 0.7)"
    return Check("quantum", exp_ok and grad_ok, detail,
                 f"reinstall the pinned stack; see {TROUBLESHOOTING}")


def check_memory() -> Check:
    """Enough free memory for one TensorFlow kernel (about 1 GB)."""
    import psutil

    available = psutil.virtual_memory().available
    limit = _env.memory_limit_bytes()
    if limit is not None:
        used = psutil.Process().memory_info().rss
        available = min(available, limit - used)
    return Check("memory", available >= MIN_FREE_BYTES, f"{available / 1e9:.1f} GB available",
                 "close other notebooks' kernels (Kernel > Shut Down); each needs about 1 GB "
                 f"({TROUBLESHOOTING}#kernel-killed)")


CHECKS: tuple[Callable[[], Check], ...] = (
    check_python, check_packages, check_keras, check_quantum, check_memory,
)


def run(checks: tuple[Callable[[], Check], ...] = CHECKS, out=None) -> int:
    """Run the checks, print one line each, return the exit code (0 when all pass)."""
    out = out or sys.stdout
    results = []
    for check in checks:
        result = check()
        results.append(result)
        print(result.line(), file=out, flush=True)
    failed = [r.name for r in results if not r.ok]
    if failed:
        print(f"{len(failed)} check(s) failed: {', '.join(failed)}. More help: "
              f"{TROUBLESHOOTING}", file=out)
        return 1
    print("all checks passed: the course is ready (make lab)", file=out)
    return 0
