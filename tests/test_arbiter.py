"""The cue and source arbiter (saywho.arbiter) on a hand-parsed Doc: the features of a
choice, its pick, its training examples; and its place in the analysis."""

from __future__ import annotations

import spacy
from spacy.tokens import Doc

from saywho.arbiter import choice, pick, training_examples
from saywho.bounds import BoundsModel
from saywho.evaluate import GoldAttribution, GoldDocument

# The spokesman, John Smith, said the plan failed.
ROWS = [
    ("The", 1, "det", "DET"), ("spokesman", 6, "nsubj", "NOUN"), (",", 1, "punct", "PUNCT"),
    ("John", 4, "compound", "PROPN"), ("Smith", 1, "appos", "PROPN"), (",", 1, "punct", "PUNCT"),
    ("said", 6, "ROOT", "VERB"), ("the", 8, "det", "DET"), ("plan", 9, "nsubj", "NOUN"),
    ("failed", 6, "ccomp", "VERB"), (".", 6, "punct", "PUNCT"),
]
SPACES = [True, False, True, True, False, True, True, True, True, False, False]


def parsed() -> Doc:
    words = [w for w, *_ in ROWS]
    return Doc(
        spacy.blank("en").vocab, words=words, spaces=SPACES, heads=[h for _, h, _, _ in ROWS],
        deps=[d for _, _, d, _ in ROWS], pos=[p for *_, p in ROWS],
        lemmas=[{"said": "say", "failed": "fail"}.get(w, w.lower()) for w in words],
    )


def source_choice(doc: Doc):
    content = [(doc[7].idx, doc[9].idx + len("failed"))]
    cue = [(doc[6].idx, doc[6].idx + len("said"))]
    speaker = [(0, doc[4].idx + len("Smith"))]
    return choice("source", "verb-ccomp", content, cue, speaker, doc[0:5], doc[3:5], 0, doc.text)


def test_a_choice_describes_both_readings_and_where_they_lie():
    doc = parsed()
    found = source_choice(doc)
    assert [doc.text[slice(*o[0])] for o in found.options] == ["The spokesman, John Smith", "John Smith"]
    rules, tagger = found.decision.features
    assert {"source:R:lemma=spokesman", "source:R:at=before", "source:R:relation=overlap", "source:R:longer=True"} <= set(rules)
    assert {"source:T:lemma=smith", "source:T:pos=PROPN", "source:T:gap=2-3", "source:T:longer=False"} <= set(tagger)


def test_a_cue_choice_knows_which_reading_governs_the_other():
    doc = parsed()
    found = source_choice(doc)
    cues = choice("cue", "verb-ccomp", found.content, found.cue, found.speaker, doc[6:7], doc[9:10], 0, doc.text)
    rules, tagger = cues.decision.features
    assert {"cue:R:relation=above", "cue:R:at=before", "cue:R:cue_verb=True"} <= set(rules)
    assert {"cue:T:relation=below", "cue:T:at=inside", "cue:T:cue_verb=False"} <= set(tagger)


def test_the_rules_reading_stands_unless_the_model_prefers_the_other():
    found = source_choice(parsed())
    assert pick(BoundsModel({}), found) == 0
    assert pick(BoundsModel({"source:T:longer=False": 2.0}), found) == 1
    assert pick(BoundsModel({"source:T:longer=False": 2.0, "source:R:lemma=spokesman": 3.0}), found) == 0


def test_training_keeps_the_choices_where_one_reading_is_the_gold():
    doc = parsed()
    found = source_choice(doc)
    content, cue = found.content, found.cue

    def gold(source):
        return GoldDocument("a", doc.text, attributions=[GoldAttribution(content, cue, source)])

    (example,) = training_examples(gold([(doc[3].idx, doc[4].idx + 5)]), [found])
    assert example == (found.decision, 1)
    assert training_examples(gold(found.options[0]), [found]) == [(found.decision, 0)]
    # No gold source, or a third one: nothing to learn.
    assert training_examples(gold([]), [found]) == []
    assert training_examples(gold([(doc[1].idx, doc[1].idx + 9)]), [found]) == []
