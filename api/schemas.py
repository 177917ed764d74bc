"""Wire schemas of the HTTP API (pydantic), apart from the domain model."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, HttpUrl
from pydantic.json_schema import models_json_schema


class Problem(BaseModel):
    """An RFC 9457 problem document (``application/problem+json``)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[dict[str, Any]] | None = None


PROBLEM_MEDIA = "application/problem+json"
PROBLEM_DESCRIPTIONS = {
    400: "The body could not be read (not UTF-8, or not the declared media type).",
    401: "No valid API key.",
    403: "The key lacks the scope this operation needs.",
    404: "No such resource, or not the caller's.",
    409: "The resource's state does not allow this.",
    413: "The request body is larger than the service accepts.",
    422: "The request is invalid: `errors` lists every field at fault.",
}


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for error codes answered with a problem document.

    The ``Problem`` schema they name is among :func:`components`.
    """
    return {
        code: {
            "description": PROBLEM_DESCRIPTIONS[code],
            "content": {PROBLEM_MEDIA: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for code in codes
    }


def _optional(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


_OBJECTS = {"type": "array", "items": {"type": "object"}}
BATCH_DOCUMENT: dict[str, Any] = {
    "title": "Batch",
    "description": (
        "A JSON batch: depots, fleet, orders and options, in the units of "
        "docs/batch-format.md. Only the top level is described here; the service "
        "checks the whole document and answers 422 naming the field at fault. An "
        "optional key set to null counts as absent; unknown keys are refused."
    ),
    "type": "object",
    "required": ["date", "timezone", "depots", "vehicle_types", "orders"],
    "properties": {
        "name": _optional({"type": "string"}),
        "note": {"description": "Ignored."},
        "date": {"type": "string", "format": "date", "examples": ["2026-11-24"]},
        "timezone": {"type": "string", "examples": ["Europe/Paris"]},
        "options": _optional({"type": "object"}),
        "depots": {**_OBJECTS, "minItems": 1},
        "vehicle_types": _OBJECTS,
        "pickup_points": _optional(_OBJECTS),
        "zones": _optional(_OBJECTS),
        "boxes": _optional(_OBJECTS),
        "orders": {**_OBJECTS, "minItems": 1},
    },
    "additionalProperties": False,
}
"""OpenAPI schema of a JSON batch body (documentation; :mod:`optimizer.formats.batch` checks)."""


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
        default=None,
        gt=0,
        le=3600,
        strict=True,
        description="Search seconds; default: the service's.",
    )
    seed: int = Field(default=0, ge=0, le=2**31 - 1, strict=True)


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


class Place(BaseModel):
    """A depot: id and WGS84 degrees."""

    id: str
    lat: float
    lon: float


class Window(BaseModel):
    """A time window, ISO 8601 local times with their UTC offset."""

    start: str
    end: str


class Opening(BaseModel):
    """Opening hours of a pickup point, local ``HH:MM``."""

    start: str
    end: str


class PickupPointRef(BaseModel):
    """The pickup point or locker a stop delivers to."""

    id: str
    locker: bool
    opening: list[Opening]
    compartments: dict[str, int] | None = Field(
        description="Free locker compartments by size class (S, M, L); null for a shop."
    )


class ParcelOut(BaseModel):
    """A parcel handed over at a stop."""

    id: str
    weight_kg: float
    volume_l: float
    size: Literal["S", "M", "L"] | None


class StopOut(BaseModel):
    """A stop of a carrier route, with its live state."""

    sequence: int
    stop_id: str
    kind: Literal["home", "pickup_point"]
    lat: float
    lon: float
    pickup_point: PickupPointRef | None
    window: Window | None
    planned_arrival: str
    planned_start: str
    planned_departure: str
    eta_earliest: str = Field(description="Planned start minus 15 minutes.")
    eta_latest: str = Field(description="Planned start plus 15 minutes.")
    service_time_s: int
    orders: list[str]
    parcels: list[ParcelOut]
    status: Literal["planned", "arrived", "delivered", "failed"]
    failure_reason: str | None


class Progress(BaseModel):
    """Stops of a route by their latest event."""

    stops: int
    arrived: int
    delivered: int
    failed: int


class RouteOut(BaseModel):
    """A carrier route (``application/json``): stops in order, ETA windows, parcels."""

    model_config = ConfigDict(populate_by_name=True)

    route_id: str
    revision: int
    status: Literal["published", "in_progress", "completed", "superseded"]
    superseded_by: str | None
    batch_id: str
    carrier: str
    vehicle_id: str
    vehicle_type: str
    date: str
    timezone: str
    start_depot: Place
    end_depot: Place
    departure: str
    return_: str = Field(alias="return")
    distance_m: int
    duration_s: int
    stops: list[StopOut]
    progress: Progress


class Feature(BaseModel):
    """A GeoJSON feature: the route's LineString, a depot or a stop Point."""

    type: Literal["Feature"]
    geometry: dict[str, Any]
    properties: dict[str, Any]


class RouteGeoJSON(BaseModel):
    """A carrier route as an RFC 7946 FeatureCollection (``application/geo+json``)."""

    type: Literal["FeatureCollection"]
    route_id: str
    revision: int
    features: list[Feature]


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
    route: RouteOut


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


def components() -> dict[str, Any]:
    """JSON schemas that responses name by ``$ref`` without a ``response_model``.

    Problem documents and GeoJSON routes are sent with their own media types,
    which FastAPI cannot attach a model to; :func:`api.app.create_app` adds
    these to the OpenAPI document's ``components.schemas``.
    """
    _, schemas = models_json_schema(
        [(Problem, "serialization"), (RouteGeoJSON, "serialization")],
        ref_template="#/components/schemas/{model}",
    )
    return dict(schemas["$defs"])
