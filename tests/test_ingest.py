"""saywho ingest: inputs, order keys, failures, the summary, and kill -9 / resume."""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from saywho.ingest import (
    INGEST_MAX_BYTES,
    IngestOptions,
    count_articles,
    find_inputs,
    ingest,
    iter_items,
    order_key,
)

DATA = Path(__file__).parent / "data" / "ingest"
REPO = Path(__file__).resolve().parent.parent


def article(i: int) -> str:
    return (
        f'"We will open {i} new libraries this year," said Mayor Ellen Grant{i} on Tuesday.\n\n'
        f"Critics said plan {i} would cost too much, according to a report by the city auditor.\n"
    )


def page(i: int) -> str:
    return (
        f"<html><head><title>Libraries plan {i}</title><meta name='author' content='Tom Reed'>"
        f"<meta property='article:published_time' content='2021-03-{10 + i % 10}'></head><body><article>"
        f"<h1>Libraries plan {i}</h1><p>{article(i)}</p>"
        "<p>The council will vote on the plan next week, officials said in a statement.</p>"
        "</article></body></html>"
    )


def write_warc(path: Path, pages: list[tuple[str, str]], *, gzip_it: bool = True) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=gzip_it)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        image = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("http://x.example/a.png", "response",
                                                      payload=io.BytesIO(b"\x89PNG"), http_headers=image))
        for url, html in pages:
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(html.encode()), http_headers=headers,
                warc_headers_dict={"WARC-Date": "2020-01-02T03:04:05Z"},
            )
            writer.write_record(record)


def db_rows(db: Path, table: str, skip: tuple[str, ...] = ("ingested_at", "at", "seq")) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})") if row[1] not in skip]
        return sorted(conn.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall(), key=repr)


CONTENT_TABLES = ("documents", "attributions", "failures", "speakers", "speaker_links", "clusters", "cluster_members")


# -- inputs and items (no analysis) ---------------------------------------------------------


def test_find_inputs_recursive_sorted_deduplicated(tmp_path: Path) -> None:
    (tmp_path / "b" / "text").mkdir(parents=True)
    (tmp_path / "a").mkdir()
    (tmp_path / ".git").mkdir()
    for name in ("b/text/x.txt", "a/y.HTML", "a/z.jsonl", "a/w.warc.gz", "a/v.warc", "a/u.htm", ".git/h.txt", "a/.hidden.txt"):
        (tmp_path / name).write_text("x")
    for name in ("b/x.ann", "a/notes.md", "a/data.csv"):
        (tmp_path / name).write_text("x")
    inputs, skipped = find_inputs([tmp_path / "b", tmp_path, tmp_path / "a" / "y.HTML"])
    rel = [os.path.relpath(p, tmp_path) for p in inputs]
    assert rel == ["a/u.htm", "a/v.warc", "a/w.warc.gz", "a/y.HTML", "a/z.jsonl", "b/text/x.txt"]
    assert sorted(os.path.relpath(p, tmp_path) for p in skipped) == ["a/data.csv", "a/notes.md", "b/x.ann"]


def test_missing_input_is_an_error(tmp_path: Path) -> None:
    from saywho.errors import InputNotFoundError

    with pytest.raises(InputNotFoundError, match="not found"):
        find_inputs([tmp_path / "nope"])


