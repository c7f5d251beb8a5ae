"""The saywho command line: exit codes, one-line errors, output formats, schema and docs.

Most tests run the CLI in-process through the ``cli`` fixture (tests/conftest.py), which
shares the spaCy pipeline between tests; the few subprocess tests check the installed
``saywho`` entry point itself.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import typer.main

from saywho.cli import app
from saywho.model import Document, json_schema

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "belarus-own-weapons.txt"
GOLD = ROOT / "examples" / "belarus-own-weapons.gold.json"
SCHEMA_FILE = ROOT / "schema" / "document.schema.json"
README = ROOT / "README.md"
SAYWHO_BIN = Path(sys.executable).parent / "saywho"
MIB = 1024 * 1024

ARTICLE_A = (
    '"The plan will fail," said John Smith, the mayor of Springfield.\n'
    "\n"
    "The council will vote on Tuesday, Smith told reporters.\n"
)
ARTICLE_B = (
    "“Taxes will rise next year,” Mary Jones, the finance minister, said on Monday.\n"
    "\n"
    "Analysts said the economy was slowing.\n"
)
# Opening quote marks that never close, stray closing ones, mixed styles.
UNBALANCED = (
    "“The plan will fail, said John Smith, the mayor of Springfield.\n"
    "\n"
    '“Nobody knows “what comes next, the mayor added. "And more " " “ ‘ « ”\n'
    "“\n"
    "Critics said the “plan was flawed.\n"
    "«\n"
)


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def assert_one_line_error(result, code: int, *words: str) -> str:
    """The run failed with ``code`` and said why in one line starting ``saywho: error:``."""
    assert result.code == code, (result.code, result.err)
    assert "Traceback" not in result.err, result.err
    assert result.err.endswith("\n") and result.err.count("\n") == 1, repr(result.err)
    assert result.err.startswith("saywho: error: "), result.err
    for word in words:
        assert word in result.err, (word, result.err)
    return result.err


def validate(data: dict) -> Document:
    """Check one JSON document against schema/document.schema.json.

    With ``jsonschema`` installed it validates against the schema file itself; without it
    (it is not a dependency) the JSON is round-tripped through the pydantic model the schema
    is generated from, and its keys are checked against the schema file's.
    """
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    try:
        import jsonschema
    except ImportError:
        pass
    else:
        jsonschema.Draft202012Validator(schema).validate(data)
    document = Document.model_validate(data)
    assert document.model_dump(mode="json") == data
    assert set(schema["required"]) <= set(data) <= set(schema["properties"])
    return document


def assert_spans_inside(document: Document, text: str) -> None:
    for attribution in document.attributions:
        for start, end in attribution.spans():
            assert 0 <= start <= end <= len(text), (start, end, len(text))
        assert attribution.content_text == " … ".join(text[s:e] for s, e in attribution.content)


# --- bad input: exit code and one line on stderr ---------------------------------------


@pytest.mark.parametrize(
    "data, words",
    [
        (b"", ["empty"]),
        (b"  \n\t \r\n  ", ["empty", "whitespace"]),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ["binary", "NUL"]),
        ("Le café était fermé, a déclaré le maire.\n".encode("latin-1"), ["UTF-8", "line 1"]),
    ],
    ids=["empty", "whitespace", "binary", "latin-1"],
)
def test_unreadable_article_is_refused(cli, tmp_path, data, words):
    path = write(tmp_path, "article.txt", data)
    result = cli("analyze", path)
    assert_one_line_error(result, 4, str(path), *words)
    assert result.out == ""


def test_missing_path(cli, tmp_path):
    result = cli("analyze", tmp_path / "nope.txt")
    assert_one_line_error(result, 3, "nope.txt", "not found")
    assert result.out == ""


def test_directory_as_path(cli, tmp_path):
    result = cli("analyze", tmp_path)
    assert_one_line_error(result, 3, "directory")


def test_impossible_published_date(cli, tmp_path):
    path = write(tmp_path, "a.txt", ARTICLE_A)
    assert_one_line_error(cli("analyze", "--published", "2025-13-45", path), 2, "2025-13-45", "YYYY-MM-DD")


@pytest.mark.parametrize(
    "args, words",
    [
        (["analyze", "--format", "xml", "a.txt"], ["--format", "xml", "saywho analyze --help"]),
        (["analyze", "--min-confidence", "2", "a.txt"], ["--min-confidence"]),
        (["analyze", "--max-size", "0", "a.txt"], ["--max-size"]),
        (["analyze", "--max-size", "nan", "a.txt"], ["--max-size"]),
        (["analyze"], ["Missing argument"]),
        (["analyze", "-", "-", "--format", "json"], ["standard input"]),
        (["frobnicate"], ["frobnicate", "saywho --help"]),
        (["eval", "polnear", "x", "--limit", "0"], ["--limit"]),
    ],
    ids=["format", "min-confidence", "max-size-0", "max-size-nan", "no-file", "stdin-twice", "command", "limit"],
)
def test_usage_errors_are_one_line(cli, tmp_path, monkeypatch, args, words):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "a.txt", ARTICLE_A)
    assert_one_line_error(cli(*args, stdin=b""), 2, *words)


def test_no_arguments_prints_help(cli):
    result = cli()
    assert result.code == 2
    assert "analyze" in result.plain and "Traceback" not in result.err


# --- the size limit --------------------------------------------------------------------


def test_file_over_the_default_limit(cli, tmp_path):
    path = write(tmp_path, "big.txt", b"word " * (11 * MIB // 5))  # 11 MiB of text
    started = time.perf_counter()
    result = cli("analyze", path)
    assert time.perf_counter() - started < 1.0, "the size must be checked before parsing"
    assert_one_line_error(result, 4, "too large", "--max-size")


def test_max_size_raises_and_lowers_the_limit(cli, tmp_path):
    path = write(tmp_path, "a.txt", ARTICLE_A)
    small = len(ARTICLE_A.encode()) / 2 / MIB  # half the file, in MiB
    assert_one_line_error(cli("analyze", "--max-size", f"{small!r}", path), 4, "too large", "--max-size")
    assert cli("analyze", "--max-size", "0.001", "--format", "json", path).code == 0


def test_stdin_over_the_limit(cli):
    data = b"The mayor said it would rain. " * 100
    result = cli("analyze", "--max-size", "0.001", "-", stdin=data)
    assert_one_line_error(result, 4, "<stdin>", "too large", "--max-size")


def test_twenty_megabytes_fail_fast_through_the_entry_point(tmp_path):
    """The installed ``saywho`` refuses 20 MB at the default limit without loading spaCy."""
    path = write(tmp_path, "huge.txt", b"All work and no play. " * (20 * MIB // 22 + 1))
    started = time.perf_counter()
    done = subprocess.run(
        [str(SAYWHO_BIN), "analyze", str(path)], capture_output=True, text=True, timeout=60
    )
    elapsed = time.perf_counter() - started
    assert done.returncode == 4, done.stderr
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("saywho: error: ")
    assert "too large" in done.stderr and "--max-size" in done.stderr
    assert "Traceback" not in done.stderr
    assert elapsed < 10, f"took {elapsed:.1f} s"


class ClosedPipe(io.TextIOBase):
    """Standard output whose reader has gone away (`saywho analyze ... | head`)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def fileno(self) -> int:
        return self.fd

    def isatty(self) -> bool:
        return False


