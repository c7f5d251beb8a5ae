"""The corpus store (saywho.store): one suite, run against SQLite and a real PostgreSQL."""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import sqlite3
import sys
import types
from dataclasses import dataclass, field
from datetime import date
from itertools import count

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import saywho
from saywho.errors import InvalidInputError, StoreError, UsageError
from saywho.model import Attribution, Document, Resolution
from saywho.store import DEFAULT_DB, MIGRATIONS, DocumentMeta, Store, database_url

from pg import postgres_database, postgres_url  # noqa: F401  (fixtures)

ARTICLES = {
    "a1": (
        "2024-03-01",
        'Finance Minister Anna Berg said on Monday that "the economy will grow by three percent next year." '
        "Berg added that inflation was falling.\n"
        '"We are not worried about the deficit," she told reporters.\n'
        "A senior official, who spoke on condition of anonymity because he was not authorised to speak, "
        "said the talks on the budget had stalled.\n",
    ),
    "a2": (
        "2024-03-05",
        '"The economy will grow by three percent next year," Berg said at a conference in Oslo.\n'
        "Opposition leader Tomas Lind said the forecast was far too optimistic.\n",
    ),
    "a3": (
        "2024-03-03",
        'Anna Berg told the parliament that "the economy will grow by four percent next year."\n'
        "Critics say the plan is unrealistic.\n",
    ),
}


@dataclass
class Article:
    key: str
    document: Document
    text: str
    meta: DocumentMeta


@pytest.fixture(scope="session")
def articles() -> list[Article]:
    out = []
    for number, (key, (published, text)) in enumerate(ARTICLES.items()):
        day = date.fromisoformat(published)
        document = saywho.analyze(text, day)
        meta = DocumentMeta(
            source=f"{key}.txt", order=f"{number:06d}/{0:09d}", title=f"Article {key}", published=day,
            author="A. Reporter", site="example.org", url=f"https://example.org/{key}",
        )
        out.append(Article(key, document, text, meta))
    return out


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        url = str(tmp_path / "corpus.db")
    else:
        url = request.getfixturevalue("postgres_database")
    opened = Store.open(url)
    yield opened
    opened.close()


@pytest.fixture
def filled(store, articles):
    for article in articles:
        assert store.add_document(article.document, article.text, article.meta)
    return store


# -- a small stand-in for saywho.link, with the same interface ----------------------------


@dataclass(frozen=True)
class FakeStatement:
    id: str
    text: str
    speaker: str | None
    published: date | None
    order: str


@dataclass
class FakeCluster:
    id: str
    members: list[str]
    first: str
    changed_words: dict[str, list[str]] = field(default_factory=dict)
    same_speaker: bool = True


def _fake_words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def fake_cluster_statements(statements):
    """Statements with at least 80% of their words in common, grouped; O(n²), fine for tests."""
    statements = sorted(statements, key=lambda s: (s.published is None, s.published or date.min, s.order))
    groups: list[list[FakeStatement]] = []
    for s in statements:
        for group in groups:
            a, b = set(_fake_words(group[0].text)), set(_fake_words(s.text))
            if a and b and len(a & b) / len(a | b) >= 0.7:
                group.append(s)
                break
        else:
            groups.append([s])
    out = []
    for group in groups:
        if len(group) < 2:
            continue
        first = group[0]
        changed = {}
        for s in group[1:]:
            diff = [w for w in _fake_words(s.text) if w not in _fake_words(first.text)]
            if diff:
                changed[s.id] = diff
        import hashlib

        cid = "c" + hashlib.sha1("\n".join(sorted(s.id for s in group)).encode()).hexdigest()[:12]
        out.append(
            FakeCluster(cid, [s.id for s in group], first.id, changed, len({s.speaker for s in group}) == 1)
        )
    return out


def fake_link_speakers(names):
    """A bare surname joins the one full name ending in it."""
    names = list(names)
    out = {}
    for name in names:
        fuller = [n for n in names if n != name and " " not in name and n.split()[-1] == name]
        out[name] = fuller[0] if len(fuller) == 1 else name
    return out


