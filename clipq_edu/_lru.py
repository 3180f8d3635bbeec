"""Bounded least-recently-used caches, one implementation for the whole library.

:class:`LRU` is a small bounded mapping (the explorers' figure caches use it).
:class:`CircuitLRU` caches something built from a Cirq circuit (a TFQ program tensor, a
parameter-shift plan) under the circuit's ``id`` and checks a frozen copy on every hit, so a
circuit mutated after it was cached is built again instead of returning a stale value.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

__all__ = ["LRU", "CircuitLRU"]


class LRU:
    """A bounded mapping that forgets the least recently used entry when full.

    Args:
      maxsize: most entries kept (0 keeps none).

    >>> cache = LRU(2)
    >>> cache.get_or_compute("a", lambda: 1), cache.get_or_compute("b", lambda: 2)
    (1, 2)
    >>> cache.get_or_compute("a", lambda: 99)  # cached: not recomputed, now most recent
    1
    >>> cache.put("c", 3)  # full: "b" (least recently used) goes
    >>> sorted(cache.keys())
    ['a', 'c']
    """

    def __init__(self, maxsize: int) -> None:
        if isinstance(maxsize, bool) or not isinstance(maxsize, int) or maxsize < 0:
            raise ValueError(f"maxsize must be an integer >= 0, got {maxsize!r}")
        self.maxsize = maxsize
        self._data: OrderedDict[Hashable, Any] = OrderedDict()

    def __contains__(self, key: Hashable) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)

    def keys(self) -> list[Hashable]:
        """The keys, least recently used first."""
        return list(self._data)

    def get(self, key: Hashable, default: Any = None) -> Any:
        """The value for ``key`` (now the most recent), or ``default``."""
        if key not in self._data:
            return default
        self._data.move_to_end(key)
        return self._data[key]

    def put(self, key: Hashable, value: Any) -> None:
        """Store ``value``; drop the least recently used entries beyond ``maxsize``."""
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.maxsize:
            self._data.popitem(last=False)

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The cached value for ``key``, computing and storing it on a miss."""
        if key in self._data:
            return self.get(key)
        value = compute()
        self.put(key, value)
        return value

    def clear(self) -> None:
        """Forget every entry."""
        self._data.clear()


class CircuitLRU(LRU):
    """An :class:`LRU` of values built from Cirq circuits, keyed by ``id(circuit)`` (plus an
    optional extra key) and checked against a frozen copy of the circuit on every hit.

    >>> import cirq
    >>> q = cirq.LineQubit(0)
    >>> c = cirq.Circuit(cirq.X(q))
    >>> cache = CircuitLRU(4)
    >>> cache.get_or_build(c, lambda: len(c))
    1
    >>> cache.get_or_build(c, lambda: 99)  # same circuit, unchanged: cached
    1
    >>> c.append(cirq.Y(q))  # mutated in place: built again
    >>> cache.get_or_build(c, lambda: len(c))
    2
    """

    def get_or_build(self, circuit: Any, build: Callable[[], Any],
                     extra: Hashable = None) -> Any:
        """The value cached for ``circuit`` (and ``extra``), or ``build()`` stored for it."""
        import cirq

        key = (id(circuit), extra)
        hit = self.get(key)
        if hit is not None and tuple(hit[0].moments) == tuple(circuit.moments):
            return hit[1]
        value = build()
        self.put(key, (cirq.FrozenCircuit(circuit), value))
        return value
