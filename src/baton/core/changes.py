"""What changed between two versions of a process, and who holds an older one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from baton.core.models import Assistant, Handoff, HandoffStatus, ProcessVersion

COMPARED = ("title", "instruction", "caution", "screenshot", "video_time", "redactions",
            "annotations")


@dataclass(frozen=True)
class StepChange:
    kind: str  # "added" | "removed" | "edited" | "moved"
    title: str
    position: int
    fields: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.kind == "edited":
            return f"Step {self.position} “{self.title}”: {', '.join(self.fields)} changed"
        if self.kind == "moved":
            return f"Step “{self.title}” moved to position {self.position}"
        return f"Step {self.position} “{self.title}” {self.kind}"


@dataclass(frozen=True)
class VersionDiff:
    steps: list[StepChange] = field(default_factory=list)
    details: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.steps and not self.details

    def summary(self) -> str:
        counts = {kind: sum(c.kind == kind for c in self.steps)
                  for kind in ("added", "removed", "edited", "moved")}
        parts = [f"{n} step{'s' if n != 1 else ''} {kind}" for kind, n in counts.items() if n]
        parts += [f"{name} changed" for name in self.details]
        return "; ".join(parts) or "no changes"


@dataclass(frozen=True)
class StaleHandoff:
    handoff_id: int
    assistant_id: int
    assistant_name: str
    held_version: int
    latest_version: int
    status: HandoffStatus
    diff: VersionDiff


def diff_snapshots(old: dict[str, Any], new: dict[str, Any]) -> VersionDiff:
    """Step-level differences, matching steps by id (or by position when ids are absent)."""
    def key(step: dict[str, Any]) -> Any:
        return step.get("id") or ("position", step["position"])

    old_steps = {key(step): step for step in old.get("steps", [])}
    new_steps = {key(step): step for step in new.get("steps", [])}
    changes: list[StepChange] = []
    for step_key, step in new_steps.items():
        before = old_steps.get(step_key)
        if before is None:
            changes.append(StepChange("added", step["title"], step["position"]))
            continue
        fields = tuple(name for name in COMPARED if before.get(name) != step.get(name))
        if fields:
            changes.append(StepChange("edited", step["title"], step["position"], fields))
        elif before["position"] != step["position"]:
            changes.append(StepChange("moved", step["title"], step["position"]))
    for step_key, step in old_steps.items():
        if step_key not in new_steps:
            changes.append(StepChange("removed", step["title"], step["position"]))
    changes.sort(key=lambda change: (change.position, change.kind))
    details = tuple(
        name for name in ("title", "summary", "recording") if old.get(name) != new.get(name)
    )
    return VersionDiff(changes, details)


class Changes:
    """Finds handoffs that hold an older version than the latest one."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def stale_handoffs(self, process_id: int) -> list[StaleHandoff]:
        with self._sessions() as session:
            latest = session.scalars(
                select(ProcessVersion)
                .where(ProcessVersion.process_id == process_id)
                .order_by(ProcessVersion.number.desc())
                .limit(1)
            ).first()
            if latest is None:
                return []
            rows = session.execute(
                select(Handoff, ProcessVersion, Assistant.name)
                .join(ProcessVersion, Handoff.version_id == ProcessVersion.id)
                .join(Assistant, Handoff.assistant_id == Assistant.id)
                .where(
                    ProcessVersion.process_id == process_id,
                    ProcessVersion.number < latest.number,
                    Handoff.status != HandoffStatus.REVOKED,
                )
                .order_by(Assistant.name, Handoff.id)
            ).all()
            newer_for_same_assistant = set(
                session.scalars(
                    select(Handoff.assistant_id).where(Handoff.version_id == latest.id)
                )
            )
            return [
                StaleHandoff(
                    handoff.id,
                    handoff.assistant_id,
                    name,
                    version.number,
                    latest.number,
                    handoff.status,
                    diff_snapshots(version.snapshot, latest.snapshot),
                )
                for handoff, version, name in rows
                if handoff.assistant_id not in newer_for_same_assistant
            ]

    def stale_count(self) -> int:
        """How many live handoffs hold an out-of-date version (for the dashboard)."""
        with self._sessions() as session:
            latest = (
                select(ProcessVersion.process_id, func.max(ProcessVersion.number).label("n"))
                .group_by(ProcessVersion.process_id)
                .subquery()
            )
            query = (
                select(func.count(Handoff.id))
                .join(ProcessVersion, Handoff.version_id == ProcessVersion.id)
                .join(latest, latest.c.process_id == ProcessVersion.process_id)
                .where(ProcessVersion.number < latest.c.n, Handoff.status != HandoffStatus.REVOKED)
            )
            return int(session.scalar(query) or 0)