@pytest.fixture
def fake_link(monkeypatch):
    module = types.ModuleType("saywho.link")
    module.Statement = FakeStatement
    module.StatementCluster = FakeCluster
    module.cluster_statements = fake_cluster_statements
    module.link_speakers = fake_link_speakers
    monkeypatch.setitem(sys.modules, "saywho.link", module)
    monkeypatch.setattr(saywho, "link", module, raising=False)
    return module


# -- URLs and opening ---------------------------------------------------------------------


def test_database_url():
    assert database_url(None) == DEFAULT_DB == "sqlite:///saywho.db"
    assert database_url("archive.db") == "sqlite:///archive.db"
    assert database_url("/data/archive.db") == "sqlite:////data/archive.db"
    assert database_url("sqlite:///x.db") == "sqlite:///x.db"
    assert database_url("postgresql://user@host/db") == "postgresql+psycopg://user@host/db"
    assert database_url("postgres://user:pw@host:5433/db") == "postgresql+psycopg://user:pw@host:5433/db"
    assert database_url("postgresql+psycopg://u@h/d") == "postgresql+psycopg://u@h/d"
    for bad in ("", "mysql://u@h/d", "postgresql://host", "postgresql+psycopg2://u@h/d", "postgresql://u@h:port/d"):
        with pytest.raises(UsageError) as error:
            database_url(bad)
        assert "\n" not in str(error.value)


def test_migrations_create_the_schema_and_record_the_head(store):
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head and store.schema_revision() == head
    tables = set(sa.inspect(store.engine).get_table_names())
    assert {"documents", "attributions", "failures", "speakers", "speaker_links", "clusters",
            "cluster_members", "alembic_version"} <= tables
    with store.engine.connect() as conn:
        if store.dialect == "sqlite":
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
            assert "attributions_fts" in tables
        else:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("attributions")}
            assert "content_tsv" in columns
            indexes = conn.exec_driver_sql(
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'attributions'"
            ).scalars().all()
            assert any("gin" in d.lower() and "content_tsv" in d for d in indexes)
    assert store.stats() == {"documents": 0, "attributions": 0, "speakers": 0, "clusters": 0, "failed": 0}


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_a_database_of_the_first_schema_is_upgraded_and_keeps_its_rows(dialect, request, tmp_path):
    """Revision 0001 (before Attribution.within): opening it adds the column; its rows read
    null there, and new documents keep theirs."""
    from alembic import command
    from alembic.config import Config

    url = str(tmp_path / "old.db") if dialect == "sqlite" else request.getfixturevalue("postgres_database")
    engine = sa.create_engine(database_url(url))
    with engine.begin() as conn:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
        conn.execute(sa.text(
            "INSERT INTO documents (id, order_key, source, characters, words, paragraphs, sentences, "
            "saywho_version, entities, text, ingested_at) VALUES ('d1', '0/d1', 'old.txt', 1, 1, 1, 1, "
            "'0.0', '[]', 'x', CURRENT_TIMESTAMP)"
        ))
        conn.execute(sa.text(
            "INSERT INTO attributions (id, document_id, idx, kind, source_type, content_text, spans, "
            "sentence, paragraph, confidence, rule, order_key) VALUES ('d1:0', 'd1', 0, 'indirect', "
            "'vague', 'x', '{\"content\": [[0, 1]]}', 0, 0, 1.0, 'old', '0/d1')"
        ))
    engine.dispose()
    store = Store.open(url)
    try:
        assert store.schema_revision() == "0002"
        (old,) = store.attributions("d1")
        assert old.within is None and old.content == [(0, 1)] and old.rule == "old"
        text = "The ministry said that Lukashenko had told reporters the army needed new weapons.\n"
        document = saywho.analyze(text)
        assert [a.within for a in document.attributions] == [None, 0]
        assert store.add_document(document, text, DocumentMeta(source="new.txt", order="1/new"))
        assert store.attributions(document.id) == document.attributions
    finally:
        store.close()


def test_reopening_runs_no_migration_and_keeps_data(store, articles, tmp_path):
    store.add_document(articles[0].document, articles[0].text, articles[0].meta)
    again = Store.open(store.url.render_as_string(hide_password=False), create=False)
    try:
        assert again.stats()["documents"] == 1
    finally:
        again.close()


