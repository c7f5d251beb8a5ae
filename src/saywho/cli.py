"""The saywho command line. Each command reads its input, calls the library, prints.
Errors become one line on stderr and the exit code of the exception (see errors.py)."""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
import textwrap
from datetime import date
from enum import Enum
from pathlib import Path
from typing import List, Optional

import click
import typer
import typer.main
from rich.console import Console
from rich.markup import escape

from saywho.errors import InputTooLargeError, ModelError, SaywhoError, UsageError
from saywho.model import Document

app = typer.Typer(
    name="saywho",
    help="Who said what, when, and on whose authority: attributions in news articles.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
eval_app = typer.Typer(help="Score saywho against annotated data.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


#: Default of ``analyze --max-size``, in MiB. The library's own default (read.DEFAULT_MAX_BYTES)
#: is more generous; on the command line a stray 20 MB log file should fail fast, not parse
#: for many minutes.
DEFAULT_MAX_SIZE_MB = 10.0
MIB = 1024 * 1024


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    jsonl = "jsonl"


def parse_date(value: Optional[str], option: str = "--published") -> Optional[date]:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option}: '{value}' is not a date in the form YYYY-MM-DD") from None


class _Console(Console):
    """rich's Console, but a closed pipe is left to main(), as for the JSON formats."""

    def on_broken_pipe(self) -> None:  # rich's own exits with status 1
        self.quiet = True
        raise BrokenPipeError


def parse_max_size(value: float) -> int:
    """``--max-size`` in MiB, as a whole number of bytes (at least 1)."""
    if not math.isfinite(value) or value <= 0:
        raise UsageError(f"--max-size: '{value}' is not a positive number of megabytes (MiB)")
    return max(1, int(value * MIB))


def render_document(document: Document, console: Console) -> None:
    """The terminal view of one analysed article."""
    header = document.source or "article"
    if document.title:
        header += f" — {document.title}"
    published = document.published.isoformat() if document.published else "unknown"
    console.print(
        f"[bold]{escape(header)}[/bold]  ({document.words} words, published {published}, "
        f"{len(document.attributions)} attributions)"
    )
    for a in document.attributions:
        source_type = a.source_type.value if hasattr(a.source_type, "value") else a.source_type
        kind = a.kind.value if hasattr(a.kind, "value") else a.kind
        origin = document.attributions[a.continues] if a.continues is not None else a
        who = a.speaker_entity or origin.speaker_text or "?"
        if a.continues is not None:
            who = f"{who} (continues #{a.continues + 1})"
        details = [kind, source_type]
        if a.speaker_text and a.speaker_text != a.speaker_entity:
            details.append(f'as "{a.speaker_text}"')
        if a.cue_text:
            details.append(f'cue "{a.cue_text}"')
        if a.channel:
            details.append(f"via {a.channel}")
        if a.anonymity_reason:
            details.append(f"anonymity: {a.anonymity_reason}")
        if a.within is not None:
            details.append(f"reported within #{a.within + 1}")
        console.print(f"\n[bold cyan]#{a.index + 1}[/bold cyan] [bold]{escape(who)}[/bold]  {escape(' · '.join(details))}")
        width = max(40, console.width - 4)
        body = "\n".join(textwrap.fill(line, width) for line in f"“{a.content_text}”".split("\n"))
        console.print(textwrap.indent(escape(body), "    "))


# Help texts are rich markup: a literal "[" is written "\\[".
MODEL_HELP = (
    "'default': the rules with the learned model that ships with saywho; 'rules': the rules "
    "alone (faster); or the folder of a model trained by 'saywho train polnear', or of an "
    "accurate-mode model (model.onnx and tokenizer.json; needs pip install 'saywho\\[accurate]')."
)

ERRORS_HELP = (
    "Also write every error (missed and false attributions, and matched ones whose content, cue, "
    "source or fields differ, with the texts and error kinds) to this file, one JSON object per line."
)


@app.command()
def analyze(
    files: List[str] = typer.Argument(..., help="Article files (UTF-8 text); '-' reads standard input."),
    format: OutputFormat = typer.Option(OutputFormat.text, "--format", "-f", help="text, json or jsonl."),
    published: Optional[str] = typer.Option(None, help="Publication date, YYYY-MM-DD."),
    title: Optional[str] = typer.Option(None, help="Article title, recorded in the output."),
    min_confidence: float = typer.Option(0.0, min=0.0, max=1.0, help="Drop attributions below this confidence (a continuation goes with the quote it continues)."),
    max_size: float = typer.Option(
        DEFAULT_MAX_SIZE_MB,
        "--max-size",
        help="Refuse an input larger than this many megabytes (MiB), before parsing it.",
    ),
    model: str = typer.Option("default", "--model", help=MODEL_HELP),
) -> None:
    """Find every attribution in one or more articles (.txt, or .html/.htm pages)."""
    learned = load_learned_model(model)

    published_date = parse_date(published)
    max_bytes = parse_max_size(max_size)
    if files.count("-") > 1:
        raise UsageError("standard input ('-') can be read only once")
    console = _Console(highlight=False, soft_wrap=True)
    documents: list[Document] = []
    failures: list[SaywhoError] = []
    for name in files:
        try:
            article = _load(name, max_bytes, max_size)
        except SaywhoError as error:
            # Report and go on with the other files; the exit code tells that one failed.
            _print_error(error)
            failures.append(error)
            continue
        # Imported only now, so that bad input is refused without loading spaCy first.
        from saywho.core import analyze as analyze_text

        document = analyze_text(
            article.text,
            published_date or article.published,
            title=title or article.title,
            source=name,
            min_confidence=min_confidence,
            learned=learned,
        )
        if article.extracted:
            document.text = article.text  # the spans index into the extracted text
        if format == OutputFormat.jsonl:
            sys.stdout.write(document.model_dump_json() + "\n")
            sys.stdout.flush()
        elif format == OutputFormat.text:
            if documents:
                console.print()
            render_document(document, console)
        documents.append(document)
    if format == OutputFormat.json and documents:
        payload = [d.model_dump(mode="json") for d in documents]
        sys.stdout.write(json.dumps(payload[0] if len(files) == 1 else payload, ensure_ascii=False, indent=1) + "\n")
    if failures:
        raise typer.Exit(failures[0].exit_code)


def load_learned_model(model: str):
    """None for the rules alone, else the learned pipeline ``model`` ("default" or a folder)."""
    if model == "rules":
        return None
    from saywho.learn import load_model

    try:
        return load_model(model)
    except ModelError as error:
        raise ModelError(f"--model: {error}") from None


def _load(name: str, max_bytes: int, max_size: float):
    """Read one input, with the --max-size hint on a file that is too large."""
    from saywho.read import load_article

    try:
        return load_article(name, max_bytes=max_bytes)
    except InputTooLargeError as error:
        raise InputTooLargeError(f"{error}; raise the limit with --max-size (in MiB; now {max_size:g})") from None


class AuditFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"
    html = "html"


@app.command()
def audit(
    file: str = typer.Argument(..., help="Article file (.txt, or an .html/.htm page); '-' reads standard input."),
    published: Optional[str] = typer.Option(
        None, help="Publication date, YYYY-MM-DD (for HTML, taken from the page when not given)."
    ),
    title: Optional[str] = typer.Option(None, help="Article title, recorded in the report."),
    format: AuditFormat = typer.Option(AuditFormat.text, "--format", "-f", help="text, json, markdown or html."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to this file."),
    max_size: float = typer.Option(
        DEFAULT_MAX_SIZE_MB, "--max-size", help="Refuse an input larger than this many megabytes (MiB)."
    ),
    model: str = typer.Option("default", "--model", help=MODEL_HELP),
) -> None:
    """Audit an article: its source ledger, flags, and time references."""
    learned = load_learned_model(model)
    published_date = parse_date(published)
    article = _load(file, parse_max_size(max_size), max_size)
    from saywho.audit import audit as audit_text

    report = audit_text(
        article.text, published_date or article.published, title=title or article.title, source=file,
        learned=learned,
    )
    if format == AuditFormat.json:
        rendered = report.model_dump_json(indent=1) + "\n"
    elif format == AuditFormat.markdown:
        from saywho.views import render_markdown

        rendered = render_markdown(report)
    elif format == AuditFormat.html:
        from saywho.report import render_html

        rendered = render_html(report)
    else:
        from saywho.views import render_text

        rendered = render_text(report)
    if output is None:
        sys.stdout.write(rendered)
    else:
        write_atomically(output, rendered)


def write_atomically(path: Path, content: str) -> None:
    """Write a file whole or not at all: a temporary file beside it, then a rename."""
    from saywho.files import atomic_target

    with atomic_target(path) as temporary:
        temporary.write_text(content, encoding="utf-8")


@eval_app.command("polnear")
def eval_polnear(
    directory: Path = typer.Argument(..., help="A PolNeAR split folder (with text/ and attributions/)."),
    json_output: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    limit: Optional[int] = typer.Option(None, min=1, help="Score only the first N articles."),
    model: str = typer.Option("default", "--model", help=MODEL_HELP),
    errors: Optional[Path] = typer.Option(None, "--errors", help=ERRORS_HELP),
) -> None:
    """Score saywho on a PolNeAR split: precision, recall and F1 per role, errors by kind."""
    from saywho.evaluate import load_polnear

    learned = load_learned_model(model)
    gold = load_polnear(directory)
    # PolNeAR keeps a quote and its continuations in one attribution: score it that way.
    _score_and_print(gold[:limit] if limit else gold, json_output, merge=True, learned=learned, errors=errors)


@eval_app.command("gold")
def eval_gold(
    files: List[Path] = typer.Argument(..., help="Gold files in saywho's gold JSON format."),
    json_output: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    model: str = typer.Option("default", "--model", help=MODEL_HELP),
    errors: Optional[Path] = typer.Option(None, "--errors", help=ERRORS_HELP),
) -> None:
    """Score saywho on hand-annotated gold files (the bundled example's format)."""
    from saywho.evaluate import load_gold_file

    learned = load_learned_model(model)
    _score_and_print([load_gold_file(f) for f in files], json_output, learned=learned, errors=errors)


def _score_and_print(
    gold: list, json_output: bool, merge: bool = False, learned=None, errors: Optional[Path] = None
) -> None:
    from saywho.core import analyze_many
    from saywho.evaluate import render_table, score
    from saywho.files import atomic_target

    # The errors file is checked before the analysis, and written whole or not at all.
    with atomic_target(errors, "--errors") if errors is not None else contextlib.nullcontext() as temporary:
        # One batched parse; the publication date is only recorded, so it is set afterwards.
        documents = analyze_many([item.text for item in gold], learned=learned)
        for item, document in zip(gold, documents):
            document.published = item.published
        report = score(zip(gold, documents), merge=merge, list_errors=errors is not None)
        if temporary is not None:
            lines = (json.dumps(entry, ensure_ascii=False) + "\n" for entry in report["errors"])
            temporary.write_text("".join(lines), encoding="utf-8")
    if json_output:
        sys.stdout.write(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    else:
        table = render_table(report)
        if errors is not None:
            table += f"Errors written to {errors}, one per line.\n"
        sys.stdout.write(table + "\n")


@app.command()
def schema() -> None:
    """Print the JSON Schema of saywho's output (one Document)."""
    from saywho.model import json_schema

    sys.stdout.write(json.dumps(json_schema(), indent=2) + "\n")


def _print_error(error: BaseException) -> None:
    message = str(error).replace("\n", " ").strip() or type(error).__name__
    sys.stderr.write(f"saywho: error: {message}\n")


# click's exceptions, and those of the copy of click that recent Typer versions carry inside
# (typer._click): the command-line errors that main() prints as one line.
_CLICK_ERRORS = tuple(
    {click.ClickException}
    | {c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"}
)
_ABORTS = tuple({click.exceptions.Abort, typer.Abort})
_EXITS = tuple({click.exceptions.Exit, typer.Exit})


def main(argv: Optional[list[str]] = None) -> None:
    """Entry point: run the app, turning errors into one line and an exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    command = typer.main.get_command(app)
    try:
        # click's parsing and invocation without its (or Typer's) standalone handling, which
        # prints usage errors as a multi-line panel and exits 1 on a broken pipe: every
        # error comes here and becomes one line.
        try:
            with command.make_context("saywho", args) as context:
                command.invoke(context)
            code = 0
        except _EXITS as done:  # typer.Exit(n), --help, ...
            code = done.exit_code
        except EOFError:  # end of input at a prompt
            raise KeyboardInterrupt from None
    except _ABORTS:
        sys.stderr.write("saywho: interrupted\n")
        sys.exit(130)
    except _CLICK_ERRORS as error:
        if type(error).__name__ == "NoArgsIsHelpError":
            sys.exit(error.exit_code)  # the help is already printed, as in standalone mode
        message = error.format_message().replace("\n", " ").strip()
        context = getattr(error, "ctx", None)
        if context is not None:  # a usage error: say where the help is
            message += f" (see '{context.command_path} --help')"
        sys.stderr.write(f"saywho: error: {message}\n")
        sys.exit(error.exit_code)
    except SaywhoError as error:
        _print_error(error)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("saywho: interrupted\n")
        sys.exit(130)
    except BrokenPipeError:
        # The reader went away (`saywho analyze ... | head`): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except MemoryError:
        sys.stderr.write("saywho: error: out of memory\n")
        sys.exit(1)
    except Exception as error:  # noqa: BLE001 - the last line of defence: no tracebacks
        if os.environ.get("SAYWHO_DEBUG"):
            raise
        sys.stderr.write(
            f"saywho: internal error: {type(error).__name__}: {error} (set SAYWHO_DEBUG=1 for details)\n"
        )
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)

from saywho import cli_ingest  # noqa: E402,F401  (registers saywho ingest)
from saywho import cli_store  # noqa: E402,F401  (registers the corpus query commands)
from saywho import cli_train  # noqa: E402,F401  (registers saywho train)


if __name__ == "__main__":
    # Run as `python -m saywho.cli`, this file is "__main__", a second copy of the module:
    # the corpus commands register on saywho.cli's app, so run that one.
    from saywho.cli import main as _main

    _main()
