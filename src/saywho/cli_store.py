"""Corpus query commands: stats, speakers, quotes, timeline, repeats, export.

They read a corpus database built by ``saywho ingest``; none of them creates one: a missing
SQLite file is an error ("no database at ..."), exit code 6.
"""

from __future__ import annotations

import json
import sys
import textwrap
from enum import Enum
from pathlib import Path
from typing import Any, Iterable, Optional

import typer

from saywho.cli import app, parse_date
from saywho.errors import UsageError

DB_HELP = (
    "The corpus database: a SQLite file or URL (sqlite:///FILE) or a PostgreSQL URL "
    "(postgresql://USER@HOST/DB). Default: saywho.db in the current folder."
)


class TextOrJson(str, Enum):
    text = "text"
    json = "json"


class ListFormat(str, Enum):
    text = "text"
    json = "json"
    jsonl = "jsonl"


class ExportFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


def _open(db: Optional[str]):
    from saywho.store import Store

    return Store.open(db, create=False)


def _default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _dump(value: Any, indent: int | None = 1) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent, default=_default)


def _emit(items: list[Any], format: ListFormat, render) -> None:
    if format == ListFormat.json:
        sys.stdout.write(_dump(items) + "\n")
    elif format == ListFormat.jsonl:
        for item in items:
            sys.stdout.write(_dump(item, indent=None) + "\n")
    else:
        render(items)


def _check_limit(limit: Optional[int]) -> None:
    if limit is not None and limit < 1:
        raise UsageError(f"--limit: '{limit}' is not a positive number")


def _day(value: Any) -> str:
    return value.isoformat() if value is not None else "undated   "


def _quote_lines(text: str, indent: str = "    ") -> str:
    return textwrap.indent(textwrap.fill(f"“{' '.join(text.split())}”", 96), indent)


def _where(item: dict[str, Any]) -> str:
    return item.get("title") or item.get("source") or item.get("document_id") or ""


@app.command()
def stats(
    db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    format: TextOrJson = typer.Option(TextOrJson.text, "--format", "-f", help="text or json."),
) -> None:
    """Count what the corpus database holds: documents, attributions, speakers, statement
    clusters and failed inputs."""
    with _open(db) as store:
        counts = store.stats()
    if format == TextOrJson.json:
        sys.stdout.write(_dump(counts) + "\n")
        return
    width = max(len(k) for k in counts)
    for key, value in counts.items():
        sys.stdout.write(f"{key:<{width}}  {value}\n")


@app.command("speakers")
def speakers_command(
    db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    limit: Optional[int] = typer.Option(None, "--limit", "-n", help="Show at most N speakers."),
    format: ListFormat = typer.Option(ListFormat.text, "--format", "-f", help="text, json or jsonl."),
) -> None:
    """List the speakers of the corpus (names linked across articles), most statements first,
    with their counts and first and last publication dates."""
    _check_limit(limit)
    with _open(db) as store:
        found = store.speakers(limit=limit)

    def render(items: list[dict[str, Any]]) -> None:
        if not items:
            sys.stdout.write("no speakers in the database\n")
            return
        for s in items:
            span = f"{_day(s['first'])} – {_day(s['last'])}"
            line = f"{s['attributions']:>6} statements  {s['documents']:>5} documents  {span}  {s['name']}"
            if s["type"]:
                line += f" ({s['type']})"
            if s["aliases"]:
                line += f"  also: {', '.join(s['aliases'])}"
            sys.stdout.write(line + "\n")

    _emit(found, format, render)


def _render_statements(items: Iterable[dict[str, Any]]) -> None:
    any_item = False
    for q in items:
        any_item = True
        who = q["speaker"] or q["speaker_text"] or "?"
        extra = []
        if q.get("cluster_id"):
            extra.append(
                f"first appearance of {q['cluster_id']}"
                if q["first_appearance"]
                else f"repeats {q['cluster_id']} (first: {q['first_appearance_id']})"
            )
        if q.get("changed_words"):
            extra.append("changed: " + ", ".join(q["changed_words"]))
        if q.get("reported_by"):
            extra.append(f"reported by {q['reported_by']}")
        suffix = f"  [{'; '.join(extra)}]" if extra else ""
        sys.stdout.write(f"{_day(q['published'])}  {who} — {_where(q)}{suffix}\n{_quote_lines(q['content_text'])}\n")
    if not any_item:
        sys.stdout.write("no statements found\n")


