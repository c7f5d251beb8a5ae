"""Speaker mentions, source types, anonymity reasons and channels, on Docs built by hand
(no statistical model needed)."""

from __future__ import annotations

import pytest
from spacy.tokens import Doc
import spacy

from saywho.model import SourceType
from saywho.speakers import (
    Mention,
    anonymity_reason,
    find_channels,
    mention_for,
    preceding_noun_phrase,
    source_type_of,
    subject_of,
)

VOCAB = spacy.blank("en").vocab


def build(rows: list[tuple[str, str, str, int, str]], ents: list[str] | None = None) -> Doc:
    """rows: (word, tag, dep, head index, pos); spaces between all words but before punctuation."""
    words = [r[0] for r in rows]
    spaces = [i + 1 < len(rows) and rows[i + 1][1] not in (",", ".") for i in range(len(rows))]
    return Doc(
        VOCAB,
        words=words,
        spaces=spaces,
        tags=[r[1] for r in rows],
        deps=[r[2] for r in rows],
        heads=[r[3] for r in rows],
        pos=[r[4] for r in rows],
        lemmas=[r[0].lower() for r in rows],
        ents=ents,
    )


# "one defense expert, who requested anonymity, said"
EXPERT = build(
    [
        ("one", "CD", "nummod", 2, "NUM"),
        ("defense", "NN", "compound", 2, "NOUN"),
        ("expert", "NN", "nsubj", 8, "NOUN"),
        (",", ",", "punct", 2, "PUNCT"),
        ("who", "WP", "nsubj", 5, "PRON"),
        ("requested", "VBD", "relcl", 2, "VERB"),
        ("anonymity", "NN", "dobj", 5, "NOUN"),
        (",", ",", "punct", 2, "PUNCT"),
        ("said", "VBD", "ROOT", 8, "VERB"),
    ]
)

# "Ryan Ellis, a tax consultant, said"
ELLIS = build(
    [
        ("Ryan", "NNP", "compound", 1, "PROPN"),
        ("Ellis", "NNP", "nsubj", 7, "PROPN"),
        (",", ",", "punct", 1, "PUNCT"),
        ("a", "DT", "det", 5, "DET"),
        ("tax", "NN", "compound", 5, "NOUN"),
        ("consultant", "NN", "appos", 1, "NOUN"),
        (",", ",", "punct", 1, "PUNCT"),
        ("said", "VBD", "ROOT", 7, "VERB"),
    ],
    ents=["B-PERSON", "I-PERSON", "O", "O", "O", "O", "O", "O"],
)


def test_mention_leaves_out_the_anonymity_clause():
    mention = mention_for(EXPERT[2])
    assert mention.text == "one defense expert"


def test_mention_keeps_apposition():
    assert mention_for(ELLIS[1]).text == "Ryan Ellis, a tax consultant"


def test_mention_stops_before_the_clause_holding_the_cue():
    # "Lukashenko, who had insisted": the antecedent's relative clause holds the cue.
    doc = build(
        [
            ("Lukashenko", "NNP", "ROOT", 0, "PROPN"),
            (",", ",", "punct", 0, "PUNCT"),
            ("who", "WP", "nsubj", 3, "PRON"),
            ("insisted", "VBD", "relcl", 0, "VERB"),
        ]
    )
    assert mention_for(doc[0], cue=doc[3]).text == "Lukashenko"
    assert mention_for(doc[0]).text == "Lukashenko, who insisted"


def test_subject_is_borrowed_from_the_governing_verb():
    # "he warned, stressing that"
    doc = build(
        [
            ("he", "PRP", "nsubj", 1, "PRON"),
            ("warned", "VBD", "ROOT", 1, "VERB"),
            (",", ",", "punct", 1, "PUNCT"),
            ("stressing", "VBG", "advcl", 1, "VERB"),
        ]
    )
    assert subject_of(doc[3]).text == "he"


def test_preceding_noun_phrase_recovers_a_lost_subject():
    # "Speaking to BelTA, the head of state underscored" with 'head' misparsed as apposition.
    doc = build(
        [
            ("Speaking", "VBG", "csubj", 8, "VERB"),
            ("to", "IN", "prep", 0, "ADP"),
            ("BelTA", "NNP", "pobj", 1, "PROPN"),
            (",", ",", "punct", 2, "PUNCT"),
            ("the", "DT", "det", 5, "DET"),
            ("head", "NN", "appos", 2, "NOUN"),
            ("of", "IN", "prep", 5, "ADP"),
            ("state", "NN", "pobj", 6, "NOUN"),
            ("underscored", "VBD", "ROOT", 8, "VERB"),
        ]
    )
    head = preceding_noun_phrase(doc[8])
    assert mention_for(head).text == "the head of state"


def words_mention(words_tags: list[tuple[str, str, str]], head: int) -> Mention:
    rows = [(w, tag, "dep" if i != head else "ROOT", head, pos) for i, (w, tag, pos) in enumerate(words_tags)]
    doc = build(rows)
    return Mention(head=doc[head], start=0, end=len(doc))


