"""Writing output files whole or not at all."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from saywho.errors import UsageError


@contextmanager
def atomic_target(path: str | os.PathLike[str], option: str = "--output") -> Iterator[Path]:
    """Yield a temporary path beside ``path`` to write to; on success it replaces ``path`` in
    one rename, on any error it is removed and ``path`` is left as it was."""
    target = Path(path)
    if target.is_dir():
        raise UsageError(f"{option}: {target} is a directory")
    if not target.parent.exists():
        raise UsageError(f"{option}: the folder {target.parent} does not exist")
    temporary = target.with_name(f".{target.name}.saywho-tmp")
    try:
        yield temporary
        os.replace(temporary, target)
    except OSError as error:
        raise UsageError(f"{option}: cannot write {target}: {error.strerror or error}") from None
    finally:
        temporary.unlink(missing_ok=True)
