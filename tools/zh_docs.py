"""Keep the Chinese guides in step with the English ones, section by section.

The Chinese guides translate English ones::

    README.zh.md                 <- README.md
    docs/zh/instructors.md       <- docs/instructors.md
    docs/zh/troubleshooting.md   <- docs/troubleshooting.md

A guide is cut into sections: the part before the first ``## `` heading (the title and the
introduction, section 0), then each ``## `` heading with its text up to the next one (``## ``
inside a fenced code block does not count). The Chinese guide has the same sections in the same
order, and right after each heading line (section 0: after its ``# `` title) a marker with the
first 16 hex digits of the SHA-256 of the English section it translates, the same stamp the
notebook catalogs carry (``tools/zh.py``)::

    ## 容器
    <!-- section sha 0123456789abcdef -->

``sha TODO`` marks a section not translated yet. A section that exists only in Chinese (a note
on the translation itself) is marked ``<!-- section zh-only -->`` and has no English partner.

Generated blocks (``<!-- NAME:begin -->`` ... ``<!-- NAME:end -->``, or ``:start``/``:end``:
timings, the answer key, hub sizing, links) are written by scripts from measured data, not by
hand. The Chinese guide carries a byte-identical copy of each (the scripts only write the
English guide), and ``sync`` copies them over; a block's content is left out of the section's
hash, so regenerating a table does not mark its translation stale. Exception: README.zh.md's
``links`` block, which ``tools/set_repository.py`` writes in Chinese itself.

Usage (from the repository root)::

    python tools/zh_docs.py status                        # what is stale, missing or out of step
    python tools/zh_docs.py sync                          # copy generated blocks from English
    python tools/zh_docs.py stamp docs/zh/instructors.md  # stamp the ``sha TODO`` sections
    python tools/zh_docs.py stamp README.zh.md --section 3 [--section 5 ...]

After changing an English guide: ``status`` names each Chinese section whose English changed;
update its translation, then ``stamp FILE --section N``. ``tests/test_zh_guides.py`` runs the
same checks. ``status`` exits 1 when something is out of step.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Chinese guide -> the English guide it translates (paths relative to the repository root).
PAIRS = {
    "README.zh.md": "README.md",
    "docs/zh/instructors.md": "docs/instructors.md",
    "docs/zh/troubleshooting.md": "docs/troubleshooting.md",
}
#: Generated blocks a Chinese guide has its own (Chinese) version of: not copied, not compared.
OWN_BLOCKS = {"README.zh.md": {"links"}}

BLOCK = re.compile(r"<!-- ([a-z][a-z0-9-]*):(?:begin|start)\b.*?<!-- \1:end -->", re.S)
MARKER = re.compile(r"^<!-- section (?:sha ([0-9a-f]{16}|TODO)|(zh-only)) -->$")


@dataclass
class Section:
    """One section: its heading line (``# `` or ``## ``) and its whole text, heading included."""

    index: int
    heading: str
    text: str

    @property
    def title(self) -> str:
        return self.heading.lstrip("#").strip()

    def marker(self) -> tuple[str | None, bool]:
        """(the stamped hash, ``"TODO"`` or ``None`` when absent; whether zh-only)."""
        lines = self.text.split("\n")
        at = lines.index(self.heading) + 1 if self.heading in lines else 0
        match = MARKER.match(lines[at].strip()) if at < len(lines) else None
        return (match[1], bool(match[2])) if match else (None, False)


def split_sections(text: str) -> list[Section]:
    """Cut a Markdown guide at its ``## `` headings (not inside fenced code blocks)."""
    lines = text.split("\n")
    starts, fenced = [0], False
    for i, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and line.startswith("## "):
            starts.append(i)
    if len(starts) > 1 and starts[1] == 0:
        starts.pop(0)
    sections = []
    for n, (a, b) in enumerate(zip(starts, [*starts[1:], len(lines)], strict=True)):
        chunk = lines[a:b]
        if chunk[0].startswith("## "):
            heading = chunk[0]
        else:  # section 0: the title
            heading = next((line for line in chunk if line.startswith("# ")), "")
        sections.append(Section(n, heading, "\n".join(chunk)))
    return sections


def canonical(text: str) -> str:
    """A section's text as hashed: generated blocks reduced to their names."""
    return BLOCK.sub(lambda m: f"<!-- {m[1]}: generated -->", text).strip() + "\n"


def section_hash(text: str) -> str:
    """The first 16 hex digits of the SHA-256 of an English section (generated blocks aside)."""
    return hashlib.sha256(canonical(text).encode("utf-8")).hexdigest()[:16]


def blocks(text: str) -> dict[str, str]:
    """The generated blocks of a text, by name (the whole block, markers included)."""
    return {m[1]: m[0] for m in BLOCK.finditer(text)}


def paired(zh_text: str, en_text: str) -> tuple[list[tuple[Section, Section]], list[str]]:
    """The (Chinese, English) section pairs, and problems of correspondence."""
    zh = [s for s in split_sections(zh_text) if not s.marker()[1]]
    en = split_sections(en_text)
    problems = []
    if len(zh) != len(en):
        problems.append(
            f"{len(zh)} sections in Chinese, {len(en)} in English: they must correspond one "
            "to one, in order (a Chinese-only section is marked <!-- section zh-only -->).\n"
            f"    English: {[s.title for s in en]}\n    Chinese: {[s.title for s in zh]}")
    return list(zip(zh, en, strict=False)), problems


def check(zh_path: str, root: Path = ROOT) -> list[str]:
    """Every way the Chinese guide ``zh_path`` is out of step with its English guide."""
    en_path = PAIRS[zh_path]
    zh_file, en_file = root / zh_path, root / en_path
    if not zh_file.is_file():
        return [f"{zh_path}: missing (it translates {en_path})"]
    zh_text, en_text = zh_file.read_text(encoding="utf-8"), en_file.read_text(encoding="utf-8")
    pairs, problems = paired(zh_text, en_text)
    problems = [f"{zh_path}: {p}" for p in problems]
    own = OWN_BLOCKS.get(zh_path, set())
    for zh, en in pairs:
        where = f"{zh_path} section {zh.index} '{zh.title}' (English '{en.title}')"
        stamp, _ = zh.marker()
        if stamp is None:
            problems.append(f"{where}: no '<!-- section sha ... -->' line right after the "
                            "heading")
        elif stamp == "TODO":
            problems.append(f"{where}: not translated yet (sha TODO); translate it, then "
                            f"`python tools/zh_docs.py stamp {zh_path} --section {zh.index}`")
        elif stamp != section_hash(en.text):
            problems.append(
                f"{where}: STALE, the English section changed since it was translated "
                f"(stamped {stamp}, English now {section_hash(en.text)}); update the "
                f"translation, then `python tools/zh_docs.py stamp {zh_path} --section "
                f"{zh.index}`")
        en_blocks, zh_blocks = blocks(en.text), blocks(zh.text)
        for name in sorted(set(en_blocks) | set(zh_blocks)):
            if name in own:
                continue
            if name not in zh_blocks:
                problems.append(f"{where}: the generated block '{name}' is missing "
                                "(`python tools/zh_docs.py sync` copies it)")
            elif name not in en_blocks:
                problems.append(f"{where}: a generated block '{name}' the English section "
                                "does not have")
            elif zh_blocks[name] != en_blocks[name]:
                problems.append(f"{where}: the generated block '{name}' differs from the "
                                "English one (`python tools/zh_docs.py sync` copies it)")
    return problems


def status(root: Path = ROOT) -> list[str]:
    """Problems across every Chinese guide."""
    return [p for zh_path in PAIRS for p in check(zh_path, root)]


def stamp(zh_path: str, sections: list[int] | None = None, root: Path = ROOT) -> list[int]:
    """Stamp the named sections (default: those marked ``sha TODO``); return what changed."""
    zh_file = root / zh_path
    zh_text = zh_file.read_text(encoding="utf-8")
    en_text = (root / PAIRS[zh_path]).read_text(encoding="utf-8")
    pairs, problems = paired(zh_text, en_text)
    if problems:
        raise SystemExit("\n".join(problems))
    all_sections = split_sections(zh_text)
    by_index = {zh.index: en for zh, en in pairs}
    changed = []
    for zh in all_sections:
        if zh.index not in by_index:
            continue
        current, _ = zh.marker()
        wanted = sections is None and current == "TODO" or (sections and zh.index in sections)
        if not wanted:
            continue
        line = f"<!-- section sha {section_hash(by_index[zh.index].text)} -->"
        lines = zh.text.split("\n")
        at = lines.index(zh.heading) + 1
        if current is None:
            lines.insert(at, line)
        else:
            lines[at] = line
        zh.text = "\n".join(lines)
        changed.append(zh.index)
    zh_file.write_text("\n".join(s.text for s in all_sections), encoding="utf-8")
    return changed


def sync(root: Path = ROOT) -> list[str]:
    """Copy every generated block from the English guides into the Chinese ones."""
    done = []
    for zh_path, en_path in PAIRS.items():
        zh_file = root / zh_path
        if not zh_file.is_file():
            continue
        en_blocks = blocks((root / en_path).read_text(encoding="utf-8"))
        own = OWN_BLOCKS.get(zh_path, set())
        text = zh_file.read_text(encoding="utf-8")
        new = BLOCK.sub(lambda m, en=en_blocks, own=own: m[0] if m[1] in own or m[1] not in en
                        else en[m[1]], text)
        if new != text:
            zh_file.write_text(new, encoding="utf-8")
            done.append(zh_path)
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("status", help="list stale, missing or mismatched sections and blocks")
    sub.add_parser("sync", help="copy the generated blocks from the English guides")
    stamp_p = sub.add_parser("stamp", help="record that sections are up to date")
    stamp_p.add_argument("file", choices=sorted(PAIRS))
    stamp_p.add_argument("--section", type=int, action="append",
                         help="section number (0 = title and introduction); default: sha TODO")
    args = parser.parse_args(argv)
    if args.command == "status":
        problems = status()
        print("\n".join(problems) if problems else "the Chinese guides are up to date")
        return 1 if problems else 0
    if args.command == "sync":
        done = sync()
        print(f"copied generated blocks into {', '.join(done)}" if done else "nothing to copy")
        return 0
    changed = stamp(args.file, args.section)
    print(f"{args.file}: stamped section(s) {changed}" if changed else "nothing to stamp")
    return 0


if __name__ == "__main__":
    sys.exit(main())
