"""Entity resolution on Docs built by hand: names, surnames, titles, descriptors, pronouns."""

from __future__ import annotations

import spacy
from spacy.tokens import Doc

from saywho.model import ResolutionMethod
from saywho.resolve import EntityIndex
from saywho.speakers import Mention

VOCAB = spacy.blank("en").vocab


def build(words: list[str], pos: list[str], ents: list[str]) -> Doc:
    return Doc(VOCAB, words=words, pos=pos, ents=ents, lemmas=[w.lower() for w in words])


def mention(doc: Doc, start: int, end: int) -> Mention:
    return Mention(head=doc[end - 1], start=start, end=end)


def resolve(doc: Doc, start: int, end: int, excluded=()):
    index = EntityIndex([(doc, 0)], excluded=list(excluded))
    return index, index.resolve(mention(doc, start, end), 0)


# Belarusian President Alexander Lukashenko spoke . Lukashenko said . the president said . the head of state said . he said
WORDS = (
    "Belarusian President Alexander Lukashenko spoke . Lukashenko said . the president said . "
    "the head of state said . he said"
).split()
POS = ["ADJ", "PROPN", "PROPN", "PROPN", "VERB", "PUNCT", "PROPN", "VERB", "PUNCT", "DET", "NOUN", "VERB",
       "PUNCT", "DET", "NOUN", "ADP", "NOUN", "VERB", "PUNCT", "PRON", "VERB"]
ENTS = ["B-NORP", "O", "B-PERSON", "I-PERSON", "O", "O", "B-PERSON"] + ["O"] * 14
DOC = build(WORDS, POS, ENTS)


def test_surname_joins_the_full_name():
    index, (cluster, resolution) = resolve(DOC, 6, 7)
    assert cluster.name == "Alexander Lukashenko"
    assert resolution.method == ResolutionMethod.SURNAME
    assert (DOC[2].idx, DOC[3].idx + len(DOC[3])) in resolution.evidence
    assert len(index.clusters) == 1  # "Belarusian" (NORP) is not a speaker entity


def test_title_before_the_name_resolves_the_president():
    _, (cluster, resolution) = resolve(DOC, 9, 11)
    assert cluster.name == "Alexander Lukashenko"
    assert resolution.method == ResolutionMethod.TITLE
    assert "president" in resolution.note


def test_descriptor_resolves_head_of_state():
    _, (cluster, resolution) = resolve(DOC, 13, 17)
    assert cluster.name == "Alexander Lukashenko"
    assert resolution.method == ResolutionMethod.DESCRIPTOR


def test_pronoun_resolves_to_nearest_person():
    _, (cluster, resolution) = resolve(DOC, 19, 20)
    assert cluster.name == "Alexander Lukashenko"
    assert resolution.method == ResolutionMethod.PRONOUN


def test_pronoun_respects_gender_of_known_first_names():
    doc = build(
        "Hillary Clinton met Donald Trump . she said".split(),
        ["PROPN", "PROPN", "VERB", "PROPN", "PROPN", "PUNCT", "PRON", "VERB"],
        ["B-PERSON", "I-PERSON", "O", "B-PERSON", "I-PERSON", "O", "O", "O"],
    )
    _, (cluster, _) = resolve(doc, 6, 7)
    assert cluster.name == "Hillary Clinton"


def test_unknown_title_and_lone_pronoun_stay_unresolved():
    doc = build("the chancellor said . they said".split(), ["DET", "NOUN", "VERB", "PUNCT", "PRON", "VERB"], ["O"] * 6)
    assert resolve(doc, 0, 2)[1] is None
    assert resolve(doc, 4, 5)[1] is None


def test_two_people_with_one_surname_do_not_merge():
    doc = build(
        "Hillary Clinton and Bill Clinton spoke . Clinton said".split(),
        ["PROPN", "PROPN", "CCONJ", "PROPN", "PROPN", "VERB", "PUNCT", "PROPN", "VERB"],
        ["B-PERSON", "I-PERSON", "O", "B-PERSON", "I-PERSON", "O", "O", "O", "O"],
    )
    index = EntityIndex([(doc, 0)])
    assert sorted(c.name for c in index.clusters) == ["Bill Clinton", "Hillary Clinton"]


def test_entities_inside_scare_quotes_are_ignored():
    doc = build("the Oreshnik system".split(), ["DET", "PROPN", "NOUN"], ["O", "B-PERSON", "O"])
    span = (doc[1].idx, doc[1].idx + len(doc[1]))
    index = EntityIndex([(doc, 0)], excluded=[span])
    assert index.clusters == []


def test_surname_tagged_as_organization_joins_the_person():
    doc = build(
        "Donald Trump spoke . Trump said".split(),
        ["PROPN", "PROPN", "VERB", "PUNCT", "PROPN", "VERB"],
        ["B-PERSON", "I-PERSON", "O", "O", "B-ORG", "O"],
    )
    index, (cluster, _) = resolve(doc, 4, 5)
    assert cluster.name == "Donald Trump" and cluster.type == "person"
    assert [c.name for c in index.clusters] == ["Donald Trump"]


def test_bare_surname_shared_by_two_people_stays_apart_whatever_the_order():
    doc = build(
        "Obama spoke . Michelle Obama smiled . Barack Obama waved . Obama said".split(),
        ["PROPN", "VERB", "PUNCT", "PROPN", "PROPN", "VERB", "PUNCT", "PROPN", "PROPN", "VERB", "PUNCT", "PROPN", "VERB"],
        ["B-PERSON", "O", "O", "B-PERSON", "I-PERSON", "O", "O", "B-PERSON", "I-PERSON", "O", "O", "B-PERSON", "O"],
    )
    index = EntityIndex([(doc, 0)])
    assert [c.name for c in index.clusters] == ["Obama", "Michelle Obama", "Barack Obama"]
    assert [c.id for c in index.clusters] == ["e1", "e2", "e3"]


def test_surname_before_the_full_name_or_with_other_gender_stays_apart():
    doc = build(
        "Mr. Obama spoke . Michelle Obama smiled . Obama said".split(),
        ["PROPN", "PROPN", "VERB", "PUNCT", "PROPN", "PROPN", "VERB", "PUNCT", "PROPN", "VERB"],
        ["O", "B-PERSON", "O", "O", "B-PERSON", "I-PERSON", "O", "O", "B-PERSON", "O"],
    )
    index = EntityIndex([(doc, 0)])
    assert [c.name for c in index.clusters] == ["Obama", "Michelle Obama"]
