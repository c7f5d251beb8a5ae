"""saywho: who said what, when, and on whose authority."""

from saywho.model import Attribution, Document, Entity, Kind, SourceType

__version__ = "0.1.0"

__all__ = [
    "Attribution",
    "Document",
    "Entity",
    "Kind",
    "SourceType",
    "__version__",
    "analyze",
    "analyze_many",
]


def __getattr__(name: str):
    # spaCy is imported lazily so that `import saywho` stays cheap for the data model.
    if name in ("analyze", "analyze_many"):
        from saywho import core

        return getattr(core, name)
    raise AttributeError(name)
