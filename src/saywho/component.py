"""The spaCy component: ``nlp.add_pipe("saywho")`` sets ``doc._.saywho`` to the same
Document that ``saywho.analyze`` returns for the Doc's text (with ``learned`` loaded from the
``model`` setting: "rules" by default, as in the library; "default" or a folder as in the
CLI's ``--model``)."""

# No "from __future__ import annotations": spaCy reads the factory's annotations at run time.
from spacy.language import Language
from spacy.tokens import Doc

from saywho.model import Document

if not Doc.has_extension("saywho"):
    Doc.set_extension("saywho", default=None)


class SaywhoComponent:
    """Runs saywho's analysis on a parsed Doc."""

    def __init__(self, nlp: Language, name: str, min_confidence: float, model: str) -> None:
        self.name = name
        self.min_confidence = min_confidence
        self.learned = None
        if model != "rules":
            from saywho.learn import check_parser, load_model

            self.learned = load_model(model)
            check_parser(self.learned, nlp)

    def __call__(self, doc: Doc) -> Doc:
        from saywho.core import analyze_doc

        document: Document = analyze_doc(doc, min_confidence=self.min_confidence, learned=self.learned)
        doc._.saywho = document
        return doc


@Language.factory(
    "saywho",
    default_config={"min_confidence": 0.0, "model": "rules"},
    requires=["token.dep", "token.head", "token.lemma", "token.ent_type"],
    assigns=["doc._.saywho"],
)
def make_saywho(nlp: Language, name: str, min_confidence: float, model: str) -> SaywhoComponent:
    """Factory of the saywho component; ``min_confidence`` drops less certain attributions,
    ``model`` picks the learned model that joins the rules ("rules": none)."""
    return SaywhoComponent(nlp, name, min_confidence, model)
