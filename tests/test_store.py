"""The service's store: migrations against the models, timestamps, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from api.store.db import alembic_config, get_engine, migrate, session_scope
from api.store.models import (
    Base,
    Batch,
    Job,
    Plan,
    Publication,
    RouteRevision,
    StopEvent,
)

PARIS = dt.timezone(dt.timedelta(hours=1))


def test_migrations_build_the_models_schema(database_url: str) -> None:
    migrate(database_url)
    with get_engine(database_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def _route(database_url: str, vehicle: str = "van-1", body: dict[str, Any] | None = None) -> int:
    """A route row (with the batch, job, plan and publication it needs); its key."""
    with session_scope(database_url) as session:
        batch = Batch(name="b", date="2026-11-24", orders=0, kind="json", document={})
        session.add(batch)
        session.flush()
        job = Job(batch_id=batch.id, time_limit_s=1)
        session.add(job)
        session.flush()
        plan = Plan(batch_id=batch.id, job_id=job.id, document={})
        session.add(plan)
        session.flush()
        publication = Publication(batch_id=batch.id, plan_id=plan.id, revision=1)
        session.add(publication)
        session.flush()
        # Only the columns of the first schema: the migration tests add routes
        # before the later migrations run.
        inserted = session.execute(
            RouteRevision.__table__.insert().values(
                publication_id=publication.id,
                batch_id=batch.id,
                revision=1,
                carrier="alpha",
                vehicle_id=vehicle,
                date="2026-11-24",
                body=body or {},
            )
        )
        return int(inserted.inserted_primary_key[0])


def _event(route_id: int, event_id: str = "e1", hour: int = 10) -> StopEvent:
    at = dt.datetime(2026, 11, 24, hour, tzinfo=PARIS)
    return StopEvent(id=event_id, route_id=route_id, stop_id="s", kind="arrived", occurred_at=at)


def test_event_ids_become_unique_per_route_and_events_are_kept(database_url: str) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, "0001")
    first = _route(database_url)
    with session_scope(database_url) as session:
        session.add(_event(first))

    command.upgrade(config, "head")  # 0002 rebuilds the events table
    second = _route(database_url, "van-2")
    with session_scope(database_url) as session:
        session.add(_event(second))  # the same id on another route
    with session_scope(database_url) as session:
        kept = session.scalars(select(StopEvent).order_by(StopEvent.route_id)).all()
        assert [(e.id, e.route_id) for e in kept] == [("e1", first), ("e1", second)]

    with session_scope(database_url) as session:
        session.delete(session.get(StopEvent, ("e1", second)))
    command.downgrade(config, "0001")
    with session_scope(database_url) as session:
        assert [e.route_id for e in session.scalars(select(StopEvent))] == [first]


def test_route_lists_get_stop_counts_and_departures_of_published_routes(
    database_url: str,
) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, "0002")
    body = {"stops": [{"stop_id": "a"}, {"stop_id": "b"}], "departure": "2026-11-24T08:00:00+01:00"}
    route = _route(database_url, body=body)
    command.upgrade(config, "head")  # 0003 fills the columns from the bodies
    with session_scope(database_url) as session:
        row = session.get(RouteRevision, route)
        assert row is not None
        assert (row.stops, row.departure) == (2, "2026-11-24T08:00:00+01:00")
    command.downgrade(config, "0002")
    command.upgrade(config, "head")


def test_timestamps_are_stored_as_instants_and_read_back_in_utc(database_url: str) -> None:
    migrate(database_url)
    route = _route(database_url)
    with session_scope(database_url) as session:
        # 10:00 in Paris is 09:00 UTC, before 09:30 UTC.
        session.add(_event(route, "paris", hour=10))
        late = _event(route, "utc")
        late.occurred_at = dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC)
        session.add(late)
    with session_scope(database_url) as session:
        order = session.scalars(select(StopEvent.id).order_by(StopEvent.occurred_at)).all()
        paris = session.get(StopEvent, ("paris", route))
        assert paris is not None
        assert paris.occurred_at == dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)
        assert paris.occurred_at.utcoffset() == dt.timedelta(0)
    assert order == ["paris", "utc"]
