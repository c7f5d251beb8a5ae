"""The corpus database: every analysed article and attribution, failures, speakers and
statement clusters, through SQLAlchemy.

SQLite is the default (``saywho.db``, WAL mode, full-text search with FTS5); PostgreSQL is used
with a ``postgresql://`` URL (full-text search with a generated ``tsvector`` column and a GIN
index). The schema is created and upgraded by the Alembic migrations shipped in
``saywho/migrations``; :meth:`Store.open` runs them up to head.

Writes are idempotent and crash-safe: everything of one document is written in one transaction
that starts with ``INSERT ... ON CONFLICT DO NOTHING`` on the document's content hash, so a
document is either wholly stored or not at all, and adding it again writes nothing.
"""

from __future__ import annotations

import csv
import json
import os
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import URL, make_url

from saywho.errors import InvalidInputError, StoreError, UsageError
from saywho.files import atomic_target
from saywho.model import Attribution, Document, Entity, Resolution, slice_spans

DEFAULT_DB = "sqlite:///saywho.db"

#: Where the Alembic environment lives (inside the package, so that an installed saywho can
#: migrate its databases).
MIGRATIONS = Path(__file__).resolve().with_name("migrations")

EXPORT_FORMATS = ("jsonl", "csv", "parquet")

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_meta = sa.MetaData()

