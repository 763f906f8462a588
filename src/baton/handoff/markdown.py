"""The checklist as Markdown (``checklist.md`` in a package).

User text is escaped so it shows as typed, never as HTML or as Markdown the owner did not
mean; only the step editor's own formatting is kept: ``- `` lines as a list and
``**bold**`` as bold, the same rules the viewer and the PDF follow.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from baton.handoff.checklist import ChecklistHeader
from baton.handoff.manifest import StepEntry
from baton.util.timefmt import format_time

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#|!~&])")
_MD_LINE_START = re.compile(r"^(\s*)(?:([-+=])|(\d+)\.)", re.MULTILINE)
_MD_BULLET = re.compile(r"^\s*[-*] +")


def render_markdown(header: ChecklistHeader, steps: Iterable[StepEntry]) -> str:
    """The checklist as Markdown; user text is escaped so it shows as typed, never as HTML."""
    lines = [f"# {_md(header.title)}", ""]
    meta = f"Version {header.version}"
    if header.assistant:
        meta += f" · prepared for {_md(header.assistant)}"
    lines += [meta, ""]
    if header.summary.strip():
        lines += [_md_block(header.summary), ""]
    for index, step in enumerate(steps, start=1):
        lines += [f"## {index}. {_md(step.title or 'Untitled step')}", "", "- [ ] Done", ""]
        if step.instruction.strip():
            lines += [_md_block(step.instruction), ""]
        if step.caution.strip():
            lines += ["> **Caution:** " + _md_block(step.caution).replace("\n", "\n> "), ""]
        if step.video_time is not None:
            lines += [f"Video: {format_time(step.video_time)}", ""]
        if step.screenshot:
            lines += [f"![Screenshot for step {index}]({step.screenshot})", ""]
    return "\n".join(lines).rstrip() + "\n"


def _md(text: str) -> str:
    escaped = _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    return _MD_LINE_START.sub(
        lambda m: m.group(1) + ("\\" + m.group(2) if m.group(2) else m.group(3) + "\\."),
        escaped,
    )


def _md_block(text: str) -> str:
    """Escape a multi-line text as Markdown that shows it as typed, with the editor's
    formatting kept: ``- `` lines are a list, ``**bold**`` is bold, other single newlines
    are hard line breaks."""
    paragraphs = re.split(r"\n\s*\n", text.strip().replace("\r\n", "\n"))
    rendered = []
    for paragraph in paragraphs:
        groups: list[tuple[bool, list[str]]] = []
        for row in paragraph.split("\n"):
            if not row.strip():
                continue
            bullet = _MD_BULLET.match(row)
            line = "- " + _md_inline(row[bullet.end():]) if bullet else _md_inline(row)
            if groups and groups[-1][0] == bool(bullet):
                groups[-1][1].append(line)
            else:
                groups.append((bool(bullet), [line]))
        rendered.append("\n\n".join("\n".join(lines) if is_list else "\\\n".join(lines)
                                      for is_list, lines in groups))
    return "\n\n".join(rendered)


def _md_inline(text: str) -> str:
    """One line escaped, its ``**bold**`` pairs kept as bold (any other ``**`` escaped)."""
    parts = " ".join(text.split()).split("**")
    pieces = [_MD_SPECIAL.sub(r"\\\1", part) for part in parts]
    result, index = pieces[0], 1
    while index < len(parts):
        inner = parts[index]
        if index + 1 < len(parts) and inner and inner.strip() == inner:
            result += f"**{pieces[index]}**{pieces[index + 1]}"
            index += 2
        else:
            result += "\\*\\*" + pieces[index]
            index += 1
    return _MD_LINE_START.sub(
        lambda m: m.group(1) + ("\\" + m.group(2) if m.group(2) else m.group(3) + "\\."),
        result,
    )
