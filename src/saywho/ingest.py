"""Ingesting archives: many articles from files, folders, JSONL and WARC into a saywho store.

The work is split between one main process and N worker processes:

* The **main process** lists the inputs (:func:`find_inputs`), turns them into *items* in input
  order (:func:`iter_items`: one per .txt/.html file, one per JSONL line, one per HTML response
  of a WARC archive), drops those already settled by an earlier run, sends the rest to the
  workers in small chunks, and writes the results to the store **in input order**, one
  transaction per document. It is the only process that touches the database.
* Each **worker** loads the spaCy pipeline once, reads and decodes its items (files are read
  by the worker, not by the main process), extracts HTML, skips texts whose content hash is
  already stored, and analyses the rest with :func:`saywho.core.analyze_many`.

Every article has an ``order`` key, ``f"{input_index:06d}/{record_index:09d}"``: the position
of its file in the sorted, de-duplicated list of inputs, and its position in the file (0 for a
.txt or .html file, the 1-based line number in a JSONL file, the record number in a WARC
archive). Because results are written in that order whatever the number of workers, and a
document is keyed by the hash of its text, a run that is killed (even with ``kill -9``) and
started again ends with the same database as an uninterrupted run.

A bad article never stops a run: it is recorded with ``Store.add_failure(source, order,
reason)`` and counted in the summary.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence

from saywho.errors import InputNotFoundError, SaywhoError, UsageError
from saywho.model import document_id
from saywho.read import decode_article, extract_html, read_article

__all__ = [
    "IngestOptions",
    "IngestSummary",
    "Item",
    "count_articles",
    "find_inputs",
    "ingest",
    "input_kind",
    "iter_items",
    "order_key",
]

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
JSONL_SUFFIXES = (".jsonl",)
WARC_SUFFIXES = (".warc", ".warc.gz")

DEFAULT_TEXT_FIELDS = ("text", "content", "body")
DEFAULT_TITLE_FIELDS = ("title",)
DEFAULT_DATE_FIELDS = ("published", "date", "publication_date")
DEFAULT_URL_FIELDS = ("url",)

#: Largest article accepted by default: 10 MiB (as ``saywho analyze``). News articles are a few
#: kilobytes; a bigger "article" is a stray log or dump, failed at once, not parsed for minutes.
INGEST_MAX_BYTES = 10 * 1024 * 1024

#: A chunk sent to a worker closes at this many articles or this many bytes of input.
CHUNK_ITEMS = 8
CHUNK_BYTES = 256 * 1024
#: Chunks in flight per worker (bounds the memory the main process holds).
CHUNKS_PER_WORKER = 3


def order_key(input_index: int, record_index: int) -> str:
    """The sortable ingestion-order key of an article."""
    return f"{input_index:06d}/{record_index:09d}"


def input_kind(path: str | os.PathLike[str]) -> str | None:
    """'text', 'html', 'jsonl' or 'warc' from the file name; None for other files."""
    name = os.fspath(path).lower()
    if name.endswith(TEXT_SUFFIXES):
        return "text"
    if name.endswith(HTML_SUFFIXES):
        return "html"
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(WARC_SUFFIXES):
        return "warc"
    return None


@dataclass
class IngestOptions:
    """How to read the inputs and how to run."""

    workers: int | None = None  # None: the number of CPUs
    text_fields: Sequence[str] = DEFAULT_TEXT_FIELDS
    title_fields: Sequence[str] = DEFAULT_TITLE_FIELDS
    date_fields: Sequence[str] = DEFAULT_DATE_FIELDS
    url_fields: Sequence[str] = DEFAULT_URL_FIELDS
    limit: int | None = None  # only the first N articles of the input
    max_bytes: int = INGEST_MAX_BYTES  # per article
    link: bool = True  # Store.relink() at the end
    pool_for_one: bool = False  # with workers=1, still use one worker process

    def worker_count(self) -> int:
        if self.workers is None:
            try:
                return max(1, len(os.sched_getaffinity(0)))
            except (AttributeError, OSError):  # not on Linux
                return max(1, os.cpu_count() or 1)
        if self.workers < 1:
            raise UsageError(f"--workers: {self.workers} is not a positive number of workers")
        return self.workers


@dataclass
class IngestSummary:
    """What a run did. ``articles`` counts every article of the input the run looked at."""

    added: int = 0  # documents newly stored
    present: int = 0  # texts already stored (by an earlier run, or earlier in this one)
    failed: int = 0  # failures newly recorded
    failed_before: int = 0  # articles skipped because an earlier run recorded them as failed
    skipped: int = 0  # files of other types
    inputs: int = 0  # files read
    words: int = 0  # words of the documents analysed
    seconds: float = 0.0  # ingestion, without the linking
    link_seconds: float = 0.0
    workers: int = 1
    failures: list[tuple[str, str]] = field(default_factory=list)  # (source, reason), this run

    @property
    def articles(self) -> int:
        return self.added + self.present + self.failed + self.failed_before

    def as_dict(self) -> dict[str, Any]:
        seconds = self.seconds or 1e-9
        out = asdict(self)
        out["failures"] = [{"source": s, "reason": r} for s, r in self.failures]
        out["articles"] = self.articles
        out["seconds"] = round(self.seconds, 3)
        out["link_seconds"] = round(self.link_seconds, 3)
        out["articles_per_s"] = round(self.articles / seconds, 2)
        out["words_per_s"] = round(self.words / seconds, 1)
        return out


# -- Inputs ---------------------------------------------------------------------------------


def _hidden(name: str) -> bool:
    return name.startswith(".")


def find_inputs(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[str], list[str]]:
    """The files to ingest (sorted, de-duplicated) and the files skipped (other types).

    Folders are walked recursively; hidden files and folders inside them are left out. A path
    that does not exist raises InputNotFoundError before anything is read.
    """
    found: dict[str, str] = {}  # real path -> path as shown
    skipped: dict[str, str] = {}
    for given in paths:
        path = os.fspath(given)
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not _hidden(d))
                for name in files:
                    if not _hidden(name):
                        _add(os.path.join(root, name), found, skipped)
        elif os.path.exists(path):
            _add(path, found, skipped)
        else:
            raise InputNotFoundError(f"{path}: not found: no such file or folder")
    inputs = sorted(set(found.values()))
    return inputs, sorted(set(skipped.values()) - set(inputs))


def _add(path: str, found: dict[str, str], skipped: dict[str, str]) -> None:
    key = os.path.realpath(path)
    target = found if input_kind(path) else skipped
    if key not in target or path < target[key]:
        target[key] = path


@dataclass(slots=True)
class Item:
    """One article to settle, as sent to a worker."""

    order: str
    source: str
    kind: str  # 'text' / 'html' (a file: data is None), 'json' (a line), 'warc' (a payload), 'fail'
    data: bytes | None = None
    hints: dict[str, Any] | None = None  # url, date, charset (WARC); the failure reason ('fail')
    size: int = 0


def iter_items(
    inputs: Sequence[str],
    options: IngestOptions,
    *,
    skip_orders: set[str] | frozenset[str] = frozenset(),
    on_skip: Callable[[Item], None] | None = None,
) -> Iterator[Item]:
    """The articles of the inputs, in order. Items whose order is in ``skip_orders`` are not
    yielded (``on_skip`` is called for them); ``options.limit`` stops after N articles."""
    seen = 0
    for input_index, path in enumerate(inputs):
        for item in _file_items(input_index, path, options):
            if options.limit is not None and seen >= options.limit:
                return
            seen += 1
            if item.order in skip_orders:
                if on_skip is not None:
                    on_skip(item)
                continue
            yield item


def _failure(order: str, source: str, reason: str) -> Item:
    return Item(order, source, "fail", hints={"reason": reason})


def _file_items(index: int, path: str, options: IngestOptions) -> Iterator[Item]:
    kind = input_kind(path)
    first = order_key(index, 0)
    try:
        size = os.stat(path).st_size
    except OSError as error:
        yield _failure(first, path, f"{path}: cannot read: {error.strerror or error}")
        return
    if size == 0:
        yield _failure(first, path, f"{path}: empty: the input has no bytes at all")
        return
    if kind in ("text", "html"):
        if size > options.max_bytes:
            yield _failure(first, path, _too_large(path, size, options.max_bytes))
        else:
            yield Item(first, path, kind, size=size)
    elif kind == "jsonl":
        yield from _jsonl_items(index, path, options)
    elif kind == "warc":
        yield from _warc_items(index, path, options)


def _too_large(name: str, size: int | None, limit: int) -> str:
    if size is None:
        return f"{name}: too large: more than the limit of {limit:,} bytes"
    return f"{name}: too large: {size:,} bytes is more than the limit of {limit:,} bytes"


def _jsonl_items(index: int, path: str, options: IngestOptions) -> Iterator[Item]:
    articles = 0
    try:
        with open(path, "rb") as stream:
            number = 0
            while True:
                line = stream.readline(options.max_bytes + 1)
                if not line:
                    break
                number += 1
                source = f"{path}#L{number}"
                if len(line) > options.max_bytes and not line.endswith(b"\n"):
                    length = len(line)
                    while True:  # skip the rest of the line without keeping it
                        rest = stream.readline(1 << 20)
                        length += len(rest)
                        if not rest or rest.endswith(b"\n"):
                            break
                    articles += 1
                    yield _failure(order_key(index, number), source, _too_large(source, length, options.max_bytes))
                    continue
                if not line.strip():
                    continue
                articles += 1
                yield Item(order_key(index, number), source, "json", data=line, size=len(line))
    except OSError as error:
        yield _failure(order_key(index, 0), path, f"{path}: cannot read: {error.strerror or error}")
        return
    if not articles:
        yield _failure(order_key(index, 0), path, f"{path}: empty: no JSON lines")


def _warc_items(index: int, path: str, options: IngestOptions) -> Iterator[Item]:
    from warcio.archiveiterator import ArchiveIterator

    number = 0
    position = 0  # where the record being read starts (compressed offset)
    try:
        with open(path, "rb") as stream:
            records = ArchiveIterator(stream)
            for record in records:
                # ``number`` is the index of the record being read; it moves on only once the
                # record is read whole, so a failure is recorded under the record it hit.
                payload, hints = _warc_payload(record, options)
                position = records.get_record_offset()  # (reads the record to its end)
                source = f"{path}#{position}"
                if getattr(record.raw_stream, "limit", 0) > 0:  # warcio says nothing of it
                    raise _Truncated(f"the record ends {record.raw_stream.limit} bytes early")
                order = order_key(index, number)
                number += 1
                position += records.get_record_length()
                if hints is None:
                    continue
                if payload is None:
                    yield _failure(order, source, _too_large(source, None, options.max_bytes))
                else:
                    yield Item(order, source, "warc", data=payload, hints=hints, size=len(payload))
            # A truncated gzip member is dropped by warcio without a word: look for leftovers.
            stream.seek(position)
            rest = stream.read(4096)
            if rest.strip():
                raise _Truncated(f"{len(rest):,}{'+' if len(rest) == 4096 else ''} bytes after the last "
                                 "complete record cannot be read")
    except Exception as error:  # noqa: BLE001 - warcio's and zlib's many ways to say "broken"
        message = " ".join(str(error).split()) or type(error).__name__
        yield _failure(
            order_key(index, number),
            f"{path}#{position}",
            f"{path}#{position}: broken WARC archive: record {number} cannot be read: "
            + (f"truncated: {message}" if isinstance(error, _Truncated) else f"{type(error).__name__}: {message}"),
        )


class _Truncated(Exception):
    """A WARC archive that stops in the middle of a record."""


def _warc_payload(record: Any, options: IngestOptions) -> tuple[bytes | None, dict[str, Any] | None]:
    """The HTML of a response record (None when too large) and its hints; (None, None) for
    other records."""
    if record.rec_type != "response" or record.http_headers is None:
        return None, None
    content_type = record.http_headers.get_header("Content-Type") or ""
    if "html" not in content_type.lower():
        return None, None
    hints = {
        "url": record.rec_headers.get_header("WARC-Target-URI"),
        "date": record.rec_headers.get_header("WARC-Date"),
        "charset": _charset(content_type),
    }
    payload = record.content_stream().read(options.max_bytes + 1)
    return (None if len(payload) > options.max_bytes else payload), hints


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'").lower()
    return None


def count_articles(inputs: Sequence[str], options: IngestOptions) -> int:
    """How many articles :func:`iter_items` will go through, for a progress bar's total (a
    quick pass over the JSONL and WARC files, with no analysis)."""
    total = 0
    for index, path in enumerate(inputs):
        if input_kind(path) in ("jsonl", "warc"):
            total += sum(1 for _ in _file_items(index, path, options))
        else:
            total += 1
        if options.limit is not None and total >= options.limit:
            return options.limit
    return total


# -- Workers --------------------------------------------------------------------------------

_STATE: dict[str, Any] = {}


def _init_worker(known: frozenset[str], options: IngestOptions, in_process: bool = False) -> None:
    """Set up a worker: the stored ids, the options, the spaCy pipeline (loaded once)."""
    if not in_process:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C
        _watch_parent()
    from saywho.nlp import load_pipeline

    _STATE.update(known=known, options=options, nlp=load_pipeline())


def _watch_parent() -> None:
    """Exit when the main process is gone (killed with kill -9, it cannot stop its workers)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="saywho-parent-watch", daemon=True).start()


