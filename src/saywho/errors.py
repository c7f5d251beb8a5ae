"""Exceptions raised by saywho. Each carries the process exit code the CLI uses for it.

Exit codes (documented in the README):
  0  success
  1  unexpected internal error (a bug: please report it)
  2  command-line usage error (unknown option, bad argument)
  3  input file not found or not readable
  4  input is not an article saywho can read (empty, binary, not UTF-8, too large)
  5  evaluation data is missing or malformed
  6  database problem (no database, unreachable server, not a saywho database, newer schema)
"""

from __future__ import annotations


class SaywhoError(Exception):
    """Base class of every error saywho raises on purpose."""

    exit_code = 1


class UsageError(SaywhoError):
    """An argument or option value is invalid."""

    exit_code = 2


class ModelError(UsageError):
    """The learned model asked for is not there or cannot be loaded."""


class InputNotFoundError(SaywhoError):
    """The input path does not exist or cannot be read."""

    exit_code = 3


class InvalidInputError(SaywhoError):
    """The input exists but is not a text article saywho can analyse."""

    exit_code = 4


class EmptyInputError(InvalidInputError):
    """The article has no text."""


class BinaryInputError(InvalidInputError):
    """The input looks like a binary file, not text."""


class EncodingError(InvalidInputError):
    """The input is not valid UTF-8."""


class InputTooLargeError(InvalidInputError):
    """The input is larger than the configured limit."""


class EvaluationDataError(SaywhoError):
    """A gold file or corpus directory is missing or malformed."""

    exit_code = 5


class StoreError(SaywhoError):
    """The corpus database is missing, unreachable, not a saywho database, or of a newer schema."""

    exit_code = 6
