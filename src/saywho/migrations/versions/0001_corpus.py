"""The corpus schema: documents, attributions (with full-text search), failures, speakers,
speaker links and statement clusters.

Full-text search differs by dialect: SQLite gets an external-content FTS5 table kept in sync
by triggers (so in the same transaction as the insert); PostgreSQL a generated tsvector column
with a GIN index.

Revision ID: 0001
Revises:
Create Date: 2025-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "documents",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("order_key", sa.String(64), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("published", sa.Date),
        sa.Column("author", sa.Text),
        sa.Column("site", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("characters", sa.Integer, nullable=False),
        sa.Column("words", sa.Integer, nullable=False),
        sa.Column("paragraphs", sa.Integer, nullable=False),
        sa.Column("sentences", sa.Integer, nullable=False),
        sa.Column("saywho_version", sa.String(32), nullable=False),
        sa.Column("entities", JSON, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_documents_order", "documents", ["order_key"])
    op.create_index("ix_documents_published", "documents", ["published", "order_key"])

    columns = [
        # A stable integer key: the rowid of the FTS5 index on SQLite.
        sa.Column("seq", sa.Integer, *([sa.Identity()] if dialect == "postgresql" else []), primary_key=True),
        sa.Column("id", sa.String(80), nullable=False, unique=True),
        sa.Column(
            "document_id", sa.String(64), sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("idx", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("source_type", sa.String(32), nullable=False),
        sa.Column("speaker_text", sa.Text),
        sa.Column("speaker_entity", sa.Text),
        sa.Column("entity_id", sa.String(32)),
        sa.Column("speaker_key", sa.Text),
        sa.Column("cue_text", sa.Text),
        sa.Column("content_text", sa.Text, nullable=False),
        sa.Column("spans", JSON, nullable=False),
        sa.Column("resolution", JSON),
        sa.Column("channel", sa.Text),
        sa.Column("anonymity_reason", sa.Text),
        sa.Column("continues", sa.Integer),
        sa.Column("sentence", sa.Integer, nullable=False),
        sa.Column("paragraph", sa.Integer, nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("rule", sa.Text, nullable=False),
        # Copies of the document's, for time-ordered queries without a join.
        sa.Column("published", sa.Date),
        sa.Column("order_key", sa.String(64), nullable=False),
    ]
    if dialect == "postgresql":
        columns.append(
            sa.Column(
                "content_tsv",
                postgresql.TSVECTOR,
                sa.Computed("to_tsvector('english', content_text)", persisted=True),
            )
        )
    op.create_table("attributions", *columns)
    op.create_index("ix_attributions_document", "attributions", ["document_id", "idx"])
    op.create_index("ix_attributions_speaker", "attributions", ["speaker_key"])
    op.create_index("ix_attributions_time", "attributions", ["published", "order_key", "idx"])
    if dialect == "postgresql":
        op.create_index("ix_attributions_tsv", "attributions", ["content_tsv"], postgresql_using="gin")
    elif dialect == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE attributions_fts USING fts5("
            "content_text, content='attributions', content_rowid='seq', "
            "tokenize='porter unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER attributions_fts_insert AFTER INSERT ON attributions BEGIN "
            "INSERT INTO attributions_fts(rowid, content_text) VALUES (new.seq, new.content_text); END"
        )
        op.execute(
            "CREATE TRIGGER attributions_fts_delete AFTER DELETE ON attributions BEGIN "
            "INSERT INTO attributions_fts(attributions_fts, rowid, content_text) "
            "VALUES ('delete', old.seq, old.content_text); END"
        )
        op.execute(
            "CREATE TRIGGER attributions_fts_update AFTER UPDATE OF content_text ON attributions BEGIN "
            "INSERT INTO attributions_fts(attributions_fts, rowid, content_text) "
            "VALUES ('delete', old.seq, old.content_text); "
            "INSERT INTO attributions_fts(rowid, content_text) VALUES (new.seq, new.content_text); END"
        )

    op.create_table(
        "failures",
        sa.Column("order_key", sa.String(64), primary_key=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )

    op.create_table(
        "speakers",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("type", sa.String(16)),
        sa.Column("attributions", sa.Integer, nullable=False),
        sa.Column("documents", sa.Integer, nullable=False),
        sa.Column("first_published", sa.Date),
        sa.Column("last_published", sa.Date),
    )
    op.create_index("ix_speakers_attributions", "speakers", ["attributions"])

    op.create_table(
        "speaker_links",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("canonical", sa.Text, nullable=False),
        sa.Column("type", sa.String(16)),
    )
    op.create_index("ix_speaker_links_canonical", "speaker_links", ["canonical"])

    op.create_table(
        "clusters",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column(
            "first_attribution_id",
            sa.String(80),
            sa.ForeignKey("attributions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("same_speaker", sa.Boolean, nullable=False),
        sa.Column("first_published", sa.Date),
    )
    op.create_index("ix_clusters_size", "clusters", ["size"])

    op.create_table(
        "cluster_members",
        sa.Column("cluster_id", sa.String(40), sa.ForeignKey("clusters.id", ondelete="CASCADE"), primary_key=True),
        sa.Column(
            "attribution_id",
            sa.String(80),
            sa.ForeignKey("attributions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("changed_words", JSON),
    )
    op.create_index("ix_cluster_members_attribution", "cluster_members", ["attribution_id"])


def downgrade() -> None:
    for table in ("cluster_members", "clusters", "speaker_links", "speakers", "failures"):
        op.drop_table(table)
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS attributions_fts")
    op.drop_table("attributions")
    op.drop_table("documents")
