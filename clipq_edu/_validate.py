"""Argument checks shared by the whole package.

Every public function validates its input with these helpers so that a mistake raises a
``ValueError`` or ``TypeError`` that names the argument, shows the value received and says
what is allowed. Private helpers of the package: notebooks and students use the public
functions, which call these (the checks a notebook may want, such as the qubit limit, have a
public home in :mod:`clipq_edu.quantum.resources`).

This module is the bottom layer: it imports nothing from clipq_edu.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

#: Largest number of qubits a state-vector simulation may use by default. 2**20 complex64
#: amplitudes are 8 MiB per state; TFQ batches and gradients multiply that.
DEFAULT_MAX_QUBITS = 20
#: Upper bounds on other counts, so that a typo (10**12) is refused instead of hanging.
MAX_LAYERS = 10_000  # circuit depth / layers
MAX_SAMPLES = 10_000_000  # random circuits, samples, repetitions
MAX_FORMULA_QUBITS = 1_000  # closed-form expressions in n (2**n stays a finite float)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def check_positive_float(
    name: str, value: Any, *, allow_zero: bool = False, maximum: float | None = None
) -> float:
    """Return ``value`` as a float after checking it is a finite number > 0 (or >= 0).

    ``maximum`` (optional) is an upper bound, inclusive.
    """
    value = check_real(name, value)
    if value < 0 or (value == 0 and not allow_zero):
        allowed = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum:g}, got {value!r}")
    return value


def check_real(
    name: str, value: Any, *, minimum: float | None = None, maximum: float | None = None
) -> float:
    """Return ``value`` as a float after checking it is a finite real number in the range.

    ``minimum`` and ``maximum`` are inclusive bounds (``None``: unbounded on that side).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        if isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "biuf":
            value = value.item()
        elif isinstance(value, (str, bytes)) or value is None:
            raise TypeError(
                f"{name} must be a real number, got {_show(value)} of type {type(value).__name__}"
            )
        else:
            try:  # 0-d tensors and similar
                value = float(value)
            except (TypeError, ValueError):
                raise TypeError(
                    f"{name} must be a real number, got {_show(value)} of type "
                    f"{type(value).__name__}"
                ) from None
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum:g}, got {value!r}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum:g}, got {value!r}")
    return value


def check_bool(name: str, value: Any) -> bool:
    """Check a flag: ``True`` or ``False`` (NumPy booleans too), nothing else."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{name} must be True or False, got {_show(value)} of type "
                    f"{type(value).__name__}")


def check_axes(name: str, ax: Any) -> Any:
    """Check an optional matplotlib ``Axes`` argument: ``None`` or an ``Axes``."""
    if ax is None:
        return None
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise TypeError(f"{name} must be a matplotlib Axes or None, got {_show(ax)} of type "
                        f"{type(ax).__name__}")
    return ax


def check_int(
    name: str, value: Any, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """Return ``value`` as an int after checking it is an integer within the given range."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise TypeError(
                f"{name} must be an integer, got {_show(value)} of type {type(value).__name__}"
            )
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_shots(name: str, value: Any) -> int:
    """Check a shot count: a positive integer (at most 10**9 so nothing hangs)."""
    return check_int(name, value, minimum=1, maximum=10**9)


#: Largest seed scikit-learn (and NumPy's legacy ``RandomState``) accepts.
MAX_SEED_32 = 2**32 - 1


def check_seed(name: str, value: Any, *, maximum: int | None = None) -> int | None:
    """Check an optional seed: ``None`` or a non-negative integer (at most ``maximum``)."""
    if value is None:
        return None
    return check_int(name, value, minimum=0, maximum=maximum)


def check_choice(name: str, value: Any, allowed: tuple[str, ...]) -> str:
    """Check that ``value`` is one of the strings in ``allowed``."""
    # ``value in allowed`` compares with ==, which is ambiguous for arrays: test the type first
    if not isinstance(value, str) or value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {choices}, got {_show(value)}")
    return value


#: Largest single array a course function may allocate (Binder gives 2 GB in all).
MAX_ARRAY_BYTES = 512 * 2**20


def check_array_memory(name: str, n_bytes: int, what: str) -> None:
    """Refuse an allocation larger than :data:`MAX_ARRAY_BYTES`, saying how much it needs."""
    if n_bytes > MAX_ARRAY_BYTES:
        raise ValueError(
            f"{name} is too large: {what} would need {format_bytes(n_bytes)}, more than the "
            f"{format_bytes(MAX_ARRAY_BYTES)} one array may use here; choose a smaller {name}"
        )


def format_bytes(n_bytes: float) -> str:
    """Format a byte count with binary units (KiB = 1024 B), e.g. ``'8.0 MiB'``.

    Public as :func:`clipq_edu.quantum.resources.format_bytes`; it lives here, below every
    topic module, because the memory checks of this module print it too.

    Args:
        n_bytes: a number of bytes (int or float).

    Returns:
        ``"512 B"``, ``"1.5 KiB"``, ... up to PiB (larger counts stay in PiB).

    Taught in chapters 05 and 06.

    >>> format_bytes(512), format_bytes(1536), format_bytes(8 * 2**30)
    ('512 B', '1.5 KiB', '8.0 GiB')
    """
    if isinstance(n_bytes, bool) or not isinstance(n_bytes, (int, float, np.integer,
                                                              np.floating)):
        raise TypeError(f"n_bytes must be a number of bytes, got {n_bytes!r:.80}")
    n = float(n_bytes)
    if not math.isfinite(n):
        raise ValueError(f"n_bytes must be finite, got {n_bytes!r}")
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(n) < 1024 or unit == "PiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    raise AssertionError("unreachable")


def as_float_array(name: str, value: Any, *, ndim: int | None = None) -> np.ndarray:
    """Convert ``value`` to a float64 NumPy array, rejecting non-numeric dtypes."""
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be array-like of numbers, got {_show(value)}") from exc
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise TypeError(f"{name} must hold numbers, got dtype {arr.dtype} ({_show(value)})")
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {arr.shape}")
    return arr


def check_finite(name: str, arr: np.ndarray) -> np.ndarray:
    """Raise if ``arr`` holds NaN or Inf, saying where the first one is."""
    bad = ~np.isfinite(arr)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} holds {int(bad.sum())} non-finite value(s) (NaN or Inf), first at index "
            f"{idx}: {arr[idx]!r}"
        )
    return arr
