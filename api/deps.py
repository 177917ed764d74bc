"""Dependencies of the HTTP routes, declared once as ``Annotated`` aliases."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException
from sqlalchemy.orm import Session

from api.services.keys import Principal, authenticate
from api.settings import Settings, get_settings
from api.store.db import session_scope

SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_session(settings: SettingsDep) -> Iterator[Session]:
    """A session per request: committed when the route returns, rolled back on error."""
    with session_scope(settings.database_url) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
"""Committed as soon as the route function returns, before the response is sent."""


def get_principal(
    session: SessionDep,
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> Principal:
    """The caller, from ``Authorization: Bearer <key>`` or ``X-API-Key``; 401 otherwise."""
    token = x_api_key
    if authorization is not None:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and value:
            token = value.strip()
    principal = authenticate(session, token) if token else None
    if principal is None:
        raise HTTPException(
            status_code=401,
            detail="a valid API key is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def scope(name: str) -> Callable[[Principal], Principal]:
    """A dependency requiring the scope ``name`` (403 without it)."""

    def check(principal: PrincipalDep) -> Principal:
        if name not in principal.scopes:
            raise HTTPException(status_code=403, detail=f"this key lacks the scope {name!r}")
        return principal

    return check


def carrier_scope(name: str) -> Callable[[Principal], str]:
    """A dependency requiring a carrier key with scope ``name``; gives the carrier id."""

    def check(principal: PrincipalDep) -> str:
        if name not in principal.scopes or principal.carrier is None:
            raise HTTPException(status_code=403, detail=f"this key lacks the scope {name!r}")
        return principal.carrier

    return check


BatchWriter = Annotated[Principal, Depends(scope("batches:write"))]
BatchReader = Annotated[Principal, Depends(scope("batches:read"))]
JobWriter = Annotated[Principal, Depends(scope("jobs:write"))]
JobReader = Annotated[Principal, Depends(scope("jobs:read"))]
PlanReader = Annotated[Principal, Depends(scope("plans:read"))]
Publisher = Annotated[Principal, Depends(scope("plans:publish"))]
RouteReader = Annotated[str, Depends(carrier_scope("routes:read"))]
EventWriter = Annotated[str, Depends(carrier_scope("events:write"))]
HookWriter = Annotated[str, Depends(carrier_scope("webhooks:write"))]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=255,
        description="Retries with the same key return the first response.",
    ),
]