def _parse_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _first(record: dict, names: Sequence[str]) -> Any:
    for name in names:
        value = record.get(name)
        if value is not None and value != "":
            return value
    return None


def _text_field(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _html_metadata(html: str) -> dict[str, Any]:
    """Author, site and canonical URL from the page's metadata (trafilatura)."""
    try:
        import trafilatura

        metadata = trafilatura.extract_metadata(html)
    except Exception:  # noqa: BLE001 - metadata is a bonus: never fail an article for it
        return {}
    if metadata is None:
        return {}
    return {
        "author": _text_field(getattr(metadata, "author", None)),
        "site": _text_field(getattr(metadata, "sitename", None)),
        "url": _text_field(getattr(metadata, "url", None)),
    }


def _from_html(html: str, source: str) -> tuple[str, dict[str, Any]]:
    article = extract_html(html, source=source)
    meta = _html_metadata(html)
    meta.update(title=article.title, published=article.published)
    return article.text, meta


def _decode_html(data: bytes, source: str, charset: str | None, options: IngestOptions) -> str:
    if charset and charset.replace("-", "").replace("_", "") not in ("utf8", "usascii", "ascii"):
        try:
            html = data.decode(charset)
        except (LookupError, UnicodeDecodeError) as error:
            raise SaywhoError(f"{source}: cannot decode the page as {charset}: {error}") from None
        if not html.strip():
            raise SaywhoError(f"{source}: empty: the page has no text")
        return html
    return decode_article(data, name=source, max_bytes=options.max_bytes)


def _prepare(item: Item, options: IngestOptions) -> tuple[str, dict[str, Any]]:
    """The text of an item and its metadata (title, published, author, site, url)."""
    if item.kind == "text":
        return read_article(item.source, max_bytes=options.max_bytes), {}
    if item.kind == "html":
        return _from_html(read_article(item.source, max_bytes=options.max_bytes), item.source)
    if item.kind == "warc":
        hints = item.hints or {}
        html = _decode_html(item.data or b"", item.source, hints.get("charset"), options)
        text, meta = _from_html(html, item.source)
        meta["url"] = hints.get("url") or meta.get("url")
        meta["published"] = meta.get("published") or _parse_date(hints.get("date"))
        return text, meta
    if item.kind == "json":
        return _from_json(item, options)
    raise SaywhoError(f"{item.source}: unknown kind of input {item.kind!r}")


def _from_json(item: Item, options: IngestOptions) -> tuple[str, dict[str, Any]]:
    try:
        record = json.loads(item.data or b"")
    except UnicodeDecodeError as error:
        raise SaywhoError(f"{item.source}: not valid UTF-8: {error.reason} at byte {error.start}") from None
    except json.JSONDecodeError as error:
        raise SaywhoError(f"{item.source}: not JSON: {error.msg} (column {error.colno})") from None
    if not isinstance(record, dict):
        raise SaywhoError(f"{item.source}: not a JSON object but a {type(record).__name__}")
    fields = "/".join(options.text_fields)
    value = _first(record, options.text_fields)
    if value is None:
        raise SaywhoError(f"{item.source}: no text: the object has no field {fields}")
    if not isinstance(value, str):
        raise SaywhoError(f"{item.source}: no text: the field {fields} is a {type(value).__name__}, not a string")
    # The same checks as for a file (empty, binary, too large), on the UTF-8 bytes.
    text = decode_article(value.encode("utf-8", "surrogatepass"), name=item.source, max_bytes=options.max_bytes)
    title = _first(record, options.title_fields)
    url = _first(record, options.url_fields)
    meta = {
        "title": _text_field(title),
        "published": _parse_date(_first(record, options.date_fields)),
        "url": _text_field(url),
        "author": _text_field(record.get("author")),
        "site": _text_field(record.get("site")),
    }
    return text, meta


def _reason(error: BaseException) -> str:
    message = " ".join(str(error).split())
    if isinstance(error, SaywhoError):
        return message or type(error).__name__
    return f"internal error: {type(error).__name__}: {message}"


def process_chunk(items: Sequence[Item]) -> list[tuple]:
    """Settle a chunk of items in a worker. One result per item, in order:
    ``("doc", order, source, document, text, meta)``, ``("present", order, source, id)`` or
    ``("fail", order, source, reason)``."""
    from saywho.core import analyze, analyze_many

    options: IngestOptions = _STATE["options"]
    known: frozenset[str] = _STATE["known"]
    nlp = _STATE["nlp"]
    results: list[tuple | None] = []
    pending: list[tuple[int, str, dict[str, Any]]] = []
    for item in items:
        if item.kind == "fail":
            results.append(("fail", item.order, item.source, (item.hints or {}).get("reason", "failed")))
            continue
        try:
            text, meta = _prepare(item, options)
        except Exception as error:  # noqa: BLE001 - every failure is recorded, none stops the run
            results.append(("fail", item.order, item.source, _reason(error)))
            continue
        doc_id = document_id(text)
        if doc_id in known:
            results.append(("present", item.order, item.source, doc_id))
            continue
        pending.append((len(results), text, meta))
        results.append(None)

    documents: list[Any] = []
    if pending:
        try:
            documents = analyze_many([text for _, text, _ in pending], nlp=nlp)
        except Exception:  # noqa: BLE001 - find the article that broke the batch
            documents = []
            for _, text, _ in pending:
                try:
                    documents.append(analyze(text, nlp=nlp))
                except Exception as error:  # noqa: BLE001
                    documents.append(error)
    for (position, text, meta), document in zip(pending, documents):
        item = items[position]
        if isinstance(document, BaseException):
            results[position] = ("fail", item.order, item.source, _reason(document))
            continue
        document.source = item.source
        document.title = meta.get("title")
        document.published = meta.get("published")
        results[position] = ("doc", item.order, item.source, document, text, meta)
    return results  # type: ignore[return-value]


# -- Running --------------------------------------------------------------------------------


def _chunks(items: Iterable[Item]) -> Iterator[list[Item]]:
    chunk: list[Item] = []
    size = 0
    for item in items:
        chunk.append(item)
        size += item.size
        if len(chunk) >= CHUNK_ITEMS or size >= CHUNK_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


class _InProcess:
    """``--workers 1``: everything in this process, one chunk after the other."""

    def __init__(self, known: frozenset[str], options: IngestOptions) -> None:
        _init_worker(known, options, in_process=True)

    def run(self, chunks: Iterable[list[Item]]) -> Iterator[list[tuple]]:
        for chunk in chunks:
            yield process_chunk(chunk)

    def close(self, cancel: bool = False) -> None:
        _STATE.clear()


class _Pool:
    """N worker processes; results come back in the order the chunks were sent."""

    def __init__(self, workers: int, known: frozenset[str], options: IngestOptions) -> None:
        from saywho.nlp import installed_model

        installed_model()  # no pipeline installed: say so now, not through dying workers
        self.workers = workers
        self.args = (known, options)
        self.executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        # spawn: a fresh interpreter per worker, no forked copies of threads or of spaCy state
        context = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(self.workers, mp_context=context, initializer=_init_worker, initargs=self.args)

    def run(self, chunks: Iterable[list[Item]]) -> Iterator[list[tuple]]:
        window: deque[tuple[list[Item], Any]] = deque()
        limit = self.workers * CHUNKS_PER_WORKER
        chunks = iter(chunks)
        exhausted = False
        while True:
            while not exhausted and len(window) < limit:
                chunk = next(chunks, None)
                if chunk is None:
                    exhausted = True
                    break
                window.append((chunk, self.executor.submit(process_chunk, chunk)))
            if not window:
                return
            chunk, future = window[0]
            try:
                results = future.result()
            except BrokenProcessPool:
                # A worker died (killed, out of memory, a crash in a library): settle the
                # unfinished chunks one article at a time in a fresh pool, so that only the
                # article that kills a worker is recorded as failed.
                pending = [item for chunk, _ in window for item in chunk]
                window.clear()
                self._restart()
                yield from self._one_by_one(pending)
                continue
            window.popleft()
            yield results

    def _restart(self) -> None:
        self.close(cancel=True)
        self.executor = self._start()

    def _one_by_one(self, items: list[Item]) -> Iterator[list[tuple]]:
        deaths = 0
        for item in items:
            try:
                results = self.executor.submit(process_chunk, [item]).result()
            except BrokenProcessPool as error:
                deaths += 1
                if deaths >= 3:  # not one bad article: the workers cannot run at all
                    raise SaywhoError(f"the worker processes keep dying ({error}); try --workers 1") from None
                self._restart()
                yield [("fail", item.order, item.source, f"{item.source}: the worker process died analysing it")]
                continue
            deaths = 0
            yield results

    def close(self, cancel: bool = False) -> None:
        if cancel:
            processes = list((getattr(self.executor, "_processes", None) or {}).values())
            self.executor.shutdown(wait=False, cancel_futures=True)
            for process in processes:  # our own workers: stop them now, not after their chunk
                if process.is_alive():
                    process.terminate()
            for process in processes:
                process.join(5)
        else:
            self.executor.shutdown(wait=True)


def _meta(source: str, order: str, meta: dict[str, Any]):
    from saywho.store import DocumentMeta

    return DocumentMeta(
        source=source,
        order=order,
        title=meta.get("title"),
        published=meta.get("published"),
        author=meta.get("author"),
        site=meta.get("site"),
        url=meta.get("url"),
    )


def ingest(
    paths: Iterable[str | os.PathLike[str]],
    store: Any,
    options: Optional[IngestOptions] = None,
    *,
    on_total: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> IngestSummary:
    """Ingest the articles under ``paths`` into ``store`` (a :class:`saywho.store.Store`).

    ``on_total(n)``, when given, receives the number of articles first (a quick counting pass
    is made for it); ``on_progress(k)`` is called as each k more articles are settled.
    """
    options = options or IngestOptions()
    workers = options.worker_count()
    started = time.perf_counter()
    inputs, skipped = find_inputs(paths)
    summary = IngestSummary(skipped=len(skipped), inputs=len(inputs), workers=workers)
    if on_total is not None:
        on_total(count_articles(inputs, options))
    known = frozenset(store.known_documents())
    failed_before = set(store.known_failures())

    def skip(item: Item) -> None:
        summary.failed_before += 1
        if on_progress is not None:
            on_progress(1)

    items = iter_items(inputs, options, skip_orders=failed_before, on_skip=skip)
    if workers == 1 and not options.pool_for_one:
        runner: _InProcess | _Pool = _InProcess(known, options)
    else:
        runner = _Pool(workers, known, options)
    clean = False
    try:
        for results in runner.run(_chunks(items)):
            for result in results:
                _write(store, result, summary)
            if on_progress is not None:
                on_progress(len(results))
        clean = True
    finally:
        runner.close(cancel=not clean)
    summary.seconds = time.perf_counter() - started
    if options.link:
        started = time.perf_counter()
        store.relink()
        summary.link_seconds = time.perf_counter() - started
    return summary


def _write(store: Any, result: tuple, summary: IngestSummary) -> None:
    kind, order, source = result[:3]
    if kind == "doc":
        document, text, meta = result[3:]
        summary.words += document.words
        try:
            added = store.add_document(document, text, _meta(source, order, meta))
        except SaywhoError as error:
            _fail(store, source, order, f"{source}: cannot store: {_reason(error)}", summary)
            return
        if added:
            summary.added += 1
        else:
            summary.present += 1
    elif kind == "present":
        summary.present += 1
    else:
        _fail(store, source, order, result[3], summary)


def _fail(store: Any, source: str, order: str, reason: str, summary: IngestSummary) -> None:
    reason = " ".join(reason.split())
    store.add_failure(source, order, reason)
    summary.failed += 1
    summary.failures.append((source, reason))