@pytest.mark.parametrize("format", ["text", "json", "jsonl"])
def test_closed_output_pipe_is_not_an_error(cli, tmp_path, monkeypatch, format):
    path = write(tmp_path, "a.txt", ARTICLE_A)
    with open(tmp_path / "stdout", "wb") as sink:
        monkeypatch.setattr(sys, "stdout", ClosedPipe(sink.fileno()))
        result = cli("analyze", "--format", format, path)
    assert result.code == 0
    assert result.err == ""


# --- several files, standard input -----------------------------------------------------


def test_one_missing_file_among_two(cli, tmp_path):
    good = write(tmp_path, "good.txt", ARTICLE_A)
    missing = tmp_path / "missing.txt"
    result = cli("analyze", "--format", "jsonl", missing, good)
    assert_one_line_error(result, 3, "missing.txt")
    lines = result.out.splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["source"] == str(good)


def test_one_missing_file_among_two_in_text(cli, tmp_path):
    good = write(tmp_path, "good.txt", ARTICLE_A)
    result = cli("analyze", good, tmp_path / "missing.txt")
    assert_one_line_error(result, 3, "missing.txt")
    assert "John Smith" in result.plain


def test_dash_reads_standard_input(cli):
    result = cli("analyze", "--format", "json", "-", stdin=ARTICLE_A.encode("utf-8"))
    assert result.code == 0, result.err
    document = validate(json.loads(result.out))
    assert document.source == "-"
    assert [a.speaker_entity for a in document.attributions] == ["John Smith", "John Smith"]


