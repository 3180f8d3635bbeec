"""One name per concept in the public API: ``learning_rate`` (never ``lr``) and Optax's
``b1``/``b2`` for Adam's decay rates (never ``beta1``/``beta_1``).

Every public module of clipq_edu is imported; every public callable it defines or lists in
``__all__`` (functions, classes and their public methods, dataclass fields) is inspected.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil

import pytest

import clipq_edu

#: Parameter names the public API must not use, with the name it uses instead.
FORBIDDEN = {"lr": "learning_rate", "beta1": "b1", "beta2": "b2", "beta_1": "b1",
             "beta_2": "b2"}


def _public_modules() -> list[str]:
    names = ["clipq_edu"]
    for info in pkgutil.walk_packages(clipq_edu.__path__, "clipq_edu."):
        if not any(part.startswith("_") for part in info.name.split(".")[1:]):
            names.append(info.name)
    return names


def _public_objects(module) -> dict[str, object]:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    found = {}
    for name in names:
        value = getattr(module, name, None)
        if inspect.ismodule(value):
            continue
        if not getattr(value, "__module__", "").startswith("clipq_edu"):
            continue  # re-exported third-party names (np, Any, ...)
        if callable(value):
            found[f"{module.__name__}.{name}"] = value
    return found


def _parameter_names(obj) -> dict[str, list[str]]:
    """Where each parameter (or field) of ``obj`` and its public methods is named."""
    out: dict[str, list[str]] = {}
    targets = [("", obj)]
    if inspect.isclass(obj):
        targets += [(f".{n}", m) for n, m in vars(obj).items()
                    if (not n.startswith("_") or n == "__init__") and callable(m)]
        if dataclasses.is_dataclass(obj):
            out[".fields"] = [f.name for f in dataclasses.fields(obj)]
    for suffix, fn in targets:
        try:
            sig = inspect.signature(fn)
        except (TypeError, ValueError):
            continue
        out[suffix] = list(sig.parameters)
    return out


def find_forbidden_names(objects: dict[str, object]) -> list[str]:
    """``"qualified.name(param)"`` for every forbidden parameter or field name."""
    bad = []
    for qual, obj in sorted(objects.items()):
        for suffix, params in _parameter_names(obj).items():
            bad += [f"{qual}{suffix}({p}): use {FORBIDDEN[p]}" for p in params if p in FORBIDDEN]
    return bad


def test_public_api_uses_learning_rate_and_b1_b2() -> None:
    objects: dict[str, object] = {}
    for name in _public_modules():
        try:
            module = importlib.import_module(name)
        except ImportError as exc:  # pragma: no cover - an optional dependency is missing
            pytest.fail(f"public module {name} does not import: {exc}")
        objects.update(_public_objects(module))
    assert len(objects) > 100  # the walk found the API
    bad = sorted(set(find_forbidden_names(objects)))
    assert not bad, "public names that break the one-name rule:\n" + "\n".join(bad)


def test_checker_finds_a_forbidden_name() -> None:
    """The checker above can fail: functions, methods and dataclass fields."""

    def step(x, lr):  # noqa: ANN001, ANN202
        return x

    @dataclasses.dataclass
    class Settings:
        beta1: float = 0.9

        def update(self, g, beta_2=0.999):  # noqa: ANN001, ANN201
            return g

    bad = find_forbidden_names({"m.step": step, "m.Settings": Settings})
    assert "m.step(lr): use learning_rate" in bad
    assert "m.Settings.fields(beta1): use b1" in bad
    assert "m.Settings.update(beta_2): use b2" in bad


def test_code_exercises_ask_for_the_same_names() -> None:
    """The functions learners write (solution ``def`` lines) use the library's names too."""
    import ast

    from clipq_edu.exercises import FunctionExercise, all_exercises

    seen = 0
    for ex_id, ex in all_exercises().items():
        text = str.__str__(ex.solution_text)  # the English text
        if not isinstance(ex, FunctionExercise) or not text.startswith("def "):
            continue
        func = ast.parse(text).body[0]
        names = [a.arg for a in func.args.args + func.args.kwonlyargs]
        bad = [n for n in names if n in FORBIDDEN]
        assert not bad, f"exercise {ex_id}: {func.name}({', '.join(names)}) uses {bad}"
        seen += 1
    assert seen >= 5