def test_order_keys_and_sources(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(article(1))
    shutil.copy(DATA / "feed.jsonl", tmp_path / "b.jsonl")
    write_warc(tmp_path / "c.warc.gz", [("http://x.example/1", page(1)), ("http://x.example/2", page(2))])
    inputs, _ = find_inputs([tmp_path])
    items = list(iter_items(inputs, IngestOptions()))
    orders = [item.order for item in items]
    assert orders == sorted(orders)
    assert order_key(3, 17) == "000003/000000017"
    assert [(i.order, os.path.basename(i.source), i.kind) for i in items[:7]] == [
        ("000000/000000000", "a.txt", "text"),
        ("000001/000000001", "b.jsonl#L1", "json"),
        ("000001/000000002", "b.jsonl#L2", "json"),
        ("000001/000000003", "b.jsonl#L3", "json"),
        ("000001/000000005", "b.jsonl#L5", "json"),  # line 4 is blank
        ("000001/000000006", "b.jsonl#L6", "json"),
        ("000001/000000007", "b.jsonl#L7", "json"),
    ]
    warc = items[7:]
    assert [i.order for i in warc] == ["000002/000000002", "000002/000000003"]  # warcinfo, image
    offsets = [int(i.source.rsplit("#", 1)[1]) for i in warc]
    with open(tmp_path / "c.warc.gz", "rb") as stream:  # each offset starts a gzip member
        for offset in offsets:
            stream.seek(offset)
            assert stream.read(2) == b"\x1f\x8b"
    assert warc[0].hints["url"] == "http://x.example/1"
    assert count_articles(inputs, IngestOptions()) == len(items)
    assert [i.order for i in iter_items(inputs, IngestOptions(limit=3))] == orders[:3]


def test_big_file_fails_fast_without_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with open(big, "wb") as stream:  # 50 MB, sparse: no data written
        stream.truncate(50 * 1000 * 1000)
    started = time.perf_counter()
    (item,) = iter_items([str(big)], IngestOptions())
    assert time.perf_counter() - started < 0.5
    assert item.kind == "fail" and item.data is None
    assert "too large" in item.hints["reason"] and f"{INGEST_MAX_BYTES:,}" in item.hints["reason"]


def test_truncated_warc_keeps_what_was_read(tmp_path: Path) -> None:
    whole = tmp_path / "whole.warc.gz"
    write_warc(whole, [(f"http://x.example/{i}", page(i)) for i in range(3)])
    data = whole.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: len(data) - 300])  # into the last page
    plain = tmp_path / "cut.warc"
    plain.write_bytes(gzip.decompress(data)[:-400])
    for path in (cut, plain):
        items = list(iter_items([str(path)], IngestOptions()))
        assert [i.kind for i in items[:-1]] == ["warc"] * (len(items) - 1) and len(items) >= 3
        assert items[-1].kind == "fail" and "truncated" in items[-1].hints["reason"]
        assert items[-1].order > items[-2].order


# -- ingesting into a real SQLite store ------------------------------------------------------


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    root = tmp_path / "archive"
    (root / "pages").mkdir(parents=True)
    (root / "polnear" / "text").mkdir(parents=True)
    for i in range(2):
        (root / "polnear" / "text" / f"t{i}.txt").write_text(article(i))
    (root / "polnear" / "t0.ann").write_text("T1\tSource 0 5\tMayor\n")
    shutil.copy(DATA / "page.html", root / "pages" / "page.html")
    (root / "pages" / "nav.html").write_text("<html><head><script>var x = 1;</script></head><body></body></html>")
    shutil.copy(DATA / "feed.jsonl", root / "feed.jsonl")
    write_warc(root / "crawl.warc.gz", [("http://x.example/5", page(5)), ("http://x.example/6", page(6))])
    data = (root / "crawl.warc.gz").read_bytes()
    write_warc(root / "cut.warc.gz", [("http://y.example/7", page(7)), ("http://y.example/8", page(8))])
    cut = (root / "cut.warc.gz").read_bytes()
    (root / "cut.warc.gz").write_bytes(cut[: len(cut) - 300])
    assert data
    (root / "binary.txt").write_bytes(b"\x00\x01\x02 not text")
    (root / "latin1.txt").write_bytes("Caf\xe9 owners said prices rose.".encode("latin-1"))
    (root / "empty.txt").write_bytes(b"")
    with open(root / "huge.txt", "wb") as stream:
        stream.truncate(50 * 1000 * 1000)
    (root / "README.md").write_text("not an article")
    return root


