"""Chapter-specific demonstrations: the small experiments and helpers one chapter teaches.

The topic modules (:mod:`clipq_edu.clipping`, :mod:`clipq_edu.quantum`,
:mod:`clipq_edu.training`, ...) hold the general tools. The modules here hold what only one
or two chapters need, each built on those tools:

=========================  ==========  ==================================================
module                     chapters    what it holds
=========================  ==========  ==================================================
:mod:`.toys`               01, 02      x**4 landscape, plain vs clipped gradient descent
:mod:`.costs`              01, 02      memory, time per circuit, shot budgets
:mod:`.analysis`           03          clipping geometry, Adam, shot noise, estimators
:mod:`.scaling`            03c         input scale vs clipping, with controls over seeds
:mod:`.rnn`                03a         exploding/vanishing gradients through time (SimpleRNN)
:mod:`.plateau`            05          training on a plateau: global vs local cost, identity-block init
:mod:`.article`            04          the source article's listing and its defects
:mod:`.faq`                06          small experiments behind the FAQ answers
:mod:`.lab`                07          the capstone lab: a misbehaving hybrid model
:mod:`.tiny`               04 (widget) the article's small model in NumPy, trained in ms
=========================  ==========  ==================================================

Submodules load on first attribute access, so ``import clipq_edu.course`` is light and
imports no TensorFlow (``lab``, ``rnn`` and ``toys.keras_clipped_update`` load it when
called).

>>> from clipq_edu.course import toys
>>> toys.quartic_grad(2.0)
32.0
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: The chapter modules of this package, loaded on first access (PEP 562).
_SUBMODULES = ("toys", "costs", "analysis", "scaling", "rnn", "plateau", "article", "faq", "lab",
               "tiny")

__all__ = list(_SUBMODULES)


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_SUBMODULES))


if TYPE_CHECKING:  # pragma: no cover
    from clipq_edu.course import analysis, article, costs, faq, lab, toys  # noqa: F401