documents = sa.Table(
    "documents",
    _meta,
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
    sa.Column("entities", _JSON, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
)

attributions = sa.Table(
    "attributions",
    _meta,
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("id", sa.String(80), nullable=False, unique=True),
    sa.Column("document_id", sa.String(64), sa.ForeignKey("documents.id"), nullable=False),
    sa.Column("idx", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("source_type", sa.String(32), nullable=False),
    sa.Column("speaker_text", sa.Text),
    sa.Column("speaker_entity", sa.Text),
    sa.Column("entity_id", sa.String(32)),
    sa.Column("speaker_key", sa.Text),
    sa.Column("cue_text", sa.Text),
    sa.Column("content_text", sa.Text, nullable=False),
    sa.Column("spans", _JSON, nullable=False),
    sa.Column("resolution", _JSON),
    sa.Column("channel", sa.Text),
    sa.Column("anonymity_reason", sa.Text),
    sa.Column("continues", sa.Integer),
    sa.Column("within", sa.Integer),
    sa.Column("sentence", sa.Integer, nullable=False),
    sa.Column("paragraph", sa.Integer, nullable=False),
    sa.Column("confidence", sa.Float, nullable=False),
    sa.Column("rule", sa.Text, nullable=False),
    sa.Column("published", sa.Date),
    sa.Column("order_key", sa.String(64), nullable=False),
)

failures = sa.Table(
    "failures",
    _meta,
    sa.Column("order_key", sa.String(64), primary_key=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

speakers = sa.Table(
    "speakers",
    _meta,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("type", sa.String(16)),
    sa.Column("attributions", sa.Integer, nullable=False),
    sa.Column("documents", sa.Integer, nullable=False),
    sa.Column("first_published", sa.Date),
    sa.Column("last_published", sa.Date),
)

speaker_links = sa.Table(
    "speaker_links",
    _meta,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("canonical", sa.Text, nullable=False),
    sa.Column("type", sa.String(16)),
)

clusters = sa.Table(
    "clusters",
    _meta,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("first_attribution_id", sa.String(80), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("same_speaker", sa.Boolean, nullable=False),
    sa.Column("first_published", sa.Date),
)

cluster_members = sa.Table(
    "cluster_members",
    _meta,
    sa.Column("cluster_id", sa.String(40), primary_key=True),
    sa.Column("attribution_id", sa.String(80), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("changed_words", _JSON),
)

_TABLES = {t.name for t in _meta.sorted_tables}
_NAMED = {"named_person": "person", "named_organization": "organization"}


# -- URLs ---------------------------------------------------------------------------------


def database_url(value: str | None) -> str:
    """The SQLAlchemy URL for a ``--db`` value.

    ``None`` gives :data:`DEFAULT_DB`; a plain file path gives a SQLite URL; ``postgresql://``
    (or ``postgres://``) URLs get the psycopg 3 driver. Anything else is a
    :class:`~saywho.errors.UsageError`.
    """
    if value is None:
        return DEFAULT_DB
    value = value.strip()
    if not value:
        raise UsageError("--db: the database URL is empty")
    if "://" not in value:
        return "sqlite:///" + value
    scheme, _, rest = value.partition("://")
    backend, _, driver = scheme.lower().partition("+")
    if backend == "postgres":
        backend = "postgresql"
    if backend == "sqlite":
        if driver not in ("", "pysqlite"):
            raise UsageError(f"--db: unsupported SQLite driver '{driver}' (use sqlite:///FILE)")
        scheme = "sqlite"
    elif backend == "postgresql":
        if driver not in ("", "psycopg"):
            raise UsageError(f"--db: unsupported PostgreSQL driver '{driver}' (saywho uses psycopg 3)")
        scheme = "postgresql+psycopg"
    else:
        raise UsageError(
            f"--db: unsupported database '{backend}': give a SQLite file or a postgresql:// URL"
        )
    try:
        url = make_url(f"{scheme}://{rest}")
    except (sa_exc.ArgumentError, ValueError) as error:
        raise UsageError(f"--db: '{value}' is not a database URL ({error})") from None
    if backend == "postgresql" and not url.database:
        raise UsageError(f"--db: '{value}' names no database (postgresql://USER@HOST/DATABASE)")
    return url.render_as_string(hide_password=False)


def _describe(url: URL) -> str:
    """The database for messages: the file of a SQLite URL, else the URL without password."""
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    return url.set(drivername=url.get_backend_name()).render_as_string(hide_password=True)


# -- Values -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentMeta:
    """Where a document came from and what its page says about it."""

    source: str  # path, path#line, or WARC path#record-offset
    order: str  # deterministic ingestion-order key: f"{input_index:06d}/{record_index:09d}"
    title: str | None = None
    published: date | None = None
    author: str | None = None
    site: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class LinkSummary:
    """What :meth:`Store.relink` found."""

    statements: int  # attributions considered
    clusters: int  # statement clusters (of two or more members)
    clustered: int  # statements inside a cluster
    altered: int  # members whose words differ from the first version
    speakers: int  # canonical speakers
    linked_names: int  # speaker names joined to another (canonical) name
    seconds: float


def _value(enum_or_str: Any) -> Any:
    return getattr(enum_or_str, "value", enum_or_str)


def _name(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


def _span(value: Any) -> list[int] | None:
    return None if value is None else [int(value[0]), int(value[1])]


def _spans(values: Iterable[Any]) -> list[list[int]]:
    return [[int(s), int(e)] for s, e in values]


def _speaker_of(attribution: Attribution, by_index: dict[int, Attribution]) -> Attribution:
    """The attribution whose speaker this one's is: itself, or what a continuation continues."""
    current, seen = attribution, set()
    while (
        current.continues is not None
        and current.speaker_entity is None
        and not current.speaker
        and current.continues in by_index
        and current.continues not in seen
    ):
        seen.add(current.continues)
        current = by_index[current.continues]
    return current


def speaker_key(attribution: Attribution, by_index: dict[int, Attribution]) -> str | None:
    """The speaker name an attribution is stored under: the resolved entity, or a named source
    as written; ``None`` for anonymous, vague and unresolved speakers."""
    origin = _speaker_of(attribution, by_index)
    if origin.speaker_entity:
        return _name(origin.speaker_entity)
    if _value(origin.source_type) in _NAMED:
        return _name(origin.speaker_text)
    return None


# -- The store ----------------------------------------------------------------------------


class Store:
    """A saywho corpus database. Open with :meth:`Store.open`; close with :meth:`close` (or
    use it as a context manager)."""

    def __init__(self, engine: sa.Engine, url: URL) -> None:
        self.engine = engine
        self.url = url
        self.dialect = engine.dialect.name
        self.where = _describe(url)

    # -- opening ------------------------------------------------------------------------

    @classmethod
    def open(cls, url: str | None = None, *, create: bool = True) -> "Store":
        """Open (and, with ``create``, create) the database and migrate it to the newest schema.

        With ``create=False`` a missing SQLite file is a :class:`StoreError` ("no database at
        ..."), not a new empty database: what the query commands want.
        """
        parsed = make_url(database_url(url))
        if parsed.get_backend_name() == "sqlite":
            engine = _sqlite_engine(parsed, create)
        else:
            engine = sa.create_engine(parsed, pool_pre_ping=True)
        store = cls(engine, parsed)
        try:
            store._migrate()
        except BaseException:
            engine.dispose()
            raise
        return store

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.where!r})"

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Database failures as one-line StoreErrors."""
        try:
            yield
        except sa_exc.DBAPIError as error:
            if isinstance(error, sa_exc.IntegrityError):
                raise
            raise StoreError(self._message(error)) from error

    def _message(self, error: sa_exc.DBAPIError) -> str:
        detail = str(getattr(error, "orig", None) or error).strip().splitlines()
        detail_line = detail[0] if detail else type(error).__name__
        if error.connection_invalidated or isinstance(error, sa_exc.InterfaceError) or (
            self.dialect == "postgresql" and isinstance(error, sa_exc.OperationalError) and "connect" in str(error)
        ):
            return f"cannot connect to the database {self.where}: {detail_line}"
        if "file is not a database" in detail_line:
            return f"{self.where} is not a saywho database (not a SQLite file)"
        return f"database error at {self.where}: {detail_line}"

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        """A write transaction (BEGIN IMMEDIATE on SQLite, so writers queue instead of failing)."""
        with self._errors(), self.engine.connect() as conn:
            if self.dialect == "sqlite":
                conn = conn.execution_options(sqlite_begin="IMMEDIATE")
            with conn.begin():
                yield conn

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        with self._errors(), self.engine.connect() as conn:
            with conn.begin():
                yield conn

    def _insert(self, table: sa.Table):
        if self.dialect == "postgresql":
            return postgresql.insert(table)
        return sqlite_dialect.insert(table)

    def _alembic_config(self, connection: sa.Connection):
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.set_main_option("sqlalchemy.url", self.url.render_as_string(hide_password=False))
        config.attributes["connection"] = connection
        return config

    def _migrate(self) -> None:
        from alembic import command
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        with self._write() as conn:
            if self.dialect == "postgresql":  # one migrating process at a time
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(4273911)"))
            tables = set(sa.inspect(conn).get_table_names())
            if tables and "alembic_version" not in tables:
                raise StoreError(
                    f"{self.where} is not a saywho database (it has other tables and no schema version)"
                )
            current = MigrationContext.configure(conn).get_current_revision()
            config = self._alembic_config(conn)
            script = ScriptDirectory.from_config(config)
            known = {revision.revision for revision in script.walk_revisions()}
            if current is not None and current not in known:
                raise StoreError(
                    f"{self.where} has a newer schema (revision {current}) than this saywho knows: upgrade saywho"
                )
            if current != script.get_current_head():
                command.upgrade(config, "head")
            missing = _TABLES - set(sa.inspect(conn).get_table_names())
            if missing:
                raise StoreError(f"{self.where} is not a saywho database (missing tables: {', '.join(sorted(missing))})")

    def schema_revision(self) -> str | None:
        """The Alembic revision recorded in the database."""
        from alembic.runtime.migration import MigrationContext

        with self._read() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    # -- writing ------------------------------------------------------------------------

    def known_documents(self) -> set[str]:
        """Ids (content hashes) of the documents already stored."""
        with self._read() as conn:
            return set(conn.scalars(sa.select(documents.c.id)))

    def known_failures(self) -> set[str]:
        """``order`` keys of the failed inputs already recorded."""
        with self._read() as conn:
            return set(conn.scalars(sa.select(failures.c.order_key)))

    def add_document(self, document: Document, text: str, meta: DocumentMeta) -> bool:
        """Store one analysed document, its text, attributions and speakers in ONE transaction.

        True when added; False when a document with this id is already stored (nothing is
        written then). Safe to call again after a crash at any point: the transaction either
        committed whole or left nothing.
        """
        if "\x00" in text:
            raise InvalidInputError("the text contains NUL characters, which the database cannot store")
        published = meta.published or document.published
        entity_types = {entity.id: entity.type for entity in document.entities}
        by_index = {a.index: a for a in document.attributions}
        rows: list[dict[str, Any]] = []
        names: dict[str, str | None] = {}  # speaker key -> type
        for a in document.attributions:
            key = speaker_key(a, by_index)
            origin = _speaker_of(a, by_index)
            if key is not None:
                kind = entity_types.get(origin.entity_id or "") or _NAMED.get(_value(origin.source_type))
                names[key] = names.get(key) or kind
            rows.append(
                {
                    "id": a.id,
                    "document_id": document.id,
                    "idx": a.index,
                    "kind": _value(a.kind),
                    "source_type": _value(a.source_type),
                    "speaker_text": a.speaker_text,
                    "speaker_entity": a.speaker_entity,
                    "entity_id": a.entity_id,
                    "speaker_key": key,
                    "cue_text": a.cue_text,
                    "content_text": a.content_text or slice_spans(text, a.content),
                    "spans": {
                        "content": _spans(a.content),
                        "cue": _spans(a.cue),
                        "speaker": _spans(a.speaker),
                        "anonymity": _span(a.anonymity_span),
                        "channel": _span(a.channel_span),
                    },
                    "resolution": a.resolution.model_dump(mode="json") if a.resolution is not None else None,
                    "channel": a.channel,
                    "anonymity_reason": a.anonymity_reason,
                    "continues": a.continues,
                    "within": a.within,
                    "sentence": a.sentence,
                    "paragraph": a.paragraph,
                    "confidence": float(a.confidence),
                    "rule": a.rule,
                    "published": published,
                    "order_key": meta.order,
                }
            )
        document_row = {
            "id": document.id,
            "order_key": meta.order,
            "source": meta.source,
            "title": meta.title if meta.title is not None else document.title,
            "published": published,
            "author": meta.author,
            "site": meta.site,
            "url": meta.url,
            "characters": document.characters,
            "words": document.words,
            "paragraphs": document.paragraphs,
            "sentences": document.sentences,
            "saywho_version": document.saywho_version,
            "entities": [entity.model_dump(mode="json") for entity in document.entities],
            "text": text,
            "ingested_at": datetime.now(timezone.utc),
        }
        with self._write() as conn:
            added = conn.execute(
                self._insert(documents)
                .values(document_row)
                .on_conflict_do_nothing(index_elements=["id"])
                .returning(documents.c.id)
            ).first()
            if added is None:
                return False
            if rows:
                conn.execute(attributions.insert(), rows)
            if names:
                self._add_speakers(conn, rows, names)
        return True

    def _add_speakers(self, conn: sa.Connection, rows: list[dict[str, Any]], names: dict[str, str | None]) -> None:
        conn.execute(
            self._insert(speaker_links).on_conflict_do_nothing(index_elements=["name"]),
            [{"name": name, "canonical": name, "type": kind} for name, kind in sorted(names.items())],
        )
        canonical = dict(
            conn.execute(
                sa.select(speaker_links.c.name, speaker_links.c.canonical).where(
                    speaker_links.c.name.in_(sorted(names))
                )
            ).all()
        )
        counts: dict[str, int] = {}
        for row in rows:
            if row["speaker_key"] is not None:
                target = canonical.get(row["speaker_key"], row["speaker_key"])
                counts[target] = counts.get(target, 0) + 1
        kinds: dict[str, str | None] = {}
        for name, kind in names.items():
            target = canonical.get(name, name)
            kinds[target] = kinds.get(target) or kind
        published = rows[0]["published"]
        insert = self._insert(speakers)
        old, new = speakers.c, insert.excluded
        upsert = insert.on_conflict_do_update(
            index_elements=["name"],
            set_={
                "type": sa.func.coalesce(old.type, new.type),
                "attributions": old.attributions + new.attributions,
                "documents": old.documents + 1,
                "first_published": sa.case(
                    (sa.or_(old.first_published.is_(None), new.first_published < old.first_published), new.first_published),
                    else_=old.first_published,
                ),
                "last_published": sa.case(
                    (sa.or_(old.last_published.is_(None), new.last_published > old.last_published), new.last_published),
                    else_=old.last_published,
                ),
            },
        )
        for name in sorted(counts):
            conn.execute(
                upsert.values(
                    name=name,
                    type=kinds.get(name),
                    attributions=counts[name],
                    documents=1,
                    first_published=published,
                    last_published=published,
                )
            )

    def add_failure(self, source: str, order: str, reason: str) -> bool:
        """Record a failed input (idempotent on ``order``); True when newly recorded."""
        reason = " ".join(str(reason).split())[:2000] or "unknown error"
        with self._write() as conn:
            result = conn.execute(
                self._insert(failures)
                .values(order_key=order, source=source, reason=reason, at=datetime.now(timezone.utc))
                .on_conflict_do_nothing(index_elements=["order_key"])
                .returning(failures.c.order_key)
            ).first()
            return result is not None

    # -- linking ------------------------------------------------------------------------

    def relink(self) -> LinkSummary:
        """Recompute speaker links and statement clusters over the whole corpus
        (:mod:`saywho.link`) and replace the previous ones in one transaction. Deterministic:
        the same corpus gives the same clusters and ids."""
        from saywho import link

        started = time.perf_counter()
        with self._read() as conn:
            names = sorted(conn.scalars(sa.select(speaker_links.c.name)))
            rows = conn.execute(
                sa.select(
                    attributions.c.id,
                    attributions.c.content_text,
                    attributions.c.speaker_key,
                    attributions.c.published,
                    attributions.c.order_key,
                    attributions.c.idx,
                ).order_by(attributions.c.order_key, attributions.c.idx)
            ).all()
        mapping = link.link_speakers(names)
        canonical = {name: _name(mapping.get(name)) or name for name in names}
        statements = [
            link.Statement(
                id=row.id,
                text=row.content_text,
                speaker=canonical.get(row.speaker_key, row.speaker_key) if row.speaker_key else None,
                published=row.published,
                order=f"{row.order_key}/{row.idx:06d}",
            )
            for row in rows
        ]
        published = {row.id: row.published for row in rows}
        found = sorted(link.cluster_statements(statements), key=lambda c: c.id)
        cluster_rows, member_rows, altered = [], [], 0
        seen_members: set[str] = set()
        for cluster in found:
            members = [m for m in dict.fromkeys(cluster.members) if m in published and m not in seen_members]
            if len(members) < 2:
                continue
            seen_members.update(members)
            cluster_rows.append(
                {
                    "id": cluster.id,
                    "first_attribution_id": cluster.first,
                    "size": len(members),
                    "same_speaker": bool(cluster.same_speaker),
                    "first_published": published.get(cluster.first),
                }
            )
            for position, member in enumerate(members):
                words = list((cluster.changed_words or {}).get(member) or [])
                altered += bool(words)
                member_rows.append(
                    {
                        "cluster_id": cluster.id,
                        "attribution_id": member,
                        "position": position,
                        "changed_words": words or None,
                    }
                )
        with self._write() as conn:
            changed = [
                {"n": name, "c": target}
                for name, target in canonical.items()
            ]
            if changed:
                conn.execute(
                    speaker_links.update()
                    .where(speaker_links.c.name == sa.bindparam("n"))
                    .values(canonical=sa.bindparam("c")),
                    changed,
                )
            conn.execute(speakers.delete())
            a, lnk = attributions, speaker_links
            aggregate = (
                sa.select(
                    lnk.c.canonical,
                    sa.func.max(lnk.c.type),
                    sa.func.count(),
                    sa.func.count(sa.distinct(a.c.document_id)),
                    sa.func.min(a.c.published),
                    sa.func.max(a.c.published),
                )
                .select_from(a.join(lnk, lnk.c.name == a.c.speaker_key))
                .group_by(lnk.c.canonical)
            )
            conn.execute(
                speakers.insert().from_select(
                    ["name", "type", "attributions", "documents", "first_published", "last_published"], aggregate
                )
            )
            conn.execute(cluster_members.delete())
            conn.execute(clusters.delete())
            if cluster_rows:
                conn.execute(clusters.insert(), cluster_rows)
                conn.execute(cluster_members.insert(), member_rows)
            speaker_count = conn.scalar(sa.select(sa.func.count()).select_from(speakers))
        return LinkSummary(
            statements=len(statements),
            clusters=len(cluster_rows),
            clustered=len(member_rows),
            altered=altered,
            speakers=int(speaker_count or 0),
            linked_names=sum(1 for name, target in canonical.items() if name != target),
            seconds=round(time.perf_counter() - started, 3),
        )

    # -- reading ------------------------------------------------------------------------

    def stats(self) -> dict[str, int]:
        """Counts: ``documents``, ``attributions``, ``speakers``, ``clusters``, ``failed``."""
        with self._read() as conn:
            count = lambda table: int(conn.scalar(sa.select(sa.func.count()).select_from(table)) or 0)  # noqa: E731
            return {
                "documents": count(documents),
                "attributions": count(attributions),
                "speakers": count(speakers),
                "clusters": count(clusters),
                "failed": count(failures),
            }

    def document(self, document_id: str) -> Document | None:
        """The stored analysis of one document (its ``text`` set), or None."""
        with self._read() as conn:
            row = conn.execute(sa.select(documents).where(documents.c.id == document_id)).first()
            if row is None:
                return None
            stored = conn.execute(
                sa.select(attributions).where(attributions.c.document_id == document_id).order_by(attributions.c.idx)
            ).all()
        return Document(
            saywho_version=row.saywho_version,
            id=row.id,
            source=row.source,
            text=row.text,
            title=row.title,
            published=row.published,
            characters=row.characters,
            words=row.words,
            paragraphs=row.paragraphs,
            sentences=row.sentences,
            attributions=[_attribution(r) for r in stored],
            entities=[Entity.model_validate(e) for e in row.entities or []],
        )

    def attributions(self, document_id: str) -> list[Attribution]:
        """The stored attributions of one document, in text order."""
        with self._read() as conn:
            stored = conn.execute(
                sa.select(attributions).where(attributions.c.document_id == document_id).order_by(attributions.c.idx)
            ).all()
        return [_attribution(r) for r in stored]

    def failures(self) -> list[dict[str, Any]]:
        """Recorded failures in input order: ``order``, ``source``, ``reason``, ``at``."""
        with self._read() as conn:
            rows = conn.execute(sa.select(failures).order_by(failures.c.order_key)).all()
        return [{"order": r.order_key, "source": r.source, "reason": r.reason, "at": r.at} for r in rows]

    def _canonical(self, conn: sa.Connection, name: str) -> str | None:
        """The canonical speaker a name refers to: a canonical name, a linked name, or either
        of them case-insensitively."""
        wanted = _name(name)
        if not wanted:
            return None
        for column, result in ((speakers.c.name, speakers.c.name), (speaker_links.c.name, speaker_links.c.canonical)):
            found = conn.scalar(sa.select(result).where(column == wanted).limit(1))
            if found is not None:
                return found
        for column, result in ((speakers.c.name, speakers.c.name), (speaker_links.c.name, speaker_links.c.canonical)):
            found = conn.scalar(
                sa.select(result).where(sa.func.lower(column) == wanted.lower()).order_by(result).limit(1)
            )
            if found is not None:
                return found
        return None

    def speakers(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Canonical speakers, most attributions first: ``name``, ``type``, ``attributions``,
        ``documents``, ``first`` and ``last`` publication dates, ``aliases`` (names linked to it)."""
        query = sa.select(speakers).order_by(speakers.c.attributions.desc(), speakers.c.name)
        if limit is not None:
            query = query.limit(limit)
        with self._read() as conn:
            rows = conn.execute(query).all()
            aliases: dict[str, list[str]] = {}
            names = [r.name for r in rows]
            for start in range(0, len(names), 500):
                chunk = names[start : start + 500]
                for alias, target in conn.execute(
                    sa.select(speaker_links.c.name, speaker_links.c.canonical)
                    .where(speaker_links.c.canonical.in_(chunk), speaker_links.c.name != speaker_links.c.canonical)
                    .order_by(speaker_links.c.name)
                ):
                    aliases.setdefault(target, []).append(alias)
        return [
            {
                "name": r.name,
                "type": r.type,
                "attributions": r.attributions,
                "documents": r.documents,
                "first": r.first_published,
                "last": r.last_published,
                "aliases": aliases.get(r.name, []),
            }
            for r in rows
        ]

    def _statement_query(self):
        a, d, lnk, m, c = attributions, documents, speaker_links, cluster_members, clusters
        # The statement a second-hand one is reported within, and who made it (its relay).
        outer, outer_link = attributions.alias("outer"), speaker_links.alias("outer_link")
        return (
            sa.select(
                a.c.id,
                a.c.document_id,
                a.c.idx,
                a.c.published,
                a.c.order_key,
                sa.func.coalesce(lnk.c.canonical, a.c.speaker_key).label("speaker"),
                a.c.speaker_text,
                a.c.speaker_entity,
                a.c.kind,
                a.c.source_type,
                a.c.cue_text,
                a.c.content_text,
                a.c.channel,
                a.c.anonymity_reason,
                a.c.confidence,
                a.c.rule,
                a.c.sentence,
                a.c.paragraph,
                a.c.continues,
                a.c.within,
                sa.func.coalesce(outer_link.c.canonical, outer.c.speaker_key, outer.c.speaker_text).label("reported_by"),
                a.c.spans,
                d.c.title,
                d.c.source,
                d.c.url,
                d.c.author,
                d.c.site,
                m.c.cluster_id,
                m.c.changed_words,
                c.c.size.label("cluster_size"),
                c.c.first_attribution_id,
            )
            .select_from(
                a.join(d, d.c.id == a.c.document_id)
                .outerjoin(lnk, lnk.c.name == a.c.speaker_key)
                .outerjoin(m, m.c.attribution_id == a.c.id)
                .outerjoin(c, c.c.id == m.c.cluster_id)
                .outerjoin(outer, sa.and_(outer.c.document_id == a.c.document_id, outer.c.idx == a.c.within))
                .outerjoin(outer_link, outer_link.c.name == outer.c.speaker_key)
            )
            .order_by(a.c.published.asc().nulls_last(), a.c.order_key, a.c.idx)
        )

    def _search_condition(self, search: str):
        phrases = _phrases(search)
        if not phrases:
            raise UsageError(f"--search: '{search}' has no words to search for")
        if self.dialect == "postgresql":
            return sa.and_(
                *(
                    sa.text(f"attributions.content_tsv @@ phraseto_tsquery('english', :phrase{i})").bindparams(
                        **{f"phrase{i}": " ".join(words)}
                    )
                    for i, words in enumerate(phrases)
                )
            )
        match = " AND ".join('"' + " ".join(words) + '"' for words in phrases)
        fts = sa.text("SELECT rowid FROM attributions_fts WHERE attributions_fts MATCH :match").bindparams(match=match)
        return attributions.c.seq.in_(fts.columns(sa.column("rowid", sa.Integer)))

    def quotes(
        self,
        speaker: str | None = None,
        since: date | None = None,
        search: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Attributions by date (then input order), with document metadata and cluster info;
        filtered by speaker (any linked name), first publication date and full-text search
        (words must all occur; "quoted phrases" in order)."""
        query = self._statement_query()
        with self._read() as conn:
            if speaker is not None:
                canonical = self._canonical(conn, speaker)
                if canonical is None:
                    return []
                query = query.where(sa.func.coalesce(speaker_links.c.canonical, attributions.c.speaker_key) == canonical)
            if since is not None:
                query = query.where(attributions.c.published >= since)
            if search is not None:
                query = query.where(self._search_condition(search))
            if limit is not None:
                query = query.limit(limit)
            return [_statement(row) for row in conn.execute(query)]

    def timeline(self, name: str) -> dict[str, Any] | None:
        """What one speaker said over time: ``speaker`` (canonical name), ``aliases`` and
        ``statements`` by date, each with its cluster and, when it repeats an earlier
        statement, that first appearance. None when no speaker has this name."""
        with self._read() as conn:
            canonical = self._canonical(conn, name)
            if canonical is None:
                return None
            aliases = sorted(
                conn.scalars(
                    sa.select(speaker_links.c.name).where(
                        speaker_links.c.canonical == canonical, speaker_links.c.name != canonical
                    )
                )
            )
            query = self._statement_query().where(
                sa.func.coalesce(speaker_links.c.canonical, attributions.c.speaker_key) == canonical
            )
            statements = [_statement(row) for row in conn.execute(query)]
            firsts = {s["first_appearance_id"] for s in statements if s["first_appearance_id"] and not s["first_appearance"]}
            origins = self._brief(conn, firsts)
        for statement in statements:
            origin = statement.get("first_appearance_id")
            if origin and not statement["first_appearance"]:
                statement["first_appeared"] = origins.get(origin)
        return {"speaker": canonical, "aliases": aliases, "statements": statements}

    def _brief(self, conn: sa.Connection, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        ids = sorted(set(ids))
        out: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), 500):
            query = self._statement_query().where(attributions.c.id.in_(ids[start : start + 500]))
            for row in conn.execute(query):
                s = _statement(row)
                out[s["id"]] = {k: s[k] for k in ("id", "document_id", "published", "speaker", "title", "source", "url", "content_text")}
        return out

    def repeats(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Statement clusters, largest first: ``id``, ``size``, ``same_speaker``, ``first``
        (the first appearance) and ``members`` in provenance order, each with
        ``changed_words`` (empty when it repeats the first version word for word)."""
        query = sa.select(clusters).order_by(
            clusters.c.size.desc(), clusters.c.first_published.asc().nulls_last(), clusters.c.id
        )
        if limit is not None:
            query = query.limit(limit)
        with self._read() as conn:
            found = conn.execute(query).all()
            members: dict[str, list[dict[str, Any]]] = {}
            ids = [c.id for c in found]
            for start in range(0, len(ids), 500):
                rows = conn.execute(
                    self._statement_query()
                    .where(cluster_members.c.cluster_id.in_(ids[start : start + 500]))
                    .order_by(None)
                    .order_by(cluster_members.c.cluster_id, cluster_members.c.position)
                )
                for row in rows:
                    members.setdefault(row.cluster_id, []).append(_statement(row))
        out = []
        for cluster in found:
            listed = members.get(cluster.id, [])
            first = next((m for m in listed if m["id"] == cluster.first_attribution_id), None)
            out.append(
                {
                    "id": cluster.id,
                    "size": cluster.size,
                    "same_speaker": bool(cluster.same_speaker),
                    "first": first,
                    "members": listed,
                    "altered": sum(1 for m in listed if m["changed_words"]),
                }
            )
        return out

    # -- export -------------------------------------------------------------------------

    def iter_export(self, batch: int = 2000) -> Iterator[dict[str, Any]]:
        """Every attribution with its document's metadata, by date then input order."""
        with self._read() as conn:
            result = conn.execution_options(stream_results=True, yield_per=batch).execute(self._statement_query())
            for row in result:
                yield _export_row(row)

    def export(self, format: str, path: str | os.PathLike[str]) -> int:
        """Write one row per attribution to ``path`` as ``jsonl``, ``csv`` or ``parquet``; the
        file appears whole or not at all (a temporary file, then a rename). Returns the rows."""
        if format not in EXPORT_FORMATS:
            raise UsageError(f"--format: '{format}' is not one of {', '.join(EXPORT_FORMATS)}")
        with atomic_target(path) as temporary:
            if format == "jsonl":
                count = self._export_jsonl(temporary)
            elif format == "csv":
                count = self._export_csv(temporary)
            else:
                count = self._export_parquet(temporary)
        return count

    def _export_jsonl(self, path: Path) -> int:
        count = 0
        with open(path, "w", encoding="utf-8") as out:
            for row in self.iter_export():
                out.write(json.dumps(row, ensure_ascii=False, default=_json_default) + "\n")
                count += 1
        return count

    def _export_csv(self, path: Path) -> int:
        count = 0
        with open(path, "w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=[name for name, _ in EXPORT_COLUMNS])
            writer.writeheader()
            for row in self.iter_export():
                writer.writerow({k: _csv_value(v) for k, v in row.items()})
                count += 1
        return count

    def _export_parquet(self, path: Path) -> int:
        import pyarrow as pa
        import pyarrow.parquet as pq

        types = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "date": pa.date32(), "bool": pa.bool_()}
        schema = pa.schema([(name, types[kind]) for name, kind in EXPORT_COLUMNS])
        count, pending = 0, []
        with pq.ParquetWriter(path, schema) as writer:
            for row in self.iter_export():
                pending.append({k: _parquet_value(v) for k, v in row.items()})
                if len(pending) >= 5000:
                    writer.write_table(pa.Table.from_pylist(pending, schema=schema))
                    count += len(pending)
                    pending = []
            if pending or count == 0:
                writer.write_table(pa.Table.from_pylist(pending, schema=schema))
                count += len(pending)
        return count


#: Columns of an export, with their types (JSON-valued ones are JSON strings in CSV and Parquet).
EXPORT_COLUMNS: list[tuple[str, str]] = [
    ("attribution_id", "str"),
    ("document_id", "str"),
    ("index", "int"),
    ("published", "date"),
    ("order", "str"),
    ("speaker", "str"),
    ("speaker_text", "str"),
    ("speaker_entity", "str"),
    ("kind", "str"),
    ("source_type", "str"),
    ("cue_text", "str"),
    ("content_text", "str"),
    ("channel", "str"),
    ("anonymity_reason", "str"),
    ("confidence", "float"),
    ("rule", "str"),
    ("sentence", "int"),
    ("paragraph", "int"),
    ("continues", "int"),
    ("within", "int"),
    ("reported_by", "str"),
    ("spans", "str"),
    ("cluster_id", "str"),
    ("first_appearance", "bool"),
    ("first_appearance_id", "str"),
    ("changed_words", "str"),
    ("title", "str"),
    ("source", "str"),
    ("url", "str"),
    ("author", "str"),
    ("site", "str"),
]


def _statement(row: Any) -> dict[str, Any]:
    in_cluster = row.cluster_id is not None
    return {
        "id": row.id,
        "document_id": row.document_id,
        "index": row.idx,
        "published": row.published,
        "order": row.order_key,
        "speaker": row.speaker,
        "speaker_text": row.speaker_text,
        "kind": row.kind,
        "source_type": row.source_type,
        "cue_text": row.cue_text,
        "content_text": row.content_text,
        "channel": row.channel,
        "reported_by": row.reported_by,
        "confidence": row.confidence,
        "title": row.title,
        "source": row.source,
        "url": row.url,
        "cluster_id": row.cluster_id,
        "cluster_size": row.cluster_size,
        "first_appearance": (row.first_attribution_id == row.id) if in_cluster else None,
        "first_appearance_id": row.first_attribution_id,
        "changed_words": list(row.changed_words or []),
    }


def _export_row(row: Any) -> dict[str, Any]:
    """A statement (see ``_statement``) with the rest of the attribution, in EXPORT_COLUMNS order."""
    values = {
        **_statement(row),
        "attribution_id": row.id,
        "speaker_entity": row.speaker_entity,
        "anonymity_reason": row.anonymity_reason,
        "rule": row.rule,
        "sentence": row.sentence,
        "paragraph": row.paragraph,
        "continues": row.continues,
        "within": row.within,
        "spans": row.spans,
        "changed_words": list(row.changed_words) if row.changed_words else None,
        "author": row.author,
        "site": row.site,
    }
    return {name: values[name] for name, _ in EXPORT_COLUMNS}


def _json_default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _parquet_value(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _attribution(row: Any) -> Attribution:
    spans = row.spans or {}
    return Attribution(
        id=row.id,
        index=row.idx,
        kind=row.kind,
        content=[tuple(s) for s in spans.get("content", [])],
        cue=[tuple(s) for s in spans.get("cue", [])],
        speaker=[tuple(s) for s in spans.get("speaker", [])],
        speaker_entity=row.speaker_entity,
        entity_id=row.entity_id,
        resolution=Resolution.model_validate(row.resolution) if row.resolution is not None else None,
        source_type=row.source_type,
        anonymity_reason=row.anonymity_reason,
        anonymity_span=tuple(spans["anonymity"]) if spans.get("anonymity") is not None else None,
        channel=row.channel,
        channel_span=tuple(spans["channel"]) if spans.get("channel") is not None else None,
        continues=row.continues,
        within=row.within,
        sentence=row.sentence,
        paragraph=row.paragraph,
        confidence=row.confidence,
        rule=row.rule,
        content_text=row.content_text,
        cue_text=row.cue_text,
        speaker_text=row.speaker_text,
    )


_PHRASE = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)


def _phrases(search: str) -> list[list[str]]:
    """A search as phrases of words: "quoted text" is one phrase, every other word its own."""
    out = []
    for quoted, bare in _PHRASE.findall(search):
        words = _WORD.findall(quoted if quoted else bare)
        if words:
            out.append(words)
    return out


def _sqlite_engine(url: URL, create: bool) -> sa.Engine:
    database = url.database or ""
    if database in ("", ":memory:"):
        engine = sa.create_engine(url, poolclass=sa.pool.StaticPool, connect_args={"check_same_thread": False})
    else:
        path = Path(database)
        if not path.exists():
            if not create:
                raise StoreError(f"no database at {database}")
            if not path.parent.is_dir():
                raise StoreError(f"cannot create a database at {database}: the folder {path.parent} does not exist")
        elif path.is_dir():
            raise StoreError(f"{database} is a directory, not a database")
        engine = sa.create_engine(url, connect_args={"timeout": 60})

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):  # pragma: no cover - exercised by every test
        # Transactions are begun by the "begin" hook below, not by the sqlite3 module.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA busy_timeout = 60000")
            cursor.execute("PRAGMA foreign_keys = ON")
            if database not in ("", ":memory:"):
                cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(connection):  # pragma: no cover - exercised by every test
        mode = connection.get_execution_options().get("sqlite_begin", "")
        connection.exec_driver_sql(f"BEGIN {mode}".strip())

    return engine
