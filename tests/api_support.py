"""Helpers of the HTTP service tests: a tiny batch, API keys, solving and publishing.

The batch is small enough to work out by hand: one depot south of Lyon, two
vans of two carriers, and four orders. ``alpha``'s van may serve only A1
(a home delivery) and A2 (delivered at the locker LCK, its only option);
``beta``'s van only B1 and B2. So every solve gives exactly two routes:
alpha's with the stops ``stop:LCK`` and ``stop:A1``, beta's with
``stop:B1`` and ``stop:B2`` (in some order).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from api.jobs import work
from api.services.keys import create_key, revoke_key
from api.settings import Settings
from api.store.db import session_scope

PROBLEM = "application/problem+json"


def _order(order_id: str, lat: float, lon: float, vehicle_type: str, **extra: Any) -> dict:
    return {
        "id": order_id,
        "lat": lat,
        "lon": lon,
        "parcels": [{"weight_kg": 2, "volume_l": 10}],
        "time_windows": [{"start": "08:00", "end": "18:00"}],
        "service_time_s": 300,
        "vehicle_types": [vehicle_type],
        **extra,
    }


def _van(type_id: str, carrier: str) -> dict:
    return {
        "id": type_id,
        "carrier": carrier,
        "count": 1,
        "capacity": {"weight_kg": 500, "volume_l": 4000, "parcels": 60},
        "start_depot": "D",
        "shift": {"start": "07:00", "end": "19:00"},
        "fixed_cost": 20,
        "cost_per_km": 0.3,
        "cost_per_hour": 25,
    }


BATCH: dict[str, Any] = {
    "name": "tiny",
    "date": "2026-11-24",
    "timezone": "Europe/Paris",
    "depots": [
        {"id": "D", "lat": 45.7, "lon": 4.89, "opening": {"start": "06:00", "end": "21:00"}}
    ],
    "pickup_points": [
        {
            "id": "LCK",
            "kind": "locker",
            "lat": 45.7602,
            "lon": 4.8413,
            "opening": {"start": "07:00", "end": "21:00"},
            "compartments": {"S": 2, "M": 2, "L": 1},
            "stop_time_s": 120,
            "parcel_time_s": 20,
        }
    ],
    "vehicle_types": [_van("van-a", "alpha"), _van("van-b", "beta")],
    "orders": [
        _order("A1", 45.76, 4.84, "van-a"),
        _order(
            "A2",
            45.7601,
            4.8413,
            "van-a",
            delivery_options=[{"type": "pickup_point", "pickup_point": "LCK"}],
        ),
        _order("B1", 45.72, 4.85, "van-b"),
        _order("B2", 45.72, 4.86, "van-b"),
    ],
}
ALPHA_STOPS = {"stop:LCK", "stop:A1"}
BETA_STOPS = {"stop:B1", "stop:B2"}


def batch(**changes: Any) -> dict[str, Any]:
    """A copy of :data:`BATCH` with top-level keys replaced."""
    return {**copy.deepcopy(BATCH), **changes}


@dataclass(frozen=True)
class Keys:
    """Request headers of each kind of caller."""

    planner: dict[str, str]
    analyst: dict[str, str]
    alpha: dict[str, str]
    beta: dict[str, str]
    revoked: dict[str, str]
    alpha_token: str


def make_keys(database_url: str) -> Keys:
    """A planner, an analyst, carriers ``alpha`` and ``beta``, and a revoked planner key."""
    with session_scope(database_url) as session:
        planner, _ = create_key(session, "planner", "planner")
        analyst, _ = create_key(session, "analyst", "analyst")
        alpha, _ = create_key(session, "alpha", "carrier", carrier="alpha")
        beta, _ = create_key(session, "beta", "carrier", carrier="beta")
        revoked, row = create_key(session, "old", "planner")
        revoke_key(session, row.prefix)
    return Keys(
        planner={"Authorization": f"Bearer {planner}"},
        analyst={"Authorization": f"Bearer {analyst}"},
        alpha={"Authorization": f"Bearer {alpha}"},
        beta={"X-API-Key": beta},  # the other way to give a key
        revoked={"Authorization": f"Bearer {revoked}"},
        alpha_token=alpha,
    )


def submit(client: TestClient, keys: Keys, document: dict[str, Any] | None = None) -> str:
    """Submit a batch (default: :data:`BATCH`); its id."""
    response = client.post("/v1/batches", json=document or BATCH, headers=keys.planner)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def queue(client: TestClient, keys: Keys, batch_id: str, time_limit_s: float = 1) -> str:
    """Queue a solve of a stored batch; the job id."""
    response = client.post(
        f"/v1/batches/{batch_id}/jobs", json={"time_limit_s": time_limit_s}, headers=keys.planner
    )
    assert response.status_code == 202, response.text
    return response.json()["id"]


def solve(client: TestClient, keys: Keys, settings: Settings, batch_id: str) -> str:
    """Queue a one-second solve, run it in this process; the plan id."""
    job_id = queue(client, keys, batch_id)
    work(settings, once=True)
    job = client.get(f"/v1/jobs/{job_id}", headers=keys.planner).json()
    assert job["status"] == "done", job
    return job["plan_id"]


def publish(client: TestClient, keys: Keys, plan_id: str) -> dict[str, str]:
    """Publish a plan; carrier -> its route id."""
    response = client.post(f"/v1/plans/{plan_id}/publish", headers=keys.planner)
    assert response.status_code == 201, response.text
    return {r["carrier"]: r["route_id"] for r in response.json()["routes"]}