@pytest.mark.parametrize(
    "words, head, expected",
    [
        ([("Analysts", "NNS", "NOUN")], 0, SourceType.VAGUE),
        ([("critics", "NNS", "NOUN")], 0, SourceType.VAGUE),
        ([("a", "DT", "DET"), ("senior", "JJ", "ADJ"), ("official", "NN", "NOUN")], 2, SourceType.ANONYMOUS),
        ([("sources", "NNS", "NOUN")], 0, SourceType.ANONYMOUS),
        ([("the", "DT", "DET"), ("report", "NN", "NOUN")], 1, SourceType.DOCUMENT),
        ([("a", "DT", "DET"), ("new", "JJ", "ADJ"), ("poll", "NN", "NOUN")], 2, SourceType.DOCUMENT),
        ([("some", "DT", "PRON")], 0, SourceType.VAGUE),
        ([("he", "PRP", "PRON")], 0, SourceType.UNKNOWN),
    ],
)
def test_source_types_of_unnamed_mentions(words, head, expected):
    assert source_type_of(words_mention(words, head), None) == expected


def test_resolved_entity_type_decides():
    mention = words_mention([("he", "PRP", "PRON")], 0)
    assert source_type_of(mention, "person") == SourceType.NAMED_PERSON
    assert source_type_of(mention, "organization") == SourceType.NAMED_ORGANIZATION


@pytest.mark.parametrize(
    "text, reason",
    [
        ("said one defense expert, who requested anonymity.", "requested anonymity"),
        ("said a diplomat, speaking on condition of anonymity.", "speaking on condition of anonymity"),
        ("said an aide who was not authorized to speak publicly.", "was not authorized to speak publicly"),
        ("said a lawyer, who declined to be named.", "declined to be named"),
        ("said an official who asked not to be identified.", "asked not to be identified"),
    ],
)
def test_anonymity_reasons(text, reason):
    found, (start, end) = anonymity_reason(text, 0, len(text))
    assert found == reason == text[start:end]


def test_no_anonymity_reason_in_plain_sentence():
    text = "said the mayor, who requested a recount."
    assert anonymity_reason(text, 0, len(text)) is None


@pytest.mark.parametrize(
    "text, channel",
    [
        ("Speaking to BelTA, the head of state said", "BelTA"),
        ("he told Reuters.", "Reuters"),
        ("she said in an interview with CNN on Sunday", "CNN"),
        ("the ministry said in a statement", "a statement"),
        ("he wrote on Twitter", "Twitter"),
    ],
)
def test_channels(text, channel):
    found = find_channels(text, 0, len(text))
    assert found and found[0][0] == channel
    start, end = found[0][1]
    assert text[start:end] == channel


def test_participle_bound_to_the_noun_stays_in_the_mention():
    # "A report released last year found": no comma, the participle belongs to the source.
    doc = build(
        [
            ("A", "DT", "det", 1, "DET"),
            ("report", "NN", "nsubj", 5, "NOUN"),
            ("released", "VBN", "acl", 1, "VERB"),
            ("last", "JJ", "amod", 4, "ADJ"),
            ("year", "NN", "npadvmod", 2, "NOUN"),
            ("found", "VBD", "ROOT", 5, "VERB"),
        ]
    )
    assert mention_for(doc[1], cue=doc[5]).text == "A report released last year"


def test_a_possessor_is_not_the_source_but_can_make_it_an_organisation():
    # "Google's spokesman": one unnamed person, as "the spokesman" is.
    spokesman = build(
        [("Google", "NNP", "poss", 2, "PROPN"), ("'s", "POS", "case", 0, "PART"), ("spokesman", "NN", "ROOT", 2, "NOUN")],
        ents=["B-ORG", "O", "O"],
    )
    assert source_type_of(Mention(head=spokesman[2], start=0, end=3), None) == SourceType.ANONYMOUS
    # "Clinton's campaign": an institution a name owns is a named organisation.
    campaign = build(
        [("Clinton", "NNP", "poss", 2, "PROPN"), ("'s", "POS", "case", 0, "PART"), ("campaign", "NN", "ROOT", 2, "NOUN")],
        ents=["B-PERSON", "O", "O"],
    )
    assert source_type_of(Mention(head=campaign[2], start=0, end=3), None) == SourceType.NAMED_ORGANIZATION
    # "the Trump campaign": a name before it does the same.
    trump = build(
        [("the", "DT", "det", 2, "DET"), ("Trump", "NNP", "compound", 2, "PROPN"), ("campaign", "NN", "ROOT", 2, "NOUN")],
        ents=["O", "B-PERSON", "O"],
    )
    assert source_type_of(Mention(head=trump[2], start=0, end=3), None) == SourceType.NAMED_ORGANIZATION
    # Owned by no name ("his campaign"), it stays unknown.
    his = build([("his", "PRP$", "poss", 1, "PRON"), ("campaign", "NN", "ROOT", 1, "NOUN")])
    assert source_type_of(Mention(head=his[1], start=0, end=2), None) == SourceType.UNKNOWN
