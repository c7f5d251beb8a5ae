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


def parsed(rows: list[tuple[str, str, str, int, str]]) -> Doc:
    """rows: (word, pos, dep, head index, entity IOB tag)."""
    return Doc(
        VOCAB, words=[r[0] for r in rows], pos=[r[1] for r in rows], deps=[r[2] for r in rows],
        heads=[r[3] for r in rows], ents=[r[4] for r in rows], lemmas=[r[0].lower() for r in rows],
    )


def test_a_name_that_only_qualifies_the_head_is_not_the_speaker():
    # Apple 's chief executive said . Clinton aides said
    doc = parsed([
        ("Apple", "PROPN", "poss", 3, "B-ORG"), ("'s", "PART", "case", 0, "O"), ("chief", "ADJ", "amod", 3, "O"),
        ("executive", "NOUN", "nsubj", 4, "O"), ("said", "VERB", "ROOT", 4, "O"), (".", "PUNCT", "punct", 4, "O"),
        ("Clinton", "PROPN", "compound", 7, "B-PERSON"), ("aides", "NOUN", "nsubj", 8, "O"), ("said", "VERB", "ROOT", 8, "O"),
    ])
    assert resolve(doc, 0, 4)[1] is None
    assert resolve(doc, 6, 8)[1] is None


def test_a_plural_noun_before_a_name_is_no_title():
    # the loopholes Donald Trump used . the loopholes said
    doc = parsed([
        ("the", "DET", "det", 1, "O"), ("loopholes", "NOUN", "ROOT", 1, "O"), ("Donald", "PROPN", "compound", 3, "B-PERSON"),
        ("Trump", "PROPN", "nsubj", 4, "I-PERSON"), ("used", "VERB", "relcl", 1, "O"), (".", "PUNCT", "punct", 1, "O"),
        ("the", "DET", "det", 7, "O"), ("loopholes", "NOUN", "nsubj", 8, "O"), ("said", "VERB", "ROOT", 8, "O"),
    ])
    doc[1].tag_ = doc[7].tag_ = "NNS"
    index, resolved = resolve(doc, 6, 8)
    assert resolved is None and index.clusters[0].titles == set()


def test_the_name_at_the_head_or_in_apposition_to_it_is_the_speaker():
    # Belarus 's Defense Ministry said . Russia 's minister , Sergei Lavrov , said
    doc = parsed([
        ("Belarus", "PROPN", "poss", 3, "B-GPE"), ("'s", "PART", "case", 0, "O"), ("Defense", "PROPN", "compound", 3, "B-ORG"),
        ("Ministry", "PROPN", "nsubj", 4, "I-ORG"), ("said", "VERB", "ROOT", 4, "O"), (".", "PUNCT", "punct", 4, "O"),
        ("Russia", "PROPN", "poss", 8, "B-GPE"), ("'s", "PART", "case", 6, "O"), ("minister", "NOUN", "nsubj", 13, "O"),
        (",", "PUNCT", "punct", 8, "O"), ("Sergei", "PROPN", "compound", 11, "B-PERSON"),
        ("Lavrov", "PROPN", "appos", 8, "I-PERSON"), (",", "PUNCT", "punct", 8, "O"), ("said", "VERB", "ROOT", 13, "O"),
    ])
    index = EntityIndex([(doc, 0)])
    ministry = index.resolve(Mention(head=doc[3], start=0, end=4), 0)
    assert ministry[0].name == "Defense Ministry" and ministry[1].method == ResolutionMethod.NAME
    lavrov = index.resolve(Mention(head=doc[8], start=6, end=12), 0)
    assert lavrov[0].name == "Sergei Lavrov" and lavrov[0].type == "person"


