"""Show library source in a notebook, the d2l way: the reader sees what a call does.

The listing starts with a comment naming the function and its file, in the learner's language.
In Chinese, a function listed in :data:`clipq_edu._docs_zh.DOCS_ZH` shows its Chinese docstring
in place of the English one, and comments listed in ``COMMENTS_ZH`` show in Chinese; the code
itself is the library's, unchanged.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from pathlib import Path
from typing import Any

from clipq_edu.i18n import get_language, tr


def _docstring_lines(source: str) -> tuple[int, int] | None:
    """0-based first and last line of the docstring of the first function or class in ``source``."""
    try:
        tree = ast.parse(textwrap.dedent(source))
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = node.body[0] if node.body else None
            if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                    and isinstance(first.value.value, str)):
                return first.lineno - 1, first.end_lineno - 1
            return None
    return None


def with_docstring(source: str, doc: str) -> str:
    """``source`` with its (first) function's docstring replaced by ``doc`` (dedented text).

    The new docstring keeps the old one's indentation (and ''' quotes); every other line is unchanged.

    >>> src = "def f():\\n    'Old.'\\n    return 1\\n"
    >>> print(with_docstring(src, "新的说明。"), end="")
    def f():
        \"\"\"新的说明。\"\"\"
        return 1
    """
    span = _docstring_lines(source)
    if span is None:
        return source
    lines = source.splitlines(keepends=True)
    start, end = span
    first = lines[start]
    indent = first[: len(first) - len(first.lstrip())]
    opening = first.lstrip()
    prefix = opening[: len(opening) - len(opening.lstrip("rRuU"))]  # r, u or nothing
    quote = "'''" if opening[len(prefix):].startswith("'''") else '"""'
    body = doc.strip("\n").splitlines()
    new = [f"{indent}{prefix}{quote}{body[0]}"]
    new += [f"{indent}{line}" if line.strip() else "" for line in body[1:]]
    if end > start and lines[end].strip() == quote:  # closing quotes on their own line
        new.append(f"{indent}{quote}")
    else:
        new[-1] += quote
    return "".join(lines[:start]) + "\n".join(new) + "\n" + "".join(lines[end + 1:])


def with_comments(source: str, comments: dict[str, str]) -> str:
    """``source`` with each comment whose text (after ``#``, stripped) is a key of ``comments``
    replaced by its value; code and every other comment unchanged.

    >>> print(with_comments("x = 1  # one\\n", {"one": "一"}), end="")
    x = 1  # 一
    """
    import io
    import tokenize

    lines = source.splitlines(keepends=True)
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(textwrap.dedent(source)).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return source
    for tok in tokens:
        text = tok.string[1:].strip() if tok.type == tokenize.COMMENT else None
        if text in comments:
            row = tok.start[0] - 1
            line = lines[row].rstrip("\n")
            if line.endswith(tok.string):
                ending = lines[row][len(line):]
                lines[row] = line[: len(line) - len(tok.string)] + f"# {comments[text]}" + ending
    return "".join(lines)


def _where(obj: Any) -> str:
    """The file of ``obj`` relative to the directory holding the package, e.g. clipq_edu/clipping.py."""
    try:
        path = Path(inspect.getsourcefile(obj) or "")
        root = Path(__file__).resolve().parent.parent
        return path.resolve().relative_to(root).as_posix()
    except (TypeError, ValueError):
        return ""


class SourceListing:
    """A function's source that displays as highlighted code in Jupyter and plain text elsewhere.

    ``code`` is the source as the library holds it; :attr:`text` (what is shown) adds a header
    comment and, in Chinese, the Chinese docstring (see the module docstring).
    """

    def __init__(self, obj: Any) -> None:
        try:
            self.code = inspect.getsource(obj)
        except (TypeError, OSError) as exc:
            raise TypeError(f"obj must be a Python function or class, got {obj!r}") from exc
        self.name = getattr(obj, "__qualname__", repr(obj))
        self.key = f"{getattr(obj, '__module__', '')}.{self.name}"
        self.file = _where(obj)

    @property
    def header(self) -> str:
        """The first line shown: a comment naming the function and its file."""
        where_en = f" ({self.file})" if self.file else ""
        where_zh = f"（{self.file}）" if self.file else ""
        return tr(f"# source of {self.key}{where_en}", f"# {self.key} 的源代码{where_zh}")

    @property
    def text(self) -> str:
        """The listing in the current language: header line, then the source."""
        code = self.code
        if get_language() == "zh":
            from clipq_edu._docs_zh import COMMENTS_ZH, DOCS_ZH

            if self.key in DOCS_ZH:
                code = with_docstring(code, DOCS_ZH[self.key])
            code = with_comments(code, COMMENTS_ZH)
        return f"{self.header}\n{code}"

    def __repr__(self) -> str:
        return self.text

    def _repr_markdown_(self) -> str:
        return f"```python\n{self.text}```"


def show_source(obj: Any) -> SourceListing:
    """Return the source of ``obj`` for display (use as the last line of a cell)."""
    return SourceListing(obj)
