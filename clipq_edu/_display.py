"""Show library source in a notebook, the d2l way: the reader sees what a call does."""

from __future__ import annotations

import inspect
from typing import Any


class SourceListing:
    """A function's source that displays as highlighted code in Jupyter and plain text elsewhere."""

    def __init__(self, obj: Any) -> None:
        try:
            self.text = inspect.getsource(obj)
        except (TypeError, OSError) as exc:
            raise TypeError(f"obj must be a Python function or class, got {obj!r}") from exc
        self.name = getattr(obj, "__qualname__", repr(obj))

    def __repr__(self) -> str:
        return self.text

    def _repr_markdown_(self) -> str:
        return f"```python\n{self.text}```"


def show_source(obj: Any) -> SourceListing:
    """Return the source of ``obj`` for display (use as the last line of a cell)."""
    return SourceListing(obj)