def test_a_missing_sqlite_file_is_not_created_for_queries(tmp_path):
    path = tmp_path / "missing.db"
    with pytest.raises(StoreError, match="no database at"):
        Store.open(str(path), create=False)
    assert not path.exists()
    with pytest.raises(StoreError, match="does not exist"):
        Store.open(str(tmp_path / "no" / "such.db"))


def test_foreign_databases_are_refused(tmp_path):
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(StoreError, match="not a saywho database"):
        Store.open(str(other))
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is no database at all, just text " * 100)
    with pytest.raises(StoreError, match="not a saywho database"):
        Store.open(str(junk))


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "newer.db"
    Store.open(str(path)).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'zz99'")
    conn.close()
    with pytest.raises(StoreError, match="newer schema"):
        Store.open(str(path))


def test_an_unreachable_server_is_one_line():
    with pytest.raises(StoreError, match="cannot connect") as error:
        Store.open("postgresql://nobody@127.0.0.1:1/nothing?connect_timeout=2")
    assert "\n" not in str(error.value)


# -- writing ------------------------------------------------------------------------------


def test_documents_are_added_once(store, articles):
    assert [store.add_document(a.document, a.text, a.meta) for a in articles] == [True, True, True]
    before = store.stats()
    assert [store.add_document(a.document, a.text, a.meta) for a in articles] == [False, False, False]
    assert store.stats() == before
    assert store.known_documents() == {a.document.id for a in articles}
    total = sum(len(a.document.attributions) for a in articles)
    assert before == {"documents": 3, "attributions": total, "speakers": 3, "clusters": 0, "failed": 0}
    # Speakers as stored, before linking: "Anna Berg", "Berg" (article 2), "Tomas Lind".
    assert {s["name"] for s in store.speakers()} == {"Anna Berg", "Berg", "Tomas Lind"}


def test_the_stored_document_reads_back_equal(store, articles):
    article = articles[0]
    store.add_document(article.document, article.text, article.meta)
    stored = store.document(article.document.id)
    assert stored.attributions == article.document.attributions
    assert stored.entities == article.document.entities
    assert stored.text == article.text and stored.title == "Article a1"
    assert store.document("nope") is None


def test_failures_are_recorded_once(store):
    assert store.add_failure("bad.html", "000004/000000000", "not HTML\nat all")
    assert not store.add_failure("bad.html", "000004/000000000", "again")
    assert store.add_failure("x.jsonl#3", "000005/000000003", "line 3 is not JSON")
    assert store.known_failures() == {"000004/000000000", "000005/000000003"}
    assert store.stats()["failed"] == 2
    assert store.failures()[0]["reason"] == "not HTML at all"


def test_an_interrupted_document_leaves_nothing(store, articles, monkeypatch):
    article = articles[0]

    def crash(*args, **kwargs):
        raise RuntimeError("killed after the attributions insert")

    monkeypatch.setattr(Store, "_add_speakers", crash)
    with pytest.raises(RuntimeError):
        store.add_document(article.document, article.text, article.meta)
    assert store.stats() == {"documents": 0, "attributions": 0, "speakers": 0, "clusters": 0, "failed": 0}
    assert store.known_documents() == set()
    with store.engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM speaker_links")) == 0
        if store.dialect == "sqlite":  # the FTS index rolled back with the rows
            assert conn.scalar(sa.text("SELECT count(*) FROM attributions_fts WHERE attributions_fts MATCH 'economy'")) == 0
    monkeypatch.undo()
    assert store.add_document(article.document, article.text, article.meta)
    assert store.stats()["attributions"] == len(article.document.attributions)


def test_nul_characters_are_refused_on_every_backend(store, articles):
    article = articles[0]
    with pytest.raises(InvalidInputError):
        store.add_document(article.document, article.text + "\x00", article.meta)


# -- queries ------------------------------------------------------------------------------


def test_full_text_search(filled):
    assert [q["content_text"] for q in filled.quotes(search="inflation")] == ["inflation was falling"]
    economy = filled.quotes(search="economy")
    assert len(economy) == 3
    assert [q["published"] for q in economy] == sorted(q["published"] for q in economy)
    assert len(filled.quotes(search="economies")) == 3  # stemmed on both backends
    assert len(filled.quotes(search='"three percent"')) == 2
    assert len(filled.quotes(search="economy four")) == 1
    assert filled.quotes(search="zeppelin") == []
    with pytest.raises(UsageError):
        filled.quotes(search=" ?! ")


