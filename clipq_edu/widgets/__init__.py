"""Interactive explorers used in the chapters, one module each, on :class:`Explorer`.

Each explorer function returns an :class:`Explorer`; put it last in a cell to show it. Tests
drive explorers through ``explorer.set(...)`` and read ``explorer.state``/``explorer.message``.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from clipq_edu.widgets._base import Explorer

__all__ = ["Explorer"]



def __getattr__(name: str) -> Any:
    """``widgets.clip_geometry`` is the function ``clip_geometry`` of module ``clip_geometry``.

    Each explorer lives in a module of the same name and is imported on first use, so an
    explorer that needs TensorFlow loads it only when used.
    """
    if name.startswith("_") or importlib.util.find_spec(f"{__name__}.{name}") is None:
        raise AttributeError(f"module 'clipq_edu.widgets' has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{name}"), name)
