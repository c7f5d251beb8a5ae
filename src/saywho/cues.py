"""Cues: the words that signal an attribution ("said", "warned", "according to").

Works on a parsed spaCy Doc. A cue is a verb (or a fixed phrase) from a lexicon of speech,
thought and stance predicates; the lexicon says which complements carry the content.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from spacy.tokens import Doc, Token

# Verbs that report speech or writing: their clausal complement is what was said.
SPEECH_VERBS = frozenset(
    """
    say tell add note warn insist claim argue explain state declare announce report write
    ask answer reply respond stress underscore emphasize emphasise acknowledge admit concede
    suggest predict promise pledge vow confirm deny reiterate repeat recall remark comment
    observe mention testify tweet post contend maintain assert allege complain caution
    charge boast quip joke concede conclude estimate reveal disclose hint signal indicate
    point shout scream whisper yell cry write blog posit speculate counter retort rebut
    brag lament proclaim assure inform remind advise recommend propose demand urge
    continue sing chant
    threaten guarantee affirm aver attest certify concur agree disagree object protest
    predict forecast project calculate find show
    """.split()
)

# Verbs of belief and stance (PolNeAR annotates them too): content is a that-clause.
THOUGHT_VERBS = frozenset(
    """
    believe think feel hope fear expect worry doubt know suspect reckon assume guess
    consider understand realize realise recognize recognise wonder imagine insist
    """.split()
)

# Verbs whose to-infinitive complement is the content ("wants to", "plans to").
XCOMP_VERBS = frozenset(
    """
    want plan promise pledge vow intend hope expect refuse decline agree threaten vow
    urge ask call aim seek wish prefer propose demand vow offer
    """.split()
)

# Nouns heading a source that is itself a document ("the report found that ...").
DOCUMENT_NOUNS = frozenset(
    """
    report statement study survey poll document memo memorandum letter filing analysis
    data record records book article release complaint lawsuit ruling indictment email
    tweet post video ad advertisement transcript paper review audit assessment estimate
    forecast figures numbers research investigation findings census brief motion order
    decision opinion affidavit testimony speech interview website page blog editorial
    op-ed column note message declaration communique communiqué
    """.split()
)

# Verbs of stance and evaluation whose object is the content ("criticized the plan",
# "announced a new tax"); PolNeAR annotates them as attributions.
OBJECT_VERBS = frozenset(
    """
    announce deny confirm acknowledge admit reveal predict propose recommend demand
    criticize criticise praise support oppose reject endorse back blame cite condemn defend
    question accuse attack dispute welcome applaud decry denounce slam blast dismiss
    call label brand describe dub
    """.split()
)

# Verbs whose content is the object of a preposition ("called for new sanctions").
PREPOSITION_VERBS = {
    "call": ("for",),
    "speak": ("about", "of", "out"),
    "talk": ("about",),
    "warn": ("of", "about", "against"),
    "complain": ("about", "of"),
    "insist": ("on",),
    "argue": ("for", "against"),
    "brag": ("about",),
    "boast": ("about", "of"),
    "comment": ("on",),
    "push": ("for",),
}

REPORTING_VERBS = SPEECH_VERBS | THOUGHT_VERBS | XCOMP_VERBS | OBJECT_VERBS | frozenset(PREPOSITION_VERBS)


@dataclass(frozen=True, slots=True)
class Cue:
    """A cue in a Doc: its main token and the token range [start, end) it covers."""

    token: Token  # the verb (or "according")
    start: int  # token index
    end: int  # token index, exclusive
    pattern: str  # "verb", "according_to"

    def char_span(self, base: int = 0) -> tuple[int, int]:
        doc = self.token.doc
        return base + doc[self.start].idx, base + doc[self.end - 1].idx + len(doc[self.end - 1])


def is_cue_verb(token: Token) -> bool:
    return token.pos_ in ("VERB", "AUX") and token.lemma_.lower() in REPORTING_VERBS


def verb_cue(token: Token) -> Cue:
    """The cue for a reporting verb: the verb, with its particle for phrasal verbs."""
    end = token.i + 1
    doc = token.doc
    lemma = token.lemma_.lower()
    if end < len(doc):
        nxt = doc[end]
        # "point out", "called for": the particle belongs to the cue.
        if nxt.dep_ == "prt" and nxt.head.i == token.i:
            end += 1
        elif lemma == "call" and nxt.lower_ in ("for", "on") and nxt.head.i == token.i:
            end += 1
    return Cue(token=token, start=token.i, end=end, pattern="verb")


def according_to(doc: Doc) -> list[tuple[Token, Token]]:
    """('according' token, 'to' token) pairs of the phrase 'according to'."""
    # On the token array, not the Tokens: making a Token object for each word of each
    # article cost more than the test itself.
    lower = doc.to_array("LOWER")
    according, to = doc.vocab.strings["according"], doc.vocab.strings["to"]
    found = np.flatnonzero((lower[:-1] == according) & (lower[1:] == to))
    return [(doc[int(i)], doc[int(i) + 1]) for i in found]


#: Words that PolNeAR's cues take in before the verb (saywho's cue is the verb alone): auxiliaries, negation, adverbs of time and
#: manner ("has said", "did not immediately respond", "had previously insisted").
CUE_PREFIX_WORDS = frozenset(
    """has have had having is are was were be been being am 's ’s do does did will would
    shall should can could may might must not n't never also previously repeatedly first
    further now often still then again already later earlier even just openly publicly
    generally recently once reportedly allegedly usually always immediately long""".split()
)