def test_empty_standard_input(cli):
    assert_one_line_error(cli("analyze", "-", stdin=b""), 4, "<stdin>", "empty")


# --- output formats ---------------------------------------------------------------------


def test_json_for_one_file_is_one_valid_object(cli, tmp_path):
    path = write(tmp_path, "a.txt", ARTICLE_A)
    result = cli("analyze", "--format", "json", path)
    assert result.code == 0 and result.err == ""
    data = json.loads(result.out)
    assert isinstance(data, dict)
    document = validate(data)
    assert document.source == str(path)
    assert document.title is None and document.published is None
    assert len(document.attributions) == 2
    first = document.attributions[0]
    assert first.content_text == "The plan will fail,"
    assert first.speaker_entity == "John Smith"
    assert first.cue_text == "said"
    assert_spans_inside(document, ARTICLE_A)


def test_json_for_two_files_is_a_list(cli, tmp_path):
    a = write(tmp_path, "a.txt", ARTICLE_A)
    b = write(tmp_path, "b.txt", ARTICLE_B)
    result = cli("analyze", "-f", "json", a, b)
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert [validate(item).source for item in data] == [str(a), str(b)]


def test_jsonl_gives_one_line_per_file(cli, tmp_path):
    a = write(tmp_path, "a.txt", ARTICLE_A)
    b = write(tmp_path, "b.txt", ARTICLE_B)
    result = cli("analyze", "--format", "jsonl", a, b)
    assert result.code == 0 and result.err == ""
    lines = result.out.splitlines()
    assert len(lines) == 2
    documents = [validate(json.loads(line)) for line in lines]
    assert [d.source for d in documents] == [str(a), str(b)]
    assert documents[1].attributions[0].speaker_entity == "Mary Jones"


def test_text_shows_speaker_and_content(cli, tmp_path):
    a = write(tmp_path, "a.txt", ARTICLE_A)
    b = write(tmp_path, "b.txt", ARTICLE_B)
    result = cli("analyze", a, b)
    assert result.code == 0 and result.err == ""
    out = " ".join(result.plain.split())  # whatever the line wrapping
    for expected in (
        str(a),
        str(b),
        "John Smith",
        "The plan will fail,",
        "The council will vote on Tuesday",
        "Mary Jones",
        "Taxes will rise next year,",
        "Analysts",
        "the economy was slowing",
    ):
        assert expected in out, expected
    assert out.count("2 attributions") == 2


def test_published_and_title_are_recorded(cli, tmp_path):
    path = write(tmp_path, "a.txt", ARTICLE_A)
    result = cli("analyze", "-f", "json", "--published", "2024-02-29", "--title", "Mayor “warns”", path)
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["published"] == "2024-02-29"
    assert data["title"] == "Mayor “warns”"
    validate(data)
    text = cli("analyze", "--published", "2024-02-29", "--title", "Mayor warns", path)
    assert "Mayor warns" in text.plain and "2024-02-29" in text.plain


def test_unbalanced_quote_marks(cli, tmp_path):
    path = write(tmp_path, "unbalanced.txt", UNBALANCED)
    result = cli("analyze", "--format", "json", path)
    assert result.code == 0, result.err
    assert result.err == ""
    document = validate(json.loads(result.out))
    assert_spans_inside(document, UNBALANCED)
    for entity in document.entities:
        for start, end in entity.mentions:
            assert 0 <= start < end <= len(UNBALANCED)


def test_only_opening_quote_marks(cli, tmp_path):
    text = "“““\n“ ‘ «\n“The mayor said “\n"
    path = write(tmp_path, "opening.txt", text)
    result = cli("analyze", "-f", "json", path)
    assert result.code == 0, result.err
    assert_spans_inside(validate(json.loads(result.out)), text)


def test_bundled_example(cli):
    result = cli("analyze", "--format", "json", EXAMPLE)
    assert result.code == 0, result.err
    document = validate(json.loads(result.out))
    assert len(document.attributions) == 11
    assert_spans_inside(document, EXAMPLE.read_text(encoding="utf-8"))


# --- schema ----------------------------------------------------------------------------


def test_schema_file_is_current():
    assert SCHEMA_FILE.exists(), "schema/document.schema.json is missing: run `make schema`"
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == json_schema(), (
        "schema/document.schema.json is out of date with saywho.model: run `make schema`"
    )