# the Justice Department acted . the Department of Homeland Security acted . the department said .
# the appeals court said . the House said . the state said .
ORGS = parsed([
    ("the", "DET", "det", 2, "O"), ("Justice", "PROPN", "compound", 2, "B-ORG"), ("Department", "PROPN", "nsubj", 3, "I-ORG"),
    ("acted", "VERB", "ROOT", 3, "O"), (".", "PUNCT", "punct", 3, "O"),
    ("the", "DET", "det", 7, "O"), ("Department", "PROPN", "nsubj", 10, "B-ORG"), ("of", "ADP", "prep", 7, "I-ORG"),
    ("Homeland", "PROPN", "compound", 9, "I-ORG"), ("Security", "PROPN", "pobj", 8, "I-ORG"),
    ("acted", "VERB", "ROOT", 10, "O"), (".", "PUNCT", "punct", 10, "O"),
    ("the", "DET", "det", 13, "O"), ("department", "NOUN", "nsubj", 14, "O"), ("said", "VERB", "ROOT", 14, "O"),
    (".", "PUNCT", "punct", 14, "O"),
    ("the", "DET", "det", 18, "O"), ("appeals", "NOUN", "compound", 18, "O"), ("court", "NOUN", "nsubj", 19, "O"),
    ("said", "VERB", "ROOT", 19, "O"), (".", "PUNCT", "punct", 19, "O"),
    ("the", "DET", "det", 22, "O"), ("House", "PROPN", "nsubj", 23, "O"), ("said", "VERB", "ROOT", 23, "O"),
    (".", "PUNCT", "punct", 23, "O"),
    ("the", "DET", "det", 26, "O"), ("state", "NOUN", "nsubj", 27, "O"), ("said", "VERB", "ROOT", 27, "O"),
])


def test_an_institution_noun_refers_back_to_the_organisation_it_heads():
    index = EntityIndex([(ORGS, 0)])
    cluster, resolution = index.resolve(Mention(head=ORGS[13], start=12, end=14), 0)
    # The most recent organisation headed by "department": "Department of Homeland Security".
    assert cluster.name == "Department of Homeland Security"
    assert resolution.method == ResolutionMethod.HEAD_NOUN and "'department'" in resolution.note
    start = ORGS[6].idx
    assert (start, ORGS[9].idx + len(ORGS[9])) in resolution.evidence


def test_an_institution_noun_whose_words_no_name_has_stays_unresolved():
    index = EntityIndex([(ORGS, 0)])
    assert index.resolve(Mention(head=ORGS[18], start=16, end=19), 0) is None  # no court named
    assert index.resolve(Mention(head=ORGS[22], start=21, end=23), 0) is None  # "the House": a name
    assert index.resolve(Mention(head=ORGS[26], start=25, end=27), 0) is None  # not an institution


def test_the_other_words_of_the_description_must_be_in_the_name():
    # the Supreme Court acted . the appeals court said . the court said
    doc = parsed([
        ("the", "DET", "det", 2, "O"), ("Supreme", "PROPN", "compound", 2, "B-ORG"), ("Court", "PROPN", "nsubj", 3, "I-ORG"),
        ("acted", "VERB", "ROOT", 3, "O"), (".", "PUNCT", "punct", 3, "O"),
        ("the", "DET", "det", 7, "O"), ("appeals", "NOUN", "compound", 7, "O"), ("court", "NOUN", "nsubj", 8, "O"),
        ("said", "VERB", "ROOT", 8, "O"), (".", "PUNCT", "punct", 8, "O"),
        ("the", "DET", "det", 11, "O"), ("court", "NOUN", "nsubj", 12, "O"), ("said", "VERB", "ROOT", 12, "O"),
    ])
    index = EntityIndex([(doc, 0)])
    assert index.resolve(Mention(head=doc[7], start=5, end=8), 0) is None
    assert index.resolve(Mention(head=doc[11], start=10, end=12), 0)[0].name == "Supreme Court"


# Donald Trump needled Rand Paul . he said . “ Rand Paul will lose , ” he said
NEEDLED = parsed([
    ("Donald", "PROPN", "compound", 1, "B-PERSON"), ("Trump", "PROPN", "nsubj", 2, "I-PERSON"),
    ("needled", "VERB", "ROOT", 2, "O"), ("Rand", "PROPN", "compound", 4, "B-PERSON"),
    ("Paul", "PROPN", "dobj", 2, "I-PERSON"), (".", "PUNCT", "punct", 2, "O"),
    ("he", "PRON", "nsubj", 7, "O"), ("said", "VERB", "ROOT", 7, "O"), (".", "PUNCT", "punct", 7, "O"),
    ("“", "PUNCT", "punct", 13, "O"), ("Rand", "PROPN", "compound", 11, "B-PERSON"), ("Paul", "PROPN", "nsubj", 12, "I-PERSON"),
    ("will", "AUX", "aux", 13, "O"), ("lose", "VERB", "ccomp", 15, "O"), (",", "PUNCT", "punct", 15, "O"),
    ("”", "PUNCT", "punct", 15, "O"), ("he", "PRON", "nsubj", 16, "O"), ("said", "VERB", "ROOT", 16, "O"),
])


