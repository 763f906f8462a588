"""``index.html``: the viewer page, with its script, style and data inlined.

Everything the page needs is inside the one file (file:// pages may not load modules or
fetch JSON), and a Content-Security-Policy allows only that inlined script and style, plus
pictures and video from beside the page: no network. The package data goes in a
``<script type="application/json">`` block with ``<``, ``>`` and ``&`` escaped as ``\\u003c``
and so on, so no title can close the block; the script then inserts all text with
``textContent``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from baton.handoff.manifest import Manifest

_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


@dataclass(frozen=True)
class ViewerAssets:
    """The template, script and style, read once from the package's ``viewer`` folder."""

    template: str
    script: str
    style: str

    @classmethod
    def load(cls) -> ViewerAssets:
        """Read the assets that ship inside ``baton.handoff``."""
        folder = resources.files("baton.handoff").joinpath("viewer")
        return cls(
            template=folder.joinpath("index.html").read_text("utf-8"),
            script=folder.joinpath("viewer.js").read_text("utf-8"),
            style=folder.joinpath("viewer.css").read_text("utf-8"),
        )


def embed_json(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` element (no ``</script>``, no ``<!--``)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def viewer_data(
    manifest: Manifest, slug: str, sizes: Mapping[int, tuple[int, int]]
) -> dict[str, Any]:
    """What the page script reads: the process, the steps, the package ids and the key
    the page signs receipts with."""
    answered: dict[int | None, list[dict[str, str]]] = {}
    for answer in manifest.answers:
        answered.setdefault(answer.position, []).append(
            {"question": answer.question, "answer": answer.answer,
             "step_title": answer.step_title})
    return {
        "package_id": manifest.package_id,
        "handoff_id": manifest.handoff_id,
        "receipt_key": manifest.receipt_key,
        "assistant": manifest.assistant,
        "slug": slug,
        "process": {
            "id": manifest.process.id,
            "title": manifest.process.title,
            "summary": manifest.process.summary,
            "version": manifest.process.version,
        },
        "video": manifest.video,
        "answers": answered.get(None, []),  # about the process as a whole, or a step now gone
        "steps": [
            {
                "number": number,
                "position": step.position,
                "title": step.title,
                "instruction": step.instruction,
                "caution": step.caution,
                "screenshot": step.screenshot,
                "video_time": step.video_time if manifest.video else None,
                "click": list(step.click) if step.click is not None else None,
                "width": sizes.get(step.position, (0, 0))[0],
                "height": sizes.get(step.position, (0, 0))[1],
                "answers": answered.get(step.position, []),
            }
            for number, step in enumerate(manifest.steps, start=1)
        ],
    }


def render_index(
    assets: ViewerAssets, manifest: Manifest, slug: str, sizes: Mapping[int, tuple[int, int]]
) -> bytes:
    """The complete ``index.html`` bytes for a package."""
    script, style = assets.script, assets.style
    if "</script" in script.lower() or "</style" in style.lower():
        raise ValueError("viewer assets must not close their own element")
    csp = "; ".join(
        [
            "default-src 'none'",
            f"script-src '{_csp_hash(script)}'",
            f"style-src '{_csp_hash(style)}'",
            "img-src 'self' file: data: blob:",
            "media-src 'self' file: blob:",
            "connect-src 'none'",
            "form-action 'none'",
            "base-uri 'none'",
        ]
    )
    values = {
        "csp": html.escape(csp, quote=True),
        "title": html.escape(manifest.process.title, quote=True),
        "css": style,
        "js": script,
        "data": embed_json(viewer_data(manifest, slug, sizes)),
    }
    page = _PLACEHOLDER.sub(lambda match: values[match.group(1)], assets.template)
    return page.encode("utf-8")


def _csp_hash(content: str) -> str:
    digest = hashlib.sha256(content.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")