@app.command()
def quotes(
    db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    speaker: Optional[str] = typer.Option(
        None, "--speaker", "-s", help="Only statements of this speaker (any name linked to them)."
    ),
    since: Optional[str] = typer.Option(None, "--since", help="Only articles published on or after YYYY-MM-DD."),
    search: Optional[str] = typer.Option(
        None, "--search", "-q", help='Full-text search in the statements: every word must occur; "quote" a phrase.'
    ),
    limit: Optional[int] = typer.Option(None, "--limit", "-n", help="Show at most N statements."),
    format: ListFormat = typer.Option(ListFormat.text, "--format", "-f", help="text, json or jsonl."),
) -> None:
    """List attributed statements by publication date, filtered by speaker, date and words."""
    _check_limit(limit)
    since_date = parse_date(since, "--since")
    with _open(db) as store:
        found = store.quotes(speaker=speaker, since=since_date, search=search, limit=limit)
    _emit(found, format, _render_statements)


@app.command()
def timeline(
    name: str = typer.Argument(..., help="The speaker: a full name or any name linked to it."),
    db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    format: ListFormat = typer.Option(ListFormat.text, "--format", "-f", help="text, json or jsonl."),
) -> None:
    """Show what one speaker said over time, by date, marking statements that repeat an
    earlier one (and where it first appeared)."""
    with _open(db) as store:
        found = store.timeline(name)
    if found is None:
        if format == ListFormat.json:
            sys.stdout.write(_dump({"speaker": None, "aliases": [], "statements": []}) + "\n")
        elif format == ListFormat.text:
            sys.stdout.write(f"no speaker named '{name}' in the database\n")
        return
    if format == ListFormat.json:
        sys.stdout.write(_dump(found) + "\n")
    elif format == ListFormat.jsonl:
        for statement in found["statements"]:
            sys.stdout.write(_dump(statement, indent=None) + "\n")
    else:
        header = found["speaker"]
        if found["aliases"]:
            header += f" (also: {', '.join(found['aliases'])})"
        sys.stdout.write(f"{header}: {len(found['statements'])} statements\n\n")
        _render_statements(found["statements"])


@app.command()
def repeats(
    db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    limit: Optional[int] = typer.Option(None, "--limit", "-n", help="Show at most N clusters."),
    format: ListFormat = typer.Option(ListFormat.text, "--format", "-f", help="text, json or jsonl."),
) -> None:
    """List statements repeated across articles (largest clusters first): where each first
    appeared, every later appearance, and the words changed in altered versions."""
    _check_limit(limit)
    with _open(db) as store:
        found = store.repeats(limit=limit)

    def render(items: list[dict[str, Any]]) -> None:
        if not items:
            sys.stdout.write("no repeated statements (run `saywho ingest` to link them)\n")
            return
        for number, cluster in enumerate(items):
            if number:
                sys.stdout.write("\n")
            first = cluster["first"] or {}
            who = "same speaker" if cluster["same_speaker"] else "several speakers"
            sys.stdout.write(
                f"{cluster['id']}: {cluster['size']} appearances, {cluster['altered']} altered, {who}\n"
                f"  first: {_day(first.get('published'))}  {first.get('speaker') or first.get('speaker_text') or '?'}"
                f" — {_where(first)}\n{_quote_lines(first.get('content_text', ''), '    ')}\n"
            )
            for member in cluster["members"]:
                if member["id"] == first.get("id"):
                    continue
                mark = "altered" if member["changed_words"] else "same"
                changed = f" (changed: {', '.join(member['changed_words'])})" if member["changed_words"] else ""
                sys.stdout.write(
                    f"  {mark:<7} {_day(member['published'])}  {member['speaker'] or member['speaker_text'] or '?'}"
                    f" — {_where(member)}{changed}\n"
                )
                if member["changed_words"]:
                    sys.stdout.write(_quote_lines(member["content_text"], "    ") + "\n")

    _emit(found, format, render)


@app.command()
def export(
    format: ExportFormat = typer.Option(..., "--format", "-f", help="jsonl, csv or parquet."),
    output: Path = typer.Option(..., "--output", "-o", help="The file to write (replaced whole, or not at all)."),
    db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Export every attribution, one row each, with its document's metadata and its cluster
    (JSON-valued fields are JSON strings in CSV and Parquet)."""
    with _open(db) as store:
        rows = store.export(format.value, output)
    sys.stderr.write(f"saywho: wrote {rows} attributions to {output}\n")
