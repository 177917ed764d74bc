"""The HTTP service end to end (FastAPI TestClient), on SQLite and on PostgreSQL.

Every test gets an empty database (``database_url`` in conftest.py) and the
tiny batch of ``api_support``: alpha's van serves ``stop:LCK`` (the locker,
order A2) and ``stop:A1``; beta's van serves ``stop:B1`` and ``stop:B2``.
Solves run in this process with ``work(settings, once=True)``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from api_support import (
    ALPHA_STOPS,
    BATCH,
    BETA_STOPS,
    PROBLEM,
    Keys,
    _van,
    batch,
    make_keys,
    publish,
    queue,
    solve,
    submit,
)
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from api.app import create_app
from api.jobs import work
from api.services import webhooks
from api.services.keys import create_key, revoke_key
from api.settings import Settings
from api.store.db import READ_APPLICATION, get_engine, migrate, session_scope
from api.store.models import (
    Batch,
    IdempotencyKey,
    Job,
    OutboxMessage,
    Plan,
    Publication,
    RouteRevision,
    StopEvent,
)

MISSING = "0" * 32
"""An id of the same shape as real ones that names nothing."""
MAX_BODY = 20_000
"""Body limit of the test app: the tiny batch is about 2 kB."""


@pytest.fixture
def settings(database_url: str) -> Settings:
    migrate(database_url)
    return Settings(
        database_url=database_url,
        max_body_bytes=MAX_BODY,
        webhook_backoff_s=0.01,
        webhook_timeout_s=2,
        poll_s=0.01,
    )


@pytest.fixture
def keys(settings: Settings) -> Keys:
    return make_keys(settings.database_url)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def plan_id(client: TestClient, keys: Keys, settings: Settings) -> str:
    """A solved plan of the tiny batch."""
    return solve(client, keys, settings, submit(client, keys))


@pytest.fixture
def routes(client: TestClient, keys: Keys, plan_id: str) -> dict[str, str]:
    """Revision 1 of the tiny batch's routes: carrier -> route id."""
    return publish(client, keys, plan_id)


def count(settings: Settings, model: Any, *where: Any) -> int:
    """Rows of ``model`` in the test database (matching ``where``)."""
    with session_scope(settings.database_url) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def is_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The problem document of an error response, after checking its status and type."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    return body


def event(
    event_id: str, stop_id: str, kind: str, at: str, reason: str | None = None
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "stop_id": stop_id,
        "kind": kind,
        "occurred_at": at,
        "reason": reason,
    }


def post_events(client: TestClient, keys: Keys, route_id: str, *events: dict) -> httpx.Response:
    return client.post(
        f"/v1/carrier/routes/{route_id}/events", json={"events": list(events)}, headers=keys.alpha
    )


def stop_status(client: TestClient, keys: Keys, route_id: str) -> dict[str, str]:
    body = client.get(f"/v1/carrier/routes/{route_id}", headers=keys.alpha).json()
    return {s["stop_id"]: s["status"] for s in body["stops"]}


# --- carrier isolation and keys ------------------------------------------------------------


def test_carriers_list_only_their_own_routes(
    client: TestClient, keys: Keys, routes: dict[str, str]
) -> None:
    for who, headers in (("alpha", keys.alpha), ("beta", keys.beta)):
        page = client.get("/v1/carrier/routes", headers=headers).json()
        assert [r["route_id"] for r in page["items"]] == [routes[who]]
    alpha = client.get(f"/v1/carrier/routes/{routes['alpha']}", headers=keys.alpha).json()
    assert {s["stop_id"] for s in alpha["stops"]} == ALPHA_STOPS
    beta = client.get(f"/v1/carrier/routes/{routes['beta']}", headers=keys.beta).json()
    assert {s["stop_id"] for s in beta["stops"]} == BETA_STOPS


def _masked(response: httpx.Response, ident: str) -> dict[str, Any]:
    """A problem document with ``ident`` replaced, to compare two 404 answers."""
    return json.loads(response.text.replace(ident, "<id>"))


