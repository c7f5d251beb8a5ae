"""The README's examples are real runs: they must match what saywho prints today."""

from __future__ import annotations

import io
import re
from pathlib import Path

from rich.console import Console

from saywho.cli import render_document
from saywho.core import analyze

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def block_after(marker: str) -> str:
    match = re.search(re.escape(marker) + r".*?```\n(.*?)```", README, re.DOTALL)
    assert match, f"README has no code block after {marker!r}"
    return match.group(1)


def test_readme_starts_with_the_two_commands():
    assert README.startswith("```\nmake demo\nmake test\n```\n")


def test_demo_output_in_readme_is_current():
    example = ROOT / "examples" / "belarus-own-weapons.txt"
    document = analyze(example.read_text(encoding="utf-8"), source="examples/belarus-own-weapons.txt")
    buffer = io.StringIO()
    render_document(document, Console(file=buffer, width=100, highlight=False, soft_wrap=True))
    printed = "\n".join(line.rstrip() for line in buffer.getvalue().splitlines())
    expected = block_after("prints, at 100 columns:").rstrip("\n")
    assert printed == expected, "README demo output is stale: rerun saywho analyze at 100 columns"


def test_audit_output_in_readme_is_current():
    from datetime import date

    from saywho.audit import audit
    from saywho.views import render_text

    example = ROOT / "examples" / "belarus-own-weapons.txt"
    report = audit(
        example.read_text(encoding="utf-8"), date(2025, 6, 1), source="examples/belarus-own-weapons.txt"
    )
    expected = block_after("`saywho audit examples/belarus-own-weapons.txt --published 2025-06-01`:")
    assert render_text(report) == expected, "README audit output is stale: rerun saywho audit"


def test_json_output_in_readme_is_current(cli):
    """The README's JSON example is what `saywho analyze - --format json` prints today (it
    had gone stale once: a field added to the model was missing from it)."""
    marker = "$ echo 'Critics say the law is unfair.' | saywho analyze - --format json --published 2025-06-01\n"
    expected = block_after("`--format jsonl` one line per article").split(marker, 1)[1]
    done = cli("analyze", "-", "--format", "json", "--published", "2025-06-01", stdin=b"Critics say the law is unfair.\n")
    assert done.code == 0, done.err
    assert done.out == expected, "README JSON example is stale: rerun the command it shows"
