"""Shared fixtures: ``cli`` runs the saywho command line in-process."""

from __future__ import annotations

import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@dataclass
class CliResult:
    """What one run of the command line left behind."""

    code: int
    out: str
    err: str

    @property
    def plain(self) -> str:
        """Standard output without terminal colour codes."""
        return _ANSI.sub("", self.out)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """Run ``saywho ARGS...`` in-process (``saywho.cli.main``) and return a :class:`CliResult`.

    In-process runs share the spaCy pipeline, which a subprocess would load again (~2 s).
    ``stdin`` (bytes), when given, is what the command reads from standard input.
    """
    from saywho.cli import main

    monkeypatch.delenv("SAYWHO_DEBUG", raising=False)

    def run(*args: str | Path, stdin: bytes | None = None) -> CliResult:
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", FakeStdin(stdin))
        capsys.readouterr()  # forget what an earlier run printed
        try:
            main([str(arg) for arg in args])
        except SystemExit as done:
            code = done.code
        else:  # pragma: no cover - main() always exits
            pytest.fail("saywho.cli.main returned instead of exiting")
        captured = capsys.readouterr()
        if code is None:
            code = 0
        assert isinstance(code, int), f"exit code {code!r} is not a number"
        return CliResult(code, captured.out, captured.err)

    return run


class FakeStdin:
    """A stand-in for ``sys.stdin``: text on top, the bytes in ``.buffer``."""

    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)

    def read(self) -> str:
        return self.buffer.read().decode("utf-8")