def test_ingest_every_kind_and_failure(cli, archive: Path, tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    started = time.perf_counter()
    result = cli("ingest", archive, "--db", db, "--workers", "1", "--format", "json")
    assert result.code == 0, result.err
    assert time.perf_counter() - started < 30
    summary = json.loads(result.out)
    # documents: 2 txt, page.html, 3 JSONL, 2 + 1 WARC pages (the cut archive keeps its first)
    assert (summary["added"], summary["present"], summary["skipped"]) == (9, 0, 2), json.dumps(summary["failures"])
    reasons = {f["source"].replace(str(archive) + "/", ""): f["reason"] for f in summary["failures"]}
    assert summary["failed"] == len(reasons) == 9
    assert "too large" in reasons["huge.txt"]
    assert "binary" in reasons["binary.txt"]
    assert "UTF-8" in reasons["latin1.txt"]
    assert "empty" in reasons["empty.txt"]
    assert "no article text" in reasons["pages/nav.html"]
    assert "not JSON" in reasons["feed.jsonl#L2"]
    assert "no text" in reasons["feed.jsonl#L5"]
    assert "not a JSON object" in reasons["feed.jsonl#L6"]
    (cut,) = [r for s, r in reasons.items() if s.startswith("cut.warc.gz#")]
    assert "truncated" in cut
    assert summary["articles"] == 18 and summary["articles_per_s"] > 0 and summary["words_per_s"] > 0

    docs = {row[0].replace(str(archive) + "/", ""): row[1:] for row in _docs(db)}
    assert docs["pages/page.html"] == (
        "Council backs new bridge", "2023-04-05", "Ana Ruiz", "Riverside Courier",
        "https://courier.example/bridge", "000008/000000000",
    )
    assert docs["feed.jsonl#L1"][0:2] == ("Storm warning", "2022-08-30")
    assert docs["feed.jsonl#L1"][4] == "https://news.example/storm"
    assert docs["feed.jsonl#L3"][1] == "2022-09-01" and docs["feed.jsonl#L7"][1] == "2022-09-02"
    warc = [(s, v) for s, v in docs.items() if s.startswith("crawl.warc.gz#")]
    assert sorted(v[4] for _, v in warc) == ["http://x.example/5", "http://x.example/6"]
    assert all(v[1] == "2021-03-15" or v[1] == "2021-03-16" for _, v in warc)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM attributions").fetchone()[0] > 9
        failures = dict(conn.execute("SELECT order_key, reason FROM failures"))
    assert len(failures) == 9

    # Idempotent: the same command again adds nothing and records nothing new.
    before = {table: db_rows(db, table) for table in CONTENT_TABLES}
    again = cli("ingest", archive, "--db", db, "--workers", "1", "--format", "json")
    summary = json.loads(again.out)
    assert (summary["added"], summary["present"], summary["failed"], summary["failed_before"]) == (0, 9, 0, 9)
    assert {table: db_rows(db, table) for table in CONTENT_TABLES} == before


def _docs(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT source, title, published, author, site, url, order_key FROM documents"
        ).fetchall()


def test_jsonl_field_names_and_text_summary(cli, tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    lines = [
        {"story": article(1), "headline": "One", "when": "2020-05-06", "link": "https://a.example/1"},
        {"text": article(2), "headline": "Two"},  # no 'story': fails with --text-field story
    ]
    feed.write_text("".join(json.dumps(line) + "\n" for line in lines))
    db = tmp_path / "x.db"
    result = cli(
        "ingest", feed, "--db", db, "--workers", "1", "--no-link", "--text-field", "story",
        "--title-field", "headline", "--date-field", "when", "--url-field", "link", "--progress",
    )
    assert result.code == 0, result.err
    assert "added           1" in result.out and "failed          1" in result.out
    assert "no field story" in result.out
    assert "articles/s" in result.err  # the progress bar, asked for
    (row,) = _docs(db)
    assert row[1:3] == ("One", "2020-05-06") and row[5] == "https://a.example/1"
    quiet = cli("ingest", feed, "--db", db, "--workers", "1", "--no-link", "--quiet", "--progress")
    assert quiet.err == "" and "already present 0" in quiet.out and "1 failed before" in quiet.out


def test_limit_and_in_run_duplicates(tmp_path: Path) -> None:
    from saywho.store import Store

    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.txt").write_text(article(1))  # the same text three times
    (tmp_path / "d.txt").write_text(article(2))
    with Store.open(f"sqlite:///{tmp_path / 'x.db'}") as store:
        summary = ingest([tmp_path], store, IngestOptions(workers=1, limit=3, link=False))
        assert (summary.added, summary.present, summary.articles) == (1, 2, 3)
        assert store.stats()["documents"] == 1
    (row,) = _docs(tmp_path / "x.db")
    assert row[0].endswith("a.txt")  # the first in input order keeps its source


# -- kill -9 and resume ---------------------------------------------------------------------


def _start(inputs: Path, db: Path, workers: int) -> subprocess.Popen:
    command = [sys.executable, "-c", "from saywho.cli import main; main()", "ingest", str(inputs),
               "--db", str(db), "--workers", str(workers), "--quiet"]
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True)


def _documents(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2) as conn:
            return conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    except sqlite3.Error:
        return 0


def _kill_after(process: subprocess.Popen, db: Path, documents: int) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if _documents(db) >= documents:
            break
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)  # the main process only, like `kill -9 PID`
    process.wait(10)
    try:  # then its orphaned workers (our own process group), so the test leaves nothing behind
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return _documents(db)


