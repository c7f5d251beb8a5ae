"""Reading an article: bytes from a file or standard input, checked and decoded as UTF-8.

saywho analyses plain UTF-8 text. Everything that would make a character offset ambiguous or
an analysis meaningless is refused here, with one of the exceptions of :mod:`saywho.errors`
and a one-line message that starts with the file name:

* :class:`~saywho.errors.InputNotFoundError`: the path does not exist, is a directory, or
  cannot be read (permission denied, ...).
* :class:`~saywho.errors.InputTooLargeError`: more than ``max_bytes`` bytes
  (:data:`DEFAULT_MAX_BYTES`, 50 MiB, unless told otherwise).
* :class:`~saywho.errors.EmptyInputError`: no bytes, or only whitespace.
* :class:`~saywho.errors.BinaryInputError`: a NUL byte anywhere, or a high share of control
  characters in the first 8 KiB (:data:`SNIFF_BYTES`).
* :class:`~saywho.errors.EncodingError`: not valid UTF-8; the message gives the byte offset
  (from the start of the file, BOM included) and the line where decoding failed.

The text is otherwise kept exactly as stored: the bytes are decoded, never translated, so
``\\r\\n`` line ends, tabs, non-breaking spaces and the like all stay. The one change is a
UTF-8 byte order mark (``EF BB BF``) at the very start of the input, which is dropped: **the
character offsets of every span saywho reports then count from the first character after the
BOM.** A BOM elsewhere in the text (U+FEFF) is an ordinary character and stays.
"""

from __future__ import annotations

import codecs
import os
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from saywho.errors import (
    BinaryInputError,
    EmptyInputError,
    EncodingError,
    InputNotFoundError,
    InputTooLargeError,
    InvalidInputError,
    UsageError,
)

__all__ = [
    "Article",
    "extract_html",
    "load_article",
    "DEFAULT_MAX_BYTES",
    "SNIFF_BYTES",
    "STDIN_NAME",
    "decode_article",
    "read_article",
]

#: Largest input accepted unless the caller says otherwise: 50 MiB. News articles are a few
#: kilobytes; the limit only stops a stray disk image or log file from filling the memory.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024

#: How much of the start of the input is sniffed for control characters.
SNIFF_BYTES = 8 * 1024

#: Above this share of control characters in the sniffed bytes, the input is called binary.
MAX_CONTROL_SHARE = 0.10

#: The name that messages use for standard input (``read_article("-")``).
STDIN_NAME = "<stdin>"

# C0 control bytes that never occur in a text article, and DEL. Tab, line feed, vertical
# tab, form feed and carriage return are text. (NUL is refused on its own, anywhere.)
_CONTROL_BYTES = bytes(
    [b for b in range(0x20) if b not in (0x09, 0x0A, 0x0B, 0x0C, 0x0D)] + [0x7F]
)

