"""The HTTP API against its own OpenAPI document (schemathesis).

Every operation is called with generated input, valid and invalid, once with
a planner key and once with a carrier key, on a SQLite database seeded with
one published plan. Every response must be documented: its status code, its
content type, its headers and its body; and no input may give a 5xx.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from api.app import create_app
from api.jobs import work
from api.services.keys import create_key
from api.settings import Settings
from api.store.db import migrate, session_scope

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "lyon" / "batch.json"
ORDERS = 12
"""Orders of the Lyon sample kept in the seeded batch."""


def small_batch() -> dict[str, Any]:
    """The Lyon sample cut to its first orders and a refrigerated one: a few routes."""
    batch = json.loads(SAMPLE.read_text())
    cold = next(o for o in batch["orders"] if "refrigerated" in o.get("skills", []))
    batch["orders"] = batch["orders"][:ORDERS] + [cold]
    batch["options"]["time_limit_s"] = 2
    return batch


KNOWN: dict[str, list[str]] = {}
"""Ids in the seeded database, by path parameter name, and stop ids (set by ``seeded``)."""
KEYS: dict[str, str] = {}
"""The seeded keys, by role (set by ``seeded``)."""
KEY = "<seeded key>"
ETAG = "<current etag>"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    """The app on a SQLite database holding one published plan; fills KNOWN and KEYS.

    The worker that solved the plan stays "alive" for the whole module (a lease of
    an hour), so ``/readyz`` answers 200 rather than its documented 503.
    """
    url = f"sqlite:///{tmp_path_factory.mktemp('openapi') / 'api.db'}"
    config = Settings(database_url=url, default_time_limit_s=2, lease_s=3600)
    migrate(url)
    with session_scope(url) as session:
        KEYS["planner"], _ = create_key(session, "planner", "planner")
    app = create_app(config)
    planner = {"Authorization": f"Bearer {KEYS['planner']}"}
    with TestClient(app) as client:
        batch = client.post("/v1/batches", json=small_batch(), headers=planner).json()
        job = client.post(f"/v1/batches/{batch['id']}/jobs", json={}, headers=planner).json()
        work(config, once=True)
        plan_id = client.get(f"/v1/jobs/{job['id']}", headers=planner).json()["plan_id"]
        published = client.post(f"/v1/plans/{plan_id}/publish", headers=planner).json()
        owner = published["routes"][0]["carrier"]
        with session_scope(url) as session:
            KEYS["carrier"], _ = create_key(session, "carrier", "carrier", carrier=owner)
        routes = [r["route_id"] for r in published["routes"] if r["carrier"] == owner]
        route = client.get(
            f"/v1/carrier/routes/{routes[0]}", headers={"X-API-Key": KEYS["carrier"]}
        )
    KNOWN.update(
        batch_id=[batch["id"]],
        job_id=[job["id"]],
        plan_id=[plan_id],
        route_id=routes,
        stop_id=[stop["stop_id"] for stop in route.json()["stops"]],
    )
    return app


SPEC_APP = create_app(Settings(database_url="sqlite://"))
"""Serves the OpenAPI document at collection time; cases are sent to the seeded app."""
ROUTE = "/v1/carrier/routes/{route_id}"
EVENTS = f"{ROUTE}/events"


def _schema(header: str) -> Any:
    """The API's schema, sending a key in ``header``."""
    loaded = schemathesis.openapi.from_asgi("/openapi.json", SPEC_APP)

    @loaded.auth(refresh_interval=None)
    class Key:
        """The seeded key (named by KEY until it exists: the coverage phase builds its
        cases before any fixture runs); schemathesis also checks that no key or a
        wrong one gets 401."""

        def get(self, case: Any, context: Any) -> str:
            return KEY if header == "X-API-Key" else f"Bearer {KEY}"

        def set(self, case: Any, data: str, context: Any) -> None:
            case.headers = {**(case.headers or {}), header: data}

    @loaded.hook
    def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
        """As often as not, a path parameter names something that exists."""
        known = [
            st.just({**path_parameters, name: value})
            for name in path_parameters or {}
            for value in KNOWN.get(name, [])
        ]
        return st.one_of(st.just(path_parameters), *known)

    @loaded.hook
    def flatmap_headers(context: Any, headers: dict[str, Any] | None) -> Any:
        """As often as not, a route is asked for with its current ETag (304)."""
        if context.operation is None or context.operation.path != ROUTE:
            return st.just(headers)
        others = {k: v for k, v in (headers or {}).items() if k.lower() != "if-none-match"}
        return st.sampled_from([headers, {**others, "If-None-Match": ETAG}])

    @loaded.hook
    def flatmap_body(context: Any, body: Any) -> Any:
        """As often as not, events name stops of the seeded routes."""
        if context.operation is None or context.operation.path != EVENTS:
            return st.just(body)
        if not isinstance(body, dict) or not isinstance(body.get("events"), list):
            return st.just(body)
        stops = iter(KNOWN["stop_id"] * len(body["events"]))
        events = [
            {**e, "stop_id": next(stops)}
            if isinstance(e, dict) and isinstance(e.get("stop_id"), str) and e["stop_id"]
            else e
            for e in body["events"]
        ]
        return st.sampled_from([body, {**body, "events": events}])

    return loaded


def _send(case: Any, app: FastAPI, role: str) -> None:
    """Call ``app`` with the seeded key of ``role`` and check the response."""
    for name, value in (case.headers or {}).items():
        if isinstance(value, str) and KEY in value:
            case.headers[name] = value.replace(KEY, KEYS[role])
    if (case.headers or {}).get("If-None-Match") == ETAG:
        del case.headers["If-None-Match"]
        current = case.call(app=app).headers.get("etag", ['"none"'])
        case.headers["If-None-Match"] = current[0]
    case.call_and_validate(app=app, excluded_checks=SEMANTIC)


planner_schema = _schema("Authorization")
carrier_schema = _schema("X-API-Key")
EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    derandomize=True,
)
SEMANTIC = [schemathesis.checks.positive_data_acceptance]
"""Not checked: a schema-valid request may still be refused with 4xx when what it
names is not the caller's or not in the right state (another carrier's route, a
cursor this service did not give, a stop not on the route, a reused
Idempotency-Key), or when a batch is inconsistent (an unknown depot id)."""


@planner_schema.parametrize()
@EXAMPLES
def test_with_planner_key(case: Any, seeded: FastAPI) -> None:
    _send(case, seeded, "planner")


@carrier_schema.parametrize()
@EXAMPLES
def test_with_carrier_key(case: Any, seeded: FastAPI) -> None:
    _send(case, seeded, "carrier")
