"""API keys: created once in clear text, stored as a SHA-256 hash, bound to a role and scopes."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from api.store.models import ApiKey, utcnow

ROLES = ("planner", "analyst", "carrier")
"""Roles a key may have; a carrier key also names its carrier."""

SCOPES: dict[str, tuple[str, ...]] = {
    "planner": (
        "batches:write",
        "batches:read",
        "jobs:write",
        "jobs:read",
        "plans:read",
        "plans:publish",
    ),
    "analyst": ("batches:read", "jobs:read", "plans:read"),
    "carrier": ("routes:read", "events:write", "webhooks:write"),
}
"""Default scopes of each role."""

PREFIX = "trn"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the key's id, role, carrier and scopes."""

    key_id: int
    name: str
    role: str
    carrier: str | None
    scopes: frozenset[str]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_key(
    session: Session,
    name: str,
    role: str,
    carrier: str | None = None,
    scopes: tuple[str, ...] | None = None,
) -> tuple[str, ApiKey]:
    """Create a key; the clear-text token is returned once and never stored.

    Raises
    ------
    ValueError
        For an unknown role or scope, or a carrier key without a carrier.
    """
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    if (role == "carrier") != (carrier is not None):
        raise ValueError("a carrier key needs --carrier, and only a carrier key takes one")
    chosen = tuple(scopes) if scopes else SCOPES[role]
    unknown = sorted(set(chosen) - {s for all_ in SCOPES.values() for s in all_})
    if unknown:
        raise ValueError(f"unknown scope {unknown[0]!r}")
    prefix = secrets.token_hex(4)
    token = f"{PREFIX}_{prefix}_{secrets.token_urlsafe(24)}"
    row = ApiKey(
        prefix=prefix,
        hash=_digest(token),
        name=name,
        role=role,
        carrier=carrier,
        scopes=list(chosen),
    )
    session.add(row)
    session.flush()
    return token, row


def list_keys(session: Session) -> list[ApiKey]:
    """Every key, newest first (revoked ones included)."""
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id.desc())))


def revoke_key(session: Session, prefix: str) -> bool:
    """Revoke the key with this prefix; ``False`` when there is none."""
    row = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if row is None:
        return False
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return True


_BY_PREFIX = select(
    ApiKey.id, ApiKey.hash, ApiKey.name, ApiKey.role, ApiKey.carrier, ApiKey.scopes,
    ApiKey.revoked_at,
).where(ApiKey.prefix == bindparam("prefix"))  # fmt: skip
"""Built once: a statement made per call costs several times its execution."""


def authenticate(db: Session | Connection, token: str) -> Principal | None:
    """The principal of a valid, unrevoked token, or ``None``.

    ``db`` is a session or a plain connection: the carriers' read paths
    authenticate on a connection, without the session's unit of work.
    """
    parts = token.split("_")
    if len(parts) < 3 or parts[0] != PREFIX:
        return None
    row = db.execute(_BY_PREFIX, {"prefix": parts[1]}).first()
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.hash, _digest(token)):
        return None
    return Principal(row.id, row.name, row.role, row.carrier, frozenset(row.scopes))


def describe(row: ApiKey) -> dict[str, object]:
    """A key's public facts (never its hash)."""
    revoked: dt.datetime | None = row.revoked_at
    return {
        "prefix": row.prefix,
        "name": row.name,
        "role": row.role,
        "carrier": row.carrier,
        "scopes": list(row.scopes),
        "created_at": row.created_at.isoformat(),
        "revoked_at": None if revoked is None else revoked.isoformat(),
    }