# Byte order marks of the encodings people most often save "plain text" in by mistake.
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def read_article(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Read the article at ``path`` and return its text.

    ``path`` ``"-"`` reads standard input (as bytes, from ``sys.stdin.buffer``); a file that
    is really called ``-`` can be read as ``./-``. See the module documentation for what is
    refused and why; a UTF-8 BOM at the start is dropped, so offsets count from after it.
    """
    _check_limit(max_bytes)
    if os.fspath(path) == "-":
        return decode_article(_read_stdin(max_bytes), name=STDIN_NAME, max_bytes=max_bytes)
    name = _display_name(os.fspath(path))
    return decode_article(_read_file(Path(path), name, max_bytes), name=name, max_bytes=max_bytes)


def decode_article(data: bytes, *, name: str, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Check and decode the bytes of an article; ``name`` starts every error message.

    The checks, in order: size, emptiness, a UTF-16/32 byte order mark, binary content,
    UTF-8 validity, whitespace-only text. A UTF-8 BOM at the very start is dropped, so the
    character offsets into the returned text count from after it.
    """
    _check_limit(max_bytes)
    if not isinstance(data, bytes):
        data = bytes(data)
    name = _display_name(name)

    size = len(data)
    if size > max_bytes:
        raise InputTooLargeError(
            f"{name}: too large: {_size(size)} is more than the limit of {_size(max_bytes)}"
        )
    if size == 0:
        raise EmptyInputError(f"{name}: empty: the input has no bytes at all")

    for bom, encoding in _WIDE_BOMS:  # UTF-32 first: its LE mark starts with UTF-16's
        if data.startswith(bom):
            raise EncodingError(
                f"{name}: not UTF-8: the file starts with a {encoding} byte order mark; "
                f"saywho reads UTF-8 only (convert it, e.g. iconv -f {encoding} -t UTF-8)"
            )

    nul = data.find(b"\x00")
    if nul != -1:
        raise BinaryInputError(
            f"{name}: looks like a binary file, not text: NUL byte at byte offset {nul}"
        )
    head = data[:SNIFF_BYTES]
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if controls and controls / len(head) > MAX_CONTROL_SHARE:
        raise BinaryInputError(
            f"{name}: looks like a binary file, not text: {controls} of the first "
            f"{len(head)} bytes are control characters"
        )

    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as error:
        offset = bom + error.start  # offset in the input as stored, BOM included
        bad = data[offset : bom + error.end]
        line = data.count(b"\n", 0, offset) + 1
        raise EncodingError(
            f"{name}: not valid UTF-8: decoding failed at byte offset {offset} (line {line}): "
            f"{error.reason} (bytes {bad.hex(' ')}); saywho reads UTF-8 only "
            f"(convert it, e.g. iconv -f WINDOWS-1252 -t UTF-8)"
        ) from None

    if not text or text.isspace():  # isspace() stops at the first other character
        what = "only a byte order mark" if not text else "only whitespace"
        raise EmptyInputError(f"{name}: empty: the input has {what}, no text")
    return text


def _read_stdin(max_bytes: int) -> bytes:
    stream = sys.stdin
    if stream is None:
        raise InputNotFoundError(f"{STDIN_NAME}: cannot read: there is no standard input")
    buffer = getattr(stream, "buffer", None)
    try:
        if buffer is None:  # a text stream without bytes underneath (a test's StringIO)
            data = stream.read().encode("utf-8")
        else:
            data = _read_at_most(buffer, max_bytes + 1)
    except OSError as error:
        raise InputNotFoundError(
            f"{STDIN_NAME}: cannot read: {error.strerror or error}"
        ) from error
    if len(data) > max_bytes:  # a pipe has no size: say only that the limit was passed
        raise InputTooLargeError(
            f"{STDIN_NAME}: too large: more than the limit of {_size(max_bytes)}"
        )
    return data


def _read_file(path: Path, name: str, max_bytes: int) -> bytes:
    try:
        with open(path, "rb") as stream:
            # A regular file says its size: refuse a huge one before reading any of it.
            size = os.fstat(stream.fileno()).st_size
            if size > max_bytes:
                raise InputTooLargeError(
                    f"{name}: too large: {_size(size)} is more than the limit of "
                    f"{_size(max_bytes)}"
                )
            # Read one byte past the limit, so that a growing file or a pipe is caught too.
            return _read_at_most(stream, max_bytes + 1)
    except FileNotFoundError:
        raise InputNotFoundError(f"{name}: not found: no such file") from None
    except IsADirectoryError:
        raise InputNotFoundError(f"{name}: cannot read: it is a directory, not a file") from None
    except NotADirectoryError:
        raise InputNotFoundError(
            f"{name}: not found: a part of the path before the file name is not a directory"
        ) from None
    except PermissionError:
        raise InputNotFoundError(f"{name}: cannot read: permission denied") from None
    except OSError as error:
        raise InputNotFoundError(f"{name}: cannot read: {error.strerror or error}") from None


def _read_at_most(stream, limit: int) -> bytes:
    """Read until end of file or ``limit`` bytes, whichever comes first."""
    chunks = []
    left = limit
    while left > 0:
        chunk = stream.read(min(left, 1 << 24))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _check_limit(max_bytes: int) -> None:
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise UsageError(f"max_bytes must be a positive whole number of bytes, not {max_bytes!r}")


def _display_name(name: str) -> str:
    """The name as given, with any control character escaped so the message stays one line."""
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in name):
        return repr(name)[1:-1]
    return name


def _size(size: int) -> str:
    """A byte count for people: ``"20.0 MiB (20,971,520 bytes)"``."""
    if size < 1024:
        return f"{size} bytes"
    value = float(size)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        value /= 1024
        if value < 1024 or unit == "TiB":
            break
    return f"{value:.1f} {unit} ({size:,} bytes)"


HTML_SUFFIXES = (".html", ".htm", ".xhtml")


@dataclass(frozen=True)
class Article:
    """An article ready for analysis: its text and what the input says about it."""

    text: str
    source: str
    title: str | None = None
    published: date | None = None
    extracted: bool = False  # True when ``text`` was extracted (from HTML), not read as is


def is_html(path: str | os.PathLike[str]) -> bool:
    return os.fspath(path).lower().endswith(HTML_SUFFIXES)


def load_article(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """Read an article from a text file or, for .html/.htm, extract its main text, title and
    publication date from the page (trafilatura). Raises the errors of ``read_article``, and
    InvalidInputError when a page holds no article text."""
    text = read_article(path, max_bytes=max_bytes)
    source = os.fspath(path)
    if not is_html(path):
        return Article(text=text, source=source)
    return extract_html(text, source=source)


def extract_html(html: str, *, source: str) -> Article:
    """The main text of an HTML page, with its title and publication date when the page's
    metadata gives them."""
    import trafilatura

    name = _display_name(source)
    try:
        extracted = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    except Exception as error:  # noqa: BLE001 - the extractor's many failure modes, one message
        raise InvalidInputError(f"{name}: cannot extract an article from this HTML page: {error}") from error
    text = getattr(extracted, "text", None) if extracted is not None else None
    if not text or not text.strip():
        raise EmptyInputError(f"{name}: the HTML page holds no article text")
    published = None
    raw_date = getattr(extracted, "date", None)
    if raw_date:
        try:
            published = date.fromisoformat(str(raw_date)[:10])
        except ValueError:
            published = None
    return Article(
        text=text,
        source=source,
        title=getattr(extracted, "title", None) or None,
        published=published,
        extracted=True,
    )
