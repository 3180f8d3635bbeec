"""clipq_edu: gradient clipping and hybrid quantum-classical training, taught with notebooks.

Import this package *first* in a notebook: it sets ``TF_USE_LEGACY_KERAS=1`` (TensorFlow
Quantum needs tf-keras, not Keras 3), quiets TensorFlow's C++ logs and sizes TensorFlow's
thread pools from the CPUs this process may really use. It does not import TensorFlow:
submodules that need it load it on first use, so the classical chapters start fast.

>>> import clipq_edu as cq
>>> cq.clipping.clip_by_global_norm([[3.0, 4.0]], 1.0)[1]
5.0
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

from clipq_edu import _env

_env.configure_environment()
_env.check_keras(strict="tensorflow" in __import__("sys").modules)
if __import__("os").environ.get("CLIPQ_EDU_CHECK_FIGURES") == "1":  # notebook tests: see _figcheck
    import matplotlib as _mpl

    if "clipq_edu._figcheck:watch_figure" not in _mpl.rcParams["figure.hooks"]:
        _mpl.rcParams["figure.hooks"] = [*_mpl.rcParams["figure.hooks"],
                                         "clipq_edu._figcheck:watch_figure"]

try:
    from clipq_edu._backend import has_tfq, tfq_available_for  # noqa: E402
    from clipq_edu._display import show_source  # noqa: E402
    from clipq_edu._env import KERAS3_HELP, keras_flavour  # noqa: E402
    from clipq_edu._setup import EnvReport, load_tensorflow, setup  # noqa: E402
    from clipq_edu.i18n import get_language, msg, say, set_language  # noqa: E402
except ModuleNotFoundError as _missing:
    # The install did not finish. `python -m clipq_edu doctor` must still run and say what to
    # do (its first part needs the standard library only); anything else gets a clear error.
    if __import__("sys").argv[:1] != ["-m"]:
        raise ModuleNotFoundError(
            f"clipq_edu needs {_missing.name!r}, which is not installed in this Python "
            f"({__import__('sys').executable}). Install the course's pinned stack (make lab, or "
            f"pip install -r requirements.txt / requirements-lite.txt as README.md says), or "
            f"run `python -m clipq_edu doctor` to see what is wrong.", name=_missing.name
        ) from _missing
    INSTALL_ERROR: ModuleNotFoundError | None = _missing
else:
    INSTALL_ERROR = None

__version__ = "0.1.0"

#: Submodules loaded on first attribute access (PEP 562), so ``import clipq_edu`` stays light.
_SUBMODULES = (
    "quantum",
    "clipping",
    "models",
    "training",
    "data",
    "plotting",
    "widgets",
    "exercises",
    "course",
    "doctor",
    "glossary",
    "i18n",
)

__all__ = [
    "EnvReport",
    "KERAS3_HELP",
    "get_language",
    "has_tfq",
    "keras_flavour",
    "load_tensorflow",
    "msg",
    "say",
    "set_language",
    "setup",
    "show_source",
    "tfq_available_for",
    "__version__",
    *_SUBMODULES,
]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES and importlib.util.find_spec(f"clipq_edu.{name}") is not None:
        module = importlib.import_module(f"clipq_edu.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'clipq_edu' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_SUBMODULES))


if TYPE_CHECKING:  # pragma: no cover
    from clipq_edu import (  # noqa: F401
        clipping,
        course,
        data,
        doctor,
        exercises,
        models,
        plotting,
        quantum,
        training,
        widgets,
    )
