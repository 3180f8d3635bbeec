"""Interactive explorers used in the chapters, one module each, on :class:`Explorer`.

Each explorer function returns an :class:`Explorer`; put it last in a cell to show it. Tests
drive explorers through ``explorer.set(...)`` and read ``explorer.state``/``explorer.message``.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import sys
import types
from typing import Any

from clipq_edu.widgets._base import Explorer

__all__ = ["Explorer", "explorer_names"]



class _WidgetsPackage(types.ModuleType):
    """The package's explorer names always mean the explorer *functions*.

    Each explorer ``name`` lives in submodule ``clipq_edu.widgets.name``. Importing a submodule
    makes Python set the package attribute ``name`` to the module, which would turn
    ``cq.widgets.clip_geometry(...)`` into "module is not callable" after the first call. This
    class returns the function instead; use ``importlib.import_module`` for the module.
    """

    def __getattribute__(self, name: str) -> Any:
        value = super().__getattribute__(name)
        if (
            isinstance(value, types.ModuleType)
            and value.__name__ == f"{__name__}.{name}"
            and callable(getattr(value, name, None))
        ):
            return getattr(value, name)
        return value


sys.modules[__name__].__class__ = _WidgetsPackage


def __getattr__(name: str) -> Any:
    """``widgets.clip_geometry`` is the function ``clip_geometry`` of module ``clip_geometry``.

    Each explorer lives in a module of the same name and is imported on first use, so an
    explorer that needs TensorFlow loads it only when used.
    """
    if name.startswith("_") or importlib.util.find_spec(f"{__name__}.{name}") is None:
        raise AttributeError(f"module 'clipq_edu.widgets' has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{name}"), name)


def explorer_names() -> list[str]:
    """Names of every explorer in this package (one submodule each)."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
