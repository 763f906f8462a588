"""The table models of the main views: processes, assistants, handoffs."""

from __future__ import annotations

from PySide6.QtCore import QObject

from baton.core.assistants import AssistantRow
from baton.core.handoffs import HandoffRow
from baton.core.library import ProcessRow
from baton.ui.models.rows import Column, RowTableModel


def _label(value: str) -> str:
    return value.replace("-", " ").capitalize()


PROCESS_COLUMNS: list[Column[ProcessRow]] = [
    Column("Title", lambda r: r.title, tooltip=lambda r: r.summary or r.title),
    Column("Status", lambda r: _label(r.status.value)),
    Column("Audience", lambda r: _label(r.audience.value)),
    Column("Steps", lambda r: str(r.step_count), sort_key=lambda r: r.step_count, align_right=True),
    Column(
        "Hours / week",
        lambda r: f"{r.hours_per_week:.1f}",
        sort_key=lambda r: r.hours_per_week,
        align_right=True,
    ),
    Column(
        "Done myself",
        lambda r: str(r.times_done_myself) if r.times_done_myself else "",
        sort_key=lambda r: r.times_done_myself,
        align_right=True,
    ),
    Column("Updated", lambda r: r.updated_at),
]

ASSISTANT_COLUMNS: list[Column[AssistantRow]] = [
    Column("Name", lambda r: r.name, tooltip=lambda r: r.notes or r.name),
    Column("Email", lambda r: r.email),
    Column("Arrangement", lambda r: _label(r.arrangement.value)),
    Column("Engagement", lambda r: _label(r.engagement.value)),
    Column("Hired via", lambda r: r.hired_via),
    Column("Time zone", lambda r: r.time_zone),
    Column("Started", lambda r: r.started_on.isoformat() if r.started_on else ""),
    Column(
        "Handoffs",
        lambda r: str(r.handoff_count),
        sort_key=lambda r: r.handoff_count,
        align_right=True,
    ),
    Column("Active", lambda r: "Yes" if r.active else "No"),
]

HANDOFF_COLUMNS: list[Column[HandoffRow]] = [
    Column("Process", lambda r: r.process_title),
    Column("Version", lambda r: f"v{r.version_number}", sort_key=lambda r: r.version_number),
    Column("Assistant", lambda r: r.assistant_name),
    Column("Status", lambda r: _label(r.status.value)),
    Column(
        "Sent",
        lambda r: r.sent_at.date().isoformat(),
        sort_key=lambda r: r.sent_at,
        tooltip=lambda r: r.sent_at.isoformat(sep=" ", timespec="minutes"),
    ),
    Column(
        "Check in by",
        lambda r: r.due_on.isoformat() if r.due_on else "",
        sort_key=lambda r: r.due_on.isoformat() if r.due_on else "",
    ),
    Column(
        "Last activity",
        lambda r: r.last_event_at.date().isoformat(),
        sort_key=lambda r: r.last_event_at,
        tooltip=lambda r: r.last_event_at.isoformat(sep=" ", timespec="minutes"),
    ),
]


class ProcessTableModel(RowTableModel[ProcessRow]):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(PROCESS_COLUMNS, parent)


class AssistantTableModel(RowTableModel[AssistantRow]):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(ASSISTANT_COLUMNS, parent)


class HandoffTableModel(RowTableModel[HandoffRow]):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(HANDOFF_COLUMNS, parent)