def test_a_pronoun_prefers_a_main_clause_subject_to_nearer_names():
    index = EntityIndex([(NEEDLED, 0)])
    cluster, resolution = index.resolve(Mention(head=NEEDLED[6], start=6, end=7), 0)
    assert cluster.name == "Donald Trump"  # not Rand Paul, nearer but the object
    assert "speaker or subject" in resolution.note
    # After the quotation, still Trump: "Rand Paul" there is a reported clause's subject.
    assert index.resolve(Mention(head=NEEDLED[16], start=16, end=17), 0)[0].name == "Donald Trump"


def test_a_pronoun_does_not_refer_to_a_name_inside_its_own_statement():
    # a rally for Donald Trump ended . “ Rand Paul will lose , ” he said  (no subject is a name)
    doc = parsed([
        ("a", "DET", "det", 1, "O"), ("rally", "NOUN", "nsubj", 5, "O"), ("for", "ADP", "prep", 1, "O"),
        ("Donald", "PROPN", "compound", 4, "B-PERSON"), ("Trump", "PROPN", "pobj", 2, "I-PERSON"),
        ("ended", "VERB", "ROOT", 5, "O"), (".", "PUNCT", "punct", 5, "O"),
        ("“", "PUNCT", "punct", 10, "O"), ("Rand", "PROPN", "compound", 9, "B-PERSON"), ("Paul", "PROPN", "nsubj", 10, "I-PERSON"),
        ("will", "AUX", "aux", 10, "O"), ("lose", "VERB", "ccomp", 14, "O"), (",", "PUNCT", "punct", 14, "O"),
        ("”", "PUNCT", "punct", 14, "O"), ("he", "PRON", "nsubj", 14, "O"), ("said", "VERB", "ROOT", 14, "O"),
    ])
    index = EntityIndex([(doc, 0)])
    he = Mention(head=doc[14], start=14, end=15)
    content = [(doc[8].idx, doc[12].idx)]  # "Rand Paul will lose"
    assert index.resolve(he, 0, content)[0].name == "Donald Trump"
    assert index.resolve(he, 0)[0].name == "Rand Paul"  # the same look-back without the statement


def test_a_resolved_speaker_is_salient_for_later_pronouns():
    # Rand Paul met Donald Trump . he said  (Trump is an object here, until he speaks)
    doc = parsed([
        ("Rand", "PROPN", "compound", 1, "B-PERSON"), ("Paul", "PROPN", "nsubj", 2, "I-PERSON"),
        ("met", "VERB", "ROOT", 2, "O"), ("Donald", "PROPN", "compound", 4, "B-PERSON"),
        ("Trump", "PROPN", "dobj", 2, "I-PERSON"), (".", "PUNCT", "punct", 2, "O"),
        ("he", "PRON", "nsubj", 7, "O"), ("said", "VERB", "ROOT", 7, "O"),
    ])
    index = EntityIndex([(doc, 0)])
    assert index.resolve(Mention(head=doc[6], start=6, end=7), 0)[0].name == "Rand Paul"
    trump = next(c for c in index.clusters if c.name == "Donald Trump")
    index.remember(trump, (doc[3].idx, doc[4].idx + len(doc[4])))  # "Donald Trump" spoke
    assert index.resolve(Mention(head=doc[6], start=6, end=7), 0)[0].name == "Donald Trump"


def _sentences(*rows_per_sentence):
    """A Doc of several sentences, each row (word, pos, dep, head's position in its sentence,
    IOB); each sentence is a tree of its own, which is what makes it a sentence."""
    rows = []
    for sentence in rows_per_sentence:
        first = len(rows)
        rows += [(w, p, d, first + h, e) for w, p, d, h, e in sentence]
    return parsed(rows)


def test_it_refers_to_the_organisation_that_is_the_subject_before_it():
    doc = _sentences(
        [("The", "DET", "det", 1, "O"), ("FBI", "PROPN", "nsubj", 2, "B-ORG"), ("warned", "VERB", "ROOT", 2, "O"), (".", "PUNCT", "punct", 2, "O")],
        [("it", "PRON", "nsubj", 1, "O"), ("said", "VERB", "ROOT", 1, "O")],
    )
    cluster, resolution = EntityIndex([(doc, 0)]).resolve(Mention(head=doc[4], start=4, end=5), 0)
    assert cluster.name == "FBI" and resolution.method == ResolutionMethod.PRONOUN


