"""One home per calculation (issue 24), checked on the source of every module.

The library has ONE shot expectation (``clipq_edu/quantum/sampling.py``), ONE parameter-shift
rule (``clipq_edu/quantum/gradients.py``) and ONE place that draws shots (the binomial and
multinomial draws of ``sampling.py``). A second copy is what this test catches: it walks the
syntax tree of every module of ``clipq_edu`` and ``benchmarks`` and reports

* a function, method or class whose name says "shot expectation" (``shot.*expectation``,
  ``sampl.*expectation``, ``expectation.*shots``) anywhere but in sampling.py;
* a function, method or class whose name says "parameter shift" (``parameter.?shift``,
  ``param.?shift``) anywhere but in gradients.py;
* a name bound to such a thing by assignment (``shot_expectation = ...``: an alias is a
  second home for the reader);
* a call of ``.binomial(...)`` or ``.multinomial(...)`` (a shot draw) anywhere but in
  sampling.py.

Inside its home a calculation may have as many private helpers as it needs. Names are matched
case-insensitively, so ``ParameterShift`` and ``SampledExpectation`` count. Importing the one
home (``from clipq_edu.quantum.sampling import sample_expectation``) is of course allowed.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("clipq_edu", "benchmarks")

#: calculation -> (name pattern, the one module allowed to define it)
HOMES = {
    "shot expectation": (re.compile(r"shot.*expectation|sampl.*expectation|expectation.*shots?",
                                    re.IGNORECASE), "clipq_edu/quantum/sampling.py"),
    "parameter shift": (re.compile(r"parameter.?shift|param.?shift", re.IGNORECASE),
                        "clipq_edu/quantum/gradients.py"),
}
#: attribute calls that draw shots -> their one home
DRAWS = {"binomial": "clipq_edu/quantum/sampling.py",
         "multinomial": "clipq_edu/quantum/sampling.py"}


def _bound_names(node: ast.AST) -> list[str]:
    """Names an assignment binds (``a = ...``, ``a: T = ...``, ``a, b = ...``)."""
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    names = []
    for target in targets:
        for sub in ast.walk(target):
            if isinstance(sub, ast.Name):
                names.append(sub.id)
    return names


def second_homes(source: str, module: str) -> list[str]:
    """Every definition of a one-home calculation in ``source`` that is not in its home.

    Args:
      source: Python source text.
      module: its path relative to the repository root, e.g. ``"clipq_edu/models.py"``.

    Returns:
      One line per finding: ``"module:line what name (home: ...)"``; empty when clean.
    """
    found = []
    for node in ast.walk(ast.parse(source, filename=module)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names, kind = [node.name], "defines"
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            names, kind = _bound_names(node), "binds"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in DRAWS and DRAWS[node.func.attr] != module:
            found.append(f"{module}:{node.lineno} draws shots with .{node.func.attr}() "
                         f"(home: {DRAWS[node.func.attr]})")
            continue
        else:
            continue
        for name in names:
            for what, (pattern, home) in HOMES.items():
                if module != home and pattern.search(name):
                    found.append(f"{module}:{node.lineno} {kind} {name!r}, a {what} "
                                 f"(home: {home})")
    return found


def _modules() -> list[str]:
    """The project's own modules: hidden folders (a benchmark's virtual environment such as
    benchmarks/.venv-hub, caches) are not part of it."""
    return sorted(str(p.relative_to(ROOT)) for pkg in PACKAGES
                  for p in (ROOT / pkg).rglob("*.py")
                  if not any(part.startswith(".") or part == "__pycache__"
                             for part in p.relative_to(ROOT).parts))


def test_the_homes_exist_and_define_what_they_own():
    sampling = (ROOT / HOMES["shot expectation"][1]).read_text(encoding="utf-8")
    gradients = (ROOT / HOMES["parameter shift"][1]).read_text(encoding="utf-8")
    assert "def sample_expectation(" in sampling and ".binomial(" in sampling
    assert "def parameter_shift_gradient(" in gradients and "def parameter_shift(" in gradients
    assert len(_modules()) > 30  # the walk really sees the package


@pytest.mark.parametrize("module", _modules())
def test_every_calculation_has_one_home(module):
    source = (ROOT / module).read_text(encoding="utf-8")
    assert second_homes(source, module) == []


# ------------------------------------------------------------- the check can fail ----------
_SECOND_COPY = '''
import numpy as np

def shot_expectation(circuit, symbols, values, observable, shots, seed):
    return 0.0

class Trainer:
    def _param_shift(self, f, x):
        return (f(x + 1) - f(x - 1)) / 2

class ParameterShift:
    pass

expectation_from_shots = shot_expectation

def draw(p, n):
    return np.random.default_rng(0).multinomial(n, p)
'''


def test_a_second_copy_is_flagged():
    found = second_homes(_SECOND_COPY, "clipq_edu/training/shots.py")
    assert len(found) == 5, found
    joined = "\n".join(found)
    for name in ("'shot_expectation'", "'_param_shift'", "'ParameterShift'",
                 "'expectation_from_shots'", ".multinomial()"):
        assert name in joined
    assert "home: clipq_edu/quantum/sampling.py" in joined
    assert "home: clipq_edu/quantum/gradients.py" in joined


def test_the_homes_may_keep_private_helpers_and_others_may_import():
    helper = "def _sample_expectation_rows(x):\n    return x\n"
    assert second_homes(helper, "clipq_edu/quantum/sampling.py") == []
    assert second_homes(helper, "clipq_edu/quantum/gradients.py") != []
    shift = "def _parameter_shift_plan(c):\n    return c\n"
    assert second_homes(shift, "clipq_edu/quantum/gradients.py") == []
    user = ("from clipq_edu.quantum.sampling import sample_expectation\n"
            "from clipq_edu.quantum.gradients import parameter_shift, shifted_parameters\n"
            "def toy_gradient(p):\n    return parameter_shift(lambda x: x, p)\n")
    assert second_homes(user, "clipq_edu/course/analysis.py") == []
