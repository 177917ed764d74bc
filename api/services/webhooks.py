"""Carrier webhooks: Standard Webhooks signatures, delivered from a database outbox.

A notification is written to the ``outbox`` table in the same transaction as
the change it announces, so it survives a crash or restart. Workers deliver
due messages: a message is leased by moving its ``next_attempt_at`` forward
with a conditional update, posted with the Standard Webhooks headers
(``webhook-id``, ``webhook-timestamp``, ``webhook-signature: v1,<base64
HMAC-SHA256 of "id.timestamp.body">``), and marked delivered on a 2xx answer;
otherwise retried with exponential back-off up to a maximum of attempts.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
import time
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.settings import Settings
from api.store.db import session_scope
from api.store.models import OutboxMessage, Webhook, new_id, utcnow

logger = logging.getLogger(__name__)

TOLERANCE_S = 300
"""Receivers reject signatures older or newer than this many seconds."""


def new_secret() -> str:
    """A signing secret in the Standard Webhooks form ``whsec_<base64>``."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix("whsec_"))


def sign(secret: str, message_id: str, timestamp: int, body: str) -> str:
    """The ``webhook-signature`` header value for one message."""
    signed = f"{message_id}.{timestamp}.{body}".encode()
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify(secret: str, headers: dict[str, str], body: str, now: float | None = None) -> bool:
    """Whether a received webhook is authentic and fresh (what a receiver runs)."""
    try:
        message_id = headers["webhook-id"]
        timestamp = int(headers["webhook-timestamp"])
        signatures = headers["webhook-signature"].split()
    except (KeyError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > TOLERANCE_S:
        return False
    expected = sign(secret, message_id, timestamp, body)
    return any(hmac.compare_digest(expected, s) for s in signatures)


def register(session: Session, carrier: str, url: str) -> dict[str, Any]:
    """Register a carrier's endpoint; the secret is returned once."""
    hook = Webhook(carrier=carrier, url=url, secret=new_secret())
    session.add(hook)
    session.flush()
    return {**view(hook), "secret": hook.secret}


def view(hook: Webhook) -> dict[str, Any]:
    """A webhook's public facts (without its secret)."""
    return {"id": hook.id, "carrier": hook.carrier, "url": hook.url,
            "created_at": hook.created_at.isoformat()}  # fmt: skip


def list_hooks(session: Session, carrier: str) -> list[dict[str, Any]]:
    """A carrier's active webhooks."""
    rows = session.scalars(
        select(Webhook).where(Webhook.carrier == carrier, Webhook.deleted_at.is_(None))
    )
    return [view(h) for h in rows]


def delete_hook(session: Session, carrier: str, hook_id: str) -> bool:
    """Delete one of the carrier's webhooks; ``False`` when it has none with this id."""
    hook = session.get(Webhook, hook_id)
    if hook is None or hook.carrier != carrier or hook.deleted_at is not None:
        return False
    hook.deleted_at = utcnow()
    return True


def enqueue(session: Session, carrier: str, event: str, data: dict[str, Any]) -> int:
    """Queue a notification for each of the carrier's webhooks; returns how many."""
    hooks = session.scalars(
        select(Webhook).where(Webhook.carrier == carrier, Webhook.deleted_at.is_(None))
    ).all()
    now = utcnow()
    for hook in hooks:
        message_id = "msg_" + new_id()
        body = json.dumps(
            {"type": event, "timestamp": now.isoformat(), "data": data},
            separators=(",", ":"),
            sort_keys=True,
        )
        session.add(
            OutboxMessage(id=message_id, webhook_id=hook.id, body=body, next_attempt_at=now)
        )
    return len(hooks)


def deliver_due(settings: Settings, limit: int = 20) -> int:
    """Deliver up to ``limit`` due messages; returns how many were attempted."""
    url = settings.database_url
    now = utcnow()
    with session_scope(url) as session:
        due = session.execute(
            select(OutboxMessage.id, OutboxMessage.next_attempt_at)
            .where(
                OutboxMessage.delivered_at.is_(None),
                OutboxMessage.failed_at.is_(None),
                OutboxMessage.next_attempt_at <= now,
            )
            .order_by(OutboxMessage.next_attempt_at)
            .limit(limit)
        ).all()
    attempted = 0
    for message_id, when in due:
        lease = utcnow() + dt.timedelta(seconds=settings.webhook_timeout_s * 2)
        with session_scope(url) as session:
            taken = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id, OutboxMessage.next_attempt_at == when)
                .values(next_attempt_at=lease)
            )
            if taken.rowcount != 1:  # type: ignore[attr-defined]
                continue  # another worker has it
            message = session.get(OutboxMessage, message_id)
            hook = session.get(Webhook, message.webhook_id)  # type: ignore[union-attr]
            assert message is not None and hook is not None
            body, target, secret, attempts = message.body, hook.url, hook.secret, message.attempts
        attempted += 1
        error = _post(target, secret, message_id, body, settings.webhook_timeout_s)
        with session_scope(url) as session:
            message = session.get(OutboxMessage, message_id)
            assert message is not None
            message.attempts = attempts + 1
            if error is None:
                message.delivered_at = utcnow()
                message.last_error = None
            elif message.attempts >= settings.webhook_max_attempts:
                message.failed_at, message.last_error = utcnow(), error
                logger.warning("webhook %s given up after %d attempts", message_id, attempts + 1)
            else:
                delay = settings.webhook_backoff_s * 2**attempts
                message.next_attempt_at = utcnow() + dt.timedelta(seconds=delay)
                message.last_error = error
    return attempted


def _post(target: str, secret: str, message_id: str, body: str, timeout: float) -> str | None:
    """POST one message; ``None`` on a 2xx answer, else what went wrong."""
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message_id, timestamp, body),
    }
    try:
        response = httpx.post(target, content=body.encode(), headers=headers, timeout=timeout)
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"
    if 200 <= response.status_code < 300:
        return None
    return f"HTTP {response.status_code}"
