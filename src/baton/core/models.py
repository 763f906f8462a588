"""The data model (SQLAlchemy 2 typed ORM). Schema changes go through Alembic migrations."""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# The states live in their own module (no SQLAlchemy) so every layer can name them; they are
# re-exported here for the modules that already import them with the tables.
from baton.core.states import Arrangement as Arrangement
from baton.core.states import Audience as Audience
from baton.core.states import Complexity as Complexity
from baton.core.states import Engagement as Engagement
from baton.core.states import EventKind as EventKind
from baton.core.states import HandoffStatus as HandoffStatus
from baton.core.states import ProcessStatus as ProcessStatus
from baton.core.states import RecordingState as RecordingState

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(
        cls,
        native_enum=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
        create_constraint=False,
    )


class Recording(Base):
    """A screen recording in the media store (video plus clicks and keys beside it)."""

    __tablename__ = "recording"

    id: Mapped[int] = mapped_column(primary_key=True)
    media: Mapped[str | None] = mapped_column(String(80))
    events_media: Mapped[str | None] = mapped_column(String(80))
    duration: Mapped[float] = mapped_column(Float, default=0.0)
    size: Mapped[int] = mapped_column(Integer, default=0)
    fps: Mapped[float] = mapped_column(Float, default=0.0)
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    has_audio: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[RecordingState] = mapped_column(
        _enum(RecordingState), default=RecordingState.RECORDING
    )
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Process(Base):
    """Something the owner does that could be handed off."""

    __tablename__ = "process"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[Audience] = mapped_column(_enum(Audience), default=Audience.INTERNAL)
    complexity: Mapped[Complexity] = mapped_column(
        _enum(Complexity), default=Complexity.SIMPLE
    )
    minutes_per_run: Mapped[int] = mapped_column(Integer, default=0)
    runs_per_week: Mapped[float] = mapped_column(Float, default=0.0)
    status: Mapped[ProcessStatus] = mapped_column(
        _enum(ProcessStatus), default=ProcessStatus.IDEA, index=True
    )
    times_done_myself: Mapped[int] = mapped_column(Integer, default=0)
    recording_id: Mapped[int | None] = mapped_column(
        ForeignKey("recording.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    row_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    recording: Mapped[Recording | None] = relationship()
    steps: Mapped[list[Step]] = relationship(
        back_populates="process",
        order_by="Step.position",
        cascade="all, delete-orphan",
    )
    versions: Mapped[list[ProcessVersion]] = relationship(
        back_populates="process",
        order_by="ProcessVersion.number",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": row_version}


class Step(Base):
    """One step of a process: what to do, a screenshot, and where it is in the video."""

    __tablename__ = "step"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(
        ForeignKey("process.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500), default="")
    instruction: Mapped[str] = mapped_column(Text, default="")
    caution: Mapped[str] = mapped_column(Text, default="")
    screenshot: Mapped[str | None] = mapped_column(String(80))
    full_screenshot: Mapped[str | None] = mapped_column(String(80))
    click_x: Mapped[int | None] = mapped_column(Integer)
    click_y: Mapped[int | None] = mapped_column(Integer)
    video_time: Mapped[float | None] = mapped_column(Float)
    window_title: Mapped[str] = mapped_column(String(500), default="")
    redactions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    annotations: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # Moves when the step's content changes (not its position): editors holding an older
    # one merge or are told to reload (``baton.core.step_merge``).
    row_version: Mapped[int] = mapped_column(
        Integer, nullable=False, default=1, server_default="1"
    )

    process: Mapped[Process] = relationship(back_populates="steps")


class ProcessVersion(Base):
    """An immutable snapshot of a process as it was handed off."""

    __tablename__ = "process_version"
    __table_args__ = (UniqueConstraint("process_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(
        ForeignKey("process.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    changelog: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)

    process: Mapped[Process] = relationship(back_populates="versions")


class Assistant(Base):
    """Someone the owner hands work to."""

    __tablename__ = "assistant"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    email: Mapped[str] = mapped_column(String(320), default="")
    arrangement: Mapped[Arrangement] = mapped_column(
        _enum(Arrangement), default=Arrangement.ON_SITE
    )
    engagement: Mapped[Engagement] = mapped_column(
        _enum(Engagement), default=Engagement.PART_TIME
    )
    hired_via: Mapped[str] = mapped_column(String(200), default="")
    time_zone: Mapped[str] = mapped_column(String(64), default="")
    started_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    row_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    handoffs: Mapped[list[Handoff]] = relationship(back_populates="assistant")

    __mapper_args__ = {"version_id_col": row_version}


def new_receipt_key() -> str:
    """A fresh random secret for one handoff's receipts (256 bits, as hex)."""
    return secrets.token_hex(32)


class Handoff(Base):
    """One process version handed to one assistant."""

    __tablename__ = "handoff"
    __table_args__ = (
        # Covering indexes for the dashboard's counts and the who-holds-what matrix.
        Index("ix_handoff_status_due_on", "status", "due_on", "version_id", "assistant_id"),
        Index("ix_handoff_assistant_status", "assistant_id", "status", "version_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("process_version.id", ondelete="CASCADE"), index=True
    )
    assistant_id: Mapped[int] = mapped_column(
        ForeignKey("assistant.id", ondelete="CASCADE"), index=True
    )
    sent_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    # Kept with each event so the handoff list needs no aggregate over the whole timeline.
    last_activity_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[HandoffStatus] = mapped_column(
        _enum(HandoffStatus), default=HandoffStatus.SENT, index=True
    )
    package_hash: Mapped[str] = mapped_column(String(64), default="")
    # The secret the package's viewer signs receipts with (64 hex digits). NULL for
    # handoffs sent before packages carried one (format 1): their receipts are unsigned.
    receipt_key: Mapped[str | None] = mapped_column(String(64), default=new_receipt_key)
    row_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    version: Mapped[ProcessVersion] = relationship()
    assistant: Mapped[Assistant] = relationship(back_populates="handoffs")
    events: Mapped[list[HandoffEvent]] = relationship(
        back_populates="handoff",
        order_by="HandoffEvent.at",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": row_version}


class HandoffEvent(Base):
    """A moment on a handoff's timeline."""

    __tablename__ = "handoff_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    handoff_id: Mapped[int] = mapped_column(
        ForeignKey("handoff.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime)
    kind: Mapped[EventKind] = mapped_column(_enum(EventKind))
    note: Mapped[str] = mapped_column(Text, default="")
    step_position: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    handoff: Mapped[Handoff] = relationship(back_populates="events")


class MediaOrphan(Base):
    """A stored media file no row referred to when cleanup last looked.

    ``since`` is when cleanup first saw it unreferenced, on the database's clock (the one
    clock every owner shares); ``mtime_ns`` is the file's modification time then. Storing
    the same content again touches the file, so a changed ``mtime_ns`` means "wanted
    again". Cleanup deletes the file only after a grace period from ``since``.
    """

    __tablename__ = "media_orphan"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    since: Mapped[datetime] = mapped_column(DateTime)
    mtime_ns: Mapped[int] = mapped_column(BigInteger)


class VideoRedaction(Base):
    """A solid box over part of a recording for a stretch of it, burned into packages.

    Drawn on the video (``step_id`` None), it covers ``start_time`` to ``end_time`` seconds
    (None: to the end). Carried over from a box on a step's screenshot of the same take
    (``step_id`` set), it covers that step's stretch of the video, worked out when a version
    is frozen. ``x, y, w, h`` are the recording's pixels; the recording itself is never
    painted.
    """

    __tablename__ = "video_redaction"

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_id: Mapped[int] = mapped_column(
        ForeignKey("recording.id", ondelete="CASCADE"), index=True
    )
    step_id: Mapped[int | None] = mapped_column(
        ForeignKey("step.id", ondelete="CASCADE"), index=True
    )
    x: Mapped[int] = mapped_column(Integer)
    y: Mapped[int] = mapped_column(Integer)
    w: Mapped[int] = mapped_column(Integer)
    h: Mapped[int] = mapped_column(Integer)
    start_time: Mapped[float] = mapped_column(Float, default=0.0)
    end_time: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class HandoffReceipt(Base):
    """A progress receipt imported for a handoff (applied, or ignored as older).

    ``content_sha256`` is the hash of the receipt's canonical content, so the same receipt
    counts once however it was re-serialised.
    """

    __tablename__ = "handoff_receipt"
    __table_args__ = (UniqueConstraint("handoff_id", "content_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    handoff_id: Mapped[int] = mapped_column(
        ForeignKey("handoff.id", ondelete="CASCADE"), index=True
    )
    content_sha256: Mapped[str] = mapped_column(String(64))
    saved_at: Mapped[datetime] = mapped_column(DateTime)
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    applied: Mapped[bool] = mapped_column(Boolean)
