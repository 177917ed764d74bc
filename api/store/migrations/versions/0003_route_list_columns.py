"""routes keep their stop count and departure in columns

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 21:45:00

A carrier's route list showed each route's stop count and departure, read
from the JSON body of every listed route at every request. They become
columns, filled here from the bodies of the routes already published.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("routes") as batch:
        batch.add_column(sa.Column("stops", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(
            sa.Column("departure", sa.String(length=40), nullable=False, server_default="")
        )
    routes = sa.table(
        "routes",
        sa.column("id", sa.Integer()),
        sa.column("body", sa.JSON()),
        sa.column("stops", sa.Integer()),
        sa.column("departure", sa.String()),
    )
    connection = op.get_bind()
    for route_id, body in connection.execute(sa.select(routes.c.id, routes.c.body)).all():
        if isinstance(body, str):
            body = json.loads(body)
        connection.execute(
            routes.update()
            .where(routes.c.id == route_id)
            .values(stops=len(body.get("stops", [])), departure=body.get("departure", ""))
        )


def downgrade() -> None:
    with op.batch_alter_table("routes") as batch:
        batch.drop_column("departure")
        batch.drop_column("stops")
