"""Old flat module names, kept working after the library was reorganised (one home per
calculation).

``cq.noise``, ``from clipq_edu import measurement`` and the like still work: they return an
alias module that looks names up in the modules that now own them, and warn once with a
``DeprecationWarning`` that says where the name lives now. Nothing here computes anything.

Each entry of :data:`MOVED` maps an old module name to the modules that took over its public
names, in lookup order. :data:`RENAMED` maps ``"old_module.old_name"`` to the dotted path of a
name that was renamed on the way.
"""

from __future__ import annotations

import importlib
import types
import warnings
from typing import Any

#: old flat module -> modules that now hold its public names (searched in order)
MOVED: dict[str, tuple[str, ...]] = {
    # --- quantum (circuits, simulation, sampling, gradients, landscapes) ---
    "circuits": ("clipq_edu.quantum.circuits",),
    "measurement": ("clipq_edu.quantum.simulate", "clipq_edu.quantum.sampling"),
    "gradients": ("clipq_edu.quantum.gradients",),
    "noise": (
        "clipq_edu.quantum.landscapes",
        "clipq_edu.quantum.simulate",
        "clipq_edu.quantum.sampling",
        "clipq_edu.quantum.resources",
    ),
    "experiments": ("clipq_edu.quantum.landscapes",),
    # --- training (loop, telemetry, optimisers, shot-based optimiser) ---
    # --- course (chapter demos) ---
    "toys": ("clipq_edu.course.toys",),
    "costs": ("clipq_edu.course.costs",),
    "analysis": ("clipq_edu.course.analysis",),
    "article": ("clipq_edu.course.article",),
    "faq": ("clipq_edu.course.faq",),
    "lab": ("clipq_edu.course.lab",),
}

#: "old_module.old_name" -> "new.module.path.new_name" for names that changed on the way
RENAMED: dict[str, str] = {
    # --- quantum ---
    "measurement.expectation": "clipq_edu.quantum._legacy.expectation",
    "measurement.expectation_cirq": "clipq_edu.quantum._legacy.expectation_cirq",
    "noise._simulate": "clipq_edu.quantum._legacy.simulate_mcclean",
    "noise.cirq_expectation": "clipq_edu.quantum._legacy.cirq_expectation",
    "noise.OBSERVABLES": "clipq_edu.quantum.simulate.MCCLEAN_OBSERVABLES",
    "experiments.fit_decay_rate": "clipq_edu.quantum.landscapes.fit_log2_slope",
    "experiments.global_cost_variance_closed_form":
        "clipq_edu.quantum._legacy.global_cost_variance_closed_form",
    "experiments.local_cost_variance_closed_form":
        "clipq_edu.quantum._legacy.local_cost_variance_closed_form",
    # --- training ---
    # --- course ---
}


class DeprecatedModule(types.ModuleType):
    """Stands in for an old module: every attribute comes from the new homes, with a warning."""

    def __init__(self, old: str, homes: tuple[str, ...]) -> None:
        super().__init__(f"clipq_edu.{old}", f"Deprecated alias of {', '.join(homes)}.")
        self._old = old
        self._homes = homes

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        target = RENAMED.get(f"{self._old}.{name}")
        if target is not None:
            module_name, _, attr = target.rpartition(".")
            value = getattr(importlib.import_module(module_name), attr)
            where = target
        else:
            for home in self._homes:
                module = importlib.import_module(home)
                if hasattr(module, name):
                    value, where = getattr(module, name), f"{home}.{name}"
                    break
            else:
                raise AttributeError(
                    f"clipq_edu.{self._old} was reorganised and has no name {name!r}; "
                    f"look in {', '.join(self._homes)} (docs/developing.md has the module map)"
                )
        warnings.warn(
            f"clipq_edu.{self._old}.{name} moved to {where}; the old name will be removed",
            DeprecationWarning,
            stacklevel=2,
        )
        return value

    def __dir__(self) -> list[str]:
        names: set[str] = set()
        for home in self._homes:
            names |= {n for n in dir(importlib.import_module(home)) if not n.startswith("_")}
        return sorted(names)


def deprecated_module(old: str) -> types.ModuleType | None:
    """The alias for old module name ``old``, or ``None`` when ``old`` never existed."""
    homes = MOVED.get(old)
    return None if homes is None else DeprecatedModule(old, homes)
