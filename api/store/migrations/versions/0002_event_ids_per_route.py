"""stop event ids are scoped to their route

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 18:00:00

The primary key of ``events`` was the event id alone, so one carrier's event
id blocked (and revealed) the same id of another carrier. It becomes
``(id, route_id)``: ``id`` first, so that looking an id up across a
carrier's routes still uses the key's index. The table is rebuilt (SQLite
cannot change a primary key in place).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COLUMNS = "id, route_id, stop_id, kind, reason, occurred_at, received_at"


def _rebuild(key: list[str], pk: str, fk: str) -> None:
    """Copy ``events`` into a table with primary key ``key`` (named ``pk``) and swap them."""
    op.create_table(
        "events_rebuilt",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("route_id", sa.Integer(), nullable=False),
        sa.Column("stop_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["route_id"], ["routes.id"], name=fk),
        sa.PrimaryKeyConstraint(*key, name=pk),
    )
    op.execute(f"INSERT INTO events_rebuilt ({COLUMNS}) SELECT {COLUMNS} FROM events")
    op.drop_table("events")
    op.rename_table("events_rebuilt", "events")


def upgrade() -> None:
    _rebuild(["id", "route_id"], "pk_events", "fk_events_route")


def downgrade() -> None:
    # Fails if two routes hold the same event id, which the old key forbids.
    _rebuild(["id"], "events_pkey", "events_route_id_fkey")  # the names 0001 had