def test_another_carriers_ids_look_like_missing_ones(
    client: TestClient, keys: Keys, settings: Settings, routes: dict[str, str]
) -> None:
    theirs = routes["beta"]

    def same_as_missing(call: Callable[[str], httpx.Response]) -> None:
        other, missing = call(theirs), call(MISSING)
        assert is_problem(other, 404) and is_problem(missing, 404)
        assert _masked(other, theirs) == _masked(missing, MISSING)

    for fmt in ("json", "geojson", "gpx"):
        same_as_missing(
            lambda rid, fmt=fmt: client.get(
                f"/v1/carrier/routes/{rid}", params={"format": fmt}, headers=keys.alpha
            )
        )
    beta_event = event("x1", "stop:B1", "delivered", "2026-11-24T10:00:00+01:00")
    same_as_missing(lambda rid: post_events(client, keys, rid, beta_event))
    assert count(settings, StopEvent) == 0

    hook = client.post(
        "/v1/carrier/webhooks", json={"url": "http://127.0.0.1:9/hook"}, headers=keys.beta
    ).json()
    same_as_missing(lambda hid: client.delete(f"/v1/carrier/webhooks/{hid}", headers=keys.alpha))
    kept = client.get("/v1/carrier/webhooks", headers=keys.beta).json()
    assert [h["id"] for h in kept] == [hook["id"]]
    assert client.get("/v1/carrier/webhooks", headers=keys.alpha).json() == []


ANY_EVENT = {"events": [event("e", "s", "arrived", "2026-11-24T09:00:00Z")]}
CARRIER_CALLS = [
    ("GET", "/v1/carrier/routes", None),
    ("GET", f"/v1/carrier/routes/{MISSING}", None),
    ("POST", f"/v1/carrier/routes/{MISSING}/events", ANY_EVENT),
    ("POST", "/v1/carrier/webhooks", {"url": "http://127.0.0.1:9/hook"}),
    ("GET", "/v1/carrier/webhooks", None),
    ("DELETE", f"/v1/carrier/webhooks/{MISSING}", None),
]
PLANNER_CALLS = [
    ("POST", "/v1/batches", BATCH),
    ("GET", f"/v1/batches/{MISSING}", None),
    ("POST", f"/v1/batches/{MISSING}/jobs", {"time_limit_s": 1}),
    ("GET", f"/v1/jobs/{MISSING}", None),
    ("POST", f"/v1/jobs/{MISSING}/cancel", None),
    ("GET", f"/v1/plans/{MISSING}", None),
    ("POST", f"/v1/plans/{MISSING}/publish", None),
]


def _call(client: TestClient, method: str, path: str, body: Any, headers: dict) -> httpx.Response:
    return client.request(method, path, json=body, headers=headers)


