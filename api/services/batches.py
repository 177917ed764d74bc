"""Batches and jobs: submit, follow, cancel; idempotent POSTs."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.store.models import Batch as BatchRow
from api.store.models import IdempotencyKey, Job, Plan, utcnow
from optimizer.domain.batch import Batch
from optimizer.formats.batch import parse_batch, parse_batch_csv

TERMINAL = ("done", "failed", "cancelled")
"""Job states that never change again."""


class NotFound(LookupError):
    """The resource does not exist (or is not the caller's)."""


class Conflict(RuntimeError):
    """The request conflicts with the resource's state (409)."""


class KeyReused(RuntimeError):
    """An ``Idempotency-Key`` was reused with a different request (422)."""


@dataclass(frozen=True, slots=True)
class Stored:
    """A response worth replaying: status code and JSON body."""

    status: int
    body: dict[str, Any]


def request_hash(*parts: bytes | str) -> str:
    """SHA-256 over the parts of a request that define it."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\x00")
    return digest.hexdigest()


def idempotent(
    session: Session,
    key_id: int,
    key: str | None,
    fingerprint: str,
    action: Callable[[], Stored],
) -> Stored:
    """Run ``action`` once per ``(api key, Idempotency-Key)``; replay its response after.

    The first response is stored in the same transaction as what the action
    wrote, so a retry either finds both or neither. A concurrent duplicate
    loses on the unique constraint and replays the winner's response.

    Raises
    ------
    KeyReused
        The key was used before with a different request.
    """
    if key is None:
        return action()

    def replay(row: IdempotencyKey) -> Stored:
        if row.request_hash != fingerprint:
            raise KeyReused("Idempotency-Key was already used with a different request")
        return Stored(row.status_code, dict(row.response))

    query = select(IdempotencyKey).where(
        IdempotencyKey.api_key_id == key_id, IdempotencyKey.key == key
    )
    existing = session.scalar(query)
    if existing is not None:
        return replay(existing)
    savepoint = session.begin_nested()
    try:
        result = action()
        session.add(
            IdempotencyKey(
                api_key_id=key_id,
                key=key,
                request_hash=fingerprint,
                status_code=result.status,
                response=result.body,
            )
        )
        session.flush()
        savepoint.commit()
        return result
    except IntegrityError:
        savepoint.rollback()
        existing = session.scalar(query)
        if existing is None:
            raise
        return replay(existing)


def _summary(row: BatchRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "date": row.date,
        "orders": row.orders,
        "kind": row.kind,
        "created_at": row.created_at.isoformat(),
    }


def submit_batch(
    session: Session, document: dict[str, Any], key_id: int | None, kind: str = "json"
) -> Stored:
    """Validate and store a batch given as a JSON document.

    ``document`` is the JSON batch itself (``kind`` ``json``), or ``{"csv":
    text, "fleet": fleet document}`` for a CSV upload (``kind`` ``csv``).

    Raises
    ------
    optimizer.formats.errors.InputError
        Located by file, row and field; nothing is stored.
    """
    batch = load_batch(document, kind)
    row = BatchRow(
        name=batch.name,
        date=batch.date.isoformat(),
        orders=len(batch.orders),
        kind=kind,
        document=document,
        created_by=key_id,
    )
    session.add(row)
    session.flush()
    return Stored(201, _summary(row))


def load_batch(document: dict[str, Any], kind: str) -> Batch:
    """The domain batch of a stored document of ``kind`` ``json`` or ``csv``.

    The kind is the way the batch came in, stored beside it: a JSON batch
    that happens to have the keys of a CSV upload is still read as JSON.
    """
    if kind == "csv":
        return parse_batch_csv(document["csv"], document["fleet"], "orders.csv", "fleet.json")
    return parse_batch(document, "body")


def get_batch(session: Session, batch_id: str) -> dict[str, Any]:
    """A batch's summary. Raises :class:`NotFound`."""
    row = session.get(BatchRow, batch_id)
    if row is None:
        raise NotFound(f"no batch {batch_id!r}")
    return _summary(row)


def job_view(job: Job) -> dict[str, Any]:
    """What a planner sees of a job."""
    return {
        "id": job.id,
        "batch_id": job.batch_id,
        "status": job.status,
        "progress": round(job.progress, 3),
        "best_cost_eur": None if job.best_cost_cents is None else job.best_cost_cents / 100,
        "attempts": job.attempts,
        "time_limit_s": job.time_limit_s,
        "seed": job.seed,
        "cancel_requested": job.cancel_requested,
        "error": job.error,
        "plan_id": job.plan_id,
        "summary": job.summary,
        "created_at": job.created_at.isoformat(),
        "started_at": None if job.started_at is None else job.started_at.isoformat(),
        "finished_at": None if job.finished_at is None else job.finished_at.isoformat(),
    }


def start_job(session: Session, batch_id: str, time_limit_s: float, seed: int) -> Stored:
    """Queue a solve of a stored batch. Raises :class:`NotFound`."""
    if session.get(BatchRow, batch_id) is None:
        raise NotFound(f"no batch {batch_id!r}")
    job = Job(batch_id=batch_id, time_limit_s=time_limit_s, seed=seed, status="queued")
    session.add(job)
    session.flush()
    return Stored(202, job_view(job))


def get_job(session: Session, job_id: str) -> dict[str, Any]:
    """A job's status. Raises :class:`NotFound`."""
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(f"no job {job_id!r}")
    return job_view(job)


def cancel_job(session: Session, job_id: str) -> dict[str, Any]:
    """Cancel a queued job at once, or ask a running one's worker to stop.

    Raises
    ------
    NotFound
        No such job.
    Conflict
        The job has already finished.
    """
    job = session.get(Job, job_id, with_for_update=True)
    if job is None:
        raise NotFound(f"no job {job_id!r}")
    if job.status in TERMINAL:
        if job.status == "cancelled":
            return job_view(job)
        raise Conflict(f"job {job_id!r} is already {job.status}")
    job.cancel_requested = True
    if job.status == "queued":
        job.status = "cancelled"
        job.finished_at = utcnow()
    session.flush()
    return job_view(job)


def get_plan(session: Session, plan_id: str) -> dict[str, Any]:
    """A stored plan document. Raises :class:`NotFound`."""
    row = session.get(Plan, plan_id)
    if row is None:
        raise NotFound(f"no plan {plan_id!r}")
    return {"id": row.id, "batch_id": row.batch_id, "job_id": row.job_id, **row.document}


def canonical(document: Any) -> str:
    """Canonical JSON text of a document (for request hashes)."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"))