def test_it_stays_unresolved_when_the_subject_before_it_is_no_named_organisation():
    # The Commission met . The campaign defended Trump . it said
    doc = _sentences(
        [("The", "DET", "det", 1, "O"), ("Commission", "PROPN", "nsubj", 2, "B-ORG"), ("met", "VERB", "ROOT", 2, "O"), (".", "PUNCT", "punct", 2, "O")],
        [("The", "DET", "det", 1, "O"), ("campaign", "NOUN", "nsubj", 2, "O"), ("defended", "VERB", "ROOT", 2, "O"),
         ("Trump", "PROPN", "dobj", 2, "B-PERSON"), (".", "PUNCT", "punct", 2, "O")],
        [("it", "PRON", "nsubj", 1, "O"), ("said", "VERB", "ROOT", 1, "O")],
    )
    assert EntityIndex([(doc, 0)]).resolve(Mention(head=doc[9], start=9, end=10), 0) is None


def test_it_looks_back_two_sentences_besides_its_own_statement():
    # The Times wrote . Sales rose . Costs fell . Debts ended . it added
    clause = lambda noun, verb: [(noun, "NOUN", "nsubj", 1, "O"), (verb, "VERB", "ROOT", 1, "O"), (".", "PUNCT", "punct", 1, "O")]
    doc = _sentences(
        [("The", "DET", "det", 1, "O"), ("Times", "PROPN", "nsubj", 2, "B-ORG"), ("wrote", "VERB", "ROOT", 2, "O"), (".", "PUNCT", "punct", 2, "O")],
        clause("Sales", "rose"), clause("Costs", "fell"), clause("Debts", "ended"),
        [("it", "PRON", "nsubj", 1, "O"), ("added", "VERB", "ROOT", 1, "O")],
    )
    index, it = EntityIndex([(doc, 0)]), Mention(head=doc[13], start=13, end=14)
    # Not a subject in sight: "Sales", "Costs" and "Debts" are no organisation, so nothing...
    assert index.resolve(it, 0) is None
    # ... unless they are the statement itself, which the look-back passes over.
    statement = [(doc[4].idx, doc[12].idx + 1)]
    assert index.resolve(it, 0, statement)[0].name == "Times"


def _clintons(first: str, second: str) -> Doc:
    """FIRST Clinton smiled . SECOND Clinton criticized it . Clinton said"""
    return _sentences(
        [(first, "PROPN", "compound", 1, "B-PERSON"), ("Clinton", "PROPN", "nsubj", 2, "I-PERSON"),
         ("smiled", "VERB", "ROOT", 2, "O"), (".", "PUNCT", "punct", 2, "O")],
        [(second, "PROPN", "compound", 1, "B-PERSON"), ("Clinton", "PROPN", "nsubj", 2, "I-PERSON"),
         ("criticized", "VERB", "ROOT", 2, "O"), ("it", "PRON", "dobj", 2, "O"), (".", "PUNCT", "punct", 2, "O")],
        [("Clinton", "PROPN", "nsubj", 1, "B-PERSON"), ("said", "VERB", "ROOT", 1, "O")],
    )


def test_a_surname_two_people_share_is_the_one_who_last_spoke_or_acted():
    for first, second in (("Hillary", "Bill"), ("Bill", "Hillary")):
        doc = _clintons(first, second)
        index = EntityIndex([(doc, 0)])
        assert sorted(c.name for c in index.clusters) == ["Bill Clinton", "Clinton", "Hillary Clinton"]
        cluster, resolution = index.resolve(Mention(head=doc[9], start=9, end=10), 0)
        assert cluster.name == f"{second} Clinton"
        assert resolution.method == ResolutionMethod.SURNAME and "2 people" in resolution.note


def test_a_shared_surname_with_no_owner_in_the_lead_stays_the_bare_name():
    # Clinton said (no Clinton spoke or acted before): the article does not settle which.
    doc = _sentences(
        [("Hillary", "PROPN", "compound", 1, "B-PERSON"), ("Clinton", "PROPN", "dobj", 3, "I-PERSON"),
         ("and", "CCONJ", "cc", 1, "O"), ("met", "VERB", "ROOT", 3, "O"), ("Bill", "PROPN", "compound", 5, "B-PERSON"),
         ("Clinton", "PROPN", "dobj", 3, "I-PERSON"), (".", "PUNCT", "punct", 3, "O")],
        [("Clinton", "PROPN", "nsubj", 1, "B-PERSON"), ("said", "VERB", "ROOT", 1, "O")],
    )
    cluster, _ = EntityIndex([(doc, 0)]).resolve(Mention(head=doc[7], start=7, end=8), 0)
    assert cluster.name == "Clinton"


