"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import SettingsDep
from api.jobs import workers_alive
from api.schemas import Health
from api.store.db import ping

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process answers."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses={503: {"model": Health}})
def readyz(settings: SettingsDep) -> JSONResponse:
    """The database answers and at least one worker is alive."""
    database = ping(settings.database_url)
    workers = workers_alive(settings) if database else 0
    ready = database and workers > 0
    body = Health(status="ok" if ready else "unavailable", database=database, workers=workers)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)