def test_schema_command_prints_the_schema(cli):
    result = cli("schema")
    assert result.code == 0 and result.err == ""
    assert json.loads(result.out) == json_schema()


# --- evaluation --------------------------------------------------------------------------


def test_eval_gold_on_the_bundled_example(cli):
    result = cli("eval", "gold", GOLD, "--json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["attribution"]["f1"] == 100.0
    fields = {name: value for name, value in report["fields"].items() if isinstance(value, dict)}
    assert fields, report["fields"]
    for name, value in fields.items():
        assert value["accuracy"] == 100.0, (name, value)
    assert report["errors"] == []


def test_eval_writes_every_error_to_the_errors_file(cli, tmp_path):
    """--errors lists the errors one JSON object per line: here the bundled example's gold
    without its first quote, so saywho's reading of that quote is a false positive."""
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    dropped = gold["quotes"].pop(0)
    gold["document"] = str(EXAMPLE)
    edited = tmp_path / "edited.gold.json"
    edited.write_text(json.dumps(gold), encoding="utf-8")
    errors = tmp_path / "errors.jsonl"
    result = cli("eval", "gold", edited, "--model", "rules", "--errors", errors)
    assert result.code == 0, result.err
    assert f"Errors written to {errors}" in result.out
    entries = [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()]
    assert [e["type"] for e in entries] == ["false_positive"]
    assert entries[0]["predicted"]["content"] == dropped["content_text"]


def test_eval_errors_file_in_a_missing_folder_fails_before_the_analysis(cli, tmp_path):
    result = cli("eval", "gold", GOLD, "--errors", tmp_path / "no-such-folder" / "errors.jsonl")
    assert_one_line_error(result, 2, "--errors", "no-such-folder")
    assert result.out == ""


def test_eval_gold_missing_file(cli, tmp_path):
    assert_one_line_error(cli("eval", "gold", tmp_path / "none.json"), 5, "none.json")


def test_eval_polnear_missing_directory(cli, tmp_path):
    result = cli("eval", "polnear", tmp_path / "no-such-split")
    assert_one_line_error(result, 5, "no-such-split")
    assert result.out == ""


# --- documentation -----------------------------------------------------------------------


def command_paths(command, prefix: tuple[str, ...] = ()) -> list[str]:
    """``analyze``, ``eval``, ``eval polnear``, ...: every command and group of the app."""
    paths = []
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        if getattr(sub, "hidden", False):
            continue
        path = (*prefix, name)
        paths.append(" ".join(path))
        paths.extend(command_paths(sub, path))
    return paths


def test_readme_documents_every_command():
    paths = command_paths(typer.main.get_command(app))
    assert {"analyze", "schema", "eval", "eval polnear", "eval gold"} <= set(paths)
    assert README.exists(), "README.md is missing at the repository root"
    readme = README.read_text(encoding="utf-8")
    missing = [p for p in paths if not re.search(rf"\bsaywho {re.escape(p)}(?![\w-])", readme)]
    assert not missing, f"README.md does not mention: {', '.join('saywho ' + p for p in missing)}"


def _command(path: str):
    command = typer.main.get_command(app)
    for name in path.split():
        command = command.commands[name]
    return command


@pytest.mark.parametrize("path", command_paths(typer.main.get_command(app)))
def test_help_prints_every_option_text_whole(cli, path, monkeypatch):
    """No part of an option's help is lost in `--help`: help texts are rich markup, where an
    unescaped "pip install 'saywho[accurate]'" lost its "[accurate]" as an unknown tag."""
    monkeypatch.setenv("COLUMNS", "2000")  # one line per option: the text is not wrapped
    printed = re.sub(r"\s", "", cli(*path.split(), "--help").plain)
    for param in _command(path).params:
        if getattr(param, "hidden", False):
            continue
        meant = (getattr(param, "help", None) or "").replace("\\[", "[")
        assert re.sub(r"\s", "", meant) in printed, f"saywho {path} --help garbles the help of --{param.name}"


def test_python_dash_m_runs_every_command(tmp_path):
    """`python -m saywho` and `python -m saywho.cli` see the corpus commands too."""
    for module in ("saywho", "saywho.cli"):
        done = subprocess.run(
            [sys.executable, "-m", module, "stats", "--db", str(tmp_path / "none.db")],
            capture_output=True, text=True, timeout=60,
        )
        assert done.returncode == 6, done.stderr
        assert done.stderr.startswith("saywho: error: no database at")
