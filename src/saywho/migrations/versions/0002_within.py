"""Attributions record the attribution they are reported within (``Attribution.within``,
schema 1.1): the one whose content holds their cue. Rows stored before it read null.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("attributions", sa.Column("within", sa.Integer))


def downgrade() -> None:
    with op.batch_alter_table("attributions") as batch:  # SQLite drops a column by copying the table
        batch.drop_column("within")
