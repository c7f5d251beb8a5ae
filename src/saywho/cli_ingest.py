"""``saywho ingest``: archives of articles into a saywho database (see saywho.ingest)."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from saywho.cli import DEFAULT_MAX_SIZE_MB, app, parse_max_size
from saywho.errors import UsageError


class SummaryFormat(str, Enum):
    text = "text"
    json = "json"


class _RateColumn(ProgressColumn):
    """Articles per second."""

    def render(self, task) -> Text:  # type: ignore[override]
        speed = task.finished_speed or task.speed
        return Text("  ?  articles/s" if speed is None else f"{speed:5.1f} articles/s", style="progress.data.speed")


def _fields(value: Optional[str], option: str, defaults: tuple[str, ...]) -> tuple[str, ...]:
    if value is None:
        return defaults
    names = tuple(name.strip() for name in value.split(",") if name.strip())
    if not names:
        raise UsageError(f"{option}: give a field name")
    return names


@app.command()
def ingest(
    paths: List[Path] = typer.Argument(..., help="Files and folders: .txt, .html/.htm, .jsonl, .warc/.warc.gz."),
    db: Optional[str] = typer.Option(None, "--db", help="Database URL or SQLite file (default: saywho.db)."),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", min=1, help="Worker processes (default: the number of CPUs)."),
    text_field: Optional[str] = typer.Option(None, help="JSONL field of the text (default: text, then content, then body)."),
    title_field: Optional[str] = typer.Option(None, help="JSONL field of the title (default: title)."),
    date_field: Optional[str] = typer.Option(None, help="JSONL field of the publication date (default: published, date, publication_date)."),
    url_field: Optional[str] = typer.Option(None, help="JSONL field of the URL (default: url)."),
    limit: Optional[int] = typer.Option(None, min=1, help="Only the first N articles of the input."),
    max_size: float = typer.Option(
        DEFAULT_MAX_SIZE_MB, help="Largest article in MiB; larger ones are recorded as failed."
    ),
    no_link: bool = typer.Option(False, "--no-link", help="Do not recompute statement clusters afterwards."),
    progress: bool = typer.Option(False, "--progress", help="Show the progress bar even when stderr is not a terminal."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    format: SummaryFormat = typer.Option(SummaryFormat.text, "--format", "-f", help="Summary as text or json."),
    pool: bool = typer.Option(False, "--pool", hidden=True, help="With --workers 1, still use a worker process (benchmarks)."),
) -> None:
    """Ingest articles into the database: parallel, resumable, idempotent."""
    from saywho.ingest import (
        DEFAULT_DATE_FIELDS,
        DEFAULT_TEXT_FIELDS,
        DEFAULT_TITLE_FIELDS,
        DEFAULT_URL_FIELDS,
        IngestOptions,
        ingest as run_ingest,
    )
    from saywho.store import Store, database_url

    options = IngestOptions(
        workers=workers,
        text_fields=_fields(text_field, "--text-field", DEFAULT_TEXT_FIELDS),
        title_fields=_fields(title_field, "--title-field", DEFAULT_TITLE_FIELDS),
        date_fields=_fields(date_field, "--date-field", DEFAULT_DATE_FIELDS),
        url_fields=_fields(url_field, "--url-field", DEFAULT_URL_FIELDS),
        limit=limit,
        max_bytes=parse_max_size(max_size),
        link=not no_link,
        pool_for_one=pool,
    )
    url = database_url(db)
    show = not quiet and (progress or sys.stderr.isatty())
    with Store.open(url) as store:
        if show:
            console = Console(stderr=True)
            columns = (
                TextColumn("ingesting"),
                BarColumn(),
                MofNCompleteColumn(),
                _RateColumn(),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
            )
            with Progress(*columns, console=console, transient=False, speed_estimate_period=60) as bar:
                task = bar.add_task("ingest", total=None)
                summary = run_ingest(
                    paths,
                    store,
                    options,
                    on_total=lambda n: bar.update(task, total=n),
                    on_progress=lambda k: bar.advance(task, k),
                )
        else:
            summary = run_ingest(paths, store, options)
    data = summary.as_dict()
    if format is SummaryFormat.json:
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    out = [
        f"ingested {_count(data['articles'], 'article')} from {_count(data['inputs'], 'file')} "
        f"in {data['seconds']:.1f} s "
        f"({data['articles_per_s']:.1f} articles/s, {data['words_per_s']:,.0f} words/s, "
        f"{data['workers']} worker{'s' if data['workers'] != 1 else ''})",
        f"  added           {data['added']}",
        f"  already present {data['present']}",
        f"  failed          {data['failed']}" + (f" (and {data['failed_before']} failed before)" if data["failed_before"] else ""),
        f"  skipped         {data['skipped']} files of other types",
    ]
    if not no_link:
        out.append(f"  linked in       {data['link_seconds']:.1f} s")
    for failure in data["failures"][:20]:
        out.append(f"  failed: {failure['reason']}")
    if len(data["failures"]) > 20:
        out.append(f"  ... and {len(data['failures']) - 20} more failures")
    sys.stdout.write("\n".join(out) + "\n")


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