def test_quotes_filters(filled):
    everything = filled.quotes()
    assert len(everything) == filled.stats()["attributions"]
    berg = filled.quotes(speaker="anna  berg")
    assert len(berg) == 4 and {q["speaker"] for q in berg} == {"Anna Berg"}
    assert [q["document_id"] for q in filled.quotes(since=date(2024, 3, 4))] == [filled.quotes(speaker="Tomas Lind")[0]["document_id"]] * 2
    assert len(filled.quotes(limit=2)) == 2
    assert filled.quotes(speaker="Nobody Atall") == []
    first = everything[0]
    assert first["title"] == "Article a1" and first["source"] == "a1.txt" and first["url"].endswith("/a1")


def test_a_second_hand_statement_names_who_reported_it(store, tmp_path):
    text = "A senior official said that Anna Berg had told him the plan was dead.\n"
    document = saywho.analyze(text, date(2024, 3, 9))
    assert store.add_document(document, text, DocumentMeta(source="n.txt", order="9/n", published=date(2024, 3, 9)))
    official, berg = store.quotes()
    # An unnamed relay has no speaker key: it is named as written.
    assert (official["speaker_text"], official["reported_by"]) == ("A senior official", None)
    assert (berg["speaker"], berg["reported_by"]) == ("Anna Berg", "A senior official")
    assert store.timeline("Anna Berg")["statements"][0]["reported_by"] == "A senior official"
    path = tmp_path / "export.jsonl"
    store.export("jsonl", path)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(r["within"], r["reported_by"]) for r in rows] == [(None, None), (0, "A senior official")]


def test_relink_clusters_and_links_speakers(filled, fake_link):
    summary = filled.relink()
    assert summary.clusters == 1 and summary.clustered == 3 and summary.altered == 1
    assert summary.linked_names == 1 and summary.speakers == 2
    assert filled.stats()["clusters"] == 1 and filled.stats()["speakers"] == 2
    speakers = filled.speakers()
    assert speakers[0]["name"] == "Anna Berg" and speakers[0]["aliases"] == ["Berg"]
    assert speakers[0]["attributions"] == 5 and speakers[0]["documents"] == 3
    assert (speakers[0]["first"], speakers[0]["last"]) == (date(2024, 3, 1), date(2024, 3, 5))
    assert speakers[0]["type"] == "person"

    [cluster] = filled.repeats()
    assert cluster["size"] == 3 and cluster["same_speaker"] and cluster["altered"] == 1
    assert cluster["first"]["published"] == date(2024, 3, 1)
    assert [m["published"] for m in cluster["members"]] == [date(2024, 3, 1), date(2024, 3, 3), date(2024, 3, 5)]
    assert cluster["members"][1]["changed_words"] == ["four"] and cluster["members"][2]["changed_words"] == []

    timeline = filled.timeline("berg")
    assert timeline["speaker"] == "Anna Berg" and timeline["aliases"] == ["Berg"]
    dates = [s["published"] for s in timeline["statements"]]
    assert dates == sorted(dates) and len(dates) == 5
    repeated = [s for s in timeline["statements"] if s["cluster_id"] and not s["first_appearance"]]
    assert len(repeated) == 2
    assert all(s["first_appeared"]["published"] == date(2024, 3, 1) for s in repeated)
    assert filled.timeline("Nobody") is None
    assert len(filled.quotes(speaker="Berg")) == 5  # any linked name finds the speaker

    # Deterministic: relinking gives the same clusters; an added document keeps its counts.
    before = (filled.repeats(), filled.speakers())
    assert filled.relink().clusters == 1
    assert (filled.repeats(), filled.speakers()) == before


def test_relink_with_the_real_linker(filled):
    if importlib.util.find_spec("saywho.link") is None:
        pytest.skip("saywho.link is not there yet")
    summary = filled.relink()
    assert summary.statements == filled.stats()["attributions"]
    clusters = filled.repeats()
    members = {m["content_text"].lower().strip(" .,") for c in clusters for m in c["members"]}
    assert "the economy will grow by three percent next year" in members
    assert filled.timeline("Berg")["speaker"] == "Anna Berg"
    again = filled.relink()
    assert (again.clusters, again.clustered, again.speakers) == (summary.clusters, summary.clustered, summary.speakers)
    assert filled.repeats() == clusters  # deterministic