# Libertarian nominee Gary Johnson spoke . Republican nominee Donald Trump spoke .
# the Libertarian nominee said . the Democratic nominee said . the nominee said .
# the developers said . the network said
NOMINEES = _sentences(
    [("Libertarian", "ADJ", "amod", 1, "B-NORP"), ("nominee", "NOUN", "compound", 3, "O"), ("Gary", "PROPN", "compound", 3, "B-PERSON"),
     ("Johnson", "PROPN", "nsubj", 4, "I-PERSON"), ("spoke", "VERB", "ROOT", 4, "O"), (".", "PUNCT", "punct", 4, "O")],
    [("Republican", "ADJ", "amod", 1, "B-NORP"), ("nominee", "NOUN", "compound", 3, "O"), ("Donald", "PROPN", "compound", 3, "B-PERSON"),
     ("Trump", "PROPN", "nsubj", 4, "I-PERSON"), ("spoke", "VERB", "ROOT", 4, "O"), (".", "PUNCT", "punct", 4, "O")],
    *[[("the", "DET", "det", 2, "O"), (word, "ADJ", "amod", 2, "O"), ("nominee", "NOUN", "nsubj", 3, "O"),
       ("said", "VERB", "ROOT", 3, "O"), (".", "PUNCT", "punct", 3, "O")] for word in ("Libertarian", "Democratic")],
    [("the", "DET", "det", 1, "O"), ("nominee", "NOUN", "nsubj", 2, "O"), ("said", "VERB", "ROOT", 2, "O"), (".", "PUNCT", "punct", 2, "O")],
    [("the", "DET", "det", 1, "O"), ("developers", "NOUN", "nsubj", 2, "O"), ("said", "VERB", "ROOT", 2, "O"), (".", "PUNCT", "punct", 2, "O")],
    [("the", "DET", "det", 1, "O"), ("network", "NOUN", "nsubj", 2, "O"), ("said", "VERB", "ROOT", 2, "O")],
)


def test_a_title_with_a_party_goes_to_that_party_s_person_only():
    index = EntityIndex([(NOMINEES, 0)])
    libertarian = index.resolve(Mention(head=NOMINEES[14], start=12, end=15), 0)
    assert libertarian[0].name == "Gary Johnson"  # though Trump is the nominee named last
    assert index.resolve(Mention(head=NOMINEES[19], start=17, end=20), 0) is None  # no Democrat named
    assert index.resolve(Mention(head=NOMINEES[23], start=22, end=24), 0)[0].name == "Donald Trump"


def test_a_plural_or_an_institution_is_no_person_s_title():
    doc = NOMINEES
    doc[27].tag_ = "NNS"
    index = EntityIndex([(doc, 0)])
    index.clusters[0].titles |= {"developers", "network"}  # as a misparse could have taught
    assert index.resolve(Mention(head=doc[27], start=26, end=28), 0) is None
    assert index.resolve(Mention(head=doc[31], start=30, end=32), 0) is None


def test_an_honorific_picks_between_two_people_of_one_surname():
    doc = build(
        "Barack Obama spoke . Michelle Obama smiled . Mr. Obama said".split(),
        ["PROPN", "PROPN", "VERB", "PUNCT", "PROPN", "PROPN", "VERB", "PUNCT", "PROPN", "PROPN", "VERB"],
        ["B-PERSON", "I-PERSON", "O", "O", "B-PERSON", "I-PERSON", "O", "O", "O", "B-PERSON", "O"],
    )
    index = EntityIndex([(doc, 0)])
    assert sorted(c.name for c in index.clusters) == ["Barack Obama", "Michelle Obama"]
    assert index.resolve(Mention(head=doc[9], start=8, end=10), 0)[0].name == "Barack Obama"


def test_the_head_of_an_organisation_name_is_the_word_before_its_first_preposition():
    from saywho.resolve import _head_word

    assert _head_word("commission on presidential debates".split()) == "commission"
    assert _head_word("department of homeland security".split()) == "department"
    assert _head_word("defense ministry".split()) == "ministry"
    assert _head_word("bank".split()) == "bank"


def test_a_known_first_name_keeps_he_from_a_woman_named_nearer():
    doc = build(
        "Donald Trump met Melanie Austin . he said".split(),
        ["PROPN", "PROPN", "VERB", "PROPN", "PROPN", "PUNCT", "PRON", "VERB"],
        ["B-PERSON", "I-PERSON", "O", "B-PERSON", "I-PERSON", "O", "O", "O"],
    )
    assert resolve(doc, 6, 7)[1][0].name == "Donald Trump"  # Melanie is nearer, and a woman
