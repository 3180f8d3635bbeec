"""The course's two languages: English (the default) and 中文.

Everything a learner reads from the library (exercise prompts, hints, solutions and feedback,
explorer titles, control labels and messages, claim-check and diagnosis texts) exists in both
languages and follows one setting. The Chinese notebooks (``notebooks/zh/``) switch it in their
first cell::

    import clipq_edu as cq
    cq.set_language("zh")

Error messages of the API stay in English: they are for programmers, and English searches
better.

Two ways to write a bilingual string:

* :func:`tr` picks the current language *now* and returns a plain ``str``. Use it where the text
  is built when it is shown (a feedback message, a widget's label).
* :class:`Text` is defined once (at import time, e.g. an exercise's prompt) and renders in the
  language current *when it is shown*: ``str(text)`` and f-strings render it.

Notebook cells print and label in the learner's language with :func:`msg` and :func:`say`: the
cell holds only the English template, and the Chinese one comes from the message catalog
shipped with the library (``clipq_edu/messages/zh/*.toml``, one file per chapter, keyed by the
English template)::

    cq.say("fitted log2 slope: {slope:.3f}", slope=slope)      # prints
    ax.set_xlabel(cq.msg("number of qubits n"))               # returns the text

>>> previous = set_language("zh")
>>> tr("gradient clipping", "梯度裁剪")
'梯度裁剪'
>>> prompt = Text("Norm of g?", "g 的范数是多少？")
>>> f"{prompt}"
'g 的范数是多少？'
>>> _ = set_language(previous)
>>> str(prompt)
'Norm of g?'
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import tomllib
from collections.abc import Iterator
from importlib import resources
from typing import Any

__all__ = [
    "LANGUAGES",
    "LANGUAGE_ENV",
    "Text",
    "get_language",
    "has_chinese",
    "display_width",
    "language",
    "msg",
    "pad",
    "say",
    "set_language",
    "tr",
]

#: The languages the course speaks.
LANGUAGES = ("en", "zh")
#: Environment variable read once at import: the starting language (``en`` if unset).
LANGUAGE_ENV = "CLIPQ_EDU_LANG"

_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")


def _normalise(lang: object) -> str:
    if not isinstance(lang, str):
        raise TypeError(f"language must be a string, one of {LANGUAGES}, got "
                        f"{type(lang).__name__}")
    key = lang.strip().lower().replace("_", "-")
    if key.startswith("zh"):  # zh, zh-cn, zh-hans ...
        return "zh"
    if key.startswith("en"):
        return "en"
    raise ValueError(f"language={lang!r} is not available; choose one of {LANGUAGES}")


def _initial() -> str:
    try:
        return _normalise(os.environ.get(LANGUAGE_ENV, "en") or "en")
    except ValueError:
        return "en"


_current = _initial()


def set_language(lang: str) -> str:
    """Switch the language of everything the library shows to a learner; return the old one.

    Args:
      lang: ``"en"`` or ``"zh"`` (``"zh-CN"``, ``"zh_Hans"`` and ``"EN"`` are accepted too).

    Raises:
      ValueError: naming the value, for a language the course does not have.

    >>> old = set_language("zh")
    >>> get_language()
    'zh'
    >>> set_language(old)
    'zh'
    """
    global _current
    previous, _current = _current, _normalise(lang)
    if _current == "zh":  # Chinese figure text needs the shipped CJK font (clipq_edu._fonts)
        from clipq_edu._fonts import use_cjk_font

        use_cjk_font()
    return previous


def get_language() -> str:
    """The current language, ``"en"`` or ``"zh"``."""
    return _current


@contextlib.contextmanager
def language(lang: str) -> Iterator[str]:
    """Use ``lang`` inside a ``with`` block, then restore the previous language.

    >>> with language("zh"):
    ...     tr("yes", "是")
    '是'
    """
    previous = set_language(lang)
    try:
        yield _current
    finally:
        set_language(previous)


def tr(en: str, zh: str) -> str:
    """``en`` or ``zh``, whichever the current language is, as a plain ``str``."""
    return zh if _current == "zh" else en


def display_width(text: str) -> int:
    """Columns ``text`` takes in a monospaced font: a wide (Chinese) character takes two.

    >>> display_width("clip"), display_width("裁剪"), display_width("裁剪=1")
    (4, 4, 6)
    """
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def pad(text: str, columns: int, *, right: bool = False) -> str:
    """``text`` padded with spaces to ``columns`` monospaced columns (see :func:`display_width`);
    ``right=True`` aligns it right. For ASCII text this is ``f"{text:<n}"`` / ``f"{text:>n}"``,
    which count characters and so misalign Chinese columns.

    >>> pad("裁剪", 6) + "|", pad("ab", 4, right=True)
    ('裁剪  |', '  ab')
    """
    fill = " " * max(0, columns - display_width(text))
    return fill + text if right else text + fill


def has_chinese(text: str) -> bool:
    """True when ``text`` holds at least one Chinese character (used by the tests).

    >>> has_chinese("梯度"), has_chinese("gradient")
    (True, False)
    """
    return bool(_CJK.search(str(text)))


class Text(str):
    """A string defined in both languages that renders in the language current when shown.

    As a ``str`` its value is the English text (so comparisons, ``in`` and ``len`` see English);
    ``str(text)``, ``format(text)`` and f-strings give the current language. Call ``str`` on it
    before string methods such as ``replace`` or ``+``.

    Args:
      en: the English text.
      zh: the Chinese text (must not be empty).
    """

    zh: str

    def __new__(cls, en: str, zh: str) -> Text:
        if not isinstance(en, str) or not isinstance(zh, str):
            raise TypeError("Text(en, zh) takes two strings")
        if not zh.strip():
            raise ValueError(f"Text({en[:40]!r}, ...) has no Chinese text")
        obj = super().__new__(cls, en)
        obj.zh = zh
        return obj

    @property
    def en(self) -> str:
        """The English text."""
        return str.__str__(self)

    def __str__(self) -> str:
        return self.zh if _current == "zh" else str.__str__(self)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __repr__(self) -> str:
        return f"Text({self.en!r}, {self.zh!r})"

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (Text, (self.en, self.zh))



@functools.cache
def message_catalog(lang: str = "zh") -> dict[str, str]:
    """The message catalog of ``lang``: English template -> translated template.

    Read once from ``clipq_edu/messages/<lang>/*.toml`` (a table of ``"English" = "中文"``
    pairs per chapter). A template translated twice, differently, is an error.
    """
    merged: dict[str, str] = {}
    folder = resources.files("clipq_edu") / "messages" / lang
    if not folder.is_dir():
        return merged
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        for english, translated in tomllib.loads(entry.read_text(encoding="utf-8")).items():
            if merged.get(english, translated) != translated:
                raise ValueError(f"messages/{lang}/{entry.name}: {english!r} is translated "
                                 f"twice, differently")
            merged[english] = translated
    return merged


def msg(template: str, /, *args: Any, **values: Any) -> str:
    """``template.format(*args, **values)`` in the current language.

    ``template`` is the English text with ``str.format`` fields; in Chinese, its translation from
    the message catalog is formatted with the same values (an untranslated template stays
    English; ``tests/test_messages.py`` finds every template a notebook uses and requires one).

    >>> msg("{n} shots", n=100)
    '100 shots'
    >>> with language("zh"):
    ...     msg("{n} shots", n=100)
    '100 次测量'
    """
    if _current != "en":
        template = message_catalog(_current).get(template, template)
    return template.format(*args, **values)


def say(template: str, /, *args: Any, **values: Any) -> None:
    """Print :func:`msg` ``(template, *args, **values)``: a notebook's printed line, translated."""
    print(msg(template, *args, **values))
