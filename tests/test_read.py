"""Tests of saywho.read: what is accepted exactly as stored, and what is refused and how."""

from __future__ import annotations

import builtins
import io
import os
import sys
from pathlib import Path

import pytest

from saywho import read
from saywho.errors import (
    BinaryInputError,
    EmptyInputError,
    EncodingError,
    InputNotFoundError,
    InputTooLargeError,
    InvalidInputError,
    UsageError,
)
from saywho.read import DEFAULT_MAX_BYTES, STDIN_NAME, decode_article, read_article

ARTICLE = "Officials said on Tuesday that “the talks went well,” according to Reuters.\n"


def write(tmp_path: Path, data: bytes, name: str = "article.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def assert_message(error: pytest.ExceptionInfo, name: str, *words: str) -> str:
    """The message is one line, starts with the file name and says why."""
    message = str(error.value)
    assert "\n" not in message and "\r" not in message
    assert message.startswith(f"{name}: "), message
    for word in words:
        assert word in message, message
    return message


# --- accepted -------------------------------------------------------------------------------


def test_reads_utf8_text_exactly(tmp_path: Path) -> None:
    text = "First line.\r\nSecond\tline — “quoted”\u00a0Zürich.\rThird line 😀\n\n"
    path = write(tmp_path, text.encode("utf-8"))
    assert read_article(path) == text
    assert read_article(str(path)) == text


def test_keeps_harmless_control_characters(tmp_path: Path) -> None:
    text = "Page one.\fPage two.\vA bell\x07 and an escape\x1b in a long article. " * 20
    assert read_article(write(tmp_path, text.encode())) == text


def test_strips_a_leading_bom_so_offsets_count_from_after_it(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xef\xbb\xbf" + ARTICLE.encode("utf-8"))
    text = read_article(path)
    assert text == ARTICLE
    start = text.index("Reuters")
    assert text[start : start + 7] == "Reuters"


def test_keeps_a_bom_that_is_not_at_the_start(tmp_path: Path) -> None:
    text = "Before\ufeffafter.\n"
    assert read_article(write(tmp_path, text.encode("utf-8"))) == text


def test_keeps_only_one_leading_bom(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xef\xbb\xbf\xef\xbb\xbfText.")
    assert read_article(path) == "\ufeffText."


def test_accepts_a_20_mb_article(tmp_path: Path) -> None:
    line = ("The minister said the plan would work, “without any doubt”. " * 8 + "\n").encode()
    data = line * (20 * 1024 * 1024 // len(line) + 1)
    assert 20 * 1024 * 1024 <= len(data) < DEFAULT_MAX_BYTES
    text = read_article(write(tmp_path, data))
    assert len(text.encode("utf-8")) == len(data)
    assert text.endswith("doubt”. \n")


def test_accepts_an_article_of_exactly_max_bytes(tmp_path: Path) -> None:
    path = write(tmp_path, b"x" * 100)
    assert read_article(path, max_bytes=100) == "x" * 100


def test_decode_article_directly() -> None:
    assert decode_article(ARTICLE.encode(), name="mem") == ARTICLE
    assert decode_article(bytearray(b"Text."), name="mem") == "Text."


# --- standard input -------------------------------------------------------------------------


def fake_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="latin-1"))


def test_dash_reads_stdin_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "From a pipe,\r\nshe said: “yes”.\n"
    fake_stdin(monkeypatch, b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert read_article("-") == text  # decoded as UTF-8 whatever the text layer says


def test_dash_as_path_object_reads_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_stdin(monkeypatch, b"Text.")
    assert read_article(Path("-")) == "Text."


def test_stdin_errors_are_named_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_stdin(monkeypatch, b"  \n")
    with pytest.raises(EmptyInputError) as error:
        read_article("-")
    assert_message(error, STDIN_NAME, "whitespace")


def test_stdin_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_stdin(monkeypatch, b"y" * 101)
    with pytest.raises(InputTooLargeError) as error:
        read_article("-", max_bytes=100)
    assert_message(error, STDIN_NAME, "too large", "limit of 100 bytes")


def test_stdin_without_a_bytes_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("Text,\r\nas is."))
    assert read_article("-") == "Text,\r\nas is."


def test_no_stdin_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", None)
    with pytest.raises(InputNotFoundError) as error:
        read_article("-")
    assert_message(error, STDIN_NAME, "no standard input")


def test_a_file_called_dash_is_read_as_dot_slash_dash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, b"Dash file.", name="-")
    monkeypatch.chdir(tmp_path)
    assert read_article("./-") == "Dash file."


# --- not found, not readable ----------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.txt"
    with pytest.raises(InputNotFoundError) as error:
        read_article(path)
    assert_message(error, str(path), "not found")
    assert error.value.exit_code == 3


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputNotFoundError) as error:
        read_article(tmp_path)
    assert_message(error, str(tmp_path), "directory")


def test_path_through_a_file(tmp_path: Path) -> None:
    path = write(tmp_path, b"Text.") / "inner.txt"
    with pytest.raises(InputNotFoundError) as error:
        read_article(path)
    assert_message(error, str(path), "not a directory")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_permission_denied_for_real(tmp_path: Path) -> None:
    path = write(tmp_path, b"Secret.")
    path.chmod(0)
    try:
        with pytest.raises(InputNotFoundError) as error:
            read_article(path)
    finally:
        path.chmod(0o644)
    assert_message(error, str(path), "permission denied")


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Runs as root too (CI does), where chmod cannot make a file unreadable.
    path = write(tmp_path, b"Secret.")

    def refuse(file, mode="r", *args, **kwargs):
        if os.fspath(file) == os.fspath(path):
            raise PermissionError(13, "Permission denied", os.fspath(file))
        return builtins.open(file, mode, *args, **kwargs)

    monkeypatch.setattr(read, "open", refuse, raising=False)
    with pytest.raises(InputNotFoundError) as error:
        read_article(path)
    assert_message(error, str(path), "permission denied")