# -- export -------------------------------------------------------------------------------


@pytest.mark.parametrize("format", ["jsonl", "csv", "parquet"])
def test_export(filled, fake_link, format, tmp_path):
    filled.relink()
    path = tmp_path / f"out.{format}"
    total = filled.stats()["attributions"]
    assert filled.export(format, path) == total
    if format == "jsonl":
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        spans = [r["spans"] for r in rows]
    elif format == "csv":
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        spans = [json.loads(r["spans"]) for r in rows]
    else:
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        assert table.schema.field("published").type.id == __import__("pyarrow").date32().id
        rows = table.to_pylist()
        spans = [json.loads(r["spans"]) for r in rows]
    assert len(rows) == total
    assert {r["attribution_id"] for r in rows} == {q["id"] for q in filled.quotes()}
    first = rows[0]
    assert first["title"] == "Article a1" and first["site"] == "example.org" and first["author"] == "A. Reporter"
    assert str(first["published"]) == "2024-03-01"
    assert all(s["content"] for s in spans)
    assert sum(1 for r in rows if r["cluster_id"]) == 3
    assert not list(tmp_path.glob(".*saywho-tmp"))


def test_export_refuses_bad_targets(filled, tmp_path):
    with pytest.raises(UsageError):
        filled.export("xml", tmp_path / "x.xml")
    with pytest.raises(UsageError):
        filled.export("csv", tmp_path / "no" / "x.csv")
    with pytest.raises(UsageError):
        filled.export("csv", tmp_path)


# -- round trip ---------------------------------------------------------------------------

_texts = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
_span = st.tuples(st.integers(0, 10_000), st.integers(0, 10_000))
_ids = count()


@st.composite
def _attributions(draw):
    n = draw(st.integers(1, 4))
    out = []
    for index in range(n):
        out.append(
            Attribution(
                id=f"DOC:{index}",
                index=index,
                kind=draw(st.sampled_from(["direct", "indirect", "mixed", "continuation"])),
                content=draw(st.lists(_span, min_size=1, max_size=3)),
                cue=draw(st.lists(_span, max_size=2)),
                speaker=draw(st.lists(_span, max_size=2)),
                speaker_entity=draw(st.none() | _texts),
                entity_id=draw(st.none() | st.just("e1")),
                resolution=draw(
                    st.none()
                    | st.builds(Resolution, method=st.sampled_from(["name", "pronoun"]), evidence=st.lists(_span, max_size=2), note=_texts)
                ),
                source_type=draw(st.sampled_from(["named_person", "anonymous", "vague", "document"])),
                anonymity_reason=draw(st.none() | _texts),
                anonymity_span=draw(st.none() | _span),
                channel=draw(st.none() | _texts),
                channel_span=draw(st.none() | _span),
                continues=draw(st.none() | st.integers(0, 3)),
                within=draw(st.none() | st.integers(0, 3)),
                sentence=draw(st.integers(0, 500)),
                paragraph=draw(st.integers(0, 500)),
                confidence=draw(st.floats(0, 1)),
                rule=draw(st.text(min_size=1, max_size=10).filter(lambda s: "\x00" not in s)),
                content_text=draw(_texts.filter(bool)),
                cue_text=draw(st.none() | _texts),
                speaker_text=draw(st.none() | _texts),
            )
        )
    return out


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=_attributions(), published=st.none() | st.dates())
def test_attributions_round_trip(store, items, published):
    doc_id = f"h{next(_ids):015d}"
    for item in items:
        item.id = f"{doc_id}:{item.index}"
    document = Document(
        saywho_version="test", id=doc_id, characters=1, words=1, paragraphs=1, sentences=1, attributions=items
    )
    meta = DocumentMeta(source="gen", order=f"999999/{doc_id}", published=published)
    assert store.add_document(document, "x", meta)
    assert store.attributions(doc_id) == items
    assert not store.add_document(document, "x", meta)
