"""Interactive explorers used in the chapters, each built on :class:`Explorer`.

Each explorer function returns an :class:`Explorer`; put it last in a cell to show it. Tests
drive explorers through ``explorer.set(...)`` and read ``explorer.state``/``explorer.message``.

=========================  =======  =========================================================
explorer                   chapter  what it shows
=========================  =======  =========================================================
``quartic_descent``        01       plain versus clipped gradient descent on x⁴
``clip_geometry``          02       a 2-D gradient, the clip region and the clipped arrow
``shots_histogram``        02       measurement counts from N shots, with error bars
``gradient_estimators``    03       parameter shift, finite differences and SPSA under shots
``training_telemetry``     04       gradient norms and loss while training under clipping
``barren_plateau``         05       gradient variance of random circuits versus qubits
=========================  =======  =========================================================

Each explorer lives in a private module ``_<name>.py`` and is imported on first use, so an
explorer that needs a heavy library loads it only when it is used.
"""

from __future__ import annotations

import importlib
from typing import Any

from clipq_edu.widgets._base import Explorer

#: Public name -> the private module that defines it.
_HOMES: dict[str, str] = {
    "quartic_descent": "_quartic_descent",
    "clip_geometry": "_clip_geometry",
    "shots_histogram": "_shots_histogram",
    "gradient_estimators": "_gradient_estimators",
    "training_telemetry": "_training_telemetry",
    "barren_plateau": "_barren_plateau",
}
#: The explorer functions.
_EXPLORERS = (
    "barren_plateau", "clip_geometry", "gradient_estimators", "quartic_descent",
    "shots_histogram", "training_telemetry",
)

__all__ = ["Explorer", "explorer_names", *_HOMES]


def __getattr__(name: str) -> Any:
    """``widgets.clip_geometry`` is the function of that name, imported on first use."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'clipq_edu.widgets' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))


def explorer_names() -> list[str]:
    """Names of every explorer function of this package, sorted.

    Returns:
      The names; ``getattr(clipq_edu.widgets, name)()`` builds that explorer.

    >>> explorer_names()[:2]
    ['barren_plateau', 'clip_geometry']
    """
    return list(_EXPLORERS)