def test_other_os_errors(tmp_path: Path) -> None:
    path = tmp_path / ("x" * 300)  # longer than any file name may be
    with pytest.raises(InputNotFoundError) as error:
        read_article(path)
    assert_message(error, str(path), "cannot read")


def test_name_with_a_newline_stays_one_line(tmp_path: Path) -> None:
    path = tmp_path / "two\nlines.txt"
    with pytest.raises(InputNotFoundError) as error:
        read_article(path)
    assert_message(error, str(path).replace("\n", "\\n"), "not found")


# --- empty ----------------------------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path, b"")
    with pytest.raises(EmptyInputError) as error:
        read_article(path)
    assert_message(error, str(path), "empty")
    assert error.value.exit_code == 4


@pytest.mark.parametrize(
    "data", [b" ", b"\n\n\n", b" \t\r\n  \r\n", "\u00a0\u2003\n".encode(), b"\xef\xbb\xbf \n"]
)
def test_whitespace_only(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, data)
    with pytest.raises(EmptyInputError) as error:
        read_article(path)
    assert_message(error, str(path), "whitespace")


def test_bom_only(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xef\xbb\xbf")
    with pytest.raises(EmptyInputError) as error:
        read_article(path)
    assert_message(error, str(path), "byte order mark")


# --- binary ---------------------------------------------------------------------------------


def test_nul_byte(tmp_path: Path) -> None:
    path = write(tmp_path, b"Looks like text\x00but is not.")
    with pytest.raises(BinaryInputError) as error:
        read_article(path)
    assert_message(error, str(path), "binary", "offset 15")
    assert isinstance(error.value, InvalidInputError)


def test_png_header(tmp_path: Path) -> None:
    path = write(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    with pytest.raises(BinaryInputError) as error:
        read_article(path)
    assert_message(error, str(path), "binary")


def test_many_control_characters(tmp_path: Path) -> None:
    data = bytes([0x01, 0x02, 0x03, 0x1B, 0x7F]) * 50 + b"some text " * 50
    path = write(tmp_path, data)
    with pytest.raises(BinaryInputError) as error:
        read_article(path)
    assert_message(error, str(path), "binary", "control characters")


def test_control_characters_after_the_first_8_kb_are_not_sniffed(tmp_path: Path) -> None:
    data = b"a" * read.SNIFF_BYTES + b"\x01" * 2000
    assert read_article(write(tmp_path, data)) == data.decode()


# --- not UTF-8 ------------------------------------------------------------------------------


def test_latin1_says_where(tmp_path: Path) -> None:
    data = "Line one.\nThe café opened.".encode("latin-1")
    path = write(tmp_path, data)
    with pytest.raises(EncodingError) as error:
        read_article(path)
    offset = data.index(b"\xe9")
    assert_message(error, str(path), "UTF-8", f"byte offset {offset}", "line 2", "e9")
    assert error.value.exit_code == 4


def test_encoding_offset_counts_the_bom(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbfAbc\xffdef"
    path = write(tmp_path, data)
    with pytest.raises(EncodingError) as error:
        read_article(path)
    assert_message(error, str(path), "byte offset 6")


def test_truncated_multibyte_character_at_the_end(tmp_path: Path) -> None:
    data = "Ends in “quote”".encode()[:-2]
    path = write(tmp_path, data)
    with pytest.raises(EncodingError) as error:
        read_article(path)
    assert_message(error, str(path), f"byte offset {len(data) - 1}")


def test_encoded_surrogate_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, b"Text \xed\xa0\x80 here.")
    with pytest.raises(EncodingError) as error:
        read_article(path)
    assert_message(error, str(path), "byte offset 5")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_utf16_and_utf32_are_named(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path, ARTICLE.encode(encoding))  # Python writes a byte order mark
    with pytest.raises(EncodingError) as error:
        read_article(path)
    assert_message(error, str(path), encoding.upper())


# --- too large ------------------------------------------------------------------------------


def test_too_large(tmp_path: Path) -> None:
    path = write(tmp_path, b"z" * 101)
    with pytest.raises(InputTooLargeError) as error:
        read_article(path, max_bytes=100)
    assert_message(error, str(path), "too large", "101 bytes", "100 bytes")
    assert error.value.exit_code == 4


def test_too_large_is_checked_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "sparse.bin"
    with open(path, "wb") as stream:  # a sparse file: huge, but nothing written to disk
        stream.truncate(DEFAULT_MAX_BYTES + 1)
    with pytest.raises(InputTooLargeError) as error:
        read_article(path)
    assert_message(error, str(path), "too large", "50.0 MiB")


def test_decode_article_too_large() -> None:
    with pytest.raises(InputTooLargeError) as error:
        decode_article(b"abc", name="mem", max_bytes=2)
    assert_message(error, "mem", "too large")


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "10"])
def test_bad_max_bytes(tmp_path: Path, bad: object) -> None:
    with pytest.raises(UsageError):
        read_article(write(tmp_path, b"Text."), max_bytes=bad)  # type: ignore[arg-type]
