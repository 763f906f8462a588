"""Progress receipts as files: parse them, and compute their canonical content and MAC.

A receipt (format ``baton-receipt``) names the package, handoff, process and version and
lists, per step, whether it is done (and when), a note and a question. Format 2 adds
``mac``: HMAC-SHA-256, keyed with the handoff's receipt key (the ASCII bytes of its 64 hex
digits, which only that handoff's package holds), over the receipt's canonical content:
every key but ``mac``, as JSON with keys sorted, no spaces, non-ASCII as is (what
``JSON.stringify`` gives for the same object with sorted keys). The same canonical content
is what makes a re-serialised receipt count once. Specified in docs/package-format.md.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from baton.handoff import fields
from baton.handoff.fields import Invalid
from baton.handoff.manifest import MAX_ID, MAX_STEPS

FORMAT = "baton-receipt"
FORMAT_VERSION = 2  # 2: signed with the handoff's receipt key
MAX_RECEIPT_BYTES = 4 << 20
MAX_NOTE = 5000
_HEX32 = re.compile(r"^[0-9a-f]{32}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class ReceiptStep:
    """One step as the assistant left it."""

    position: int
    done: bool
    done_at: datetime | None
    note: str
    question: str


@dataclass(frozen=True)
class Receipt:
    """A parsed, well-formed receipt (not yet matched against a handoff).

    ``content`` is its canonical content (the bytes the MAC covers) and
    ``content_sha256`` their hash: the receipt's identity.
    """

    format_version: int
    package_id: str
    handoff_id: int | None
    process_id: int
    version: int
    steps: tuple[ReceiptStep, ...]
    saved_at: datetime
    mac: str | None
    content: bytes

    @property
    def steps_done(self) -> int:
        """How many steps are ticked."""
        return sum(1 for step in self.steps if step.done)

    @property
    def content_sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    def signed_with(self, key: str) -> bool:
        """Whether the receipt's MAC was made with ``key`` over its content."""
        if self.mac is None:
            return False
        return hmac.compare_digest(self.mac, receipt_mac(key, self.content))


def canonical_content(document: dict[str, Any]) -> bytes:
    """The bytes a receipt's MAC covers: every key but ``mac``, sorted, compact, UTF-8.

    Raises:
        Invalid: the document holds text that is not valid Unicode (a lone surrogate).
    """
    unsigned = {key: value for key, value in document.items() if key != "mac"}
    try:
        text = json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid("This receipt contains characters that are not text.") from None
    except (ValueError, RecursionError):
        raise Invalid("This receipt is not valid JSON.") from None


def receipt_mac(key: str, content: bytes) -> str:
    """HMAC-SHA-256 of ``content`` keyed with the receipt key's ASCII bytes, as hex."""
    return hmac.new(key.encode("ascii"), content, hashlib.sha256).hexdigest()


def parse_receipt(data: bytes) -> Receipt:
    """Parse and check a receipt's JSON.

    Raises:
        Invalid: not JSON, not a receipt, a newer format, or a malformed field.
    """
    if len(data) > MAX_RECEIPT_BYTES:
        raise Invalid("This file is too big to be a progress receipt.")
    raw = fields.load_json(data, "This file")
    top = fields.as_object(raw, "This receipt")
    if top.get("format") != FORMAT:
        raise Invalid("This file is not a Baton progress receipt.")
    version = top.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise Invalid("This receipt has no valid format version.")
    if version > FORMAT_VERSION:
        raise Invalid(
            f"This receipt uses format version {version}, from a newer Baton; "
            "update Baton to import it."
        )
    what = "This receipt"
    package_id = top.get("package_id")
    if not isinstance(package_id, str) or not _HEX32.match(package_id):
        raise Invalid("This receipt has a malformed package id.")
    mac = top.get("mac") if version >= 2 else None
    # A package sent to no one has no key, so its receipts carry no MAC (and are refused
    # on import for having no handoff); every other format 2 receipt is signed.
    if version >= 2 and (mac is not None or top.get("handoff_id") is not None):
        if not isinstance(mac, str) or not _HEX64.match(mac):
            raise Invalid("This receipt has no valid signature (mac).")
    items = fields.as_list(top.get("steps"), "This receipt's steps", max_items=MAX_STEPS)
    steps = tuple(_step(item) for item in items)
    if len({step.position for step in steps}) != len(steps):
        raise Invalid("This receipt lists the same step twice.")
    return Receipt(
        format_version=version,
        package_id=package_id,
        handoff_id=fields.optional_integer(top, "handoff_id", what, minimum=1, maximum=MAX_ID),
        process_id=fields.integer(top, "process_id", what, minimum=1, maximum=MAX_ID),
        version=fields.integer(top, "version", what, minimum=0, maximum=MAX_ID),
        steps=steps,
        saved_at=_when(top.get("saved_at"), "saved_at", keep_fraction=True),
        mac=mac,
        content=canonical_content(top),
    )


def _step(value: Any) -> ReceiptStep:
    what = "A step in this receipt"
    obj = fields.as_object(value, what)
    done = fields.boolean(obj, "done", what)
    done_at = obj.get("done_at")
    return ReceiptStep(
        position=fields.integer(obj, "position", what, minimum=0, maximum=MAX_ID),
        done=done,
        done_at=_when(done_at, "done_at") if done and done_at is not None else None,
        note=fields.text(obj, "note", what, max_len=MAX_NOTE, default="").strip(),
        question=fields.text(obj, "question", what, max_len=MAX_NOTE, default="").strip(),
    )


def _when(value: Any, key: str, *, keep_fraction: bool = False) -> datetime:
    """An ISO 8601 date-time as naive UTC (to the second unless ``keep_fraction``)."""
    if not isinstance(value, str) or len(value) > 40:
        raise Invalid(f"This receipt's {key!r} is not a date and time.")
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):  # "0001-01-01T00:00:00+01:00" overflows
        raise Invalid(f"This receipt's {key!r} is not a date and time.") from None
    return moment if keep_fraction else moment.replace(microsecond=0)
