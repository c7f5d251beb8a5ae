"""The spaCy component gives the same result on the Doc as saywho.analyze."""

from __future__ import annotations

from pathlib import Path

import spacy
from spacy.tokens import Doc

import saywho
from saywho.nlp import installed_model

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "belarus-own-weapons.txt"


def test_add_pipe_sets_document_on_doc():
    nlp = spacy.load(installed_model())
    nlp.add_pipe("saywho")
    text = EXAMPLE.read_text(encoding="utf-8")
    doc = nlp(text)
    assert Doc.has_extension("saywho")
    from_component = doc._.saywho
    from_library = saywho.analyze(text)
    assert from_component.model_dump(exclude={"source"}) == from_library.model_dump(exclude={"source"})
    assert len(from_component.attributions) == 11


def test_min_confidence_config_filters():
    nlp = spacy.load(installed_model())
    nlp.add_pipe("saywho", config={"min_confidence": 0.99})
    doc = nlp('"We are ready," said Anna Berg. Critics say the law is unfair.')
    assert doc._.saywho.attributions == []


def test_analyze_skips_a_saywho_pipe_already_added():
    nlp = spacy.load(installed_model())
    nlp.add_pipe("saywho")
    document = saywho.analyze("Critics say the law is unfair.", nlp=nlp)
    assert [a.content_text for a in document.attributions] == ["the law is unfair"]


def test_model_config_runs_the_learned_model_like_the_library():
    from saywho.learn import load_model

    nlp = spacy.load(installed_model())
    nlp.add_pipe("saywho", config={"model": "default"})
    text = "A reporter for USA Today reported her presence on Twitter."
    assert saywho.analyze(text).attributions == []  # the rules find nothing here
    from_component = nlp(text)._.saywho
    from_library = saywho.analyze(text, learned=load_model("default"))
    assert from_component.model_dump(exclude={"source"}) == from_library.model_dump(exclude={"source"})
    assert [a.rule for a in from_component.attributions] == ["learned"]


def test_a_bad_model_config_is_a_model_error():
    import pytest

    from saywho.errors import ModelError

    nlp = spacy.load(installed_model())
    with pytest.raises(ModelError, match="neither 'default' nor a folder"):
        nlp.add_pipe("saywho", config={"model": "no-such-model"})


def test_the_learned_model_is_refused_on_a_pipeline_whose_token_vectors_it_did_not_learn():
    """The default model reads en_core_web_sm 3.8.0's token vectors; another pipeline's would
    give wrong attributions without a word, so it is refused when the component is added."""
    import pytest

    from saywho.errors import ModelError

    other = spacy.load(installed_model())
    other.meta["name"], other.meta["version"] = "core_web_md", "3.8.0"
    with pytest.raises(ModelError, match="token vectors of en_core_web_sm 3.8.0.*en_core_web_md 3.8.0"):
        other.add_pipe("saywho", config={"model": "default"})
    other.add_pipe("saywho", config={"model": "rules"})  # the rules read no vectors
