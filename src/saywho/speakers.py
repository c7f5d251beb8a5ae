"""Speakers: the source mention of a cue, what kind of source it is, why it is anonymous,
and through which channel the statement reached the reporter."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Token

from saywho.cues import DOCUMENT_NOUNS
from saywho.model import SourceType

SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj")
RELATIVE_PRONOUNS = frozenset({"who", "that", "which", "whom"})
# Dependents that end a speaker mention: "a European diplomat, speaking on condition ...".
ENDING_DEPS = frozenset({"acl", "advcl", "parataxis", "ccomp", "dep"})

# Heads of an unnamed group: "analysts note", "critics say", "some argue".
VAGUE_WORDS = frozenset(
    """
    analysts critics observers experts people some many others commentators
    economists observers pundits supporters opponents skeptics sceptics residents
    voters americans scholars researchers scientists historians strategists insiders
    detractors advocates activists democrats republicans conservatives liberals
    progressives watchers commentators most few several all everyone everybody
    someone somebody anyone
    """.split()
)
# Heads of an unnamed individual (or unnamed sources): "a senior official", "sources".
PERSON_NOUNS = frozenset(
    """
    official source sources expert analyst diplomat spokesman spokeswoman spokesperson
    aide adviser advisor officer person member lawmaker legislator senator representative
    insider observer witness resident employee worker staffer executive director lawyer
    attorney economist strategist consultant operative insider researcher scientist
    professor teacher doctor friend relative neighbor neighbour colleague acquaintance
    investigator agent commander soldier man woman voter supporter critic activist leader
    minister diplomat negotiator officials aides advisers advisors people
    """.split()
)

# Nouns of institutions and media: "the ministry said" can be an organisation named before.
INSTITUTION_NOUNS = frozenset(
    """
    union court panel committee council agency government administration department ministry
    campaign party company firm group organization organisation coalition board commission
    jury police military army navy senate congress house parliament newspaper network
    magazine website team club league association federation foundation institute
    university school bank fund office bureau service authority regime embassy
    """.split()
)

ANONYMITY_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"(?:requested|asked\s+for|asked\s+not\s+to\s+be\s+(?:named|identified)|"
        r"requested\s+not\s+to\s+be\s+(?:named|identified)|was\s+granted|were\s+granted|"
        r"demanded|insisted\s+on)\s*(?:anonymity)?",
        r"(?:speaking\s+)?on\s+(?:the\s+)?condition\s+of\s+anonymity",
        r"(?:speaking\s+)?on\s+condition\s+(?:that\s+)?(?:he|she|they)\s+not\s+be\s+(?:named|identified)",
        r"(?:was|were|is|are)\s+not\s+authori[sz]ed\s+to\s+(?:speak|talk|comment)[a-z\s]*?(?:publicly|on\s+the\s+record)",
        r"declined\s+to\s+be\s+(?:named|identified)",
        r"(?:speaking\s+)?anonymously",
    )
]
# Only phrases that really mention anonymity or authorisation are reasons.
_REASON_WORDS = re.compile(
    r"anonym|(?:not\s+)?(?:to\s+)?be\s+(?:named|identified)|authori[sz]ed", re.IGNORECASE
)

CHANNEL_PATTERNS = [
    # "Speaking to BelTA", "talking with reporters"
    re.compile(r"\b(?i:speaking|talking)\s+(?:to|with)\s+(?P<channel>(?:the\s+)?[A-Z][\w.&'-]*(?:\s+[A-Z][\w.&'-]*)*|reporters|journalists)"),
    # "told Reuters", "told reporters"
    re.compile(r"\b(?i:told)\s+(?P<channel>(?:the\s+)?[A-Z][\w.&'-]*(?:\s+[A-Z][\w.&'-]*)*|reporters|journalists)"),
    # "in an interview with CNN", "in an interview"
    re.compile(r"\b(?i:in)\s+an?\s+(?:\w+\s+)?interview\s+(?:with|on)\s+(?P<channel>(?:the\s+)?[A-Z][\w.&'-]*(?:\s+[A-Z][\w.&'-]*)*)"),
    # "in a statement", "in a tweet", "on Twitter"
    re.compile(r"\bin\s+(?P<channel>an?\s+(?:\w+\s+)?(?:statement|tweet|post|press\s+release|press\s+conference|news\s+conference|op-ed|letter|email|e-mail|speech|video|blog\s+post|interview|radio\s+address|television\s+address))\b"),
    re.compile(r"\b(?:on|via)\s+(?P<channel>Twitter|Facebook|X|Instagram|Telegram|TikTok|YouTube|Truth\s+Social|television|TV|radio)\b"),
]


@dataclass(frozen=True, slots=True)
class Mention:
    """A speaker mention: token range [start, end) and the head token."""

    head: Token
    start: int
    end: int

    def char_span(self, base: int = 0) -> tuple[int, int]:
        doc = self.head.doc
        return base + doc[self.start].idx, base + doc[self.end - 1].idx + len(doc[self.end - 1])

    @property
    def text(self) -> str:
        return self.head.doc[self.start : self.end].text


def mention_for(head: Token, cue: Token | None = None) -> Mention:
    """The mention headed by ``head``, as news annotation marks a source: the name with its
    appositions, parentheticals, coordinated names and relative clauses ("Ryan Ellis, a
    Republican tax consultant"), but not a participle, a clause giving the reason for
    anonymity ("one defense expert, who requested anonymity"), reported on its own, nor the
    clause holding the ``cue`` itself ("Lukashenko, who had previously insisted")."""
    doc = head.doc
    start = head.left_edge.i
    end = head.i + 1
    for child in head.rights:
        if child.is_space and "\n" not in child.text:
            continue  # a no-break or doubled space inside the name ("Gov.\xa0Mike Pence")
        # A participle right after the noun belongs to it ("a report released last year");
        # after a comma it is a clause of its own ("a diplomat, speaking on condition ...").
        bound_participle = child.dep_ == "acl" and child.i > 0 and doc[child.left_edge.i - 1].text != ","
        if (child.dep_ in ENDING_DEPS and not bound_participle) or (
            child.dep_ == "relcl" and _mentions_anonymity(child)
        ):
            break
        if cue is not None and child.left_edge.i <= cue.i <= child.right_edge.i:
            break
        if child.is_punct:
            continue
        end = max(end, child.right_edge.i + 1)
    # Never start on punctuation or a quote mark, never end on them (but keep a closing
    # parenthesis that closes one inside the mention: "Sen. David Perdue (R-Ga.)").
    while start < head.i and (doc[start].is_punct or doc[start].is_space):
        start += 1
    # "Even China, Pyongyang's only ally, said": the focus adverb is not part of the source
    # (PolNeAR train: a leading "even" is left out of the source 28 times, kept 8).
    if start < head.i and doc[start].lower_ == "even" and doc[start].dep_ == "advmod":
        start += 1
    while end - 1 > head.i and (doc[end - 1].is_space or (doc[end - 1].is_punct and doc[end - 1].text != ")")):
        end -= 1
    # Close a parenthesis opened inside the mention: "Rep. Stephen Lynch (D-Mass.)".
    opened = sum(1 for t in doc[start:end] if t.text == "(") - sum(1 for t in doc[start:end] if t.text == ")")
    if opened > 0 and end < len(doc) and doc[end].text == ")":
        end += 1
    # A comma inside the left part ends an earlier phrase: "Speaking to BelTA, the head"; so
    # does a line break, but not a no-break or doubled space ("A\xa0Bloomberg poll").
    for i in range(head.i - 1, start - 1, -1):
        if doc[i].text in (",", ";", ":", "—", "–") or (doc[i].is_space and "\n" in doc[i].text):
            start = i + 1
            break
    return Mention(head=head, start=start, end=end)


def _mentions_anonymity(clause: Token) -> bool:
    return bool(_REASON_WORDS.search(clause.doc[clause.left_edge.i : clause.right_edge.i + 1].text))


def subject_of(verb: Token) -> Token | None:
    """The subject of a verb, borrowed from the governing verb for participles and
    coordinated verbs ("he warned, stressing that ..."), None when there is none."""
    seen = 0
    token = verb
    while seen < 4:
        # The nearest subject on the verb's own line: a headline above an article can be
        # misparsed as a second subject ("Ministry under pressure\n'...,' said an official").
        subjects = [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass") and _same_line(c, token)]
        if subjects:
            return min(subjects, key=lambda c: abs(c.i - token.i))
        if token.dep_ in ("advcl", "conj", "xcomp") and token.head.i != token.i and token.head.pos_ in ("VERB", "AUX"):
            token = token.head
            seen += 1
            continue
        return None
    return None


def _same_line(a: Token, b: Token) -> bool:
    """No line break between two tokens."""
    low, high = sorted((a.i, b.i))
    return not any("\n" in t.text or "\n" in t.whitespace_ for t in a.doc[low:high])


def preceding_noun_phrase(verb: Token) -> Token | None:
    """Head of the noun phrase just left of a verb, for parses that lost the subject
    ("Speaking to BelTA, the head of state underscored")."""
    doc = verb.doc
    i = verb.i - 1
    while i >= 0 and doc[i].pos_ in ("ADV", "AUX", "PART"):
        i -= 1
    # "Minyon Moore, a senior adviser to the campaign, called": an apposition closed by a
    # comma; then the name it describes is the subject.
    after_comma = i >= 0 and doc[i].text == ","
    if after_comma:
        i -= 1
    if i < 0 or doc[i].pos_ not in ("NOUN", "PROPN", "PRON"):
        return None
    token = doc[i]
    named_by_apposition = False
    # Climb "state" -> "of" -> "head" while staying left of the verb.
    while token.head.i != token.i and token.head.i < verb.i:
        if token.dep_ in ("pobj", "prep", "compound", "amod", "poss", "nmod", "case") and token.head.pos_ in (
            "NOUN",
            "PROPN",
            "ADP",
        ):
            token = token.head
        elif after_comma and token.dep_ == "appos" and token.head.pos_ == "PROPN":
            token, named_by_apposition = token.head, True
        else:
            break
    if token.pos_ == "ADP" or (after_comma and not named_by_apposition):
        return None  # after a comma only "Name, appositive, VERB" is a subject
    return token


def relative_antecedent(subject: Token, verb: Token) -> Token | None:
    """For "Lukashenko, who had previously insisted", the antecedent of 'who'; for "Trump is a
    serial liar and birther who has pledged", the subject the predicate describes."""
    if subject.lower_ not in RELATIVE_PRONOUNS or verb.dep_ != "relcl":
        return None
    antecedent = verb.head
    node = antecedent
    while node.dep_ in ("conj", "appos") and node.head.i != node.i:
        node = node.head
    if node.dep_ == "attr" and node.head.lemma_ == "be":
        subjects = [c for c in node.head.children if c.dep_ == "nsubj"]
        if subjects:
            return subjects[0]
    return antecedent


def source_type_of(mention: Mention, entity_type: str | None) -> SourceType:
    """Classify a speaker mention; ``entity_type`` is the resolved entity's type, if any."""
    head = mention.head
    if head.pos_ == "NOUN" and (head.lemma_.lower() in DOCUMENT_NOUNS or head.lower_ in DOCUMENT_NOUNS):
        return SourceType.DOCUMENT  # "a New York Times/CBS News poll": a document, whoever made it
    if entity_type == "person":
        return SourceType.NAMED_PERSON
    if entity_type == "organization":
        return SourceType.NAMED_ORGANIZATION
    lemma = head.lemma_.lower()
    lower = head.lower_
    doc = head.doc
    words = [t.lower_ for t in doc[mention.start : mention.end]]
    if head.pos_ == "PRON":
        if lower in ("some", "many", "others", "few", "several", "most", "all", "everyone", "someone"):
            return SourceType.VAGUE
        return SourceType.UNKNOWN
    if lemma in DOCUMENT_NOUNS or lower in DOCUMENT_NOUNS:
        return SourceType.DOCUMENT
    if lower in VAGUE_WORDS and head.tag_ in ("NNS", "NNPS"):
        return SourceType.VAGUE
    determiner = words[0] if words else ""
    if lower in ("sources", "source"):
        return SourceType.ANONYMOUS
    if lemma in PERSON_NOUNS or lower in PERSON_NOUNS:
        if head.tag_ in ("NNS", "NNPS") and lower not in ("sources", "officials", "aides", "advisers", "advisors"):
            return SourceType.VAGUE
        if head.tag_ in ("NNS", "NNPS"):
            return SourceType.ANONYMOUS
        # "a spokesman", "the official", "Google's spokesman": one unnamed person.
        if determiner in ("a", "an", "one", "another", "some", "the") or any(c.dep_ == "poss" for c in head.children):
            return SourceType.ANONYMOUS
    if head.tag_ in ("NNS",) and lower in VAGUE_WORDS:
        return SourceType.VAGUE
    if head.ent_type_ in ("ORG", "GPE", "NORP") and head.tag_ not in ("NNS", "NNPS"):
        return SourceType.NAMED_ORGANIZATION
    if lower in INSTITUTION_NOUNS and head.tag_ in ("NN", "NNP") and any(
        c.dep_ in ("poss", "compound") and c.ent_type_ in ("PERSON", "ORG", "GPE") for c in head.children
    ):
        return SourceType.NAMED_ORGANIZATION  # "Hillary Clinton's campaign", "the Trump campaign"
    if head.ent_type_ == "PERSON":
        return SourceType.NAMED_PERSON
    if head.tag_ == "NNS" and head.ent_type_ in ("", "NORP"):
        return SourceType.VAGUE
    return SourceType.UNKNOWN


def anonymity_reason(text: str, start: int, end: int) -> tuple[str, tuple[int, int]] | None:
    """The stated reason for anonymity found in text[start:end], with its span."""
    window = text[start:end]
    best: re.Match[str] | None = None
    for pattern in ANONYMITY_PATTERNS:
        for match in pattern.finditer(window):
            if not _REASON_WORDS.search(match.group(0)):
                continue
            if best is None or len(match.group(0)) > len(best.group(0)):
                best = match
    if best is None:
        return None
    span = (start + best.start(), start + best.end())
    return text[span[0] : span[1]], span


def find_channels(text: str, start: int, end: int) -> list[tuple[str, tuple[int, int]]]:
    """Channels ("BelTA", "a statement") mentioned in text[start:end], with their spans."""
    found = []
    taken: list[tuple[int, int]] = []  # the earlier, more specific patterns win
    window = text[start:end]
    for pattern in CHANNEL_PATTERNS:
        for match in pattern.finditer(window):
            if any(a < match.end() and match.start() < b for a, b in taken):
                continue
            taken.append(match.span())
            group = "channel" if match.group("channel") else 0
            value = match.group(group)
            s = start + match.start(group)
            if value.lower().startswith("the "):
                value, s = value[4:], s + 4
            value = value.rstrip(".")  # "told Reuters." ends the sentence, not the name
            for possessive in ("'s", "’s"):  # "on MSNBC's show"
                if value.endswith(possessive):
                    value = value[: -len(possessive)]
            found.append((value, (s, s + len(value))))
    found.sort(key=lambda item: item[1])
    return found