def test_each_key_reaches_only_its_own_side(client: TestClient, keys: Keys) -> None:
    for method, path, body in CARRIER_CALLS:
        problem = is_problem(_call(client, method, path, body, keys.planner), 403)
        assert "scope" in problem["detail"]
    for method, path, body in PLANNER_CALLS:
        is_problem(_call(client, method, path, body, keys.alpha), 403)
    # An analyst reads but does not write.
    is_problem(_call(client, "POST", "/v1/batches", BATCH, keys.analyst), 403)
    is_problem(_call(client, "GET", f"/v1/batches/{MISSING}", None, keys.analyst), 404)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer nonsense"},
        {"Authorization": "Bearer trn_00000000_forged"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"X-API-Key": "trn_00000000_forged"},
    ],
    ids=["none", "garbage", "forged", "basic", "x-api-key"],
)
def test_calls_without_a_valid_key_are_unauthorized(
    client: TestClient, keys: Keys, headers: dict[str, str]
) -> None:
    for method, path, body in CARRIER_CALLS + PLANNER_CALLS:
        response = _call(client, method, path, body, headers)
        is_problem(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"


def test_a_revoked_key_is_unauthorized(client: TestClient, keys: Keys, settings: Settings) -> None:
    with session_scope(settings.database_url) as session:
        token, row = create_key(session, "temporary", "planner")
        prefix = row.prefix
    headers = {"Authorization": f"Bearer {token}"}
    is_problem(client.get(f"/v1/batches/{MISSING}", headers=headers), 404)  # let in
    with session_scope(settings.database_url) as session:
        assert revoke_key(session, prefix)
    is_problem(client.get(f"/v1/batches/{MISSING}", headers=headers), 401)
    is_problem(client.get(f"/v1/batches/{MISSING}", headers=keys.revoked), 401)


def test_a_carrier_key_works_in_either_header(
    client: TestClient, keys: Keys, routes: dict[str, str]
) -> None:
    path = f"/v1/carrier/routes/{routes['alpha']}"
    assert client.get(path, headers={"X-API-Key": keys.alpha_token}).status_code == 200
    assert client.get(path, headers={"Authorization": f"bearer {keys.alpha_token}"}).is_success


# --- idempotent POSTs ----------------------------------------------------------------------


def test_a_retried_batch_is_stored_once(client: TestClient, keys: Keys, settings: Settings) -> None:
    headers = {**keys.planner, "Idempotency-Key": "batch-1"}
    first = client.post("/v1/batches", json=BATCH, headers=headers)
    again = client.post("/v1/batches", json=BATCH, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert first.headers["location"] == again.headers["location"]
    assert count(settings, Batch) == 1

    changed = client.post("/v1/batches", json=batch(name="other"), headers=headers)
    assert "Idempotency-Key" in is_problem(changed, 422)["detail"]
    assert count(settings, Batch) == 1

    # Key order and whitespace do not make a different request.
    same = json.dumps(dict(reversed(list(BATCH.items()))), indent=2)
    reordered = client.post(
        "/v1/batches", content=same, headers={**headers, "content-type": "application/json"}
    )
    assert reordered.json() == first.json()
    # Another key is another request.
    client.post("/v1/batches", json=BATCH, headers={**keys.planner, "Idempotency-Key": "batch-2"})
    assert count(settings, Batch) == 2


def _concurrently(call: Callable[[], httpx.Response], n: int = 5) -> list[httpx.Response]:
    """``n`` threads making the same call at (nearly) the same moment."""
    barrier = threading.Barrier(n)

    def run() -> httpx.Response:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(n) as pool:
        return [f.result() for f in [pool.submit(run) for _ in range(n)]]


def test_concurrent_retries_create_one_batch(
    client: TestClient, keys: Keys, settings: Settings
) -> None:
    headers = {**keys.planner, "Idempotency-Key": "race"}
    responses = _concurrently(lambda: client.post("/v1/batches", json=BATCH, headers=headers))
    assert [r.status_code for r in responses] == [201] * 5
    assert len({r.json()["id"] for r in responses}) == 1
    assert count(settings, Batch) == 1
    assert count(settings, IdempotencyKey) == 1


def test_concurrent_retries_create_one_job_and_one_publication(
    client: TestClient, keys: Keys, settings: Settings, plan_id: str
) -> None:
    batch_id = client.get(f"/v1/plans/{plan_id}", headers=keys.planner).json()["batch_id"]
    headers = {**keys.planner, "Idempotency-Key": "job-race"}
    jobs = _concurrently(
        lambda: client.post(
            f"/v1/batches/{batch_id}/jobs", json={"time_limit_s": 1}, headers=headers
        )
    )
    assert [r.status_code for r in jobs] == [202] * 5
    assert len({r.json()["id"] for r in jobs}) == 1
    assert count(settings, Job) == 2  # the fixture's solve and this one

    other = client.post(f"/v1/batches/{batch_id}/jobs", json={"time_limit_s": 2}, headers=headers)
    is_problem(other, 422)

    headers = {**keys.planner, "Idempotency-Key": "publish-race"}
    published = _concurrently(lambda: client.post(f"/v1/plans/{plan_id}/publish", headers=headers))
    assert [r.status_code for r in published] == [201] * 5
    assert [r.json()["revision"] for r in published] == [1] * 5
    assert count(settings, Publication) == 1
    assert count(settings, RouteRevision) == 2
    # A later publish under a new key is a new revision.
    again = client.post(
        f"/v1/plans/{plan_id}/publish", headers={**keys.planner, "Idempotency-Key": "p2"}
    )
    assert again.json()["revision"] == 2


def test_concurrent_publications_get_successive_revisions(
    client: TestClient, keys: Keys, settings: Settings, plan_id: str
) -> None:
    responses = _concurrently(
        lambda: client.post(f"/v1/plans/{plan_id}/publish", headers=keys.planner)
    )
    assert [r.status_code for r in responses] == [201] * 5, [r.text for r in responses]
    assert sorted(r.json()["revision"] for r in responses) == [1, 2, 3, 4, 5]
    # Each revision superseded exactly the one before it: one live route per carrier.
    page = client.get("/v1/carrier/routes", headers=keys.alpha).json()["items"]
    assert [r["status"] for r in page].count("published") == 1
    assert count(settings, RouteRevision, RouteRevision.status == "superseded") == 8


# --- ETags -----------------------------------------------------------------------------------


def test_etag_gives_304_until_the_route_changes(
    client: TestClient, keys: Keys, routes: dict[str, str]
) -> None:
    path = f"/v1/carrier/routes/{routes['alpha']}"
    tags = {}
    for fmt in ("json", "geojson", "gpx"):
        first = client.get(path, params={"format": fmt}, headers=keys.alpha)
        assert first.status_code == 200
        tags[fmt] = first.headers["etag"]
        cached = client.get(
            path, params={"format": fmt}, headers={**keys.alpha, "If-None-Match": tags[fmt]}
        )
        assert cached.status_code == 304
        assert cached.content == b""
        assert cached.headers["etag"] == tags[fmt]
    assert len(set(tags.values())) == 3  # each representation its own tag

    arrived = event("e1", "stop:A1", "arrived", "2026-11-24T08:01:00+01:00")
    assert post_events(client, keys, routes["alpha"], arrived).status_code == 200
    for fmt, old in tags.items():
        fresh = client.get(
            path, params={"format": fmt}, headers={**keys.alpha, "If-None-Match": old}
        )
        assert fresh.status_code == 200
        assert fresh.headers["etag"] != old

    # A duplicate event changes nothing: the new tag still holds.
    tag = client.get(path, headers=keys.alpha).headers["etag"]
    post_events(client, keys, routes["alpha"], arrived)
    assert client.get(path, headers={**keys.alpha, "If-None-Match": tag}).status_code == 304


# --- stop events -----------------------------------------------------------------------------


def test_events_are_idempotent_on_their_id(
    client: TestClient, keys: Keys, settings: Settings, routes: dict[str, str]
) -> None:
    arrived = event("e1", "stop:A1", "arrived", "2026-11-24T08:01:00+01:00")
    first = post_events(client, keys, routes["alpha"], arrived).json()
    assert (first["accepted"], first["duplicates"]) == (["e1"], [])
    again = post_events(client, keys, routes["alpha"], arrived).json()
    assert (again["accepted"], again["duplicates"]) == ([], ["e1"])
    assert count(settings, StopEvent) == 1
    assert again["route"]["progress"] == {"stops": 2, "arrived": 1, "delivered": 0, "failed": 0}
    # The same new id twice in one post: stored once, reported once each way.
    twice = event("e2", "stop:A1", "delivered", "2026-11-24T08:03:00+01:00")
    both = post_events(client, keys, routes["alpha"], twice, twice).json()
    assert (both["accepted"], both["duplicates"]) == (["e2"], ["e2"])
    assert count(settings, StopEvent) == 2


def test_a_late_arrival_does_not_undo_a_delivery(
    client: TestClient, keys: Keys, routes: dict[str, str]
) -> None:
    # Delivered at 10:00 is posted before arrived at 09:55: the stop stays delivered.
    delivered = event("e2", "stop:A1", "delivered", "2026-11-24T10:00:00+01:00")
    arrived = event("e1", "stop:A1", "arrived", "2026-11-24T09:55:00+01:00")
    post_events(client, keys, routes["alpha"], delivered)
    post_events(client, keys, routes["alpha"], arrived)
    assert stop_status(client, keys, routes["alpha"])["stop:A1"] == "delivered"


def test_event_order_compares_instants_not_clock_readings(
    client: TestClient, keys: Keys, routes: dict[str, str]
) -> None:
    # 09:00Z is 10:00 in Paris, five minutes after the 09:55+01:00 arrival:
    # the stop is delivered, though 09:00 < 09:55 on the clock faces.
    delivered = event("e2", "stop:A1", "delivered", "2026-11-24T09:00:00Z")
    arrived = event("e1", "stop:A1", "arrived", "2026-11-24T09:55:00+01:00")
    post_events(client, keys, routes["alpha"], arrived)
    post_events(client, keys, routes["alpha"], delivered)
    assert stop_status(client, keys, routes["alpha"])["stop:A1"] == "delivered"


def test_route_status_follows_its_stops(
    client: TestClient, keys: Keys, routes: dict[str, str]
) -> None:
    def status() -> str:
        page = client.get("/v1/carrier/routes", headers=keys.alpha).json()
        return page["items"][0]["status"]

    assert status() == "published"
    arrived = event("e1", "stop:A1", "arrived", "2026-11-24T08:00:00+01:00")
    post_events(client, keys, routes["alpha"], arrived)
    assert status() == "in_progress"
    delivered = event("e2", "stop:A1", "delivered", "2026-11-24T08:04:00+01:00")
    post_events(client, keys, routes["alpha"], delivered)
    assert status() == "in_progress"  # stop:LCK is still open
    last = post_events(
        client,
        keys,
        routes["alpha"],
        event("e3", "stop:LCK", "failed", "2026-11-24T08:10:00+01:00", reason="locker jammed"),
    ).json()
    assert last["route"]["status"] == status() == "completed"
    assert last["route"]["progress"] == {"stops": 2, "arrived": 0, "delivered": 1, "failed": 1}
    view = client.get(f"/v1/carrier/routes/{routes['alpha']}", headers=keys.alpha).json()
    lck = next(s for s in view["stops"] if s["stop_id"] == "stop:LCK")
    assert (lck["status"], lck["failure_reason"]) == ("failed", "locker jammed")


@pytest.mark.parametrize(
    ("bad", "where"),
    [
        (event("b", "stop:A1", "failed", "2026-11-24T09:00:00+01:00"), "events[1].reason"),
        (event("b", "stop:B1", "arrived", "2026-11-24T09:00:00+01:00"), "events[1].stop_id"),
        (event("b", "stop:A1", "arrived", "2026-11-24T09:00:00"), "events[1].occurred_at"),
    ],
    ids=["failed-without-reason", "unknown-stop", "no-utc-offset"],
)
def test_one_bad_event_rejects_the_whole_post(
    client: TestClient,
    keys: Keys,
    settings: Settings,
    routes: dict[str, str],
    bad: dict,
    where: str,
) -> None:
    good = event("g", "stop:A1", "arrived", "2026-11-24T08:00:00+01:00")
    path = f"/v1/carrier/routes/{routes['alpha']}"
    tag = client.get(path, headers=keys.alpha).headers["etag"]
    problem = is_problem(post_events(client, keys, routes["alpha"], good, bad), 422)
    assert where in problem["detail"]
    assert count(settings, StopEvent) == 0
    assert client.get(path, headers={**keys.alpha, "If-None-Match": tag}).status_code == 304
    # The good event alone is new, not a duplicate of a half-stored post.
    assert post_events(client, keys, routes["alpha"], good).json()["accepted"] == ["g"]


def test_schema_errors_name_the_field(client: TestClient, keys: Keys) -> None:
    naive = event("e", "stop:A1", "arrived", "2026-11-24T09:00:00")
    problem = is_problem(post_events(client, keys, MISSING, naive), 422)
    assert [e["field"] for e in problem["errors"]] == ["body.events[0].occurred_at"]
    problem = is_problem(
        client.post(f"/v1/batches/{MISSING}/jobs", json={"seeed": 1}, headers=keys.planner), 422
    )
    assert [e["field"] for e in problem["errors"]] == ["body.seeed"]


# --- publication revisions -----------------------------------------------------------------


def test_publishing_again_supersedes_and_keeps_the_old_revision(
    client: TestClient, keys: Keys, plan_id: str, routes: dict[str, str]
) -> None:
    old_path = f"/v1/carrier/routes/{routes['alpha']}"
    before = client.get(old_path, headers=keys.alpha)
    second = client.post(f"/v1/plans/{plan_id}/publish", headers=keys.planner).json()
    assert second["revision"] == 2
    assert second["superseded"] == sorted(routes.values())
    new = {r["carrier"]: r["route_id"] for r in second["routes"]}

    after = client.get(old_path, headers=keys.alpha)
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    old_body, now_body = before.json(), after.json()
    assert (now_body["status"], now_body["superseded_by"]) == ("superseded", new["alpha"])
    assert now_body["revision"] == 1
    for changed in ("status", "superseded_by"):
        old_body.pop(changed), now_body.pop(changed)
    assert now_body == old_body  # the published body never changes

    fresh = client.get(f"/v1/carrier/routes/{new['alpha']}", headers=keys.alpha).json()
    assert (fresh["revision"], fresh["status"], fresh["superseded_by"]) == (2, "published", None)
    page = client.get("/v1/carrier/routes", headers=keys.alpha).json()["items"]
    assert [(r["revision"], r["status"]) for r in page] == [(1, "superseded"), (2, "published")]


# --- webhooks --------------------------------------------------------------------------------


class _Receiver(BaseHTTPRequestHandler):
    """Answers 500 to the first POST and 200 afterwards; keeps every request."""

    received: list[tuple[dict[str, str], bytes]]

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        raw = self.rfile.read(int(self.headers["content-length"]))
        self.received.append(({k.lower(): v for k, v in self.headers.items()}, raw))
        self.send_response(500 if len(self.received) == 1 else 200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    """A local webhook endpoint: its URL and the requests it got."""
    received: list[tuple[dict[str, str], bytes]] = []
    handler = type("Handler", (_Receiver,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()
    server.server_close()


def test_webhook_is_retried_signed_and_survives_a_restart(
    client: TestClient, keys: Keys, settings: Settings, plan_id: str, receiver: Any
) -> None:
    url, received = receiver
    hook = client.post("/v1/carrier/webhooks", json={"url": url}, headers=keys.alpha)
    assert hook.status_code == 201
    secret = hook.json()["secret"]
    assert secret.startswith("whsec_")
    [listed] = client.get("/v1/carrier/webhooks", headers=keys.alpha).json()
    assert listed.get("secret") is None  # shown once, at creation
    routes = publish(client, keys, plan_id)

    # A new engine, as after a restart, finds the notification waiting.
    engine = create_engine(settings.database_url)
    try:
        with Session(engine) as session:
            waiting = session.scalars(select(OutboxMessage)).all()
            assert [(m.attempts, m.delivered_at) for m in waiting] == [(0, None)]
    finally:
        engine.dispose()

    for _ in range(100):
        webhooks.deliver_due(settings)
        with session_scope(settings.database_url) as session:
            message = session.scalars(select(OutboxMessage)).one()
        if message.delivered_at is not None:
            break
        threading.Event().wait(0.02)
    assert message.delivered_at is not None
    assert message.attempts == 2 and len(received) == 2
    assert message.last_error is None

    headers, raw = received[-1]
    body = raw.decode()
    assert headers["webhook-id"] == message.id == received[0][0]["webhook-id"]
    assert webhooks.verify(secret, headers, body)
    payload = json.loads(body)
    assert payload["type"] == "routes.published"
    assert [r["route_id"] for r in payload["data"]["routes"]] == [routes["alpha"]]
    # Tampered, signed with another secret, or too old: rejected.
    assert not webhooks.verify(secret, headers, body.replace("published", "cancelled"))
    assert not webhooks.verify(webhooks.new_secret(), headers, body)
    late = int(headers["webhook-timestamp"]) + webhooks.TOLERANCE_S + 1
    assert not webhooks.verify(secret, headers, body, now=late)


def test_a_failing_webhook_is_given_up_after_max_attempts(
    client: TestClient, keys: Keys, settings: Settings, plan_id: str
) -> None:
    # Port 9 (discard) on localhost refuses connections.
    client.post("/v1/carrier/webhooks", json={"url": "http://127.0.0.1:9/"}, headers=keys.beta)
    publish(client, keys, plan_id)
    quick = settings.model_copy(update={"webhook_max_attempts": 2})
    for _ in range(100):
        webhooks.deliver_due(quick)
        with session_scope(settings.database_url) as session:
            message = session.scalars(select(OutboxMessage)).one()
        if message.failed_at is not None:
            break
        threading.Event().wait(0.02)
    assert message.failed_at is not None and message.delivered_at is None
    assert message.attempts == 2 and message.last_error


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/v1/batches/{MISSING}"),
        ("POST", f"/v1/batches/{MISSING}/jobs"),
        ("GET", f"/v1/jobs/{MISSING}"),
        ("POST", f"/v1/jobs/{MISSING}/cancel"),
        ("GET", f"/v1/plans/{MISSING}"),
        ("POST", f"/v1/plans/{MISSING}/publish"),
    ],
)
def test_unknown_ids_are_not_found(
    client: TestClient, keys: Keys, settings: Settings, method: str, path: str
) -> None:
    problem = is_problem(client.request(method, path, headers=keys.planner), 404)
    assert MISSING in problem["detail"] and problem["instance"] == path
    assert count(settings, Job) == count(settings, Publication) == 0


def test_unknown_route_is_not_found(client: TestClient, keys: Keys) -> None:
    path = f"/v1/carrier/routes/{MISSING}"
    assert MISSING in is_problem(client.get(path, headers=keys.alpha), 404)["detail"]


def test_a_body_over_the_limit_is_refused(
    client: TestClient, keys: Keys, settings: Settings
) -> None:
    big = json.dumps(batch(note="x" * MAX_BODY)).encode()
    headers = {**keys.planner, "content-type": "application/json"}
    problem = is_problem(client.post("/v1/batches", content=big, headers=headers), 413)
    assert str(MAX_BODY) in problem["detail"]
    assert count(settings, Batch) == 0


def test_a_chunked_body_over_the_limit_is_refused(
    client: TestClient, keys: Keys, settings: Settings
) -> None:
    big = json.dumps(batch(note="x" * MAX_BODY)).encode()

    def chunks() -> Iterator[bytes]:  # no Content-Length: sent chunked
        for start in range(0, len(big), 4096):
            yield big[start : start + 4096]

    headers = {**keys.planner, "content-type": "application/json"}
    response = client.post("/v1/batches", content=chunks(), headers=headers)
    assert count(settings, Batch) == 0
    is_problem(response, 413)


def test_a_bad_batch_names_row_and_field_and_stores_nothing(
    client: TestClient, keys: Keys, settings: Settings
) -> None:
    bad = batch()
    bad["orders"][1]["lat"] = 123.0
    headers = {**keys.planner, "Idempotency-Key": "fix-and-retry"}
    problem = is_problem(client.post("/v1/batches", json=bad, headers=headers), 422)
    [error] = problem["errors"]
    assert (error["row"], error["field"]) == ("orders[1]", "orders[1].lat")
    assert "lat" in error["message"]
    assert count(settings, Batch) == count(settings, IdempotencyKey) == 0
    # The key was not spent on the failed request: the fixed batch goes through.
    assert client.post("/v1/batches", json=BATCH, headers=headers).status_code == 201


# --- jobs ----------------------------------------------------------------------------------------


def test_a_job_runs_to_done_and_cannot_be_cancelled_after(
    client: TestClient, keys: Keys, settings: Settings
) -> None:
    batch_id = submit(client, keys)
    job_id = queue(client, keys, batch_id)
    job = client.get(f"/v1/jobs/{job_id}", headers=keys.planner).json()
    assert (job["status"], job["attempts"], job["plan_id"]) == ("queued", 0, None)

    work(settings, once=True)

    job = client.get(f"/v1/jobs/{job_id}", headers=keys.planner).json()
    assert (job["status"], job["attempts"], job["progress"]) == ("done", 1, 1.0)
    summary = job["summary"]
    assert summary["checker_feasible"] is True
    assert (summary["routes"], summary["orders"], summary["orders_unassigned"]) == (2, 4, 0)
    assert job["best_cost_eur"] == pytest.approx(summary["cost_eur"])
    plan = client.get(f"/v1/plans/{job['plan_id']}", headers=keys.planner).json()
    assert (plan["batch_id"], plan["job_id"]) == (batch_id, job_id)
    assert len(plan["routes"]) == 2
    assert count(settings, Plan) == 1

    is_problem(client.post(f"/v1/jobs/{job_id}/cancel", headers=keys.planner), 409)


def test_a_cancelled_queued_job_never_runs(
    client: TestClient, keys: Keys, settings: Settings
) -> None:
    job_id = queue(client, keys, submit(client, keys))
    cancelled = client.post(f"/v1/jobs/{job_id}/cancel", headers=keys.planner)
    assert cancelled.status_code == 200
    assert (cancelled.json()["status"], cancelled.json()["cancel_requested"]) == ("cancelled", True)
    work(settings, once=True)
    job = client.get(f"/v1/jobs/{job_id}", headers=keys.planner).json()
    assert (job["status"], job["attempts"], job["plan_id"]) == ("cancelled", 0, None)
    assert count(settings, Plan) == 0
    # Cancelling again is harmless.
    again = client.post(f"/v1/jobs/{job_id}/cancel", headers=keys.planner)
    assert again.json()["status"] == "cancelled"


# --- health --------------------------------------------------------------------------------------


def test_health_and_readiness(client: TestClient, settings: Settings) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "database": None, "workers": None}
    not_ready = client.get("/readyz")
    assert not_ready.status_code == 503
    assert not_ready.json() == {"status": "unavailable", "database": True, "workers": 0}
    work(settings, once=True)  # no job: one heartbeat, then it returns
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": True, "workers": 1}


def test_concurrent_retries_of_an_event_store_it_once(
    client: TestClient, keys: Keys, settings: Settings, routes: dict[str, str]
) -> None:
    arrived = event("e1", "stop:A1", "arrived", "2026-11-24T08:01:00+01:00")
    responses = _concurrently(lambda: post_events(client, keys, routes["alpha"], arrived))
    assert [r.status_code for r in responses] == [200] * 5, [r.text for r in responses]
    outcomes = sorted((r.json()["accepted"], r.json()["duplicates"]) for r in responses)
    assert outcomes == [([], ["e1"])] * 4 + [(["e1"], [])]
    assert count(settings, StopEvent) == 1


def test_carriers_may_use_the_same_event_ids(
    client: TestClient, keys: Keys, settings: Settings, routes: dict[str, str]
) -> None:
    mine = event("1", "stop:A1", "arrived", "2026-11-24T08:01:00+01:00")
    theirs = event("1", "stop:B1", "arrived", "2026-11-24T08:02:00+01:00")
    assert post_events(client, keys, routes["alpha"], mine).json()["accepted"] == ["1"]
    response = client.post(
        f"/v1/carrier/routes/{routes['beta']}/events", json={"events": [theirs]}, headers=keys.beta
    )
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == ["1"]
    assert count(settings, StopEvent) == 2


def test_a_carrier_may_not_reuse_an_event_id_on_another_route(
    client: TestClient, keys: Keys, settings: Settings, plan_id: str, routes: dict[str, str]
) -> None:
    newer = publish(client, keys, plan_id)["alpha"]  # revision 2: another alpha route
    arrived = event("e1", "stop:A1", "arrived", "2026-11-24T08:01:00+01:00")
    assert post_events(client, keys, routes["alpha"], arrived).json()["accepted"] == ["e1"]
    problem = is_problem(post_events(client, keys, newer, arrived), 422)
    assert "events[0].event_id" in problem["detail"]
    assert count(settings, StopEvent) == 1


ORDERS_CSV = """order_id,lat,lon,weight_kg,volume_l,tw_start,tw_end,service_min
C1,45.76,4.84,2,10,08:00,18:00,5
C2,45.72,4.85,3,12,09:00,17:00,5
"""


def _fleet() -> dict[str, Any]:
    fleet = batch()
    del fleet["orders"]
    fleet["vehicle_types"] = [{**_van("van-a", "alpha"), "count": 2}]
    return fleet


def _upload(client: TestClient, keys: Keys, orders: str) -> httpx.Response:
    files = {
        "orders": ("orders.csv", orders.encode(), "text/csv"),
        "fleet": ("fleet.json", json.dumps(_fleet()).encode(), "application/json"),
    }
    return client.post("/v1/batches/csv", files=files, headers=keys.planner)


def test_a_csv_upload_is_stored_as_csv_and_solved(
    client: TestClient, keys: Keys, settings: Settings
) -> None:
    response = _upload(client, keys, ORDERS_CSV)
    assert response.status_code == 201, response.text
    stored = response.json()
    assert (stored["kind"], stored["orders"]) == ("csv", 2)
    job_id = queue(client, keys, stored["id"])
    work(settings, once=True)
    job = client.get(f"/v1/jobs/{job_id}", headers=keys.planner).json()
    assert job["status"] == "done", job
    assert job["summary"]["checker_feasible"] is True
    assert job["summary"]["orders_unassigned"] == 0


def test_a_bad_csv_row_names_file_row_and_field(client: TestClient, keys: Keys) -> None:
    response = _upload(client, keys, ORDERS_CSV.replace("45.72", "north"))
    problem = is_problem(response, 422)
    assert problem["errors"][0]["file"] == "orders.csv"
    assert "lat" in problem["errors"][0]["field"]
    assert count(client.app.state.settings, Batch) == 0


def test_a_json_batch_shaped_like_a_csv_upload_is_read_as_json(
    client: TestClient, keys: Keys
) -> None:
    """The way a batch came in says how it is read, not the keys it has."""
    body = {"csv": ORDERS_CSV, "fleet": _fleet()}
    response = client.post("/v1/batches", json=body, headers=keys.planner)
    problem = is_problem(response, 422)
    assert problem["errors"][0]["file"] == "body"


def test_carrier_reads_survive_connections_the_server_dropped(
    client: TestClient, keys: Keys, routes: dict[str, str], database_url: str
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("connections to a database server")
    path = f"/v1/carrier/routes/{routes['alpha']}"
    first = client.get(path, headers=keys.alpha)
    assert first.status_code == 200
    with get_engine(database_url).connect() as connection:
        dropped = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE application_name = :name"
            ),
            {"name": READ_APPLICATION},
        ).scalar_one()
    assert dropped >= 1
    again = client.get(path, headers=keys.alpha)
    assert again.status_code == 200
    assert again.headers["etag"] == first.headers["etag"]
