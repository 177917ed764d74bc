"""Planner endpoints: batches, solve jobs, plans and publication."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, File, Response, UploadFile

from api.deps import (
    BatchReader,
    BatchWriter,
    IdempotencyKey,
    JobReader,
    JobWriter,
    PlanReader,
    Publisher,
    SessionDep,
    SettingsDep,
)
from api.schemas import BATCH_DOCUMENT, BatchOut, JobIn, JobOut, PublicationOut, problems
from api.services import batches, routes
from optimizer.formats.batch import loads_json
from optimizer.formats.errors import InputError

router = APIRouter(prefix="/v1", tags=["planner"])
UPLOAD = problems(400, 401, 403, 413, 422)
READ = problems(401, 403, 404, 422)


def _reply(response: Response, stored: batches.Stored, location: str | None = None) -> Any:
    response.status_code = stored.status
    if location is not None:
        response.headers["Location"] = location
    return stored.body


@router.post(
    "/batches",
    status_code=201,
    response_model=BatchOut,
    responses=UPLOAD,
    openapi_extra={"requestBody": {"content": {"application/json": {"schema": BATCH_DOCUMENT}}}},
)
def submit_batch(
    request_body: Annotated[dict[str, Any], Body()],
    response: Response,
    session: SessionDep,
    principal: BatchWriter,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Submit a JSON batch; it is validated and stored, not yet solved."""
    fingerprint = batches.request_hash("json", batches.canonical(request_body))
    stored = batches.idempotent(
        session,
        principal.key_id,
        idempotency_key,
        fingerprint,
        lambda: batches.submit_batch(session, request_body, principal.key_id),
    )
    return _reply(response, stored, f"/v1/batches/{stored.body['id']}")


@router.post("/batches/csv", status_code=201, response_model=BatchOut, responses=UPLOAD)
async def submit_batch_csv(
    orders: Annotated[UploadFile, File(description="Orders CSV (docs/batch-format.md).")],
    fleet: Annotated[UploadFile, File(description="Fleet JSON: depots, vehicles, options.")],
    response: Response,
    session: SessionDep,
    principal: BatchWriter,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Submit a batch as a CSV of orders and a JSON fleet file (multipart form)."""
    raw_orders, raw_fleet = await orders.read(), await fleet.read()
    try:
        text = raw_orders.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(orders.filename or "orders.csv", "is not UTF-8 text") from None
    document = {"csv": text, "fleet": loads_json(raw_fleet, fleet.filename or "fleet.json")}
    fingerprint = batches.request_hash("csv", raw_orders, raw_fleet)
    stored = batches.idempotent(
        session,
        principal.key_id,
        idempotency_key,
        fingerprint,
        lambda: batches.submit_batch(session, document, principal.key_id, "csv"),
    )
    return _reply(response, stored, f"/v1/batches/{stored.body['id']}")


@router.get("/batches/{batch_id}", response_model=BatchOut, responses=READ)
def get_batch(batch_id: str, session: SessionDep, principal: BatchReader) -> Any:
    """A stored batch."""
    return batches.get_batch(session, batch_id)


@router.post(
    "/batches/{batch_id}/jobs",
    status_code=202,
    response_model=JobOut,
    responses=problems(400, 401, 403, 404, 413, 422),
)
def start_job(
    batch_id: str,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    principal: JobWriter,
    options: Annotated[JobIn | None, Body()] = None,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Queue a solve; follow it at the ``Location`` URL."""
    options = options or JobIn()
    limit = min(options.time_limit_s or settings.default_time_limit_s, settings.max_time_limit_s)
    fingerprint = batches.request_hash("job", batch_id, json.dumps([limit, options.seed]))
    stored = batches.idempotent(
        session,
        principal.key_id,
        idempotency_key,
        fingerprint,
        lambda: batches.start_job(session, batch_id, limit, options.seed),
    )
    return _reply(response, stored, f"/v1/jobs/{stored.body['id']}")


@router.get("/jobs/{job_id}", response_model=JobOut, responses=READ)
def get_job(job_id: str, session: SessionDep, principal: JobReader) -> Any:
    """A job's state, progress, best cost so far and, when done, its summary."""
    return batches.get_job(session, job_id)


@router.post(
    "/jobs/{job_id}/cancel", response_model=JobOut, responses=problems(401, 403, 404, 409, 422)
)
def cancel_job(job_id: str, session: SessionDep, principal: JobWriter) -> Any:
    """Cancel a queued or running job."""
    return batches.cancel_job(session, job_id)


@router.get("/plans/{plan_id}", response_model=dict[str, Any], responses=READ)
def get_plan(plan_id: str, session: SessionDep, principal: PlanReader) -> Any:
    """A solved plan: the plan JSON document with its delivery section."""
    return batches.get_plan(session, plan_id)


@router.post(
    "/plans/{plan_id}/publish", status_code=201, response_model=PublicationOut, responses=READ
)
def publish_plan(
    plan_id: str,
    response: Response,
    session: SessionDep,
    principal: Publisher,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Publish a plan's routes to their carriers as a new revision of its batch."""
    fingerprint = batches.request_hash("publish", plan_id)
    stored = batches.idempotent(
        session,
        principal.key_id,
        idempotency_key,
        fingerprint,
        lambda: batches.Stored(201, routes.publish(session, plan_id)),
    )
    return _reply(response, stored)
