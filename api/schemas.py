"""Wire schemas of the HTTP API (pydantic), apart from the domain model."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, HttpUrl


class Problem(BaseModel):
    """An RFC 9457 problem document (``application/problem+json``)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[dict[str, Any]] | None = None


class BatchOut(BaseModel):
    """A stored batch."""

    id: str
    name: str
    date: str
    orders: int
    kind: Literal["json", "csv"]
    created_at: str


class JobIn(BaseModel):
    """Options of a solve."""

    model_config = ConfigDict(extra="forbid")

    time_limit_s: float | None = Field(
        default=None, gt=0, le=3600, description="Search seconds; default: the service's."
    )
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class JobOut(BaseModel):
    """A solve job's state."""

    id: str
    batch_id: str
    status: Literal["queued", "running", "done", "failed", "cancelled"]
    progress: float
    best_cost_eur: float | None
    attempts: int
    time_limit_s: float
    seed: int
    cancel_requested: bool
    error: str | None
    plan_id: str | None
    summary: dict[str, Any] | None
    created_at: str
    started_at: str | None
    finished_at: str | None


class PublishedRoute(BaseModel):
    """A route created by a publication."""

    route_id: str
    carrier: str
    vehicle_id: str


class PublicationOut(BaseModel):
    """A new revision of a batch's routes."""

    batch_id: str
    plan_id: str
    revision: int
    routes: list[PublishedRoute]
    superseded: list[str]


class RouteSummary(BaseModel):
    """A route in a carrier's list."""

    route_id: str
    revision: int
    status: Literal["published", "in_progress", "completed", "superseded"]
    superseded_by: str | None
    date: str
    vehicle_id: str
    stops: int
    departure: str


class RoutePage(BaseModel):
    """A page of a carrier's routes."""

    items: list[RouteSummary]
    next_cursor: str | None


class EventIn(BaseModel):
    """A stop event; ``event_id`` makes it idempotent."""

    model_config = ConfigDict(extra="forbid")

    event_id: str = Field(min_length=1, max_length=200)
    stop_id: str = Field(min_length=1, max_length=200)
    kind: Literal["arrived", "delivered", "failed"]
    occurred_at: AwareDatetime = Field(description="ISO 8601 with a UTC offset.")
    reason: str | None = Field(default=None, max_length=500)


class EventsIn(BaseModel):
    """Stop events of one route, in any order."""

    model_config = ConfigDict(extra="forbid")

    events: list[EventIn] = Field(min_length=1, max_length=500)


class EventsOut(BaseModel):
    """Which events were new and the route's progress after them."""

    accepted: list[str]
    duplicates: list[str]
    route: dict[str, Any]


class WebhookIn(BaseModel):
    """A carrier's webhook endpoint."""

    model_config = ConfigDict(extra="forbid")

    url: HttpUrl


class WebhookOut(BaseModel):
    """A registered webhook (the secret only in the creation response)."""

    id: str
    carrier: str
    url: str
    created_at: str
    secret: str | None = None


class Health(BaseModel):
    """Liveness or readiness."""

    status: Literal["ok", "unavailable"]
    database: bool | None = None
    workers: int | None = None
