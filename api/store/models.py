"""Tables of the service (SQLAlchemy 2 declarative models).

Plans and published route revisions are immutable rows: publishing again
adds a revision and marks the previous route rows superseded, never
overwriting them. Jobs carry their state (queued, running, done, failed,
cancelled) and a lease so that a crashed worker's job is taken over. The
outbox holds webhook deliveries until they succeed, across restarts.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def new_id() -> str:
    """A new public id: 32 hex digits."""
    return uuid.uuid4().hex


def utcnow() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base; ``JSON`` maps to JSONB-compatible JSON on PostgreSQL."""

    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class UtcDateTime(TypeDecorator[dt.datetime]):
    """An instant: stored in UTC, read back timezone-aware UTC on every database.

    SQLite has no time zone type and would store an aware datetime's wall
    clock without its offset, so ``09:00Z`` would sort before
    ``09:55+01:00``; converting to UTC on the way in keeps instants
    comparable, and on the way out gives the same aware values as PostgreSQL.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"a timestamp needs a time zone, got {value.isoformat()}")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


Timestamp = UtcDateTime()


class ApiKey(Base):
    """An API key: only its SHA-256 hash is stored, with a short public prefix."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    carrier: Mapped[str | None] = mapped_column(String(200), nullable=True)
    scopes: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(Timestamp, nullable=True)


class Batch(Base):
    """A submitted batch: the request document as received, and its identity."""

    __tablename__ = "batches"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    date: Mapped[str] = mapped_column(String(10))
    orders: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # "json" or "csv"
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"), nullable=True)


class IdempotencyKey(Base):
    """The first response to a request made with an ``Idempotency-Key``."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("api_key_id", "key", name="uq_idempotency_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)


class Job(Base):
    """A background solve of one batch."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_created", "status", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"))
    status: Mapped[str] = mapped_column(String(12), default="queued")
    time_limit_s: Mapped[float] = mapped_column(Float)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    best_cost_cents: Mapped[int | None] = mapped_column(Integer, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(100), nullable=True)
    lease_until: Mapped[dt.datetime | None] = mapped_column(Timestamp, nullable=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    plan_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(Timestamp, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(Timestamp, nullable=True)


class Plan(Base):
    """A solved plan (immutable): the plan JSON document with its delivery section."""

    __tablename__ = "plans"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"))
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), unique=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)


class Publication(Base):
    """One published revision of a batch's routes."""

    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("batch_id", "revision", name="uq_publication_revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"))
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id"))
    revision: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)


class RouteRevision(Base):
    """A carrier's route in one publication (immutable body, changing status)."""

    __tablename__ = "routes"
    __table_args__ = (
        Index("ix_routes_carrier_date", "carrier", "date", "id"),
        UniqueConstraint("publication_id", "vehicle_id", name="uq_route_vehicle"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_id)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id"))
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"))
    revision: Mapped[int] = mapped_column(Integer)
    carrier: Mapped[str] = mapped_column(String(200))
    vehicle_id: Mapped[str] = mapped_column(String(200))
    date: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12), default="published")
    superseded_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    stops: Mapped[int] = mapped_column(Integer, server_default="0")
    """Stops of the body, for route lists that do not read bodies."""
    departure: Mapped[str] = mapped_column(String(40), server_default="")
    """Planned departure of the body (ISO 8601)."""
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)


class StopEvent(Base):
    """A stop event a carrier posted (append-only; its id is unique within the route)."""

    __tablename__ = "events"
    __table_args__ = (PrimaryKeyConstraint("id", "route_id", name="pk_events"),)

    id: Mapped[str] = mapped_column(String(200))
    """The carrier's event id, unique within its route."""
    route_id: Mapped[int] = mapped_column(ForeignKey("routes.id", name="fk_events_route"))
    stop_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    received_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)


class Webhook(Base):
    """A carrier's webhook endpoint and its signing secret."""

    __tablename__ = "webhooks"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    carrier: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(Timestamp, nullable=True)


class OutboxMessage(Base):
    """A webhook notification waiting for (or done with) delivery."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "delivered_at", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    webhook_id: Mapped[str] = mapped_column(ForeignKey("webhooks.id"))
    body: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(Timestamp, nullable=True)
    failed_at: Mapped[dt.datetime | None] = mapped_column(Timestamp, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)


class WorkerBeat(Base):
    """The last sign of life of each worker process (for ``/readyz``)."""

    __tablename__ = "workers"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_seen: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
