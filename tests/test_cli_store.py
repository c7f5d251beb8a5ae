"""The corpus query commands: saywho stats, speakers, quotes, timeline, repeats, export."""

from __future__ import annotations

import csv
import json
from datetime import date

import pytest

import saywho
from saywho.store import DocumentMeta, Store

from test_store import ARTICLES, fake_link  # noqa: F401  (fixture)

COMMANDS = ["stats", "speakers", "quotes", "timeline", "repeats", "export"]


@pytest.fixture(scope="module")
def analysed():
    out = []
    for number, (key, (published, text)) in enumerate(ARTICLES.items()):
        day = date.fromisoformat(published)
        meta = DocumentMeta(source=f"{key}.txt", order=f"{number:06d}/000000000", title=f"Article {key}", published=day)
        out.append((saywho.analyze(text, day), text, meta))
    return out


@pytest.fixture
def db(tmp_path, analysed, fake_link):  # noqa: F811
    path = tmp_path / "corpus.db"
    with Store.open(str(path)) as store:
        for document, text, meta in analysed:
            store.add_document(document, text, meta)
        store.add_failure("broken.html", "000009/000000000", "no text in the page")
        store.relink()
    return path


def test_stats_json(cli, db):
    result = cli("stats", "--db", db, "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out) == {"documents": 3, "attributions": 8, "speakers": 2, "clusters": 1, "failed": 1}
    text = cli("stats", "--db", f"sqlite:///{db}")
    assert text.code == 0 and "documents" in text.out and "failed" in text.out


def test_speakers(cli, db):
    result = cli("speakers", "--db", db, "--format", "json")
    assert result.code == 0, result.err
    speakers = json.loads(result.out)
    assert speakers[0]["name"] == "Anna Berg" and speakers[0]["aliases"] == ["Berg"]
    assert speakers[0]["first"] == "2024-03-01" and speakers[0]["last"] == "2024-03-05"
    text = cli("speakers", "--db", db, "--limit", "1")
    assert "Anna Berg" in text.out and "Tomas Lind" not in text.out and "also: Berg" in text.out


def test_quotes(cli, db):
    result = cli("quotes", "--db", db, "--search", "economy", "--format", "jsonl")
    assert result.code == 0, result.err
    rows = [json.loads(line) for line in result.out.splitlines()]
    assert len(rows) == 3 and [r["published"] for r in rows] == ["2024-03-01", "2024-03-03", "2024-03-05"]
    since = json.loads(cli("quotes", "--db", db, "--since", "2024-03-04", "-f", "json").out)
    assert {r["published"] for r in since} == {"2024-03-05"}
    by = json.loads(cli("quotes", "--db", db, "--speaker", "Berg", "-f", "json").out)
    assert len(by) == 5
    text = cli("quotes", "--db", db, "--speaker", "Tomas Lind")
    assert "far too optimistic" in text.out
    assert "no statements found" in cli("quotes", "--db", db, "--search", "zeppelin").out


def test_quotes_say_who_reported_a_second_hand_statement(cli, tmp_path):
    text = "A senior official said that Anna Berg had told him the plan was dead.\n"
    path = tmp_path / "nested.db"
    with Store.open(str(path)) as store:
        store.add_document(saywho.analyze(text), text, DocumentMeta(source="n.txt", order="1/n"))
    printed = cli("quotes", "--db", path, "--speaker", "Anna Berg").out
    assert "[reported by A senior official]" in printed and "the plan was dead" in printed


def test_timeline(cli, db):
    result = cli("timeline", "Anna Berg", "--db", db, "--format", "json")
    assert result.code == 0, result.err
    found = json.loads(result.out)
    assert found["speaker"] == "Anna Berg" and len(found["statements"]) == 5
    repeated = [s for s in found["statements"] if s["cluster_id"] and not s["first_appearance"]]
    assert {s["first_appeared"]["published"] for s in repeated} == {"2024-03-01"}
    text = cli("timeline", "berg", "--db", db)
    assert text.out.startswith("Anna Berg (also: Berg): 5 statements")
    assert "no speaker named" in cli("timeline", "Nobody", "--db", db).out


def test_repeats(cli, db):
    result = cli("repeats", "--db", db, "--format", "json")
    assert result.code == 0, result.err
    [cluster] = json.loads(result.out)
    assert cluster["size"] == 3 and cluster["first"]["published"] == "2024-03-01"
    assert [m["changed_words"] for m in cluster["members"]] == [[], ["four"], []]
    text = cli("repeats", "--db", db)
    assert "3 appearances, 1 altered" in text.out and "changed: four" in text.out


@pytest.mark.parametrize("format", ["jsonl", "csv", "parquet"])
def test_export(cli, db, tmp_path, format):
    out = tmp_path / f"corpus.{format}"
    result = cli("export", "--db", db, "--format", format, "--output", out)
    assert result.code == 0, result.err
    assert "wrote 8 attributions" in result.err
    if format == "jsonl":
        rows = [json.loads(line) for line in out.read_text().splitlines()]
    elif format == "csv":
        with open(out, newline="") as handle:
            rows = list(csv.DictReader(handle))
    else:
        import pyarrow.parquet as pq

        rows = pq.read_table(out).to_pylist()
    assert len(rows) == 8 and rows[0]["title"] == "Article a1"


def test_a_missing_database_is_not_created(cli, tmp_path):
    missing = tmp_path / "missing.db"
    for args in (["stats"], ["speakers"], ["quotes"], ["timeline", "X"], ["repeats"],
                 ["export", "-f", "csv", "-o", tmp_path / "x.csv"]):
        result = cli(*args, "--db", missing)
        assert result.code == 6, (args, result.err)
        assert result.err == f"saywho: error: no database at {missing}\n"
    assert not missing.exists() and not (tmp_path / "x.csv").exists()


def test_bad_arguments_are_usage_errors(cli, db, tmp_path):
    assert cli("quotes", "--db", db, "--since", "yesterday").code == 2
    assert cli("quotes", "--db", db, "--limit", "0").code == 2
    assert cli("quotes", "--db", db, "--search", "!!").code == 2
    assert cli("stats", "--db", "mysql://u@h/d").code == 2
    assert cli("export", "--db", db, "--format", "xml", "--output", tmp_path / "x").code == 2
    assert cli("export", "--db", db, "--format", "csv", "--output", tmp_path / "no" / "x.csv").code == 2
    broken = cli("stats", "--db", "postgresql://nobody@127.0.0.1:1/nothing?connect_timeout=2")
    assert broken.code == 6 and broken.err.count("\n") == 1 and "cannot connect" in broken.err


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(cli, command):
    result = cli(command, "--help")
    assert result.code == 0
    assert "--db" in result.plain and len(result.plain.split()) > 30