def test_killed_twice_and_resumed_equals_a_clean_run(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for i in range(28):
        (inputs / f"a{i:02d}.txt").write_text(article(i) * 3)
    (inputs / "a05.txt").write_text(article(3) * 3)  # a duplicate text
    (inputs / "broken.txt").write_bytes(b"\xff\xfe\x00bad")
    (inputs / "feed.jsonl").write_text(json.dumps({"text": article(40)}) + "\nnot json\n")

    clean = tmp_path / "clean.db"
    done = _start(inputs, clean, 1).communicate(timeout=120)
    assert _documents(clean) == 28, done

    db = tmp_path / "killed.db"
    first = _kill_after(_start(inputs, db, 2), db, 3)
    second = _kill_after(_start(inputs, db, 2), db, first + 4)
    assert 3 <= first < second < 28, (first, second)  # really killed twice, mid-run
    process = _start(inputs, db, 2)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    for table in CONTENT_TABLES:
        assert db_rows(db, table) == db_rows(clean, table), table


# -- the same on PostgreSQL -----------------------------------------------------------------

from pg import postgres_database, postgres_url  # noqa: E402,F401  (fixtures)


def _content(store) -> tuple:
    import sqlalchemy as sa

    from saywho import store as tables

    with store.engine.connect() as conn:
        documents = sorted(conn.execute(sa.select(tables.documents.c.id, tables.documents.c.order_key,
                                                  tables.documents.c.title, tables.documents.c.published)))
        failures = sorted(conn.execute(sa.select(tables.failures.c.order_key, tables.failures.c.reason)))
    return store.stats(), documents, failures


def test_postgresql_gives_the_same_corpus(archive: Path, tmp_path: Path, postgres_database: str) -> None:
    from saywho.store import Store

    options = IngestOptions(workers=1)
    with Store.open(f"sqlite:///{tmp_path / 'x.db'}") as lite, Store.open(postgres_database) as pg:
        first = ingest([archive], lite, options)
        second = ingest([archive], pg, options)
        assert (first.added, first.failed) == (second.added, second.failed) == (9, 9)
        assert _content(lite) == _content(pg)
        again = ingest([archive], pg, options)
        assert (again.added, again.failed, again.present, again.failed_before) == (0, 0, 9, 9)
